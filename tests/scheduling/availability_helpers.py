"""Small builders shared by the availability engine's tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from scheduling.availability import Busy, Hold, Interviewer, Plan, Search, Session, WorkingHours

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
NINE_TO_FIVE = WorkingHours.daily(dt.time(9), dt.time(17))
EVERY_DAY_NINE_TO_FIVE = WorkingHours.daily(dt.time(9), dt.time(17), days=tuple(range(7)))


def local(zone: str, year, month, day, hour=0, minute=0, fold=0) -> dt.datetime:
    """An instant given as wall-clock time in a zone, returned in UTC."""
    wall = dt.datetime(year, month, day, hour, minute, fold=fold, tzinfo=ZoneInfo(zone))
    return wall.astimezone(UTC)


def minutes(count: int) -> dt.timedelta:
    return dt.timedelta(minutes=count)


def person(key: str, zone: str = "Europe/London", hours=NINE_TO_FIVE, **fields) -> Interviewer:
    return Interviewer(key=key, zone=zone, hours=hours, **fields)


def busy(start: dt.datetime, length: dt.timedelta = HOUR, **flags) -> Busy:
    return Busy(start, start + length, **flags)


def hold(start: dt.datetime, length: dt.timedelta = HOUR) -> Hold:
    return Hold(start, start + length)


def single(*required: str, length: int = 60, pools=()) -> Plan:
    """A one-session plan."""
    return Plan(sessions=(Session("interview", minutes(length), required=required, pools=pools),))


def days(zone: str, first: dt.date, count: int = 1, **fields) -> Search:
    """A search over `count` whole dates of the candidate's, decided well in advance."""
    start = local(zone, first.year, first.month, first.day)
    last = first + dt.timedelta(days=count)
    end = local(zone, last.year, last.month, last.day)
    fields.setdefault("now", start - dt.timedelta(days=30))
    return Search(start=start, end=end, candidate_zone=zone, **fields)


def wall_times(slots, zone: str) -> list[str]:
    """Slot starts as HH:MM on a zone's clock."""
    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") for slot in slots]
