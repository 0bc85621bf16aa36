"""Unified webhooks: what is refused, what is stored once, and what Convene does about each
kind of change (Unified itself is not involved: deliveries are built and signed here)."""

import base64
import datetime as dt
import json
import logging
import secrets

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scheduling import booking, outbox, slots, webhooks
from scheduling.models import (
    Connection,
    InterviewPlan,
    Operation,
    WebhookDelivery,
    WebhookRejection,
)
from scheduling.unified import signing
from tests import factories as f

pytestmark = pytest.mark.django_db

CAL_ID = "c" * 24
ATS_ID = "a" * 24


def body(object_type, event, data, *, connection_id=CAL_ID, secret=None, nonce=None, **extra):
    nonce = nonce or secrets.token_hex(8)
    payload = {
        "data": data,
        "webhook": {
            "id": "wh1",
            "connection_id": connection_id,
            "object_type": object_type,
            "event": event,
        },
        "nonce": nonce,
        "type": "NATIVE",
        **signing.sign(secret or settings.UNIFIED_WEBHOOK_SECRET, data, nonce),
        **extra,
    }
    return json.dumps(payload).encode()


def post(client, raw):
    return client.post(reverse("unified_webhook"), raw, content_type="application/json")


@pytest.fixture
def booked(tenant, django_capture_on_commit_callbacks):
    ats = f.connection(tenant, unified_id=ATS_ID)
    cal = f.connection(tenant, Connection.Category.CALENDAR, unified_id=CAL_ID)
    ivy = f.interviewer(
        tenant, "Ivy Chen", email="ivy@acme.example", calendar_connection=cal, calendar_id="ivy"
    )
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    start = f.working_day()
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Screen", start, start + dt.timedelta(hours=1), ((str(ivy.pk), "required", None),)
            ),
        )
    )
    interview = booking.book(app, plan, choice)
    session = interview.sessions.get()
    session.event_id = "ev1"
    session.ats_interview_id = "int1"
    session.ats_record = "interview"
    session.event_seen_updated_at = timezone.now() - dt.timedelta(minutes=5)
    session.save()
    Operation.objects.update(status="done")
    return {"interview": interview, "session": session, "ivy": ivy, "app": app, "ats": ats}


def event(start, *, updated=None, event_id="ev1", **fields):
    return {
        "id": event_id,
        "calendar_id": "ivy",
        "subject": "Screen",
        "start_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": (updated or timezone.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **fields,
    }


@pytest.fixture
def unified_api(monkeypatch):
    """What Unified answers when Convene looks an event or ATS interview up: records put in
    `events` / `interviews` exist; anything else is not found."""
    from scheduling.unified.errors import NotFoundError
    from scheduling.unified.records import Event, Interview

    class Fake:
        events, interviews = {}, {}

        def get_event(self, connection_id, event_id):
            if event_id not in Fake.events:
                raise NotFoundError("HTTP 404: not found")
            return Event.from_api(Fake.events[event_id])

        def get_interview(self, connection_id, interview_id):
            if interview_id not in Fake.interviews:
                raise NotFoundError("HTTP 404: not found")
            return Interview.from_api(Fake.interviews[interview_id])

    monkeypatch.setattr(webhooks, "unified", Fake)
    return Fake


def deliver(client, raw, capture):
    """Post a delivery and process what was stored, as the task would; the write-back it
    queues is left queued (Unified is not involved here)."""
    with capture(execute=False) as queued:
        response = post(client, raw)
    if response.status_code == 200 and queued:
        with capture(execute=False):
            webhooks.process(WebhookDelivery.objects.latest("received_at").pk)
    return response


# --- refused ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(
            lambda p: p["data"][0].update(start_at="2030-01-01T00:00:00Z"), id="tampered"
        ),
        pytest.param(lambda p: p.pop("nonce"), id="no-nonce"),
        pytest.param(lambda p: (p.pop("sig256"), p.pop("sig")), id="no-signature"),
    ],
)
def test_a_delivery_that_fails_its_signature_is_refused_and_only_counted(client, booked, mangle):
    payload = json.loads(body("calendar_event", "updated", [event(timezone.now())]))
    mangle(payload)
    response = post(client, json.dumps(payload).encode())
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()
    assert WebhookRejection.objects.get().count == 1


