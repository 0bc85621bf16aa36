"""Mirror an ATS connection: jobs, stages, candidates, applications, interviews, and the
people behind them (interviewers).

A sync reads the connection's lists side by side (`scheduling.unified.paging`): the pages of
every object type at once, at most `UNIFIED_SYNC_CONCURRENCY` calls in flight for the
connection (Unified's rate limits are per connection; the client honours 429 and
Retry-After), so its length follows Unified's latency rather than its page count. Each page
is written as it arrives, in its own transaction with the run's progress and its resume
point, so memory holds a few pages whatever the size of the ATS, the progress shown is
exactly what is stored, and a sync that fails (a call that keeps failing, a worker killed)
is continued from where it stopped by the next one rather than started again.

References between types are kept: an application whose candidate (or job) is not in the
mirror yet waits, in memory and bounded (its list is held back while too many wait), until
that candidate's page is written or the candidates are complete; interviews wait likewise
for their application, candidate and job.

The first sync (and one a day after) is full: it also marks records that vanished from the
ATS (those it did not see). The others ask only for what changed since the last successful
sync began (`updated_gte`).
"""

import concurrent.futures
import dataclasses
import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.tasks import task
from django.utils import timezone

from scheduling import load
from scheduling.connections import link_interviewers_to_calendars
from scheduling.gateway import note_failure, unified
from scheduling.lib import outside, zones
from scheduling.models import (
    AtsSeat,
    Connection,
    Flag,
    Interview,
    Interviewer,
    InterviewSession,
    Membership,
    audit,
)
from scheduling.unified.client import Page
from scheduling.unified.errors import NotFoundError, NotSupportedError, UnifiedError
from scheduling.unified.paging import ParallelPages
from scheduling.unified.records import APPLICATION_STATUSES

from . import autopilot, links
from .models import Application, BookingLink, Candidate, Job, RemoteInterview, Stage, SyncRun

logger = logging.getLogger(__name__)

# Unified's clock and ours may disagree a little; asking for a few minutes more is harmless
# because writes are upserts.
OVERLAP = dt.timedelta(minutes=5)
FULL_SYNC_EVERY = dt.timedelta(hours=24)
# A run that has shown no progress for this long was cut off (worker killed): it no longer
# blocks, and the next sync continues it.
STALE_AFTER = dt.timedelta(minutes=10)
# A failed sync is continued by the next one while it is this recent; older, it starts over.
RESUME_WITHIN = dt.timedelta(hours=12)
MAX_WARNINGS = 50
BATCH = 500
SYNC = "ATS sync"
# The object types a sync reads, each after those it refers to.
TYPES = ("stages", "jobs", "candidates", "applications", "interviews")
# What each type's rows point at (and so may have to wait for).
REFERS_TO = {
    "applications": ("candidates", "jobs"),
    "interviews": ("applications", "candidates", "jobs"),
}
# What a continued sync reads again from the start.
REREAD = ("stages", "jobs")
# Rows of a type that may wait for what they point at before its list is held back.
MAX_WAITING = 500
# ATS interviews that take place: their interviewers are busy then (load, docs/design.md).
COUNTED_STATUSES = frozenset({"SCHEDULED", "AWAITING_FEEDBACK", "COMPLETE"})
# The events of ATS interviews this close to now are read from the calendars: load counts
# the current ISO week and everything a search may offer.
EVENTS_BEFORE = dt.timedelta(days=8)
EVENTS_AHEAD = dt.timedelta(days=90)
EVENT_THREADS = 8


@dataclasses.dataclass(frozen=True)
class StatusChange:
    """An application the upsert created or moved to another status; `note` says what
    closing it did, when it closed."""

    application_id: object
    before: str | None  # None: new to the mirror
    after: str
    note: str = ""


# --- starting -------------------------------------------------------------------------------


def needs_full_sync(conn, now=None):
    now = now or timezone.now()
    return (
        conn.synced_until is None
        or conn.last_full_sync_at is None
        or now - conn.last_full_sync_at >= FULL_SYNC_EVERY
    )


def _resumable(conn, kind, now):
    """The failed run a new sync of `kind` (None: any) should continue, if any."""
    last = SyncRun.objects.filter(connection=conn).order_by("-created_at").first()
    if last is None or last.status != SyncRun.Status.FAILED or not last.cursor:
        return None
    if kind is not None and kind != last.kind:
        return None
    if (last.begun_at or last.created_at) < now - RESUME_WITHIN:
        return None
    if not _resumed_counts({k: v for k, v in last.cursor.items() if k not in REREAD}):
        return None  # nothing past the stages and jobs it would keep: start afresh
    return last


def start_sync(conn, *, kind=None, requested_by=None):
    """Queue a sync of `conn`, or return the one already queued or running. A sync that
    failed lately is continued from where it stopped (unless another kind is asked for)."""
    now = timezone.now()
    with transaction.atomic():
        stale = (
            SyncRun.objects.filter(connection=conn, status=SyncRun.Status.RUNNING)
            .exclude(progressed_at__gte=now - STALE_AFTER)
            .filter(started_at__lt=now - STALE_AFTER)
        )
        stale.update(
            status=SyncRun.Status.FAILED,
            finished_at=now,
            error="The sync was interrupted (the worker stopped) and did not finish.",
        )
        current = SyncRun.objects.filter(
            connection=conn, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING]
        ).first()
        if current:
            return current
        failed = _resumable(conn, kind, now)
        if failed is not None:
            # The stages and jobs (a few pages) are read again: the people the jobs name are
            # linked once the sync has named them, at its end.
            cursor = {k: v for k, v in failed.cursor.items() if k not in REREAD}
            fields = {
                "kind": failed.kind,
                "resumed_from": failed,
                "begun_at": failed.begun_at,
                "updated_since": failed.updated_since,
                "cursor": cursor,
                "counts": _resumed_counts(cursor),
                "warnings": failed.warnings,
            }
            fields["records_so_far"] = sum(fields["counts"].values())
        else:
            if kind is None:
                kind = (
                    SyncRun.Kind.FULL if needs_full_sync(conn, now) else SyncRun.Kind.INCREMENTAL
                )
            fields = {"kind": kind}
        try:
            # One queued or running sync per connection, held by the database: a second
            # periodic runner racing this one gets the first's run back.
            with transaction.atomic():
                run = SyncRun.objects.create(
                    tenant=conn.tenant, connection=conn, requested_by=requested_by, **fields
                )
        except IntegrityError:
            return SyncRun.objects.get(
                connection=conn, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING]
            )
        transaction.on_commit(functools.partial(sync_connection.enqueue, str(run.pk)))
    return run


