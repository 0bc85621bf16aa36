"""Debriefs without a sandbox: the window in working days, who is on the panel, the first time
that suits them by the interviews' engine, and what booking, moving and cancelling the loop
do to the debrief (its calendar event is the integration test's: tests/integration)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from scheduling import attendance, booking, debriefs, slots
from scheduling.lib import zones
from scheduling.models import Debrief, DebriefPanel, Flag, InterviewPlan, Operation
from tests import factories as f

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


# --- the window, alone ---------------------------------------------------------------------


def test_the_window_counts_working_days_across_a_weekend():
    friday = dt.datetime(2030, 3, 8, 16, 0, tzinfo=BERLIN)  # a Friday, 16:00 in Berlin
    start, end = debriefs.window(friday, 2, "Europe/Berlin")
    assert start == friday
    # Two working days after Friday: Monday and Tuesday; the window ends Tuesday night.
    assert end == dt.datetime(2030, 3, 13, 0, 0, tzinfo=BERLIN)
    assert debriefs.window(friday, 0, "Europe/Berlin")[1] == dt.datetime(
        2030, 3, 9, 0, 0, tzinfo=BERLIN
    )
    tuesday = dt.datetime(2030, 3, 12, 10, 0, tzinfo=BERLIN)
    assert debriefs.window(tuesday, 2, "Europe/Berlin")[1] == dt.datetime(
        2030, 3, 15, 0, 0, tzinfo=BERLIN
    )


def test_the_window_is_on_the_teams_clock():
    # 23:30 UTC on a Friday is already Saturday in Berlin: Monday and Tuesday still follow.
    late = dt.datetime(2030, 3, 8, 23, 30, tzinfo=dt.UTC)
    assert debriefs.window(late, 2, "Europe/Berlin")[1] == dt.datetime(
        2030, 3, 13, 0, 0, tzinfo=BERLIN
    )
    # …and still Friday in New York: Monday and Tuesday there.
    assert debriefs.window(late, 1, "America/New_York")[1] == dt.datetime(
        2030, 3, 12, 0, 0, tzinfo=NEW_YORK
    )


def test_the_alternatives_are_other_meetings_not_the_same_a_quarter_later():
    t = dt.datetime(2030, 3, 11, 9, 0, tzinfo=dt.UTC)
    q = dt.timedelta(minutes=15)
    starts = [t + i * q for i in range(12)]
    assert debriefs.first_fits(starts, dt.timedelta(minutes=30), 3) == [t, t + 2 * q, t + 4 * q]
    assert debriefs.first_fits([], dt.timedelta(minutes=30), 3) == []


# --- a team, a loop, a plan that asks for a debrief --------------------------------------------


def next_weekday(days_ahead=7):
    """A weekday at least `days_ahead` days from now (Monday to Wednesday, so the next two
    working days are in the same week), on New York's clock."""
    day = timezone.now().astimezone(NEW_YORK).date() + dt.timedelta(days=days_ahead)
    while day.weekday() > 2:
        day += dt.timedelta(days=1)
    return day


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), NEW_YORK).astimezone(dt.UTC)


@pytest.fixture
def team(tenant):
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen")
    max_ = f.interviewer(tenant, "Max Weber")
    tom = f.interviewer(tenant, "Tom Trainee")
    hana = f.interviewer(tenant, "Hana Manager")
    job = f.job(ats, "Backend Engineer")
    job.hiring_managers.add(hana)
    plan = InterviewPlan.objects.create(tenant=tenant, name="Onsite", debrief=True)
    people = {"ivy": ivy, "max": max_, "tom": tom, "hana": hana}
    return {"ats": ats, "job": job, "plan": plan, **people}


def loop_choice(team, day):
    """Coding (Ivy, Tom shadowing) 10:00–11:00, then Values (Max) 11:15–12:15, New York."""

    def session(title, start, people):
        return slots.SessionChoice(title, start, start + dt.timedelta(hours=1), people)

    return slots.Choice(
        (
            session(
                "Coding",
                at(day, 10),
                ((str(team["ivy"].pk), "required", None), (str(team["tom"].pk), "trainee", None)),
            ),
            session("Values", at(day, 11, 15), ((str(team["max"].pk), "required", None),)),
        )
    )


def book(team, day, django_capture_on_commit_callbacks):
    app = f.application(team["ats"], f.candidate(team["ats"], "Kenji Sato"), team["job"])
    with django_capture_on_commit_callbacks(execute=True):
        return booking.book(app, team["plan"], loop_choice(team, day))


def test_the_panel_is_the_hiring_manager_and_the_interviewers_not_the_trainee(
    team, django_capture_on_commit_callbacks
):
    interview = book(team, next_weekday(), django_capture_on_commit_callbacks)
    assert [p.name for p in debriefs.panel_for(interview)] == [
        "Hana Manager",
        "Ivy Chen",
        "Max Weber",
    ]
    # A named list instead: exactly those, the active ones.
    plan = team["plan"]
    plan.debrief_panel = DebriefPanel.NAMED
    plan.save()
    plan.debrief_people.set([team["max"], team["tom"]])
    team["tom"].active = False
    team["tom"].save()
    assert [p.name for p in debriefs.panel_for(interview)] == ["Max Weber"]


