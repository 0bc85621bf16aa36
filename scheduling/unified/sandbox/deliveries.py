"""Webhook deliveries, shaped and signed as Unified's (docs/unified.md §9).

Every change the store announces is matched against the subscriptions (same connection,
`object_type` and `event`, not paused, `filters` equal to the record's fields where the record
has them) and POSTed from background workers, never inside the API call that caused it:

    {"data": [records], "webhook": {the subscription}, "nonce": "<hex>",
     "sig256": "…", "sig": "…", "type": "NATIVE", "external_xref": "…"}

signed by `scheduling.unified.signing.sign(secret, data, nonce)`. `type` is NATIVE for a
native subscription, VIRTUAL for a virtual one (the sandbox pushes both at once rather than
polling), and INITIAL-PARTIAL/INITIAL-COMPLETE for an `include_all` replay. A `deleted`
delivery carries the record's last state (unconfirmed what Unified sends, §14.12).

A delivery succeeds on any 2xx. Otherwise it is retried after each of `retry_delays`
(default 0.5 s, 1 s, 2 s, 4 s), the same body and nonce each time; after the last failure the
subscription is marked `is_healthy: false` (deliveries continue, so a demo recovers once the
receiver is back). Deliveries of one subscription go out one at a time in order; a retry
waiting for its turn does not hold up later ones, so order is not guaranteed then — as with
Unified. The log (`entries`) backs `GET /sandbox/deliveries`.
"""

import copy
import datetime as dt
import json
import logging
import secrets
import threading
import time

import requests

from scheduling.unified import signing

from .store import GLOBAL, format_instant, public

logger = logging.getLogger("scheduling.unified.sandbox")

DEFAULT_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
LOG_SIZE = 2000
REPLAY_PAGE = 100


