"""The interviewer's own place in a real browser (issue 20): an interviewer in Tokyo, on a
team in New York, signs in on a phone and sees next week's interview on their own clock,
tells the recruiter they can't make it, then on a laptop moves their hours; the recruiter's
picker then offers the new hours and not the old ones. No calendars are connected, so the
engine works from hours alone; the outbox waits (nothing here is about the write-back)."""

import datetime as dt
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import booking
from scheduling.models import Flag, InterviewPlan, Membership, PlanSession
from tests import factories as f
from tests.conftest import make_member

TOKYO = ZoneInfo("Asia/Tokyo")
LAPTOP = {"width": 1440, "height": 900}


@pytest.fixture
def world(tenant, recruiter, outbox_waits, settings, live_server):
    settings.SITE_URL = live_server.url
    user = make_member(
        tenant, "kenji@acme.example", Membership.Role.INTERVIEWER, first_name="Kenji"
    )
    kenji = f.interviewer(tenant, "Kenji Sato", user=user, timezone="Asia/Tokyo")
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Coding",
        horizon_days=30,
        location_kind="link",
        location_detail="https://video.example/kenji-room",
        agenda="Ask about the cache design.",
    )
    PlanSession.objects.create(plan=plan, title_template="Coding").required.add(kenji)
    ats = f.connection(tenant)
    # Next week's Wednesday, 10:00 in Tokyo.
    today = timezone.now().astimezone(TOKYO).date()
    day = today + dt.timedelta(days=7 - today.weekday() + 2)
    start = dt.datetime.combine(day, dt.time(10), TOKYO)
    booked = f.application(
        ats,
        f.candidate(ats, "Grace Hopper", web_url="https://ats.example/people/7"),
        f.job(ats, "Backend Engineer"),
    )
    interview = booking.book(booked, plan, f.one_session("Coding", start, required=[kenji]))
    waiting = f.application(ats, f.candidate(ats, "Alan Turing", timezone="Asia/Tokyo"))
    return {
        "user": user,
        "kenji": kenji,
        "interview": interview,
        "waiting": waiting,
        "day": day + dt.timedelta(days=1),  # Thursday: nothing booked, the hours decide
    }


def offered(page, application, day):
    """The Tokyo start times the recruiter's picker offers on Tokyo's `day` (its week from
    the day before, on the recruiter's New York clock, holds the whole of it)."""
    week = (day - dt.timedelta(days=1)).isoformat()
    page.goto(reverse("schedule", args=[application.pk]) + f"?week={week}")
    expect(page.locator("h1")).to_be_visible()
    starts = []
    for href in page.locator("a.time").evaluate_all("links => links.map(a => a.href)"):
        at = dt.datetime.fromisoformat(parse_qs(urlparse(href).query)["at"][0])
        starts.append(at.astimezone(TOKYO))
    return {f"{s:%H:%M}" for s in starts if s.date() == day}


def test_an_interviewer_abroad_sees_their_week_tells_the_recruiter_and_moves_their_hours(
    world, phone_page, new_context, page, recruiter, sign_in, axe
):
    kenji, interview = world["kenji"], world["interview"]
    # On a phone: the home is their interviews, on Tokyo's clock.
    sign_in(phone_page, world["user"])
    phone_page.goto("/")
    expect(phone_page.get_by_role("heading", name="My interviews")).to_be_visible()
    expect(phone_page.get_by_text("Tokyo time (Japan, UTC+9)").first).to_be_visible()
    session = phone_page.locator(".my-session").filter(has_text="Grace Hopper")
    expect(session).to_contain_text("10:00–11:00")
    expect(session).to_contain_text("Backend Engineer")
    expect(session.get_by_role("link", name="Join")).to_have_attribute(
        "href", "https://video.example/kenji-room"
    )
    expect(phone_page.locator("#week-load")).to_contain_text("interviews this week")
    axe(phone_page)

    # "I can't make this", with a reason: the recruiter is told; Kenji stays on it.
    session.get_by_text("I can’t make this").click()
    session.get_by_label("I'm unwell").check()
    session.get_by_role("button", name="Tell the recruiter").click()
    expect(phone_page.get_by_text("You’re still on it until they swap you.")).to_be_visible()
    assert Flag.objects.filter(interview=interview, kind=Flag.Kind.CANT_MAKE_IT).exists()

    # The recruiter's interview page says so, with Swap beside it.
    recruiter_page = page
    recruiter_page.set_viewport_size(LAPTOP)
    sign_in(recruiter_page, recruiter)
    recruiter_page.goto(reverse("interview_detail", args=[interview.pk]))
    expect(
        recruiter_page.get_by_text("Kenji Sato can’t make “Coding”: I'm unwell")
    ).to_be_visible()
    expect(
        recruiter_page.get_by_role("alert").get_by_role("link", name="Swap Kenji Sato")
    ).to_be_visible()

    # Before: the picker offers Kenji's mornings.
    day = world["day"]
    before = offered(recruiter_page, world["waiting"], day)
    assert "10:00" in before and "18:00" not in before

    # On a laptop, Kenji moves every weekday to 13:00–20:00 on his profile.
    laptop = new_context(viewport=LAPTOP).new_page()
    sign_in(laptop, world["user"])
    laptop.goto("/me/")
    for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        laptop.get_by_label(f"{name} from", exact=True).fill("13:00")
        laptop.get_by_label(f"{name} until", exact=True).fill("20:00")
    laptop.get_by_label("Most interviews a day").fill("2")
    axe(laptop)
    laptop.get_by_role("button", name="Save my availability").click()
    expect(laptop.get_by_text("Saved your availability.")).to_be_visible()
    kenji.refresh_from_db()
    assert kenji.working_hours[3] == [["13:00", "20:00"]]
    assert kenji.max_interviews_per_day == 2

    # The recruiter's picker follows at once.
    after = offered(recruiter_page, world["waiting"], day)
    assert "10:00" not in after and "18:00" in after
