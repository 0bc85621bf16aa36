"""Arithmetic on sorted lists of half-open intervals of whole seconds.

Every list here is sorted, its intervals are non-empty and neither overlap nor touch (the
output of `merge`). Each operation walks its inputs once, so the engine's cost grows with the
number of busy blocks only through the one sort in `merge`.
"""

from bisect import bisect_right
from operator import itemgetter

Interval = tuple[int, int]


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sort, join overlapping or touching intervals, drop empty ones.

    >>> merge([(5, 8), (1, 3), (2, 4), (8, 9), (6, 6)])
    [(1, 4), (5, 9)]
    """
    out: list[Interval] = []
    # Sorting on the start alone is enough (an equal start only extends) and much cheaper
    # than comparing tuples: this sort is the engine's largest cost.
    for start, end in sorted(intervals, key=itemgetter(0)):
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The time in both lists.

    >>> intersect([(0, 10), (20, 30)], [(5, 25)])
    [(5, 10), (20, 25)]
    """
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The time in `a` that is not in `b`.

    >>> subtract([(0, 10), (20, 30)], [(2, 4), (8, 22)])
    [(0, 2), (4, 8), (22, 30)]
    """
    out = []
    j = 0
    for start, end in a:
        # Blocks that end before this interval cannot touch it or any later one.
        while j < len(b) and b[j][1] <= start:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > start:
                out.append((start, b[k][0]))
            start = max(start, b[k][1])
            k += 1
        if start < end:
            out.append((start, end))
    return out


def shift(intervals: list[Interval], by: int) -> list[Interval]:
    """Every interval moved by `by` seconds.

    >>> shift([(0, 10)], -3)
    [(-3, 7)]
    """
    return [(start + by, end + by) for start, end in intervals]


def clip(intervals: list[Interval], start: int, end: int) -> list[Interval]:
    """The part of the list inside [start, end).

    >>> clip([(0, 10), (20, 30), (40, 50)], 5, 25)
    [(5, 10), (20, 25)]
    """
    out = []
    # Start at the last interval beginning at or before `start`: the only earlier one that
    # can still reach into the range.
    i = max(bisect_right(intervals, (start, start)) - 1, 0)
    while i < len(intervals) and intervals[i][0] < end:
        lo, hi = max(intervals[i][0], start), min(intervals[i][1], end)
        if lo < hi:
            out.append((lo, hi))
        i += 1
    return out


def at_least(k: int, lists: list[list[Interval]]) -> list[Interval]:
    """The time covered by at least `k` of the lists (a sweep over their ends).

    >>> at_least(2, [[(0, 10)], [(5, 15)], [(8, 20)]])
    [(5, 15)]
    """
    # At one instant an interval that ends is counted out before one that starts is counted
    # in: the intervals are half-open.
    events = sorted(
        [(s, 1) for each in lists for s, _ in each] + [(e, -1) for each in lists for _, e in each]
    )
    out: list[Interval] = []
    count = 0
    opened = 0
    for at, change in events:
        before = count
        count += change
        if before < k <= count:
            opened = at
        elif count < k <= before and opened < at:
            if out and out[-1][1] == opened:
                out[-1] = (out[-1][0], at)
            else:
                out.append((opened, at))
    return out


def contains(starts: list[int], intervals: list[Interval], at: int) -> bool:
    """Whether `at` lies in the list; `starts` is the list of the intervals' starts.

    >>> ivs = [(0, 10), (20, 30)]
    >>> contains([0, 20], ivs, 25), contains([0, 20], ivs, 10)
    (True, False)
    """
    i = bisect_right(starts, at) - 1
    return i >= 0 and at < intervals[i][1]
