"""What goes into the engine and what comes out: frozen dataclasses.

Datetimes are aware (any zone; the engine reads them as instants), zones are IANA names, and
people are named by a stable string key (an interviewer's public id). Construction checks the
values, so a mistake fails where it was made rather than deep in a search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import ceil, floor
from operator import attrgetter, itemgetter
from zoneinfo import ZoneInfo

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)
ZERO = dt.timedelta(0)
MIDNIGHT = dt.time(0)
MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)

# Plan.order
FIXED_ORDER = "fixed"
ANY_ORDER = "any"

# Explanation codes for a day without slots, most useful first: when several apply, the
# engine reports the first (see `DayExplanation`).
BEYOND_HORIZON = "beyond_horizon"
WITHIN_NOTICE = "within_notice"
NO_ONE_WORKS = "no_one_works"
OUT_OF_HOURS = "required_out_of_hours"
DAILY_CAP = "daily_cap_reached"
WEEKLY_CAP = "weekly_cap_reached"
REQUIRED_BUSY = "required_busy"
CANDIDATE_HOURS = "outside_candidate_hours"
CANDIDATE_TIMES = "outside_candidate_times"
POOL_EXHAUSTED = "pool_exhausted"
NO_COMMON_TIME = "no_common_time"
EXPLANATION_CODES = (
    BEYOND_HORIZON,
    WITHIN_NOTICE,
    CANDIDATE_TIMES,
    CANDIDATE_HOURS,
    NO_ONE_WORKS,
    OUT_OF_HOURS,
    DAILY_CAP,
    WEEKLY_CAP,
    REQUIRED_BUSY,
    POOL_EXHAUSTED,
    NO_COMMON_TIME,
)

Range = tuple[dt.time, dt.time]
# Timed busy blocks in compact form: (start, end) in whole seconds since the epoch.
Seconds = tuple[int, int]
_TIMESTAMP = dt.datetime.timestamp
_TZINFO = attrgetter("tzinfo")
_START = itemgetter(0)


def floor_seconds(value: dt.datetime) -> int:
    """Whole seconds since the epoch at or before an aware datetime.

    >>> floor_seconds(dt.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC))
    1
    """
    return (value - EPOCH) // SECOND


def ceil_seconds(value: dt.datetime) -> int:
    """Whole seconds since the epoch at or after an aware datetime.

    >>> ceil_seconds(dt.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC))
    2
    """
    return -((EPOCH - value) // SECOND)


def busy_times(blocks: Iterable[tuple[dt.datetime, dt.datetime]]) -> tuple[Seconds, ...]:
    """Timed busy blocks, given as (start, end) aware datetimes, in the compact form
    `Interviewer.busy_times` takes: whole seconds since the epoch (start rounded down, end
    up), sorted by start. It blocks exactly the time `Busy(start, end)` records would, for a
    fraction of their cost: a busy calendar has thousands of blocks, and building a record
    for each costs more than the search itself. Build it once where the times arrive (the
    app keeps busy times in this form), not before every search.

    >>> at = dt.datetime(2026, 3, 9, 14, tzinfo=UTC)
    >>> busy_times([(at + dt.timedelta(hours=2), at + dt.timedelta(hours=3, microseconds=1)),
    ...             (at, at + dt.timedelta(minutes=30))])
    ((1773064800, 1773066600), (1773072000, 1773075601))
    >>> busy_times([])
    ()
    """
    pairs = list(blocks)
    if not pairs:
        return ()
    starts, ends = zip(*pairs, strict=True)
    if None in set(map(_TZINFO, starts)) or None in set(map(_TZINFO, ends)):
        raise ValueError("busy times must be aware datetimes")
    # C-level loops: this runs over thousands of blocks. timestamp() is exact to the
    # microsecond for these instants (a double holds ~15 digits), so its floor and ceiling
    # round exactly as floor_seconds and ceil_seconds do.
    firsts = map(floor, map(_TIMESTAMP, starts))
    times = list(zip(firsts, map(ceil, map(_TIMESTAMP, ends)), strict=True))
    times.sort(key=_START)
    return tuple(times)


def _require_aware(value: dt.datetime, what: str) -> None:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {value!r}")


def _require_whole_seconds(value: dt.timedelta, what: str) -> None:
    if value < ZERO or value.microseconds:
        raise ValueError(f"{what} must be zero or more whole seconds, got {value!r}")


def _require_ranges(ranges: tuple[Range, ...], what: str) -> None:
    for start, end in ranges:
        # 00:00 as an end is the midnight that closes the day.
        if not (start < end or end == MIDNIGHT):
            raise ValueError(f"{what}: {start}–{end} is not a range within one day")


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateHours:
    """The working ranges on one date, replacing the weekly ones; no ranges is a day off.

    >>> DateHours(dt.date(2026, 12, 25))  # a holiday
    DateHours(date=datetime.date(2026, 12, 25), ranges=())
    """

    date: dt.date
    ranges: tuple[Range, ...] = ()

    def __post_init__(self):
        _require_ranges(self.ranges, f"hours on {self.date}")


@dataclass(frozen=True)
class WorkingHours:
    """When a person works: wall-clock ranges in their own zone.

    `weekly` holds seven tuples of (start, end) ranges, Monday first; an empty tuple is a day
    off. `exceptions` replace the weekly ranges on particular dates. A range ends at or
    before midnight (an end of 00:00 means the midnight that closes the day; 00:00–00:00 is
    the whole day); work past midnight is a second range on the next day.

    A range means the instants at which the person's clock shows a time inside it. On a
    daylight-saving change day 09:00–17:00 is still 09:00–17:00 on the clock; a range inside
    the spring-forward gap holds no time, and a range over the fall-back hour holds both
    passes of it.

    >>> hours = WorkingHours.daily(dt.time(9), dt.time(17),
    ...                            exceptions=(DateHours(dt.date(2026, 3, 10)),))
    >>> hours.ranges_on(dt.date(2026, 3, 9))
    ((datetime.time(9, 0), datetime.time(17, 0)),)
    >>> hours.ranges_on(dt.date(2026, 3, 10)), hours.ranges_on(dt.date(2026, 3, 14))
    ((), ())
    """

    weekly: tuple[tuple[Range, ...], ...]
    exceptions: tuple[DateHours, ...] = ()

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise ValueError("weekly working hours need seven days, Monday first")
        for day, ranges in enumerate(self.weekly):
            _require_ranges(ranges, f"weekly hours of day {day}")
        dates = [each.date for each in self.exceptions]
        if len(set(dates)) != len(dates):
            raise ValueError("working hours have two exceptions for one date")
        # Tuples all the way down keep the hours from changing under a search (which shares
        # the working time of people with equal hours).
        try:
            hash(self)
        except TypeError:
            raise TypeError("working hours must be built from tuples, not lists") from None

    @classmethod
    def daily(
        cls,
        start: dt.time,
        end: dt.time,
        days: tuple[int, ...] = MONDAY_TO_FRIDAY,
        exceptions: tuple[DateHours, ...] = (),
    ) -> WorkingHours:
        """The same range on each of `days` (0 is Monday); the other days off.

        >>> WorkingHours.daily(dt.time(9), dt.time(17), days=(0,)).weekly[:2]
        (((datetime.time(9, 0), datetime.time(17, 0)),), ())
        """
        weekly = tuple(((start, end),) if day in days else () for day in range(7))
        return cls(weekly=weekly, exceptions=exceptions)

    def ranges_on(self, date: dt.date) -> tuple[Range, ...]:
        """The ranges worked on a date: its exception if it has one, else the weekly rule.

        >>> WorkingHours.daily(dt.time(9), dt.time(17)).ranges_on(dt.date(2026, 3, 8))
        ()
        """
        for each in self.exceptions:
            if each.date == date:
                return each.ranges
        return self.weekly[date.weekday()]


@dataclass(frozen=True, slots=True)
class Busy:
    """A block from a person's calendar.

    `free` blocks (transparent events) block nothing. An `all_day` block blocks whole dates
    in the person's own zone, from their midnight to their midnight; its `start` and `end`
    are midnight UTC of the first date and of the day after the last, which is how Unified
    sends all-day events (see `scheduling.unified.records.Event.all_day_dates`). `whole_days`
    builds one.

    `start_second` and `end_second` are the block in whole seconds since the epoch (start
    rounded down, end up), worked out once when the block is made: a search reads every
    block of every person, and the same blocks serve many searches.

    >>> Busy.whole_days(dt.date(2026, 12, 24), dt.date(2026, 12, 26)).dates()
    (datetime.date(2026, 12, 24), datetime.date(2026, 12, 26))
    >>> Busy(dt.datetime(1970, 1, 1, 0, 1, tzinfo=UTC), dt.datetime(1970, 1, 1, 0, 2, 0, 1,
    ...      tzinfo=UTC)).end_second
    121
    """

    start: dt.datetime
    end: dt.datetime
    all_day: bool = False
    free: bool = False
    start_second: int = field(init=False, repr=False, compare=False)
    end_second: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        _require_aware(self.start, "a busy block's start")
        _require_aware(self.end, "a busy block's end")
        # Derived, not state: frozen dataclasses set such fields this way.
        object.__setattr__(self, "start_second", floor_seconds(self.start))
        object.__setattr__(self, "end_second", ceil_seconds(self.end))

    @classmethod
    def whole_days(cls, first: dt.date, after_last: dt.date, free: bool = False) -> Busy:
        """An all-day block from `first` up to, not including, `after_last`.

        >>> Busy.whole_days(dt.date(2026, 12, 24), dt.date(2026, 12, 25)).start.isoformat()
        '2026-12-24T00:00:00+00:00'
        """
        return cls(
            start=dt.datetime.combine(first, MIDNIGHT, UTC),
            end=dt.datetime.combine(after_last, MIDNIGHT, UTC),
            all_day=True,
            free=free,
        )

    def dates(self) -> tuple[dt.date, dt.date]:
        """An all-day block's first date and the day after its last (at least one day).

        >>> midnight = dt.datetime(2026, 12, 24, tzinfo=UTC)
        >>> Busy(midnight, midnight, all_day=True).dates()
        (datetime.date(2026, 12, 24), datetime.date(2026, 12, 25))
        """
        first = self.start.astimezone(UTC).date()
        after_last = self.end.astimezone(UTC).date()
        return first, max(after_last, first + dt.timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Hold:
    """An interview the person sits in (Convene's, or one found in the ATS), which their
    calendar may not show yet.

    It blocks its time (with the person's buffers around it) and counts toward their caps
    and load on the local date and ISO week of its start. `label` says what it is, for the
    explanation of a day on which it helped fill a cap.

    >>> Hold(dt.datetime(2026, 3, 9, 14, tzinfo=UTC), dt.datetime(2026, 3, 9, 15, tzinfo=UTC))
    Hold(start=datetime.datetime(2026, 3, 9, 14, 0, tzinfo=datetime.timezone.utc), \
end=datetime.datetime(2026, 3, 9, 15, 0, tzinfo=datetime.timezone.utc), label='')
    """

    start: dt.datetime
    end: dt.datetime
    label: str = field(default="", compare=False)
    start_second: int = field(init=False, repr=False, compare=False)
    end_second: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        _require_aware(self.start, "a hold's start")
        _require_aware(self.end, "a hold's end")
        object.__setattr__(self, "start_second", floor_seconds(self.start))
        object.__setattr__(self, "end_second", ceil_seconds(self.end))


@dataclass(frozen=True)
class Interviewer:
    """Everything the engine knows about one person.

    Buffers: a proposed interview [start, end) needs `buffer_before` free of busy time
    before it and `buffer_after` after it; between two of Convene's interviews (a hold and
    the proposal) the gap is at least the larger of the two, so a hold's own buffers are
    respected as well. Buffers may fall outside working hours.

    Busy time comes as `Busy` records, or, for the many timed blocks of a busy calendar, as
    `busy_times`: (start, end) pairs of epoch seconds, which cost next to nothing to build.

    Caps: at most `daily_cap` interviews on one local date and `weekly_cap` in one ISO week
    (Monday to Sunday in the person's zone), counting holds and the proposed ones; `None` is
    no cap. A trainee's shadowing counts as an interview.

    >>> ann = Interviewer(key="ann", zone="Europe/London",
    ...                   hours=WorkingHours.daily(dt.time(9), dt.time(17)), daily_cap=2)
    >>> ann.label
    'ann'
    """

    key: str
    zone: str
    hours: WorkingHours
    busy: tuple[Busy, ...] = ()
    holds: tuple[Hold, ...] = ()
    # Timed busy blocks in compact form (`busy_times` builds them): each (start, end) blocks
    # exactly what `Busy(start, end)` would. `busy` keeps all-day and free blocks; both may
    # be given, and they add up.
    busy_times: tuple[Seconds, ...] = ()
    buffer_before: dt.timedelta = ZERO
    buffer_after: dt.timedelta = ZERO
    daily_cap: int | None = None
    weekly_cap: int | None = None
    # Shown in explanations; the key when empty.
    name: str = ""

    def __post_init__(self):
        ZoneInfo(self.zone)
        if not isinstance(self.busy_times, tuple):
            raise TypeError(f"busy_times of {self.key} must be a tuple of (start, end) seconds")
        for what, buffer in (
            ("buffer_before", self.buffer_before),
            ("buffer_after", self.buffer_after),
        ):
            _require_whole_seconds(buffer, what)
            if buffer > dt.timedelta(days=1):
                raise ValueError(f"{what} of {self.key} is longer than a day")
        for what, cap in (("daily_cap", self.daily_cap), ("weekly_cap", self.weekly_cap)):
            if cap is not None and cap < 0:
                raise ValueError(f"{what} of {self.key} is negative")

    @property
    def label(self) -> str:
        """The name to show in explanations: `name`, or the key without one.

        >>> hours = WorkingHours.daily(dt.time(9), dt.time(17))
        >>> Interviewer(key="4f1c", zone="UTC", hours=hours, name="Ann Lee").label
        'Ann Lee'
        """
        return self.name or self.key


@dataclass(frozen=True)
class Pool:
    """Interviewers of whom `k` are picked, and the trainees of a training program, of whom
    at most one is seated per session.

    `trainees` shadow: the one seated sits beside the `k`, filling none of their seats.
    `leads` are trainees in reverse shadow: the one seated takes one of the `k` seats and
    one of the members picked sits beside them as their trainer (so `k` members are still
    picked, one of them shadowing). Either way the trainee must be able to attend like
    anyone else (hours, busy time, buffers, caps) and counts toward their caps and load,
    and among those who can, the one with the lightest load is seated (as pool members are
    picked). With `trainee_required=False` a time no trainee can make is still offered,
    without one; with `True` it is not offered.

    >>> Pool(members=("bob", "cy", "dee"), k=2, trainees=("eve",), leads=("fay",)).k
    2
    """

    members: tuple[str, ...]
    k: int = 1
    trainees: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    trainee_required: bool = False
    # What explanations call the trainees' program ("Coding interview"); may be empty.
    program: str = ""

    def __post_init__(self):
        if len(set(self.members)) != len(self.members):
            raise ValueError(f"pool {self.members} names someone twice")
        if not 1 <= self.k <= len(self.members):
            raise ValueError(f"a pool of {len(self.members)} cannot supply {self.k}")
        learners = self.trainees + self.leads
        if len(set(learners)) != len(learners):
            raise ValueError(f"pool {self.members} names a trainee twice")
        both = set(learners) & set(self.members)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} is both a member and a trainee of a pool")
        if self.trainee_required and not learners:
            raise ValueError(f"pool {self.members} requires a trainee but has none")

    def learners(self) -> tuple[str, ...]:
        """Every trainee the pool may seat: those who shadow, then those who lead.

        >>> Pool(("bob",), trainees=("eve",), leads=("fay",)).learners()
        ('eve', 'fay')
        """
        return self.trainees + self.leads


@dataclass(frozen=True)
class Session:
    """One interview of a plan: all `required` people and `k` from each pool attend.

    A person may appear once per session (as required, or in one pool; trainees apart from
    both, though two pools may name the same trainees), and in any number of a plan's
    sessions. Nobody is seated twice in one session.

    >>> tech = Session(key="tech", duration=dt.timedelta(minutes=60), required=("ann",),
    ...                pools=(Pool(members=("bob", "cy")),))
    >>> tech.people()
    ('ann', 'bob', 'cy')
    """

    key: str
    duration: dt.timedelta
    required: tuple[str, ...] = ()
    pools: tuple[Pool, ...] = ()
    # Shown in explanations ("“Technical” needs …"); the key when empty.
    name: str = ""

    @property
    def label(self) -> str:
        """The name to show in explanations: `name`, or the key without one.

        >>> Session("4", dt.timedelta(hours=1), ("ann",), name="Coding").label
        'Coding'
        """
        return self.name or self.key

    def __post_init__(self):
        _require_whole_seconds(self.duration, f"duration of {self.key}")
        if self.duration <= ZERO:
            raise ValueError(f"session {self.key} has no duration")
        if not self.required and not self.pools:
            raise ValueError(f"session {self.key} has no interviewers")
        seated = self.required + tuple(key for pool in self.pools for key in pool.members)
        if len(set(seated)) != len(seated):
            raise ValueError(f"session {self.key} names someone twice")
        learners = {key for pool in self.pools for key in pool.learners()}
        if learners & set(seated):
            raise ValueError(f"session {self.key} names an interviewer as a trainee too")

    def must_attend(self) -> tuple[str, ...]:
        """Who must attend for the session to take place: the required people. (A pool that
        requires a trainee needs one of its trainees, not a given one.)

        >>> Session(key="s", duration=dt.timedelta(hours=1), required=("ann",),
        ...         pools=(Pool(("bob",), trainees=("eve",), trainee_required=True),)
        ...         ).must_attend()
        ('ann',)
        """
        return self.required

    def people(self) -> tuple[str, ...]:
        """Everyone the session may use: required, pool members, trainees, in plan order,
        each once (two pools may name the same program).

        >>> Session(key="s", duration=dt.timedelta(hours=1), required=("ann",),
        ...         pools=(Pool(("bob", "cy"), trainees=("eve",)),)).people()
        ('ann', 'bob', 'cy', 'eve')
        """
        people = list(self.required)
        for pool in self.pools:
            people.extend(pool.members)
            people.extend(pool.learners())
        return tuple(dict.fromkeys(people))


@dataclass(frozen=True)
class Plan:
    """The sessions of one visit, all within one date of the candidate's.

    A visit belongs to the candidate date it starts on; with several sessions it must end
    on that date too (an end at midnight counts), while a single interview may run past it.

    With `order=FIXED_ORDER` the sessions run in the given order; with `ANY_ORDER` every
    order is tried (n! of them: meant for the usual two to five sessions) and each start time
    is offered once, in the best order by load (the given order wins ties). Consecutive
    sessions are separated by exactly `break_between` (zero: back to back).

    >>> plan = Plan(sessions=(Session(key="a", duration=dt.timedelta(minutes=30),
    ...                               required=("ann",)),
    ...                       Session(key="b", duration=dt.timedelta(minutes=45),
    ...                               required=("bob", "ann"))),
    ...             break_between=dt.timedelta(minutes=15))
    >>> plan.people()
    ('ann', 'bob')
    """

    sessions: tuple[Session, ...]
    order: str = FIXED_ORDER
    break_between: dt.timedelta = ZERO

    def __post_init__(self):
        if not self.sessions:
            raise ValueError("a plan needs at least one session")
        keys = [session.key for session in self.sessions]
        if len(set(keys)) != len(keys):
            raise ValueError("two sessions of a plan share a key")
        if self.order not in (FIXED_ORDER, ANY_ORDER):
            raise ValueError(f"order must be {FIXED_ORDER!r} or {ANY_ORDER!r}")
        _require_whole_seconds(self.break_between, "break_between")

    def people(self) -> tuple[str, ...]:
        """Everyone the plan may use, each once, in order of first appearance.

        >>> hour = dt.timedelta(hours=1)
        >>> Plan(sessions=(Session("a", hour, required=("ann", "bob")),
        ...                Session("b", hour, required=("bob", "cy")))).people()
        ('ann', 'bob', 'cy')
        """
        return tuple(dict.fromkeys(key for s in self.sessions for key in s.people()))


@dataclass(frozen=True)
class CandidateHours:
    """When it is reasonable to interview the candidate: wall-clock ranges in their zone.

    A visit is inside them when the whole of it, from its first start to its last end, lies
    within one stretch of `hours` on the candidate's clock (`WorkingHours` semantics: across
    a daylight-saving change 08:00–20:00 stays 08:00–20:00 on their clock).

    `strict=True` (the candidate's own booking page): only visits inside them are offered,
    and a date they empty is explained by them. `strict=False` (the recruiter, who may book
    anything): every visit is offered, those outside marked `Slot.outside_candidate_hours`.

    >>> hours = CandidateHours("Asia/Kolkata", WorkingHours.daily(dt.time(8), dt.time(20)))
    >>> hours.strict
    True
    """

    zone: str
    hours: WorkingHours
    strict: bool = True

    def __post_init__(self):
        ZoneInfo(self.zone)


@dataclass(frozen=True)
class Search:
    """Where and how to look.

    A slot starts at or after `start` and ends by `end`; it starts no sooner than
    `now + min_notice` and, with a `horizon`, no later than `now + horizon`. Starts are
    aligned on the candidate's clock: at a multiple of `step` after midnight in
    `candidate_zone` (15 minutes gives :00, :15, :30, :45 on the candidate's side). The
    candidate's dates also set the days: a slot belongs to the date it starts on, a plan's
    sessions fall within one date, and empty days are explained per candidate date.
    `limit` keeps the best options by load (still returned in time order).
    `candidate_hours`, when the candidate's zone is known, keeps visits within the hours it
    is reasonable to interview them (or marks those outside: see `CandidateHours`).
    `candidate_windows`, the times the candidate said they can do ((start, end) aware
    datetimes), keeps only visits that lie wholly inside one of them; a date without a
    slot is then explained within them ("during the candidate's times").

    >>> Search(start=dt.datetime(2026, 3, 9, tzinfo=UTC), end=dt.datetime(2026, 3, 14, tzinfo=UTC),
    ...        now=dt.datetime(2026, 3, 6, 12, tzinfo=UTC), candidate_zone="Europe/Paris",
    ...        limit=50).step
    datetime.timedelta(seconds=900)
    """

    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    candidate_zone: str = "UTC"
    step: dt.timedelta = dt.timedelta(minutes=15)
    min_notice: dt.timedelta = ZERO
    horizon: dt.timedelta | None = None
    limit: int | None = None
    candidate_hours: CandidateHours | None = None
    candidate_windows: tuple[tuple[dt.datetime, dt.datetime], ...] | None = None

    def __post_init__(self):
        _require_aware(self.start, "the search start")
        _require_aware(self.end, "the search end")
        _require_aware(self.now, "now")
        if self.end <= self.start:
            raise ValueError("the search ends before it starts")
        ZoneInfo(self.candidate_zone)
        step = self.step.total_seconds()
        if step <= 0 or step % 60 or 86400 % step:
            raise ValueError("the step must be whole minutes that divide a day")
        _require_whole_seconds(self.min_notice, "min_notice")
        if self.horizon is not None:
            _require_whole_seconds(self.horizon, "horizon")
        if self.limit is not None and self.limit < 1:
            raise ValueError("limit must be at least 1")
        for start, end in self.candidate_windows or ():
            _require_aware(start, "a candidate window's start")
            _require_aware(end, "a candidate window's end")
            if end <= start:
                raise ValueError("a candidate window ends before it starts")


# --- outputs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolChoice:
    """Who was picked from one pool, and who else could take one of those seats.

    `alternates` are the pool's other members who could replace any one of `chosen`, with
    the rest of the slot unchanged (free, in hours, within caps), best by load first.
    `trainee` is the trainee seated from the pool's program, if any; `leads` says they lead
    (reverse shadow), and then `trainer`, one of `chosen`, shadows them.

    >>> PoolChoice(chosen=("bob",), alternates=("cy",)).alternates
    ('cy',)
    """

    chosen: tuple[str, ...]
    alternates: tuple[str, ...]
    trainee: str | None = None
    leads: bool = False
    trainer: str | None = None


@dataclass(frozen=True, slots=True)
class SessionSlot:
    """One session of a slot: when, and who.

    `interviewers` lists the required people, then each pool's picks; `pools` has one
    `PoolChoice` per pool of the session, in plan order; `trainees` the trainees seated (who
    shadow or lead), also named in their pool's choice.

    >>> at = dt.datetime(2026, 3, 9, 14, tzinfo=UTC)
    >>> SessionSlot("tech", at, at + dt.timedelta(hours=1), ("ann",), (), ()).session
    'tech'
    """

    session: str
    start: dt.datetime
    end: dt.datetime
    interviewers: tuple[str, ...]
    trainees: tuple[str, ...]
    pools: tuple[PoolChoice, ...]


@dataclass(frozen=True, slots=True)
class Slot:
    """One option to offer: the whole visit, its sessions in time order.

    `outside_candidate_hours` is set only by a search with non-strict `CandidateHours`, for
    a visit that is not wholly inside them. `load` is what the visit's people already hold
    (interviews in their weeks, then on their days, summed): lower is lighter.

    >>> at = dt.datetime(2026, 3, 9, 14, tzinfo=UTC)
    >>> Slot(at, at + dt.timedelta(hours=1), ()).end.hour
    15
    """

    start: dt.datetime
    end: dt.datetime
    sessions: tuple[SessionSlot, ...]
    outside_candidate_hours: bool = False
    load: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class DayExplanation:
    """Why a date of the candidate's has no slot, in a form a recruiter can act on.

    `code` is one of `EXPLANATION_CODES`; when several reasons apply the first in that order
    is given, because the earlier ones are about the search itself or would still stop the
    day if the later ones were fixed:

    1. `beyond_horizon`, `within_notice`: the whole day, or every time that would otherwise
       work, is past the booking horizon or inside the minimum notice.
       `outside_candidate_hours`: every time that would otherwise work is outside the
       candidate's hours (strict `CandidateHours` only; a date that is not one of their days
       included). `outside_candidate_times`: with `candidate_windows`, the candidate gave
       no time on the date, or every time that would otherwise work is outside theirs.
    2. `no_one_works`: nobody on the plan works that day (a weekend, a holiday).
    3. `required_out_of_hours`: required people off or not working
       long enough for their session.
    4. `daily_cap_reached`, `weekly_cap_reached`: required people whose cap is full on
       that date (or in that week), however free they are.
    5. `required_busy`: required people who work and have room under their caps, but no
       free time long enough.
    6. `pool_exhausted`: a pool with fewer than k members who could attend, or that
       requires a trainee when none of its trainees could; `people` are the ones who
       cannot, and the message says why for each.
    7. `no_common_time`: everyone could come, but not at one time (or the sessions do not
       fit together); `people` are those of the first session that finds no time, or
       everyone when each session could run on its own.

    `people` are interviewer keys; `message` is an English sentence using their names.

    >>> DayExplanation(dt.date(2026, 3, 7), NO_ONE_WORKS, "No one works.", ("ann",)).code
    'no_one_works'
    """

    date: dt.date
    code: str
    message: str
    people: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Availability:
    """The answer: slots in time order, and an explanation for each date without any.

    >>> Availability(slots=(), empty_days=()).slots
    ()
    """

    slots: tuple[Slot, ...]
    empty_days: tuple[DayExplanation, ...]
