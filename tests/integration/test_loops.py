"""One session of a two-session loop moved elsewhere (in the calendar, in the ATS), against the
live sandbox and a live Convene: the interview follows the session, keeps its span true, is
flagged because the loop no longer fits together, and the candidate hears nothing until the
recruiter settles it; "Move the rest to fit" then makes the loop whole in the sandbox's
calendar and ATS, and the candidate gets the new itinerary."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from scheduling import booking, connections, slots
from scheduling.models import (
    Flag,
    Interview,
    InterviewPlan,
    PlanSession,
)
from scheduling.unified.client import UnifiedClient
from tests.integration.conftest import person
from tests.live_world import drain, free_days, new_application, settled, team_zone, wait_until

pytestmark = pytest.mark.sandbox


@pytest.fixture
def loop(acme, tenant):
    """Coding (Maya) then a technical panel (Daniel and Sofía), in that order, a quarter of an
    hour apart: a plan whose sessions must stay in order on one day."""
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Coding loop",
        order="fixed",
        break_minutes=15,
        minimum_notice_hours=24,
        horizon_days=30,
    )
    coding = PlanSession.objects.create(
        plan=plan, position=0, title_template="Coding", duration_minutes=60
    )
    coding.required.add(person(acme, "Maya"))
    panel = PlanSession.objects.create(
        plan=plan, position=1, title_template="Technical panel", duration_minutes=60
    )
    panel.required.add(person(acme, "Daniel"), person(acme, "Sof"))
    return plan


@pytest.fixture
def booked(acme, loop, live_server, settings):
    """The loop booked for a new application on the second of two cleared weekdays, with
    Convene live and its webhooks registered (what it follows starts with the booking)."""
    people = [person(acme, name) for name in ("Maya", "Daniel", "Sof")]
    first, second = free_days(acme, people, 2)
    application = new_application(acme)
    settings.SITE_URL = live_server.url
    for conn in (acme["ats"], acme["calendar"]):
        connections.register_webhooks(conn)
    zone = team_zone(acme)
    offer = slots.find(
        application,
        loop,
        start=dt.datetime.combine(second, dt.time(0), zone),
        end=dt.datetime.combine(second + dt.timedelta(days=1), dt.time(0), zone),
        candidate_zone=zone.key,
    )
    assert offer.slots, "the cleared day offers no time for the loop"
    with transaction.atomic():
        interview = booking.book(application, loop, offer.choice_for(offer.slots[0], application))
    drain()
    settled()
    drain()
    sessions = list(interview.sessions.order_by("position"))
    assert all(s.event_id and s.ats_interview_id for s in sessions)
    return {"interview": interview, "coding": sessions[0], "panel": sessions[1], "first": first}


def the_day_before(acme, session, day):
    """The session's start at the same time on the clock, on `day`."""
    zone = team_zone(acme)
    local = session.start_at.astimezone(zone)
    return dt.datetime.combine(day, local.time(), zone).astimezone(dt.UTC)


def move_in_the_calendar(acme, session, new_start):
    """The organizer moves the session's event; returns once Convene followed it."""
    mail.outbox.clear()
    acme["sandbox"].move_event(acme["calendar"].unified_id, session.event_id, new_start)
    assert wait_until(lambda: Interview.objects.get(pk=session.interview_id).flags.exists())
    settled()
    drain()
    return new_start


def client_for(acme):
    return UnifiedClient(acme["sandbox"].base_url, acme["sandbox"].token)


def told_candidate(interview):
    email = interview.application.candidate.email
    return [m for m in mail.outbox if email in m.to]


