"""The interview page is where a recruiter acts: Reschedule and Cancel at the top (cancel asks
first, with a note for the team apart from a message to the candidate), Swap beside each
person, write problems in words with the technical line beneath, ids behind a disclosure."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from scheduling import booking, slots
from scheduling.models import (
    AuditEntry,
    Connection,
    InterviewPlan,
    Operation,
    PlanPool,
    PlanSession,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


@pytest.fixture
def booked(tenant):
    ats = f.connection(tenant)
    cal = f.connection(tenant, Connection.Category.CALENDAR, integration_name="Google Calendar")
    ivy = f.interviewer(tenant, "Ivy Chen", calendar_connection=cal, calendar_id="ivy")
    bo = f.interviewer(tenant, "Bo Kim")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    session = PlanSession.objects.create(plan=plan, title_template="Screen")
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set([ivy, bo])
    app = f.application(
        ats,
        f.candidate(ats, "Grace Hopper", email="grace@x.example"),
        status="SECOND_INTERVIEW",
        original_status="Face to Face",
    )
    start = f.working_day()
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Screen",
                start,
                start + dt.timedelta(hours=1),
                ((str(ivy.pk), "pool", pool.pk),),
                key=str(session.pk),
            ),
        )
    )
    interview = booking.book(app, plan, choice)
    Operation.objects.update(status="done")
    s = interview.sessions.get()
    s.event_id, s.ats_interview_id, s.ats_record = "ev-123", "int-456", "interview"
    s.save()
    return {"interview": interview, "session": s, "ivy": ivy, "bo": bo}


def test_the_page_acts_and_hides_ids_behind_technical_details(recruiter_client, booked):
    interview = booked["interview"]
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    html = page.content.decode()
    assert f'href="{reverse("reschedule", args=[interview.pk])}">Reschedule</a>' in html
    assert f'href="{reverse("interview_cancel", args=[interview.pk])}">Cancel…</a>' in html
    assert "Swap<span" in html
    # The stage as the ATS names it; the ids only inside the disclosure.
    assert "Stage</dt><dd>Face to Face</dd>" in html
    before, details = html.split("<summary>Technical details</summary>")
    assert "ev-123" not in before and "int-456" not in before
    assert "ev-123" in details and "int-456" in details


def test_a_canceled_interviews_sessions_say_what_was_withdrawn(recruiter_client, booked):
    interview = booked["interview"]
    url = reverse("interview_detail", args=[interview.pk])
    page = text(recruiter_client.get(url))
    assert "Calendar invitation sent to the interviewers. In Google Calendar" not in page
    assert "Calendar invitation sent to the interviewers." in page
    booking.cancel(interview, reason="Withdrew")
    page = text(recruiter_client.get(url))
    assert "Calendar invitation withdrawn. Canceled in" in page
    assert "Calendar invitation sent" not in page and "as an interview." not in page


def test_a_write_that_keeps_failing_is_said_in_words_with_the_technical_line(
    recruiter_client, booked
):
    interview, session = booked["interview"], booked["session"]
    retry_at = timezone.now() + dt.timedelta(minutes=20)
    Operation.objects.create(
        tenant=interview.tenant,
        interview=interview,
        session=session,
        kind=Operation.Kind.UPDATE_EVENT,
        status=Operation.Status.PENDING,
        attempts=2,
        next_attempt_at=retry_at,
        last_error="HTTP 500: internal server error (POST /calendar/x/event)",
    )
    page = text(recruiter_client.get(reverse("interview_detail", args=[interview.pk])))
    local = timezone.localtime(retry_at, ZoneInfo(interview.tenant.default_timezone))
    assert (
        "Google Calendar refused the change to the calendar event for “Screen”; Convene will "
        f"try again at {local:%H:%M}."
    ) in page
    assert "HTTP 500: internal server error (POST /calendar/x/event)" in page
    problems = text(recruiter_client.get(reverse("problems")))
    assert f"try again at {local:%H:%M}" in problems and "minutes from now" not in problems


def test_cancel_asks_first_and_keeps_the_teams_note_from_the_candidate(recruiter_client, booked):
    interview = booked["interview"]
    url = reverse("interview_cancel", args=[interview.pk])
    confirm = text(recruiter_client.get(url))
    assert "Cancel the interview with Grace Hopper?" in confirm
    assert "Why is it canceled?" in confirm and "Message to the candidate" in confirm
    # The team's own list (not the candidate's), and "Other" with words.
    assert "The candidate withdrew" in confirm and "Other" in confirm
    assert "Accepted another offer" not in confirm
    interview.refresh_from_db()
    assert interview.is_active  # asking cancels nothing

    refused = recruiter_client.post(url, {"message": "Sorry"})
    assert refused.status_code == 400 and "Choose a reason" in text(refused)
    other = recruiter_client.post(url, {"reason": "other", "message": "Sorry"})
    assert other.status_code == 400 and "Say why in a few words" in text(other)
    response = recruiter_client.post(
        url,
        {
            "reason": "other",
            "reason_text": "Hiring freeze",
            "message": "We paused this role.",
            "notify_candidate": "on",
        },
    )
    assert response.status_code == 302
    email = Operation.objects.get(payload__kind="interview_canceled")
    assert email.payload["extra"]["reason"] == "We paused this role."
    entry = AuditEntry.objects.get(action="interview.canceled")
    assert "Hiring freeze" in entry.message
    (change,) = interview.changes.all()
    assert (change.kind, change.by, change.reason_code, change.reason_text) == (
        "canceled",
        "recruiter",
        "other",
        "Hiring freeze",
    )


def test_a_swap_lists_who_is_free_and_says_so_in_the_history(recruiter_client, booked):
    interview, ivy, bo = booked["interview"], booked["ivy"], booked["bo"]
    seat = booked["session"].attendees.get(interviewer=ivy)
    url = reverse("interview_swap", args=[interview.pk, seat.pk])
    fragment = recruiter_client.get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div class="swap-options">') and "<html" not in html
    assert f'value="{bo.pk}"' in html and "free then" in html
    response = recruiter_client.post(url, {"replacement": str(bo.pk)})
    assert response.status_code == 302
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    shown = text(page)
    assert "Swapped: Bo Kim replaces Ivy Chen on “Screen”" in shown
    # Ivy's calendar keeps holding the event she organized; the page says she left it.
    details = page.content.decode().split("<summary>Technical details</summary>")[1]
    assert "Ivy Chen’s calendar (the organizer; no longer attends)" in details
