"""Two invitations, kept apart (issue 26): the interviewers' calendar event is internal and
does not list the candidate; the candidate gets exactly one invitation — Convene's .ics by
email, or, when the team chooses it, the calendar's (they are then an attendee of the event,
which carries only what they may read, and the email has no .ics). Unified is answered by
`responses`; tests/integration/test_invitations.py runs the same against the sandbox."""

import datetime as dt
import json

import pytest
import responses
from django.conf import settings
from django.core import mail
from django.urls import reverse

from candidates import links
from scheduling import booking, emails, outbox, slots
from scheduling.models import (
    CandidateInvitation,
    Connection,
    InterviewPlan,
    Membership,
    Operation,
    Tenant,
)
from tests import factories as f
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

BASE = settings.UNIFIED_BASE_URL
CAL_ID = "c" * 24
AGENDA = "Ask about the rate limiter; she struggled with SQL in the screen."


@pytest.fixture
def world(tenant):
    ats = f.connection(tenant)
    cal = f.connection(
        tenant,
        Connection.Category.CALENDAR,
        unified_id=CAL_ID,
        integration_type="googlecalendar",
        integration_name="Google Calendar",
    )
    ivy = f.interviewer(
        tenant,
        "Ivy Chen",
        email="ivy@acme.example",
        calendar_connection=cal,
        calendar_id="ivy@acme.example",
    )
    candidate = f.candidate(
        ats,
        "Grace Hopper",
        email="grace@x.example",
        web_url="https://app.greenhouse.example/people/42",
    )
    app = f.application(ats, candidate, f.job(ats, "Senior Engineer"))
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Screen", agenda=AGENDA, location_kind="video"
    )
    start = f.working_day(days_ahead=4)
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Senior Engineer interview with Grace Hopper",
                start,
                start + dt.timedelta(hours=1),
                ((str(ivy.pk), "required", None),),
            ),
        )
    )
    return {"tenant": tenant, "cal": cal, "ivy": ivy, "app": app, "plan": plan, "choice": choice}


def event_written(interview):
    """Perform the session's event operation against `responses`; the body Convene sent."""
    op = interview.operations.get(kind="event.create")
    responses.post(
        f"{BASE}/calendar/{CAL_ID}/event",
        json={"id": "ev1", "start_at": "2030-01-01T10:00:00Z", "end_at": "2030-01-01T11:00:00Z"},
    )
    outbox.perform(op.pk)
    return json.loads(responses.calls[-1].request.body)


def ics_files(message):
    return [content for _name, content, _type in message.attachments]


@responses.activate
def test_the_interviewers_event_is_internal_and_the_candidate_gets_one_ics(world):
    interview = booking.book(world["app"], world["plan"], world["choice"])
    assert interview.candidate_invitation == CandidateInvitation.EMAIL

    body = event_written(interview)
    # The interviewers' view: no candidate among the attendees, the internal notes.
    assert [a["email"] for a in body["attendees"]] == ["ivy@acme.example"]
    notes = body["notes"]
    assert AGENDA in notes
    assert "Candidate: Grace Hopper <grace@x.example>" in notes
    assert "Profile in Greenhouse: https://app.greenhouse.example/people/42" in notes
    assert "Job: Senior Engineer" in notes
    assert "Feedback:" in notes and "/my-feedback/" in notes
    assert interview.sessions.get().ref in notes

    # The candidate's view: one email, one .ics, named for them, nothing internal.
    emails.interview_to_candidate(interview, "interview_confirmed")
    (message,) = mail.outbox
    (ics,) = ics_files(message)
    assert "SUMMARY:Interview with Acme Robotics: Senior Engineer" in ics
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics
    unfolded = ics.replace("\r\n ", "")
    assert "struggled" not in unfolded and "rate limiter" not in unfolded
    assert "ivy@acme.example" not in unfolded and "greenhouse.example" not in unfolded
    assert "With Ivy" in unfolded  # first names only, as the plan shows them
    assert "attached calendar file" in message.body
    assert "struggled" not in message.body


