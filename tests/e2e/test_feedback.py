"""An interviewer's feedback, from the emailed link: fill in, the draft survives a reload,
submit, thank you; the scorecard reaches the sandbox ATS."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import booking, feedback, slots
from scheduling.models import FeedbackRequest
from tests.e2e.conftest import drain
from tests.integration.conftest import person
from tests.integration.test_scheduling import sandbox_client
from tests.live_world import new_application


@pytest.fixture
def ended(acme, panel_plan, live_server, settings, outbox_waits):
    """The sandbox panel, booked for a new candidate of the sandbox ATS and ended five
    minutes ago, written to the sandbox; feedback has been asked for by email."""
    settings.SITE_URL = live_server.url
    maya, daniel, sofia = (person(acme, name) for name in ("Maya", "Daniel", "Sof"))
    end = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    middle, start = end - dt.timedelta(minutes=45), end - dt.timedelta(minutes=105)
    choice = slots.Choice(
        sessions=(
            slots.SessionChoice(
                title="Technical",
                start=start,
                end=middle,
                people=((str(maya.pk), "required", None), (str(daniel.pk), "pool", None)),
            ),
            slots.SessionChoice(
                title="Values",
                start=middle,
                end=end,
                people=((str(sofia.pk), "required", None),),
            ),
        )
    )
    interview = booking.book(new_application(acme), panel_plan, choice)
    drain()
    assert feedback.request_due() == 3
    drain()
    return interview


@pytest.fixture
def emailed_link(ended, acme):
    maya = person(acme, "Maya")
    email = next(m for m in mail.outbox if m.to == [maya.email])
    return re.search(r"https?://[^/\s]+(/feedback/\S+/)", email.body).group(1)


def saved_with(text):
    """The autosave whose form data carries `text` (typing restarts its 800 ms wait)."""

    def matches(response):
        request = response.request
        return request.url.endswith("/draft/") and text in (request.post_data or "")

    return matches


def test_interviewer_fills_in_reloads_and_submits_from_the_emailed_link(
    page, emailed_link, ended, acme
):
    candidate = ended.application.candidate
    page.goto(emailed_link)
    expect(page.get_by_role("heading", name=f"Feedback on {candidate.name}")).to_be_visible()
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
    item = FeedbackRequest.objects.get(interviewer__name__startswith="Maya")
    assert item.status == "submitted" and item.recommendation == "STRONG_YES"

    # The outbox files it in the sandbox ATS: Maya's scorecard on her session's interview.
    drain()
    session = item.session
    cards = list(
        sandbox_client(acme["sandbox"]).list_scorecards(
            acme["ats"].unified_id, interview_id=session.ats_interview_id
        )
    )
    assert [c.interviewer_id for c in cards] == [item.interviewer.ats_user_id]
    (card,) = cards
    assert card.recommendation == "STRONG_YES"
    assert card.application_id == ended.application.remote_id
    assert card.questions[0].answer.endswith("Broke the problem down well.")
    assert "Would pair well with the platform team." in card.comment


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