def test_a_delivery_signed_with_another_secret_is_refused(client, booked):
    raw = body("calendar_event", "updated", [event(timezone.now())], secret="not-ours")
    assert post(client, raw).status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_garbage_and_oversized_bodies_are_refused_and_counted(client, booked):
    assert post(client, b"not json").status_code == 400
    assert post(client, b"x" * (webhooks.MAX_BODY + 1)).status_code == 413
    assert not WebhookDelivery.objects.exists()
    counts = dict(WebhookRejection.objects.values_list("reason", "count"))
    assert counts == {"bad signature": 1, "too large": 1}


def nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def unsigned_nested_data(depth):
    # Built as text: json.dumps itself cannot write what is this deep.
    return b'{"data": ' + b"[" * depth + b"]" * depth + b', "nonce": "n", "sig": "x"}'


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[" * 30_000, id="brackets"),
        pytest.param(unsigned_nested_data(5_000), id="data-5000-deep"),
        pytest.param(body("calendar_event", "updated", nested(100)), id="signed-100-deep"),
    ],
)
def test_deeply_nested_json_is_refused_and_counted_without_a_traceback(
    client, booked, raw, caplog
):
    with caplog.at_level(logging.INFO):
        response = post(client, raw)
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()
    assert WebhookRejection.objects.get().count == 1
    assert "nests too deeply" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_signed_record_with_a_date_before_year_one_in_utc_is_accepted_and_processed(
    client, booked, django_capture_on_commit_callbacks
):
    """`0001-01-01T00:00:00+01:00` is 31 Dec of year 0 in UTC: it must not be a 500 that
    Unified retries forever. The date is taken as unknown; the rest is followed."""
    later = booked["session"].start_at + dt.timedelta(hours=2)
    record = event(later)
    record["updated_at"] = "0001-01-01T00:00:00+01:00"
    record["created_at"] = "9999-12-31T23:59:59-01:00"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body("calendar_event", "updated", [record]))
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "processed"
    booked["interview"].refresh_from_db()
    assert booked["interview"].start_at == later


def test_a_delivery_for_an_unknown_connection_is_acknowledged_and_ignored(client, booked):
    raw = body("calendar_event", "updated", [event(timezone.now())], connection_id="f" * 24)
    response = post(client, raw)
    assert response.status_code == 200 and b"ignored" in response.content
    assert not WebhookDelivery.objects.exists()


def test_the_same_delivery_twice_is_processed_once(
    client, booked, django_capture_on_commit_callbacks
):
    raw = body(
        "calendar_event", "updated", [event(booked["session"].start_at + dt.timedelta(hours=2))]
    )
    assert deliver(client, raw, django_capture_on_commit_callbacks).status_code == 200
    replay = deliver(client, raw, django_capture_on_commit_callbacks)
    assert replay.status_code == 200 and b"duplicate" in replay.content
    assert WebhookDelivery.objects.count() == 1
    assert booked["interview"].operations.filter(kind="ats_interview.update").count() == 1


def _base64(hex_sig):
    return base64.b64encode(bytes.fromhex(hex_sig)).decode()


@pytest.mark.parametrize(
    "disguise",
    [
        pytest.param(lambda p: p.update(sig256=_base64(p["sig256"])), id="base64"),
        pytest.param(lambda p: p.pop("sig256"), id="legacy-sig-only"),
    ],
)
def test_a_replay_with_its_signature_reencoded_and_its_event_relabelled_changes_nothing(
    client, booked, django_capture_on_commit_callbacks, disguise
):
    """An auditor re-encoded a real "updated" delivery's signature and called it "deleted";
    its nonce (which is signed) was seen already, so it is a duplicate."""
    raw = body("calendar_event", "updated", [event(booked["session"].start_at)])
    deliver(client, raw, django_capture_on_commit_callbacks)
    replay = json.loads(raw)
    disguise(replay)
    replay["webhook"]["event"] = "deleted"
    response = deliver(client, json.dumps(replay).encode(), django_capture_on_commit_callbacks)

    assert response.status_code == 200 and b"duplicate" in response.content
    assert WebhookDelivery.objects.count() == 1
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "scheduled"
    assert not booked["interview"].operations.exclude(status="done").exists()
    assert mail.outbox == []