def test_the_first_time_after_the_loop_that_suits_the_whole_panel(
    team, tenant, django_capture_on_commit_callbacks
):
    day = next_weekday()
    # Hana sits in another candidate's interview 12:15–14:00 that day.
    other = f.application(team["ats"], f.candidate(team["ats"], "Ada Other"), team["job"])
    booking.book(
        other,
        None,
        slots.Choice(
            (slots.SessionChoice("Other", at(day, 12, 15), at(day, 14), (
                (str(team["hana"].pk), "required", None),)),)
        ),
    )  # fmt: skip
    interview = book(team, day, django_capture_on_commit_callbacks)
    debrief = Debrief.objects.get(interview=interview)
    # Proposed (the recruiter confirms by default), at 14:00: the loop ends 12:15, Hana is
    # in an interview until 14:00; two other times beside it.
    assert debrief.status == Debrief.Status.PROPOSED
    assert debrief.start_at == at(day, 14)
    assert debrief.end_at == at(day, 14, 30)
    assert [dt.datetime.fromisoformat(t) for t in debrief.alternatives] == [
        at(day, 14, 30),
        at(day, 15),
    ]
    assert set(debrief.panel.values_list("name", flat=True)) == {
        "Hana Manager",
        "Ivy Chen",
        "Max Weber",
    }
    # Nothing is written to any calendar before the recruiter confirms.
    assert not Operation.objects.filter(kind=Operation.Kind.SYNC_DEBRIEF).exists()


def test_a_full_window_says_who_is_busy_and_offers_later_times(
    team, tenant, django_capture_on_commit_callbacks
):
    day = next_weekday()
    team["plan"].debrief_within_days = 0
    team["plan"].save()
    # Ivy works only mornings: after the loop (12:15) nothing is left that day.
    ivy = team["ivy"]
    ivy.working_hours = [[["09:00", "12:30"]]] * 5 + [[], []]
    ivy.save()
    interview = book(team, day, django_capture_on_commit_callbacks)
    debrief = Debrief.objects.get(interview=interview)
    assert debrief.status == Debrief.Status.NEEDS_TIME
    assert "Ivy Chen" in debrief.why
    # The picker's times: the panel's next free times after the window, Ivy's mornings.
    times = [dt.datetime.fromisoformat(t) for t in debrief.alternatives]
    assert times
    for t in times:
        local = t.astimezone(NEW_YORK)
        assert local.date() > day
        assert local + dt.timedelta(minutes=30) <= local.replace(hour=12, minute=30)
    # Several days, not one morning in quarter hours.
    assert len({t.astimezone(NEW_YORK).date() for t in times}) >= 2


def test_auto_book_books_it_and_a_moved_loop_moves_it_a_cancel_removes_it(
    team, recruiter, django_capture_on_commit_callbacks
):
    team["plan"].debrief_auto_book = True
    team["plan"].save()
    day = next_weekday()
    interview = book(team, day, django_capture_on_commit_callbacks)
    debrief = Debrief.objects.get(interview=interview)
    assert debrief.status == Debrief.Status.BOOKED
    assert debrief.start_at == at(day, 12, 15)
    # Its event goes through the outbox (no calendar here: it waits, failed, for one).
    sync = Operation.objects.filter(interview=interview, kind=Operation.Kind.SYNC_DEBRIEF)
    assert sync.count() == 1
    # The loop moves a day later: the debrief follows it.
    later = day + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        booking.reschedule(interview, loop_choice(team, later), user=recruiter)
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.BOOKED
    assert debrief.start_at == at(later, 12, 15)
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(interview, reason="Withdrew", user=recruiter)
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.CANCELED
    assert sync.count() == 3


