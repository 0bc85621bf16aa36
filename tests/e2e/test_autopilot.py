"""Autopilot's queue, as a recruiter on a laptop uses it: an application moved into the
Onsite stage in the sandbox ATS shows on the Pipeline's card with what will be sent to whom;
one click sends the booking link (the card updates in place), and the candidate's email
carries the link."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidates import links
from candidates.models import BookingLink, StageEntry
from scheduling.models import InterviewPlan
from tests.e2e.conftest import drain
from tests.live_world import new_application, sync

pytestmark = pytest.mark.sandbox


@pytest.fixture
def queued(acme, tenant, live_server, settings, outbox_waits):
    settings.SITE_URL = live_server.url
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        stage_status="SECOND_INTERVIEW",
        autopilot=InterviewPlan.Autopilot.QUEUE,
    )
    application = new_application(acme, "FIRST_INTERVIEW")
    acme["sandbox"].set_application_status(
        acme["ats"].unified_id, application.remote_id, status="SECOND_INTERVIEW"
    )
    sync(acme)
    entry = StageEntry.objects.get(application=application, plan=plan)
    assert entry.state == StageEntry.State.QUEUED
    return entry


def test_the_recruiter_sends_a_queued_link_in_one_click(
    page, queued, recruiter, sign_in, browser_console, axe
):
    candidate = queued.application.candidate
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, recruiter)
    page.goto("/pipeline/")
    card = page.locator("#autopilot-queue")
    expect(card.get_by_role("heading", name="Needs scheduling: ready to send")).to_be_visible()
    line = card.locator(".autopilot-queue li", has_text=candidate.name)
    expect(line).to_contain_text(
        f"Booking link for the “Onsite” plan to {candidate.name} ({candidate.email})"
    )
    axe(page)
    line.get_by_role("button", name=re.compile("^Send")).click()
    expect(
        card.get_by_text(f"Sent {candidate.name} a booking link for the “Onsite” plan.")
    ).to_be_visible()
    expect(card.locator(".autopilot-queue li", has_text=candidate.name)).to_have_count(0)
    queued.refresh_from_db()
    assert queued.state == StageEntry.State.SENT and queued.sent_by == recruiter
    drain()
    link = BookingLink.objects.get(application=queued.application)
    (email,) = [m for m in mail.outbox if candidate.email in m.to]
    assert links.url_for(link) in email.body