def assert_broken_then_fit(acme, booked, recruiter_client, new_start):
    """What the recruiter sees after the Coding session moved to `new_start`, and what
    "Move the rest to fit" makes of it."""
    interview = Interview.objects.get(pk=booked["interview"].pk)
    coding = interview.sessions.get(pk=booked["coding"].pk)
    panel = interview.sessions.get(pk=booked["panel"].pk)
    assert coding.start_at == new_start
    # The span is the sessions' first start to their last end, in order.
    assert interview.start_at == coding.start_at < interview.end_at == panel.end_at
    flag = interview.flags.get(kind=Flag.Kind.LOOP_BROKEN)
    assert flag.session == coding and "no longer fit together" in flag.text
    assert "“Technical panel” is on " in flag.text  # on another day than the coding session
    assert told_candidate(interview) == []  # nothing until the recruiter settles it
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert "Needs attention" in page and "Move the rest to fit" in page
    assert f"“Coding” was moved to {new_start.astimezone(team_zone(acme)):%A} " in page
    assert "Choose new times" in page

    response = recruiter_client.post(reverse("interview_fit", args=[interview.pk]), follow=True)
    notes = [str(m) for m in response.context["messages"]]
    assert any("now fit around" in n for n in notes), notes
    drain()
    settled()
    drain()
    panel.refresh_from_db()
    coding.refresh_from_db()
    assert coding.start_at == new_start  # the moved session stays where it was put
    assert panel.start_at == coding.end_at + dt.timedelta(minutes=15)
    interview.refresh_from_db()
    assert not interview.flags.exists()
    assert (interview.start_at, interview.end_at) == (coding.start_at, panel.end_at)
    client = client_for(acme)
    for session in (coding, panel):
        event = client.get_event(acme["calendar"].unified_id, session.event_id)
        assert (event.start_at, event.end_at) == (session.start_at, session.end_at)
        ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert (ats.start_at, ats.end_at) == (session.start_at, session.end_at)
        assert ats.status == "SCHEDULED"
    (email,) = told_candidate(interview)
    assert "New time" in email.subject
    assert "“Coding” had to move, so the rest of your interview moved with it." in email.body


@pytest.mark.django_db(transaction=True)
def test_a_session_moved_in_the_calendar_flags_the_loop_until_the_rest_moves_to_fit(
    acme, booked, recruiter_client
):
    coding = booked["coding"]
    new_start = move_in_the_calendar(acme, coding, the_day_before(acme, coding, booked["first"]))
    # The ATS interview followed the calendar; the panel's event did not move.
    client = client_for(acme)
    ats = client.get_interview(acme["ats"].unified_id, coding.ats_interview_id)
    assert ats.start_at == new_start
    panel = booked["panel"]
    event = client.get_event(acme["calendar"].unified_id, panel.event_id)
    assert event.start_at == panel.start_at
    assert_broken_then_fit(acme, booked, recruiter_client, new_start)


@pytest.mark.django_db(transaction=True)
def test_a_session_moved_in_the_ats_flags_the_loop_until_the_rest_moves_to_fit(
    acme, booked, recruiter_client
):
    coding = booked["coding"]
    new_start = the_day_before(acme, coding, booked["first"])
    mail.outbox.clear()
    moved = acme["sandbox"].call(
        "PATCH",
        f"/ats/{acme['ats'].unified_id}/interview/{coding.ats_interview_id}",
        json={
            "start_at": new_start.isoformat(),
            "end_at": (new_start + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert moved.status_code == 200, moved.text
    assert wait_until(lambda: Interview.objects.get(pk=coding.interview_id).flags.exists())
    settled()
    drain()
    # The calendar event followed the ATS.
    event = client_for(acme).get_event(acme["calendar"].unified_id, coding.event_id)
    assert event.start_at == new_start
    assert_broken_then_fit(acme, booked, recruiter_client, new_start)


@pytest.mark.django_db(transaction=True)
def test_keeping_a_broken_loop_tells_the_candidate_which_session_moved(
    acme, booked, recruiter_client
):
    coding = booked["coding"]
    move_in_the_calendar(acme, coding, the_day_before(acme, coding, booked["first"]))
    interview = Interview.objects.get(pk=coding.interview_id)
    assert told_candidate(interview) == []
    recruiter_client.post(reverse("interview_keep", args=[interview.pk]))
    drain()
    assert not interview.flags.exists()
    (email,) = told_candidate(interview)
    assert "Your session “Coding” moved to" in email.body
    assert "the rest of your interview is unchanged" in email.body
    assert email.subject.startswith("New time for “Coding”: ")
    # Two days now: one calendar block each, never one block through the night.
    files = {name: content for name, content, _type in email.attachments}
    assert sorted(files) == ["interview-2.ics", "interview.ics"]
    coding.refresh_from_db()
    assert f"DTSTART:{coding.start_at:%Y%m%dT%H%M%SZ}" in files["interview.ics"]
    assert f"DTEND:{coding.end_at:%Y%m%dT%H%M%SZ}" in files["interview.ics"]
    assert "Technical panel" in files["interview-2.ics"]
