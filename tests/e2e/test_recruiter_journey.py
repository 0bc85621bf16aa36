"""The recruiter's main journey in a real browser, against a live Convene and the live
sandbox: connect the ATS and the calendar through Unified Connect, watch the first sync,
make a panel plan, schedule a panel and see it written to every interviewer's calendar and
the ATS."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Interview, InterviewPlan
from tests.e2e.conftest import drain
from tests.integration.test_scheduling import sandbox_client
from tests.live_world import (
    free_days,
    monday_of,
    new_application,
    plan_people,
    team_zone,
    world_of,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture
def live_convene(live_unified, live_server, settings):
    settings.SITE_URL = live_server.url
    return live_unified


def connect(page, button, integration, scope=None):
    page.get_by_role("link", name=button).first.click()
    page.get_by_role("link", name=integration).click()
    # The sandbox's consent page, standing in for Unified Connect and the vendor.
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    if scope:
        page.get_by_label(scope).check()
    page.get_by_role("button", name="Allow").click()


def test_recruiter_connects_the_ats_and_calendar_and_schedules_a_panel(
    page, live_convene, admin_member, tenant, sign_in, browser_console
):
    sign_in(page, admin_member)
    expect(page.get_by_role("heading", name="Get started: connect your systems")).to_be_visible()

    connect(page, "Connect your ATS", "Greenhouse")
    expect(page.get_by_text("Greenhouse is connected.")).to_be_visible()
    # The first sync's progress is polled with HTMX until it finishes.
    expect(page.get_by_text("Last sync finished")).to_be_visible(timeout=20_000)
    expect(page.get_by_text(re.compile(r"\d+ candidates"))).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    connect(page, "Connect a calendar", "Google Calendar", scope="Whole company")
    expect(
        page.get_by_text(re.compile(r"\d+ calendars; \d+ linked to interviewers"))
    ).to_be_visible()

    page.get_by_role("link", name="Plans").click()
    page.get_by_role("button", name="Create a starter plan").click()
    expect(page.get_by_text("Made “Default interview”")).to_be_visible()
    # A panel: Maya always, beside the one the starter plan takes from everyone.
    session = page.locator(".session-form").first
    session.locator("select[id$='-required']").select_option(label="Maya Chen")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Saved the plan")).to_be_visible()

    # A weekday of next week with nothing on the calendars of anyone the plan may seat: the
    # time booked below is on it, whatever the day's seed holds.
    world = world_of(live_convene, tenant)
    today = timezone.localtime(timezone.now(), team_zone(world)).date()
    sunday = monday_of(today) + dt.timedelta(days=6)
    (day,) = free_days(world, plan_people(InterviewPlan.objects.get(tenant=tenant)), after=sunday)

    # A candidate the test made (with an email, so a confirmation goes out), found as a
    # recruiter finds one: the pipeline's search.
    application = new_application(world)
    page.get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()
    page.goto(f"/pipeline/?q={application.candidate.email}")
    first = page.locator("#pipeline-table tbody tr").first
    candidate = first.locator("a[href^='/candidates/']").inner_text()
    first.get_by_role("link", name="Schedule").click()
    expect(
        page.get_by_role("heading", name=re.compile(f"Schedule {re.escape(candidate)}"))
    ).to_be_visible()

    # The picker shows seven days from today; the cleared day is in them or the next seven.
    heading = f"{day:%a} {day.day} {day:%b}"  # as the picker names a day: Tue 8 Dec
    column = page.locator("#slot-week .day").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{heading}"))
    )
    if not column.count():
        first_day = page.locator("#slot-week .day h3").first.inner_text()
        page.get_by_role("link", name="Next 7 days →").click()
        # HTMX swaps the week in: wait for it, or the time chosen below is this week's.
        expect(page.locator("#slot-week .day h3").first).not_to_have_text(first_day)
    column.locator("a.time").first.click()
    detail = page.locator("#slot-detail")
    # The time chosen names its whole panel: Maya and one colleague.
    expect(detail.get_by_role("button", name="Book")).to_be_visible()
    shown = detail.locator(".seat-name").all_inner_texts()
    assert "Maya Chen" in shown and len(shown) == 2, shown
    detail.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name=f"Interview with {candidate}")).to_be_visible()
    # What follows, per connection (with "or a note" while Greenhouse has not answered).
    expect(
        page.get_by_text(
            re.compile(
                r"In a moment: the calendar event in Google Calendar, the interview in "
                r"Greenhouse( \(or a note on the application, if Greenhouse does not accept "
                r"interviews from Convene\))? and the confirmation email to"
            )
        )
    ).to_be_visible()
    interview = Interview.objects.get(application__candidate__name=candidate)
    session = interview.sessions.get()
    attendees = [a.interviewer for a in session.attendees.select_related("interviewer")]
    assert sorted(a.name for a in attendees) == sorted(shown)
    for name in shown:
        expect(page.locator(".attendees .attendee-name").get_by_text(name)).to_be_visible()
    drain()
    page.reload()
    session.refresh_from_db()
    # The ids and the writes are there for whoever looks, behind one disclosure.
    expect(page.get_by_text(session.event_id)).to_be_hidden()
    page.get_by_text("Technical details").click()
    expect(page.get_by_text(session.event_id)).to_be_visible()
    expect(page.get_by_text(session.ats_interview_id)).to_be_visible()
    assert interview.start_at > timezone.now() + dt.timedelta(hours=23)
    assert timezone.localtime(interview.start_at, team_zone(world)).date() == day
    # The candidate's confirmation went out.
    confirmation = page.locator("tr").filter(has_text=f"The confirmation to {candidate}")
    expect(confirmation.get_by_role("cell", name="Done")).to_be_visible()
    # Every interviewer's own calendar holds the event.
    api = sandbox_client(live_convene)
    for person in attendees:
        events = api.list_events(
            person.calendar_connection.unified_id,
            calendar_id=person.calendar_id,
            start_gte=session.start_at,
            end_lt=session.end_at,
        )
        assert session.event_id in {e.id for e in events}, person.name