def _resumed_counts(cursor):
    """Per type, the records of the pages a failed run finished (what a resume keeps)."""
    return {name: state.get("read", 0) for name, state in cursor.items() if state.get("read")}


@task
def sync_connection(run_id):
    run_sync(run_id)


# --- running --------------------------------------------------------------------------------


def run_sync(run_id, client=None):
    """Perform a queued run. Safe to call twice: only the caller that claims it runs it."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=now, progressed_at=now
    )
    run = SyncRun.objects.select_related("connection", "tenant").get(pk=run_id)
    if not claimed:
        return run
    conn = run.connection
    if conn.category != Connection.Category.ATS or not conn.is_active:
        return _finish(run, error=f"The connection is {conn.get_status_display().lower()}.")
    if run.begun_at is None:
        # What this sync covers is fixed by its first attempt: a resumed one keeps it.
        full = run.kind == SyncRun.Kind.FULL or conn.synced_until is None
        run.begun_at = run.started_at
        run.updated_since = None if full else conn.synced_until - OVERLAP
        SyncRun.objects.filter(pk=run.pk).update(
            begun_at=run.begun_at, updated_since=run.updated_since
        )
    sync = _Sync(run, client or unified())
    try:
        sync.read()
    except UnifiedError as exc:
        note_failure(conn, exc)
        return _finish(run, error=f"Unified refused or failed: {exc}", warnings=sync.warnings)
    except Exception as exc:
        logger.exception("Writing the mirror of %s failed", conn.unified_id)
        return _finish(run, error=f"Saving the records failed: {exc}", warnings=sync.warnings)
    try:
        with transaction.atomic():
            Connection.objects.filter(pk=conn.pk).update(
                synced_until=run.begun_at,
                last_success_at=timezone.now(),
                **({"last_full_sync_at": run.begun_at} if run.updated_since is None else {}),
            )
    except Exception as exc:
        logger.exception("Finishing the mirror of %s failed", conn.unified_id)
        return _finish(run, error=f"Saving the records failed: {exc}", warnings=sync.warnings)
    for calendar_conn in Connection.objects.filter(
        tenant=conn.tenant,
        category=Connection.Category.CALENDAR,
        status=Connection.Status.ACTIVE,
        interviewer__isnull=True,
    ):
        link_interviewers_to_calendars(calendar_conn)
    counts = {**sync.counts}
    counts["interviewers"] = (
        Interviewer.objects.filter(tenant=conn.tenant).exclude(ats_user_id="").count()
    )
    return _finish(run, counts=counts, warnings=sync.warnings)


def _finish(run, *, error="", counts=None, warnings=()):
    # The progress was saved page by page, apart from this object.
    run.refresh_from_db(fields=["cursor", "counts", "records_so_far", "progressed_at"])
    run.status = SyncRun.Status.FAILED if error else SyncRun.Status.SUCCEEDED
    run.error = error
    run.finished_at = timezone.now()
    fields = ["status", "error", "finished_at", "warnings", "current_object"]
    if counts is not None:
        run.counts = {name: counts.get(name, 0) for name in (*TYPES, "interviewers")}
        fields.append("counts")
    elif not error:
        run.counts = {}
        fields.append("counts")
    run.warnings = list(warnings)[:MAX_WARNINGS]
    run.current_object = ""
    run.save(update_fields=fields)
    return run


def _first_usable(emails):
    """The first of the ATS's addresses that mail can be sent to, or "": the rest (two
    addresses in one field, a typo) stay in the record's raw list, shown as unusable."""
    return next((e for e in map(outside.email_address, emails) if e), "")


def _clip(value, length):
    return (value or "")[:length]


class _Stages:
    """The stages' listing, which an ATS may not have: then it reads as empty (the stages
    come from the applications) and says so once."""

    def __init__(self, listing, warn):
        self.listing = listing
        self.limit = listing.limit
        self.warn = warn

    def page(self, offset):
        try:
            return self.listing.page(offset)
        except NotSupportedError:
            self.warn("This ATS does not list its pipeline stages; stages come from applications.")
            return Page(offset, [], last=True)


