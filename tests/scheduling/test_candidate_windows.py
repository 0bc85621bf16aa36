"""The engine with the candidate's own times (`Search.candidate_windows`): only visits wholly
inside one, ranked by load, and empty days explained within them."""

import datetime as dt

from scheduling.availability import (
    CANDIDATE_TIMES,
    POOL_EXHAUSTED,
    REQUIRED_BUSY,
    Pool,
    WorkingHours,
    find_slots,
)
from tests.scheduling.availability_helpers import (
    busy,
    days,
    hold,
    local,
    minutes,
    person,
    single,
    wall_times,
)

NY = "America/New_York"
MONDAY = dt.date(2026, 6, 1)


def _window(zone, day, start_hour, end_hour):
    return (
        local(zone, day.year, day.month, day.day, start_hour),
        local(zone, day.year, day.month, day.day, end_hour),
    )


def test_only_visits_wholly_inside_a_window_are_offered():
    search = days(NY, MONDAY, 2, candidate_windows=(_window(NY, MONDAY, 10, 12),))
    result = find_slots(search, single("ann"), [person("ann", NY)])
    # A 60-minute interview inside 10:00–12:00: 10:00 to 11:00, every 15 minutes.
    assert wall_times(result.slots, NY) == ["10:00", "10:15", "10:30", "10:45", "11:00"]


def test_a_day_without_a_window_says_the_candidate_gave_none():
    search = days(NY, MONDAY, 2, candidate_windows=(_window(NY, MONDAY, 10, 12),))
    result = find_slots(search, single("ann"), [person("ann", NY)])
    (tuesday,) = result.empty_days
    assert tuesday.code == CANDIDATE_TIMES
    assert tuesday.message == "The candidate gave no times on Tuesday 2 June."


def test_a_window_shorter_than_the_interview_is_said_so():
    search = days(NY, MONDAY, 1, candidate_windows=(_window(NY, MONDAY, 10, 11),))
    result = find_slots(search, single("ann", length=90), [person("ann", NY)])
    assert result.slots == ()
    assert result.empty_days[0].message == (
        "The candidate’s times on Monday 1 June are shorter than the interview (90 minutes)."
    )


def test_a_busy_interviewer_is_explained_within_the_candidates_times():
    at = local(NY, 2026, 6, 1, 10)
    ann = person("ann", NY, busy=(busy(at, minutes(120)),), name="Ann")
    search = days(NY, MONDAY, 1, candidate_windows=(_window(NY, MONDAY, 10, 12),))
    result = find_slots(search, single("ann"), [ann])
    # Ann is free the rest of the day: the reason is about the candidate's times.
    assert result.empty_days[0].code == REQUIRED_BUSY
    assert result.empty_days[0].message == (
        "Ann is busy all through the candidate’s times on Monday 1 June."
    )


def test_a_pool_with_no_one_free_in_the_windows_names_the_pool():
    at = local(NY, 2026, 6, 1, 9)
    bob = person("bob", NY, busy=(busy(at, minutes(240)),), name="Bob")
    cy = person("cy", NY, busy=(busy(at, minutes(240)),), name="Cy")
    plan = single(length=60, pools=(Pool(members=("bob", "cy")),))
    search = days(NY, MONDAY, 1, candidate_windows=(_window(NY, MONDAY, 10, 12),))
    explanation = find_slots(search, plan, [bob, cy]).empty_days[0]
    assert explanation.code == POOL_EXHAUSTED
    assert explanation.message.startswith(
        "“interview” needs 1 interviewer from its pool during the candidate’s times on "
        "Monday 1 June, but none can come: Bob is busy"
    )


def test_slots_carry_their_load_so_the_lightest_can_be_ranked_first():
    # Bob has an interview on Monday, Cy none: a Tuesday visit with Cy is the lightest.
    bob = person("bob", NY, holds=(hold(local(NY, 2026, 6, 1, 9)),))
    cy = person("cy", NY)
    plan = single(length=60, pools=(Pool(members=("bob", "cy")),))
    windows = (_window(NY, MONDAY, 14, 15), _window(NY, MONDAY + dt.timedelta(days=1), 14, 15))
    result = find_slots(days(NY, MONDAY, 2, candidate_windows=windows), plan, [bob, cy])
    assert [s.load for s in result.slots] == [(0, 0), (0, 0)]
    busy_bob = person("bob", NY, holds=(hold(local(NY, 2026, 6, 1, 9)),))
    alone = single("bob")
    loads = [
        s.load
        for s in find_slots(
            days(NY, MONDAY, 2, candidate_windows=windows), alone, [busy_bob]
        ).slots
    ]
    assert loads == [(1, 1), (1, 0)]


def test_windows_across_a_dst_change_keep_their_instants():
    # New York springs forward on Sunday 8 March 2026: a window given as 10:00–12:00 on the
    # Monday after is 14:00–16:00 UTC, not 15:00.
    monday = dt.date(2026, 3, 9)
    window = _window(NY, monday, 10, 12)
    assert window[0].hour == 14
    always = WorkingHours.daily(dt.time(0), dt.time(0), days=tuple(range(7)))
    everyone = person("ann", NY, hours=always)
    result = find_slots(
        days(NY, monday, 1, candidate_windows=(window,)), single("ann"), [everyone]
    )
    assert wall_times(result.slots, NY)[0] == "10:00"
    assert result.slots[0].start.hour == 14
