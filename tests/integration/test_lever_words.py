"""Globex (Lever, which takes no interviews from Convene, and Microsoft Outlook) against the
live sandbox: what is written, and what the recruiter reads about it (issue 26, "Say what
happened, per connection")."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from scheduling import booking, slots
from scheduling.models import Interviewer
from tests.integration.test_scheduling import sandbox_client
from tests.live_world import drain, free_days, globex_world, new_application, team_zone

pytestmark = pytest.mark.sandbox


def text(response):
    return " ".join(strip_tags(response.content.decode().replace("<", " <")).split())


@pytest.fixture
def globex(live_unified, tenant, django_capture_on_commit_callbacks):
    """The tenant's ATS is the sandbox's Lever, its calendars Microsoft Outlook's (opaque
    calendar ids), on the team's zone of the Globex world."""
    return globex_world(tenant, live_unified, django_capture_on_commit_callbacks)


def test_a_booking_on_lever_is_a_note_that_reads_cleanly_and_every_page_says_so(
    globex, tenant, recruiter, recruiter_client, django_capture_on_commit_callbacks
):
    person = (
        Interviewer.objects.filter(tenant=tenant, calendar_connection=globex["calendar"])
        .order_by("name")
        .first()
    )
    (day,) = free_days(globex, [person])
    start = dt.datetime.combine(day, dt.time(11), team_zone(globex))
    application = new_application(globex)
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Phone screen",
                start,
                start + dt.timedelta(minutes=45),
                ((str(person.pk), "required", None),),
            ),
        )
    )
    with django_capture_on_commit_callbacks(execute=False):
        interview = booking.book(application, None, choice, user=recruiter)
    drain()

    session = interview.sessions.get()
    assert session.event_id and session.ats_record == "activity"
    # In Lever: one note, in words, with the marker on a last line of its own.
    api = sandbox_client(globex["sandbox"])
    notes = [
        a
        for a in api.list_activities(
            globex["ats"].unified_id, application_id=application.remote_id
        )
        if a.title == "Interview scheduled by Convene"
    ]
    assert len(notes) == 1
    lines = notes[0].description.split("\n\n")
    assert lines[0] == (
        f"Phone screen with {person.name}: {start:%a} {start.day} {start:%b %Y}, "
        f"11:00–11:45 London time (United Kingdom, {'UTC+1' if start.dst() else 'UTC+0'})."
    )
    assert lines[1] == f"Booked by {recruiter}."
    assert re.fullmatch(r"Ref: cv-[0-9a-f]{10}", lines[2])
    assert "convene-" not in notes[0].description and " UTC " not in notes[0].description

    page = text(recruiter_client.get(reverse("interview_detail", args=[interview.pk])))
    assert "Recorded as a note on the application in Lever: Lever does not accept" in page
    assert "Note on the application in Lever: interview scheduled" in page
    assert "Create the ATS interview" not in page
    history = page[page.index("History") : page.index("Technical details")]
    assert history.count("Booked") == 1
    offset = "UTC+1" if start.dst() else "UTC+0"
    when = f"{start:%a} {start.day} {start:%b %Y} 11:00"
    assert f"for {when} London time (United Kingdom, {offset})" in history

    # Lever's refusal is remembered: the next booking's banner says a note follows.
    globex["ats"].refresh_from_db()
    assert globex["ats"].ats_record_for_bookings() == "activity"
    problems = text(recruiter_client.get(reverse("problems")))
    assert "Lever 1 session as a note on the candidate’s application" in problems
    assert "Microsoft Outlook 1 calendar event" in problems
    assert timezone.now() < interview.start_at


def test_outlook_calendars_show_by_name_not_by_their_opaque_ids(globex, admin_client_):
    calendar = globex["calendar"]
    assert calendar.calendars and all(c["id"].startswith("AAMkAG") for c in calendar.calendars)
    page = text(admin_client_.get(reverse("connection_detail", args=[calendar.pk])))
    assert "AAMkAG" not in page
    linked = Interviewer.objects.filter(calendar_connection=calendar).first()
    assert linked.calendar_name == next(
        c["name"] for c in calendar.calendars if c["id"] == linked.calendar_id
    )
    assert linked.calendar_name in page
