"""A candidate on a phone in Tokyo opens their booking link, books, moves and cancels."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates import links
from candidates.models import BookingLink
from scheduling.models import Interview, InterviewPlan, PlanSession
from tests import factories as f
from tests.e2e.conftest import PHONE


@pytest.fixture
def tokyo_phone_page(new_context):
    """The phone of the `phone_page` fixture, with its clock in Tokyo."""
    context = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        timezone_id="Asia/Tokyo",
    )
    return context.new_page()


@pytest.fixture
def link(tenant, recruiter, settings):
    # The write-back to calendars and the ATS is not what this journey is about.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen", timezone="America/New_York")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen", minimum_notice_hours=24)
    PlanSession.objects.create(plan=plan, title_template="{job} screen", duration_minutes=60)
    plan.sessions.get().required.add(ivy)
    application = f.application(ats, f.candidate(ats, "Grace Hopper"), f.job(ats, "Compilers"))
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return links.create_link(
        application,
        plan,
        user=recruiter,
        window_start=monday,
        window_end=monday + dt.timedelta(days=11),
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )


def fits(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def test_a_candidate_books_moves_and_cancels_on_a_phone_in_their_own_zone(
    tokyo_phone_page, link, browser_console
):
    page = tokyo_phone_page
    page.goto(f"/book/{links.token_for(link)}/")

    expect(page.get_by_role("heading", name="Hello Grace")).to_be_visible()
    # The browser's zone replaces the team's (New York) without a reload.
    expect(page.locator("#slot-week .zone-name")).to_have_text("Asia/Tokyo")
    expect(page.get_by_label("Your time zone")).to_have_value("Asia/Tokyo")
    expect(page.get_by_role("button", name="Show times")).to_be_hidden()
    # Ivy's 09:00–17:00 in New York is 23:00–07:00 in Tokyo.
    first = page.locator("a.time").first
    expect(first).to_have_text("23:00")
    assert fits(page)
    box = first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb can hit it

    page.locator("a.time").nth(1).click()  # 23:15
    expect(page.get_by_text(re.compile(r"Confirm \w{3} \d+ \w{3} 23:15–00:15\?"))).to_be_visible()
    assert fits(page)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_contain_text("You’re booked")
    expect(page.locator(".booking-when")).to_contain_text("23:15–00:15 (Asia/Tokyo)")
    expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()
    assert fits(page)
    interview = Interview.objects.get()
    assert interview.candidate_timezone == "Asia/Tokyo"
    assert interview.start_at.astimezone(dt.UTC).strftime("%H:%M") == "14:15"

    page.get_by_role("link", name="Choose another time").click()
    expect(page.get_by_role("heading", name="Hello Grace")).to_be_visible()
    expect(page.get_by_text("Choose a new time for your interview")).to_be_visible()
    page.locator("a.time", has_text="01:00").first.click()
    expect(page.get_by_role("heading", name="Move your interview?")).to_be_visible()
    page.get_by_role("button", name="Move my interview").click()

    expect(page.get_by_role("status")).to_contain_text("Your interview has its new time")
    expect(page.locator(".booking-when")).to_contain_text("01:00–02:00 (Asia/Tokyo)")
    interview.refresh_from_db()
    assert interview.ics_sequence == 1

    page.get_by_role("link", name="Cancel the interview").click()
    page.get_by_label("Why are you canceling?").fill("I accepted another offer.")
    assert fits(page)
    page.get_by_role("button", name="Cancel the interview").click()

    expect(page.get_by_role("status")).to_contain_text("Your interview is canceled.")
    expect(page.get_by_text("You can pick a new time below")).to_be_visible()
    expect(page.locator("a.time").first).to_be_visible()
    assert fits(page)
    interview.refresh_from_db()
    link.refresh_from_db()
    assert interview.status == "canceled" and link.state == BookingLink.State.OPEN
    browser_console.assert_clean()  # no CSP violation, script error or broken asset


def test_without_javascript_the_zone_is_chosen_with_the_button(new_context, link):
    context = new_context(viewport=PHONE, java_script_enabled=False, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"/book/{links.token_for(link)}/")

    expect(page.locator("#slot-week .zone-name")).to_have_text("America/New_York")
    page.get_by_label("Your time zone").select_option("Europe/London")
    page.get_by_role("button", name="Show times").click()

    expect(page.locator("#slot-week .zone-name")).to_have_text("Europe/London")
    expect(page.locator("a.time").first).to_have_text("14:00")
    page.locator("a.time").first.click()
    expect(page.get_by_text(re.compile(r"Confirm \w{3} \d+ \w{3} 14:00–15:00\?"))).to_be_visible()


def test_an_unknown_link_is_a_plain_page_on_a_phone(phone_page):
    response = phone_page.goto("/book/not-a-link/")
    assert response.status == 404
    expect(phone_page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    assert fits(phone_page)
