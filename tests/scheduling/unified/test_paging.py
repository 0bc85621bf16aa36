"""Several lists read at once (`unified.paging`): every page once, at most `limit` calls in
flight, pages asked for ahead dropped beyond a list's end, a failure raised only after the
pages already on their way are handed over."""

import threading
import time

import pytest

from scheduling.unified.client import Page
from scheduling.unified.errors import RetryableError
from scheduling.unified.paging import ParallelPages


class Numbers:
    """A list of `total` numbers in pages of `limit`, with a little latency per call."""

    def __init__(self, total, limit=10, latency=0.005, fail_at=None):
        self.total, self.limit, self.latency, self.fail_at = total, limit, latency, fail_at
        self.asked = []
        self.flying = self.most = 0
        self._lock = threading.Lock()

    def page(self, offset):
        with self._lock:
            self.asked.append(offset)
            self.flying += 1
            self.most = max(self.most, self.flying)
        try:
            if offset == self.fail_at:
                raise RetryableError("HTTP 500", status=500)  # at once, as a refused call
            time.sleep(self.latency)
            records = list(range(offset, min(offset + self.limit, self.total)))
            return Page(offset, records, last=len(records) < self.limit)
        finally:
            with self._lock:
                self.flying -= 1


def read(pages):
    got, complete = {}, []
    for name, page in pages:
        if page is None:
            complete.append(name)
        else:
            got.setdefault(name, []).extend(page.records)
    return got, complete


def test_every_record_of_every_list_comes_once():
    a, b = Numbers(95), Numbers(40)
    got, complete = read(ParallelPages({"a": a, "b": b}, limit=4))
    assert sorted(got["a"]) == list(range(95)) and sorted(got["b"]) == list(range(40))
    assert sorted(complete) == ["a", "b"]


def test_no_more_calls_in_flight_than_the_limit_all_lists_together():
    lists = {name: Numbers(200) for name in "abc"}
    read(ParallelPages(lists, limit=5))
    assert max(n.most for n in lists.values()) <= 5
    assert sum(n.most for n in lists.values()) >= 5  # and the limit is used


def test_a_list_is_complete_only_once_all_its_pages_are_handed_over():
    numbers = Numbers(55, latency=0)
    seen = 0
    for _name, page in ParallelPages({"n": numbers}, limit=3):
        if page is None:
            assert seen == 55
        else:
            seen += len(page.records)


def test_pages_asked_for_beyond_the_end_are_few_and_dropped():
    numbers = Numbers(30)
    got, _ = read(ParallelPages({"n": numbers}, limit=4))
    assert sorted(got["n"]) == list(range(30))
    assert len(numbers.asked) <= 4 + 3  # the pages up to the short one, and a limit's worth


def test_an_empty_list_completes():
    got, complete = read(ParallelPages({"n": Numbers(0)}, limit=4))
    assert got == {} and complete == ["n"]  # no page to hand over, and complete


def test_reading_starts_where_asked():
    numbers = Numbers(50)
    got, _ = read(ParallelPages({"n": numbers}, limit=2, start={"n": 30}))
    assert sorted(got["n"]) == list(range(30, 50)) and min(numbers.asked) == 30


def test_a_list_held_back_waits_until_it_may_go_on():
    a, b = Numbers(100, latency=0), Numbers(100, latency=0)
    order = []
    allowed = {"b": False}
    for name, page in ParallelPages({"a": a, "b": b}, limit=2, ready=lambda n: allowed.get(n, 1)):
        if page is not None:
            order.append(name)
        if name == "a" and page is None:
            allowed["b"] = True
    assert order.index("b") > len([n for n in order if n == "a"]) - 3  # b mostly after a
    assert order.count("a") == order.count("b") == 10  # the empty 11th page is not handed over


def test_a_failure_stops_the_reading_after_handing_over_what_came():
    numbers = Numbers(200, latency=0.01, fail_at=50)
    got = []
    with pytest.raises(RetryableError):
        for _name, page in ParallelPages({"n": numbers}, limit=4):
            if page is not None:
                got.extend(page.records)
    assert set(range(50)) <= set(got)  # every page before the failing one
    # …and little asked for after it: the calls in flight when it failed, and what a busy
    # machine let start before the reader saw the failure; never the rest of the list.
    assert max(numbers.asked) < 50 + 10 * 10


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        ParallelPages({"n": Numbers(1)}, limit=0)


class SlowEnd(Numbers):
    """The list's true last page (empty, at `total`) answers late: the pages asked for ahead
    of it come back first."""

    def page(self, offset):
        if offset == self.total:
            time.sleep(0.05)
        return super().page(offset)


def test_a_page_asked_for_beyond_the_end_is_not_handed_over_even_when_it_comes_first():
    numbers = SlowEnd(40, latency=0)
    handed = []
    for _name, page in ParallelPages({"n": numbers}, limit=4):
        if page is not None:
            handed.append(page.offset)
    assert sorted(handed) == [0, 10, 20, 30]
    assert max(numbers.asked) > 40  # pages beyond the end were asked for, and dropped


def test_a_list_with_a_failed_page_is_never_complete_even_when_its_end_came_back():
    # Page 20 fails; the short page 30 past it comes back: the list is not complete.
    numbers = Numbers(35, latency=0, fail_at=20)
    complete = []
    with pytest.raises(RetryableError):
        for name, page in ParallelPages({"n": numbers}, limit=4):
            if page is None:
                complete.append(name)
    assert 30 in numbers.asked and complete == []
