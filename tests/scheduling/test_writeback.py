"""The outbox's rules, with Unified answered by `responses`: what is sent, what is adopted
after a lost answer, what is remembered about a vendor, when it gives up."""

import datetime as dt
import json

import pytest
import responses
from django.conf import settings
from django.utils import timezone

from scheduling import booking, outbox, slots
from scheduling.models import Connection, InterviewPlan, Operation
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = settings.UNIFIED_BASE_URL
ATS_ID = "a" * 24
CAL_ID = "c" * 24


@pytest.fixture
def setup(tenant):
    ats = f.connection(tenant, unified_id=ATS_ID)
    cal = f.connection(
        tenant, Connection.Category.CALENDAR, unified_id=CAL_ID, integration_type="googlecalendar"
    )
    ivy = f.interviewer(
        tenant,
        "Ivy Chen",
        email="ivy@acme.example",
        ats_user_id="emp-ivy",
        calendar_connection=cal,
        calendar_id="ivy@acme.example",
    )
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"), f.job(ats))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0, second=0)
    choice = slots.Choice(
        sessions=(
            slots.SessionChoice(
                title="Screen",
                start=start,
                end=start + dt.timedelta(hours=1),
                people=((str(ivy.pk), "required", None),),
            ),
        )
    )
    return {"ats": ats, "cal": cal, "ivy": ivy, "app": app, "plan": plan, "choice": choice}


def book(setup):
    interview = booking.book(setup["app"], setup["plan"], setup["choice"])
    ops = {op.kind: op for op in interview.operations.all()}
    return interview, ops


def times(session):
    """An event's times as the session has them (an event Convene made for it)."""
    return {
        "start_at": session.start_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_at": session.end_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def event_json(event_id="ev1", **extra):
    return {
        "id": event_id,
        "subject": "Screen",
        "start_at": "2030-01-01T10:00:00Z",
        "end_at": "2030-01-01T11:00:00Z",
        "conference": [{"url": "https://meet.example/abc"}],
        "updated_at": "2026-11-24T10:00:00Z",
        **extra,
    }


@responses.activate
def test_a_booking_creates_the_event_then_the_ats_interview_pointing_at_it(setup):
    interview, ops = book(setup)
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", json=event_json())
    responses.post(f"{BASE}/ats/{ATS_ID}/interview", json={"id": "int1"})

    outbox.perform(ops["event.create"].pk)
    outbox.perform(ops["ats_interview.create"].pk)

    event_body = json.loads(responses.calls[0].request.body)
    assert event_body["calendar_id"] == "ivy@acme.example"
    assert event_body["has_conference"] is True
    # The interviewers' event: the candidate is not on it (Convene emails them their own).
    assert {a["email"] for a in event_body["attendees"]} == {"ivy@acme.example"}
    session = interview.sessions.get()
    assert session.ref in event_body["notes"]
    ats_body = json.loads(responses.calls[1].request.body)
    assert ats_body["external_event_xref"] == "ev1"
    assert ats_body["user_ids"] == ["emp-ivy"]
    assert ats_body["status"] == "SCHEDULED"
    assert ats_body["application_id"] == setup["app"].remote_id
    session.refresh_from_db()
    assert session.event_id == "ev1" and session.meeting_url == "https://meet.example/abc"
    assert session.ats_interview_id == "int1" and session.ats_record == "interview"


@responses.activate
def test_a_lost_create_answer_adopts_the_event_instead_of_creating_a_second(setup):
    interview, ops = book(setup)
    session = interview.sessions.get()
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=500, json={"message": "boom"})
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "pending" and op.next_attempt_at > timezone.now()
    assert "not retried" in op.last_error

    responses.get(
        f"{BASE}/calendar/{CAL_ID}/event",
        json=[event_json("other"), event_json("ev9", notes=f"… {session.ref}.", **times(session))],
    )
    Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
    op = outbox.perform(op.pk)
    assert op.status == "done" and op.result["found_existing"] is True
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1
    session.refresh_from_db()
    assert session.event_id == "ev9"