class _Sync:
    """One run's reading and writing: pages in, rows written, progress and resume point kept.

    `cursor` (saved on the run with every page) holds per type the offset up to which every
    page is written (`offset`), the records of those pages (`read`) and whether the type is
    complete (`done`); `counts` the records written so far per type, which the progress
    shows. A resumed run starts each type at its `offset`, its count at its `read`.
    """

    def __init__(self, run, client):
        self.run = run
        self.client = client
        self.conn = run.connection
        self.warnings = list(run.warnings or [])
        self.cursor = {name: dict(state) for name, state in (run.cursor or {}).items()}
        self.counts = {name: self.state(name)["read"] for name in TYPES}
        self.complete = {name for name in TYPES if self.state(name)["done"]}
        self.rows = _Rows(self.warn)
        self.writer = _Writer(self.conn, self.warnings)
        self.page_size = {}
        # Pages taken but not yet behind the resume point: (type, offset) → [records, rows
        # still to write]; and the rows waiting for what they point at: (offset, row).
        self.pages = {}
        self.waiting = {name: [] for name in REFERS_TO}
        self.user_ids = set()  # the people jobs and interviews name (for the employees)
        self.pending_people = []  # the jobs' links to people not known yet

    def warn(self, text):
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def state(self, name):
        return self.cursor.setdefault(name, {"offset": 0, "read": 0, "done": False})

    # --- reading ---------------------------------------------------------------------------

    def read(self):
        # In Unified's own order (no `sort`: a vendor may not have one, §14.14), which a
        # resumed sync relies on to stay put between attempts (docs/unified.md §2).
        since = {"updated_gte": self.run.updated_since} if self.run.updated_since else {}
        cid = self.conn.unified_id
        listings = {
            "stages": _Stages(self.client.list_stages(cid), self.warn),
            "jobs": self.client.list_jobs(cid, **since),
            "candidates": self.client.list_candidates(cid, **since),
            "applications": self.client.list_applications(cid, **since),
            "interviews": self.client.list_interviews(cid, **since),
        }
        todo = {name: listing for name, listing in listings.items() if name not in self.complete}
        self.page_size = {name: listing.limit for name, listing in listings.items()}
        self._progress()
        pages = ParallelPages(
            todo,
            limit=settings.UNIFIED_SYNC_CONCURRENCY,
            start={name: self.state(name)["offset"] for name in todo},
            ready=self._may_read,
        )
        for name, page in pages:
            with transaction.atomic():
                if page is None:
                    self.complete.add(name)
                    self._write_waiting()
                else:
                    self._page(name, page)
                self._progress()
        if self.run.updated_since is None:
            with transaction.atomic():
                self.writer.mark_vanished(self.run.begun_at)
        self._people()

    def _may_read(self, name):
        """A type whose rows wait for another's is held back while too many wait."""
        return len(self.waiting.get(name, ())) < MAX_WAITING

    def _page(self, name, page):
        self.pages[name, page.offset] = [len(page.records), len(page.records)]
        rows = []
        for record in page.records:
            if record.id:
                rows.append(self.rows.convert(name, record))
            else:
                self.warn(f"A {name[:-1]} without an id was skipped.")
        self._written(name, page.offset, len(page.records) - len(rows))
        if name == "stages":
            self.writer.stages(rows, first_position=page.offset)
        elif name == "jobs":
            for row in rows:
                self.user_ids.update(row["recruiter_ids"], row["hiring_manager_ids"])
            self.pending_people += self.writer.jobs(rows)
        elif name == "candidates":
            self.writer.candidates(rows)
        elif name == "interviews":
            for row in rows:
                self.user_ids.update(row["user_ids"])
        if name in REFERS_TO:
            self.waiting[name].extend((page.offset, row) for row in rows)
            self._write_waiting()
        else:
            self._written(name, page.offset, len(rows))

    def _write_waiting(self):
        """Write the waiting rows whose references are now in the mirror, or will not come
        (what they point at is complete); the others wait on."""
        for name, refers_to in REFERS_TO.items():
            pending = self.waiting[name]
            if not pending:
                continue
            final = {ref for ref in refers_to if ref in self.complete}
            write = self.writer.applications if name == "applications" else self.writer.interviews
            still = {id(row) for row in write([row for _offset, row in pending], final=final)}
            self.waiting[name] = [(o, row) for o, row in pending if id(row) in still]
            for offset, row in pending:
                if id(row) not in still:
                    self._written(name, offset, 1)

    def _written(self, name, offset, rows):
        """`rows` more rows of a page are in the mirror (or were left out for good); once a
        page is all written, the resume point moves over every page written in a row."""
        if rows:
            self.counts[name] += rows
            self.pages[name, offset][1] -= rows
        state = self.state(name)
        step = self.page_size[name]
        while (name, state["offset"]) in self.pages:
            records, left = self.pages[name, state["offset"]]
            if left:
                break
            del self.pages[name, state["offset"]]
            state["offset"] += step
            state["read"] += records

    def _progress(self):
        for name in self.complete:
            # Complete: every page read, and none of its rows still waiting.
            self.state(name)["done"] = not any(n == name for n, _offset in self.pages)
        reading = [name for name in TYPES if not self.state(name)["done"]]
        SyncRun.objects.filter(pk=self.run.pk).update(
            records_so_far=sum(self.counts.values()),
            counts={name: self.counts[name] for name in TYPES},
            cursor=self.cursor,
            current_object=", ".join(reading)[:64] if reading else "people",
            progressed_at=timezone.now(),
            warnings=self.warnings[:MAX_WARNINGS],
        )

    # --- the people ------------------------------------------------------------------------

    def _people(self):
        """After the lists: the calendar events of the ATS interviews around now (who sits
        in them), then the people behind the jobs' recruiters and hiring managers, the
        interviews' interviewers and those events' attendees (HRIS employees on the same
        connection), then the jobs' links to them, then who sits in which ATS interview."""
        since = self.run.begun_at
        written = RemoteInterview.objects.filter(connection=self.conn)
        if self.run.updated_since is not None:
            # What this sync wrote (a continued one: since its first attempt began).
            written = written.filter(synced_at__gte=since)
        events = read_events(
            self.client,
            self.conn.tenant,
            written.filter(status__in=COUNTED_STATUSES).values_list(
                "external_event_xref", "start_at"
            ),
            self.warn,
        )
        with transaction.atomic():
            for event_id, columns in events.items():
                written.filter(external_event_xref=event_id).update(**columns)
        employees = self._employees(events)
        with transaction.atomic():
            self.writer.employees(employees)
            self.writer.link_people(self.pending_people)
            write_seats(self.conn.tenant, written)

    def _employees(self, events):
        """{ATS user id: the HRIS employee's fields, or None} for the people this sync met
        (jobs, interviews) and the events' attendees (by id or email)."""
        tenant = self.conn.tenant
        referenced = set(self.user_ids) - {""}
        wanted, emails = set(referenced), set()
        # The people on the interviews' calendar events sit in them too (not the organizer).
        for event in events.values():
            for attendee in event["event_attendees"]:
                if attendee["status"] != "REJECTED" and not attendee["organizer"]:
                    wanted.add(attendee["user_id"])
                    emails.add(attendee["email"])
        wanted.discard("")
        emails.discard("")
        known = set(
            Interviewer.objects.filter(tenant=tenant, ats_user_id__in=wanted)
            .exclude(email="")
            .values_list("ats_user_id", flat=True)
        )
        known_emails = {
            e.lower()
            for e in Interviewer.objects.filter(tenant=tenant)
            .exclude(ats_user_id="")
            .values_list("email", flat=True)
        }
        if self.run.updated_since is not None and wanted <= known and emails <= known_emails:
            return {}
        employees = {}
        try:
            pages = ParallelPages(
                {"employees": self.client.list_employees(self.conn.unified_id)},
                limit=settings.UNIFIED_SYNC_CONCURRENCY,
            )
            for _name, page in pages:
                for employee in page.records if page else ():
                    if employee.id in wanted or emails & {e.lower() for e in employee.emails}:
                        email = _first_usable(employee.emails)
                        if employee.emails and not email:
                            self.warn(
                                f"{employee.display_name}: the ATS's email address "
                                f"“{', '.join(employee.emails)}” is not one Convene can send "
                                "to."
                            )
                        employees[employee.id] = {
                            "name": employee.display_name,
                            "email": email,
                            "title": employee.title or "",
                            "timezone": employee.timezone or "",
                        }
        except NotSupportedError:
            self.warn("This ATS does not share its users; interviewers are named by their id.")
        for user_id in referenced - set(employees):
            employees[user_id] = None  # referenced, but unknown to the HRIS list
        return employees


