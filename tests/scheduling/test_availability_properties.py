"""Property tests of the availability engine on random calendars.

The reference below decides, minute by minute and without any of the engine's code, whether
a visit can start at a given minute: it reads every minute on each person's clock through
zoneinfo and tries every way of filling the pools. The engine must offer exactly the starts
the reference accepts, and every slot it offers must obey every rule.
"""

import datetime as dt
import itertools
import random
from collections import Counter
from functools import cached_property
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.availability import (
    ANY_ORDER,
    EXPLANATION_CODES,
    FIXED_ORDER,
    Busy,
    DateHours,
    Hold,
    Interviewer,
    Plan,
    Pool,
    Search,
    Session,
    WorkingHours,
    find_slots,
)

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Havana",
    "UTC",
)
# Dates next to 2026's DST changes in those zones, and an ordinary one.
BASE_DATES = (
    dt.date(2026, 3, 7),
    dt.date(2026, 3, 28),
    dt.date(2026, 4, 4),
    dt.date(2026, 6, 10),
    dt.date(2026, 10, 3),
    dt.date(2026, 10, 24),
    dt.date(2026, 10, 31),
)
KEYS = ("ann", "bob", "cy", "dee", "eve")

COMMON = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# The reference check is the one that finds missing slots: it gets more examples.
THOROUGH = settings(COMMON, max_examples=300)


# --- random scenarios -----------------------------------------------------------------------


def minutes_of_day(draw):
    return draw(st.integers(0, 287)) * 5


def as_time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60) if minutes < 1440 else dt.time(0)