@responses.activate
def test_an_ats_that_takes_no_interviews_gets_a_note_and_is_remembered(setup):
    interview, ops = book(setup)
    interview.sessions.update(event_id="ev1")
    Operation.objects.filter(kind="event.create").update(status="done")
    responses.post(
        f"{BASE}/ats/{ATS_ID}/interview",
        status=501,
        json={"message": "createAtsInterview is not supported by lever"},
    )
    responses.post(f"{BASE}/ats/{ATS_ID}/activity", json={"id": "act1"})
    op = outbox.perform(ops["ats_interview.create"].pk)
    assert op.status == "done" and op.result == {"ats_record": "activity"}
    assert interview.sessions.get().ats_record == "activity"
    setup["ats"].refresh_from_db()
    assert setup["ats"].capabilities == {"interview_write": False}

    # The next booking does not ask again.
    booking.cancel(interview, reason="test")
    second, ops2 = book(setup)
    second.sessions.update(event_id="ev2")
    Operation.objects.filter(kind="event.create").update(status="done")
    outbox.perform(ops2["ats_interview.create"].pk)
    interview_posts = [c for c in responses.calls if c.request.url.endswith("/interview")]
    assert len(interview_posts) == 1


@responses.activate
def test_a_note_whose_answer_was_lost_is_adopted_not_written_twice(setup):
    """An ATS that takes no interviews gets a note; the vendor wrote it but answered 500.
    The next attempt finds that note (by the marker it carries) instead of adding another."""
    setup["ats"].capabilities = {"interview_write": False}
    setup["ats"].save()
    interview, ops = book(setup)
    interview.sessions.update(event_id="ev1")
    Operation.objects.filter(kind="event.create").update(status="done")
    notes = f"{BASE}/ats/{ATS_ID}/activity"
    responses.post(notes, status=500, json={"message": "boom"})
    op = outbox.perform(ops["ats_interview.create"].pk)
    assert op.status == "pending"
    written = json.loads(responses.calls[0].request.body)

    responses.get(
        notes,
        json=[
            {"id": "other", "type": "NOTE", "description": "Someone else's note"},
            {"id": "act7", "type": "NOTE", "description": written["description"]},
        ],
    )
    Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
    op = outbox.perform(op.pk)
    assert op.status == "done" and op.result["found_existing"] is True
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1
    assert interview.sessions.get().ats_record == "activity"


@responses.activate
def test_the_cancellation_note_whose_answer_was_lost_is_not_written_twice(setup):
    """The same marker guards the notes that stand in for an ATS interview's later changes:
    a cancellation the vendor wrote but answered 500 for is found, not noted again."""
    setup["ats"].capabilities = {"interview_write": False}
    setup["ats"].save()
    interview, _ops = book(setup)
    interview.sessions.update(event_id="ev1", ats_record="activity")
    Operation.objects.update(status="done")
    booking.cancel(interview, reason="The role was filled")
    op = interview.operations.get(kind="ats_interview.cancel")
    notes = f"{BASE}/ats/{ATS_ID}/activity"
    responses.post(notes, status=500, json={"message": "boom"})
    op = outbox.perform(op.pk)
    assert op.status == "pending"
    written = json.loads(responses.calls[0].request.body)
    assert "canceled" in written["title"].lower()

    responses.get(notes, json=[{"id": "act8", "type": "NOTE", **written}])
    Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
    op = outbox.perform(op.pk)
    assert op.status == "done" and op.result["found_existing"] is True
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1


@responses.activate
def test_a_calendar_that_refuses_conferences_gets_the_event_without_one(setup):
    _interview, ops = book(setup)
    responses.post(
        f"{BASE}/calendar/{CAL_ID}/event",
        status=400,
        json={"message": "conference is not supported by microsoftoutlook"},
    )
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", json=event_json(conference=[]))
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "done"
    bodies = [json.loads(c.request.body) for c in responses.calls]
    assert bodies[0]["has_conference"] is True and "has_conference" not in bodies[1]
    setup["cal"].refresh_from_db()
    assert setup["cal"].capabilities == {"conference": False}


def give_up(op):
    """Run the operation through all its attempts, not waiting for the back-off."""
    for _ in range(outbox.MAX_ATTEMPTS):
        Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
        op = outbox.perform(op.pk)
    return op