class _Rows:
    """Unified's records as compact rows for the writer (fields clipped to the columns)."""

    def __init__(self, warn):
        self.warn = warn

    def convert(self, name, record):
        return getattr(self, name[:-1])(record)

    def stage(self, s):
        return {
            "remote_id": s.id,
            "status": _clip(s.status, 32),
            "original_status": _clip(s.original_status or s.status, 200),
            "description": s.description or "",
            "job_remote_id": s.job_id,
        }

    def job(self, j):
        return {
            "remote_id": j.id,
            "name": _clip(j.name, 300) or "(untitled job)",
            "status": _clip(j.status, 32),
            "departments": list(j.departments),
            "locations": list(j.locations),
            "remote": j.remote,
            "remote_created_at": j.created_at,
            "remote_updated_at": j.updated_at,
            "recruiter_ids": list(j.recruiter_ids),
            "hiring_manager_ids": list(j.hiring_manager_ids),
        }

    def candidate(self, c):
        email = _first_usable(c.emails)
        if not c.emails:
            self.warn(f"Candidate {c.display_name} ({c.id}) has no email address.")
        elif not email:
            self.warn(
                f"Candidate {c.display_name} ({c.id}): the ATS's email address "
                f"“{', '.join(c.emails)}” is not one Convene can send to."
            )
        return {
            "remote_id": c.id,
            "name": _clip(c.display_name, 300),
            "first_name": _clip(c.first_name, 150),
            "last_name": _clip(c.last_name, 150),
            "email": email,
            "emails": list(c.emails),
            "phone": _clip(c.telephones[0] if c.telephones else "", 64),
            "title": _clip(c.title, 300),
            "company_name": _clip(c.company_name, 300),
            "web_url": _clip(c.web_url, 500),
            "location": _clip(c.address.text if c.address else "", 300),
            # Not a column: the zone the address suggests, for `_Writer._guess_zones`.
            "zone_guess": _zone_guess(c.address),
            "remote_created_at": c.created_at,
            "remote_updated_at": c.updated_at,
        }

    def application(self, a):
        if a.status and a.status not in APPLICATION_STATUSES:
            self.warn(f"Application {a.id} has a status Convene does not know: “{a.status}”.")
        if not a.candidate_id:
            self.warn(f"Application {a.id} names no candidate.")
        return {
            "remote_id": a.id,
            "candidate_remote_id": a.candidate_id,
            "job_remote_id": a.job_id,
            "status": _clip(a.status, 64),
            "original_status": _clip(a.original_status, 200),
            "applied_at": a.applied_at,
            "rejected_at": a.rejected_at,
            "owner_user_id": _clip(a.user_id, 128),
            "remote_created_at": a.created_at,
            "remote_updated_at": a.updated_at,
        }

    def interview(self, i):
        return {
            "remote_id": i.id,
            "application_remote_id": i.application_id,
            "candidate_remote_id": i.candidate_id,
            "job_remote_id": i.job_id,
            "status": _clip(i.status, 32),
            "start_at": i.start_at,
            "end_at": i.end_at,
            "user_ids": list(i.user_ids),
            "location": _clip(i.location, 500),
            "meeting_url": _clip(i.meeting_url, 500),
            "external_event_xref": _clip(i.external_event_xref, 255),
            "remote_created_at": i.created_at,
            "remote_updated_at": i.updated_at,
        }


def _zone_guess(address):
    if address is None:
        return ""
    return _guess(
        address.city or "",
        address.region_code or address.region or "",
        address.country or "",
        address.country_code or "",
    )


@functools.lru_cache(maxsize=8192)
def _guess(city, region, country, country_code):
    # Addresses repeat (a large ATS has thousands of candidates in one city), and a guess
    # goes over every zone: remembered.
    return zones.guess(city=city, region=region, country=country, country_code=country_code)


# Columns of the rows that name other records by remote id, per model: (row key, field).
_REFERENCES = {
    Application: (("candidate_remote_id", "candidate_id"), ("job_remote_id", "job_id")),
    RemoteInterview: (
        ("application_remote_id", "application_id"),
        ("candidate_remote_id", "candidate_id"),
        ("job_remote_id", "job_id"),
    ),
}
_TARGETS = {
    "candidate_remote_id": (Candidate, "candidates"),
    "job_remote_id": (Job, "jobs"),
    "application_remote_id": (Application, "applications"),
}


