"""What the sync's fakes of Unified share: a list as the client returns it."""

from scheduling.unified.client import Page


class FakeListing:
    """A list as the client's list methods return it: every record when iterated, and any
    page of `limit` records by its offset (how the sync reads it)."""

    def __init__(self, records, limit=100):
        self.records, self.limit = list(records), limit

    def page(self, offset):
        chunk = self.records[offset : offset + self.limit]
        return Page(offset, chunk, last=len(chunk) < self.limit)

    def __iter__(self):
        return iter(self.records)
