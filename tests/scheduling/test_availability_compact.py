"""Busy times in the engine's compact form (sorted epoch-second pairs, `busy_times`) give
exactly the slots and explanations that `Busy` records of the same times give: checked on
the property tests' random scenarios (zones, DST weeks, buffers, caps, pools, all-day and
free blocks), and on the rounding of times that are not whole seconds."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.availability import (
    Busy,
    Interviewer,
    Plan,
    Search,
    Session,
    WorkingHours,
    busy_times,
    find_slots,
)
from tests.scheduling.test_availability_properties import COMMON, THOROUGH, ZONES, scenarios

UTC = dt.UTC


def compact(person: Interviewer) -> Interviewer:
    """The same person with their timed busy blocks as `busy_times` (all-day and free blocks
    stay records: they are not timed busy time)."""
    timed = [b for b in person.busy if not (b.all_day or b.free)]
    rest = tuple(b for b in person.busy if b.all_day or b.free)
    return dataclasses.replace(
        person, busy=rest, busy_times=busy_times((b.start, b.end) for b in timed)
    )


@THOROUGH
@given(scenarios(max_sessions=3))
def test_compact_busy_times_give_the_same_slots_and_explanations(scenario):
    search, plan, people = scenario
    assert find_slots(search, plan, [compact(p) for p in people]) == find_slots(
        search, plan, people
    )


@COMMON
@given(scenarios(), st.integers(0, 2))
def test_records_and_compact_times_may_be_mixed(scenario, split):
    """Some blocks as records, the rest compact: the same answer as all records."""
    search, plan, people = scenario

    def mixed(person):
        timed = [b for b in person.busy if not (b.all_day or b.free)]
        kept, moved = timed[:split], timed[split:]
        rest = tuple(b for b in person.busy if b.all_day or b.free)
        return dataclasses.replace(
            person,
            busy=(*rest, *kept),
            busy_times=busy_times((b.start, b.end) for b in moved),
        )

    assert find_slots(search, plan, [mixed(p) for p in people]) == find_slots(search, plan, people)


instants = st.datetimes(
    min_value=dt.datetime(1950, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([ZoneInfo(zone) for zone in ZONES]),
)


@COMMON
@given(instants, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=2)))
def test_compact_times_round_as_busy_records_do(start, length):
    """Start down, end up, to the second, whatever the zone and the microseconds."""
    block = Busy(start, start + length)
    assert busy_times([(block.start, block.end)]) == ((block.start_second, block.end_second),)


def test_compact_times_are_sorted_by_start():
    at = dt.datetime(2026, 3, 9, 14, tzinfo=UTC)
    hour = dt.timedelta(hours=1)
    times = busy_times([(at + 2 * hour, at + 3 * hour), (at, at + hour), (at, at + 2 * hour)])
    assert [start for start, _ in times] == sorted(start for start, _ in times)
    assert len(times) == 3


def test_naive_times_are_refused():
    naive = dt.datetime(2026, 3, 9, 14)
    with pytest.raises(ValueError, match="aware"):
        busy_times([(naive, naive + dt.timedelta(hours=1))])


def test_busy_times_must_be_a_tuple():
    hours = WorkingHours.daily(dt.time(9), dt.time(17))
    with pytest.raises(TypeError, match="tuple"):
        Interviewer("ann", "UTC", hours, busy_times=[(0, 60)])


def test_a_compact_block_keeps_its_buffers():
    """The buffer before an interview keeps clear of a compact block as of a record."""
    hours = WorkingHours.daily(dt.time(9), dt.time(17))
    monday = dt.datetime(2026, 3, 9, tzinfo=UTC)
    busy = (monday.replace(hour=10), monday.replace(hour=11))
    plan = Plan(sessions=(Session("chat", dt.timedelta(minutes=30), required=("ann",)),))
    search = Search(start=monday, end=monday + dt.timedelta(days=1), now=monday)
    ann = Interviewer(
        "ann", "UTC", hours, busy_times=busy_times([busy]), buffer_before=dt.timedelta(minutes=15)
    )
    starts = {slot.start for slot in find_slots(search, plan, [ann]).slots}
    assert monday.replace(hour=11) not in starts  # 15 minutes after the block ends: too soon
    assert monday.replace(hour=11, minute=15) in starts
    assert monday.replace(hour=9, minute=30) in starts  # ends as the block starts: fine