class _Writer:
    """Writes rows into the mirror, a batch at a time, inside the caller's transaction.

    Each method takes the rows of one type (a page of a sync, or a webhook's records). A
    row older than the stored one (by Unified's updated_at) is left out but still counts as
    seen. `changes` collects the applications created or moved (for webhooks)."""

    def __init__(self, conn, warnings, actor_label=SYNC):
        self.conn = conn
        self.tenant = conn.tenant
        self.warnings = warnings
        self.actor_label = actor_label
        self.now = timezone.now()
        self.changes = []  # StatusChange, once written

    def warn(self, text):
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    # --- per type --------------------------------------------------------------------------

    def jobs(self, rows):
        """Write jobs and link the recruiters and hiring managers Convene knows; returns the
        links to people it does not know yet, [(job pk, "recruiters" or "hiring_managers",
        ATS user id)], for `link_people` once the people are named."""
        jobs = self._upsert(Job, rows, exclude=("recruiter_ids", "hiring_manager_ids"))
        named = {
            uid for row in rows for uid in (*row["recruiter_ids"], *row["hiring_manager_ids"])
        }
        known = dict(
            Interviewer.objects.filter(tenant=self.tenant, ats_user_id__in=named).values_list(
                "ats_user_id", "pk"
            )
        )
        return self._job_people(rows, jobs, known)

    def stages(self, rows, first_position=0):
        jobs = self._map(Job, {row["job_remote_id"] for row in rows} - {None})
        self._upsert(
            Stage,
            [
                {
                    **{k: v for k, v in row.items() if k != "job_remote_id"},
                    "position": first_position + position,
                    "job_id": jobs.get(row["job_remote_id"]),
                }
                for position, row in enumerate(rows)
            ],
        )

    def candidates(self, rows):
        candidates = self._upsert(Candidate, rows, exclude=("zone_guess",))
        guesses = {
            candidates[row["remote_id"]]: row["zone_guess"]
            for row in rows
            if row.get("zone_guess") and row["remote_id"] in candidates
        }
        # Candidates whose zone nobody told Convene get the one their address suggests.
        Candidate.note_guessed_zones(guesses)
        return candidates

    def applications(self, rows, final=frozenset(TYPES)):
        """Write the rows whose candidate (and job) can be found; return those that must
        wait for them (what they point at is in a type not `final`, still being read)."""
        ready, waiting = self._resolve(Application, rows, final)
        out = []
        for row in ready:
            if row["candidate_id"] is None:
                self.warn(
                    f"Application {row['remote_id']} was skipped: its candidate "
                    f"{row['candidate_remote_id'] or '(none)'} is not in the ATS."
                )
                continue
            out.append(
                {k: v for k, v in row.items() if k not in ("candidate_remote_id", "job_remote_id")}
            )
        statuses = {}
        applications = self._upsert(Application, out, statuses=statuses)
        changes = self._follow_status_changes(applications, statuses)
        self.changes.extend(changes)
        self._tell_autopilot(changes)
        return waiting

    def _tell_autopilot(self, changes):
        """Each application that actually moved into another stage is one entry for autopilot
        (`autopilot.stage_entered`). An application new to the mirror counts once the ATS was
        read before (created since, by webhook or sync): the first sync imports what was
        there, it moves nothing."""
        known_before = self.conn.synced_until is not None
        interview_statuses = set(self.tenant.interview_statuses)
        moved = [
            c.application_id
            for c in changes
            if (c.before is not None or known_before) and c.after in interview_statuses
        ]
        if not moved:
            return
        applications = Application.objects.select_related("candidate", "job").in_bulk(moved)
        for pk in moved:
            application = applications[pk]
            application.tenant = self.tenant
            autopilot.stage_entered(application, now=self.now)

    def interviews(self, rows, final=frozenset(TYPES)):
        """Write the rows whose application, candidate and job can be found (or will not
        come); return those that must wait."""
        ready, waiting = self._resolve(RemoteInterview, rows, final)
        self._upsert(
            RemoteInterview,
            [
                {
                    k: v
                    for k, v in row.items()
                    if k not in ("application_remote_id", "candidate_remote_id", "job_remote_id")
                }
                for row in ready
            ],
        )
        return waiting

    def _resolve(self, model, rows, final):
        """Rows with their references as primary keys (None where the record is not in the
        mirror and will not come), and the rows that must wait for theirs."""
        found = {}
        for key, _field in _REFERENCES[model]:
            target, _name = _TARGETS[key]
            found[key] = self._map(target, {row[key] for row in rows} - {None, ""})
        ready, waiting = [], []
        for row in rows:
            if any(
                row[key] and row[key] not in found[key] and _TARGETS[key][1] not in final
                for key, _field in _REFERENCES[model]
            ):
                waiting.append(row)
                continue
            ready.append({**row, **{f: found[key].get(row[key]) for key, f in _REFERENCES[model]}})
        return ready, waiting

    # --- the people ------------------------------------------------------------------------

    def employees(self, employees):
        """Create or name the people the ATS's users are ({user id: HRIS employee's fields,
        or None when the HRIS does not list them: then named by their id}). Name, email and
        title follow the ATS; hours, zone and limits are the admin's."""
        if not employees:
            return
        existing = {
            i.ats_user_id: i
            for i in Interviewer.objects.filter(tenant=self.tenant, ats_user_id__in=employees)
        }
        users_by_email = {
            email.lower(): user_id
            for email, user_id in Membership.objects.filter(tenant=self.tenant).values_list(
                "user__email", "user_id"
            )
            if email
        }
        for user_id, person in employees.items():
            interviewer = existing.get(user_id)
            if person is None:
                if interviewer is None:
                    Interviewer.objects.create(
                        tenant=self.tenant,
                        ats_user_id=user_id,
                        name=f"ATS user {user_id}",
                        timezone=self.tenant.default_timezone,
                    )
                continue
            if interviewer is None and person["email"]:
                # Someone Convene knew by email only (added by hand): now by their id too.
                interviewer = Interviewer.objects.filter(
                    tenant=self.tenant, ats_user_id="", email__iexact=person["email"]
                ).first()
                if interviewer is not None:
                    interviewer.ats_user_id = user_id
            if interviewer is None:
                interviewer = Interviewer(
                    tenant=self.tenant,
                    ats_user_id=user_id,
                    timezone=_zone_or(person["timezone"], self.tenant.default_timezone),
                )
            interviewer.name = _clip(person["name"], 200)
            interviewer.email = _clip(person["email"], 254)
            interviewer.title = _clip(person["title"], 200)
            if interviewer.user_id is None and interviewer.email:
                interviewer.user_id = users_by_email.get(interviewer.email.lower())
            interviewer.save()

    def _job_people(self, rows, jobs, interviewers):
        recruiters = Job.recruiters.through
        managers = Job.hiring_managers.through
        job_pks = [jobs[row["remote_id"]] for row in rows if row["remote_id"] in jobs]
        recruiters.objects.filter(job_id__in=job_pks).delete()
        managers.objects.filter(job_id__in=job_pks).delete()
        links, pending = [], []
        for row in rows:
            job_pk = jobs.get(row["remote_id"])
            if job_pk is None:
                continue
            for role, key in (
                ("recruiters", "recruiter_ids"),
                ("hiring_managers", "hiring_manager_ids"),
            ):
                for user_id in dict.fromkeys(row[key]):
                    if user_id in interviewers:
                        links.append((job_pk, role, interviewers[user_id]))
                    elif user_id:
                        pending.append((job_pk, role, user_id))
        self._link(links)
        return pending

    def link_people(self, pending):
        """Link the jobs' people met before they were known (`jobs`), now that they are."""
        interviewers = dict(
            Interviewer.objects.filter(
                tenant=self.tenant, ats_user_id__in={uid for _j, _r, uid in pending}
            ).values_list("ats_user_id", "pk")
        )
        self._link(
            [(job, role, interviewers[uid]) for job, role, uid in pending if uid in interviewers]
        )

    def _link(self, links):
        for role in ("recruiters", "hiring_managers"):
            through = getattr(Job, role).through
            through.objects.bulk_create(
                [
                    through(job_id=job, interviewer_id=person)
                    for job, r, person in links
                    if r == role
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )

    # --- mechanics -------------------------------------------------------------------------

    def _map(self, model, remote_ids=None):
        """remote id → pk for this connection's rows (all, or those named)."""
        rows = model.objects.filter(connection=self.conn)
        if remote_ids is not None:
            rows = rows.filter(remote_id__in=list(remote_ids))
        return dict(rows.values_list("remote_id", "pk"))

    def _upsert(self, model, rows, exclude=(), statuses=None):
        """Insert or update rows by (connection, remote_id); returns remote id → pk for
        every row named. A row older than the stored one (by Unified's updated_at) is left
        out, but marked as seen: deliveries and pages can arrive out of order, and the older
        must not win. With `statuses` (applications), the stage clock is kept while the
        status stays the same and restarts when it changes; `statuses` collects
        remote id → (stored status or None, new status) of the rows whose status changed."""
        if not rows:
            return {}
        keep_stage_clock = statuses is not None
        # remote id → (remote_updated_at[, status, stage_entered_at]) as stored
        fields = [
            "remote_updated_at",
            *(["status", "stage_entered_at"] if keep_stage_clock else []),
        ]
        remote_ids = [row["remote_id"] for row in rows]
        stored = {}
        for start in range(0, len(remote_ids), BATCH):
            existing = model.objects.filter(
                connection=self.conn, remote_id__in=remote_ids[start : start + BATCH]
            )
            stored.update(
                (remote_id, rest)
                for remote_id, *rest in existing.values_list("remote_id", *fields)
            )
        objects, stale = [], []
        owner = {"tenant": self.tenant.pk, "connection": self.conn.pk}
        for row in rows:
            values = {**owner, **{k: v for k, v in row.items() if k not in exclude}}
            before = stored.get(values["remote_id"])
            if _older(values.get("remote_updated_at"), before and before[0]):
                stale.append(values["remote_id"])
                continue
            if keep_stage_clock:
                if before is None or before[1] != values["status"]:
                    statuses[values["remote_id"]] = (before and before[1], values["status"])
                if before is None:
                    values["stage_entered_at"] = (
                        values.get("remote_updated_at") or values.get("applied_at") or self.now
                    )
                elif before[1] == values["status"] and before[2]:
                    values["stage_entered_at"] = before[2]
                else:
                    values["stage_entered_at"] = self.now
            objects.append(values)
        if objects:
            _bulk_upsert(model, objects, now=timezone.now())
        for start in range(0, len(stale), BATCH):
            # Seen, though older than what a webhook brought: present in the ATS.
            model.objects.filter(
                connection=self.conn, remote_id__in=stale[start : start + BATCH]
            ).update(synced_at=timezone.now(), removed_at=None)
        return self._map(model, remote_ids)

    def _follow_status_changes(self, applications, statuses):
        """An application that left the pipeline (rejected, withdrawn…) in this write closes:
        whether a webhook or a sync brought the news, its links stop and its interviews
        are flagged."""
        changed = []
        for remote_id, (before, after) in statuses.items():
            note = ""
            closes = before is not None and before not in Application.CLOSED_STATUSES
            if closes and after in Application.CLOSED_STATUSES:
                application = Application.objects.select_related("candidate", "tenant").get(
                    pk=applications[remote_id]
                )
                note = application_closed(application, self.actor_label)
            changed.append(StatusChange(applications[remote_id], before, after, note))
        return changed

    def mark_vanished(self, since):
        """After a full sync that began at `since`: the records it did not see (written or
        marked seen before it began) are no longer in the ATS."""
        for model, key in (
            (Job, "jobs"),
            (Stage, "stages"),
            (Candidate, "candidates"),
            (Application, "applications"),
            (RemoteInterview, "interviews"),
        ):
            vanished = model.objects.filter(
                connection=self.conn, removed_at__isnull=True, synced_at__lt=since
            ).update(removed_at=self.now)
            if vanished:
                self.warn(f"{vanished} {key} no longer in the ATS were marked as removed.")


def read_events(client, tenant, interviews, warn):
    """{event id: the event's columns of RemoteInterview} for the calendar events these
    ATS interviews ((event id, start) pairs) point to, when they take place around now and
    are not Convene's own (those are followed by their sessions). Each is read through the
    tenant's calendar connections, company-wide ones first, several at once; an event no
    calendar has gets empty columns. An event that cannot be read now is left out: the
    mirror keeps what it had."""
    now = timezone.now()
    wanted = {
        event_id
        for event_id, start in interviews
        if event_id and start and now - EVENTS_BEFORE <= start <= now + EVENTS_AHEAD
    }
    wanted -= set(
        InterviewSession.objects.filter(interview__tenant=tenant, event_id__in=wanted).values_list(
            "event_id", flat=True
        )
    )
    calendars = list(
        Connection.objects.filter(
            tenant=tenant,
            category=Connection.Category.CALENDAR,
            status=Connection.Status.ACTIVE,
        ).order_by("interviewer_id", "connected_at")  # company-wide (no interviewer) first
    )
    if not wanted or not calendars:
        return {}

    def read(event_id):
        for conn in calendars:
            try:
                return event_columns(client.get_event(conn.unified_id, event_id))
            except NotFoundError:
                continue
        return event_columns(None)

    found = {}
    with concurrent.futures.ThreadPoolExecutor(min(EVENT_THREADS, len(wanted))) as pool:
        futures = {pool.submit(read, event_id): event_id for event_id in sorted(wanted)}
        for future in concurrent.futures.as_completed(futures):
            try:
                found[futures[future]] = future.result()
            except UnifiedError as exc:
                warn(f"The calendar event {futures[future]} could not be read: {exc}")
    return found


def event_columns(event):
    """RemoteInterview's columns for the calendar event an ATS interview points to (None:
    no calendar of the team has it). All-day events say nothing about the hour."""
    if event is None:
        return {
            "event_status": "",
            "event_start_at": None,
            "event_end_at": None,
            "event_attendees": [],
            "event_updated_at": None,
        }
    timed = not event.is_all_day and event.start_at and event.end_at
    organizer = ((event.organizer and event.organizer.email) or "").lower()
    return {
        "event_status": "CANCELED" if event.is_canceled else (event.status or "CONFIRMED")[:20],
        "event_start_at": event.start_at if timed else None,
        "event_end_at": event.end_at if timed else None,
        "event_attendees": [
            {
                "email": (a.email or "").lower(),
                "user_id": a.user_id or "",
                "status": a.status or "",
                "organizer": bool(organizer) and (a.email or "").lower() == organizer,
            }
            for a in event.attendees
        ],
        "event_updated_at": event.updated_at,
    }


def seats_of(interview, by_user_id, by_email):
    """[(interviewer, via)] of one mirrored ATS interview: who sits in it.

    Nobody when it does not take place (canceled, removed, not scheduled, its event
    canceled). The people the ATS names, unless they declined its calendar event; and the
    event's other attendees who are interviewers (by HRIS employee id, else email), except
    those who declined and the organizer (often the recruiter who sent the invitation)."""
    if interview.removed_at or interview.status not in COUNTED_STATUSES:
        return []
    if interview.event_status == "CANCELED":
        return []
    attendees, declined, organizers = [], set(), set()
    for attendee in interview.event_attendees or []:
        person = by_user_id.get(attendee.get("user_id") or "") or by_email.get(
            attendee.get("email") or ""
        )
        if person is None:
            continue
        if attendee.get("status") == "REJECTED":
            declined.add(person.pk)
        elif attendee.get("organizer"):
            organizers.add(person.pk)
        else:
            attendees.append(person)
    seats = {}
    for user_id in interview.user_ids or []:
        person = by_user_id.get(user_id)
        if person is not None and person.pk not in declined:
            seats.setdefault(person.pk, (person, AtsSeat.Via.ATS))
    for person in attendees:
        if person.pk not in declined and person.pk not in organizers:
            seats.setdefault(person.pk, (person, AtsSeat.Via.CALENDAR))
    return list(seats.values())


def write_seats(tenant, interviews):
    """(Re)write the seats (scheduling.models.AtsSeat) of these mirrored ATS interviews:
    who sits in each and when (the event's times when known, else the ATS's)."""
    people = list(Interviewer.objects.filter(tenant=tenant))
    by_user_id = {p.ats_user_id: p for p in people if p.ats_user_id}
    by_email = {}
    for person in sorted(people, key=lambda p: (not p.active, p.created_at)):
        if person.email:
            by_email.setdefault(person.email.lower(), person)
    pks = list(interviews.values_list("pk", flat=True))
    for first in range(0, len(pks), BATCH):
        chunk = pks[first : first + BATCH]
        seats = []
        rows = list(RemoteInterview.objects.filter(pk__in=chunk))
        # Convene's own interviews are in the ATS too: counted as Convene's, not here.
        written, events = load.convene_wrote(
            tenant, [r.remote_id for r in rows], [r.external_event_xref for r in rows]
        )
        for interview in rows:
            if interview.remote_id in written or interview.external_event_xref in events:
                continue
            start = interview.event_start_at or interview.start_at
            end = interview.event_end_at or interview.end_at
            if start is None or end is None or end <= start:
                continue
            seats += [
                AtsSeat(
                    tenant=tenant,
                    remote_interview=interview,
                    interviewer=person,
                    start_at=start,
                    end_at=end,
                    via=via,
                    ats_interview_id=interview.remote_id,
                    event_id=interview.external_event_xref,
                )
                for person, via in seats_of(interview, by_user_id, by_email)
            ]
        AtsSeat.objects.filter(remote_interview_id__in=chunk).delete()
        AtsSeat.objects.bulk_create(seats, batch_size=BATCH)


def application_closed(application, actor_label):
    """Rejected, withdrawn, declined or hired: open booking links stop working at once; the
    upcoming interviews are flagged for the recruiter to cancel (they confirm: a candidate
    rejected by mistake in the ATS keeps their interview until someone decides)."""
    with transaction.atomic():
        revoked = 0
        for link in BookingLink.objects.filter(
            application=application, state=BookingLink.State.OPEN
        ):
            links.revoke(link, why=f"the application is {application.status.lower()} in the ATS")
            revoked += 1
        upcoming = Interview.objects.active().filter(
            application=application, end_at__gt=timezone.now()
        )
        flag = (
            f"The application was moved to {application.stage_label} in the ATS. "
            "Cancel this interview?"
        )
        flagged = 0
        # Row by row: each interview keeps the other matters flagged on it (a decline, …).
        for interview in upcoming.select_for_update():
            interview.raise_flag(Flag.Kind.APPLICATION_CLOSED, flag)
            flagged += 1
        message = (
            f"{application.candidate}'s application is now {application.stage_label} in the "
            f"ATS: revoked {revoked} open booking link(s) and flagged {flagged} upcoming "
            "interview(s) for the recruiter to confirm their cancellation."
        )
        audit(
            application.tenant,
            "application.closed",
            message,
            actor_label=actor_label,
            obj=application,
        )
    return message


def _older(updated, stored):
    """Whether a record last updated at `updated` is older than the stored copy (unknown
    times are never older: a record without one is taken as it comes)."""
    return updated is not None and stored is not None and updated < stored


def _bulk_upsert(model, rows, *, now):
    """Insert rows of a mirrored model, or update the stored row of the same (connection,
    remote id): the fields given, `synced_at` and `removed_at` (cleared); a new row takes
    the model's defaults for the others. Each row is a dict of field names to values, all
    rows naming the same fields. One statement prepared once and run for every row
    (`executemany`): a large ATS's first sync writes hundreds of thousands of rows, and a
    model instance per row and a statement per batch cost more than the database's work."""
    meta = model._meta
    names = list(rows[0])
    given = [meta.get_field(name) for name in names]
    stamps = [meta.get_field("synced_at"), meta.get_field("removed_at")]
    named = {field.attname for field in given + stamps}
    pk = meta.pk
    defaults = [
        field
        for field in meta.concrete_fields
        if field.attname not in named and not (field is pk and not pk.has_default())
    ]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [field.column for field in given + stamps + defaults]
    updated = [field.column for field in given + stamps if field.column not in _KEPT]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote('connection_id')}, {quote('remote_id')}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated)
    )
    prepare = [functools.partial(field.get_db_prep_save, connection=connection) for field in given]
    fixed = [stamps[0].get_db_prep_save(now, connection), None]
    fixed_defaults = [
        None if field is pk else field.get_db_prep_save(field.get_default(), connection)
        for field in defaults
    ]
    params = []
    for row in rows:
        values = [prep(row[name]) for prep, name in zip(prepare, names, strict=True)]
        extra = [
            pk.get_db_prep_save(pk.get_default(), connection) if field is pk else value
            for field, value in zip(defaults, fixed_defaults, strict=True)
        ]
        params.append([*values, *fixed, *extra])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# Columns an upsert never changes on a stored row.
