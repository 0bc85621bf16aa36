"""Times that respect the candidate, in a real browser: a candidate on a phone in Kolkata
sees only times in their day, in their zone from the first paint, books and gets an email in
Kolkata time; a recruiter booking a candidate in Los Angeles sees both clocks, is asked
before booking 06:00 there, and the confirmation is in Los Angeles time; the zone picker's
search finds Kolkata however it is asked for."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates import links
from scheduling.lib import zones
from scheduling.models import Interview, InterviewPlan, PlanPool, PlanSession, SentEmail
from tests import factories as f
from tests.e2e.conftest import PHONE, drain
from tests.live_world import next_week

KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))
TIME = re.compile(r"^(\d{1,2}):(\d\d)\s?(am|pm)?$")


def minutes_of(label):
    """'6:30 pm' or '18:30' → minutes after midnight."""
    hour, minute, half = TIME.match(label.replace("\xa0", " ")).groups()
    hour = int(hour)
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return hour * 60 + int(minute)


@pytest.fixture
def kolkata_phone(new_context):
    """A phone in Kolkata, whose browser still calls the zone by its old name."""
    context = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        timezone_id="Asia/Calcutta",
        locale="en-IN",
    )
    return context.new_page()


@pytest.fixture
def world(tenant, recruiter, settings, live_server, outbox_waits):
    """A pool of three without calendars (their times are their working hours): Ivy in New
    York, Lena in London and Ravi in Kolkata, 09:00–17:00 each on their own clock."""
    settings.SITE_URL = live_server.url
    ats = f.connection(tenant)
    people = [
        f.interviewer(tenant, "Ivy Chen", timezone="America/New_York"),
        f.interviewer(tenant, "Lena Berg", timezone="Europe/London"),
        f.interviewer(tenant, "Ravi Iyer", timezone="Asia/Kolkata"),
    ]
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen", minimum_notice_hours=24)
    session = PlanSession.objects.create(plan=plan, title_template="Screen", duration_minutes=60)
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set(people)
    return {"ats": ats, "plan": plan, "people": people}


def test_a_candidate_in_kolkata_sees_only_their_day_and_books_in_their_zone(
    kolkata_phone, world, recruiter, browser_console
):
    page = kolkata_phone
    application = f.application(world["ats"], f.candidate(world["ats"], "Asha Rao"))
    monday = next_week()
    link = links.create_link(
        application,
        world["plan"],
        user=recruiter,
        window_start=monday,
        window_end=monday + dt.timedelta(days=4),
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/book/" in r.url else None)
    page.goto(f"/book/{links.token_for(link)}/")

    # The first document asked the browser's zone and reopened itself in it before painting.
    expect(page.locator("#slot-week .zone-name")).to_have_text("Kolkata time (India, UTC+5:30)")
    assert "tz=Asia%2FCalcutta" in page.url and "detected=1" in page.url
    expect(page.get_by_label("Your time zone")).to_have_value("Asia/Kolkata")
    times = page.locator("a.time")
    expect(times.first).to_be_visible()
    labels = times.all_inner_texts()
    # en-IN writes 12-hour times; every hour-long interview starts at 08:00 or later and
    # ends by 20:00 in Kolkata, though Ivy's day there runs 19:30–03:30.
    assert all(re.search(r"(am|pm)$", label) for label in labels), labels
    assert all(8 * 60 <= minutes_of(label) <= 19 * 60 for label in labels), labels
    assert len(labels) < 5 * 12 * 4  # not the whole night as well
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")

    chosen = labels[0]
    times.first.click()
    expect(page.get_by_role("heading", name="Confirm your time")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You’re booked")
    expect(page.locator(".booking-when")).to_contain_text("Kolkata time (India, UTC+5:30)")

    interview = Interview.objects.get(application=application)
    assert interview.candidate_zone_name == "Asia/Kolkata"
    start = interview.start_at.astimezone(KOLKATA)
    assert minutes_of(chosen) == start.hour * 60 + start.minute
    drain()
    email = SentEmail.objects.get(kind="interview_confirmed")
    assert (
        f"{start:%H:%M}–{start + dt.timedelta(hours=1):%H:%M} Kolkata time (India, UTC+5:30)"
        in (email.body)
    )
    application.candidate.refresh_from_db()
    assert application.candidate.timezone == "Asia/Kolkata"
    browser_console.assert_clean()


@pytest.mark.parametrize("query", ["Kolkata", "Calcutta", "India", "+5:30"])
def test_the_zone_picker_finds_kolkata_however_it_is_asked_for(
    new_context, world, recruiter, query
):
    application = f.application(world["ats"], f.candidate(world["ats"], "Asha Rao"))
    monday = next_week()
    link = links.create_link(
        application,
        world["plan"],
        user=recruiter,
        window_start=monday,
        window_end=monday + dt.timedelta(days=4),
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )
    page = new_context(viewport=PHONE, timezone_id="America/New_York").new_page()
    page.goto(f"/book/{links.token_for(link)}/")
    expect(page.locator("#slot-week .zone-name")).to_contain_text("New York time")

    page.get_by_label("Search time zones").fill(query)
    first = page.locator(".zone-results .zone-result").first
    expect(first).to_have_text(re.compile(r"^India — Kolkata \(UTC\+5:30\), .+ now$"))
    first.click()
    expect(page.locator("#slot-week .zone-name")).to_have_text("Kolkata time (India, UTC+5:30)")
    expect(page.get_by_label("Your time zone")).to_have_value("Asia/Kolkata")


def test_a_recruiter_booking_a_candidate_in_los_angeles_sees_both_clocks_and_is_asked_first(
    page, world, recruiter, sign_in, browser_console
):
    page.set_viewport_size({"width": 1440, "height": 900})
    ivy = world["people"][0]
    world["plan"].sessions.get().pools.get().members.set([ivy])
    application = f.application(world["ats"], f.candidate(world["ats"], "Lee Park"))
    candidate = application.candidate
    sign_in(page, recruiter)

    # The recruiter tells Convene where Lee is, with the picker's search.
    page.goto(f"/candidates/{candidate.pk}/")
    page.get_by_label("Search time zones").fill("los angeles")
    page.locator(".zone-results .zone-result").first.click()
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone .candidate-zone")).to_contain_text(
        "United States — Los Angeles (UTC−"
    )
    expect(page.locator("#zone")).to_contain_text("Set by a recruiter")

    monday = next_week()
    # "Los Angeles time (United States, UTC−8)", or −7 in summer.
    la = zones.describe("America/Los_Angeles", dt.datetime.combine(monday, dt.time(12), dt.UTC))
    page.goto(f"/applications/{application.pk}/schedule/?week={monday}")
    expect(page.locator("#slot-week")).to_contain_text("Times on your clock: New York time")
    expect(page.locator("#slot-week .candidate-zone")).to_have_text(la)
    heading = f"{monday:%a} {monday.day} {monday:%b}"
    column = page.locator("#slot-week .day").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{heading}"))
    )
    first = column.locator("a.time").first
    # 09:00 in New York, 06:00 for Lee in Los Angeles: marked, and said to a screen reader.
    expect(first).to_have_text("09:00, 06:00 for Lee, outside their hours")
    expect(first).to_have_class(re.compile(r"\boutside\b"))
    first.click()
    detail = page.locator("#slot-detail")
    expect(detail.locator(".their-time")).to_have_text("06:00–07:00 for Lee")
    expect(detail.get_by_text("Outside Lee’s hours")).to_be_visible()
    detail.get_by_role("button", name="Book").click()
    # Not booked until the recruiter says they mean it.
    expect(detail.get_by_role("checkbox")).to_be_visible()
    assert not Interview.objects.exists()
    detail.get_by_role("checkbox").check()
    detail.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name="Interview with Lee Park")).to_be_visible()
    expect(page.locator(".candidate-when")).to_contain_text(f"06:00–07:00 {la}")
    drain()
    email = SentEmail.objects.get(kind="interview_confirmed")
    assert f"06:00–07:00 {la}" in email.body
    assert email.subject.endswith("06:00 Los Angeles time")
    browser_console.assert_clean()
