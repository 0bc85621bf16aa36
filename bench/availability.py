"""Benchmark of the availability engine: one JSON line per case, median milliseconds.

Run with `.venv/bin/python bench/availability.py`. Inputs are random but seeded, so every run
measures the same calendars. The timed call is `find_slots` itself, from the dataclasses to
the slots, with the busy times already in the engine's compact form (`busy_times`: sorted
epoch-second pairs, the form the app keeps them in once fetched). Three cases time more:

* `*_full` starts from the busy times as the app holds them between searches, the bytes in
  its busy cache (one entry per calendar, `slots.busy_blocks`): unpickling them and the
  search are inside the timed call;
* `*_full_before` does the same from what the cache held before the compact form,
  (start, end) datetimes, building a `Busy` record per block as every search did;
* `*_from_datetimes` starts from (start, end) datetimes in the calendar's own order, as
  Unified's busy records give them, and builds the compact form inside the timed call: the
  app does that once per fetch (per calendar and two minutes), not per search;
* `*_building_records` builds `Busy` records from those datetimes;
* `full_versus_search` prints the full cases beside the search alone for 5 × 4,800 blocks,
  and their ratios.

A heavy calendar has 300 busy blocks a fortnight (typical is 25–40): 15 to 45 minutes each
on a 5-minute grid, piled into one to three busy stretches of one to two hours each working
day (double-booked, as heavy calendars are), a tenth of them anywhere, nights included. About
half of one such person's working hours stay free, so a panel of five still shares a few
hours a fortnight: the 300-block cases return slots, printed beside their time (at 16× the
blocks the scattered tenth fills the gaps). Interviewers are in New York and the fortnight
includes the spring-forward change on Sunday 8 March 2026.
"""

import datetime as dt
import json
import pickle
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.availability import (
    ANY_ORDER,
    FIXED_ORDER,
    Busy,
    Hold,
    Interviewer,
    Plan,
    Pool,
    Search,
    Session,
    WorkingHours,
    busy_times,
    find_slots,
)

UTC = dt.UTC
ZONE = "America/New_York"
HOURS = WorkingHours.daily(dt.time(9), dt.time(17))
HOUR = dt.timedelta(hours=1)
# Midnight in New York on Monday 2 March 2026.
MONDAY = dt.datetime(2026, 3, 2, tzinfo=ZoneInfo(ZONE))
# How many busy stretches a heavy calendar has on a working day.
STRETCHES_A_DAY = (1, 2, 3)


def days_later(days: int) -> dt.datetime:
    """Midnight in New York `days` after MONDAY (wall clock, not 24-hour steps), in UTC."""
    return (MONDAY + dt.timedelta(days=days)).astimezone(UTC)