def test_a_plan_that_hides_the_panel_names_no_one_in_the_ics(world):
    world["plan"].show_interviewer_names = False
    world["plan"].save()
    interview = booking.book(world["app"], world["plan"], world["choice"])
    emails.interview_to_candidate(interview, "interview_confirmed")
    (ics,) = ics_files(mail.outbox[-1])
    assert "Ivy" not in ics.replace("\r\n ", "")


def test_a_move_raises_the_sequence_and_a_cancel_withdraws_the_ics(world):
    interview = booking.book(world["app"], world["plan"], world["choice"])
    session = interview.sessions.get()
    later = session.start_at + dt.timedelta(hours=1)
    booking.change(
        interview,
        [booking.Move(session, later, later + dt.timedelta(hours=1))],
        by=booking.By.RECRUITER,
    )
    interview.refresh_from_db()
    emails.interview_to_candidate(interview, "interview_rescheduled")
    (moved,) = ics_files(mail.outbox[-1])
    assert f"UID:{interview.ics_uid}" in moved and "SEQUENCE:1" in moved
    assert f"DTSTART:{later:%Y%m%dT%H%M%SZ}" in moved

    booking.cancel(interview, reason="Filled", user=None)
    interview.refresh_from_db()
    emails.interview_to_candidate(interview, "interview_canceled")
    (canceled,) = ics_files(mail.outbox[-1])
    assert "METHOD:CANCEL" in canceled and "STATUS:CANCELLED" in canceled
    assert f"UID:{interview.ics_uid}" in canceled and "SEQUENCE:2" in canceled


@responses.activate
def test_as_an_attendee_the_candidate_is_on_the_event_and_gets_no_ics(world, client):
    world["tenant"].candidate_invitation = CandidateInvitation.ATTENDEE
    world["tenant"].save()
    interview = booking.book(world["app"], world["plan"], world["choice"])
    assert interview.candidate_on_event

    body = event_written(interview)
    assert {a["email"] for a in body["attendees"]} == {"grace@x.example", "ivy@acme.example"}
    # The candidate reads this event: nothing internal in it.
    notes = body["notes"]
    assert AGENDA not in notes and "greenhouse.example" not in notes
    assert "Feedback" not in notes and "Candidate:" not in notes
    assert "Senior Engineer interview with Grace Hopper: " in notes
    assert interview.sessions.get().ref in notes  # Convene still finds its own event

    emails.interview_to_candidate(interview, "interview_confirmed")
    (message,) = mail.outbox
    assert message.attachments == []
    assert "separate email from Google Calendar" in message.body
    assert "attached calendar file" not in message.body
    html = message.alternatives[0][0]
    assert "separate email from Google Calendar" in html

    # Their page offers no file to add (it would put the interview in their calendar twice).
    link = interview.application.booking_links.get()
    page = client.get(
        reverse("booking_page", args=[links.token_for(link)]), {"tz": "Europe/Berlin"}
    )
    text = page.content.decode()
    assert "Add to calendar" not in text and "accept it there" in text
    ics = client.get(reverse("booking_ics", args=[links.token_for(link)]))
    assert ics.status_code == 404 and "Your invitation comes from the calendar" in (
        ics.content.decode()
    )


@responses.activate
def test_as_an_attendee_on_a_calendar_that_sends_no_invitations_the_ics_goes(world):
    """The calendar would not invite them: the candidate gets Convene's .ics instead, and
    the event stays internal — never left without an invitation."""
    world["tenant"].candidate_invitation = CandidateInvitation.ATTENDEE
    world["tenant"].save()
    world["cal"].capabilities = {"invites": False}
    world["cal"].save()
    interview = booking.book(world["app"], world["plan"], world["choice"])
    assert not interview.candidate_on_event
    body = event_written(interview)
    assert "grace@x.example" not in {a["email"] for a in body["attendees"]}
    assert AGENDA in body["notes"]
    emails.interview_to_candidate(interview, "interview_confirmed")
    assert len(ics_files(mail.outbox[-1])) == 1