class Deliverer:
    def __init__(self, sandbox, *, retry_delays=DEFAULT_RETRY_DELAYS, timeout=5.0, workers=4):
        self.sandbox = sandbox
        self.retry_delays = tuple(retry_delays)
        self.timeout = timeout
        self._cond = threading.Condition()
        self._queue = []  # jobs, in order of arrival
        self._busy_webhooks = set()
        self._in_flight = 0
        self._entries = []
        self._next_id = 1
        self._generation = 0
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, name=f"sandbox-deliveries-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    # --- producing ---------------------------------------------------------------------------

    def on_change(self, connection_id, object_type, event, docs):
        """Store listener: queue a delivery for each matching subscription."""
        if connection_id == GLOBAL:
            return
        store = self.sandbox.store
        subscriptions = store.query(
            GLOBAL,
            "unified_webhook",
            where=[
                "json_extract(data, '$.connection_id') = ?",
                "json_extract(data, '$.object_type') = ?",
                "json_extract(data, '$.event') = ?",
            ],
            params=[connection_id, object_type, event],
        )
        for webhook in subscriptions:
            if webhook.get("is_paused"):
                continue
            matching = [d for d in docs if _matches(webhook.get("filters"), d)]
            if matching:
                kind = "VIRTUAL" if webhook.get("webhook_type") == "virtual" else "NATIVE"
                self.deliver(webhook, matching, kind)

    def replay(self, webhook):
        """`include_all`: every existing record, in pages, the last one INITIAL-COMPLETE."""
        store = self.sandbox.store
        where = ["kind IS NULL OR kind != 'occurrence'"]
        docs = [
            d
            for d in store.query(webhook["connection_id"], webhook["object_type"], where=where)
            if _matches(webhook.get("filters"), d)
        ]
        size = max(1, min(webhook.get("page_max_limit") or REPLAY_PAGE, REPLAY_PAGE))
        pages = [docs[i : i + size] for i in range(0, len(docs), size)] or [[]]
        for n, page in enumerate(pages):
            last = n == len(pages) - 1
            self.deliver(webhook, page, "INITIAL-COMPLETE" if last else "INITIAL-PARTIAL")

    def deliver(self, webhook, docs, kind):
        connection = self.sandbox.store.get(GLOBAL, "unified_connection", webhook["connection_id"])
        fields = [f.strip() for f in (webhook.get("fields") or "").split(",") if f.strip()]
        data = [_shape(d, fields) for d in docs]
        nonce = secrets.token_hex(16)
        body = {
            "data": data,
            "webhook": public(webhook),
            "nonce": nonce,
            **signing.sign(self.sandbox.webhook_secret, data, nonce),
            "type": kind,
            "external_xref": (connection or {}).get("external_xref"),
        }
        with self._cond:
            entry = {
                "id": self._next_id,
                "webhook_id": webhook["id"],
                "connection_id": webhook["connection_id"],
                "object_type": webhook["object_type"],
                "event": webhook["event"],
                "type": kind,
                "hook_url": webhook["hook_url"],
                "record_ids": [d.get("id") for d in docs],
                "nonce": nonce,
                "status": "pending",
                "last_status_code": None,
                "attempts": [],
                "created_at": _now(),
            }
            self._next_id += 1
            self._entries.append(entry)
            del self._entries[:-LOG_SIZE]
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            job = {"entry": entry, "payload": payload, "due": 0.0, "tries": 0}
            job["generation"] = self._generation
            self._queue.append(job)
            self._cond.notify_all()
        return entry["id"]

    # --- sending -----------------------------------------------------------------------------

    def _next_job(self):
        now = time.monotonic()
        for job in self._queue:
            if job["due"] <= now and job["entry"]["webhook_id"] not in self._busy_webhooks:
                self._queue.remove(job)
                return job, None
        dues = [j["due"] for j in self._queue if j["due"] > now]
        return None, (min(dues) - now if dues else None)

    def _work(self):
        session = requests.Session()
        session.trust_env = False  # hook URLs are reached directly, never via a proxy
        while True:
            with self._cond:
                while True:
                    if self._stopping:
                        return
                    job, wait = self._next_job()
                    if job:
                        break
                    self._cond.wait(timeout=wait if wait is not None else 1.0)
                entry = job["entry"]
                self._busy_webhooks.add(entry["webhook_id"])
                self._in_flight += 1
            status_code, error, started = None, None, time.monotonic()
            try:
                response = session.post(
                    entry["hook_url"],
                    data=job["payload"],
                    # One connection per delivery, as a webhook sender to many hosts would:
                    # none is left open to a receiver that has since stopped.
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "Connection": "close",
                    },
                    timeout=self.timeout,
                )
                status_code = response.status_code
                response.close()
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"
            ok = status_code is not None and 200 <= status_code < 300
            gave_up = False
            with self._cond:
                self._busy_webhooks.discard(entry["webhook_id"])
                self._in_flight -= 1
                entry["attempts"].append(
                    {
                        "at": _now(),
                        "status_code": status_code,
                        "error": error,
                        "duration_ms": round((time.monotonic() - started) * 1000),
                    }
                )
                entry["last_status_code"] = status_code
                stale = job["generation"] != self._generation
                if ok:
                    entry["status"] = "delivered"
                elif job["tries"] < len(self.retry_delays) and not stale:
                    job["due"] = time.monotonic() + self.retry_delays[job["tries"]]
                    job["tries"] += 1
                    entry["status"] = "retrying"
                    self._queue.append(job)
                else:
                    entry["status"] = "failed"
                    gave_up = not stale
                self._cond.notify_all()
            logger.info(
                "webhook %s %s %s → %s",
                entry["object_type"],
                entry["event"],
                entry["hook_url"],
                status_code or error,
            )
            if gave_up:
                self._mark_unhealthy(entry)

    def _mark_unhealthy(self, entry):
        store = self.sandbox.store
        with store.transaction():
            webhook = store.get(GLOBAL, "unified_webhook", entry["webhook_id"])
            if webhook and webhook.get("is_healthy", True):
                store.update(GLOBAL, "unified_webhook", {**webhook, "is_healthy": False})

    # --- observing ---------------------------------------------------------------------------

    def entries(self, *, webhook_id=None, since_id=0):
        with self._cond:
            return [
                copy.deepcopy(e)
                for e in self._entries
                if e["id"] > since_id and (webhook_id is None or e["webhook_id"] == webhook_id)
            ]

    @property
    def last_id(self):
        with self._cond:
            return self._next_id - 1

    def wait_attempted(self, since_id, timeout):
        """Wait until every delivery after `since_id` has been tried at least once."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                pending = [e for e in self._entries if e["id"] > since_id and not e["attempts"]]
                remaining = deadline - time.monotonic()
                if not pending or remaining <= 0:
                    break
                self._cond.wait(timeout=remaining)
        return self.entries(since_id=since_id)

    def wait_idle(self, timeout=10.0):
        """Wait until nothing is queued or in flight (retries included). True when idle."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(timeout=min(remaining, 0.1))
        return True

    def clear(self):
        """Forget queued deliveries and the log (a reset)."""
        with self._cond:
            self._generation += 1
            self._queue.clear()
            self._entries.clear()
            self._cond.notify_all()

    def stop(self):
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 1)


def _matches(filters, doc):
    # Unsupported filters are accepted and ignored (§8.2): only fields the record has count.
    return all(doc[key] == value for key, value in (filters or {}).items() if key in doc)


def _shape(doc, fields):
    out = public(doc)
    if fields:
        wanted = {"id", *fields}
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def _now():
    return format_instant(dt.datetime.now(dt.UTC))
