"""Issue 26, two invitations kept apart, against the live sandbox: what the interviewers'
calendar event holds and what the candidate receives, through a booking, a move and a
cancel, with each of the team's choices (Convene's .ics by email, the default; or the
candidate an attendee of the interviewers' event, and then no .ics)."""

import datetime as dt

import pytest
from django.core import mail

from scheduling import booking, webhooks
from scheduling.models import CandidateInvitation, Interview
from scheduling.unified.errors import NotFoundError
from tests.integration.test_scheduling import book, ics_of, sandbox_client
from tests.live_world import _mirrored, drain

pytestmark = pytest.mark.sandbox

AGENDA = "Probe the caching design; the screen found her SQL shaky."
PROFILE = "https://app.greenhouse.example/people/noor-invites"


def application_with_profile(acme, name):
    """A new candidate, with their profile's web address in the ATS, and an application."""
    sandbox, cid = acme["sandbox"], acme["ats"].unified_id
    email = f"{name.lower().replace(' ', '.')}@example.org"
    candidate = sandbox.create_candidate(cid, name, email)
    # The ATS gives each candidate its page (Unified's read-only `web_url`).
    sandbox.patch_record(cid, "ats_candidate", candidate["id"], web_url=PROFILE)
    _, application = sandbox.create_application(cid, candidate=candidate)
    return _mirrored(acme, [application["id"]])[0]


def events_of(acme, interview):
    """[(session, its event in the sandbox calendar)]."""
    api = sandbox_client(acme["sandbox"])
    return [
        (s, api.get_event(acme["calendar"].unified_id, s.event_id))
        for s in interview.sessions.order_by("position")
    ]


def to_candidate(interview):
    """The emails the candidate received, oldest first."""
    return [m for m in mail.outbox if interview.application.candidate.email in m.to]


def moved_by_an_hour(interview):
    sessions = list(interview.sessions.order_by("start_at"))
    hour = dt.timedelta(hours=1)
    booking.change(
        interview,
        [booking.Move(s, s.start_at + hour, s.end_at + hour) for s in sessions],
        by=booking.By.RECRUITER,
    )
    drain()
    interview.refresh_from_db()
    return interview


@pytest.fixture
def with_agenda(panel_plan):
    panel_plan.agenda = AGENDA
    panel_plan.save()
    return panel_plan


