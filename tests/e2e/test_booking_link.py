"""A candidate on a phone in Tokyo opens their booking link, books, moves and cancels; the
sandbox's calendar and ATS follow each step."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates import links
from candidates.models import BookingLink
from scheduling.models import Interview, InterviewPlan, PlanSession
from scheduling.unified.errors import NotFoundError
from tests import factories as f
from tests.e2e.conftest import PHONE, drain
from tests.integration.test_scheduling import sandbox_client
from tests.live_world import (
    link_far_away,
    next_week,
)

TOKYO = dt.timezone(dt.timedelta(hours=9))  # no daylight saving time


@pytest.fixture
def tokyo_phone_page(new_context):
    """The phone of the `phone_page` fixture, with its clock in Tokyo."""
    context = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        timezone_id="Asia/Tokyo",
        locale="ja-JP",  # 24-hour times
    )
    return context.new_page()


@pytest.fixture
def link(tenant, recruiter, settings):
    """A link to a one-person plan whose interviewer has no calendar: the times offered are
    her working hours, the same every week."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen", timezone="America/New_York")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen", minimum_notice_hours=24)
    PlanSession.objects.create(plan=plan, title_template="{job} screen", duration_minutes=60)
    plan.sessions.get().required.add(ivy)
    application = f.application(ats, f.candidate(ats, "Grace Hopper"), f.job(ats, "Compilers"))
    monday = next_week()
    return links.create_link(
        application,
        plan,
        user=recruiter,
        window_start=monday,
        window_end=monday + dt.timedelta(days=11),
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )


@pytest.fixture
def sandbox_link(acme, panel_plan, recruiter, live_server, settings, outbox_waits):
    """A link to the sandbox panel (Maya with Daniel or Grace, then Sofía) for a new candidate
    of the sandbox ATS, over two weekdays cleared for the panel, as Tokyo reads them (a New
    York afternoon is the next morning there)."""
    settings.SITE_URL = live_server.url
    return link_far_away(acme, panel_plan, recruiter, "Asia/Tokyo")


