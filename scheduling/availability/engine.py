"""The search: each person's free time, each session's possible starts, the plan's options.

The work is interval arithmetic on sorted lists of epoch seconds (see `intervals`):

1. Per person: working hours become UTC intervals through their zone's timeline; busy
   blocks and holds, widened by the buffers, are merged and subtracted; what is left, cut to
   the starts that leave `duration` free, is when they can start a session of that length.
   Dates on which a cap is already full are taken out of those starts.
2. Per session: the required people's starts intersected with, for each pool, the time at
   least k members can start.
3. Per order of the sessions: the sessions' starts shifted by their offsets and intersected
   give every possible start of the whole visit.
4. Per candidate date: the aligned starts in there (within the candidate's hours, when the
   search has strict ones) get their pool seats filled by load, checking caps across the
   visit (one person may sit in several sessions).

No step looks at time minute by minute or scans every block for every slot; the cost grows
with the number of busy blocks through one sort per person.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations, permutations

from . import explain
from .clock import DAY, Timeline, day_date, day_number
from .intervals import Interval, at_least, clip, contains, intersect, merge, shift, subtract
from .records import (
    BEYOND_HORIZON,
    CANDIDATE_HOURS,
    FIXED_ORDER,
    UTC,
    WITHIN_NOTICE,
    Availability,
    DayExplanation,
    Interviewer,
    Plan,
    Pool,
    PoolChoice,
    Search,
    Session,
    SessionSlot,
    Slot,
    WorkingHours,
    ceil_seconds,
    floor_seconds,
)

# Timelines and calendars reach this far around the window: far enough for the ISO week of
# any date in it (weekly caps count holds outside the window) and for any buffer (≤ a day).
MARGIN = 8 * DAY


def find_slots(search: Search, plan: Plan, interviewers: Iterable[Interviewer]) -> Availability:
    """Every time the plan can run within the search, and why the other days cannot.

    `interviewers` must include everyone the plan names (others are ignored). The answer
    depends only on the arguments: the same input gives the same slots in the same order.

    >>> from datetime import datetime, time, timedelta
    >>> from scheduling.availability import Hold, WorkingHours
    >>> def at(*args):  # London is on UTC+1 in June
    ...     return datetime(*args, tzinfo=UTC) - timedelta(hours=1)
    >>> hours = WorkingHours.daily(time(9), time(17))
    >>> holds_cy = (Hold(at(2026, 6, 1, 15), at(2026, 6, 1, 16)),)
    >>> people = [Interviewer("ann", "Europe/London", hours),
    ...           Interviewer("bob", "Europe/London", hours),
    ...           Interviewer("cy", "Europe/London", hours, holds=holds_cy)]
    >>> plan = Plan(sessions=(
    ...     Session("intro", timedelta(minutes=30), required=("ann",)),
    ...     Session("tech", timedelta(minutes=60), pools=(Pool(members=("bob", "cy")),))))
    >>> search = Search(start=at(2026, 6, 1), end=at(2026, 6, 3), now=at(2026, 5, 29),
    ...                 candidate_zone="Europe/London")
    >>> result = find_slots(search, plan, people)
    >>> first = result.slots[0]
    >>> first.start.isoformat(), [(s.session, s.interviewers) for s in first.sessions]
    ('2026-06-01T08:00:00+00:00', [('intro', ('ann',)), ('tech', ('bob',))])
    >>> first.sessions[1].pools[0].chosen, first.sessions[1].pools[0].alternates
    (('bob',), ('cy',))
    >>> len(result.slots), result.empty_days
    (54, ())
    """
    people: dict[str, Interviewer] = {}
    for person in interviewers:
        if person.key in people:
            raise ValueError(f"interviewer {person.key!r} is given twice")
        people[person.key] = person
    unknown = [key for key in plan.people() if key not in people]
    if unknown:
        raise ValueError(f"the plan names interviewers not given: {', '.join(unknown)}")

    run = _Run(search, plan, people)
    options: list[_Option] = []
    empty_days: list[DayExplanation] = []
    for day, day_start, day_end in run.days():
        found = run.options_on(day_start, day_end)
        if found:
            options.extend(found)
        else:
            empty_days.append(run.explain(day, day_start, day_end))
    if search.limit is not None and len(options) > search.limit:
        options = sorted(options, key=lambda option: option.rank)[: search.limit]
    options.sort(key=lambda option: option.start)
    return Availability(
        slots=tuple(run.slot(option) for option in options), empty_days=tuple(empty_days)
    )


class _Run:
    """One search: its inputs in epoch seconds, and everything worked out from them."""

    def __init__(self, search: Search, plan: Plan, people: dict[str, Interviewer]):
        self.search = search
        self.plan = plan
        self.start, self.end = ceil_seconds(search.start), floor_seconds(search.end)
        now = floor_seconds(search.now)
        self.earliest = max(self.start, now + _seconds(search.min_notice))
        self.latest = self.end if search.horizon is None else now + _seconds(search.horizon)
        self.step = _seconds(search.step)

        timelines: dict[str, Timeline] = {}
        for zone in (search.candidate_zone, *(people[key].zone for key in plan.people())):
            if zone not in timelines:
                timelines[zone] = Timeline(zone, self.start - MARGIN, self.end + MARGIN)
        self.candidate = timelines[search.candidate_zone]
        # People with the same hours in the same zone (a team on 9 to 5 in one office) have
        # the same working time: it is worked out once.
        work: dict[tuple[str, WorkingHours], list[Interval]] = {}
        self.calendars = {}
        for key in plan.people():
            person = people[key]
            timeline = timelines[person.zone]
            if (person.zone, person.hours) not in work:
                hours = _working_time(person.hours, timeline, self.start, self.end)
                work[person.zone, person.hours] = hours
            self.calendars[key] = _Calendar(
                person, timeline, work[person.zone, person.hours], self.start, self.end
            )
        # Whose interviews an option must count: people with caps or holds, and pool members
        # (their load decides picks). Counting no one else keeps big panels cheap.
        pooled = {
            key
            for session in plan.sessions
            for pool in session.pools
            for key in pool.members + pool.learners()
        }
        for cal in self.calendars.values():
            cal.counted = cal.has_caps or bool(cal.holds_day) or cal.key in pooled

        self.durations = [_seconds(session.duration) for session in plan.sessions]
        self.must_attend = [
            [self.calendars[key] for key in session.must_attend()] for session in plan.sessions
        ]
        self.session_starts = [
            self._session_starts(session, duration)
            for session, duration in zip(plan.sessions, self.durations, strict=True)
        ]
        # members[session][pool]: (key, calendar, start list's starts, start list) per member,
        # for that session's length.
        # learners[session][pool]: the same for the pool's trainees (those who shadow, then
        # those who lead).
        self.members = []
        self.learners = []
        for session, duration in zip(plan.sessions, self.durations, strict=True):
            pools = []
            learners = []
            for pool in session.pools:
                members = []
                for key in pool.members:
                    cal = self.calendars[key]
                    members.append((key, cal, cal.start_keys(duration), cal.start_set(duration)))
                pools.append(members)
                each = []
                for key in pool.learners():
                    cal = self.calendars[key]
                    each.append((key, cal, cal.start_keys(duration), cal.start_set(duration)))
                learners.append(each)
            self.members.append(pools)
            self.learners.append(learners)
        self.layouts = self._layouts()

        # The candidate's hours: per layout, the visit starts that keep the whole visit in
        # them (None: no such rule in this search).
        self.candidate_starts: list[list[Interval]] | None = None
        self.strict = False
        if search.candidate_hours is not None:
            rule = search.candidate_hours
            timeline = timelines.get(rule.zone) or Timeline(
                rule.zone, self.start - MARGIN, self.end + MARGIN
            )
            reasonable = _working_time(rule.hours, timeline, self.start, self.end)
            self.candidate_starts = [
                _starts_within(reasonable, layout.length) for layout in self.layouts
            ]
            self.candidate_keys = [[a for a, _ in each] for each in self.candidate_starts]
            self.strict = rule.strict
        # The candidate's own times: per layout, the visit starts that keep the whole visit
        # inside one of them (None: the search has none).
        self.windows: list[Interval] | None = None
        if search.candidate_windows is not None:
            self.windows = merge(
                [(ceil_seconds(a), floor_seconds(b)) for a, b in search.candidate_windows]
            )
            self.window_starts = [
                _starts_within(self.windows, layout.length) for layout in self.layouts
            ]

    def _session_starts(self, session: Session, duration: int) -> list[Interval]:
        """When the session can start as far as each of its people and pools is concerned."""
        sets = [self.calendars[key].start_set(duration) for key in session.must_attend()]
        for pool in session.pools:
            member_sets = [self.calendars[key].start_set(duration) for key in pool.members]
            sets.append(at_least(pool.k, member_sets))
            if pool.trainee_required:
                learner_sets = [self.calendars[key].start_set(duration) for key in pool.learners()]
                sets.append(at_least(1, learner_sets))
        starts = sets[0]
        for each in sets[1:]:
            starts = intersect(starts, each)
        return starts

    def _layouts(self) -> list[_Layout]:
        """The orders to try, each with the sessions' offsets and the visit's possible starts."""
        count = len(self.plan.sessions)
        if self.plan.order == FIXED_ORDER:
            orderings = [tuple(range(count))]
        else:
            orderings = list(permutations(range(count)))
        gap = _seconds(self.plan.break_between)
        layouts = []
        for index, ordering in enumerate(orderings):
            offsets = []
            offset = 0
            for session_index in ordering:
                offsets.append(offset)
                offset += self.durations[session_index] + gap
            length = offset - gap
            # A visit starting at t runs session i from t + offset i: the visit can start
            # where every session's starts, moved back by its offset, agree.
            starts = [(self.start, self.end - length + 1)]
            for offset, session_index in zip(offsets, ordering, strict=True):
                starts = intersect(starts, shift(self.session_starts[session_index], -offset))
            layouts.append(_Layout(index, ordering, tuple(offsets), length, starts))
        return layouts

    def days(self) -> Iterator[tuple[int, int, int]]:
        """Each candidate date the window touches: (day number, first instant, end)."""
        candidate = self.candidate
        for day in range(candidate.local_day(self.start), candidate.local_day(self.end - 1) + 1):
            day_start = candidate.first_reading(day * DAY)
            day_end = candidate.first_reading((day + 1) * DAY)
            if max(self.start, day_start) < min(self.end, day_end):
                yield day, day_start, day_end

    def last_start(self, day_end: int, layout: _Layout) -> int:
        """The latest start on a candidate date that ends at `day_end`.

        A slot belongs to the date it starts on; a visit of several sessions must also end
        on that date, while a single interview may run past the candidate's midnight.
        """
        if len(layout.ordering) == 1:
            return day_end - 1
        return day_end - layout.length

    def options_on(self, day_start: int, day_end: int) -> list[_Option]:
        """The options starting on one candidate date: one per start time.

        With several orders a start time keeps its best order by load, then the first.
        """
        best: dict[int, _Option] = {}
        for layout in self.layouts:
            starts = layout.starts
            if self.strict:
                starts = intersect(starts, self.candidate_starts[layout.index])
            if self.windows is not None:
                starts = intersect(starts, self.window_starts[layout.index])
            allowed = clip(
                starts,
                max(day_start, self.earliest),
                min(self.last_start(day_end, layout), self.latest) + 1,
            )
            for at in self.candidate.aligned(allowed, self.step):
                # Loads are never negative and earlier orders win ties: an option without
                # load cannot be beaten by a later order.
                if at in best and best[at].rank[:2] == (0, 0):
                    continue
                option = self.assign(at, layout)
                if option is not None and (at not in best or option.rank < best[at].rank):
                    best[at] = option
        return list(best.values())

    def explain(self, day: int, day_start: int, day_end: int) -> DayExplanation:
        """Why a candidate date has no option."""
        date = day_date(day)
        if day_end <= self.earliest:
            return explain.within_notice(date, self.search)
        if day_start > self.latest:
            return explain.beyond_horizon(date, self.search)
        spans = [(max(self.start, day_start), min(self.end, day_end))]
        if self.windows is not None:
            # The candidate's times on the day: the reasons are looked for within them.
            spans = clip(self.windows, *spans[0])
            if not spans:
                return explain.no_candidate_times(date)
            shortest = min(layout.length for layout in self.layouts)
            if not any(b - a >= shortest for a, b in spans):
                return explain.no_candidate_times(
                    date, too_short=explain.amount(dt.timedelta(seconds=shortest))
                )
        # The notice, the horizon or the candidate's hours cut the day only in part: if a
        # time they cut away would otherwise work, they are still the reason (in that order).
        found = set()
        for layout in self.layouts:
            possible = clip(layout.starts, day_start, self.last_start(day_end, layout) + 1)
            if self.windows is not None:
                possible = intersect(possible, self.window_starts[layout.index])
            for at in self.candidate.aligned(possible, self.step):
                if at < self.earliest:
                    reason = WITHIN_NOTICE
                elif at > self.latest:
                    reason = BEYOND_HORIZON
                elif self.strict and not self.in_candidate_hours(at, layout):
                    reason = CANDIDATE_HOURS
                else:
                    continue
                if reason in found or self.assign(at, layout) is None:
                    continue
                found.add(reason)
                if reason == WITHIN_NOTICE:
                    return explain.within_notice(date, self.search)
        if BEYOND_HORIZON in found:
            return explain.beyond_horizon(date, self.search)
        if CANDIDATE_HOURS in found:
            return explain.outside_candidate_hours(date, self.search)
        return explain.people_reason(
            date,
            spans,
            self.plan,
            self.durations,
            self.calendars,
            self.session_starts,
            within_times=self.windows is not None,
        )

    def in_candidate_hours(self, at: int, layout: _Layout) -> bool:
        """Whether a visit starting at `at` lies wholly within the candidate's hours."""
        if self.candidate_starts is None:
            return True
        index = layout.index
        return contains(self.candidate_keys[index], self.candidate_starts[index], at)

    def assign(self, at: int, layout: _Layout) -> _Option | None:
        """Fill a visit starting at `at`: pool seats by load, within every cap, or None."""
        tally = _Tally()
        seats: list[_Seat] = []
        week_load = day_load = 0
        for position, session_index in enumerate(layout.ordering):
            session_start = at + layout.offsets[position]
            # Required people are free then (the layout says so) and each has room for one
            # more interview; several sessions of theirs in one visit must fit together.
            for cal in self.must_attend[session_index]:
                if not cal.counted:
                    continue
                day = cal.day_of(session_start)
                week = cal.week_of(day)
                if not tally.fits(cal, day, week):
                    return None
                tally.add(cal, day, week)
                week_load += cal.holds_week.get(week, 0)
                day_load += cal.holds_day.get(day, 0)
            for pool_index, pool in enumerate(self.plan.sessions[session_index].pools):
                duration = self.durations[session_index]
                seat = _Seat(position, session_index, pool_index, session_start, duration, pool)
                seats.append(seat)
        # The trainees' seats come after every member's: members are picked first, and a
        # trainee takes what is left (backing up only when a pool requires one).
        seats.extend(
            _Seat(*seat.key(), learner=True)
            for seat in list(seats)
            if seat.pool.trainees or seat.pool.leads
        )
        if seats and not self.fill(seats, 0, tally):
            return None

        trainees: list[list[str]] = [[] for _ in layout.ordering]
        for seat in seats:
            for key in seat.chosen:
                cal = self.calendars[key]
                day = cal.day_of(seat.start)
                week_load += cal.holds_week.get(cal.week_of(day), 0)
                day_load += cal.holds_day.get(day, 0)
            if seat.learner:
                trainees[seat.position].extend(seat.chosen)
        rank = (week_load, day_load, at, layout.index)
        return _Option(at, layout, seats, trainees, tally, rank)

    def fill(self, seats: list[_Seat], index: int, tally: _Tally) -> bool:
        """Pick k members for each seat from `index` on, lightest load first.

        Without caps the first picks always work: the layout guarantees k free members in
        each pool. With caps a person who sits in several sessions may run out of room, and
        the search backs up to the next lightest choice, unless there are too few people
        left for the open seats whatever is picked.
        """
        if index == len(seats):
            return True
        seat = seats[index]
        if seat.learner:
            return self.fill_learner(seats, index, tally)
        for chosen in combinations(self.candidates(seat, tally), seat.pool.k):
            for _, _, cal, day, week in chosen:
                tally.add(cal, day, week)
            if self.fill(seats, index + 1, tally):
                seat.chosen = tuple(key for _, key, _, _, _ in chosen)
                return True
            for _, _, cal, day, week in chosen:
                tally.add(cal, day, week, -1)
            # Something below ran out of room. Trying every other pick here would be
            # exponential when it is hopeless (say, one pool for all sessions and a cap of
            # one a day): give up as soon as the count says so.
            if not self.enough_people(seats, index, tally):
                return False
        return False

    def fill_learner(self, seats: list[_Seat], index: int, tally: _Tally) -> bool:
        """Seat at most one trainee of a pool, lightest load first, then the seats after.

        Nobody sits twice in a session: a trainee already seated from another pool of the
        session (two pools may name one program) is passed over. Without a trainee who can
        come the seat stays empty, unless the pool requires one.
        """
        seat = seats[index]
        taken = {
            key
            for other in seats[:index]
            if other.learner and other.position == seat.position
            for key in other.chosen
        }
        for _, key, cal, day, week in self.candidates(seat, tally, exclude=tuple(taken)):
            tally.add(cal, day, week)
            # Set before the seats after look at it (`taken` above, in theirs).
            seat.chosen = (key,)
            if self.fill(seats, index + 1, tally):
                return True
            tally.add(cal, day, week, -1)
        seat.chosen = ()
        if seat.pool.trainee_required:
            return False
        return self.fill(seats, index + 1, tally)

    def enough_people(self, seats: list[_Seat], index: int, tally: _Tally) -> bool:
        """Whether the seats from `index` on could be filled at all: a quick necessary test.

        A member can take at most one seat per session, and on one date and in one week
        no more than their caps leave room for; if all members together cannot cover the
        open seats, no choice of picks will.
        """
        demand = 0
        places: dict[str, tuple[_Calendar, list[tuple[int, tuple[int, int]]]]] = {}
        for seat in seats[index:]:
            if seat.learner:
                # A pool that requires a trainee needs one who can come and has room.
                if seat.pool.trainee_required and not self.candidates(seat, tally):
                    return False
                continue
            demand += seat.pool.k
            for key, cal, keys, starts in self.members[seat.session_index][seat.pool_index]:
                i = bisect_right(keys, seat.start) - 1
                if i >= 0 and seat.start < starts[i][1]:
                    day = cal.day_of(seat.start)
                    places.setdefault(key, (cal, []))[1].append((day, cal.week_of(day)))
        supply = 0
        for cal, where in places.values():
            most = len(where)
            # Seats on several of the person's dates or weeks could each use a different
            # day's room: then only the count of seats bounds them.
            if len(set(where)) == 1:
                day, week = where[0]
                week_load, day_load = tally.load(cal, day, week)
                if cal.daily_cap is not None:
                    most = min(most, cal.daily_cap - day_load)
                if cal.weekly_cap is not None:
                    most = min(most, cal.weekly_cap - week_load)
            supply += max(most, 0)
        return supply >= demand

    def candidates(self, seat: _Seat, tally: _Tally, exclude: tuple[str, ...] = ()) -> list:
        """Pool members (or, for a trainee's seat, the pool's trainees) who could take a
        seat, best by load: (load, key, cal, day, week)."""
        eligible = []
        at = seat.start
        # This runs for every seat of every start tried: the members' start lists for the
        # session's length are looked up once per run, and searched here directly.
        people = self.learners if seat.learner else self.members
        for key, cal, keys, starts in people[seat.session_index][seat.pool_index]:
            i = bisect_right(keys, at) - 1
            if i < 0 or at >= starts[i][1] or key in exclude:
                continue
            day = cal.day_of(at)
            week = cal.week_of(day)
            load = tally.load(cal, day, week)
            if cal.has_room(load):
                eligible.append((load, key, cal, day, week))
        eligible.sort(key=lambda each: (each[0], each[1]))
        return eligible

    def slot(self, option: _Option) -> Slot:
        """The public form of an option, with each pool seat's alternates."""
        sessions = []
        for position, session_index in enumerate(option.layout.ordering):
            session = self.plan.sessions[session_index]
            start = option.start + option.layout.offsets[position]
            choices = []
            interviewers = list(session.required)
            learners = {
                seat.pool_index: seat.chosen[0]
                for seat in option.seats
                if seat.learner and seat.position == position and seat.chosen
            }
            for seat in option.seats:
                if seat.position != position or seat.learner:
                    continue
                others = self.candidates(seat, option.tally, exclude=seat.chosen)
                trainee = learners.get(seat.pool_index)
                leads = trainee is not None and trainee in seat.pool.leads
                choices.append(
                    PoolChoice(
                        seat.chosen,
                        tuple(key for _, key, *_ in others),
                        trainee=trainee,
                        leads=leads,
                        # The lightest member picked shadows the trainee who leads.
                        trainer=seat.chosen[0] if leads else None,
                    )
                )
                interviewers.extend(seat.chosen)
            sessions.append(
                SessionSlot(
                    session=session.key,
                    start=_datetime(start),
                    end=_datetime(start + self.durations[session_index]),
                    interviewers=tuple(interviewers),
                    trainees=tuple(option.trainees[position]),
                    pools=tuple(choices),
                )
            )
        return Slot(
            start=_datetime(option.start),
            end=_datetime(option.start + option.layout.length),
            sessions=tuple(sessions),
            outside_candidate_hours=not self.in_candidate_hours(option.start, option.layout),
            load=option.rank[:2],
        )


