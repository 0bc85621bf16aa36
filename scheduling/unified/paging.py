"""Reading several lists at once: their pages fetched side by side, at most `limit` calls in
flight, as a sync of a large ATS needs (docs/unified.md §2).

Unified gives no total and no cursor, only `offset` and `limit`, and a list ends at its first
short page. So the pages of a list are asked for ahead, offset after offset, as long as no
short page has come back; the few asked for beyond the end come back empty and are dropped.
Unified's rate limits are per connection (§4): one `ParallelPages` serves one connection,
and `limit` bounds its calls in flight whatever the number of lists. Retries (429 with
Retry-After, 5xx, timeouts) happen inside each call, in the client.

Memory stays bounded by a few pages: a page is handed to the caller as soon as it arrives,
and a new one is asked for only when the caller has taken one. The caller says which lists
may go on (`ready`), so it can hold one list back while another catches up.
"""

import concurrent.futures
import itertools
from collections.abc import Callable, Iterator, Mapping

from .client import Listing, Page
from .errors import UnifiedError


class ParallelPages:
    """Every page of `listings` ({name: Listing}), `limit` calls at a time.

    Iterating yields `(name, page)` for each page holding records, in the order they arrive
    (not in offset order), and `(name, None)` once a list is complete: every page up to its
    last has been yielded. An empty page is never yielded. `start` gives the offset each
    list starts at (a sync resuming where it stopped), and `ready(name)` whether a list may
    be asked for more pages now.

    When a call fails for good, no further page is asked for; the pages already on their
    way are still yielded (so what was read is kept), then the first error is raised.
    """

    def __init__(
        self,
        listings: Mapping[str, Listing],
        *,
        limit: int,
        start: Mapping[str, int] | None = None,
        ready: Callable[[str], bool] = lambda name: True,
    ):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.listings = dict(listings)
        self.limit = limit
        self.ready = ready
        start = start or {}
        self._next = {name: start.get(name, 0) for name in self.listings}
        self._end = {}  # name → offset of its last (short) page, once seen
        self._complete = set()
        self._failed = set()  # lists one of whose pages failed
        self._turns = itertools.cycle(list(self.listings))
        self.calls = 0  # pages asked for, those beyond the end included

    def __iter__(self) -> Iterator[tuple[str, Page | None]]:
        if not self.listings:
            return
        flying = {}  # future → (name, offset)
        error = None
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=self.limit, thread_name_prefix="unified-pages"
        ) as pool:
            try:
                while True:
                    if error is None:
                        self._ask(pool, flying)
                    for name in self._newly_complete(flying):
                        yield name, None
                    if not flying:
                        break
                    done, _ = concurrent.futures.wait(
                        flying, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    for future in sorted(done, key=lambda f: flying[f][1]):
                        name, offset = flying.pop(future)
                        try:
                            page = future.result()
                        except UnifiedError as exc:
                            error = error or exc
                            self._failed.add(name)  # never complete: a page is missing
                            continue
                        end = self._end.get(name)
                        if end is not None and offset > end:
                            continue  # asked for ahead, beyond the end: empty or moot
                        if page.last:
                            self._end[name] = offset if end is None else min(end, offset)
                            if not page.records:
                                # The end, or a page asked for ahead of it that came back
                                # first (its true end is lower): either way nothing to hand
                                # over, and `(name, None)` says when the list is complete.
                                continue
                        yield name, page
            finally:
                for future in flying:
                    future.cancel()
        if error is not None:
            raise error

    def _wanting(self):
        return [name for name in self.listings if name not in self._end]

    def _ask(self, pool, flying):
        """Fill the free calls with the next pages, taking the lists in turn."""
        while len(flying) < self.limit:
            wanting = self._wanting()
            if not wanting:
                return
            allowed = [name for name in wanting if self.ready(name)]
            if not allowed:
                if flying:
                    return
                # Nothing on its way and every list held back: the caller cannot catch up
                # without more pages, so go on rather than stop.
                allowed = wanting
            name = next(n for n in self._turns if n in allowed)
            offset = self._next[name]
            self._next[name] = offset + self.listings[name].limit
            flying[pool.submit(self.listings[name].page, offset)] = (name, offset)
            self.calls += 1

    def _newly_complete(self, flying):
        """Lists whose last page is known and every page before it yielded."""
        out = []
        for name, end in self._end.items():
            if name in self._complete or name in self._failed:
                continue
            if any(n == name and offset <= end for n, offset in flying.values()):
                continue
            self._complete.add(name)
            out.append(name)
        return out