def fits(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def candidate_events(acme, interview, link):
    """The sandbox calendar's standing events Convene wrote for the interview, in the link's
    window (found by their sessions' refs, as Convene finds them); none lists the candidate,
    whose one invitation is Convene's email."""
    first = dt.datetime.combine(link.window_start, dt.time(), tzinfo=dt.UTC)
    last = dt.datetime.combine(link.window_end, dt.time(), tzinfo=dt.UTC)
    refs = [s.ref for s in interview.sessions.all()]
    events = [
        event
        for event in sandbox_client(acme["sandbox"]).list_events(
            acme["calendar"].unified_id,
            start_gte=first - dt.timedelta(days=1),
            end_lt=last + dt.timedelta(days=2),
        )
        if any(ref in (event.notes or "") for ref in refs) and event.status != "CANCELED"
    ]
    email = interview.application.candidate.email
    assert all(email not in {a.email for a in event.attendees} for event in events)
    return events


def assert_written(acme, interview, link):
    """Each session is one event in the sandbox calendar and one ATS interview, at its time;
    the candidate has no other event."""
    api = sandbox_client(acme["sandbox"])
    sessions = list(interview.sessions.order_by("position"))
    assert len(sessions) == 2 and all(s.event_id for s in sessions)
    for session in sessions:
        event = api.get_event(acme["calendar"].unified_id, session.event_id)
        assert (event.start_at, event.end_at) == (session.start_at, session.end_at)
        ats = api.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "SCHEDULED" and ats.start_at == session.start_at
        assert ats.external_event_xref == session.event_id
    assert sorted(e.id for e in candidate_events(acme, interview, link)) == sorted(
        s.event_id for s in sessions
    )
    return {s.pk: (s.event_id, s.ats_interview_id) for s in sessions}


def test_a_candidate_books_moves_and_cancels_on_a_phone_in_their_own_zone(
    tokyo_phone_page, sandbox_link, acme, browser_console
):
    page = tokyo_phone_page
    candidate = sandbox_link.application.candidate
    page.goto(f"/book/{links.token_for(sandbox_link)}/")

    expect(page.get_by_role("heading", name=f"Hello {candidate.greeting_name}")).to_be_visible()
    # The page opened in the browser's zone, not the team's (New York), from its first paint.
    expect(page.locator("#slot-week .zone-name")).to_have_text("Tokyo time (Japan, UTC+9)")
    expect(page.get_by_label("Your time zone")).to_have_value("Asia/Tokyo")
    expect(page.get_by_role("button", name="Show times")).to_be_hidden()
    first = page.locator("a.time").first
    expect(first).to_have_text(re.compile(r"^\d\d:\d\d$"))
    assert fits(page)
    box = first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb can hit it

    chosen = first.inner_text()
    first.click()
    # The whole loop: an hour with Maya and her colleague, then 45 minutes with Sofía.
    expect(
        page.get_by_text(re.compile(rf"Confirm \w{{3}} \d+ \w{{3}} {chosen}–\d\d:\d\d\?"))
    ).to_be_visible()
    assert fits(page)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_contain_text("You’re booked")
    expect(page.locator(".booking-when")).to_contain_text(f"{chosen}–")
    expect(page.locator(".booking-when")).to_contain_text("Tokyo time (Japan, UTC+9)")
    expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()
    assert fits(page)
    interview = Interview.objects.get(application=sandbox_link.application)
    assert interview.candidate_timezone == "Asia/Tokyo"
    assert interview.start_at.astimezone(TOKYO).strftime("%H:%M") == chosen
    drain()
    booked = assert_written(acme, interview, sandbox_link)

    page.get_by_role("link", name="Choose another time").click()
    expect(page.get_by_role("heading", name=f"Hello {candidate.greeting_name}")).to_be_visible()
    expect(page.get_by_text("Choose a new time for your interview")).to_be_visible()
    # The last time of the week: another day, or later the same day.
    later = page.locator("a.time").last
    moved_to = later.inner_text()
    later.click()
    expect(page.get_by_role("heading", name="Move your interview?")).to_be_visible()
    page.get_by_role("button", name="Move my interview").click()

    expect(page.get_by_role("status")).to_contain_text("Your interview has its new time")
    expect(page.locator(".booking-when")).to_contain_text(f"{moved_to}–")
    before = interview.start_at
    interview.refresh_from_db()
    assert interview.ics_sequence == 1 and interview.start_at > before
    drain()
    # The same events and ATS interviews moved: nothing new was created beside them.
    assert assert_written(acme, interview, sandbox_link) == booked

    page.get_by_role("link", name="Cancel the interview").click()
    page.get_by_label("Accepted another offer").check()
    assert fits(page)
    page.get_by_role("button", name="Cancel the interview").click()

    expect(page.get_by_role("status")).to_contain_text("Your interview is canceled.")
    expect(page.get_by_text("You can pick a new time below")).to_be_visible()
    expect(page.locator("a.time").first).to_be_visible()
    assert fits(page)
    interview.refresh_from_db()
    sandbox_link.refresh_from_db()
    assert interview.status == "canceled" and sandbox_link.state == BookingLink.State.OPEN
    drain()
    api = sandbox_client(acme["sandbox"])
    for session in interview.sessions.all():
        with pytest.raises(NotFoundError):
            api.get_event(acme["calendar"].unified_id, session.event_id)
        ats = api.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "CANCELED"
    assert candidate_events(acme, interview, sandbox_link) == []
    browser_console.assert_clean()  # no CSP violation, script error or broken asset


def test_without_javascript_the_zone_is_chosen_with_the_button(new_context, link):
    context = new_context(
        viewport=PHONE, java_script_enabled=False, timezone_id="Asia/Tokyo", locale="en-GB"
    )
    page = context.new_page()
    page.goto(f"/book/{links.token_for(link)}/")

    # The team's zone, not known to be the candidate's: every time, and the picker.
    expect(page.locator("#slot-week .zone-name")).to_contain_text("New York time")
    expect(page.get_by_text("Choose your time zone above")).to_be_visible()
    page.get_by_label("Your time zone").select_option("Europe/London")
    page.get_by_role("button", name="Show times").click()

    expect(page.locator("#slot-week .zone-name")).to_contain_text("London time (United Kingdom")
    # Ivy's first hour, 09:00 in New York on the window's first day, on London's clock: 14:00,
    # or 13:00 in the weeks between America's and Europe's clock changes.
    first = dt.datetime.combine(link.window_start, dt.time(9), ZoneInfo("America/New_York"))
    london = first.astimezone(ZoneInfo("Europe/London"))
    hour = f"{london:%H:%M}–{london + dt.timedelta(hours=1):%H:%M}"
    expect(page.locator("a.time").first).to_have_text(f"{london:%H:%M}")
    page.locator("a.time").first.click()
    expect(page.get_by_text(re.compile(rf"Confirm \w{{3}} \d+ \w{{3}} {hour}\?"))).to_be_visible()


def test_an_unknown_link_is_a_plain_page_on_a_phone(phone_page):
    response = phone_page.goto("/book/not-a-link/")
    assert response.status == 404
    expect(phone_page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    assert fits(phone_page)
