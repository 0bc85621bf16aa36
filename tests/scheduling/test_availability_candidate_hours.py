"""Candidate hours: the engine offers (or marks) only visits wholly inside the hours it is
reasonable to interview the candidate, on the candidate's clock, and names the rule when it
empties a day."""

import datetime as dt
from zoneinfo import ZoneInfo

from scheduling.availability import (
    CANDIDATE_HOURS,
    NO_ONE_WORKS,
    WITHIN_NOTICE,
    CandidateHours,
    Plan,
    Search,
    Session,
    WorkingHours,
    find_slots,
)
from tests.scheduling.availability_helpers import (
    EVERY_DAY_NINE_TO_FIVE,
    days,
    local,
    minutes,
    person,
    single,
    wall_times,
)

KOLKATA = "Asia/Kolkata"
NEW_YORK = "America/New_York"
EIGHT_TO_EIGHT = WorkingHours.daily(dt.time(8), dt.time(20))
EVERY_DAY_EIGHT_TO_EIGHT = WorkingHours.daily(dt.time(8), dt.time(20), days=tuple(range(7)))
ALL_DAY = WorkingHours.daily(dt.time(0), dt.time(0), days=tuple(range(7)))
# Monday 13 April 2026: New York on daylight time (UTC-4), Kolkata on UTC+5:30.
MONDAY = dt.date(2026, 4, 13)


def rule(zone=KOLKATA, hours=EIGHT_TO_EIGHT, strict=True):
    return CandidateHours(zone, hours, strict)


def local_ends(slots, zone):
    return [slot.end.astimezone(ZoneInfo(zone)) for slot in slots]


def test_a_kolkata_candidate_is_offered_only_starts_whose_hour_ends_by_eight_pm():
    # Ivy works 09:00-17:00 in New York: 18:30-02:30 in Kolkata. Without the rule the
    # candidate sees starts until 01:30 at night; with it, 18:30 to 19:00 only.
    ivy = person("ivy", NEW_YORK)
    without = find_slots(days(KOLKATA, MONDAY, 5), single("ivy"), [ivy])
    assert "01:30" in wall_times(without.slots, KOLKATA)

    result = find_slots(days(KOLKATA, MONDAY, 5, candidate_hours=rule()), single("ivy"), [ivy])
    assert wall_times(result.slots, KOLKATA) == ["18:30", "18:45", "19:00"] * 5
    assert all(end.strftime("%H:%M") <= "20:00" for end in local_ends(result.slots, KOLKATA))
    assert result.empty_days == ()


def test_the_whole_loop_must_fit_not_just_its_start():
    # Two sessions and a 15-minute break: 2 h 15 min from the first start to the last end.
    plan = Plan(
        sessions=(
            Session("tech", minutes(60), required=("ann",)),
            Session("values", minutes(60), required=("bob",)),
        ),
        break_between=minutes(15),
    )
    people = [person("ann", KOLKATA, ALL_DAY), person("bob", KOLKATA, ALL_DAY)]
    result = find_slots(days(KOLKATA, MONDAY, candidate_hours=rule()), plan, people)
    times = wall_times(result.slots, KOLKATA)
    assert times[0] == "08:00" and times[-1] == "17:45"
    assert max(local_ends(result.slots, KOLKATA)).strftime("%H:%M") == "20:00"


def test_not_strict_offers_every_time_and_marks_those_outside():
    ivy = person("ivy", NEW_YORK)
    strict = find_slots(days(KOLKATA, MONDAY, 5, candidate_hours=rule()), single("ivy"), [ivy])
    marked = find_slots(
        days(KOLKATA, MONDAY, 5, candidate_hours=rule(strict=False)), single("ivy"), [ivy]
    )
    plain = find_slots(days(KOLKATA, MONDAY, 5), single("ivy"), [ivy])
    assert [s.start for s in marked.slots] == [s.start for s in plain.slots]
    assert marked.empty_days == plain.empty_days
    inside = [s.start for s in marked.slots if not s.outside_candidate_hours]
    assert inside == [s.start for s in strict.slots]
    assert not any(s.outside_candidate_hours for s in plain.slots)