# --- calendar events ------------------------------------------------------------------------


def test_an_event_moved_in_the_calendar_moves_the_interview_and_tells_everyone(
    client, booked, django_capture_on_commit_callbacks
):
    session = booked["session"]
    new_start = session.start_at + dt.timedelta(hours=1)
    deliver(
        client,
        body("calendar_event", "updated", [event(new_start)]),
        django_capture_on_commit_callbacks,
    )

    interview = booked["interview"]
    interview.refresh_from_db()
    session.refresh_from_db()
    assert session.start_at == new_start and interview.start_at == new_start
    assert interview.ics_sequence == 1
    kinds = set(interview.operations.exclude(status="done").values_list("kind", flat=True))
    assert {"ats_interview.update", "email.send"} <= kinds
    assert "event.update" not in kinds  # the calendar already has the new time
    entry = interview.tenant.audit_entries.get(action="interview.moved_elsewhere")
    assert "moved in the calendar" in entry.message and entry.actor_label == "Calendar change"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "processed" and "moved" in delivery.outcome


def test_a_move_outside_working_hours_is_flagged(
    client, booked, django_capture_on_commit_callbacks
):
    session = booked["session"]
    late = session.start_at.replace(hour=23)  # 18:00 or 19:00 in New York
    deliver(
        client,
        body("calendar_event", "updated", [event(late)]),
        django_capture_on_commit_callbacks,
    )
    booked["interview"].refresh_from_db()
    assert "outside Ivy Chen’s working hours" in booked["interview"].flag_text


def test_an_older_update_arriving_late_changes_nothing(
    client, booked, django_capture_on_commit_callbacks
):
    session = booked["session"]
    original = session.start_at
    newer = timezone.now()
    two_hours_later = event(original + dt.timedelta(hours=2), updated=newer)
    one_hour_later = event(
        original + dt.timedelta(hours=1), updated=newer - dt.timedelta(minutes=1)
    )
    deliver(
        client,
        body("calendar_event", "updated", [two_hours_later]),
        django_capture_on_commit_callbacks,
    )
    deliver(
        client,
        body("calendar_event", "updated", [one_hour_later]),
        django_capture_on_commit_callbacks,
    )
    session.refresh_from_db()
    booked["interview"].refresh_from_db()
    assert session.start_at == original + dt.timedelta(hours=2)
    assert booked["interview"].start_at == original + dt.timedelta(hours=2)
    assert booked["interview"].ics_sequence == 1  # moved once, not twice
    assert "older version" in WebhookDelivery.objects.latest("received_at").outcome


def test_a_deleted_event_cancels_the_interview_and_emails_the_candidate(
    client, booked, django_capture_on_commit_callbacks, unified_api
):
    deliver(
        client,
        body("calendar_event", "deleted", [{"id": "ev1"}]),
        django_capture_on_commit_callbacks,
    )
    interview = booked["interview"]
    interview.refresh_from_db()
    assert interview.status == "canceled"
    assert "calendar event was deleted" in interview.flag_text
    kinds = set(interview.operations.values_list("kind", flat=True))
    assert {"ats_interview.cancel", "email.send"} <= kinds
    email = interview.operations.get(kind="email.send", status="pending")
    assert email.payload["kind"] == "interview_canceled"
    assert "had to cancel" in email.payload["extra"]["reason"]
    # The event is gone already: nothing to remove.
    assert interview.sessions.get().event_id == ""
    entry = interview.tenant.audit_entries.get(action="interview.canceled")
    assert "deleted or canceled" in entry.message and entry.actor_label == "Calendar change"
    # The application needs scheduling again.
    from candidates.pipeline import applications_for

    state = applications_for(interview.tenant, timezone.now()).get(pk=booked["app"].pk)
    assert state.scheduling_state == "needs_scheduling"


