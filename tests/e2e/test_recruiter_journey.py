"""The recruiter's main journey in a real browser, against a live Convene and the live
sandbox: connect the ATS and the calendar through Unified Connect, watch the first sync,
make a plan, schedule an interview and see it written to the calendar and the ATS."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import writeback
from scheduling.models import Interview, Operation

pytestmark = pytest.mark.sandbox


@pytest.fixture
def live_convene(live_unified, live_server, settings):
    settings.SITE_URL = live_server.url
    return live_unified


def drain():
    for _ in range(50):
        due = list(Operation.objects.filter(status="pending").values_list("pk", flat=True))
        if not any([writeback.perform(pk) for pk in due]):
            return


def connect(page, button, integration, scope=None):
    page.get_by_role("link", name=button).first.click()
    page.get_by_role("link", name=integration).click()
    # The sandbox's consent page, standing in for Unified Connect and the vendor.
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    if scope:
        page.get_by_label(scope).check()
    page.get_by_role("button", name="Allow").click()


def test_recruiter_connects_the_ats_and_calendar_and_schedules_an_interview(
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
    expect(page.get_by_text("Created a starter plan")).to_be_visible()
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Saved the plan")).to_be_visible()

    page.get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()
    first = page.locator("#pipeline-table tbody tr").first
    candidate = first.locator("a[href^='/candidates/']").inner_text()
    first.get_by_role("link", name="Schedule").click()
    expect(
        page.get_by_role("heading", name=re.compile(f"Schedule {re.escape(candidate)}"))
    ).to_be_visible()

    # Next week, where working days have free times.
    page.get_by_role("link", name="Next week →").click()
    slot = page.locator("details.slot").first
    slot.locator("summary").click()
    slot.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name=f"Interview with {candidate}")).to_be_visible()
    expect(
        page.get_by_text("The calendar events, the ATS interview and the confirmation")
    ).to_be_visible()
    interview = Interview.objects.get(application__candidate__name=candidate)
    drain()
    page.reload()
    session = interview.sessions.get()
    expect(page.get_by_text(session.event_id)).to_be_visible()
    expect(page.get_by_text(f"interview {session.ats_interview_id}")).to_be_visible()
    assert interview.start_at > timezone.now() + dt.timedelta(hours=23)
    # The candidate's confirmation went out.
    expect(page.get_by_role("cell", name="Done").first).to_be_visible()
