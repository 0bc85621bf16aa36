"""Wall clocks and UTC in one IANA zone, exact across daylight-saving changes.

Inside the engine an instant is a whole number of seconds since the Unix epoch, and a *wall*
time is the same count read off a zone's clock (the instant plus the zone's UTC offset then),
so `wall // 86400` numbers the local date. A `Timeline` finds the instants at which a zone's
offset changes over a stretch of time; between two of them the wall clock is the instant plus
one constant. That makes the questions the engine asks exact and cheap:

- Which instants does the wall clock show a time in [a, b) of some date? One interval per
  stretch of constant offset. A range inside the spring-forward gap is empty (01:30–03:00 on
  such a day in New York is 30 real minutes), and a range over the fall-back hour includes
  both passes of it, because the clock shows those times twice.
- When does a date begin? At the first instant whose wall clock reads that date's 00:00 or
  later (which also covers zones whose clocks skip midnight).
- Which local date is it at an instant? `local_day`.
"""

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from .intervals import Interval

DAY = 86400
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
# Offsets are sampled once a day and each change is then found to the second by bisection;
# no zone changes its offset twice within a day.
SAMPLE = DAY
_FAR = 2**62


def day_number(date: dt.date) -> int:
    """The date as a count of days since 1970-01-01, the unit of wall time // 86400.

    >>> day_number(dt.date(1970, 1, 2)), day_date(1)
    (1, datetime.date(1970, 1, 2))
    """
    return date.toordinal() - EPOCH_ORDINAL


def day_date(number: int) -> dt.date:
    """The date numbered `number` days after 1970-01-01 (the inverse of `day_number`).

    >>> day_date(day_number(dt.date(2026, 3, 8)))
    datetime.date(2026, 3, 8)
    """
    return dt.date.fromordinal(number + EPOCH_ORDINAL)


class Timeline:
    """A zone's UTC offsets over [start, end), in epoch seconds.

    Outside that stretch the first or last offset is assumed.

    >>> from datetime import UTC, datetime
    >>> at = lambda *a: int(datetime(*a, tzinfo=UTC).timestamp())
    >>> ny = Timeline("America/New_York", at(2026, 3, 1), at(2026, 3, 15))
    >>> [o // 3600 for o in ny.offsets]
    [-5, -4]
    >>> day = day_number(dt.date(2026, 3, 8))  # clocks go from 02:00 to 03:00
    >>> [(b - a) // 60 for a, b in ny.wall_range(day * DAY + 5400, day * DAY + 3 * 3600)]
    [30]

    Times below are seconds since the epoch; `at` above turns a UTC date and time into them.
    """

    def __init__(self, zone: str, start: int, end: int):
        tz = ZoneInfo(zone)

        def offset(at: int) -> int:
            return int(dt.datetime.fromtimestamp(at, tz).utcoffset().total_seconds())

        # starts[i] is where offsets[i] begins; the first stretch reaches back indefinitely.
        self.starts = [-_FAR]
        self.offsets = [offset(start)]
        at = start
        while at < end:
            later = min(at + SAMPLE, end)
            if offset(later) != self.offsets[-1]:
                lo, hi = at, later
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if offset(mid) == self.offsets[-1]:
                        lo = mid
                    else:
                        hi = mid
                self.starts.append(hi)
                self.offsets.append(offset(hi))
            at = later

    def offset_at(self, at: int) -> int:
        """The UTC offset in seconds at an instant.

        >>> from datetime import UTC, datetime
        >>> ny = Timeline("America/New_York", 1772323200, 1773532800)  # 1-15 March 2026
        >>> ny.offset_at(int(datetime(2026, 3, 9, tzinfo=UTC).timestamp())) // 3600
        -4
        """
        return self.offsets[bisect_right(self.starts, at) - 1]

    def local_day(self, at: int) -> int:
        """The day number of the date the zone's clocks show at an instant.

        >>> ny = Timeline("America/New_York", 1772323200, 1773532800)
        >>> day_date(ny.local_day(1772942400))  # 04:00 UTC on 8 March, 23:00 on the 7th
        datetime.date(2026, 3, 7)
        """
        return (at + self.offset_at(at)) // DAY

    def wall_range(self, wall_start: int, wall_end: int) -> list[Interval]:
        """The instants at which the wall clock reads a time in [wall_start, wall_end).

        >>> ny = Timeline("America/New_York", 1772323200, 1773532800)
        >>> day = day_number(dt.date(2026, 3, 8)) * DAY  # 23 hours long
        >>> [(b - a) / 3600 for a, b in ny.wall_range(day, day + DAY)]
        [2.0, 21.0]
        """
        out = []
        for i, offset in enumerate(self.offsets):
            stretch_end = self.starts[i + 1] if i + 1 < len(self.starts) else _FAR
            lo = max(self.starts[i], wall_start - offset)
            hi = min(stretch_end, wall_end - offset)
            if lo < hi:
                out.append((lo, hi))
        return out

    def first_reading(self, wall: int) -> int:
        """The first instant at which the wall clock reads `wall` or later.

        >>> ny = Timeline("America/New_York", 1772323200, 1773532800)
        >>> day = day_number(dt.date(2026, 3, 8)) * DAY
        >>> ny.first_reading(day + 2 * 3600 + 1800) == ny.first_reading(day + 3 * 3600)  # 02:30
        True
        """
        for i, offset in enumerate(self.offsets):
            stretch_end = self.starts[i + 1] if i + 1 < len(self.starts) else _FAR
            if stretch_end + offset > wall:
                return max(self.starts[i], wall - offset)
        raise AssertionError("the last stretch never ends")

    def aligned(self, intervals: list[Interval], step: int) -> Iterator[int]:
        """The instants in `intervals` whose wall time is a whole multiple of `step`.

        `step` divides a day, so these are the times step, 2·step, … after local midnight.

        >>> kolkata = Timeline("Asia/Kolkata", 0, DAY)  # UTC+5:30
        >>> list(kolkata.aligned([(0, 3 * 3600)], 3600))  # 00:00-03:00 UTC
        [1800, 5400, 9000]
        """
        for start, end in intervals:
            i = bisect_right(self.starts, start) - 1
            while start < end:
                stretch_end = self.starts[i + 1] if i + 1 < len(self.starts) else _FAR
                hi = min(end, stretch_end)
                first = start + (-(start + self.offsets[i])) % step
                yield from range(first, hi, step)
                start = hi
                i += 1