def test_a_deletion_unified_does_not_confirm_changes_nothing(
    client, booked, django_capture_on_commit_callbacks, unified_api
):
    """A signed delivery labelled "deleted" (the label is not signed) for an event Unified
    still shows as live."""
    unified_api.events["ev1"] = event(booked["session"].start_at)
    deliver(
        client,
        body("calendar_event", "deleted", [{"id": "ev1"}]),
        django_capture_on_commit_callbacks,
    )
    interview = booked["interview"]
    interview.refresh_from_db()
    assert interview.status == "scheduled" and interview.flag_text == ""
    assert not interview.operations.exclude(status="done").exists()
    assert "still exists" in WebhookDelivery.objects.get().outcome


def test_a_deletion_confirmed_as_canceled_by_unified_cancels_the_interview(
    client, booked, django_capture_on_commit_callbacks, unified_api
):
    unified_api.events["ev1"] = event(booked["session"].start_at, status="CANCELED")
    deliver(
        client,
        body("calendar_event", "deleted", [{"id": "ev1"}]),
        django_capture_on_commit_callbacks,
    )
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "canceled"


def test_an_ats_deletion_unified_does_not_confirm_changes_nothing(
    client, booked, django_capture_on_commit_callbacks, unified_api
):
    unified_api.interviews["int1"] = {"id": "int1", "status": "SCHEDULED"}
    raw = body("ats_interview", "deleted", [{"id": "int1"}], connection_id=ATS_ID)
    deliver(client, raw, django_capture_on_commit_callbacks)
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "scheduled"

    del unified_api.interviews["int1"]
    deliver(
        client,
        body("ats_interview", "deleted", [{"id": "int1"}], connection_id=ATS_ID),
        django_capture_on_commit_callbacks,
    )
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "canceled"


def test_a_canceled_status_counts_as_a_deletion(
    client, booked, django_capture_on_commit_callbacks
):
    raw = body("calendar_event", "updated", [event(booked["session"].start_at, status="CANCELED")])
    deliver(client, raw, django_capture_on_commit_callbacks)
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "canceled"


def test_an_interviewer_who_declines_flags_the_interview(
    client, booked, django_capture_on_commit_callbacks, recruiter_client
):
    raw = body(
        "calendar_event",
        "updated",
        [
            event(
                booked["session"].start_at,
                attendees=[
                    {"email": "grace@x.example", "status": "ACCEPTED"},
                    {"email": "IVY@acme.example", "status": "REJECTED"},
                ],
            )
        ],
    )
    deliver(client, raw, django_capture_on_commit_callbacks)
    booked["interview"].refresh_from_db()
    assert booked["interview"].flag_text == "Ivy Chen declined “Screen”."
    page = recruiter_client.get(reverse("interview_detail", args=[booked["interview"].pk]))
    assert b"declined" in page.content


