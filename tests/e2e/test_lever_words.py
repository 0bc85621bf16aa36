"""Globex's journey in a real browser (Lever, which takes no interviews from Convene, and
Microsoft Outlook): the admin connects both, the recruiter books, and every page says what
was really written in each system (issue 26, "Say what happened, per connection"); the note
in the sandbox's Lever reads as a person would write it."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Interview, InterviewPlan
from tests.e2e.conftest import drain
from tests.e2e.test_recruiter_journey import connect
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

SHOTS = "test-results/lever-words"


@pytest.fixture
def live_convene(live_unified, live_server, settings):
    settings.SITE_URL = live_server.url
    return live_unified


def book_on(page, application, day):
    """The recruiter finds the candidate in the pipeline and books the first time on `day`."""
    page.goto(f"/pipeline/?q={application.candidate.email}")
    page.locator("#pipeline-table tbody tr").first.get_by_role("link", name="Schedule").click()
    heading = f"{day:%a} {day.day} {day:%b}"
    column = page.locator("#slot-week .day").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{heading}"))
    )
    if not column.count():
        first_day = page.locator("#slot-week .day h3").first.inner_text()
        page.get_by_role("link", name="Next 7 days →").click()
        expect(page.locator("#slot-week .day h3").first).not_to_have_text(first_day)
    column.locator("a.time:not(.outside)").first.click()
    page.locator("#slot-detail").get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name=re.compile("^Interview with"))).to_be_visible()
    return Interview.objects.get(application=application)


def test_globex_books_on_lever_and_outlook_and_each_page_says_what_was_written(
    page, live_convene, admin_member, recruiter, tenant, sign_in, new_context
):
    tenant.default_timezone = "Europe/London"
    tenant.save()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, admin_member)
    connect(page, "Connect your ATS", "Lever")
    expect(page.get_by_text("Last sync finished")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Settings").click()
    connect(page, "Connect a calendar", "Microsoft Outlook", scope="Whole company")
    # The calendars by their names, never their opaque Outlook ids.
    expect(page.get_by_role("heading", name="Calendars")).to_be_visible()
    calendars = page.locator("table").filter(has_text="Interviewer")
    expect(calendars).not_to_contain_text("AAMkAG")
    expect(calendars).to_contain_text("@")
    page.screenshot(path=f"{SHOTS}/1-outlook-calendars.png", full_page=True)
    page.get_by_role("link", name="Plans").click()
    page.get_by_role("button", name="Create a starter plan").click()
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Saved the plan")).to_be_visible()

    world = world_of(live_convene, tenant)
    plan = InterviewPlan.objects.get(tenant=tenant)
    today = timezone.localtime(timezone.now(), team_zone(world)).date()
    first, second = free_days(
        world, plan_people(plan), 2, after=monday_of(today) + dt.timedelta(days=6)
    )

    recruiting = new_context(viewport={"width": 1440, "height": 900})
    page = recruiting.new_page()
    sign_in(page, recruiter)
    application = new_application(world)
    interview = book_on(page, application, first)
    # Unless Lever answered already (the live server runs the writes at once), the banner
    # names what Convene tries and what may come instead.
    banner = page.locator(".message").first
    expect(banner).to_contain_text(f"Booked {application.candidate}. In a moment:")
    expect(banner).to_contain_text("the calendar event in Microsoft Outlook")
    expect(banner).to_contain_text(
        re.compile(
            r"the interview in Lever \(or a note on the application, if Lever does not accept "
            r"interviews from Convene\)|a note on the application in Lever \(Lever does not "
            r"accept interviews from Convene\)"
        )
    )
    page.screenshot(path=f"{SHOTS}/2a-first-banner.png")
    drain()
    page.reload()
    card = page.locator(".session-card")
    expect(card).to_contain_text(
        "Recorded as a note on the application in Lever: Lever does not accept interviews "
        "from Convene."
    )
    expect(card).not_to_contain_text("a note only")
    history = page.locator("ul.history li")
    expect(history).to_have_count(1)
    expect(history).to_contain_text(re.compile(r"London time \(United Kingdom, UTC\+[01]\)"))
    page.get_by_text("Technical details").click()
    tasks = page.locator("table tbody tr")
    expect(
        tasks.filter(has_text="Note on the application in Lever: interview scheduled")
    ).to_contain_text("Done")
    expect(page.locator("table")).not_to_contain_text("Create the ATS interview")
    page.screenshot(path=f"{SHOTS}/2-interview-page.png", full_page=True)

    # In Lever, the note reads as a person would write it.
    api = sandbox_client(live_convene)
    (note,) = [
        a
        for a in api.list_activities(world["ats"].unified_id, application_id=application.remote_id)
        if a.title == "Interview scheduled by Convene"
    ]
    session = interview.sessions.get()
    assert note.description.startswith(f"{session.title} with ")
    assert "London time (United Kingdom, UTC+" in note.description
    assert "convene-" not in note.description
    assert re.search(r"\n\nRef: cv-[0-9a-f]{10}$", note.description)

    # Now that Lever refused once, the next booking's banner says a note follows.
    other = new_application(world)
    book_on(page, other, second)
    expect(page.locator(".message").first).to_contain_text(
        "a note on the application in Lever (Lever does not accept interviews from Convene)"
    )
    page.screenshot(path=f"{SHOTS}/3-second-banner.png")
    drain()
    page.get_by_role("link", name="Sync problems").click()
    expect(page.locator("#written")).to_contain_text(
        "2 sessions as notes on the candidates’ applications (Lever does not accept interviews "
        "from Convene)"
    )
    expect(page.locator("#written")).to_contain_text("2 calendar events")
    page.screenshot(path=f"{SHOTS}/4-sync-problems.png", full_page=True)
