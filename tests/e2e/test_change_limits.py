"""A candidate on a phone in Tokyo moves their interview twice, saying why (a reason from
the team's list, then "Other" in their own words), and is then told plainly that they have
moved it as often as they may online, with a mail to the recruiter about this interview."""

import datetime as dt
import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from candidates import links
from scheduling.models import Interview
from tests.e2e.test_booking_link import fits, link, tokyo_phone_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


def move(page, time, *, reason=None, words=""):
    page.get_by_role("link", name="Choose another time").click()
    expect(page.get_by_text("Choose a new time for your interview")).to_be_visible()
    page.locator("a.time").nth(time).click()
    expect(page.get_by_role("heading", name="Move your interview?")).to_be_visible()
    expect(page.get_by_text("Why are you moving it? (optional)")).to_be_visible()
    # The words show only for "Other" (CSS alone: no script needed).
    expect(page.get_by_label("In your own words")).to_be_hidden()
    if reason:
        page.get_by_label(reason).check()
    if words:
        expect(page.get_by_label("In your own words")).to_be_visible()
        page.get_by_label("In your own words").fill(words)
    assert fits(page)
    page.get_by_role("button", name="Move my interview").click()
    expect(page.get_by_role("status")).to_contain_text("Your interview has its new time")


def test_a_candidate_says_why_they_move_and_is_refused_past_the_limit(
    tokyo_phone_page,  # noqa: F811
    link,  # noqa: F811
    browser_console,
):
    # New York's working day is Tokyo's night: this plan lets candidates book at any hour.
    plan = link.plan
    plan.candidate_hours_start = plan.candidate_hours_end = dt.time(0)
    plan.candidate_days = list(range(7))
    plan.save()
    page = tokyo_phone_page
    page.goto(f"/book/{links.token_for(link)}/")
    page.locator("a.time").first.click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You’re booked")
    expect(page.get_by_text("You can move it online up to twice.")).to_be_visible()

    move(page, 1, reason="A conflict came up")
    expect(page.get_by_text("(moved once so far)")).to_be_visible()
    move(page, 2, reason="Other", words="My visa appointment moved")

    interview = Interview.objects.get(application=link.application)
    assert list(interview.changes.values_list("by", "reason_label", "reason_text")) == [
        ("candidate", "A conflict came up", ""),
        ("candidate", "Other", "My visa appointment moved"),
    ]
    # Past the limit: said plainly, with whom to write to; no times offered.
    expect(
        page.get_by_text("You’ve already moved this interview twice, the most allowed online.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Choose another time")).to_have_count(0)
    mail = page.locator("#changes").get_by_role("link", name="rosa@acme.example")
    href = mail.get_attribute("href")
    assert href.startswith("mailto:rosa@acme.example?subject=")
    subject = urllib.parse.unquote(href.split("subject=", 1)[1])
    assert re.fullmatch(
        r"My interview for Compilers on \w{3} \d+ \w{3} at \d\d:\d\d "
        r"Tokyo time \(Japan, UTC\+9\): Grace Hopper",
        subject,
    )
    expect(page.get_by_role("link", name="Cancel the interview")).to_be_visible()
    assert fits(page)
    page.screenshot(path="test-results/change-limits-refused-phone.png", full_page=True)

    # The picker's address, typed or kept from before, leads back to the same words.
    page.goto(f"/book/{links.token_for(link)}/reschedule/?tz=Asia/Tokyo")
    expect(page.get_by_text("the most allowed online")).to_be_visible()
    before = interview.start_at
    interview.refresh_from_db()
    assert interview.start_at == before and interview.changes.count() == 2
    browser_console.assert_clean()
