"""The pipeline's Autopilot tab as a recruiter reads it on a laptop: what autopilot did today
and before, who is still waiting and for how long, what came back to them; the filter for
what needs them (HTMX, the address kept); a line followed to the candidate's page; no
critical or serious accessibility violation (axe-core)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates.autopilot import record
from candidates.models import AutopilotEvent, StageEntry
from scheduling.models import InterviewPlan
from tests import factories as f

LAPTOP = {"width": 1440, "height": 900}
Kind = AutopilotEvent.Kind
# Screenshots of the walk, to look at (`AUTOPILOT_SHOTS=folder`); none by default.
SHOTS = os.environ.get("AUTOPILOT_SHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def week(tenant):
    """Three applications autopilot handled this week: Ada waiting two days, Lin booked,
    Sam back with the recruiter after two reminders."""
    now = timezone.now()
    ats = f.connection(tenant)
    job = f.job(ats, "Robotics Engineer")
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        stage_status="SECOND_INTERVIEW",
        autopilot=InterviewPlan.Autopilot.LINK,
    )

    def entry(name, state, days_ago, reason=""):
        application = f.application(ats, f.candidate(ats, name), job)
        return StageEntry.objects.create(
            tenant=tenant,
            application=application,
            plan=plan,
            entered_at=now - dt.timedelta(days=days_ago, hours=1),
            due_at=now - dt.timedelta(days=days_ago),
            action=InterviewPlan.Autopilot.LINK,
            state=state,
            sent_at=now - dt.timedelta(days=days_ago),
            reason=reason,
        )

    ada = entry("Ada Shah", StageEntry.State.SENT, 2)
    record(ada, Kind.SENT_LINK, "Sent a booking link to Ada Shah for the “Onsite” plan",
           now=now - dt.timedelta(days=2))  # fmt: skip
    lin = entry("Lin Park", StageEntry.State.BOOKED, 1)
    record(lin, Kind.SENT_LINK, "Sent a booking link to Lin Park for the “Onsite” plan",
           now=now - dt.timedelta(days=1))  # fmt: skip
    record(lin, Kind.BOOKED, "Booked: Friday 14:00", now=now - dt.timedelta(hours=3))
    sam = entry("Sam Ortiz", StageEntry.State.RETURNED, 5, reason="No answer after 2 reminders")
    record(sam, Kind.SENT_LINK, "Sent a booking link to Sam Ortiz for the “Onsite” plan",
           now=now - dt.timedelta(days=5))  # fmt: skip
    record(sam, Kind.RETURNED, "Back with you: no answer after 2 reminders",
           now=now - dt.timedelta(minutes=30))  # fmt: skip
    return {"sam": sam}


def test_a_recruiter_reads_what_autopilot_did_and_finds_what_needs_them(
    new_context, sign_in, recruiter, week, axe
):
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, recruiter)
    page.get_by_role("link", name="Pipeline").first.click()
    tab = page.get_by_role("link", name="Autopilot 1")
    expect(tab).to_be_visible()
    tab.click()
    expect(page.get_by_role("heading", name="Pipeline", level=1)).to_be_visible()
    feed = page.locator("#feed-lines")
    expect(feed).to_contain_text("Back with you: no answer after 2 reminders")
    expect(feed).to_contain_text("Waiting for an answer: 2 days")
    expect(feed).to_contain_text("Booked: Friday 14:00")
    expect(page.get_by_role("cell", name="Send the booking link")).to_be_visible()
    shot(page, "1-feed")
    axe(page)

    page.get_by_label("Only what needs you").check()
    expect(page).to_have_url(re.compile(r"action=on"))
    expect(feed).to_contain_text("1 line matching the filters")
    expect(feed).not_to_contain_text("Ada Shah")
    shot(page, "2-needs-you")

    # The plan's switch pauses autopilot at once, and the feed says so.
    page.get_by_role("button", name="Pause autopilot for Onsite").click()
    expect(page.get_by_role("button", name="Resume autopilot for Onsite")).to_be_visible()
    expect(page.locator(".feed-switch .badge")).to_have_text("Paused")
    page.get_by_label("Only what needs you").uncheck()
    expect(feed).to_contain_text("Paused")
    shot(page, "3-paused")

    page.get_by_role("link", name="Sam Ortiz · Back with you: no answer after 2 reminders").click()
    expect(page.get_by_role("heading", name="Sam Ortiz")).to_be_visible()
