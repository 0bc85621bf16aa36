"""Issue 26, where and how, in the browser: on Globex (Lever + Outlook) the plan editor will
not promise a video the calendar cannot make; on Acme (Greenhouse + Google) a candidate on a
phone in Sydney reads where their interview is before and after booking, and gets its Meet
link once the calendar made it."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from candidates import links
from scheduling import connections, where
from scheduling.models import Interview
from tests.e2e.conftest import PHONE, drain
from tests.live_world import globex_world, link_far_away

LAPTOP = {"width": 1440, "height": 900}
# Where a person walking it looks at the screens (`I26_SHOTS=/tmp/i26-where pytest …`).
SHOTS = os.environ.get("I26_SHOTS", "")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def globex(live_unified, tenant, django_capture_on_commit_callbacks):
    """The tenant on the sandbox's Globex world: Lever for the ATS, Outlook for calendars."""
    return globex_world(tenant, live_unified, django_capture_on_commit_callbacks)["calendar"]


def test_on_outlook_the_plan_editor_will_not_promise_video(
    globex, new_context, recruiter, admin_member, sign_in, browser_console
):
    assert where.video_of(globex) == where.CANNOT
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, recruiter)
    page.goto("/plans/new/")
    page.get_by_label("Name", exact=True).fill("Phone screen")
    page.get_by_label("Where", exact=True).select_option(where.VIDEO)
    # The preview says, as the recruiter chooses, what the calendar cannot do and what to
    # choose instead.
    problem = page.locator("#plan-where-problem")
    expect(problem).to_contain_text("Microsoft Outlook cannot add video links to events")
    expect(problem).to_contain_text("each interviewer’s own meeting room, a fixed link")
    shot(page, "globex-plan-editor-video-refused")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator("#id_location_kind_error")).to_contain_text(
        "Microsoft Outlook cannot add video links to events"
    )
    # An office with its arrival notes reads as the candidate will read it.
    page.get_by_label("Where", exact=True).select_option(where.OFFICE)
    page.get_by_label("Link, address or number").fill("1 Finsbury Avenue, London")
    page.get_by_label("Arrival notes").fill("Ask for Noor at reception, 4th floor.")
    expect(page.locator("#plan-where")).to_contain_text(
        "The candidate reads: “In person: 1 Finsbury Avenue, London.”"
    )
    expect(page.locator("#plan-where-problem")).to_have_count(0)
    expect(page.locator("#id_location_kind_error")).to_have_count(0)
    shot(page, "globex-plan-editor-office")
    # The admin reads it on the calendar's page.
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, admin_member)
    page.goto(f"/settings/connections/{globex.pk}/")
    expect(page.locator("#video-links")).to_contain_text(
        "Microsoft Outlook cannot add video links: choose another kind of place for your plans"
    )
    shot(page, "globex-connection-video-links")
    browser_console.assert_clean()


@pytest.fixture
def sydney_phone(new_context):
    return new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        timezone_id="Australia/Sydney",
        locale="en-AU",
    ).new_page()


@pytest.fixture
def sydney_link(acme, panel_plan, recruiter, live_server, settings, outbox_waits):
    settings.SITE_URL = live_server.url
    connections.check_meetings(acme["calendar"])
    return link_far_away(acme, panel_plan, recruiter, "Australia/Sydney")


def test_a_candidate_in_sydney_reads_where_and_gets_the_meet_link(
    sydney_phone, sydney_link, acme, new_context, recruiter, sign_in, browser_console
):
    page = sydney_phone
    page.goto(f"/book/{links.token_for(sydney_link)}/")
    facts = page.locator(".booking-facts")
    expect(facts).to_contain_text("Google Meet video call")
    expect(facts).to_contain_text("The link comes with your confirmation.")
    shot(page, "acme-booking-page-phone")
    page.locator("a.time").first.click()
    expect(page.locator(".where").first).to_contain_text("Google Meet video call")
    shot(page, "acme-confirm-phone")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You’re booked")
    # Before the calendar made the events: when the links come, never a made-up one.
    expect(page.locator(".where").first).to_contain_text(
        "The link comes by email as soon as the calendar creates it."
    )
    expect(page.get_by_role("link", name="Join the call")).to_have_count(0)
    shot(page, "acme-booked-before-links")
    drain()
    interview = Interview.objects.get(application=sydney_link.application)
    links_made = [s.meeting_url for s in interview.sessions.order_by("start_at")]
    assert all(u.startswith("https://meet.sandbox.test/") for u in links_made)
    page.reload()
    joins = page.get_by_role("link", name="Join the call")
    expect(joins).to_have_count(2)
    assert [joins.nth(i).get_attribute("href") for i in range(2)] == links_made
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    shot(page, "acme-booked-with-links")

    # The recruiter's interview page: a Where row for each session, with its link.
    desk = new_context(viewport=LAPTOP).new_page()
    sign_in(desk, recruiter)
    desk.goto(f"/interviews/{interview.pk}/")
    rows = desk.locator(".session-where")
    expect(rows).to_have_count(2)
    for index, link in enumerate(links_made):
        expect(rows.nth(index)).to_contain_text("Google Meet video call")
        expect(rows.nth(index).get_by_role("link", name=link)).to_be_visible()
    shot(desk, "acme-interview-page-where")
    browser_console.assert_clean()