@responses.activate
def test_it_gives_up_after_the_last_attempt_and_releases_what_waited(setup):
    _interview, ops = book(setup)
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=503, json={"message": "down"})
    responses.get(f"{BASE}/calendar/{CAL_ID}/event", json=[])
    op = give_up(ops["event.create"])
    assert op.status == "failed"
    assert op.last_error.startswith(f"Gave up after {outbox.MAX_ATTEMPTS} attempts")
    ats_op = Operation.objects.get(pk=ops["ats_interview.create"].pk)
    assert ats_op.depends_on is None  # the ATS interview goes ahead without the event


@responses.activate
def test_a_retry_after_giving_up_gets_its_tries_again(setup):
    """Retry keeps the count of attempts (for the lookup), but not against the new tries:
    a passing 503 right after "Retry" does not give up at once."""
    _interview, ops = book(setup)
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=503, json={"message": "down"})
    responses.get(f"{BASE}/calendar/{CAL_ID}/event", json=[])
    op = give_up(ops["event.create"])
    assert op.status == "failed"

    outbox.retry(op)
    op = outbox.perform(op.pk)
    assert op.status == "pending" and op.attempts == outbox.MAX_ATTEMPTS + 1
    assert op.next_attempt_at < timezone.now() + dt.timedelta(minutes=2)  # the first step
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
        op = outbox.perform(op.pk)
    assert op.status == "failed"
    assert op.last_error.startswith(f"Gave up after {2 * outbox.MAX_ATTEMPTS} attempts")


@responses.activate
def test_a_permanent_error_fails_at_once_and_retry_puts_it_back(setup, recruiter_client):
    from django.urls import reverse

    _interview, ops = book(setup)
    responses.post(
        f"{BASE}/calendar/{CAL_ID}/event", status=422, json={"message": "attendees invalid"}
    )
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "failed" and "attendees invalid" in op.last_error
    page = recruiter_client.get(reverse("problems")).content.decode()
    assert "attendees invalid" in page and "Grace Hopper" in page

    responses.replace(responses.POST, f"{BASE}/calendar/{CAL_ID}/event", json=event_json())
    recruiter_client.post(reverse("operation_retry", args=[op.pk]))
    op.refresh_from_db()
    assert op.status == "pending" and op.attempts == 1  # the history is kept
    responses.get(f"{BASE}/calendar/{CAL_ID}/event", json=[])
    assert outbox.perform(op.pk).status == "done"


@responses.activate
def test_retry_adopts_the_event_an_earlier_attempt_made_instead_of_a_second(
    setup, recruiter_client, monkeypatch
):
    """The vendor made the event but answered 500; the operation gave up. "Retry" on the
    Sync problems page must find that event, not create another."""
    from django.urls import reverse

    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 1)
    interview, ops = book(setup)
    session = interview.sessions.get()
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=500, json={"message": "boom"})
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "failed"

    responses.get(
        f"{BASE}/calendar/{CAL_ID}/event",
        json=[event_json("ev9", notes=f"… {session.ref}.", **times(session))],
    )
    recruiter_client.post(reverse("operation_retry", args=[op.pk]))
    op = outbox.perform(op.pk)
    assert op.status == "done" and op.result["found_existing"] is True
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1
    session.refresh_from_db()
    assert session.event_id == "ev9"


@responses.activate
def test_an_expired_authorization_marks_the_connection_and_fails(setup):
    _interview, ops = book(setup)
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=401, json={"message": "revoked"})
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "failed"
    setup["cal"].refresh_from_db()
    assert setup["cal"].status == Connection.Status.NEEDS_RECONNECT


def test_a_session_without_a_calendar_fails_with_a_reason(setup):
    setup["ivy"].calendar_connection = None
    setup["ivy"].save()
    _interview, ops = book(setup)
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "failed"
    assert "No interviewer on this session has a connected calendar" in op.last_error