_KEPT = {"id", "tenant_id", "connection_id", "remote_id"}


def _zone_or(name, default):
    return zones.name_or(name, default)


# --- single records (webhooks, reconcile) ------------------------------------------------------


def upsert_records(
    conn,
    *,
    candidates=(),
    jobs=(),
    applications=(),
    interviews=(),
    client=None,
    actor_label=SYNC,
):
    """Upsert single records Unified sent (a webhook) or returned, now, and return the
    applications' StatusChanges. An application whose candidate Convene does not know yet
    brings its candidate along; an ATS interview brings its calendar event's state."""
    client = client or unified()
    warnings = []
    rows = _Rows(warnings.append)
    candidate_rows = [rows.candidate(c) for c in candidates if c.id]
    known = set(
        Candidate.objects.filter(
            connection=conn, remote_id__in=[a.candidate_id for a in applications]
        ).values_list("remote_id", flat=True)
    ) | {c["remote_id"] for c in candidate_rows}
    for candidate_id in {a.candidate_id for a in applications if a.candidate_id} - known:
        candidate_rows.append(rows.candidate(client.get_candidate(conn.unified_id, candidate_id)))
    interview_rows = [rows.interview(i) for i in interviews if i.id]
    events = read_events(
        client,
        conn.tenant,
        [
            (row["external_event_xref"], row["start_at"])
            for row in interview_rows
            if row["status"] in COUNTED_STATUSES
        ],
        warnings.append,
    )
    writer = _Writer(conn, warnings, actor_label)
    with transaction.atomic():
        writer.jobs([rows.job(j) for j in jobs if j.id])
        writer.candidates(candidate_rows)
        writer.applications([rows.application(a) for a in applications if a.id])
        # Rows with their event read now, and rows whose event columns stay as they were.
        with_event = [row for row in interview_rows if row["external_event_xref"] in events]
        writer.interviews([{**row, **events[row["external_event_xref"]]} for row in with_event])
        writer.interviews([row for row in interview_rows if row not in with_event])
        if interview_rows:
            write_seats(
                conn.tenant,
                RemoteInterview.objects.filter(
                    connection=conn, remote_id__in=[row["remote_id"] for row in interview_rows]
                ),
            )
    return writer.changes


