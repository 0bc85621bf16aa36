"""The HTTP client for Unified.to (docs/unified.md is the wire reference).

Every call goes through `UnifiedClient._request`, which owns headers, timeouts, retries,
error mapping and logging; the public methods only name the path and the record type.
"""

import copy
import dataclasses
import datetime as dt
import email.utils
import logging
import math
import random
import time
from collections.abc import Iterator
from urllib.parse import quote

import requests
import urllib3
from requests.adapters import HTTPAdapter

from .errors import (
    AuthenticationError,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    RetryableError,
    UnifiedError,
)
from .records import (
    Activity,
    Application,
    Busy,
    Calendar,
    Candidate,
    Connection,
    Employee,
    Event,
    Integration,
    Interview,
    Job,
    Record,
    Scorecard,
    Stage,
    Webhook,
    format_datetime,
)

logger = logging.getLogger("scheduling.unified")

# The app fetches busy blocks for many interviewers at once from a thread pool of about this
# size; one pooled connection per thread keeps them from opening and dropping sockets.
POOL_SIZE = 16
# Unified's list endpoints cap a page at 100 (§2); asking for more would end the paging after
# a "short" first page and silently drop records.
MAX_PAGE_SIZE = 100
MAX_MESSAGE_CHARS = 500

# How Unified reports "this vendor does not support that" is unconfirmed (§4, §14.2): we take
# 501 and 405, and a 400 whose message says so. Change it here once a real answer is seen.
NOT_SUPPORTED_STATUSES = (405, 501)
NOT_SUPPORTED_PHRASES = ("not supported", "not implemented")

_OPTIONS = (
    "base_url",
    "token",
    "connect_timeout",
    "read_timeout",
    "max_retries",
    "backoff_base",
    "backoff_cap",
    "sleep",
    "rng",
    "env",
)


def _new_session() -> requests.Session:
    session = requests.Session()
    # max_retries=0: retries happen in _request, where the idempotency rules live.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _seg(value: str) -> str:
    """One path segment: ids are vendor-derived and opaque, so escape everything."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty id string, got {value!r}")
    return quote(value, safe="")


def _query_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        # Unified's own CLI and Connect widget send arrays comma-joined (§2, §10); the SDK
        # repeats the key instead. Both are accepted; we follow Unified's hand-written clients.
        return ",".join(str(v) for v in value)
    return str(value)


def _query(params: dict | None) -> list[tuple[str, str]]:
    """Set parameters only, in alphabetical order like the SDK (§2)."""
    return [(k, _query_value(v)) for k, v in sorted((params or {}).items()) if v is not None]


def _message(response: requests.Response) -> str:
    """Unified's message: the body's `message` when it is JSON (the error shape is
    unconfirmed, §4), else the text, on one line and truncated."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text = body["message"]
    else:
        text = response.text
    text = " ".join(text.split()) or response.reason or "no message"
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "…"
    return text


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP-date), or None. Whether Unified sends
    it is unconfirmed (§4); we honour it when present."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _nothing_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never established, so the server cannot have acted."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", None)  # urllib3's MaxRetryError
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