def test_the_recruiter_sees_their_own_days_and_the_candidates_hours_on_the_candidates_clock():
    # A recruiter in New York books a candidate in Los Angeles: the days and alignment are
    # New York's, the 08:00-20:00 is Los Angeles's.
    ivy = person("ivy", NEW_YORK)
    search = days(NEW_YORK, MONDAY, candidate_hours=rule("America/Los_Angeles", strict=False))
    result = find_slots(search, single("ivy"), [ivy])
    outside = wall_times([s for s in result.slots if s.outside_candidate_hours], NEW_YORK)
    # 09:00-10:45 in New York is 06:00-07:45 in Los Angeles.
    assert outside == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45"]


def test_an_empty_day_names_the_rule_with_the_hours_and_zone():
    ivy = person("ivy", NEW_YORK, EVERY_DAY_NINE_TO_FIVE)
    plan = single("ivy", length=120)  # 2 hours do not fit in 18:30-20:00 Kolkata
    result = find_slots(days(KOLKATA, MONDAY, 2, candidate_hours=rule()), plan, [ivy])
    assert result.slots == ()
    tuesday = next(d for d in result.empty_days if d.date == MONDAY + dt.timedelta(days=1))
    assert tuesday.code == CANDIDATE_HOURS
    assert tuesday.message == (
        "Tuesday 14 April: the interviewers are free only outside the candidate’s hours "
        "(08:00–20:00 in Asia/Kolkata)."
    )


def test_a_day_that_is_not_one_of_the_candidates_days_says_so():
    ann = person("ann", KOLKATA, ALL_DAY)
    saturday = MONDAY + dt.timedelta(days=5)
    result = find_slots(days(KOLKATA, saturday, candidate_hours=rule()), single("ann"), [ann])
    (day,) = result.empty_days
    assert day.code == CANDIDATE_HOURS
    assert day.message == (
        "Saturday 18 April is not one of the candidate’s days (Monday to Friday in Asia/Kolkata)."
    )


def test_the_other_reasons_keep_their_place():
    # Nobody works on Sunday: that is the reason, not the candidate's days.
    ann = person("ann", KOLKATA)
    sunday = MONDAY + dt.timedelta(days=6)
    result = find_slots(days(KOLKATA, sunday, candidate_hours=rule()), single("ann"), [ann])
    assert [d.code for d in result.empty_days] == [NO_ONE_WORKS]
    # Within the notice beats the candidate's hours.
    ivy = person("ivy", NEW_YORK)
    start = local(KOLKATA, 2026, 4, 13)
    search = Search(
        start=start,
        end=start + dt.timedelta(days=1),
        now=start,
        candidate_zone=KOLKATA,
        min_notice=dt.timedelta(days=2),
        candidate_hours=rule(),
    )
    assert [d.code for d in find_slots(search, single("ivy"), [ivy]).empty_days] == [WITHIN_NOTICE]


def test_hours_stay_on_the_candidates_wall_clock_across_a_daylight_saving_change():
    # Sunday 8 March 2026: New York's clocks go from 02:00 to 03:00; 1 November back.
    ann = person("ann", "UTC", ALL_DAY)
    every_day = rule(NEW_YORK, EVERY_DAY_EIGHT_TO_EIGHT)
    for change in (dt.date(2026, 3, 8), dt.date(2026, 11, 1)):
        search = days(NEW_YORK, change - dt.timedelta(days=1), 3, candidate_hours=every_day)
        result = find_slots(search, single("ann"), [ann])
        by_day = {}
        for slot in result.slots:
            by_day.setdefault(slot.start.astimezone(ZoneInfo(NEW_YORK)).date(), []).append(slot)
        for day, slots in by_day.items():
            times = wall_times(slots, NEW_YORK)
            assert times[0] == "08:00" and times[-1] == "19:00", day
            assert len(times) == 45
        assert change in by_day


def test_hours_to_midnight_keep_a_late_start():
    ann = person("ann", KOLKATA, ALL_DAY)
    late = rule(hours=WorkingHours.daily(dt.time(18), dt.time(0)))
    result = find_slots(days(KOLKATA, MONDAY, candidate_hours=late), single("ann"), [ann])
    assert wall_times(result.slots, KOLKATA)[-1] == "23:00"