@dataclass(frozen=True)
class _Layout:
    """One order of the sessions: their offsets from the start, and the visit's starts."""

    index: int
    ordering: tuple[int, ...]
    offsets: tuple[int, ...]
    length: int
    starts: list[Interval]


@dataclass
class _Seat:
    """The k places of one pool in one session of an option (or its trainee's place), and
    who took them."""

    position: int
    session_index: int
    pool_index: int
    start: int
    duration: int
    pool: Pool
    # A trainee's seat: at most one of the pool's trainees, after every member's seat.
    learner: bool = False
    chosen: tuple[str, ...] = ()

    def key(self) -> tuple:
        return (
            self.position,
            self.session_index,
            self.pool_index,
            self.start,
            self.duration,
            self.pool,
        )


@dataclass
class _Option:
    """One way to run the visit from one start, before it becomes a `Slot`."""

    start: int
    layout: _Layout
    seats: list[_Seat]
    trainees: list[list[str]]
    tally: _Tally
    # Holds in the interviewers' weeks and days, summed, then the start and the order:
    # lower is better when a limit keeps the best options.
    rank: tuple


# --- one person -----------------------------------------------------------------------------


class _Calendar:
    """One interviewer's time over a search, in epoch seconds."""

    def __init__(
        self, person: Interviewer, timeline: Timeline, work: list[Interval], start: int, end: int
    ):
        self.key = person.key
        self.label = person.label
        self.timeline = timeline
        self.daily_cap = person.daily_cap
        self.weekly_cap = person.weekly_cap
        self.has_caps = person.daily_cap is not None or person.weekly_cap is not None
        # Set by the search: whether options must count this person's interviews.
        self.counted = True
        self._weeks: dict[int, tuple[int, int]] = {}
        lo, hi = start - MARGIN, end + MARGIN
        days = _local_days(timeline, start, end)
        self.work = work

        # Busy time is widened so that the interview itself must avoid it: an interview
        # [s, e) keeps `before` clear before and `after` clear after exactly when it misses
        # [busy start - after, busy end + before). A hold is one of our interviews, whose own
        # buffers count too, hence the larger of the two on both sides.
        before, after = _seconds(person.buffer_before), _seconds(person.buffer_after)
        between = max(before, after)
        if before or after:
            blocked = [(start - after, end + before) for start, end in person.busy_times]
        else:
            blocked = list(person.busy_times)
        blocked.extend(
            (block.start_second - after, block.end_second + before)
            for block in person.busy
            if not (block.free or block.all_day)
        )
        for block in person.busy:
            if block.all_day and not block.free:
                first, after_last = block.dates()
                pieces = timeline.wall_range(day_number(first) * DAY, day_number(after_last) * DAY)
                blocked.extend((a - after, b + before) for a, b in pieces)
        self.holds_day: dict[int, int] = {}
        self.holds_week: dict[tuple[int, int], int] = {}
        # What was counted, per local day: (start, label), for the explanations.
        self.held: dict[int, list[tuple[int, str]]] = {}
        for hold in person.holds:
            hold_start, hold_end = hold.start_second, hold.end_second
            if hold_end <= lo or hold_start >= hi:
                continue
            blocked.append((hold_start - between, hold_end + between))
            day = timeline.local_day(hold_start)
            self.holds_day[day] = self.holds_day.get(day, 0) + 1
            week = self.week_of(day)
            self.holds_week[week] = self.holds_week.get(week, 0) + 1
            self.held.setdefault(day, []).append((hold_start, hold.label))
        self.free = subtract(self.work, merge(blocked))

        # The dates on which one more interview would break a cap: nothing may start then.
        daily_full: list[Interval] = []
        weekly_full: list[Interval] = []
        for day in days if self.has_caps else ():
            whole_day = timeline.wall_range(day * DAY, (day + 1) * DAY)
            if self.daily_cap is not None and self.holds_day.get(day, 0) >= self.daily_cap:
                daily_full.extend(whole_day)
            if (
                self.weekly_cap is not None
                and self.holds_week.get(self.week_of(day), 0) >= self.weekly_cap
            ):
                weekly_full.extend(whole_day)
        self.daily_full = merge(daily_full)
        self.weekly_full = merge(weekly_full)
        self.cap_full = merge(daily_full + weekly_full)
        self._work_starts: dict[int, list[Interval]] = {}
        self._free_starts: dict[int, list[Interval]] = {}
        self._start_sets: dict[int, list[Interval]] = {}
        self._start_keys: dict[int, list[int]] = {}

    def week_of(self, day: int) -> tuple[int, int]:
        """The ISO (year, week) of a day number."""
        week = self._weeks.get(day)
        if week is None:
            year, number, _ = day_date(day).isocalendar()
            week = self._weeks[day] = (year, number)
        return week

    def day_of(self, at: int) -> int:
        return self.timeline.local_day(at)

    def work_starts(self, duration: int) -> list[Interval]:
        """When a session of `duration` could start inside working hours alone."""
        starts = self._work_starts.get(duration)
        if starts is None:
            starts = self._work_starts[duration] = _starts_within(self.work, duration)
        return starts

    def starts_before_caps(self, duration: int) -> list[Interval]:
        """When a session of `duration` could start if caps did not count."""
        starts = self._free_starts.get(duration)
        if starts is None:
            starts = self._free_starts[duration] = _starts_within(self.free, duration)
        return starts

    def start_set(self, duration: int) -> list[Interval]:
        """When a session of `duration` can start: in hours, free, and under the caps."""
        starts = self._start_sets.get(duration)
        if starts is None:
            starts = self.starts_before_caps(duration)
            if self.cap_full:
                starts = subtract(starts, self.cap_full)
            self._start_sets[duration] = starts
            self._start_keys[duration] = [a for a, _ in starts]
        return starts

    def start_keys(self, duration: int) -> list[int]:
        """The starts of `start_set(duration)`'s intervals, for bisection."""
        self.start_set(duration)
        return self._start_keys[duration]

    def has_room(self, load: tuple[int, int]) -> bool:
        """Whether one more interview on top of (week, day) `load` stays within the caps."""
        week_load, day_load = load
        return (self.daily_cap is None or day_load < self.daily_cap) and (
            self.weekly_cap is None or week_load < self.weekly_cap
        )

    def can_start(self, at: int, duration: int) -> bool:
        starts = self.start_set(duration)
        return contains(self._start_keys[duration], starts, at)