def test_the_interviewers_event_is_internal_and_the_candidate_gets_one_ics(
    acme, with_agenda, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    application = application_with_profile(acme, "Noor Apart")
    candidate = application.candidate
    assert candidate.web_url == PROFILE
    interview = book(recruiter_client, application, capture, panel_day)
    assert interview.candidate_invitation == CandidateInvitation.EMAIL

    # What the interviewers' calendar holds: their event, the candidate not on it, the notes.
    for session, event in events_of(acme, interview):
        attendees = {a.email for a in event.attendees}
        assert {a.interviewer.email for a in session.attendees.all()} <= attendees
        assert candidate.email not in attendees
        assert AGENDA in event.notes
        assert f"Candidate: {candidate.name}" in event.notes
        assert f"Profile in Greenhouse: {PROFILE}" in event.notes
        assert "Feedback:" in event.notes and session.ref in event.notes

    # What the candidate received: one email, one .ics, for them and about them only.
    (confirmation,) = to_candidate(interview)
    assert len(confirmation.attachments) == 1
    ics = ics_of(confirmation).replace("\r\n ", "")
    assert f"SUMMARY:Interview with Acme Robotics: {application.job.name}" in ics
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics
    assert "caching design" not in ics and "SQL" not in ics and PROFILE not in ics
    people = {a.interviewer.email for s in interview.sessions.all() for a in s.attendees.all()}
    assert not any(email in ics for email in people)
    assert "Maya" in ics  # first names, as the plan shows them
    assert "caching design" not in confirmation.body
    mail.outbox.clear()

    # A move: the same events move, and the candidate's .ics updates with a higher SEQUENCE.
    interview = moved_by_an_hour(interview)
    for session, event in events_of(acme, interview):
        assert event.start_at == session.start_at
        assert candidate.email not in {a.email for a in event.attendees}
    (moved,) = to_candidate(interview)
    ics = ics_of(moved)
    assert f"UID:{interview.ics_uid}" in ics and "SEQUENCE:1" in ics
    assert f"DTSTART:{interview.start_at:%Y%m%dT%H%M%SZ}" in ics
    mail.outbox.clear()

    # A cancel: the events go, and the candidate's calendar event is withdrawn.
    booking.cancel(interview, reason="The role is on hold.")
    drain()
    api = sandbox_client(acme["sandbox"])
    for session in interview.sessions.all():
        with pytest.raises(NotFoundError):
            api.get_event(acme["calendar"].unified_id, session.event_id)
    (canceled,) = to_candidate(interview)
    ics = ics_of(canceled)
    assert "METHOD:CANCEL" in ics and "SEQUENCE:2" in ics and f"UID:{interview.ics_uid}" in ics


def test_with_the_candidate_an_attendee_the_event_is_shared_and_no_ics_is_sent(
    acme, with_agenda, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    tenant = acme["ats"].tenant
    tenant.candidate_invitation = CandidateInvitation.ATTENDEE
    tenant.save()
    application = application_with_profile(acme, "Noor Shared")
    candidate = application.candidate
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)
    assert interview.candidate_on_event

    # The candidate is on each event, which says nothing meant for the interviewers only.
    for _session, event in events_of(acme, interview):
        assert candidate.email in {a.email for a in event.attendees}
        assert AGENDA not in event.notes and PROFILE not in event.notes
        assert "Feedback" not in event.notes
    (confirmation,) = to_candidate(interview)
    assert confirmation.attachments == []  # the calendar's invitation is the one
    assert "separate email from Google Calendar" in confirmation.body
    mail.outbox.clear()

    # The reconcile reads those events back: the candidate's presence changes nothing.
    before = interview.start_at
    webhooks.reconcile_connection(acme["calendar"])
    interview.refresh_from_db()
    assert interview.start_at == before and not interview.flags.exists()

    interview = moved_by_an_hour(interview)
    for session, event in events_of(acme, interview):
        assert event.start_at == session.start_at
        assert candidate.email in {a.email for a in event.attendees}
    (moved,) = to_candidate(interview)
    assert moved.attachments == [] and "New time" in moved.subject
    mail.outbox.clear()

    booking.cancel(interview, reason="The role is on hold.")
    drain()
    api = sandbox_client(acme["sandbox"])
    for session in interview.sessions.all():
        with pytest.raises(NotFoundError):
            api.get_event(acme["calendar"].unified_id, session.event_id)
    (canceled,) = to_candidate(interview)
    assert canceled.attachments == []
    assert Interview.objects.get(pk=interview.pk).status == "canceled"


def test_a_candidate_only_event_holds_the_candidates_day_and_moving_it_moves_nothing(
    acme, with_agenda, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    tenant = acme["ats"].tenant
    tenant.candidate_invitation = CandidateInvitation.CANDIDATE_EVENT
    tenant.save()
    application = application_with_profile(acme, "Noor Own")
    candidate = application.candidate
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)
    api = sandbox_client(acme["sandbox"])
    cid = acme["calendar"].unified_id

    # The interviewers' events stay theirs; the candidate has one event for the day's loop.
    for _session, event in events_of(acme, interview):
        assert candidate.email not in {a.email for a in event.attendees}
        assert AGENDA in event.notes
    (held,) = interview.candidate_events
    own = api.get_event(cid, held["id"])
    assert [a.email for a in own.attendees] == [candidate.email]
    assert (own.start_at, own.end_at) == (interview.start_at, interview.end_at)
    assert own.subject == f"Interview with Acme Robotics: {application.job.name}"
    assert AGENDA not in own.notes and PROFILE not in own.notes
    assert "convene-session:" not in own.notes
    assert interview.sessions.order_by("position").first().meeting_url in own.notes
    (confirmation,) = to_candidate(interview)
    assert confirmation.attachments == []  # the calendar's invitation is the one
    mail.outbox.clear()

    # Someone moves the candidate's event in the calendar: it is not the interview's, so the
    # webhook's handler and the reconcile leave the interview alone.
    acme["sandbox"].move_event(cid, held["id"], interview.start_at + dt.timedelta(hours=2))
    moved = api.get_event(cid, held["id"])
    webhooks.calendar_events(acme["calendar"], [moved], "updated", None)
    webhooks.reconcile_connection(acme["calendar"])
    interview.refresh_from_db()
    assert interview.ics_sequence == 0 and not interview.flags.exists()
    assert not mail.outbox

    # The recruiter moves the interview: the candidate's event follows (the same one).
    interview = moved_by_an_hour(interview)
    (after,) = interview.candidate_events
    assert after["id"] == held["id"]
    assert api.get_event(cid, held["id"]).start_at == interview.start_at
    (told,) = to_candidate(interview)
    assert told.attachments == [] and "New time" in told.subject

    # A cancel removes it.
    booking.cancel(interview, reason="The role is on hold.")
    drain()
    with pytest.raises(NotFoundError):
        api.get_event(cid, held["id"])
    interview.refresh_from_db()
    assert interview.candidate_events == []
