"""The sandbox's state: JSON documents in one SQLite table, behind one lock.

Every object the sandbox serves (candidates, events, connections, webhook subscriptions…) is a
row keyed by (connection_id, object_type, id) holding the document exactly as it is emitted,
plus a few columns for what SQL must filter or sort on. Global objects (connections, webhooks)
use the connection id "". Keys starting with "_" are the sandbox's private bookkeeping (an
event's owner, a connection's world) and never leave it (`public`).

One connection and one lock serve every thread: requests are short and SQLite serialises
writers anyway; the lock also keeps a read-modify-write (an update) atomic.

Every insert, update and delete is announced to `listeners` after it commits, so webhook
deliveries follow any change, whoever made it (an API call, the sandbox page, a control call).
A delete keeps a tombstone: GETs no longer see the record, but its last state is what the
`deleted` delivery carries.
"""

import datetime as dt
import json
import sqlite3
import threading
from contextlib import contextmanager

UTC = dt.UTC
GLOBAL = ""  # connection_id of objects that belong to no connection

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    span_start TEXT,
    span_end TEXT,
    kind TEXT,
    UNIQUE (connection_id, object_type, id)
);
CREATE INDEX IF NOT EXISTS records_by_seq ON records (connection_id, object_type, seq);
-- Pages deep into a big list (offset 99,900 of 100,000 candidates): the offset is skipped
-- in this index alone, without reading each skipped row for its deleted_at.
CREATE INDEX IF NOT EXISTS records_live_by_seq ON records (
    connection_id, object_type, deleted_at, seq
);
CREATE INDEX IF NOT EXISTS records_by_updated ON records (connection_id, object_type, updated_at);
CREATE INDEX IF NOT EXISTS records_by_span ON records (connection_id, object_type, span_start);
-- sort=name over 10,000 candidates, page after page, without sorting them all each time.
CREATE INDEX IF NOT EXISTS records_by_name ON records (
    connection_id, object_type, json_extract(data, '$.name') COLLATE NOCASE, seq
);
"""


def format_instant(value: dt.datetime) -> str:
    """Unified's documented timestamp form, `2026-03-02T09:00:00Z` (whole seconds: whether
    Unified sends milliseconds is unconfirmed, §3)."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.isoformat(timespec="seconds")[:19] + "Z"


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class Store:
    def __init__(self, path=":memory:", *, clock=None):
        self.path = str(path)
        self.clock = clock or (lambda: dt.datetime.now(UTC))
        self.listeners = []
        # Bumped by every write; the test fixture reseeds only when a test changed something.
        self.version = 0
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self):
        with self._lock:
            self._db.close()

    def now(self) -> str:
        return format_instant(self.clock())

    @contextmanager
    def transaction(self):
        with self._lock:
            if self._db.in_transaction:  # nested: the outer one commits
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- meta ----------------------------------------------------------------------------

    def meta(self, key, default=None):
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key, value):
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def next_number(self, name="ids") -> int:
        """A persistent counter: new ids derive from it, so a run's ids are reproducible."""
        with self.transaction():
            number = self.meta(f"counter:{name}", 0) + 1
            self.set_meta(f"counter:{name}", number)
        return number

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def wipe(self):
        with self.transaction():
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM meta")
            self._db.execute("DELETE FROM sqlite_sequence WHERE name = 'records'")
        self.version += 1

    # --- reading -------------------------------------------------------------------------

    def get(self, connection_id, object_type, record_id, *, deleted=False):
        sql = "SELECT data FROM records WHERE connection_id = ? AND object_type = ? AND id = ?"
        if not deleted:
            sql += " AND deleted_at IS NULL"
        with self._lock:
            row = self._db.execute(sql, (connection_id, object_type, record_id)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, object_type, record_id):
        """A record by id in whichever connection holds it: HRIS employees live on the ATS
        connection, yet calendar endpoints accept their ids (docs/unified.md §6)."""
        sql = (
            "SELECT data FROM records WHERE object_type = ? AND id = ? AND deleted_at IS NULL "
            "ORDER BY seq LIMIT 1"
        )
        with self._lock:
            row = self._db.execute(sql, (object_type, record_id)).fetchone()
        return json.loads(row[0]) if row else None

    def query(
        self,
        connection_id,
        object_type,
        *,
        where=(),
        params=(),
        order="seq",
        limit=None,
        offset=0,
        deleted=False,
    ):
        """Documents of one type in one connection. `where` is a list of SQL conditions over
        the columns (`data` is the JSON document, usable with json_extract/json_each)."""
        sql = ["SELECT data FROM records WHERE connection_id = ? AND object_type = ?"]
        args = [connection_id, object_type]
        if not deleted:
            sql.append("AND deleted_at IS NULL")
        for condition in where:
            sql.append(f"AND ({condition})")
        args.extend(params)
        sql.append(f"ORDER BY {order}")
        if limit is not None:
            sql.append("LIMIT ? OFFSET ?")
            args.extend([limit, offset])
        with self._lock:
            rows = self._db.execute(" ".join(sql), args).fetchall()
        return [json.loads(row[0]) for row in rows]

    def count(self, connection_id, object_type):
        with self._lock:
            return self._db.execute(
                "SELECT count(*) FROM records WHERE connection_id = ? AND object_type = ? "
                "AND deleted_at IS NULL",
                (connection_id, object_type),
            ).fetchone()[0]

    def rows_since(self, connection_id, object_type, column, since):
        """Documents whose `column` (created_at, updated_at, deleted_at) is at or after
        `since`, tombstones included: what a virtual webhook run would find."""
        if column not in ("created_at", "updated_at", "deleted_at"):
            raise ValueError(column)
        with self._lock:
            rows = self._db.execute(
                f"SELECT data FROM records WHERE connection_id = ? AND object_type = ? "  # noqa: S608
                f"AND {column} >= ? ORDER BY {column}, seq",
                (connection_id, object_type, since),
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    # --- writing -------------------------------------------------------------------------

    def insert(self, connection_id, object_type, doc, *, span=(None, None), kind=None):
        now = self.now()
        doc = {**doc, "created_at": now, "updated_at": now}
        with self.transaction():
            self._db.execute(
                "INSERT INTO records (connection_id, object_type, id, data, created_at, "
                "updated_at, span_start, span_end, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (connection_id, object_type, doc["id"], dumps(doc), now, now, *span, kind),
            )
        self._changed(connection_id, object_type, "created", doc)
        return doc

    def update(self, connection_id, object_type, doc, *, span=None):
        """Store a new version of an existing document; `updated_at` moves to now."""
        now = self.now()
        doc = {**doc, "updated_at": now}
        sets, args = ["data = ?", "updated_at = ?"], [dumps(doc), now]
        if span is not None:
            sets += ["span_start = ?", "span_end = ?"]
            args += list(span)
        with self.transaction():
            cursor = self._db.execute(
                f"UPDATE records SET {', '.join(sets)} WHERE connection_id = ? "  # noqa: S608
                "AND object_type = ? AND id = ? AND deleted_at IS NULL",
                (*args, connection_id, object_type, doc["id"]),
            )
            if cursor.rowcount != 1:
                raise KeyError(doc["id"])
        self._changed(connection_id, object_type, "updated", doc)
        return doc

    def delete(self, connection_id, object_type, record_id):
        """Tombstone a record; returns its last state (None when there was nothing)."""
        now = self.now()
        with self.transaction():
            doc = self.get(connection_id, object_type, record_id)
            if doc is None:
                return None
            self._db.execute(
                "UPDATE records SET deleted_at = ? WHERE connection_id = ? AND object_type = ? "
                "AND id = ?",
                (now, connection_id, object_type, record_id),
            )
        self._changed(connection_id, object_type, "deleted", doc)
        return doc

    def purge_connection(self, connection_id):
        """Forget everything a deleted connection held (no deliveries: its webhooks go too)."""
        with self.transaction():
            self._db.execute("DELETE FROM records WHERE connection_id = ?", (connection_id,))
        self.version += 1

    def bulk_insert(self, connection_id, rows):
        """Seed rows as they are, timestamps included, without announcing them.
        Each row: (object_type, doc, span_start, span_end, kind)."""
        with self.transaction():
            self._db.executemany(
                "INSERT INTO records (connection_id, object_type, id, data, created_at, "
                "updated_at, span_start, span_end, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        connection_id,
                        object_type,
                        doc["id"],
                        dumps(doc),
                        doc["created_at"],
                        doc["updated_at"],
                        span_start,
                        span_end,
                        kind,
                    )
                    for object_type, doc, span_start, span_end, kind in rows
                ),
            )
        self.version += 1

    def _changed(self, connection_id, object_type, event, doc):
        self.version += 1
        for listener in list(self.listeners):
            listener(connection_id, object_type, event, [doc])