@st.composite
def day_ranges(draw):
    # Mostly one broad range, so that people overlap and there are slots to check; now and
    # then a day off or short, odd ranges.
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return ()
    if kind <= 3:
        start = draw(st.integers(0, 120)) * 5
        end = draw(st.integers(144, 288)) * 5
        return ((as_time(start), as_time(end)),)
    ranges = []
    for _ in range(draw(st.integers(1, 2))):
        start = minutes_of_day(draw)
        end = draw(st.integers(start // 5 + 1, 288)) * 5
        ranges.append((as_time(start), as_time(end)))
    return tuple(ranges)


@st.composite
def interviewers(draw, key: str, anchor: dt.datetime, base: dt.date, home: str, calm: bool):
    # A calm scenario has everyone in the candidate's zone working broad hours every day,
    # so that plans with several people still find slots to check.
    if calm:
        zone = home
        start = draw(st.integers(0, 108)) * 5
        end = draw(st.integers(168, 288)) * 5
        weekly = (((as_time(start), as_time(end)),),) * 7
    else:
        zone = draw(st.sampled_from((home, home, home, *ZONES)))
        weekly = tuple(draw(day_ranges()) for _ in range(7))
    exceptions = ()
    if not calm and draw(st.integers(0, 3)) == 0:
        date = base + dt.timedelta(days=draw(st.integers(0, 2)))
        exceptions = (DateHours(date, draw(day_ranges())),)

    def instant():
        return anchor + dt.timedelta(minutes=5 * draw(st.integers(-288, 3 * 288)))

    busy = []
    for _ in range(draw(st.integers(0, 3 if calm else 6))):
        if draw(st.integers(0, 9)) == 0:
            first = base + dt.timedelta(days=draw(st.integers(-1, 2)))
            after = first + dt.timedelta(days=draw(st.integers(1, 2)))
            busy.append(Busy.whole_days(first, after, free=draw(st.booleans())))
        else:
            start = instant()
            length = dt.timedelta(minutes=5 * draw(st.integers(1, 36)))
            busy.append(Busy(start, start + length, free=draw(st.integers(0, 4)) == 0))
    holds = []
    for _ in range(draw(st.integers(0, 3))):
        start = instant()
        holds.append(Hold(start, start + dt.timedelta(minutes=15 * draw(st.integers(1, 6)))))
    buffers = st.sampled_from((0, 0, 5, 10, 15, 30)).map(lambda m: dt.timedelta(minutes=m))
    lowest = 1 if calm else 0
    daily_caps = st.one_of(st.none(), st.none(), st.integers(lowest, 3))
    weekly_caps = st.one_of(st.none(), st.none(), st.integers(lowest, 5))
    return Interviewer(
        key=key,
        zone=zone,
        hours=WorkingHours(weekly=weekly, exceptions=exceptions),
        busy=tuple(busy),
        holds=tuple(holds),
        buffer_before=draw(buffers),
        buffer_after=draw(buffers),
        daily_cap=draw(daily_caps),
        weekly_cap=draw(weekly_caps),
    )


@st.composite
def sessions(draw, name: str):
    people = list(draw(st.permutations(KEYS)))
    required = tuple(people[: draw(st.integers(0, 2))])
    rest = people[len(required) :]
    pools = ()
    if not required or draw(st.booleans()):
        members = tuple(rest[: draw(st.integers(1, 3))])
        others = rest[len(members) :]
        learners = tuple(others[: draw(st.integers(0, 2))])
        split = draw(st.integers(0, len(learners)))
        pools = (
            Pool(
                members,
                k=draw(st.integers(1, len(members))),
                trainees=learners[:split],
                leads=learners[split:],
                trainee_required=bool(learners) and draw(st.booleans()),
            ),
        )
    duration = dt.timedelta(minutes=draw(st.sampled_from((15, 30, 45, 60, 90))))
    return Session(name, duration, required=required, pools=pools)


@st.composite
def scenarios(draw, max_sessions: int = 2):
    candidate = draw(st.sampled_from(ZONES))
    base = draw(st.sampled_from(BASE_DATES))
    midnight = dt.datetime.combine(base, dt.time(0), ZoneInfo(candidate)).astimezone(UTC)
    start = midnight + dt.timedelta(minutes=5 * draw(st.integers(0, 143)))
    end = start + dt.timedelta(minutes=5 * draw(st.integers(72, 576)))
    now = start + dt.timedelta(minutes=15 * draw(st.integers(-200, 40)))
    quarters = st.integers(4, 300).map(lambda count: count * dt.timedelta(minutes=15))
    horizon = draw(st.one_of(st.none(), st.none(), quarters))
    search = Search(
        start=start,
        end=end,
        now=now,
        candidate_zone=candidate,
        step=dt.timedelta(minutes=draw(st.sampled_from((10, 15, 30, 60)))),
        min_notice=dt.timedelta(minutes=30 * draw(st.integers(0, 12))),
        horizon=horizon,
    )
    plan = Plan(
        sessions=tuple(draw(sessions(f"s{n}")) for n in range(draw(st.integers(1, max_sessions)))),
        order=draw(st.sampled_from((FIXED_ORDER, ANY_ORDER))),
        break_between=dt.timedelta(minutes=draw(st.sampled_from((0, 15)))),
    )
    calm = draw(st.booleans())
    people = [draw(interviewers(key, start, base, candidate, calm)) for key in plan.people()]
    return search, plan, people


# --- the reference --------------------------------------------------------------------------


class Clock:
    """One person's calendar read minute by minute on their own clock."""

    def __init__(self, person: Interviewer):
        self.person = person
        self.zone = ZoneInfo(person.zone)

    def local(self, minute: dt.datetime) -> dt.datetime:
        return minute.astimezone(self.zone)

    def working(self, minute: dt.datetime) -> bool:
        local = self.local(minute)
        of_day = local.hour * 60 + local.minute
        for start, end in self.person.hours.ranges_on(local.date()):
            end_minutes = end.hour * 60 + end.minute or 1440
            if start.hour * 60 + start.minute <= of_day < end_minutes:
                return True
        return False

    def busy(self, minute: dt.datetime) -> bool:
        for block in self.person.busy:
            if block.free:
                continue
            if block.all_day:
                first, after = block.dates()
                if first <= self.local(minute).date() < after:
                    return True
            elif block.start <= minute < block.end:
                return True
        return False

    def held(self, minute: dt.datetime) -> bool:
        return any(hold.start <= minute < hold.end for hold in self.person.holds)

    def free_for(self, start: dt.datetime, length: dt.timedelta) -> bool:
        """In hours throughout, busy-free with buffers, hold-free with the larger buffer."""
        before, after = self.person.buffer_before, self.person.buffer_after
        between = max(before, after)
        return (
            all(self.working(m) for m in minutes_between(start, start + length))
            and not any(
                self.busy(m) for m in minutes_between(start - before, start + length + after)
            )
            and not any(
                self.held(m) for m in minutes_between(start - between, start + length + between)
            )
        )

    def day_and_week(self, start: dt.datetime):
        date = self.local(start).date()
        return date, date.isocalendar()[:2]

    @cached_property
    def holds_per_day(self) -> Counter:
        return Counter(self.day_and_week(hold.start)[0] for hold in self.person.holds)

    @cached_property
    def holds_per_week(self) -> Counter:
        return Counter(self.day_and_week(hold.start)[1] for hold in self.person.holds)


def minutes_between(start: dt.datetime, end: dt.datetime):
    while start < end:
        yield start
        start += MINUTE


def within_caps(attendance, clocks) -> bool:
    """Whether holds plus these (person, start) interviews respect everyone's caps."""
    days, weeks = Counter(), Counter()
    for key, start in attendance:
        day, week = clocks[key].day_and_week(start)
        days[key, day] += 1
        weeks[key, week] += 1
    for (key, day), count in days.items():
        cap = clocks[key].person.daily_cap
        if cap is not None and clocks[key].holds_per_day[day] + count > cap:
            return False
    for (key, week), count in weeks.items():
        cap = clocks[key].person.weekly_cap
        if cap is not None and clocks[key].holds_per_week[week] + count > cap:
            return False
    return True


class Reference:
    def __init__(self, search: Search, plan: Plan, people):
        self.search, self.plan = search, plan
        self.clocks = {person.key: Clock(person) for person in people}
        self.candidate = ZoneInfo(search.candidate_zone)
        self._free = {}

    def free(self, key, start, length) -> bool:
        if (key, start, length) not in self._free:
            self._free[key, start, length] = self.clocks[key].free_for(start, length)
        return self._free[key, start, length]

    def orders(self):
        indexes = range(len(self.plan.sessions))
        if self.plan.order == FIXED_ORDER:
            return [tuple(indexes)]
        return list(itertools.permutations(indexes))

    def starts(self) -> list[dt.datetime]:
        """Every minute of the window at which the visit can start."""
        search = self.search
        earliest = max(search.start, search.now + search.min_notice)
        latest = search.end if search.horizon is None else search.now + search.horizon
        step = int(search.step.total_seconds() // 60)
        found = []
        for minute in minutes_between(search.start, search.end):
            local = minute.astimezone(self.candidate)
            if (local.hour * 60 + local.minute) % step or not earliest <= minute <= latest:
                continue
            if any(self.can_start(minute, order) for order in self.orders()):
                found.append(minute)
        return found

    def can_start(self, start: dt.datetime, order) -> bool:
        gap = self.plan.break_between
        placed = []
        at = start
        for index in order:
            session = self.plan.sessions[index]
            placed.append((session, at))
            at += session.duration + gap
        end = at - gap
        if end > self.search.end:
            return False
        if len(order) > 1:
            last = (end - MINUTE).astimezone(self.candidate).date()
            if last != start.astimezone(self.candidate).date():
                return False
        fixed = []
        choices = []
        for session, at in placed:
            for key in session.must_attend():
                if not self.free(key, at, session.duration):
                    return False
                fixed.append((key, at))
            for pool in session.pools:
                able = [k for k in pool.members if self.free(k, at, session.duration)]
                if len(able) < pool.k:
                    return False
                choices.append(
                    [[(k, at) for k in combo] for combo in itertools.combinations(able, pool.k)]
                )
                if pool.trainee_required:
                    # One of its trainees must come too.
                    learners = [k for k in pool.learners() if self.free(k, at, session.duration)]
                    if not learners:
                        return False
                    choices.append([[(k, at)] for k in learners])
        for picks in itertools.product(*choices):
            if within_caps(fixed + [seat for pool in picks for seat in pool], self.clocks):
                return True
        return False


# --- properties -----------------------------------------------------------------------------


def attendance(slot):
    """(person, session start, session length) for everyone at a slot, trainees included."""
    for session in slot.sessions:
        for key in session.interviewers + session.trainees:
            yield key, session.start, session.end - session.start


@THOROUGH
@given(scenarios())
def test_slots_are_exactly_the_starts_a_minute_by_minute_reference_accepts(scenario):
    search, plan, people = scenario
    result = find_slots(search, plan, people)
    assert [slot.start for slot in result.slots] == Reference(search, plan, people).starts()


@COMMON
@given(scenarios())
def test_no_slot_overlaps_busy_time_holds_or_buffers(scenario):
    search, plan, people = scenario
    by_key = {person.key: person for person in people}
    for slot in find_slots(search, plan, people).slots:
        for key, start, length in attendance(slot):
            person = by_key[key]
            zone = ZoneInfo(person.zone)
            guarded = (start - person.buffer_before, start + length + person.buffer_after)
            for block in person.busy:
                if block.free:
                    continue
                if block.all_day:
                    first, after = block.dates()
                    block_start = dt.datetime.combine(first, dt.time(0), zone)
                    block_end = dt.datetime.combine(after, dt.time(0), zone)
                else:
                    block_start, block_end = block.start, block.end
                assert not (block_start < guarded[1] and guarded[0] < block_end), (key, block)
            between = max(person.buffer_before, person.buffer_after)
            for hold in person.holds:
                assert not (hold.start < start + length + between and start - between < hold.end)


@COMMON
@given(scenarios())
def test_every_session_lies_in_its_attendees_working_hours(scenario):
    search, plan, people = scenario
    clocks = {person.key: Clock(person) for person in people}
    for slot in find_slots(search, plan, people).slots:
        for key, start, length in attendance(slot):
            assert all(clocks[key].working(m) for m in minutes_between(start, start + length))


@COMMON
@given(scenarios())
def test_caps_are_never_exceeded(scenario):
    search, plan, people = scenario
    clocks = {person.key: Clock(person) for person in people}
    for slot in find_slots(search, plan, people).slots:
        assert within_caps([(key, start) for key, start, _ in attendance(slot)], clocks)


@COMMON
@given(scenarios())
def test_slots_follow_the_plan(scenario):
    search, plan, people = scenario
    sessions = {session.key: session for session in plan.sessions}
    for slot in find_slots(search, plan, people).slots:
        assert [s.start for s in slot.sessions] == sorted(s.start for s in slot.sessions)
        assert slot.start == slot.sessions[0].start and slot.end == slot.sessions[-1].end
        assert sorted(s.session for s in slot.sessions) == sorted(sessions)
        for before, after in itertools.pairwise(slot.sessions):
            assert after.start - before.end == plan.break_between
        for placed in slot.sessions:
            session = sessions[placed.session]
            chosen = [key for choice in placed.pools for key in choice.chosen]
            assert placed.interviewers == session.required + tuple(chosen)
            for pool, choice in zip(session.pools, placed.pools, strict=True):
                assert len(choice.chosen) == pool.k
                assert set(choice.chosen) <= set(pool.members)
                assert set(choice.alternates) <= set(pool.members) - set(choice.chosen)
                assert choice.trainee is None or choice.trainee in pool.learners()
                if pool.trainee_required:
                    assert choice.trainee is not None
                if choice.trainee is not None:
                    assert choice.trainee in placed.trainees
                    assert choice.leads == (choice.trainee in pool.leads)
                    assert choice.trainer == (choice.chosen[0] if choice.leads else None)
            # Nobody twice in a session.
            everyone = placed.interviewers + placed.trainees
            assert len(set(everyone)) == len(everyone)


@COMMON
@given(scenarios(max_sessions=1))
def test_a_single_session_picks_the_lightest_free_members(scenario):
    search, plan, people = scenario
    reference = Reference(search, plan, people)
    (session,) = plan.sessions
    for slot in find_slots(search, plan, people).slots:
        for pool, choice in zip(session.pools, slot.sessions[0].pools, strict=True):
            fits = []
            for key in pool.members:
                clock = reference.clocks[key]
                if reference.free(key, slot.start, session.duration) and within_caps(
                    [(key, slot.start)], reference.clocks
                ):
                    day, week = clock.day_and_week(slot.start)
                    fits.append(((clock.holds_per_week[week], clock.holds_per_day[day]), key))
            ranked = [key for _, key in sorted(fits)]
            assert choice.chosen == tuple(ranked[: pool.k])
            assert choice.alternates == tuple(ranked[pool.k :])


@COMMON
@given(scenarios())
def test_each_candidate_date_has_slots_or_one_explanation(scenario):
    search, plan, people = scenario
    result = find_slots(search, plan, people)
    zone = ZoneInfo(search.candidate_zone)
    first = search.start.astimezone(zone).date()
    last = (search.end - dt.timedelta(seconds=1)).astimezone(zone).date()
    touched = {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
    with_slots = {slot.start.astimezone(zone).date() for slot in result.slots}
    explained = [day.date for day in result.empty_days]
    assert len(explained) == len(set(explained))
    assert with_slots.isdisjoint(explained)
    assert with_slots | set(explained) == touched
    for day in result.empty_days:
        assert day.code in EXPLANATION_CODES
        assert day.message.endswith(".")
        assert set(day.people) <= set(plan.people())


@COMMON
@given(scenarios(), st.randoms(use_true_random=False))
def test_same_input_gives_same_output(scenario, rng: random.Random):
    search, plan, people = scenario
    first = find_slots(search, plan, people)
    assert find_slots(search, plan, people) == first
    shuffled = [
        Interviewer(**{**vars(person), "busy": tuple(rng.sample(person.busy, len(person.busy)))})
        for person in rng.sample(people, len(people))
    ]
    assert find_slots(search, plan, shuffled) == first
