"""Why a candidate's date has no slot, as a code, a sentence and the people concerned.

The order of the checks is the priority documented on `DayExplanation`.
"""

import datetime as dt
from bisect import bisect_left

from .clock import DAY, day_date
from .intervals import Interval, subtract
from .records import (
    BEYOND_HORIZON,
    CANDIDATE_HOURS,
    CANDIDATE_TIMES,
    DAILY_CAP,
    NO_COMMON_TIME,
    NO_ONE_WORKS,
    OUT_OF_HOURS,
    POOL_EXHAUSTED,
    REQUIRED_BUSY,
    WEEKLY_CAP,
    WITHIN_NOTICE,
    DayExplanation,
    Plan,
    Search,
)


def within_notice(date: dt.date, search: Search) -> DayExplanation:
    """The minimum notice rules out the date.

    >>> now = dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)
    >>> search = Search(start=now, end=now + dt.timedelta(days=2), now=now,
    ...                 min_notice=dt.timedelta(hours=36))
    >>> within_notice(dt.date(2026, 3, 10), search).message
    'Tuesday 10 March is too soon: interviews need 36 hours’ notice.'
    """
    when = _day(date)
    if search.min_notice:
        amount = _amount(search.min_notice)
        possessive = f"{amount}’" if amount.endswith("s") else f"{amount}’s"
        message = f"{when} is too soon: interviews need {possessive} notice."
    else:
        message = f"{when} has already passed."
    return DayExplanation(date, WITHIN_NOTICE, message, ())


def beyond_horizon(date: dt.date, search: Search) -> DayExplanation:
    """The booking horizon rules out the date.

    >>> now = dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)
    >>> search = Search(start=now, end=now + dt.timedelta(days=30), now=now,
    ...                 horizon=dt.timedelta(days=14))
    >>> beyond_horizon(dt.date(2026, 3, 30), search).message
    'Monday 30 March is too far ahead: interviews are booked at most 14 days ahead.'
    """
    horizon = _amount(search.horizon)
    message = f"{_day(date)} is too far ahead: interviews are booked at most {horizon} ahead."
    return DayExplanation(date, BEYOND_HORIZON, message, ())


def outside_candidate_hours(date: dt.date, search: Search) -> DayExplanation:
    """The candidate's hours rule out the times that would otherwise work on the date.

    >>> from scheduling.availability import CandidateHours, WorkingHours
    >>> now = dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)
    >>> hours = CandidateHours("Asia/Kolkata", WorkingHours.daily(dt.time(8), dt.time(20)))
    >>> search = Search(start=now, end=now + dt.timedelta(days=7), now=now,
    ...                 candidate_zone="Asia/Kolkata", candidate_hours=hours)
    >>> outside_candidate_hours(dt.date(2026, 3, 10), search).message
    'Tuesday 10 March: the interviewers are free only outside the candidate’s hours \
(08:00–20:00 in Asia/Kolkata).'
    >>> outside_candidate_hours(dt.date(2026, 3, 14), search).message
    'Saturday 14 March is not one of the candidate’s days (Monday to Friday in Asia/Kolkata).'
    """
    rule = search.candidate_hours
    when = _day(date)
    ranges = rule.hours.ranges_on(date)
    if ranges:
        hours = ", ".join(
            f"{a:%H:%M}–{'24:00' if b == dt.time(0) else f'{b:%H:%M}'}" for a, b in ranges
        )
        message = (
            f"{when}: the interviewers are free only outside the candidate’s hours "
            f"({hours} in {rule.zone})."
        )
    else:
        message = (
            f"{when} is not one of the candidate’s days ({_days(rule.hours)} in {rule.zone})."
        )
    return DayExplanation(date, CANDIDATE_HOURS, message, ())


def no_candidate_times(date: dt.date, *, too_short: str = "") -> DayExplanation:
    """The candidate proposed no time on the date, or none long enough (`too_short`: the
    visit's length in words).

    >>> no_candidate_times(dt.date(2026, 3, 10)).message
    'The candidate gave no times on Tuesday 10 March.'
    >>> no_candidate_times(dt.date(2026, 3, 10), too_short="2 hours").message
    'The candidate’s times on Tuesday 10 March are shorter than the interview (2 hours).'
    """
    when = _day(date)
    if too_short:
        message = f"The candidate’s times on {when} are shorter than the interview ({too_short})."
    else:
        message = f"The candidate gave no times on {when}."
    return DayExplanation(date, CANDIDATE_TIMES, message, ())


def amount(value: dt.timedelta) -> str:
    """A length of time in words.

    >>> amount(dt.timedelta(minutes=90))
    '90 minutes'
    """
    return _amount(value)


