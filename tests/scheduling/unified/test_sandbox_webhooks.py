"""Webhook subscriptions and signed deliveries (docs/unified.md §8.2, §9)."""

import datetime as dt

import pytest

from scheduling.unified import signing
from scheduling.unified.records import RECORD_FOR_OBJECT_TYPE, Webhook
from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox

ACME_ATS = seed.ACME_ATS_CONNECTION_ID
ACME_CAL = seed.ACME_CALENDAR_CONNECTION_ID
IAN = "interviewer@acme.example"


def subscribe(sandbox, receiver, object_type="calendar_event", event="updated", **extra):
    params = extra.pop("params", None)
    body = {
        "connection_id": ACME_CAL if object_type.startswith("calendar") else ACME_ATS,
        "object_type": object_type,
        "event": event,
        "hook_url": receiver.url,
        "environment": "Production",
        **extra,
    }
    response = sandbox.call("POST", "/unified/webhook", json=body, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def an_event(sandbox):
    """A timed event of Ian's that this test owns, three days after the anchor."""
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=3), dt.time(15), dt.UTC)
    return sandbox.create_event(ACME_CAL, IAN, start, 30, subject="Coffee with Ian")


def verify(body, secret):
    return signing.signature_matches(
        secret, body["data"], body["nonce"], sig256=body["sig256"], sig=body["sig"]
    )


def test_create_list_get_update_delete_a_subscription(sandbox, receiver):
    hook = Webhook.from_api(subscribe(sandbox, receiver))
    assert hook.id and hook.connection_id == ACME_CAL
    assert hook.webhook_type == "native" and hook.is_healthy is True
    assert hook.environment == "Production"
    listed = sandbox.get("/unified/webhook", connection_id=ACME_CAL).json()
    assert [w["id"] for w in listed] == [hook.id]
    assert sandbox.get("/unified/webhook", object_type="ats_interview").json() == []
    path = f"/unified/webhook/{hook.id}"
    paused = sandbox.call("PATCH", path, json={"is_paused": True}).json()
    assert paused["is_paused"] is True
    refused = sandbox.call("PUT", path, json={"webhook_type": "virtual"})
    assert refused.status_code == 400
    assert sandbox.call("DELETE", path).status_code == 200
    assert sandbox.get(path).status_code == 404


def test_subscription_checks(sandbox, receiver):
    base = {
        "connection_id": ACME_CAL,
        "object_type": "calendar_event",
        "event": "updated",
        "hook_url": receiver.url,
    }
    for change in (
        {"object_type": "ats_interview"},  # not on a calendar connection
        {"event": "moved"},
        {"hook_url": "ftp://x"},
        {"connection_id": "0" * 24},
        {"webhook_type": "smoke-signal"},
    ):
        response = sandbox.call("POST", "/unified/webhook", json={**base, **change})
        assert response.status_code == 400, change


def test_an_event_change_is_delivered_signed_and_verifiable(sandbox, receiver):
    hook = subscribe(sandbox, receiver)
    event = an_event(sandbox)
    new_start = dt.datetime.fromisoformat(event["start_at"]) + dt.timedelta(hours=1)
    moved = sandbox.move_event(ACME_CAL, event["id"], new_start)
    [body] = receiver.wait_for(1)
    assert list(body) == ["data", "webhook", "nonce", "sig256", "sig", "type", "external_xref"]
    assert body["type"] == "NATIVE"
    assert body["external_xref"] == "acme"
    assert body["webhook"]["id"] == hook["id"]
    assert body["webhook"]["object_type"] == "calendar_event"
    assert body["webhook"]["event"] == "updated"
    assert body["data"] == [moved]
    assert verify(body, sandbox.webhook_secret)
    assert not verify(body, "another-secret")
    tampered = {**body, "data": [{**moved, "start_at": event["start_at"]}]}
    assert not verify(tampered, sandbox.webhook_secret)
    record = RECORD_FOR_OBJECT_TYPE["calendar_event"].from_api(body["data"][0])
    assert record.start_at == new_start.astimezone(dt.UTC)


def test_convenes_own_api_writes_fire_webhooks_too(sandbox, receiver):
    _, app = sandbox.create_application(ACME_ATS, status="SCREENING")
    subscribe(sandbox, receiver, object_type="ats_application", event="updated")
    response = sandbox.call(
        "PATCH", f"/ats/{ACME_ATS}/application/{app['id']}", json={"status": "FIRST_INTERVIEW"}
    )
    assert response.status_code == 200
    [body] = receiver.wait_for(1)
    assert body["data"][0]["id"] == app["id"]
    assert body["data"][0]["status"] == "FIRST_INTERVIEW"


