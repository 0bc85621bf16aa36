"""An interviewer's feedback, from the emailed link: fill in, the draft survives a reload,
submit, thank you."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from scheduling import feedback
from scheduling.models import FeedbackRequest
from tests.feedback_helpers import past_interview, perform_emails


@pytest.fixture
def emailed_link(tenant, settings):
    # The journey is the interviewer's: the outbox stays put (no scorecard is sent anywhere).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.UNIFIED_BASE_URL = "http://unified.invalid"
    panel = past_interview(tenant)
    feedback.request_due()
    perform_emails()
    email = next(m for m in mail.outbox if m.to == [panel.ivy.email])
    return re.search(r"https?://[^/\s]+(/feedback/\S+/)", email.body).group(1)


def saved_with(text):
    """The autosave whose form data carries `text` (typing restarts its 800 ms wait)."""

    def matches(response):
        request = response.request
        return request.url.endswith("/draft/") and text in (request.post_data or "")

    return matches


def test_interviewer_fills_in_reloads_and_submits_from_the_emailed_link(page, emailed_link):
    page.goto(emailed_link)
    expect(page.get_by_role("heading", name="Feedback on Grace Hopper")).to_be_visible()
    expect(page.locator("#draft-status")).to_have_text("Not saved yet.")

    page.get_by_label("Strong yes").check()
    first = page.get_by_role("group", name="1. Problem solving")
    first.get_by_label("Rating").select_option("3")
    first.get_by_label("Comment").fill("Broke the problem down well.")
    with page.expect_response(saved_with("pair")):
        page.get_by_label("Anything else").fill("Would pair well with the platform team.")
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"Saved at \d\d:\d\d"))

    page.reload()
    expect(page.get_by_label("Strong yes")).to_be_checked()
    first = page.get_by_role("group", name="1. Problem solving")
    expect(first.get_by_label("Rating")).to_have_value("3")
    expect(first.get_by_label("Comment")).to_have_value("Broke the problem down well.")
    expect(page.get_by_label("Anything else")).to_have_value(
        "Would pair well with the platform team."
    )

    page.get_by_role("button", name="Submit feedback").click()

    expect(page.get_by_role("heading", name="Thank you — submitted")).to_be_visible()
    expect(page.get_by_text("Broke the problem down well.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit feedback")).to_have_count(0)
    item = FeedbackRequest.objects.get(interviewer__name="Ivy Chen")
    assert item.status == "submitted" and item.recommendation == "STRONG_YES"


def test_submitting_without_a_recommendation_shows_the_error_beside_it(page, emailed_link):
    page.goto(emailed_link)
    page.get_by_role("group", name="2. Communication").get_by_label("Comment").fill("Clear.")

    page.get_by_role("button", name="Submit feedback").click()

    expect(page.locator("#recommendation-error")).to_have_text(
        "Choose a recommendation before you submit."
    )
    expect(
        page.get_by_role("group", name="2. Communication").get_by_label("Comment")
    ).to_have_value("Clear.")
