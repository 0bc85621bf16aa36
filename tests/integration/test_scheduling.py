"""Issue 6 against the live sandbox: a recruiter schedules a two-session panel, and the
calendars and the ATS end up holding exactly what Convene booked.

Each test books the applications it made (tests/live_world.py) on weekdays whose calendars it
cleared for the panel's people (the `panel_day` fixture, or `free_days`): never in the day's
seed."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scheduling import outbox, webhooks
from scheduling.models import Interview, Operation
from scheduling.unified import records
from scheduling.unified.client import UnifiedClient
from scheduling.unified.errors import NotFoundError
from tests.live_world import (
    drain,
    free_days,
    monday_of,
    new_application,
    new_applications,
    next_week,
    plan_people,
    slot_on,
)

pytestmark = pytest.mark.sandbox


def ics_of(email):
    content = email.attachments[0][1]
    return content.decode() if isinstance(content, bytes) else content


def sandbox_client(sandbox):
    return UnifiedClient(sandbox.base_url, sandbox.token)


def test_recruiter_schedules_a_two_session_panel_written_to_calendars_and_ats(
    acme, panel_plan, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    application = new_application(acme)
    url = reverse("schedule", args=[application.pk])
    slot = slot_on(recruiter_client, url, panel_day)
    week = monday_of(panel_day)
    page = recruiter_client.get(url, {"week": week.isoformat()})
    assert page.status_code == 200
    assert {s.session for s in slot.sessions} == {str(s.pk) for s in panel_plan.sessions.all()}
    assert b"Maya Chen" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            url, {"start": slot.start.isoformat(), "week": week.isoformat()}
        )
    interview = Interview.objects.get(application=application)
    assert response.status_code == 302
    assert response["Location"] == reverse("interview_detail", args=[interview.pk])
    drain()

    sessions = list(interview.sessions.order_by("position"))
    assert len(sessions) == 2
    client = sandbox_client(acme["sandbox"])
    for session in sessions:
        assert session.event_id and session.ats_record == "interview"
        event = client.get_event(acme["calendar"].unified_id, session.event_id)
        assert event.start_at == session.start_at and event.end_at == session.end_at
        attendees = {a.email for a in event.attendees}
        expected = {a.interviewer.email for a in session.attendees.all()}
        # The interviewers' event: Convene emails the candidate their own invitation.
        assert expected <= attendees and application.candidate.email not in attendees
        ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.external_event_xref == session.event_id
        assert ats.status == "SCHEDULED" and ats.application_id == application.remote_id
        assert set(ats.user_ids) == {a.interviewer.ats_user_id for a in session.attendees.all()}
    assert sessions[0].meeting_url.startswith("https://meet.sandbox.test/")
    (email,) = [m for m in mail.outbox if application.candidate.email in m.to]
    assert "confirmed" in email.subject
    assert email.attachments[0][0] == "interview.ics"
    assert (
        b"UID:" in email.attachments[0][1].encode()
        if isinstance(email.attachments[0][1], str)
        else email.attachments[0][1]
    )

    detail = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    assert detail.status_code == 200
    assert sessions[0].event_id.encode() in detail.content


def book(recruiter_client, application, capture, day, slot=None):
    """Book `slot`, or else the picker's first time on `day` (a day the test cleared), and
    perform the write-back."""
    url = reverse("schedule", args=[application.pk])
    if slot is None:
        slot = slot_on(recruiter_client, url, day)
    with capture(execute=True):
        response = recruiter_client.post(
            url, {"start": slot.start.isoformat(), "week": monday_of(day).isoformat()}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    drain()
    return Interview.objects.get(application=application, status="scheduled")


def test_the_picker_week_is_an_htmx_fragment_and_a_second_open_makes_no_unified_call(
    acme, panel_plan, recruiter_client
):
    application = new_application(acme)
    url = reverse("schedule", args=[application.pk])
    sandbox = acme["sandbox"]
    sandbox.reset_stats()
    full = recruiter_client.get(url, {"week": next_week().isoformat()})
    busy_calls = sandbox.stats()["routes"]
    assert sum(n for route, n in busy_calls.items() if "busy" in route) == 4  # one per person
    fragment = recruiter_client.get(
        url, {"week": next_week().isoformat()}, headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="slot-week"')
    assert "<html" not in html and "Book a time Convene does not offer" not in html
    assert sandbox.stats()["routes"] == busy_calls  # served from the cache
    assert "No one on this plan works on Saturday" in full.content.decode()


def test_a_stale_page_gets_fresh_times_instead_of_a_double_booking(
    acme,
    panel_plan,
    panel_day,
    recruiter_client,
    client,
    colleague,
    django_capture_on_commit_callbacks,
):
    application, other = new_applications(acme, ["FIRST_INTERVIEW", "SECOND_INTERVIEW"])
    url = reverse("schedule", args=[application.pk])
    slot = slot_on(recruiter_client, url, panel_day)
    week = monday_of(panel_day)
    book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day, slot)

    client.force_login(colleague)
    other_url = reverse("schedule", args=[other.pk])
    response = client.post(other_url, {"start": slot.start.isoformat(), "week": week.isoformat()})
    assert response.status_code == 409
    assert "That time is no longer free. Here are fresh times." in response.content.decode()
    offered = [s.start for d in response.context["days"] for s in d["slots"]]
    assert slot.start not in offered
    assert not Interview.objects.filter(application=other).exists()


def test_reschedule_moves_the_same_events_and_ats_interviews(
    acme, panel_plan, recruiter_client, django_capture_on_commit_callbacks
):
    # Two weekdays cleared for the panel: booked on the first, moved to the second.
    first, later = free_days(acme, plan_people(panel_plan), 2)
    application = new_application(acme)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, first)
    before = {s.pk: (s.event_id, s.ats_interview_id) for s in interview.sessions.all()}
    mail.outbox.clear()

    url = reverse("reschedule", args=[interview.pk])
    target = slot_on(recruiter_client, url, later, after=interview.end_at)
    week = monday_of(later)
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            url,
            {
                "start": target.start.isoformat(),
                "week": week.isoformat(),
                "reason": "a-conflict-came-up",
                "message": "The panel moved.",
            },
        )
    assert response.status_code == 302
    drain()
    interview.refresh_from_db()
    assert interview.start_at == target.start and interview.ics_sequence == 1
    client = sandbox_client(acme["sandbox"])
    for session in interview.sessions.all():
        assert (session.event_id, session.ats_interview_id) == before[session.pk]
        event = client.get_event(acme["calendar"].unified_id, session.event_id)
        assert event.start_at == session.start_at
        ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.start_at == session.start_at
    events = [
        e
        for e in client.list_events(
            acme["calendar"].unified_id,
            start_gte=target.start - dt.timedelta(days=30),
            end_lt=target.start + dt.timedelta(days=30),
        )
        if "convene-session:" in (e.notes or "")
    ]
    assert len({e.id for e in events}) == interview.sessions.count()  # no second event
    (email,) = mail.outbox
    assert "New time" in email.subject and "The panel moved." in email.body
    assert "SEQUENCE:1" in ics_of(email)
    history = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    assert "Moved the interview" in history.content.decode()


def test_cancel_removes_the_events_and_cancels_the_ats_interviews(
    acme, panel_plan, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    from scheduling.unified.errors import NotFoundError

    application = new_application(acme)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)
    mail.outbox.clear()
    # Cancelling asks first, with a note for the team apart from a message to the candidate.
    confirm = recruiter_client.get(reverse("interview_cancel", args=[interview.pk]))
    assert confirm.status_code == 200 and "Message to the candidate" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            reverse("interview_cancel", args=[interview.pk]),
            {
                "reason": "The role was put on hold.",
                "message": "We are sorry: the team paused hiring for this role.",
                "notify_candidate": "on",
            },
        )
    assert response.status_code == 302
    drain()
    client = sandbox_client(acme["sandbox"])
    for session in interview.sessions.all():
        with pytest.raises(NotFoundError):
            client.get_event(acme["calendar"].unified_id, session.event_id)
        ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "CANCELED"
    (email,) = mail.outbox
    assert "canceled" in email.subject and "the team paused hiring" in email.body
    assert "The role was put on hold." not in email.body  # the team's note stays the team's
    assert "METHOD:CANCEL" in ics_of(email)
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content
    assert b"The role was put on hold." in page
    # The application needs scheduling again.
    pipeline = recruiter_client.get(reverse("pipeline"), {"q": application.candidate.email})
    assert [a.pk for a in pipeline.context["page"]] == [application.pk]


def test_every_booking_ends_with_one_event_and_one_ats_interview_under_30_percent_faults(
    acme, panel_plan, recruiter_client, django_capture_on_commit_callbacks
):
    sandbox = acme["sandbox"]
    applications = new_applications(acme, ["FIRST_INTERVIEW", "SECOND_INTERVIEW", "SCREENING"] * 2)
    # One booking a day: Maya sits on every panel, and she takes at most 3 interviews a day.
    days = free_days(acme, plan_people(panel_plan), len(applications))
    interviews = []
    for application, day in zip(applications, days, strict=True):
        url = reverse("schedule", args=[application.pk])
        slot = slot_on(recruiter_client, url, day)
        week = monday_of(day)
        with django_capture_on_commit_callbacks(execute=False):
            recruiter_client.post(url, {"start": slot.start.isoformat(), "week": week.isoformat()})
        interviews.append(Interview.objects.get(application=application))
    sandbox.set_faults(rate_429=0.15, rate_500=0.15, fail_after_write=0.2, retry_after=0)
    for _ in range(40):
        Operation.objects.filter(status="pending").update(next_attempt_at=None)
        drain()
        if not Operation.objects.exclude(status__in=["done", "skipped"]).exists():
            break
    sandbox.clear_faults()
    assert not Operation.objects.exclude(status__in=["done", "skipped"]).exists(), list(
        Operation.objects.exclude(status__in=["done", "skipped"]).values("kind", "last_error")
    )
    client = sandbox_client(sandbox)
    events = list(client.list_events(acme["calendar"].unified_id))
    ats = list(client.list_interviews(acme["ats"].unified_id))
    for interview in interviews:
        for session in interview.sessions.all():
            mine = [e for e in events if session.ref in (e.notes or "")]
            assert [e.id for e in mine] == [session.event_id]
            theirs = [i for i in ats if i.external_event_xref == session.event_id]
            assert [i.id for i in theirs] == [session.ats_interview_id]


def test_scheduling_pages_of_another_tenant_are_404(acme, panel_plan, outsider_client):
    application = new_application(acme)
    assert outsider_client.get(reverse("schedule", args=[application.pk])).status_code == 404
    assert outsider_client.post(reverse("schedule", args=[application.pk])).status_code == 404


def test_a_cancel_is_not_undone_by_a_move_whose_write_back_is_still_retrying(
    acme, panel_plan, recruiter_client, django_capture_on_commit_callbacks
):
    """Book; with the worker stopped, reschedule; Unified fails every call while the
    updates are tried (they back off); Unified recovers; cancel. When the backoff ends,
    nothing may put the events or the ATS interviews back: the calendar and the ATS agree
    with Convene that the interview is canceled, and the reconcile keeps it so."""
    first, later = free_days(acme, plan_people(panel_plan), 2)
    application = new_application(acme)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, first)
    sessions = list(interview.sessions.all())
    url = reverse("reschedule", args=[interview.pk])
    target = slot_on(recruiter_client, url, later, after=interview.end_at)
    with django_capture_on_commit_callbacks(execute=False):  # the worker is stopped
        recruiter_client.post(
            url, {"start": target.start.isoformat(), "week": monday_of(later).isoformat()}
        )
    sandbox = acme["sandbox"]
    sandbox.set_faults(rate_500=1.0)
    updates = Operation.objects.filter(status="pending", kind__endswith=".update")
    for op in updates.order_by("created_at"):
        tried = outbox.perform(op.pk)
        if op.kind == Operation.Kind.UPDATE_EVENT:
            assert tried.status == "pending"  # failed, backing off
        else:
            assert tried is None  # the ATS update waits for its event's
    sandbox.clear_faults()
    # The worker is back and the cancel is written at once: events removed, ATS canceled.
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(
            reverse("interview_cancel", args=[interview.pk]),
            {"reason": "The role was put on hold.", "notify_candidate": "on"},
        )
    # The backoff is over: everything still due runs now.
    Operation.objects.filter(status="pending").update(next_attempt_at=None)
    drain()
    webhooks.reconcile()
    drain()
    client = sandbox_client(sandbox)
    for session in sessions:
        with pytest.raises(NotFoundError):
            client.get_event(acme["calendar"].unified_id, session.event_id)
        ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "CANCELED"
    assert not Operation.objects.filter(status__in=["pending", "running", "failed"]).exists()
    assert not Operation.objects.filter(result__recreated=True).exists()


def test_the_reconcile_heals_a_canceled_interview_whose_event_and_ats_interview_still_stand(
    acme, panel_plan, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    """The cancel's writes gave up (Sync problems shows them), and later something puts the
    ATS interview back to SCHEDULED: each reconcile checks canceled interviews against the
    calendar and the ATS, and removes what still stands, without anyone pressing Retry."""
    application = new_application(acme)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)
    with django_capture_on_commit_callbacks(execute=False):  # the worker is stopped
        recruiter_client.post(
            reverse("interview_cancel", args=[interview.pk]),
            {"reason": "The role was put on hold."},
        )
    # Every cancel gave up (as after a day of failures): nothing reached Unified.
    cancels = Operation.objects.filter(interview=interview, kind__endswith=".cancel")
    assert cancels.count() == 2 * interview.sessions.count()
    cancels.update(status="failed", last_error="HTTP 503: Unified was down")
    client = sandbox_client(acme["sandbox"])
    sessions = list(interview.sessions.all())
    for session in sessions:
        assert client.get_event(acme["calendar"].unified_id, session.event_id).status != "CANCELED"

    lines = webhooks.reconcile()
    drain()
    assert sum("Convene cancels it again" in line for line in lines) == 2 * len(sessions)
    for session in sessions:
        with pytest.raises(NotFoundError):
            client.get_event(acme["calendar"].unified_id, session.event_id)
        ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "CANCELED"

    # A stale writer elsewhere schedules one ATS interview again.
    stale = client.get_interview(acme["ats"].unified_id, sessions[0].ats_interview_id)
    client.update_interview(
        acme["ats"].unified_id,
        stale.id,
        records.Interview(
            application_id=stale.application_id,
            candidate_id=stale.candidate_id,
            status="SCHEDULED",
            start_at=stale.start_at,
            end_at=stale.end_at,
        ),
    )
    assert any("the ATS still shows it" in line for line in webhooks.reconcile())
    drain()
    assert client.get_interview(acme["ats"].unified_id, stale.id).status == "CANCELED"
    # Healed: the next round has nothing to do.
    assert not [line for line in webhooks.reconcile() if "cancels it again" in line]
    interview.refresh_from_db()
    assert interview.status == "canceled"