def follow_events(conn, events, kind):
    """Calendar events that ATS interviews of the tenant point to changed (a webhook): the
    mirror's copy of each and its seats follow. A deletion counts once Unified confirms it
    (the event name is not signed, docs/unified.md §9)."""
    by_id = {e.id: e for e in events if e.id}
    interviews = list(
        RemoteInterview.objects.filter(tenant=conn.tenant, external_event_xref__in=list(by_id))
    )
    changed = []
    for interview in interviews:
        event = by_id[interview.external_event_xref]
        if kind == "deleted":
            try:
                event = unified().get_event(conn.unified_id, event.id)
            except NotFoundError:
                event = dataclasses.replace(event, status="CANCELED")
            except UnifiedError as exc:
                note_failure(conn, exc)
                continue
        if _older(event.updated_at, interview.event_updated_at):
            continue
        for field, value in event_columns(event).items():
            setattr(interview, field, value)
        interview.save(update_fields=[*event_columns(None), "synced_at"])
        changed.append(interview.pk)
    if not changed:
        return []
    write_seats(conn.tenant, RemoteInterview.objects.filter(pk__in=changed))
    return [f"Updated the calendar event of {len(changed)} ATS interview(s) in the mirror."]


def follow_interviews(conn, interviews, kind):
    """ATS interviews changed (a webhook or the reconcile): the mirror and its seats follow
    at once rather than at the next sync. A deletion counts once Unified confirms it."""
    records = [i for i in interviews if i.id]
    if kind == "deleted":
        gone, kept = [], []
        for record in records:
            try:
                kept.append(unified().get_interview(conn.unified_id, record.id))
            except NotFoundError:
                gone.append(record.id)
            except UnifiedError as exc:
                note_failure(conn, exc)
        removed = RemoteInterview.objects.filter(connection=conn, remote_id__in=gone)
        removed.update(removed_at=timezone.now())
        write_seats(conn.tenant, removed)
        records = kept
    if records:
        upsert_records(conn, interviews=records)
    if not records and kind != "deleted":
        return []
    return [f"Updated {len(records)} ATS interview(s) in the mirror."]