def busy_blocks(rng: random.Random, count: int, days: int) -> tuple[Busy, ...]:
    """`count` blocks over `days` days from the Sunday before MONDAY, unsorted.

    Laid out as a heavy calendar is: each working day has a few busy stretches between 08:00
    and 18:00 New York time, into which the meetings pile up (invitations double-book), with
    gaps between them; a tenth of the blocks fall anywhere, nights and weekends included
    (calls with other time zones). More blocks make the stretches denser, not longer.
    """
    stretches = []
    for day in range(days):
        midnight = MONDAY + dt.timedelta(days=day - 1)  # wall clock, across the DST change
        if midnight.weekday() >= 5:
            continue
        for _ in range(rng.choice(STRETCHES_A_DAY)):
            minutes = 15 * rng.randrange(4, 9)  # one to two hours
            begin = midnight.replace(hour=8) + dt.timedelta(
                minutes=15 * rng.randrange((600 - minutes) // 15 + 1)
            )
            stretches.append((begin.astimezone(UTC), minutes))
    anywhere = days_later(-1)
    blocks = []
    for number in range(count):
        minutes = rng.choice((15, 30, 45))
        if number % 10 == 9:
            start = anywhere + dt.timedelta(minutes=5 * rng.randrange(days * 24 * 12))
        else:
            begin, length = rng.choice(stretches)
            minutes = min(minutes, length)
            start = begin + dt.timedelta(minutes=5 * rng.randrange((length - minutes) // 5 + 1))
        blocks.append(Busy(start, start + dt.timedelta(minutes=minutes)))
    return tuple(blocks)


def holds(rng: random.Random, count: int) -> tuple[Hold, ...]:
    """Convene's own interviews in the first week's working hours."""
    out = []
    for _ in range(count):
        day = days_later(rng.randrange(5))
        start = day + dt.timedelta(hours=9 + rng.randrange(8))
        out.append(Hold(start, start + HOUR))
    return tuple(out)


def measure(function, runs: int) -> tuple[dict, object]:
    """The median wall-clock milliseconds of `runs` calls, after a second of warm-up.

    Without the warm-up the first hundred calls of a case run up to twice as slow on this
    machine (its processor speeds up under load), which would skew the median.
    """
    warm_until = time.perf_counter() + 1
    while time.perf_counter() < warm_until:
        result = function()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
    return {"median_ms": round(statistics.median(times), 3), "runs": runs}, result


INPUTS = ("compact", "full", "full_before", "from_datetimes", "records", "building_records")


def panel(blocks_each: int, runs: int, case: str, inputs: str = "compact") -> dict:
    """One 60-minute session, a panel of 5 required, 14 days, 15-minute step.

    `inputs` says what the timed call starts from: "compact", the busy times in the engine's
    compact form (the search alone); "full", the busy cache's bytes of that form; "full_before",
    the busy cache's bytes of datetimes, as before, with a `Busy` record built per block;
    "from_datetimes", the datetimes, turned into the compact form; "records", prebuilt `Busy`
    records; "building_records", `Busy` records built from the datetimes.
    """
    if inputs not in INPUTS:
        raise ValueError(inputs)
    rng = random.Random(5)
    keys = [f"panel-{n}" for n in range(5)]
    blocks = {key: busy_blocks(rng, blocks_each, 16) for key in keys}
    times = {key: [(block.start, block.end) for block in blocks[key]] for key in keys}
    compact = {key: busy_times(times[key]) for key in keys}
    cached = {key: pickle.dumps(compact[key], pickle.HIGHEST_PROTOCOL) for key in keys}
    cached_before = {key: pickle.dumps(times[key], pickle.HIGHEST_PROTOCOL) for key in keys}
    plan = Plan(sessions=(Session("panel", HOUR, required=tuple(keys)),))
    search = Search(
        start=days_later(0), end=days_later(14), now=days_later(-1), candidate_zone=ZONE
    )

    def person(key):
        if inputs == "compact":
            return Interviewer(key, ZONE, HOURS, busy_times=compact[key])
        if inputs == "full":
            return Interviewer(key, ZONE, HOURS, busy_times=pickle.loads(cached[key]))  # noqa: S301
        if inputs == "full_before":
            pairs = pickle.loads(cached_before[key])  # noqa: S301
            return Interviewer(key, ZONE, HOURS, busy=tuple(Busy(a, b) for a, b in pairs))
        if inputs == "from_datetimes":
            return Interviewer(key, ZONE, HOURS, busy_times=busy_times(times[key]))
        if inputs == "records":
            return Interviewer(key, ZONE, HOURS, busy=blocks[key])
        return Interviewer(key, ZONE, HOURS, busy=tuple(Busy(a, b) for a, b in times[key]))

    def call():
        return find_slots(search, plan, [person(key) for key in keys])

    figures, result = measure(call, runs)
    return {
        "case": case,
        **figures,
        "inputs": inputs,
        "interviewers": 5,
        "busy_blocks_each": blocks_each,
        "window_days": 14,
        "step_minutes": 15,
        "slots": len(result.slots),
        "empty_days": len(result.empty_days),
    }


def full_versus_search(blocks_each: int, runs: int) -> dict:
    """The full cases beside the search alone, measured in turns so that a change in the
    machine's load affects all alike (the median of three turns each)."""
    medians = {inputs: [] for inputs in ("compact", "full", "full_before", "from_datetimes")}
    for _ in range(3):
        for inputs, values in medians.items():
            values.append(panel(blocks_each, runs, inputs, inputs)["median_ms"])
    ms = {inputs: statistics.median(values) for inputs, values in medians.items()}
    search = ms["compact"]
    return {
        "case": "full_versus_search",
        "interviewers": 5,
        "busy_blocks_each": blocks_each,
        "search_alone_ms": search,
        "full_ms": ms["full"],
        "full_over_search": round(ms["full"] / search, 2),
        "full_before_ms": ms["full_before"],
        "full_before_over_search": round(ms["full_before"] / search, 2),
        "from_datetimes_ms": ms["from_datetimes"],
        "from_datetimes_over_search": round(ms["from_datetimes"] / search, 2),
        "goal": "full_over_search <= 2",
    }


def loop(order: str, limit: int | None, runs: int, case: str, trainees: int = 0) -> dict:
    """Four 60-minute sessions back to back, each 1 of its own pool of 6, 5 working days.

    Each interviewer has 300 busy blocks over the fortnight around the week, 0–3 holds in the
    week, and caps of 2 a day and 6 a week, so picks by load and the caps do real work.
    With `trainees`, every pool also names a training program of that many trainees (the
    last of them leading, in reverse shadow; the same calendars and caps), so each session
    seats one of them as well (drawn from their own seed: the other inputs stay the same).
    """
    rng = random.Random(4)
    trainee_rng = random.Random(5)
    sessions = []
    people = []
    for number in range(4):
        learners = [f"trainee{number}-{n}" for n in range(trainees)]
        for key in learners:
            people.append(
                Interviewer(
                    key,
                    ZONE,
                    HOURS,
                    busy_times=busy_times(
                        (b.start, b.end) for b in busy_blocks(trainee_rng, 300, 16)
                    ),
                    holds=holds(trainee_rng, trainee_rng.randrange(4)),
                    daily_cap=2,
                    weekly_cap=6,
                )
            )
        keys = [f"pool{number}-{n}" for n in range(6)]
        for key in keys:
            people.append(
                Interviewer(
                    key,
                    ZONE,
                    HOURS,
                    busy_times=busy_times((b.start, b.end) for b in busy_blocks(rng, 300, 16)),
                    holds=holds(rng, rng.randrange(4)),
                    daily_cap=2,
                    weekly_cap=6,
                )
            )
        pool = Pool(tuple(keys), trainees=tuple(learners[:-1]), leads=tuple(learners[-1:]))
        sessions.append(Session(f"session-{number}", HOUR, pools=(pool,)))
    plan = Plan(sessions=tuple(sessions), order=order)
    search = Search(
        start=days_later(0),
        end=days_later(5),
        now=days_later(-1),
        candidate_zone=ZONE,
        limit=limit,
    )
    figures, result = measure(lambda: find_slots(search, plan, people), runs)
    return {
        "case": case,
        **figures,
        "interviewers": 24 + 4 * trainees,
        "trainees_per_pool": trainees,
        "busy_blocks_each": 300,
        "sessions": 4,
        "order": order,
        "window_days": 5,
        "limit": limit,
        "slots": len(result.slots),
        "empty_days": len(result.empty_days),
    }


def main():
    print(json.dumps(panel(300, runs=300, case="panel_of_5")))
    print(json.dumps(panel(300, 300, "panel_of_5_full", "full")))
    print(json.dumps(panel(300, 300, "panel_of_5_full_before", "full_before")))
    print(json.dumps(panel(300, 300, "panel_of_5_building_records", "building_records")))
    print(json.dumps(panel(40, runs=300, case="panel_of_5_typical_calendars")))
    print(json.dumps(loop(FIXED_ORDER, 50, runs=50, case="loop_4_sessions_1_of_6_best_50")))
    print(json.dumps(loop(FIXED_ORDER, None, runs=50, case="loop_4_sessions_1_of_6_all")))
    print(
        json.dumps(loop(ANY_ORDER, 50, runs=20, case="loop_4_sessions_1_of_6_any_order_best_50"))
    )
    case = "loop_4_sessions_1_of_6_with_3_trainees_best_50"
    print(json.dumps(loop(FIXED_ORDER, 50, runs=50, case=case, trainees=3)))
    case = "loop_4_sessions_1_of_6_with_3_trainees_any_order_best_50"
    print(json.dumps(loop(ANY_ORDER, 50, runs=20, case=case, trainees=3)))
    for factor in (1, 4, 16):
        runs = 300 if factor == 1 else 100 if factor == 4 else 30
        print(json.dumps(panel(300 * factor, runs=runs, case=f"panel_of_5_blocks_x{factor}")))
    print(json.dumps(panel(4800, 30, "panel_of_5_blocks_x16_full", "full")))
    print(json.dumps(panel(4800, 30, "panel_of_5_blocks_x16_full_before", "full_before")))
    print(json.dumps(panel(4800, 30, "panel_of_5_blocks_x16_from_datetimes", "from_datetimes")))
    print(json.dumps(panel(4800, 30, "panel_of_5_blocks_x16_records", "records")))
    print(
        json.dumps(panel(4800, 30, "panel_of_5_blocks_x16_building_records", "building_records"))
    )
    print(json.dumps(full_versus_search(4800, runs=30)))


if __name__ == "__main__":
    main()