def test_application_status_change_from_the_sandbox_fires_ats_application_updated(
    sandbox, receiver
):
    _, app = sandbox.create_application(ACME_ATS, status="SCREENING")
    subscribe(sandbox, receiver, object_type="ats_application", event="updated")
    sandbox.set_application_status(ACME_ATS, app["id"], status="SECOND_INTERVIEW")
    [body] = receiver.wait_for(1)
    assert body["data"][0]["original_status"] == "Face to Face"
    assert verify(body, sandbox.webhook_secret)


def test_created_and_deleted_events_are_delivered_to_their_subscriptions(sandbox, receiver):
    subscribe(sandbox, receiver, event="created")
    subscribe(sandbox, receiver, event="deleted")
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=9), dt.time(3), dt.UTC)
    created = sandbox.call(
        "POST",
        f"/calendar/{ACME_CAL}/event",
        json={
            "calendar_id": IAN,
            "subject": "Hold",
            "start_at": start.isoformat(),
            "end_at": (start + dt.timedelta(hours=1)).isoformat(),
        },
    ).json()
    receiver.wait_for(1)
    sandbox.call("DELETE", f"/calendar/{ACME_CAL}/event/{created['id']}")
    bodies = receiver.wait_for(2)
    assert [(b["webhook"]["event"], b["data"][0]["id"]) for b in bodies] == [
        ("created", created["id"]),
        ("deleted", created["id"]),
    ]
    # A deletion carries the record's last state.
    assert bodies[1]["data"][0]["subject"] == "Hold"


def test_a_failed_delivery_is_retried(sandbox, receiver):
    hook = subscribe(sandbox, receiver)
    receiver.statuses = [500, 503]
    sandbox.cancel_event(ACME_CAL, an_event(sandbox)["id"])
    bodies = receiver.wait_for(3)
    assert len({b["nonce"] for b in bodies}) == 1  # the same delivery, sent again
    entry = sandbox.wait_for_delivery(lambda e: e["webhook_id"] == hook["id"])
    assert entry["status"] == "delivered"
    assert [a["status_code"] for a in entry["attempts"]] == [500, 503, 200]


def test_a_delivery_that_keeps_failing_marks_the_webhook_unhealthy(sandbox, receiver):
    hook = subscribe(sandbox, receiver)
    receiver.statuses = [500] * 10
    sandbox.cancel_event(ACME_CAL, an_event(sandbox)["id"])
    entry = sandbox.wait_for_delivery(lambda e: e["webhook_id"] == hook["id"])
    assert entry["status"] == "failed"
    assert len(entry["attempts"]) == 4  # the first try and three retries (test delays)
    assert sandbox.wait_deliveries()
    assert sandbox.get(f"/unified/webhook/{hook['id']}").json()["is_healthy"] is False


def test_include_all_replays_existing_records_in_pages(sandbox, receiver):
    jobs = sandbox.get(f"/ats/{ACME_ATS}/job").json()
    subscribe(
        sandbox, receiver, object_type="ats_job", params={"include_all": "true"}, page_max_limit=3
    )
    pages = -(-len(jobs) // 3)
    bodies = receiver.wait_for(pages)
    assert [b["type"] for b in bodies] == ["INITIAL-PARTIAL"] * (pages - 1) + ["INITIAL-COMPLETE"]
    assert [j["id"] for b in bodies for j in b["data"]] == [j["id"] for j in jobs]
    assert all(verify(b, sandbox.webhook_secret) for b in bodies)


def test_filters_and_paused_subscriptions(sandbox, receiver):
    subscribe(sandbox, receiver, filters={"calendar_id": "someone-else@acme.example"})
    paused = subscribe(sandbox, receiver, is_paused=True)
    matching = subscribe(sandbox, receiver, filters={"calendar_id": IAN})
    sandbox.edit_event(ACME_CAL, an_event(sandbox)["id"], subject="Renamed")
    assert sandbox.wait_deliveries()
    assert [e["webhook_id"] for e in sandbox.deliveries()] == [matching["id"]]
    assert paused["is_paused"] is True


def test_trigger_delivers_what_changed_since_the_last_run(sandbox, receiver):
    hook = subscribe(sandbox, receiver, object_type="ats_job", webhook_type="virtual")
    assert hook["interval"] == 60
    triggered = sandbox.call("POST", f"/unified/webhook/{hook['id']}/trigger")
    assert triggered.status_code == 200
    assert sandbox.wait_deliveries()
    assert receiver.bodies == []  # nothing changed since it was created