def test_an_interview_keeps_the_way_it_was_booked_when_the_setting_changes(world):
    interview = booking.book(world["app"], world["plan"], world["choice"])
    world["tenant"].candidate_invitation = CandidateInvitation.ATTENDEE
    world["tenant"].save()
    session = interview.sessions.get()
    later = session.start_at + dt.timedelta(hours=2)
    booking.change(
        interview,
        [booking.Move(session, later, later + dt.timedelta(hours=1))],
        by=booking.By.RECRUITER,
    )
    interview.refresh_from_db()
    assert not interview.candidate_on_event
    emails.interview_to_candidate(interview, "interview_rescheduled")
    (ics,) = ics_files(mail.outbox[-1])
    assert "SEQUENCE:1" in ics  # their calendar's event is updated, not left behind


def settings_post(tenant, **extra):
    return {
        "name": tenant.name,
        "default_timezone": tenant.default_timezone,
        "interview_statuses": tenant.interview_statuses,
        **extra,
    }


def test_an_admin_chooses_who_invites_the_candidate(client, tenant):
    admin = make_member(tenant, "ada@acme.example", Membership.Role.ADMIN)
    client.force_login(admin)
    page = client.get(reverse("team_settings")).content.decode()
    assert "Who sends the candidate’s calendar invitation" in page
    assert "Convene emails the candidate an invitation" in page
    assert "The calendar invites the candidate to a separate candidate-only event" in page
    assert "The candidate is an attendee of the interviewers’ event" in page

    response = client.post(
        reverse("team_settings"), settings_post(tenant, candidate_invitation="attendee")
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.candidate_invitation == CandidateInvitation.ATTENDEE

    # Another form of the settings that leaves the choice out keeps it.
    client.post(reverse("team_settings"), settings_post(tenant))
    tenant.refresh_from_db()
    assert tenant.candidate_invitation == CandidateInvitation.ATTENDEE

    response = client.post(
        reverse("team_settings"), settings_post(tenant, candidate_invitation="both")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_new_team_has_convene_email_the_invitation(db):
    assert Tenant.objects.create(name="New", slug="new").candidate_invitation == "email"


# --- a candidate-only event -------------------------------------------------------------------


def candidate_event_ops(interview):
    return list(interview.operations.filter(kind="candidate_event.sync").order_by("created_at"))


@responses.activate
def test_a_candidate_only_event_invites_the_candidate_alone_and_follows_moves_and_cancel(world):
    world["tenant"].candidate_invitation = CandidateInvitation.CANDIDATE_EVENT
    world["tenant"].save()
    interview = booking.book(world["app"], world["plan"], world["choice"])
    assert interview.candidate_invited_by == CandidateInvitation.CANDIDATE_EVENT
    assert not interview.candidate_on_event

    # The interviewers' event first (its meeting link goes to the candidate's event).
    responses.post(
        f"{BASE}/calendar/{CAL_ID}/event",
        json={
            "id": "ev1",
            "start_at": "2030-01-01T10:00:00Z",
            "end_at": "2030-01-01T11:00:00Z",
            "conference": [{"url": "https://meet.example/abc"}],
        },
    )
    outbox.perform(interview.operations.get(kind="event.create").pk)
    interviewers = json.loads(responses.calls[-1].request.body)
    assert [a["email"] for a in interviewers["attendees"]] == ["ivy@acme.example"]
    assert AGENDA in interviewers["notes"]

    responses.post(
        f"{BASE}/calendar/{CAL_ID}/event",
        json={"id": "cand1", "start_at": "2030-01-01T10:00:00Z", "end_at": "2030-01-01T11:00:00Z"},
    )
    (op,) = candidate_event_ops(interview)
    outbox.perform(op.pk)
    body = json.loads(responses.calls[-1].request.body)
    assert [a["email"] for a in body["attendees"]] == ["grace@x.example"]
    assert body["subject"] == "Interview with Acme Robotics: Senior Engineer"
    assert body["calendar_id"] == "ivy@acme.example"
    assert body.get("has_conference") is None  # the interviewers' meeting, not one of its own
    assert body["location"] == "https://meet.example/abc"
    notes = body["notes"]
    assert AGENDA not in notes and "ivy@acme.example" not in notes and "Candidate:" not in notes
    assert "convene-session:" not in notes  # never taken for the interviewers' event
    assert f"{interview.candidate_ref}/1" in notes
    interview.refresh_from_db()
    assert [e["id"] for e in interview.candidate_events] == ["cand1"]

    # The candidate's email: no .ics (the calendar's invitation is the one).
    emails.interview_to_candidate(interview, "interview_confirmed")
    (message,) = mail.outbox
    assert message.attachments == [] and "separate email from Google Calendar" in message.body

    # A move updates the same event.
    session = interview.sessions.get()
    later = session.start_at + dt.timedelta(hours=1)
    booking.change(
        interview,
        [booking.Move(session, later, later + dt.timedelta(hours=1))],
        by=booking.By.RECRUITER,
    )
    responses.put(
        f"{BASE}/calendar/{CAL_ID}/event/cand1",
        json={"id": "cand1", "start_at": "2030-01-01T11:00:00Z", "end_at": "2030-01-01T12:00:00Z"},
    )
    outbox.perform(candidate_event_ops(interview)[-1].pk)
    moved = json.loads(responses.calls[-1].request.body)
    assert responses.calls[-1].request.method == "PUT"
    assert moved["start_at"].startswith(later.strftime("%Y-%m-%dT%H:%M"))

    # A cancel without telling the candidate by email still removes their event.
    booking.cancel(interview, reason="Filled", notify_candidate=False)
    responses.delete(f"{BASE}/calendar/{CAL_ID}/event/cand1", status=204)
    outbox.perform(candidate_event_ops(interview)[-1].pk)
    assert responses.calls[-1].request.method == "DELETE"
    interview.refresh_from_db()
    assert interview.candidate_events == []


@responses.activate
def test_a_lost_create_of_the_candidates_event_is_found_again_not_doubled(world):
    world["tenant"].candidate_invitation = CandidateInvitation.CANDIDATE_EVENT
    world["tenant"].save()
    interview = booking.book(world["app"], world["plan"], world["choice"])
    (op,) = candidate_event_ops(interview)
    event_written(interview)  # the interviewers' event, which the candidate's waits for
    responses.post(f"{BASE}/calendar/{CAL_ID}/event", body=ConnectionError("reset"))
    outbox.perform(op.pk)  # the answer is lost: perhaps it was created
    op.refresh_from_db()
    assert op.status == "pending" and op.last_error
    session = interview.sessions.get()
    responses.get(
        f"{BASE}/calendar/{CAL_ID}/event",
        json=[
            {
                "id": "ev-interviewers",
                "notes": f"Scheduled with Convene ({session.ref}).",
                "start_at": "2030-01-01T10:00:00Z",
                "end_at": "2030-01-01T11:00:00Z",
            },
            {
                "id": "cand-made",
                "notes": f"… Scheduled with Convene ({interview.candidate_ref}/1).",
                "start_at": "2030-01-01T10:00:00Z",
                "end_at": "2030-01-01T11:00:00Z",
            },
        ],
    )
    responses.put(
        f"{BASE}/calendar/{CAL_ID}/event/cand-made",
        json={
            "id": "cand-made",
            "start_at": "2030-01-01T10:00:00Z",
            "end_at": "2030-01-01T11:00:00Z",
        },
    )
    Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
    outbox.perform(op.pk)
    interview.refresh_from_db()
    assert [e["id"] for e in interview.candidate_events] == ["cand-made"]
    assert [c.request.method for c in responses.calls[2:]] == ["GET", "PUT"]  # no second POST


def test_the_interview_page_says_how_the_candidate_was_invited(world, recruiter_client):
    interview = booking.book(world["app"], world["plan"], world["choice"])
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert "Their invitation" in page and "Convene’s email with a calendar file" in page
    world["cal"].capabilities = {"invites": False}
    world["cal"].save()
    interview.candidate_invitation = CandidateInvitation.ATTENDEE
    interview.save()
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert "this calendar sends no invitations" in page
    world["cal"].capabilities = {}
    world["cal"].save()
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert "they are an attendee of the interviewers’ event" in page