def test_an_operation_is_performed_once(setup):
    _interview, ops = book(setup)
    op = ops["event.create"]
    Operation.objects.filter(pk=op.pk).update(
        status="running", claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert outbox.perform(op.pk) is None  # another runner holds it


def test_sweep_queues_due_retries_and_takes_back_stale_claims(setup, monkeypatch):
    _interview, ops = book(setup)
    queued = []
    monkeypatch.setattr(outbox, "perform", queued.append)  # what the queued task would run
    now = timezone.now()
    stale = ops["event.create"]
    Operation.objects.filter(pk=stale.pk).update(
        status="running", claimed_until=now - dt.timedelta(seconds=1)
    )
    Operation.objects.filter(pk=ops["email.send"].pk).update(
        depends_on=None, next_attempt_at=now - dt.timedelta(seconds=5)
    )
    assert outbox.sweep(now) == 2
    assert set(queued) == {str(stale.pk), str(ops["email.send"].pk)}
    # Waiting on a dependency that is not done: not queued.
    assert str(ops["ats_interview.create"].pk) not in queued


@responses.activate
def test_a_retry_queued_by_the_sweep_is_actually_performed(setup):
    """The sweep's own task must find the operation due (a lease in next_attempt_at once
    made every swept retry a no-op)."""
    import time_machine

    _interview, ops = book(setup)
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=503, json={"message": "down"})
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "pending" and op.next_attempt_at > timezone.now()
    assert outbox.sweep() == 0  # not due yet

    responses.replace(responses.POST, f"{BASE}/calendar/{CAL_ID}/event", json=event_json())
    responses.get(f"{BASE}/calendar/{CAL_ID}/event", json=[])
    with time_machine.travel(op.next_attempt_at + dt.timedelta(seconds=1)):
        # The immediate task backend performs what the sweep queues, as a worker would.
        assert outbox.sweep() >= 1
    op.refresh_from_db()
    assert op.status == "done" and op.attempts == 2


def test_the_sweep_does_not_queue_again_while_a_task_waits(setup, monkeypatch):
    import time_machine

    _interview, ops = book(setup)
    queued = []
    monkeypatch.setattr(outbox, "perform", queued.append)
    Operation.objects.filter(pk=ops["email.send"].pk).update(depends_on=None)
    assert outbox.sweep() == 1  # the email, whose task was never queued
    assert outbox.sweep() == 0  # its task waits in the queue
    with time_machine.travel(timezone.now() + outbox.LOST_AFTER + dt.timedelta(seconds=5)):
        assert outbox.sweep() == 2  # taken as lost: queued again (with the event create)


@responses.activate
def test_a_lost_create_is_found_even_after_the_interview_moved(setup):
    from responses import matchers

    interview, ops = book(setup)
    session = interview.sessions.get()
    old_start = session.start_at
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", status=500, json={"message": "lost"})
    op = outbox.perform(ops["event.create"].pk)
    assert op.status == "pending"

    new_start = old_start + dt.timedelta(days=2)
    moved = slots.Choice(
        sessions=(
            slots.SessionChoice(
                title="Screen",
                start=new_start,
                end=new_start + dt.timedelta(hours=1),
                people=((str(setup["ivy"].pk), "required", None),),
            ),
        )
    )
    booking.reschedule(interview, moved)

    def window(start):
        return matchers.query_param_matcher(
            {"start_gte": (start - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")},
            strict_match=False,
        )

    responses.get(f"{BASE}/calendar/{CAL_ID}/event", json=[], match=[window(new_start)])
    responses.get(
        f"{BASE}/calendar/{CAL_ID}/event",
        json=[event_json("ev-old", notes=session.ref)],
        match=[window(old_start)],
    )
    responses.put(
        f"{BASE}/calendar/{CAL_ID}/event/ev-old",
        json=event_json("ev-old", notes=session.ref, **times(interview.sessions.get())),
    )
    # The reschedule's update supersedes the create, which had not finished: it knows the
    # create may have written, finds the event at the old time and moves it.
    op.refresh_from_db()
    assert op.status == "skipped" and op.result["why"] == "superseded by a later change"
    update = interview.operations.get(kind="event.update")
    assert update.payload["unclear"] is True
    update = outbox.perform(update.pk)
    assert update.status == "done", update.last_error
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1
    assert [c.request.method for c in responses.calls][-1] == "PUT"
    session.refresh_from_db()
    assert session.event_id == "ev-old" and session.start_at == new_start