def test_a_candidate_who_did_not_attend_cancels_the_debrief_and_clearing_it_restores_it(
    team, recruiter, recruiter_client, django_capture_on_commit_callbacks
):
    day = next_weekday()
    interview = book(team, day, django_capture_on_commit_callbacks)
    debrief = Debrief.objects.get(interview=interview)
    assert debrief.status == Debrief.Status.PROPOSED
    coding = interview.sessions.get(title="Coding")
    with time_machine.travel(at(day, 12, 30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            mark = attendance.mark(coding, attendance.CANDIDATE, user=recruiter)
        debrief.refresh_from_db()
        assert debrief.status == Debrief.Status.CANCELED
        assert debrief.why == "Not needed: Kenji did not attend “Coding”."
        page = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
        assert "Not needed: Kenji did not attend “Coding”. Clearing that mark" in (
            page.content.decode()
        )
        # A mistaken mark cleared: the panel still has something to decide.
        with django_capture_on_commit_callbacks(execute=True):
            attendance.clear(mark, user=recruiter)
        debrief.refresh_from_db()
        assert debrief.status != Debrief.Status.CANCELED and debrief.why != (
            "Not needed: Kenji did not attend “Coding”."
        )
        finds = Operation.objects.filter(interview=interview, kind=Operation.Kind.FIND_DEBRIEF)
        assert finds.count() == 2  # booked, then the mark cleared


# --- the interview page ---------------------------------------------------------------------


def test_the_card_says_why_no_time_fits_and_a_picked_time_is_checked(
    team, recruiter_client, django_capture_on_commit_callbacks
):
    day = next_weekday()
    team["plan"].debrief_within_days = 0
    team["plan"].save()
    ivy = team["ivy"]
    ivy.working_hours = [[["09:00", "12:30"]]] * 5 + [[], []]
    ivy.save()
    interview = book(team, day, django_capture_on_commit_callbacks)
    url = reverse("interview_detail", args=[interview.pk])
    page = recruiter_client.get(url).content.decode()
    assert "Needs a time" in page
    assert "No time later on the day of the interview suits the whole panel" in page
    assert f"Ivy Chen is not working long enough on {day:%A} {day.day} {day:%B}" in page
    assert "The panel’s next free times after that" in page
    # A time typed by the recruiter when Ivy does not work: refused, in words, beside it.
    debrief_url = reverse("interview_debrief", args=[interview.pk])
    evening = at(day, 16).astimezone(NEW_YORK)
    response = recruiter_client.post(debrief_url, {"at": evening.strftime("%Y-%m-%dT%H:%M")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not everyone on the panel can meet then: Ivy Chen is not working then." in page
    assert "Book it even though someone on the panel is busy" in page
    # Nothing chosen: said beside the field.
    page = recruiter_client.post(debrief_url, {"at": ""}).content.decode()
    assert "Choose a time, or give one." in page
    # One of the offered times books it.
    debrief = Debrief.objects.get(interview=interview)
    offered = debrief.alternatives[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(debrief_url, {"start": offered}, follow=True)
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.BOOKED
    assert debrief.start_at == dt.datetime.fromisoformat(offered)
    assert "Debrief booked for" in response.content.decode()
    # The history names the time on the team's clock with the zone in words, as the booking's
    # own entry does (never the zone's database name).
    page = recruiter_client.get(url).content.decode()
    zone = team["plan"].tenant.default_timezone
    shown = dt.datetime.fromisoformat(offered).astimezone(ZoneInfo(zone))
    assert f"Booked the debrief for {shown:%a} {shown.day} {shown:%b}, {shown:%H:%M} " in page
    assert zones.describe(zone, shown) in page
    assert f"({zone})" not in page
    # A time of the recruiter's own, off the quarter hour, when everyone is free: moved there.
    morning = at(day + dt.timedelta(days=1), 10, 10).astimezone(NEW_YORK)
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(debrief_url, {"at": morning.strftime("%Y-%m-%dT%H:%M")})
    debrief.refresh_from_db()
    assert debrief.start_at == morning
    assert debrief.end_at == morning + dt.timedelta(minutes=30)


def test_another_teams_debrief_cannot_be_booked(
    team, client, outsider, django_capture_on_commit_callbacks
):
    interview = book(team, next_weekday(), django_capture_on_commit_callbacks)
    debrief = Debrief.objects.get(interview=interview)
    client.force_login(outsider)
    url = reverse("interview_debrief", args=[interview.pk])
    response = client.post(url, {"start": debrief.start_at.isoformat()})
    assert response.status_code == 404
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.PROPOSED


def test_a_moved_loop_whose_debrief_no_longer_fits_is_flagged(
    team, recruiter, recruiter_client, django_capture_on_commit_callbacks
):
    team["plan"].debrief_auto_book = True
    team["plan"].debrief_within_days = 0
    team["plan"].save()
    day = next_weekday()
    interview = book(team, day, django_capture_on_commit_callbacks)
    debrief = Debrief.objects.get(interview=interview)
    assert debrief.status == Debrief.Status.BOOKED
    # Ivy stops working at noon: the loop moved to the next day leaves no time that day.
    ivy = team["ivy"]
    ivy.working_hours = [[["09:00", "12:30"]]] * 5 + [[], []]
    ivy.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking.reschedule(
            interview, loop_choice(team, day + dt.timedelta(days=1)), user=recruiter
        )
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.NEEDS_TIME
    flag = interview.flags.get(kind=Flag.Kind.DEBRIEF)
    assert "no time later on the day of the interview suits the whole debrief panel" in flag.text
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content
    assert "Needs attention" in page.decode() and flag.text in page.decode()
    # The event goes (an operation that brings the calendar to "no event").
    assert Operation.objects.filter(interview=interview, kind="debrief.sync").count() == 2
