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

import dataclasses
import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.tasks import task
from django.utils import timezone

from scheduling.connections import link_interviewers_to_calendars
from scheduling.gateway import note_failure, unified
from scheduling.lib import zones
from scheduling.models import Connection, Flag, Interview, Interviewer, Membership, audit
from scheduling.unified.client import Page
from scheduling.unified.errors import NotSupportedError, UnifiedError
from scheduling.unified.paging import ParallelPages
from scheduling.unified.records import APPLICATION_STATUSES

from . import links
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
# Rows of a type that may wait for what they point at before its list is held back.
MAX_WAITING = 500


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
            fields = {
                "kind": failed.kind,
                "resumed_from": failed,
                "begun_at": failed.begun_at,
                "updated_since": failed.updated_since,
                "cursor": failed.cursor,
                "counts": _resumed_counts(failed.cursor),
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
            if run.updated_since is None:
                _Writer(conn, sync.warnings).mark_vanished(run.begun_at)
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
        self._employees()

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
            self.writer.jobs(rows)
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

    def _employees(self):
        """The people behind the jobs' recruiters and hiring managers and the interviews'
        interviewers (HRIS employees on the same connection): met by their ATS user ids,
        named here; one the HRIS does not list stays named by its id."""
        wanted = set(self.user_ids)
        if self.run.updated_since is None or self.run.resumed_from_id:
            # A full sync names everyone it can, those a failed attempt met included (a
            # resumed run does not read again the jobs that failed attempt read).
            wanted.update(
                Interviewer.objects.filter(
                    tenant=self.conn.tenant, email="", name__startswith="ATS user "
                )
                .exclude(ats_user_id="")
                .values_list("ats_user_id", flat=True)
            )
        known = set(
            Interviewer.objects.filter(tenant=self.conn.tenant, ats_user_id__in=wanted)
            .exclude(email="")
            .values_list("ats_user_id", flat=True)
        )
        if self.run.updated_since is not None and wanted <= known:
            return
        employees = {}
        try:
            pages = ParallelPages(
                {"employees": self.client.list_employees(self.conn.unified_id)},
                limit=settings.UNIFIED_SYNC_CONCURRENCY,
            )
            for _name, page in pages:
                for employee in page.records if page else ():
                    if employee.id in wanted:
                        employees[employee.id] = {
                            "name": employee.display_name,
                            "email": employee.emails[0] if employee.emails else "",
                            "title": employee.title or "",
                            "timezone": employee.timezone or "",
                        }
        except NotSupportedError:
            self.warn("This ATS does not share its users; interviewers are named by their id.")
        with transaction.atomic():
            self.writer.employees(employees)
            self.writer.people(wanted - set(employees))


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
        if not c.emails:
            self.warn(f"Candidate {c.display_name} ({c.id}) has no email address.")
        return {
            "remote_id": c.id,
            "name": _clip(c.display_name, 300),
            "first_name": _clip(c.first_name, 150),
            "last_name": _clip(c.last_name, 150),
            "email": _clip(c.emails[0] if c.emails else "", 254),
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
        jobs = self._upsert(Job, rows, exclude=("recruiter_ids", "hiring_manager_ids"))
        interviewers = self.people(
            {uid for row in rows for uid in (*row["recruiter_ids"], *row["hiring_manager_ids"])}
        )
        self._job_people(rows, jobs, interviewers)
        return jobs

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
        self.changes.extend(self._follow_status_changes(applications, statuses))
        return waiting

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

    def people(self, user_ids):
        """ATS user id → Interviewer pk for `user_ids`, creating the people Convene does not
        know yet, named by their id until `employees` names them."""
        user_ids = {uid for uid in user_ids if uid}
        known = dict(
            Interviewer.objects.filter(tenant=self.tenant, ats_user_id__in=user_ids).values_list(
                "ats_user_id", "pk"
            )
        )
        for user_id in sorted(user_ids - set(known)):
            known[user_id] = Interviewer.objects.create(
                tenant=self.tenant,
                ats_user_id=user_id,
                name=f"ATS user {user_id}",
                timezone=self.tenant.default_timezone,
            ).pk
        return known

    def employees(self, employees):
        """Name the people the ATS's users are ({user id: HRIS employee's fields}). A person
        Convene had only met by their id takes the HRIS's zone too; otherwise hours, zone
        and limits are the admin's, and name, email and title follow the ATS."""
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
            if interviewer is None:
                interviewer = Interviewer(
                    tenant=self.tenant,
                    ats_user_id=user_id,
                    timezone=_zone_or(person["timezone"], self.tenant.default_timezone),
                )
            elif not interviewer.email and interviewer.name == f"ATS user {user_id}":
                interviewer.timezone = _zone_or(person["timezone"], interviewer.timezone)
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
        recruiter_links, manager_links = [], []
        for row in rows:
            job_pk = jobs.get(row["remote_id"])
            if job_pk is None:
                continue
            for user_id in dict.fromkeys(row["recruiter_ids"]):
                if user_id in interviewers:
                    recruiter_links.append(
                        recruiters(job_id=job_pk, interviewer_id=interviewers[user_id])
                    )
            for user_id in dict.fromkeys(row["hiring_manager_ids"]):
                if user_id in interviewers:
                    manager_links.append(
                        managers(job_id=job_pk, interviewer_id=interviewers[user_id])
                    )
        recruiters.objects.bulk_create(recruiter_links, batch_size=BATCH)
        managers.objects.bulk_create(manager_links, batch_size=BATCH)

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
    conn, *, candidates=(), jobs=(), applications=(), client=None, actor_label=SYNC
):
    """Upsert single records Unified sent (a webhook) or returned, now, and return the
    applications' StatusChanges. An application whose candidate Convene does not know yet
    brings its candidate along."""
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
    writer = _Writer(conn, warnings, actor_label)
    with transaction.atomic():
        writer.jobs([rows.job(j) for j in jobs if j.id])
        writer.candidates(candidate_rows)
        writer.applications([rows.application(a) for a in applications if a.id])
    return writer.changes


def on_connection_connected(sender, connection, user=None, **kwargs):
    """A newly authorized ATS connection gets its first (full) sync at once."""
    if connection.category == Connection.Category.ATS:
        start_sync(connection, kind=SyncRun.Kind.FULL, requested_by=user)


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
