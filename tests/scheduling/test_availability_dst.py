"""Daylight-saving changes: working hours stay on the wall clock, odd local times never crash."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from scheduling.availability import NO_ONE_WORKS, Busy, Search, WorkingHours, find_slots
from tests.scheduling.availability_helpers import (
    EVERY_DAY_NINE_TO_FIVE,
    busy,
    days,
    hold,
    local,
    minutes,
    person,
    single,
    wall_times,
)

ALL_DAY = WorkingHours.daily(dt.time(0), dt.time(0), days=tuple(range(7)))
NIGHT = WorkingHours.daily(dt.time(1, 30), dt.time(3), days=tuple(range(7)))

# Every 2026 change in the three zones the issue names (all Sundays).
CHANGE_DAYS = [
    ("America/New_York", dt.date(2026, 3, 8)),  # 02:00 -> 03:00
    ("America/New_York", dt.date(2026, 11, 1)),  # 02:00 -> 01:00
    ("Europe/London", dt.date(2026, 3, 29)),  # 01:00 -> 02:00
    ("Europe/London", dt.date(2026, 10, 25)),  # 02:00 -> 01:00
    ("Australia/Sydney", dt.date(2026, 4, 5)),  # 03:00 -> 02:00
    ("Australia/Sydney", dt.date(2026, 10, 4)),  # 02:00 -> 03:00
]


def local_dates(slots, zone):
    return Counter(slot.start.astimezone(ZoneInfo(zone)).date() for slot in slots)


@pytest.mark.parametrize(("zone", "change"), CHANGE_DAYS)
def test_nine_to_five_gives_29_starts_every_day_across_a_change(zone, change):
    first = change - dt.timedelta(days=2)
    result = find_slots(
        days(zone, first, 5), single("ann"), [person("ann", zone, EVERY_DAY_NINE_TO_FIVE)]
    )
    counts = local_dates(result.slots, zone)
    assert counts == {first + dt.timedelta(days=n): 29 for n in range(5)}
    on_change = [s for s in result.slots if s.start.astimezone(ZoneInfo(zone)).date() == change]
    expected = [f"{h:02}:{m:02}" for h in range(9, 17) for m in (0, 15, 30, 45)][:29]
    assert wall_times(on_change, zone) == expected
    assert all(slot.end - slot.start == dt.timedelta(hours=1) for slot in result.slots)
    assert result.empty_days == ()


@pytest.mark.parametrize(("zone", "change"), CHANGE_DAYS)
def test_candidate_elsewhere_still_gets_the_interviewers_nine_to_five(zone, change):
    # The candidate's clock sets the days and alignment; the interviewer's clock sets the
    # hours. A UTC candidate sees the interviewer's 09:00 move by an hour across the change.
    first = change - dt.timedelta(days=2)
    search = Search(
        start=local(zone, first.year, first.month, first.day),
        end=local(zone, first.year, first.month, first.day) + dt.timedelta(days=5),
        now=local(zone, 2026, 1, 1),
        candidate_zone="UTC",
    )
    result = find_slots(search, single("ann"), [person("ann", zone, EVERY_DAY_NINE_TO_FIVE)])
    assert local_dates(result.slots, zone) == {first + dt.timedelta(days=n): 29 for n in range(5)}
    assert set(wall_times(result.slots, zone)) == {
        f"{h:02}:{m:02}" for h in range(9, 17) for m in (0, 15, 30, 45)
    } - {"16:15", "16:30", "16:45"}


def test_hours_in_the_spring_forward_gap_keep_only_the_real_time():
    # New York, 8 March 2026: 01:30-03:00 on the clock is 01:30-01:59 EST, then 03:00 EDT.
    zone = "America/New_York"
    search = days(zone, dt.date(2026, 3, 7), 3)
    result = find_slots(search, single("ann", length=15), [person("ann", zone, NIGHT)])
    counts = local_dates(result.slots, zone)
    assert counts == {dt.date(2026, 3, 7): 6, dt.date(2026, 3, 8): 2, dt.date(2026, 3, 9): 6}
    gap_day = [s for s in result.slots if s.start.astimezone(ZoneInfo(zone)).day == 8]
    assert [s.start for s in gap_day] == [
        dt.datetime(2026, 3, 8, 6, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 8, 6, 45, tzinfo=dt.UTC),
    ]


def test_hours_entirely_inside_the_gap_hold_no_time():
    zone = "America/New_York"
    hours = WorkingHours.daily(dt.time(2), dt.time(3), days=(6,))  # Sundays only
    result = find_slots(
        days(zone, dt.date(2026, 3, 8)), single("ann", length=15), [person("ann", zone, hours)]
    )
    assert result.slots == ()
    assert [(d.date, d.code) for d in result.empty_days] == [(dt.date(2026, 3, 8), NO_ONE_WORKS)]


def test_hours_starting_inside_the_gap_begin_when_the_clock_reaches_them():
    zone = "America/New_York"
    hours = WorkingHours.daily(dt.time(2, 30), dt.time(4), days=(6,))
    result = find_slots(
        days(zone, dt.date(2026, 3, 8)), single("ann"), [person("ann", zone, hours)]
    )
    assert wall_times(result.slots, zone) == ["03:00"]


def test_hours_over_the_fall_back_hour_count_it_twice():
    # New York, 1 November 2026: the clock shows 01:00-02:00 twice, 05:00-07:00 UTC.
    zone = "America/New_York"
    hours = WorkingHours.daily(dt.time(1), dt.time(2), days=(6,))
    result = find_slots(
        days(zone, dt.date(2026, 11, 1)), single("ann"), [person("ann", zone, hours)]
    )
    assert [s.start.strftime("%H:%M") for s in result.slots] == [
        "05:00",
        "05:15",
        "05:30",
        "05:45",
        "06:00",
    ]
    assert wall_times(result.slots, zone) == ["01:00", "01:15", "01:30", "01:45", "01:00"]


def test_hours_ending_inside_the_repeated_hour_include_its_second_pass():
    zone = "America/New_York"
    hours = WorkingHours.daily(dt.time(0), dt.time(1, 30), days=(6,))
    result = find_slots(
        days(zone, dt.date(2026, 11, 1)), single("ann", length=30), [person("ann", zone, hours)]
    )
    # 00:00-01:30 EDT, then 01:00-01:30 EST again: 04:00-05:30 and 06:00-06:30 UTC.
    utc = [s.start.strftime("%H:%M") for s in result.slots]
    assert utc == ["04:00", "04:15", "04:30", "04:45", "05:00", "06:00"]


def test_all_day_block_on_a_short_day_blocks_exactly_that_day():
    zone = "America/New_York"
    gap_day = dt.date(2026, 3, 8)
    ann = person("ann", zone, ALL_DAY, busy=(Busy.whole_days(gap_day, gap_day + dt.timedelta(1)),))
    result = find_slots(
        days(zone, dt.date(2026, 3, 7), 3, step=dt.timedelta(hours=1)), single("ann"), [ann]
    )
    assert local_dates(result.slots, zone) == {dt.date(2026, 3, 7): 24, dt.date(2026, 3, 9): 24}


def test_all_day_block_on_a_long_day_blocks_all_25_hours():
    zone = "Europe/London"
    long_day = dt.date(2026, 10, 25)
    ann = person(
        "ann", zone, ALL_DAY, busy=(Busy.whole_days(long_day, long_day + dt.timedelta(1)),)
    )
    search = days(zone, dt.date(2026, 10, 24), 3, step=dt.timedelta(hours=1))
    result = find_slots(search, single("ann"), [ann])
    assert dt.date(2026, 10, 25) not in local_dates(result.slots, zone)
    assert result.slots[0].start == local(zone, 2026, 10, 24)
    monday = [s.start for s in result.slots if s.start.date() == dt.date(2026, 10, 26)]
    assert monday[0] == local(zone, 2026, 10, 26)


def test_a_long_day_offers_its_repeated_hour():
    zone = "Europe/London"
    result = find_slots(
        days(zone, dt.date(2026, 10, 25), step=dt.timedelta(hours=1)),
        single("ann"),
        [person("ann", zone, ALL_DAY)],
    )
    assert len(result.slots) == 25
    assert wall_times(result.slots, zone)[:3] == ["00:00", "01:00", "01:00"]


def test_a_candidate_date_that_skips_midnight_starts_at_one():
    # Havana's clocks go from 23:59:59 on 7 March 2026 to 01:00 on 8 March.
    zone = "America/Havana"
    result = find_slots(
        days(zone, dt.date(2026, 3, 7), 2, step=dt.timedelta(hours=1)),
        single("ann"),
        [person("ann", zone, ALL_DAY)],
    )
    assert local_dates(result.slots, zone) == {dt.date(2026, 3, 7): 24, dt.date(2026, 3, 8): 23}
    eighth = [s for s in result.slots if s.start.astimezone(ZoneInfo(zone)).day == 8]
    assert wall_times(eighth, zone)[0] == "01:00"


def test_santiago_spring_forward_at_midnight():
    zone = "America/Santiago"
    result = find_slots(
        days(zone, dt.date(2026, 9, 5), 2, step=dt.timedelta(hours=1)),
        single("ann", length=30),
        [person("ann", zone, ALL_DAY)],
    )
    assert local_dates(result.slots, zone) == {dt.date(2026, 9, 5): 24, dt.date(2026, 9, 6): 23}


def test_half_hour_change_keeps_starts_on_the_candidates_hour():
    # Lord Howe Island moves from UTC+10:30 to +11 at 02:00 on 4 October 2026.
    zone = "Australia/Lord_Howe"
    search = days(zone, dt.date(2026, 10, 3), 3, step=dt.timedelta(hours=1))
    result = find_slots(search, single("ann", length=15), [person("ann", "UTC", ALL_DAY)])
    counts = local_dates(result.slots, zone)
    assert counts == {dt.date(2026, 10, 3): 24, dt.date(2026, 10, 4): 23, dt.date(2026, 10, 5): 24}
    assert set(t[3:] for t in wall_times(result.slots, zone)) == {"00"}


def test_busy_block_across_the_change_blocks_its_real_duration():
    # 01:00-04:00 EST/EDT on the gap day is two real hours: free again at 04:00 EDT.
    zone = "America/New_York"
    start = local(zone, 2026, 3, 8, 1)
    ann = person("ann", zone, ALL_DAY, busy=(busy(start, dt.timedelta(hours=2)),))
    result = find_slots(days(zone, dt.date(2026, 3, 8)), single("ann", length=60), [ann])
    walls = wall_times(result.slots, zone)
    assert "00:00" in walls and "00:15" not in walls and "04:00" in walls and "03:45" not in walls


def test_daily_cap_uses_the_persons_date_on_a_change_day():
    zone = "Australia/Sydney"
    # A hold at 23:30 on the 25-hour Sunday 5 April fills that date, not the Monday.
    hold_start = local(zone, 2026, 4, 5, 23, 30)
    ann = person(
        "ann", zone, EVERY_DAY_NINE_TO_FIVE, daily_cap=1, holds=(hold(hold_start, minutes(30)),)
    )
    result = find_slots(days(zone, dt.date(2026, 4, 5), 2), single("ann"), [ann])
    assert local_dates(result.slots, zone) == {dt.date(2026, 4, 6): 29}