def _days(hours) -> str:
    """The weekdays with weekly hours, as words: 'Monday to Friday', 'Monday, Wednesday'."""
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    days = [n for n, ranges in enumerate(hours.weekly) if ranges]
    if not days:
        return "no day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{names[days[0]]} to {names[days[-1]]}"
    return _names([names[d] for d in days])


def _person_reason(cal, duration: int, spans: list[Interval]) -> str | None:
    """Why one person cannot start a session of `duration` in any of `spans` ([lo, hi)
    ranges of starts), or None if they can.

    `cal` is the engine's calendar of the person. The checks run from the hardest to fix:
    not working then; working, but every such time on a date (or week) whose cap is full,
    however free they are; finally, room under the caps but no free time long enough.
    """
    work = cal.work_starts(duration)
    if not _meets(work, spans):
        return OUT_OF_HOURS
    if not _meets(subtract(work, cal.daily_full), spans):
        return DAILY_CAP
    if not _meets(subtract(work, cal.cap_full), spans):
        return WEEKLY_CAP
    if not _meets(cal.start_set(duration), spans):
        return REQUIRED_BUSY
    return None


def _starts_in(spans: list[Interval], duration: int, trim: bool) -> list[Interval]:
    """The starts a session of `duration` may take in `spans`: within them whole (`trim`,
    the candidate's times), else anywhere in them (a day)."""
    if not trim:
        return spans
    return [(a, b - duration + 1) for a, b in spans if b - a >= duration]


def people_reason(
    date: dt.date,
    spans: list[Interval],
    plan: Plan,
    durations,
    calendars,
    session_starts,
    *,
    within_times: bool = False,
) -> DayExplanation:
    """The reason on the people's side that a date (its instants in `spans`, sorted [lo,
    hi) ranges) has no slot; `within_times`: the spans are the candidate's own times, and
    the sentences say so ("during the candidate's times on Tuesday 10 March").

    The engine calls this for a date with no slot that the notice and horizon do not
    explain; `calendars` and `session_starts` are its own working data, so the example
    goes through `find_slots`:

    >>> from scheduling.availability import Interviewer, Session, WorkingHours, find_slots
    >>> hours = WorkingHours.daily(dt.time(9), dt.time(17))
    >>> ann = Interviewer("ann", "UTC", hours, name="Ann", daily_cap=0)
    >>> plan = Plan(sessions=(Session("chat", dt.timedelta(hours=1), required=("ann",)),))
    >>> day = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    >>> search = Search(start=day, end=day + dt.timedelta(days=1), now=day)
    >>> find_slots(search, plan, [ann]).empty_days[0].message
    'Ann already has as many interviews on Monday 9 March as the daily limit allows.'
    """
    when = _day(date)
    on = f"during the candidate’s times on {when}" if within_times else f"on {when}"
    lo, hi = spans[0][0], spans[-1][1]
    everyone = plan.people()
    if not any(_meets(calendars[key].work, spans) for key in everyone):
        return DayExplanation(date, NO_ONE_WORKS, f"No one on this plan works {on}.", everyone)

    # Required people by what stops them; each code keeps its people in plan order.
    found: dict[str, dict[str, None]] = {code: {} for code in _PERSON_CODES}
    for session, duration in zip(plan.sessions, durations, strict=True):
        starts = _starts_in(spans, duration, within_times)
        for key in session.must_attend():
            code = _person_reason(calendars[key], duration, starts)
            if code is not None:
                found[code][key] = None
    for code in _PERSON_CODES:
        if found[code]:
            labels = [calendars[key].label for key in found[code]]
            message = _people_sentence(code, labels, when, on, within_times)
            counted = [
                (calendars[key].label, _counted(calendars[key], code, lo, hi))
                for key in found[code]
            ]
            counted = [(label, text) for label, text in counted if text]
            if len(counted) == 1 and len(labels) == 1:
                message = f"{message[:-1]}: {counted[0][1]}."
            elif counted:
                message += " " + "; ".join(f"{label}: {text}" for label, text in counted) + "."
            return DayExplanation(date, code, message, tuple(found[code]))

    for session, duration in zip(plan.sessions, durations, strict=True):
        starts = _starts_in(spans, duration, within_times)
        for pool in session.pools:
            unable = {}
            for key in pool.members:
                code = _person_reason(calendars[key], duration, starts)
                if code is not None:
                    unable[key] = code
            able = len(pool.members) - len(unable)
            if able < pool.k:
                why = "; ".join(
                    f"{calendars[key].label} is {_WHY[code]}"
                    + (
                        f" with {counted}"
                        if (counted := _counted(calendars[key], code, lo, hi))
                        else ""
                    )
                    for key, code in unable.items()
                )
                people = f"{pool.k} interviewer{'' if pool.k == 1 else 's'}"
                can = "none" if able == 0 else f"only {able}"
                message = (
                    f"“{session.label}” needs {people} from its pool {on}, but {can} "
                    f"can come: {why}."
                )
                return DayExplanation(date, POOL_EXHAUSTED, message, tuple(unable))
            if pool.trainee_required:
                unable = {}
                for key in pool.learners():
                    code = _person_reason(calendars[key], duration, starts)
                    if code is not None:
                        unable[key] = code
                if len(unable) == len(pool.learners()):
                    why = "; ".join(
                        f"{calendars[key].label} is {_WHY[code]}" for key, code in unable.items()
                    )
                    program = f" from “{pool.program}”" if pool.program else ""
                    message = (
                        f"“{session.label}” needs a trainee{program} {on}, but none can "
                        f"come: {why}."
                    )
                    return DayExplanation(date, POOL_EXHAUSTED, message, tuple(unable))

    for session, duration, starts in zip(plan.sessions, durations, session_starts, strict=True):
        if not _meets(starts, _starts_in(spans, duration, within_times)):
            minutes = duration // 60
            names = _names([calendars[key].label for key in session.people()])
            each = "each have" if len(session.people()) > 1 else "has"
            message = (
                f"{names} {each} free time {on}, but never the same {minutes} "
                f"minutes for “{session.label}”."
            )
            return DayExplanation(date, NO_COMMON_TIME, message, session.people())
    message = (
        f"Each session has a time {on} on its own, but they do not fit one after "
        "another in a single visit (in the plan’s order, within everyone’s daily limits)."
    )
    return DayExplanation(date, NO_COMMON_TIME, message, everyone)


