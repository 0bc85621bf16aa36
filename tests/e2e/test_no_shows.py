"""A no-show in a real browser: the recruiter (1440×900) marks that the candidate did not
attend the first session of an ended panel, sees it written to the sandbox's Greenhouse, and
clicks "Reschedule the no-show", which opens the picker with the same plan; the interviewer
of that session, from their emailed link, finds that no feedback is needed, and says why."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from scheduling.models import FeedbackRequest
from tests.e2e.conftest import drain
from tests.e2e.test_feedback import ended  # noqa: F401 (a fixture)
from tests.integration.conftest import person
from tests.integration.test_scheduling import sandbox_client

pytestmark = pytest.mark.sandbox

SHOTS = Path("test-results/no-shows")


def test_recruiter_marks_a_no_show_and_reschedules_it(
    page,
    ended,  # noqa: F811
    acme,
    recruiter,
    sign_in,
    new_context,
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, recruiter)
    candidate = ended.application.candidate
    technical = ended.sessions.get(title="Technical")
    page.goto(f"/interviews/{ended.pk}/")
    card = page.locator(f"#session-{technical.pk}")
    expect(card.get_by_label("Someone did not attend?")).to_be_visible()

    card.get_by_label("Someone did not attend?").select_option(
        label="The candidate did not attend"
    )
    card.get_by_role("button", name="Mark as not attended").click()

    expect(page.locator(".messages")).to_contain_text(
        "Marked: the candidate did not attend “Technical”."
    )
    expect(page.locator("h1 .badge")).to_have_text("Candidate did not attend")
    drain()
    page.reload()
    card = page.locator(f"#session-{technical.pk}")
    expect(card).to_contain_text(
        "Recorded in Greenhouse: the interview as canceled (Greenhouse has no “did not attend” "
        "that Convene can set), and a note on the application saying who did not attend."
    )
    page.locator(f"#session-{technical.pk}").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "recruiter-marked.png", full_page=True)
    ats = acme["ats"]
    technical.refresh_from_db()
    record = sandbox_client(acme["sandbox"]).get_interview(
        ats.unified_id, technical.ats_interview_id
    )
    assert record.status == "CANCELED"
    assert set(technical.feedback_requests.values_list("status", flat=True)) == {
        FeedbackRequest.Status.WITHDRAWN
    }

    # The interviewer of that session opens the emailed link: nothing to give.
    maya = person(acme, "Maya")
    email = next(m for m in mail.outbox if m.to == [maya.email])
    link = re.search(r"https?://[^/\s]+(/feedback/\S+/)", email.body).group(1)
    interviewer = new_context().new_page()
    interviewer.goto(page.url.split("/interviews/")[0] + link)
    expect(interviewer.get_by_role("heading", name="No feedback needed")).to_be_visible()
    expect(interviewer.locator("#not-needed")).to_contain_text(
        "The candidate did not attend (marked by Rosa Recruiter)"
    )
    expect(interviewer.get_by_role("button", name="Submit feedback")).to_have_count(0)
    interviewer.screenshot(path=SHOTS / "interviewer-not-needed.png", full_page=True)

    # Back to the recruiter: a new interview, with the same plan.
    page.get_by_role("link", name="Reschedule the no-show").click()
    expect(page.get_by_role("heading", name=f"Schedule {candidate.name}")).to_be_visible()
    expect(page.get_by_role("link", name=ended.plan.name)).to_be_visible()
    page.screenshot(path=SHOTS / "reschedule-picker.png", full_page=True)
    # The no-show itself stays, as not attended: the picker books a new interview.
    ended.refresh_from_db()
    assert ended.is_active and ended.no_show_text == "Candidate did not attend"


def test_interviewer_marks_the_candidate_absent_from_the_emailed_link(
    page,
    ended,  # noqa: F811
    acme,
    recruiter,
    sign_in,
    new_context,
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sofia = person(acme, "Sof")
    email = next(m for m in mail.outbox if m.to == [sofia.email])
    link = re.search(r"https?://[^/\s]+(/feedback/\S+/)", email.body).group(1)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(link)
    attendance_card = page.locator("#attendance")
    expect(attendance_card.get_by_role("heading", name="Did it take place?")).to_be_visible()
    page.screenshot(path=SHOTS / "interviewer-form.png", full_page=True)

    attendance_card.get_by_label("Who did not attend?").select_option(label="The candidate")
    attendance_card.get_by_role("button", name="Mark as not attended").click()

    expect(page.locator(".messages")).to_contain_text(
        "Noted: the candidate did not attend “Values”. No feedback is needed from you for it."
    )
    expect(page.locator("#not-needed")).to_contain_text("(marked by you)")
    expect(page.locator("#attendance")).to_have_count(0)
    page.screenshot(path=SHOTS / "interviewer-marked.png", full_page=True)

    # The recruiter sees who marked it, and can clear a mistake.
    recruiter_page = new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(recruiter_page, recruiter)
    recruiter_page.goto(f"/interviews/{ended.pk}/")
    values = recruiter_page.locator(f"#session-{ended.sessions.get(title='Values').pk}")
    expect(values).to_contain_text(f"marked by {sofia.name}")
    values.get_by_role("button", name="Clear this mark").click()
    expect(recruiter_page.locator(".messages")).to_contain_text(
        "Cleared “The candidate did not attend “Values””. 1 asked for feedback again."
    )
    expect(recruiter_page.locator("h1 .badge")).not_to_have_text("Candidate did not attend")
    page.reload()
    expect(page.get_by_role("button", name="Submit feedback")).to_be_visible()