def test_changes_to_events_convene_does_not_know_drop_the_busy_cache(
    client, booked, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from scheduling import slots

    key = slots._cache_key(CAL_ID, "ivy", timezone.now(), timezone.now())
    cache.set(key, [("cached",)])
    deliver(
        client,
        body("calendar_event", "updated", [event(timezone.now(), event_id="other")]),
        django_capture_on_commit_callbacks,
    )
    assert slots._cache_key(CAL_ID, "ivy", timezone.now(), timezone.now()) != key


# --- the ATS --------------------------------------------------------------------------------


def test_an_interview_canceled_in_the_ats_cancels_it_in_convene(
    client, booked, django_capture_on_commit_callbacks
):
    raw = body(
        "ats_interview",
        "updated",
        [{"id": "int1", "status": "CANCELED", "updated_at": "2099-01-01T00:00:00Z"}],
        connection_id=ATS_ID,
    )
    deliver(client, raw, django_capture_on_commit_callbacks)
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "canceled"
    assert booked["interview"].operations.filter(kind="event.cancel").exists()


def test_old_ats_times_do_not_undo_a_reschedule_convene_is_still_sending(
    client, booked, django_capture_on_commit_callbacks
):

    session, interview = booked["session"], booked["interview"]
    original = session.start_at
    moved = original + dt.timedelta(days=1)
    # The recruiter rescheduled; the ATS update is queued but not sent yet.
    session.start_at, session.end_at = moved, moved + dt.timedelta(hours=1)
    session.save()
    with django_capture_on_commit_callbacks(execute=False):
        outbox.add(
            interview.tenant,
            Operation.Kind.UPDATE_ATS_INTERVIEW,
            interview=interview,
            session=session,
        )
    stale = {
        "id": "int1",
        "status": "SCHEDULED",
        "start_at": original.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_at": (original + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    deliver(
        client,
        body("ats_interview", "updated", [stale], connection_id=ATS_ID),
        django_capture_on_commit_callbacks,
    )
    session.refresh_from_db()
    assert session.start_at == moved
    assert not interview.operations.filter(kind="email.send", status="pending").exists()
    assert not interview.tenant.audit_entries.filter(action="interview.moved_elsewhere").exists()
    assert "Convene is changing" in WebhookDelivery.objects.get().outcome


def test_an_application_rejected_in_the_ats_revokes_links_and_flags_interviews(
    client, booked, django_capture_on_commit_callbacks, monkeypatch
):
    from candidates.links import create_link
    from candidates.models import BookingLink

    app = booked["app"]
    with django_capture_on_commit_callbacks(execute=False):
        link = create_link(
            app,
            booked["interview"].plan,
            user=None,
            window_start=timezone.localdate(),
            window_end=timezone.localdate() + dt.timedelta(days=5),
            expires_at=timezone.now() + dt.timedelta(days=5),
        )
    record = {
        "id": app.remote_id,
        "candidate_id": app.candidate.remote_id,
        "status": "REJECTED",
        "original_status": "Rejected",
        "updated_at": "2099-01-01T00:00:00Z",
    }
    deliver(
        client,
        body("ats_application", "updated", [record], connection_id=ATS_ID),
        django_capture_on_commit_callbacks,
    )
    app.refresh_from_db()
    link.refresh_from_db()
    booked["interview"].refresh_from_db()
    assert app.status == "REJECTED"
    assert link.state == BookingLink.State.REVOKED
    assert "Cancel this interview?" in booked["interview"].flag_text
    assert booked["interview"].status == "scheduled"  # until the recruiter confirms


def test_an_application_moved_into_an_interview_stage_needs_scheduling(
    client, booked, django_capture_on_commit_callbacks, tenant
):
    ats = booked["ats"]
    app = f.application(ats, f.candidate(ats, "Ada New"), status="NEW")
    record = {
        "id": app.remote_id,
        "candidate_id": app.candidate.remote_id,
        "status": "SECOND_INTERVIEW",
        "updated_at": "2099-01-01T00:00:00Z",
    }
    deliver(
        client,
        body("ats_application", "updated", [record], connection_id=ATS_ID),
        django_capture_on_commit_callbacks,
    )
    from candidates.pipeline import applications_for

    state = applications_for(tenant, timezone.now()).get(pk=app.pk)
    assert state.status == "SECOND_INTERVIEW" and state.scheduling_state == "needs_scheduling"
    assert mail.outbox == []


def test_reconcile_leaves_an_interview_alone_when_its_event_cannot_be_read(booked, monkeypatch):
    from scheduling.unified.errors import NotFoundError, RetryableError

    class Flaky:
        def list_events(self, *args, **kwargs):
            return []

        def get_event(self, *args, **kwargs):
            raise RetryableError("HTTP 503: down")

        def list_interviews(self, *args, **kwargs):
            return []

    monkeypatch.setattr(webhooks, "unified", Flaky)
    webhooks.reconcile()
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "scheduled"

    class Gone(Flaky):
        def get_event(self, *args, **kwargs):
            raise NotFoundError("HTTP 404: not found")

    monkeypatch.setattr(webhooks, "unified", Gone)
    webhooks.reconcile()
    booked["interview"].refresh_from_db()
    assert booked["interview"].status == "canceled"


# --- flags ----------------------------------------------------------------------------------


def _reject(client, booked, capture):
    app = booked["app"]
    record = {
        "id": app.remote_id,
        "candidate_id": app.candidate.remote_id,
        "status": "REJECTED",
        "original_status": "Rejected",
        "updated_at": "2099-01-01T00:00:00Z",
    }
    deliver(client, body("ats_application", "updated", [record], connection_id=ATS_ID), capture)


def _decline(client, booked, capture):
    declined = event(
        booked["session"].start_at,
        attendees=[{"email": "ivy@acme.example", "status": "REJECTED"}],
    )
    deliver(client, body("calendar_event", "updated", [declined]), capture)


def test_a_calendar_move_keeps_the_flags_that_wait_for_the_recruiter(
    client, booked, django_capture_on_commit_callbacks, recruiter_client
):
    _reject(client, booked, django_capture_on_commit_callbacks)
    _decline(client, booked, django_capture_on_commit_callbacks)
    fine = booked["session"].start_at + dt.timedelta(hours=1)  # within Ivy's hours
    deliver(
        client,
        body("calendar_event", "updated", [event(fine)]),
        django_capture_on_commit_callbacks,
    )
    interview = booked["interview"]
    interview.refresh_from_db()
    assert interview.start_at == fine
    assert "Cancel this interview?" in interview.flag_text
    assert "Ivy Chen declined" in interview.flag_text
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content
    assert b"Cancel this interview?" in page and b"Ivy Chen declined" in page


def test_a_decline_does_not_replace_a_rejection_flag(
    client, booked, django_capture_on_commit_callbacks
):
    _reject(client, booked, django_capture_on_commit_callbacks)
    _decline(client, booked, django_capture_on_commit_callbacks)
    booked["interview"].refresh_from_db()
    assert "Cancel this interview?" in booked["interview"].flag_text
    assert "Ivy Chen declined" in booked["interview"].flag_text


def test_a_move_back_within_the_rules_clears_only_the_rule_flag(
    client, booked, django_capture_on_commit_callbacks
):
    session = booked["session"]
    _reject(client, booked, django_capture_on_commit_callbacks)
    deliver(
        client,
        body("calendar_event", "updated", [event(session.start_at.replace(hour=23))]),
        django_capture_on_commit_callbacks,
    )
    booked["interview"].refresh_from_db()
    assert "working hours" in booked["interview"].flag_text
    deliver(
        client,
        body("calendar_event", "updated", [event(session.start_at)]),
        django_capture_on_commit_callbacks,
    )
    booked["interview"].refresh_from_db()
    assert "working hours" not in booked["interview"].flag_text
    assert "Cancel this interview?" in booked["interview"].flag_text


# --- the interview's page -------------------------------------------------------------------


def test_the_interview_page_shows_what_happened_to_its_application_since_it_was_booked(
    client, booked, django_capture_on_commit_callbacks, recruiter_client, other_tenant
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scheduling.models import AuditEntry, audit

    interview, app = booked["interview"], booked["app"]
    url = reverse("interview_detail", args=[interview.pk])
    with CaptureQueriesContext(connection) as before:
        recruiter_client.get(url)
    old = audit(interview.tenant, "application.note", "Long before the interview", obj=app)
    AuditEntry.objects.filter(pk=old.pk).update(
        created_at=interview.created_at - dt.timedelta(days=1)
    )
    audit(other_tenant, "application.note", "Another tenant's entry", obj=app)
    from candidates.links import create_link

    with django_capture_on_commit_callbacks(execute=False):
        create_link(
            app,
            interview.plan,
            user=None,
            window_start=timezone.localdate(),
            window_end=timezone.localdate() + dt.timedelta(days=5),
            expires_at=timezone.now() + dt.timedelta(days=5),
        )
    _reject(client, booked, django_capture_on_commit_callbacks)

    with CaptureQueriesContext(connection) as after:
        page = recruiter_client.get(url).content.decode()
    assert "application is now Rejected in the ATS" in page
    assert "revoked 1 open booking link(s) and flagged 1 upcoming" in page
    assert "Revoked the booking link: the application is rejected in the ATS" in page
    assert "Long before the interview" not in page
    assert "Another tenant" not in page
    assert len(after) == len(before)