def _local_days(timeline: Timeline, start: int, end: int) -> range:
    """The day numbers of the local dates that can hold a session in [start, end)."""
    return range(timeline.local_day(start) - 1, timeline.local_day(end) + 2)


def _working_time(hours: WorkingHours, timeline: Timeline, start: int, end: int) -> list[Interval]:
    """When the clock shows a time within the hours, on every local date that can hold a
    session in [start, end)."""
    exceptions = {each.date: each.ranges for each in hours.exceptions}
    work = []
    for day in _local_days(timeline, start, end):
        date = day_date(day)
        for range_start, range_end in exceptions.get(date, hours.weekly[date.weekday()]):
            wall = day * DAY
            wall_end = wall + (_time_seconds(range_end) or DAY)
            work.extend(timeline.wall_range(wall + _time_seconds(range_start), wall_end))
    return merge(work)


def _starts_within(intervals: list[Interval], duration: int) -> list[Interval]:
    """The starts that leave `duration` inside one of the intervals.

    Seconds are whole, so the last start b - duration is kept by ending the half-open
    interval one second later.
    """
    return [(a, b - duration + 1) for a, b in intervals if b - a >= duration]


class _Tally:
    """The interviews one option gives each person, per local date and ISO week."""

    def __init__(self):
        self.days: dict[tuple[str, int], int] = {}
        self.weeks: dict[tuple[str, tuple[int, int]], int] = {}

    def load(self, cal: _Calendar, day: int, week: tuple[int, int]) -> tuple[int, int]:
        """(interviews in the week, interviews on the day), holds and this option together."""
        return (
            cal.holds_week.get(week, 0) + self.weeks.get((cal.key, week), 0),
            cal.holds_day.get(day, 0) + self.days.get((cal.key, day), 0),
        )

    def fits(self, cal: _Calendar, day: int, week: tuple[int, int]) -> bool:
        """Whether one more interview keeps the person within their caps."""
        return cal.has_room(self.load(cal, day, week))

    def add(self, cal: _Calendar, day: int, week: tuple[int, int], count: int = 1) -> None:
        self.days[(cal.key, day)] = self.days.get((cal.key, day), 0) + count
        self.weeks[(cal.key, week)] = self.weeks.get((cal.key, week), 0) + count


# --- conversions ----------------------------------------------------------------------------


def _seconds(value: dt.timedelta) -> int:
    return int(value.total_seconds())


def _time_seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _datetime(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)