class UnifiedClient:
    """Speaks to Unified (or the local sandbox: only `base_url` and `token` differ).

    Retries. GET, PUT and DELETE are retried on 429, 5xx (but 501), timeouts and connection
    failures: at most `max_retries` times, waiting `Retry-After` when the server sends one,
    else full jitter, `rng() * min(backoff_cap, backoff_base * 2**n)` for the n-th retry
    (n from 0). A Retry-After longer than `backoff_cap` is not waited out in-process: the call
    raises at once and the caller schedules the next try from `RetryableError.retry_after`.
    When the retries are used up, RetryableError.

    POSTs create things and are not idempotent: a POST is retried automatically only on 429
    and on connection failures where nothing was sent (connect timeout, refused, DNS). A 5xx,
    a read timeout or a dropped connection after sending raises RetryableError at once,
    because the create may have happened; the caller (our outbox) first looks for what it
    created before trying again.

    Errors (errors.py): 401/403 AuthenticationError naming the connection; 404 NotFoundError;
    405/501, and 400s saying "not supported"/"not implemented", NotSupportedError; other 4xx
    PermanentError with Unified's message. Redirects are not followed (a redirected POST would
    turn into a GET) and count as PermanentError.

    Threads: the client keeps no per-call state, and its Session (pooled for POOL_SIZE
    threads) is never changed after construction, so one client may serve concurrent calls.
    `with_options` copies share the session.

    Logging: each attempt at DEBUG on `scheduling.unified` with method, path (no query string:
    search terms may be personal data), status, duration and attempt; never the token or
    bodies.
    """

    def __init__(
        self,
        base_url,
        token,
        *,
        connect_timeout=5.0,
        read_timeout=30.0,
        max_retries=4,
        backoff_base=0.5,
        backoff_cap=20.0,
        session=None,
        sleep=time.sleep,
        rng=random.random,
        env=None,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.session = session if session is not None else _new_session()
        self.sleep = sleep
        self.rng = rng
        # Management calls without `env` use whatever environment is selected in Unified's
        # app (§11), so the client sends the configured one explicitly.
        self.env = env

    def __repr__(self):
        return f"<UnifiedClient {self.base_url}>"  # never the token

    @classmethod
    def from_settings(cls, **options):
        from django.conf import settings  # scheduling.unified must not need Django to import

        configured = {
            "connect_timeout": settings.UNIFIED_CONNECT_TIMEOUT,
            "read_timeout": settings.UNIFIED_READ_TIMEOUT,
            "env": getattr(settings, "UNIFIED_ENV", None),
        }
        return cls(settings.UNIFIED_BASE_URL, settings.UNIFIED_API_TOKEN, **configured | options)

    def with_options(self, **overrides):
        """A copy with some options changed (e.g. `max_retries=1` for a page render),
        sharing this client's session and its pooled connections."""
        unknown = set(overrides) - set(_OPTIONS)
        if unknown:
            raise TypeError(f"unknown UnifiedClient options: {', '.join(sorted(unknown))}")
        clone = copy.copy(self)
        for name, value in overrides.items():
            setattr(clone, name, value.rstrip("/") if name == "base_url" else value)
        return clone

    # --- mechanics -------------------------------------------------------------------------

    def _request(self, method, path, *, connection_id, params=None, json=None, auth=True):
        """Send one call with retries; the decoded JSON body (None for DELETE)."""
        headers = {"Accept": "*/*" if method == "DELETE" else "application/json"}
        if auth:
            headers["Authorization"] = f"bearer {self.token}"
        where = {"method": method, "path": path, "connection_id": connection_id}
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=_query(params),
                    json=json,
                    headers=headers,
                    timeout=(self.connect_timeout, self.read_timeout),
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                self._log(method, path, type(exc).__name__, started, attempt)
                error = self._network_error(exc, where)
                may_retry = method != "POST" or _nothing_sent(exc)
            else:
                self._log(method, path, response.status_code, started, attempt)
                if 200 <= response.status_code < 300:
                    return self._decode(response, where)
                error = self._status_error(response, where)
                may_retry = method != "POST" or response.status_code == 429
            if not error.retryable or attempt > self.max_retries:
                raise error
            if not may_retry:
                raise RetryableError(
                    f"{error.message} (not retried: the create may have happened)",
                    retry_after=error.retry_after,
                    status=error.status,
                    **where,
                )
            if error.retry_after is not None and error.retry_after > self.backoff_cap:
                raise error
            self.sleep(self._delay(attempt, error.retry_after))

    def _delay(self, attempt, retry_after):
        if retry_after is not None:
            return retry_after
        return self.rng() * min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))

    def _log(self, method, path, status, started, attempt):
        ms = (time.monotonic() - started) * 1000
        logger.debug("%s %s -> %s in %.0f ms (attempt %d)", method, path, status, ms, attempt)

    def _decode(self, response, where):
        if where["method"] == "DELETE":
            return None  # what Unified sends back for a DELETE is unconfirmed (§3); unused
        try:
            return response.json()
        except ValueError:
            raise PermanentError(
                "Unified answered with a body that is not JSON",
                status=response.status_code,
                **where,
            ) from None

    def _status_error(self, response, where) -> UnifiedError:
        status, message, cid = response.status_code, _message(response), where["connection_id"]
        if status in (401, 403):
            # Management calls (/unified/…) authenticate the workspace token only.
            if cid and not where["path"].startswith("/unified/"):
                text = f"Unified refused connection {cid}; it may need reconnecting: {message}"
            else:
                text = f"Unified refused the workspace API token: {message}"
            return AuthenticationError(text, status=status, **where)
        if status == 404:
            return NotFoundError(message, status=status, **where)
        lowered = message.lower()
        if status in NOT_SUPPORTED_STATUSES or (
            status == 400 and any(p in lowered for p in NOT_SUPPORTED_PHRASES)
        ):
            return NotSupportedError(message, status=status, **where)
        if status == 429 or 500 <= status < 600:
            return RetryableError(
                message, retry_after=_retry_after(response), status=status, **where
            )
        return PermanentError(message, status=status, **where)

    def _network_error(self, exc, where) -> UnifiedError:
        text = f"{type(exc).__name__}: {str(exc)[:200]}"
        if isinstance(
            exc,
            requests.Timeout | requests.ConnectionError | requests.exceptions.ChunkedEncodingError,
        ):
            return RetryableError(text, **where)
        return PermanentError(text, **where)

    def _paginate(self, path, record, cid, limit, **params) -> "Listing":
        """A lazy iterator over every record, one page (`limit`/`offset`) at a time. The
        limit is checked now; nothing is fetched until the first record is asked for."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}")
        return Listing(self, path, record, cid, params, limit)

    def _page(self, path, record, connection_id, params, limit, offset) -> list:
        """The records of one page of a list: `limit` records from `offset` (§2)."""
        page = self._request(
            "GET",
            path,
            connection_id=connection_id,
            params={**params, "limit": limit, "offset": offset},
        )
        if not isinstance(page, list):
            raise PermanentError(
                f"expected a JSON array from a list call, got {type(page).__name__}",
                method="GET",
                path=path,
                connection_id=connection_id,
            )
        # A short page ends the list (§2), counted on what Unified sent, before any entry
        # that is not an object is dropped.
        return [record.from_api(item) for item in page if isinstance(item, dict)], len(page)

    def _get(self, path, record, cid, **params) -> Record:
        data = self._request("GET", path, connection_id=cid, params=params)
        return record.from_api(_object(data, "GET", path, cid))

    def _write(self, method, path, record, cid, body, **params) -> Record:
        data = self._request(method, path, connection_id=cid, params=params, json=body.to_api())
        return record.from_api(_object(data, method, path, cid))

    def _remove(self, path, cid) -> None:
        self._request("DELETE", path, connection_id=cid)

    # --- ATS (§5) --------------------------------------------------------------------------

    def list_candidates(
        self,
        cid,
        *,
        updated_gte=None,
        job_id=None,
        query=None,
        sort=None,
        order=None,
        fields=None,
        limit=100,
    ) -> Iterator[Candidate]:
        # [AtsCandidate]
        return self._paginate(
            f"/ats/{_seg(cid)}/candidate",
            Candidate,
            cid,
            limit,
            updated_gte=updated_gte,
            job_id=job_id,
            query=query,
            sort=sort,
            order=order,
            fields=fields,
        )

    def get_candidate(self, cid, id) -> Candidate:
        # AtsCandidate
        return self._get(f"/ats/{_seg(cid)}/candidate/{_seg(id)}", Candidate, cid)

    def list_applications(
        self,
        cid,
        *,
        candidate_id=None,
        job_id=None,
        status=None,
        updated_gte=None,
        sort=None,
        order=None,
        fields=None,
        limit=100,
    ) -> Iterator[Application]:
        # [AtsApplication]
        return self._paginate(
            f"/ats/{_seg(cid)}/application",
            Application,
            cid,
            limit,
            candidate_id=candidate_id,
            job_id=job_id,
            status=status,
            updated_gte=updated_gte,
            sort=sort,
            order=order,
            fields=fields,
        )

    def get_application(self, cid, id) -> Application:
        # AtsApplication
        return self._get(f"/ats/{_seg(cid)}/application/{_seg(id)}", Application, cid)

    def update_application(self, cid, id, application: Application) -> Application:
        # AtsApplication (PUT: Unified accepts partial bodies, §1)
        path = f"/ats/{_seg(cid)}/application/{_seg(id)}"
        return self._write("PUT", path, Application, cid, application)

    def list_jobs(
        self,
        cid,
        *,
        updated_gte=None,
        status=None,
        sort=None,
        order=None,
        fields=None,
        limit=100,
    ) -> Iterator[Job]:
        # [AtsJob]
        return self._paginate(
            f"/ats/{_seg(cid)}/job",
            Job,
            cid,
            limit,
            updated_gte=updated_gte,
            status=status,
            sort=sort,
            order=order,
            fields=fields,
        )

    def get_job(self, cid, id) -> Job:
        # AtsJob
        return self._get(f"/ats/{_seg(cid)}/job/{_seg(id)}", Job, cid)

    def list_stages(self, cid, *, job_id=None, limit=100) -> Iterator[Stage]:
        # [AtsStatus]: the pipeline stages, per job where the vendor scopes them so
        return self._paginate(
            f"/ats/{_seg(cid)}/applicationstatus", Stage, cid, limit, job_id=job_id
        )

    def list_interviews(
        self,
        cid,
        *,
        application_id=None,
        candidate_id=None,
        job_id=None,
        updated_gte=None,
        sort=None,
        order=None,
        fields=None,
        limit=100,
    ) -> Iterator[Interview]:
        # [AtsInterview]
        return self._paginate(
            f"/ats/{_seg(cid)}/interview",
            Interview,
            cid,
            limit,
            application_id=application_id,
            candidate_id=candidate_id,
            job_id=job_id,
            updated_gte=updated_gte,
            sort=sort,
            order=order,
            fields=fields,
        )

    def get_interview(self, cid, id) -> Interview:
        # AtsInterview
        return self._get(f"/ats/{_seg(cid)}/interview/{_seg(id)}", Interview, cid)

    def create_interview(self, cid, interview: Interview) -> Interview:
        # AtsInterview (POST: see the class docstring on retries)
        return self._write("POST", f"/ats/{_seg(cid)}/interview", Interview, cid, interview)

    def update_interview(self, cid, id, interview: Interview) -> Interview:
        # AtsInterview
        path = f"/ats/{_seg(cid)}/interview/{_seg(id)}"
        return self._write("PUT", path, Interview, cid, interview)

    def remove_interview(self, cid, id) -> None:
        # (no body) AtsInterview removed; a retried DELETE may answer 404 if the first landed
        self._remove(f"/ats/{_seg(cid)}/interview/{_seg(id)}", cid)

    def list_scorecards(
        self,
        cid,
        *,
        interview_id=None,
        application_id=None,
        candidate_id=None,
        job_id=None,
        updated_gte=None,
        limit=100,
    ) -> Iterator[Scorecard]:
        # [AtsScorecard]
        return self._paginate(
            f"/ats/{_seg(cid)}/scorecard",
            Scorecard,
            cid,
            limit,
            interview_id=interview_id,
            application_id=application_id,
            candidate_id=candidate_id,
            job_id=job_id,
            updated_gte=updated_gte,
        )

    def create_scorecard(self, cid, scorecard: Scorecard) -> Scorecard:
        # AtsScorecard
        return self._write("POST", f"/ats/{_seg(cid)}/scorecard", Scorecard, cid, scorecard)

    def list_activities(
        self, cid, *, application_id=None, candidate_id=None, interview_id=None, limit=100
    ) -> Iterator[Activity]:
        # [AtsActivity]
        return self._paginate(
            f"/ats/{_seg(cid)}/activity",
            Activity,
            cid,
            limit,
            application_id=application_id,
            candidate_id=candidate_id,
            interview_id=interview_id,
        )

    def create_activity(self, cid, activity: Activity) -> Activity:
        # AtsActivity
        return self._write("POST", f"/ats/{_seg(cid)}/activity", Activity, cid, activity)

    def list_employees(self, cid, *, updated_gte=None, limit=100) -> Iterator[Employee]:
        # [HrisEmployee]: the people behind interview.user_ids, on the ATS connection (§6)
        path = f"/hris/{_seg(cid)}/employee"
        return self._paginate(path, Employee, cid, limit, updated_gte=updated_gte)

    def get_employee(self, cid, id) -> Employee:
        # HrisEmployee
        return self._get(f"/hris/{_seg(cid)}/employee/{_seg(id)}", Employee, cid)

    # --- Calendar (§7) ---------------------------------------------------------------------

    def list_calendars(self, cid, *, limit=100) -> Iterator[Calendar]:
        # [CalendarCalendar]
        return self._paginate(f"/calendar/{_seg(cid)}/calendar", Calendar, cid, limit)

    def get_calendar(self, cid, id) -> Calendar:
        # CalendarCalendar
        return self._get(f"/calendar/{_seg(cid)}/calendar/{_seg(id)}", Calendar, cid)

    def list_events(
        self,
        cid,
        *,
        calendar_id=None,
        start_gte=None,
        end_lt=None,
        updated_gte=None,
        expand=None,
        limit=100,
    ) -> Iterator[Event]:
        # [CalendarEvent]; expand=True flattens recurring series into occurrences
        return self._paginate(
            f"/calendar/{_seg(cid)}/event",
            Event,
            cid,
            limit,
            calendar_id=calendar_id,
            start_gte=start_gte,
            end_lt=end_lt,
            updated_gte=updated_gte,
            expand=expand,
        )

    def get_event(self, cid, id) -> Event:
        # CalendarEvent
        return self._get(f"/calendar/{_seg(cid)}/event/{_seg(id)}", Event, cid)

    def create_event(self, cid, event: Event) -> Event:
        # CalendarEvent (POST: see the class docstring on retries)
        return self._write("POST", f"/calendar/{_seg(cid)}/event", Event, cid, event)

    def update_event(self, cid, id, event: Event) -> Event:
        # CalendarEvent
        return self._write("PUT", f"/calendar/{_seg(cid)}/event/{_seg(id)}", Event, cid, event)

    def remove_event(self, cid, id) -> None:
        # (no body) CalendarEvent removed
        self._remove(f"/calendar/{_seg(cid)}/event/{_seg(id)}", cid)

    def list_busy(self, cid, *, calendar_id, start_gte, end_lt, user_id=None) -> list[Busy]:
        # [CalendarBusy]; whether the window is mandatory is unconfirmed (§7), so always send it
        return list(
            self._paginate(
                f"/calendar/{_seg(cid)}/busy",
                Busy,
                cid,
                MAX_PAGE_SIZE,
                calendar_id=calendar_id,
                start_gte=start_gte,
                end_lt=end_lt,
                user_id=user_id,
            )
        )

    # --- Unified management (§8, §10) ------------------------------------------------------

    def get_connection(self, id) -> Connection:
        # Connection
        return self._get(f"/unified/connection/{_seg(id)}", Connection, id)

    def list_connections(
        self, *, external_xref=None, categories=None, limit=100
    ) -> Iterator[Connection]:
        # [Connection]
        return self._paginate(
            "/unified/connection",
            Connection,
            None,
            limit,
            external_xref=external_xref,
            categories=categories,
            env=self.env,
        )

    def remove_connection(self, id) -> None:
        # (no body) Connection removed, and its webhooks with it
        self._remove(f"/unified/connection/{_seg(id)}", id)

    def list_integrations(self, workspace_id, *, categories=None) -> list[Integration]:
        # [Integration]: what Connect offers; public, no auth header (§10)
        path = f"/unified/integration/workspace/{_seg(workspace_id)}"
        params = {"summary": 1, "categories": categories, "env": self.env}
        data = self._request("GET", path, connection_id=None, params=params, auth=False)
        if not isinstance(data, list):
            raise PermanentError("expected a JSON array from a list call", method="GET", path=path)
        return [Integration.from_api(item) for item in data if isinstance(item, dict)]

    def list_webhooks(
        self, *, connection_id=None, object_type=None, limit=100
    ) -> Iterator[Webhook]:
        # [Webhook]; Unified names the object_type filter `object` (§8)
        return self._paginate(
            "/unified/webhook",
            Webhook,
            connection_id,
            limit,
            connection_id=connection_id,
            object=object_type,
            env=self.env,
        )

    def create_webhook(self, webhook: Webhook, *, include_all=False) -> Webhook:
        # Webhook; include_all=True replays every existing record first (§9)
        if webhook.environment is None and self.env:
            webhook = dataclasses.replace(webhook, environment=self.env)
        params = {"include_all": True} if include_all else {}
        return self._write(
            "POST", "/unified/webhook", Webhook, webhook.connection_id, webhook, **params
        )

    def remove_webhook(self, id) -> None:
        # (no body) Webhook removed
        self._remove(f"/unified/webhook/{_seg(id)}", None)


class Listing(Iterator):
    """What a list method returns: an iterator over every record, fetched one page at a time
    as it is read, which can also fetch any one page by its offset (`page`).

    Iterating follows §2: ask with `limit` and `offset`, advance by the records received,
    stop at the first short page; only one page is held at a time. `page(offset)` lets a
    caller that wants several pages at once (the ATS sync) ask for them side by side; the
    listing keeps no state between such calls, so threads may share it.
    """

    def __init__(self, client, path, record, connection_id, params, limit):
        self.client = client
        self.path = path
        self.record = record
        self.connection_id = connection_id
        self.params = {k: v for k, v in params.items() if v is not None}
        self.limit = limit
        self._records = None

    def __repr__(self):
        return f"<Listing {self.path} limit={self.limit}>"

    def page(self, offset: int) -> "Page":
        """The page of up to `limit` records starting at `offset`."""
        records, sent = self.client._page(
            self.path, self.record, self.connection_id, self.params, self.limit, offset
        )
        return Page(offset, records, last=sent < self.limit)

    def __next__(self):
        if self._records is None:
            self._records = self._all()
        return next(self._records)

    def _all(self):
        offset = 0
        while True:
            page = self.page(offset)
            yield from page.records
            if page.last:
                return
            offset += self.limit
            del page  # the next page replaces this one, never sits beside it


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of a list: its offset, its records, and whether it is the last (short)."""

    offset: int
    records: list
    last: bool


def _object(data, method, path, cid) -> dict:
    if not isinstance(data, dict):
        raise PermanentError(
            f"expected a JSON object, got {type(data).__name__}",
            method=method,
            path=path,
            connection_id=cid,
        )
    return data
