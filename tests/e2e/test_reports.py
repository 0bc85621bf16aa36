"""The Reports page as a recruiter uses it on a laptop: the figures of a small history, the
charts with their tables, a number followed to its rows, a CSV downloaded, a period chosen
with the form; and no critical or serious accessibility violation (axe-core) on any of it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates.sync import write_seats
from scheduling.models import InterviewPlan, SessionAttendee
from tests import factories as f
from tests.candidates.test_reports import convene_interview, feedback, link

LAPTOP = {"width": 1440, "height": 900}


@pytest.fixture
def history(tenant, recruiter):
    """Three weeks back from today: two interviews booked in Convene (one declined by Bo),
    one found only in the ATS, feedback on time and late, a link booked and one waiting."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    ats = f.connection(tenant, integration_name="Greenhouse")
    job = f.job(ats, "Backend Engineer")
    ann = f.interviewer(tenant, "Ann Lee", ats_user_id="emp-ann", max_interviews_per_day=1)
    bo = f.interviewer(tenant, "Bo Kim", ats_user_id="emp-bo")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Onsite")
    grace, alan, ken = (
        f.application(ats, f.candidate(ats, name), job)
        for name in ("Grace Hopper", "Alan Turing", "Ken Thompson")
    )
    ago = lambda days, hours=0: now - dt.timedelta(days=days, hours=hours)  # noqa: E731
    first = convene_interview(grace, plan, ago(10), [ann], booked=ago(14), stage_entered=ago(15))
    second = convene_interview(
        alan, plan, ago(9), [ann, bo], booked=ago(12), stage_entered=ago(14)
    )
    SessionAttendee.objects.filter(session__interview=second, interviewer=bo).update(
        response="REJECTED"
    )
    remote = f.remote_interview(
        ken, start_in=-dt.timedelta(days=10, hours=3), user_ids=["emp-ann"]
    )
    write_seats(tenant, type(remote).objects.filter(pk=remote.pk))
    feedback(first, ann, due=ago(9), submitted=ago(9, 3))
    feedback(second, ann, due=ago(8), submitted=ago(6))
    link(grace, plan, sent=ago(15), opened=ago(15), booked=ago(14), state="booked",
         expires=ago(8))  # fmt: skip
    link(alan, plan, sent=ago(5), expires=now + dt.timedelta(days=2))
    return {"ann": ann}


def test_a_recruiter_reads_the_reports_follows_a_number_and_downloads_a_table(
    new_context, sign_in, recruiter, history, axe
):
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, recruiter)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    # The last 90 days by default.
    expect(page.get_by_text("2 interviewers sat in 4 interview seats")).to_be_visible()
    expect(page.get_by_text("1 of them in interviews booked outside Convene")).to_be_visible()
    expect(page.get_by_text("of feedback came in on time (1 of 2)")).to_be_visible()
    for name in (
        "How fast we schedule",
        "Who carries the interviews",
        "Why interviews move",
        "Feedback",
        "Self-scheduling links",
    ):
        expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
    expect(page.get_by_role("img", name="Interviews per week on average")).to_be_visible()
    axe(page)  # no critical or serious violation (tests/e2e/conftest.py)

    # Ann's 3 interviews: two in Convene, one booked in Greenhouse.
    load = page.locator("#load")
    load.get_by_role("row", name="Ann Lee").get_by_role("link", name="3").click()
    expect(page.get_by_role("heading", name="Interviews Ann Lee sat in")).to_be_visible()
    expect(
        page.get_by_role("row", name="Ken Thompson Interview in the ATS Greenhouse")
    ).to_be_visible()
    axe(page)  # no critical or serious violation (tests/e2e/conftest.py)
    page.get_by_role("link", name="← Back to the reports").click()

    with page.expect_download() as download:
        page.locator("#self-scheduling").get_by_role("link", name="Download this table").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.splitlines()[:4] == [
        "stage,links,share_of_sent",
        "sent,2,1.0000",
        "opened,1,0.5000",
        "booked,1,0.5000",
    ]

    # A period with nothing in it, chosen with the form.
    page.get_by_label("From", exact=True).fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2020-03-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("0 interviewers sat in 0 interview seats")).to_be_visible()
    # And one that ends before it starts: the answer is beside the field.
    page.get_by_label("To", exact=True).fill("2019-12-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end of the period comes before its start.")).to_be_visible()
    axe(page)  # no critical or serious violation (tests/e2e/conftest.py)
