"""The recruiter's day in a real browser on a 1440×900 laptop, against a live Convene and the
live sandbox (issue 19): an interview moved by 15 minutes on its own day with the same
people, a swap that the history records, the ATS's own stage names everywhere, a 7-day
picker that starts today, a plan built in the editor with a pool and trainees from a program,
and hours edited in a grid; axe-core checks each page on the way."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from candidates import links
from scheduling.models import (
    AuditEntry,
    Interview,
    Interviewer,
    InterviewPlan,
    Membership,
    Trainee,
    TrainingProgram,
)
from tests.conftest import make_member
from tests.e2e.conftest import drain
from tests.integration.conftest import person
from tests.integration.test_scheduling import book
from tests.live_world import free_days, new_application, plan_people, slot_on, team_zone

pytestmark = pytest.mark.sandbox

LAPTOP = {"width": 1440, "height": 900}
ENUM = re.compile(r"\b[A-Z]+_[A-Z_]+\b")


@pytest.fixture
def laptop(page, live_server, settings):
    settings.SITE_URL = live_server.url
    page.set_viewport_size(LAPTOP)
    return page


def busy_around(acme, people, day, free_from, free_until):
    """Fill the people's calendars on the team's `day` except [free_from, free_until)."""
    zone = team_zone(acme)
    start = dt.datetime.combine(day, dt.time(0), zone)
    end = start + dt.timedelta(days=1)
    sandbox = acme["sandbox"]
    for someone in people:
        for a, b in ((start, free_from), (free_until, end)):
            minutes = int((b - a).total_seconds() // 60)
            if minutes > 0:
                sandbox.create_event(
                    acme["calendar"].unified_id, someone.email, a, minutes=minutes
                )
    assert sandbox.wait_deliveries(timeout=30)
    cache.clear()  # busy blocks Convene fetched before are stale now (as clear_day does)


def seats(interview):
    return {
        s.title: sorted(a.interviewer.name for a in s.attendees.filter(active=True))
        for s in interview.sessions.prefetch_related("attendees__interviewer")
    }


def test_an_interview_moves_by_15_minutes_on_its_day_with_the_same_people(
    laptop, acme, panel_plan, recruiter, client, sign_in, axe, django_capture_on_commit_callbacks
):
    page = laptop
    people = plan_people(panel_plan)
    (day,) = free_days(acme, people)
    application = new_application(acme)
    client.force_login(recruiter)
    interview = book(client, application, django_capture_on_commit_callbacks, day)
    before = seats(interview)
    start, end = interview.start_at, interview.end_at
    # Everyone on the plan is busy all day but for the interview itself and the quarter
    # hour after it: the interview's own events must not count against it.
    busy_around(acme, people, day, start, end + dt.timedelta(minutes=15))

    sign_in(page, recruiter)
    page.goto(f"/interviews/{interview.pk}/")
    expect(page.get_by_role("heading", name=f"Interview with {application.candidate.name}"))
    axe(page)
    page.get_by_role("link", name="Reschedule").click()
    expect(
        page.get_by_role("heading", name=re.compile("Reschedule the interview"))
    ).to_be_visible()
    later = timezone.localtime(start + dt.timedelta(minutes=15), team_zone(acme))
    column = page.locator("#slot-week .day").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{later:%a} {later.day} {later:%b}"))
    )
    times = column.locator("a.time")
    # Where it is now, and a quarter of an hour later: nothing else is free that day.
    expect(times).to_have_count(2)
    column.get_by_role("link", name=re.compile(f"^{later:%H:%M}")).click()
    detail = page.locator("#slot-detail")
    expect(detail).to_contain_text(f"{later:%H:%M}–")
    expect(detail).to_contain_text("The same people as now.")
    for names in before.values():
        for name in names:
            expect(detail).to_contain_text(name)
    expect(detail).to_contain_text(re.compile(r"\d+ of 10 this week"))
    axe(page)
    detail.get_by_role("button", name="Move here").click()

    expect(
        page.get_by_text(
            re.compile(r"^Moved\. In a moment: the calendar events? in Google Calendar moving, ")
        )
    ).to_be_visible()
    interview.refresh_from_db()
    assert interview.start_at == start + dt.timedelta(minutes=15)
    assert seats(interview) == before
    history = page.locator(".history")
    expect(history).to_contain_text("Moved the interview from")
    drain()


def test_a_swap_says_who_is_free_and_the_history_records_it(
    laptop, acme, panel_plan, recruiter, client, sign_in, axe, django_capture_on_commit_callbacks
):
    page = laptop
    (day,) = free_days(acme, plan_people(panel_plan))
    application = new_application(acme)
    client.force_login(recruiter)
    # In the afternoon, when Daniel (New York) and Grace (Los Angeles) both work.
    afternoon = dt.datetime.combine(day, dt.time(13), team_zone(acme))
    slot = slot_on(client, reverse("schedule", args=[application.pk]), day, after=afternoon)
    interview = book(client, application, django_capture_on_commit_callbacks, day, slot)
    technical = interview.sessions.get(plan_session__position=0)
    seated = {a.interviewer.name for a in technical.attendees.filter(role="pool")}
    (was,) = seated
    other = ({person(acme, "Daniel").name, person(acme, "Grace").name} - seated).pop()

    sign_in(page, recruiter)
    page.goto(f"/interviews/{interview.pk}/")
    page.get_by_role("link", name=f"Swap {was}").click()
    options = page.locator(".swap-options")
    expect(options).to_contain_text(f"Instead of {was}, from the pool")
    options.get_by_label(re.compile(other)).check()
    axe(page)
    options.get_by_role("button", name="Swap in").click()
    expect(page.locator(".messages")).to_contain_text(f"{other} replaces {was}")
    expect(page.locator(".history")).to_contain_text(f"Swapped: {other} replaces {was}")
    drain()
    page.reload()
    page.get_by_text("Technical details").click()
    details = page.locator(".technical-details")
    expect(details).to_be_visible()
    # The event keeps living on its organizer's calendar; the page no longer claims more.
    assert "no longer attends" in details.inner_text() or was not in details.inner_text()
    technical.refresh_from_db()
    names = {a.interviewer.name for a in technical.attendees.filter(active=True)}
    assert other in names and was not in names


def test_stages_read_as_the_ats_names_them_everywhere(
    laptop, acme, panel_plan, recruiter, admin_member, client, sign_in, axe,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    page = laptop
    (day,) = free_days(acme, plan_people(panel_plan))
    application = new_application(acme, "SECOND_INTERVIEW")
    stage = application.original_status
    assert stage == "Face to Face"  # Greenhouse's name in the sandbox
    client.force_login(recruiter)
    interview = book(client, application, django_capture_on_commit_callbacks, day)

    sign_in(page, admin_member)
    page.goto(f"/pipeline/?q={application.candidate.email}")
    row = page.locator("#pipeline-table tbody tr").first
    expect(row).to_contain_text(stage)
    options = page.locator("#id_stage option").all_inner_texts()
    assert stage in options and not any(ENUM.search(o) for o in options)
    axe(page)
    page.goto(f"/candidates/{application.candidate.pk}/")
    expect(page.locator("main")).to_contain_text(stage)
    assert not ENUM.search(page.locator("main").inner_text())
    axe(page)
    page.goto(f"/interviews/{interview.pk}/")
    expect(page.locator(".facts").first).to_contain_text(f"Stage{stage}")
    assert not ENUM.search(page.locator("main").inner_text())
    page.goto("/plans/new/")
    groups = page.locator("#id_stage_status optgroup")
    assert "Face to Face" in page.locator("#id_stage_status").inner_text()
    assert not any(ENUM.search(g) for g in groups.evaluate_all("gs => gs.map(g => g.label)"))


def test_the_picker_is_a_week_from_today_with_who_attends_and_next_available(
    laptop, acme, panel_plan, recruiter, sign_in, axe, new_context
):
    page = laptop
    application = new_application(acme)
    sign_in(page, recruiter)
    page.goto(f"/applications/{application.pk}/schedule/")
    today = timezone.localtime(timezone.now(), team_zone(acme)).date()
    headings = page.locator("#slot-week .day h3").all_inner_texts()
    assert len(headings) == 7
    assert headings[0].startswith(f"{today:%a} {today.day} {today:%b}")
    week = page.locator("#slot-week .week-grid")
    assert week.evaluate("g => getComputedStyle(g).gridTemplateColumns.split(' ').length") == 7
    # No day before today, so no "too soon" for a day gone by.
    assert "has already passed" not in week.inner_text()
    assert "Earlier" not in page.locator(".week-nav").inner_text()
    # Much shorter than a list of buttons per day: the week fits a laptop's screen.
    assert page.locator("#slot-week").bounding_box()["height"] < 1200
    axe(page)

    page.get_by_role("link", name="Next available").click()
    detail = page.locator("#slot-detail")
    expect(detail.get_by_role("button", name="Book")).to_be_visible()
    expect(detail).to_contain_text("Maya Chen")
    expect(detail).to_contain_text(re.compile(r"\d\d:\d\d–\d\d:\d\d New York"))
    expect(detail).to_contain_text(re.compile(r"\d+ of 10 this week"))
    expect(page.locator("a.time[aria-current='true']")).to_have_count(1)
    # Reasons in plain words, never the plan's ids or "k of n".
    assert not re.search(r"Everyone for \d|pool \d: needs", page.locator("main").inner_text())

    # The interviewer filter: only times with Grace, and Grace in the seat.
    grace = person(acme, "Grace")
    page.get_by_label("With").select_option(label=grace.name)
    expect(page).to_have_url(re.compile(f"with={grace.pk}"))
    first = page.locator("a.time").first
    first.click()
    expect(detail).to_contain_text(grace.name)
    axe(page)

    # Without JavaScript: links and forms only.
    plain = new_context(java_script_enabled=False, viewport=LAPTOP).new_page()
    sign_in(plain, recruiter)
    plain.goto(f"/applications/{application.pk}/schedule/?next=1")
    expect(plain.locator("#slot-detail").get_by_role("button", name="Book")).to_be_visible()
    plain.locator("a.time").nth(1).click()
    expect(plain.locator("#slot-detail").get_by_role("button", name="Book")).to_be_visible()


def test_a_plan_with_a_pool_and_a_trainee_is_built_in_the_editor(
    laptop, acme, recruiter, sign_in, axe, browser_console
):
    page = laptop
    maya, daniel, grace, sofia = (person(acme, n) for n in ("Maya", "Daniel", "Grace", "Sof"))
    program = TrainingProgram.objects.create(tenant=sofia.tenant, name="Coding interview")
    Trainee.objects.create(tenant=sofia.tenant, program=program, interviewer=sofia)
    sign_in(page, recruiter)
    page.goto("/plans/new/")
    # Nothing typed, nothing wrong: no error on a new plan.
    expect(page.locator(".field-error, .form-errors")).to_have_count(0)
    assert "Delete this plan" not in page.content()
    axe(page)
    page.get_by_label("Name", exact=True).fill("Onsite loop")
    first = page.locator("[data-session]").first
    first.get_by_label("Title", exact=True).fill("Technical")
    first.get_by_label("Search Required (all attend)").fill("maya")
    first.get_by_label("Required (all attend)", exact=True).select_option(label=maya.name)
    pool = first.locator("fieldset.pool")
    pool.get_by_label(re.compile("Search Pool")).fill("gr")
    pool.locator("select[multiple]").select_option([str(daniel.pk), str(grace.pk)])
    pool.get_by_label("Trainees from program").select_option(label="Coding interview")
    expect(pool.locator(".chips")).to_contain_text(f"{daniel.name} ×")

    # A second session, added in place (no reload, no errors), then a third removed again.
    page.get_by_role("button", name="Add a session").click()
    second = page.locator("[data-session]").nth(1)
    expect(second.get_by_role("heading", name="Session 2")).to_be_visible()
    expect(page.locator(".field-error, .form-errors")).to_have_count(0)
    second.get_by_label("Title", exact=True).fill("Values")
    second.get_by_label("Length (minutes)").fill("45")
    second.get_by_label("Required (all attend)", exact=True).select_option(label=sofia.name)
    page.get_by_role("button", name="Add a session").click()
    third = page.locator("[data-session]").nth(2)
    third.get_by_label("Remove this session").check()
    expect(third).to_be_hidden()

    # The candidate's day, live.
    preview = page.locator("#plan-preview")
    expect(preview).to_contain_text("09:00–10:00 Technical")
    expect(preview).to_contain_text("10:00–10:45 Values")
    expect(preview.locator("li")).to_have_count(2)  # the removed one is gone
    expect(preview).to_contain_text(f"1 of {daniel.name}, {grace.name}")
    expect(preview).to_contain_text("a trainee from Coding interview (when one can come)")
    axe(page)
    page.get_by_role("button", name="Save plan").click()

    expect(page.get_by_text("Saved the plan “Onsite loop”.")).to_be_visible()
    plan = InterviewPlan.objects.get(name="Onsite loop")
    technical, values = plan.sessions.all()
    assert list(technical.required.all()) == [maya]
    (pool_row,) = technical.pools.all()
    assert set(pool_row.members.all()) == {daniel, grace} and pool_row.program == program
    assert not pool_row.trainee_required
    assert list(values.required.all()) == [sofia] and values.duration_minutes == 45
    card = page.locator(".card").filter(has_text="Onsite loop")
    expect(card).to_contain_text("a trainee from Coding interview")
    assert "{job}" not in card.inner_text()
    axe(page)


def test_an_interviewer_edits_their_hours_in_a_grid(laptop, tenant, admin_member, sign_in, axe):
    user = make_member(tenant, "ivy@acme.example", Membership.Role.INTERVIEWER)
    ivy = Interviewer.objects.create(tenant=tenant, name="Ivy Chen", user=user)
    page = laptop
    sign_in(page, user)
    page.goto("/me/")
    page.get_by_label("Monday from", exact=True).fill("08:30")
    page.get_by_label("Monday until", exact=True).fill("12:00")
    page.get_by_label("Monday from (after a break)").fill("13:00")
    page.get_by_label("Monday until (after a break)").fill("16:00")
    page.get_by_label("Friday from", exact=True).fill("")
    page.get_by_label("Friday until", exact=True).fill("")
    page.get_by_label("Add a day off").fill("2027-01-04")
    axe(page)
    page.get_by_role("button", name="Save my availability").click()
    expect(page.get_by_text("Saved your availability.")).to_be_visible()
    ivy.refresh_from_db()
    assert ivy.working_hours[0] == [["08:30", "12:00"], ["13:00", "16:00"]]
    assert ivy.working_hours[4] == []
    assert ivy.working_hours_exceptions == {"2027-01-04": []}
    expect(page.locator(".exceptions")).to_contain_text("Mon 4 Jan 2027: day off")


def test_candidate_pages_pass_axe(
    phone_page, acme, panel_plan, recruiter, axe, settings, live_server
):
    settings.SITE_URL = live_server.url
    (day,) = free_days(acme, plan_people(panel_plan))
    application = new_application(acme)
    link = links.create_link(
        application,
        panel_plan,
        user=recruiter,
        window_start=day,
        window_end=day,
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )
    phone_page.goto(f"/book/{links.token_for(link)}/")
    expect(phone_page.locator("a.time").first).to_be_visible()
    axe(phone_page)
    phone_page.locator("a.time").first.click()
    expect(phone_page.get_by_role("heading", name="Confirm your time")).to_be_visible()
    axe(phone_page)
    phone_page.get_by_role("button", name="Confirm").click()
    expect(phone_page.get_by_role("status")).to_contain_text("You’re booked")
    axe(phone_page)
    assert Interview.objects.filter(application=application).exists()
    # One history entry for the booking, the candidate's, naming the team's zone.
    (entry,) = AuditEntry.objects.filter(action="interview.booked")
    assert entry.actor_label == "Candidate" and "from their booking link" in entry.message