def on_connection_connected(sender, connection, user=None, **kwargs):
    """A newly authorized ATS connection gets its first (full) sync at once. A new calendar
    connection gets the team's ATS synced in full too: the events the ATS interviews point
    to can be read now, and who sits in them counts at once."""
    if connection.category == Connection.Category.ATS:
        start_sync(connection, kind=SyncRun.Kind.FULL, requested_by=user)
    elif connection.category == Connection.Category.CALENDAR:
        for ats in Connection.objects.filter(
            tenant=connection.tenant,
            category=Connection.Category.ATS,
            status=Connection.Status.ACTIVE,
        ):
            start_sync(ats, kind=SyncRun.Kind.FULL, requested_by=user)


def ats_connections():
    """The active ATS connections: one periodic sync turn each."""
    return Connection.objects.filter(
        category=Connection.Category.ATS, status=Connection.Status.ACTIVE
    ).order_by("connected_at")


# A connection synced this recently skips its periodic turn (its first sync just ended).
SYNCED_LATELY = dt.timedelta(minutes=2)


def sync_turn(conn):
    """The periodic job, per ATS connection: queue its sync (incremental, or full once a
    day), or continue the one that failed."""
    if conn.synced_until and timezone.now() - conn.synced_until < SYNCED_LATELY:
        return None
    run = start_sync(conn)
    return f"{run.get_kind_display().lower()} sync {run.get_status_display().lower()}"


def sync_all():
    """Queue a sync of every active ATS connection."""
    runs = [start_sync(conn) for conn in ats_connections()]
    return f"{len(runs)} ATS connections queued" if runs else None
