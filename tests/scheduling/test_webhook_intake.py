"""Webhook intake under a storm: the receiver verifies, stores with one INSERT and answers;
drains claim stored deliveries in batches and process each exactly once, however many run
side by side; the sweep brings back what a dead worker held and what lost its drain."""

import datetime as dt
import json
import secrets
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scheduling import webhooks
from scheduling.models import Connection, WebhookDelivery
from scheduling.unified import signing
from tests import factories as f

pytestmark = pytest.mark.django_db

CAL_ID = "d" * 24


def delivery_body(n, nonce=None):
    nonce = nonce or secrets.token_hex(8)
    data = [
        {
            "id": f"event-{n}",
            "calendar_id": "someone@example.com",
            "start_at": "2030-01-01T10:00:00Z",
            "end_at": "2030-01-01T11:00:00Z",
            "updated_at": "2030-01-01T09:00:00Z",
        }
    ]
    payload = {
        "data": data,
        "webhook": {
            "id": "wh",
            "connection_id": CAL_ID,
            "object_type": "calendar_event",
            "event": "updated",
        },
        "nonce": nonce,
        "type": "NATIVE",
        **signing.sign(settings.UNIFIED_WEBHOOK_SECRET, data, nonce),
    }
    return json.dumps(payload).encode()


@pytest.fixture
def calendar(tenant):
    return f.connection(tenant, Connection.Category.CALENDAR, unified_id=CAL_ID)


class Queue:
    """Stands in for the drain task's queue: records what is queued, runs nothing."""

    def __init__(self, task):
        self.task = task
        self.queued = 0

    def enqueue(self):
        self.queued += 1

    def call(self):
        return self.task.call()


@pytest.fixture
def drains(monkeypatch):
    queue = Queue(webhooks.drain_deliveries)
    monkeypatch.setattr(webhooks, "drain_deliveries", queue)
    return queue


def post(client, raw):
    return client.post(reverse("unified_webhook"), raw, content_type="application/json")


def store(n):
    """n deliveries stored as the receiver stores them, none processed yet."""
    for i in range(n):
        assert webhooks.receive(delivery_body(i)) == (200, "accepted")


def test_the_receiver_writes_one_row_and_nothing_else(client, calendar):
    raw = delivery_body(1)
    with CaptureQueriesContext(connection) as queries:
        response = post(client, raw)
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    writes = [sql for sql in writes if "SAVEPOINT" not in sql.upper()]
    assert len(writes) == 1 and writes[0].startswith('INSERT INTO "scheduling_webhookdelivery"')
    stored = WebhookDelivery.objects.get()
    assert stored.status == WebhookDelivery.Status.RECEIVED  # processing is a task's work
    assert stored.payload[0]["id"] == "event-1" and stored.record_count == 1


def test_a_bad_signature_is_refused_before_anything_is_stored(client, calendar):
    raw = delivery_body(1).replace(b"event-1", b"event-2")
    response = post(client, raw)
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_a_storm_is_stored_and_each_delivery_processed_once(
    calendar, django_capture_on_commit_callbacks
):
    bodies = [delivery_body(i) for i in range(60)]
    with django_capture_on_commit_callbacks(execute=False) as kicks:
        for raw in bodies:
            assert webhooks.receive(raw) == (200, "accepted")
        # Unified retries what was slow: some come twice.
        for raw in bodies[::7]:
            assert webhooks.receive(raw) == (200, "duplicate: ignored")
    assert len(kicks) == 60  # each stored delivery makes sure a drain will look
    assert WebhookDelivery.objects.count() == 60
    # The drain (and, the queue running tasks at once here, the helper it asks for).
    webhooks.drain_deliveries.call()
    rows = WebhookDelivery.objects.all()
    assert {d.status for d in rows} == {WebhookDelivery.Status.PROCESSED}
    assert {d.attempts for d in rows} == {1}


def test_a_redelivered_delivery_is_stored_once(calendar):
    raw = delivery_body(7, nonce="same-nonce")
    assert webhooks.receive(raw) == (200, "accepted")
    assert webhooks.receive(raw) == (200, "duplicate: ignored")
    assert WebhookDelivery.objects.count() == 1


def test_drains_side_by_side_never_process_one_delivery_twice(calendar, monkeypatch):
    store(40)
    handled = []
    lock = threading.Lock()
    handle = webhooks._handle

    def counted(pk):
        with lock:
            handled.append(pk)
        return handle(pk)

    monkeypatch.setattr(webhooks, "_handle", counted)
    claims = [webhooks._claim(15) for _ in range(4)]  # four workers, one after another
    assert sorted(len(c) for c in claims) == [0, 10, 15, 15]
    assert len({pk for c in claims for pk in c}) == 40
    for pk in (pk for c in claims for pk in c):
        webhooks._handle(pk)
    assert len(handled) == len(set(handled)) == 40
    assert webhooks._claim(15) == []


def test_a_full_batch_asks_another_worker_to_help(calendar, drains):
    store(2 * webhooks.DRAIN_BATCH + 5)
    drains.queued = 0
    assert drains.call() == 2 * webhooks.DRAIN_BATCH + 5
    assert drains.queued == 1  # one helper, not one per batch


def test_a_drain_clears_its_mark_so_the_next_delivery_queues_one(calendar, drains):
    webhooks.kick()
    webhooks.kick()  # a storm: the mark is set, one drain is enough
    assert drains.queued == 1
    drains.call()
    webhooks.kick()  # after the drain's last look, a new delivery queues a new drain
    assert drains.queued == 2


def test_the_sweep_brings_back_what_a_dead_worker_held(calendar):
    store(3)
    claimed = webhooks._claim(2, now=timezone.now() - webhooks.CLAIM_FOR - dt.timedelta(1))
    assert len(claimed) == 2
    webhooks.sweep()
    assert WebhookDelivery.objects.filter(status="received").count() == 3


def test_the_sweep_queues_a_drain_for_deliveries_that_lost_theirs(calendar, drains):
    store(2)
    drains.queued = 0
    assert webhooks.sweep() is None  # just stored: their drain is on its way
    WebhookDelivery.objects.update(received_at=timezone.now() - dt.timedelta(minutes=5))
    assert "2 deliveries waiting" in webhooks.sweep()
    assert drains.queued == 1


def test_without_a_cache_a_drain_is_queued_anyway(calendar, drains, monkeypatch):
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(webhooks, "cache", Down())
    webhooks.kick()
    assert drains.queued == 1
