"""Issue 6 against the live sandbox: a recruiter schedules a two-session panel, and the
calendars and the ATS end up holding exactly what Convene booked."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates.models import Application
from scheduling import writeback
from scheduling.models import Interview, Operation
from scheduling.unified.client import UnifiedClient

pytestmark = pytest.mark.sandbox


def next_week():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def needs_scheduling(acme):
    return (
        Application.objects.filter(connection=acme["ats"], status="FIRST_INTERVIEW")
        .exclude(candidate__email="")
        .first()
    )


def first_slot(response):
    for day in response.context["days"]:
        if day["slots"]:
            return day["slots"][0]
    raise AssertionError("no slot offered")


def drain(now=None):
    """Run every due operation, as the worker and the sweeper would, until none is left."""
    for _ in range(50):
        due = Operation.objects.filter(status__in=["pending"]).values_list("pk", flat=True)
        ran = [writeback.perform(pk) for pk in due]
        if not any(ran):
            return


def sandbox_client(sandbox):
    return UnifiedClient(sandbox.base_url, sandbox.token)


def test_recruiter_schedules_a_two_session_panel_written_to_calendars_and_ats(
    acme, panel_plan, recruiter_client, django_capture_on_commit_callbacks
):
    application = needs_scheduling(acme)
    url = reverse("schedule", args=[application.pk])
    page = recruiter_client.get(url, {"week": next_week().isoformat()})
    assert page.status_code == 200
    slot = first_slot(page)
    assert {s.session for s in slot.sessions} == {str(s.pk) for s in panel_plan.sessions.all()}
    assert b"Maya Chen" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            url, {"start": slot.start.isoformat(), "week": next_week().isoformat()}
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
        assert expected | {application.candidate.email} <= attendees
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
