"""Issue 21, debriefs, in the browser: a recruiter on a laptop turns a plan's debrief on, books
a loop with it, finds the proposed debrief on the interview page with its panel and two
other times, confirms it in one click, and the panel's event stands in the sandbox calendar;
when no time fits, the card says who is busy and the recruiter picks another."""

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from playwright.sync_api import expect

from scheduling import booking, slots
from scheduling.models import Debrief, InterviewPlan, PlanSession
from scheduling.unified.client import UnifiedClient
from tests.e2e.conftest import drain
from tests.integration.conftest import person
from tests.live_world import free_days, new_application, settled, team_zone

LAPTOP = {"width": 1440, "height": 900}
# Where a person walking it looks at the screens (`I21_SHOTS=/tmp/i21-debriefs pytest …`).
SHOTS = os.environ.get("I21_SHOTS", "")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def loop_plan(acme, tenant):
    """Coding (Maya) then a technical panel (Daniel and Sofía), no debrief yet."""
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Coding loop", order="fixed", break_minutes=15, horizon_days=30
    )
    coding = PlanSession.objects.create(
        plan=plan, position=0, title_template="Coding", duration_minutes=60
    )
    coding.required.add(person(acme, "Maya"))
    panel = PlanSession.objects.create(
        plan=plan, position=1, title_template="Technical panel", duration_minutes=60
    )
    panel.required.add(person(acme, "Daniel"), person(acme, "Sof"))
    return plan


def book_loop(acme, plan, application, day):
    zone = team_zone(acme)
    offer = slots.find(
        application,
        plan,
        start=dt.datetime.combine(day, dt.time(0), zone),
        end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone),
        candidate_zone=zone.key,
    )
    assert offer.slots, f"the cleared day {day} offers no time for the loop"
    with transaction.atomic():
        interview = booking.book(application, plan, offer.choice_for(offer.slots[0], application))
    drain()
    settled()
    drain()
    return interview


def test_the_recruiter_turns_a_debrief_on_and_confirms_the_proposed_time(
    acme, loop_plan, recruiter, new_context, sign_in, live_server, settings, browser_console
):
    settings.SITE_URL = live_server.url
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, recruiter)
    # The plan editor: a debrief after the interview, the recruiter confirming it.
    page.goto(f"/plans/{loop_plan.pk}/")
    page.get_by_text("Debrief", exact=True).click()
    page.get_by_label("Hold a debrief after the interview").check()
    expect(page.get_by_label("Debrief length (minutes)")).to_have_value("30")
    expect(page.get_by_label("Within (working days after the last session)")).to_have_value("2")
    expect(page.get_by_label("Book it without asking me")).not_to_be_checked()
    shot(page, "plan-editor-debrief")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator(".message").first).to_be_visible()
    loop_plan.refresh_from_db()
    assert loop_plan.debrief and not loop_plan.debrief_auto_book

    application = new_application(acme)
    people = [person(acme, n) for n in ("Maya", "Daniel", "Sof")]
    managers = list(application.job.hiring_managers.all()) if application.job else []
    (day,) = free_days(acme, [*people, *managers], 1)
    interview = book_loop(acme, loop_plan, application, day)
    debrief = Debrief.objects.get(interview=interview)
    assert debrief.status == Debrief.Status.PROPOSED
    proposed = debrief.start_at

    page.goto(f"/interviews/{interview.pk}/")
    card = page.locator("#debrief")
    expect(card).to_contain_text("Proposed: confirm it")
    for p in [*people, *managers]:
        expect(card.locator(".debrief-panel")).to_contain_text(p.name)
    expect(card).to_contain_text("Nobody is invited until you confirm.")
    expect(card.get_by_role("button", name="Confirm ")).to_be_visible()
    expect(card.get_by_role("button", name="Or ")).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "interview-debrief-proposed")

    card.get_by_role("button", name="Confirm ").click()
    expect(page.locator(".message").first).to_contain_text("Debrief booked for")
    expect(page.locator("#debrief")).to_contain_text("Booked")
    drain()
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.BOOKED
    assert debrief.start_at == proposed and debrief.event_id
    client = UnifiedClient(acme["sandbox"].base_url, acme["sandbox"].token)
    event = client.get_event(acme["calendar"].unified_id, debrief.event_id)
    assert (event.start_at, event.end_at) == (debrief.start_at, debrief.end_at)
    assert {p.email for p in people} <= {a.email for a in event.attendees}
    page.reload()
    expect(page.locator("#debrief")).to_contain_text("the panel is invited")
    page.locator("#debrief").scroll_into_view_if_needed()
    shot(page, "interview-debrief-booked")

    # Another time the panel cannot meet (Saturday night): the card says who is busy.
    page.locator("#debrief summary").click()
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7)
    page.get_by_label("Another time").fill(f"{saturday.isoformat()}T22:00")
    page.get_by_role("button", name="Book the debrief then").click()
    error = page.locator("#debrief .error-text")
    expect(error).to_contain_text("Not everyone on the panel can meet then")
    expect(error).to_contain_text("not working then")
    page.locator("#debrief").scroll_into_view_if_needed()
    shot(page, "interview-debrief-busy")
    browser_console.assert_clean()


def test_when_no_time_fits_the_card_says_who_is_busy_and_the_recruiter_picks_one(
    acme, loop_plan, recruiter, new_context, sign_in, live_server, settings, browser_console
):
    settings.SITE_URL = live_server.url
    # A debrief the same day with Maya and Grace, who works only 09:00–10:00 in Los Angeles
    # (noon in New York): after the loop that day there is no time for both.
    maya, grace = person(acme, "Maya"), person(acme, "Grace")
    grace.working_hours = [[["09:00", "10:00"]]] * 5 + [[], []]
    grace.save()
    loop_plan.debrief = True
    loop_plan.debrief_within_days = 0
    loop_plan.debrief_panel = "named"
    loop_plan.save()
    loop_plan.debrief_people.set([maya, grace])
    application = new_application(acme)
    people = [person(acme, n) for n in ("Maya", "Daniel", "Sof")]
    (day,) = free_days(acme, [*people, grace], 1)
    interview = book_loop(acme, loop_plan, application, day)
    debrief = Debrief.objects.get(interview=interview)
    assert debrief.status == Debrief.Status.NEEDS_TIME
    assert debrief.alternatives, "no free time for Maya and Grace in ten working days"
    first_offered = dt.datetime.fromisoformat(debrief.alternatives[0])

    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, recruiter)
    page.goto(f"/interviews/{interview.pk}/")
    card = page.locator("#debrief")
    expect(card).to_contain_text("Needs a time")
    expect(card).to_contain_text("No time later on the day of the interview suits the whole panel")
    expect(card.locator(".debrief-why")).to_contain_text("Grace")
    expect(card).to_contain_text("The panel’s next free times after that")
    card.scroll_into_view_if_needed()
    shot(page, "interview-debrief-needs-time")
    card.locator(".flag-actions button").first.click()
    expect(page.locator(".message").first).to_contain_text("Debrief booked for")
    drain()
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.BOOKED and debrief.event_id
    assert debrief.start_at == first_offered
    # Grace's hours: 09:00–10:00 in Los Angeles.
    local = debrief.start_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert local.weekday() < 5 and dt.time(9) <= local.time() <= dt.time(9, 30)
    browser_console.assert_clean()