_PERSON_CODES = (OUT_OF_HOURS, DAILY_CAP, WEEKLY_CAP, REQUIRED_BUSY)
_WHY = {
    OUT_OF_HOURS: "not working",
    DAILY_CAP: "at their daily limit",
    WEEKLY_CAP: "at their weekly limit",
    REQUIRED_BUSY: "busy",
}


def _counted(cal, code: str, lo: int, hi: int) -> str:
    """The interviews that fill the person's cap around [lo, hi) for a cap `code` (on their
    full local dates, or in their full weeks), as "10:00 Grace Hopper (…), 14:00 …" on their
    clock; empty for other codes or when nothing they hold was counted (a cap of 0)."""
    if code not in (DAILY_CAP, WEEKLY_CAP):
        return ""
    first, last = cal.day_of(lo), cal.day_of(max(lo, hi - 1))
    days = range(first, last + 1)
    if code == DAILY_CAP:
        full = [
            d
            for d in days
            if cal.daily_cap is not None and cal.holds_day.get(d, 0) >= cal.daily_cap
        ]
        held = [item for d in full for item in cal.held.get(d, ())]
    else:
        weeks = {
            cal.week_of(d)
            for d in days
            if cal.weekly_cap is not None
            and cal.holds_week.get(cal.week_of(d), 0) >= cal.weekly_cap
        }
        held = [item for d, items in cal.held.items() if cal.week_of(d) in weeks for item in items]
    parts = []
    for at, label in sorted(held):
        wall = at + cal.timeline.offset_at(at)
        clock = f"{wall % DAY // 3600:02d}:{wall % 3600 // 60:02d}"
        if code == WEEKLY_CAP:
            clock = f"{day_date(wall // DAY):%a} {clock}"
        parts.append(f"{clock} {label or 'an interview'}")
    return ", ".join(parts)


def _people_sentence(code: str, labels: list[str], when: str, on: str, within: bool) -> str:
    names = _names(labels)
    is_, has = ("are", "have") if len(labels) > 1 else ("is", "has")
    if code == OUT_OF_HOURS:
        return f"{names} {is_} not working long enough {on} (day off or outside hours)."
    if code == DAILY_CAP:
        return f"{names} already {has} as many interviews on {when} as the daily limit allows."
    if code == WEEKLY_CAP:
        return f"{names} already {has} as many interviews that week as the weekly limit allows."
    if within:
        return f"{names} {is_} busy all through the candidate’s times on {when}."
    return f"{names} {is_} busy all through working hours on {when}."


def _meets(intervals: list[Interval], spans: list[Interval]) -> bool:
    """Whether any interval of a sorted list meets any of `spans`."""
    return any(_overlaps(intervals, lo, hi) for lo, hi in spans)


def _overlaps(intervals: list[Interval], lo: int, hi: int) -> bool:
    """Whether any interval of a sorted list meets [lo, hi)."""
    i = bisect_left(intervals, (lo, lo))
    # The interval just before may still reach past `lo`.
    if i > 0 and intervals[i - 1][1] > lo:
        return True
    return i < len(intervals) and intervals[i][0] < hi


def _day(date: dt.date) -> str:
    return f"{date:%A} {date.day} {date:%B}"


def _names(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _amount(value: dt.timedelta) -> str:
    """A duration in the largest whole unit: '2 days', '36 hours', '90 minutes'."""
    seconds = int(value.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"
