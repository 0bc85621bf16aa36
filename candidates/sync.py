"""Mirror an ATS connection: jobs, stages, candidates, applications, interviews, and the
people behind them (interviewers).

A sync has two phases. It first pages through Unified, keeping compact rows and reporting
progress on its SyncRun; if any call fails for good, the run fails and the mirror is left
exactly as it was. Only then does it write everything in one transaction. The first sync
(and one a day after) is full: it also marks records that vanished from the ATS. The others
ask only for what changed since the last successful sync started (`updated_gte`).
"""

import concurrent.futures
import dataclasses
import datetime as dt
import functools
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from scheduling import load
from scheduling.connections import link_interviewers_to_calendars
from scheduling.gateway import note_failure, unified
from scheduling.lib import zones
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
from scheduling.unified.errors import NotFoundError, NotSupportedError, UnifiedError
from scheduling.unified.records import APPLICATION_STATUSES

from . import links
from .models import Application, BookingLink, Candidate, Job, RemoteInterview, Stage, SyncRun

logger = logging.getLogger(__name__)

# Unified's clock and ours may disagree a little; asking for a few minutes more is harmless
# because writes are upserts.
OVERLAP = dt.timedelta(minutes=5)
FULL_SYNC_EVERY = dt.timedelta(hours=24)
# A run that has been "running" this long was cut off (worker killed): it no longer blocks.
STALE_AFTER = dt.timedelta(minutes=30)
PROGRESS_EVERY = 100
MAX_WARNINGS = 50
BATCH = 500
SYNC = "ATS sync"
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


def start_sync(conn, *, kind=None, requested_by=None):
    """Queue a sync of `conn`, or return the one already queued or running."""
    now = timezone.now()
    with transaction.atomic():
        SyncRun.objects.filter(
            connection=conn, status=SyncRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
        ).update(
            status=SyncRun.Status.FAILED,
            finished_at=now,
            error="The sync was interrupted (the worker stopped) and did not finish.",
        )
        current = SyncRun.objects.filter(
            connection=conn, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING]
        ).first()
        if current:
            return current
        if kind is None:
            kind = SyncRun.Kind.FULL if needs_full_sync(conn, now) else SyncRun.Kind.INCREMENTAL
        run = SyncRun.objects.create(
            tenant=conn.tenant, connection=conn, kind=kind, requested_by=requested_by
        )
        transaction.on_commit(functools.partial(sync_connection.enqueue, str(run.pk)))
    return run


@task
def sync_connection(run_id):
    run_sync(run_id)


# --- running --------------------------------------------------------------------------------


def run_sync(run_id, client=None):
    """Perform a queued run. Safe to call twice: only the caller that claims it runs it."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=now
    )
    run = SyncRun.objects.select_related("connection", "tenant").get(pk=run_id)
    if not claimed:
        return run
    conn = run.connection
    if conn.category != Connection.Category.ATS or not conn.is_active:
        return _finish(run, error=f"The connection is {conn.get_status_display().lower()}.")

    full = run.kind == SyncRun.Kind.FULL or conn.synced_until is None
    since = None if full else conn.synced_until - OVERLAP
    fetcher = _Fetcher(run, client or unified(), conn, since)
    try:
        fetched = fetcher.fetch()
    except UnifiedError as exc:
        note_failure(conn, exc)
        return _finish(run, error=f"Unified refused or failed: {exc}", warnings=fetcher.warnings)

    try:
        with transaction.atomic():
            counts = _Writer(run, conn, fetched, full, fetcher.warnings).write()
            Connection.objects.filter(pk=conn.pk).update(
                synced_until=run.started_at,
                last_success_at=timezone.now(),
                **({"last_full_sync_at": run.started_at} if full else {}),
            )
    except Exception as exc:
        logger.exception("Writing the mirror of %s failed", conn.unified_id)
        return _finish(run, error=f"Saving the records failed: {exc}", warnings=fetcher.warnings)
    for calendar_conn in Connection.objects.filter(
        tenant=conn.tenant,
        category=Connection.Category.CALENDAR,
        status=Connection.Status.ACTIVE,
        interviewer__isnull=True,
    ):
        link_interviewers_to_calendars(calendar_conn)
    return _finish(run, counts=counts, warnings=fetcher.warnings)


def _finish(run, *, error="", counts=None, warnings=()):
    run.status = SyncRun.Status.FAILED if error else SyncRun.Status.SUCCEEDED
    run.error = error
    run.finished_at = timezone.now()
    run.counts = counts or {}
    run.warnings = list(warnings)[:MAX_WARNINGS]
    run.current_object = ""
    run.save(
        update_fields=["status", "error", "finished_at", "counts", "warnings", "current_object"]
    )
    return run


def _clip(value, length):
    return (value or "")[:length]


class _Fetcher:
    """Pages through Unified and keeps compact rows, reporting progress as it goes."""

    def __init__(self, run, client, conn, since):
        self.run = run  # None when upserting single records: no progress to report
        self.client = client
        self.tenant = conn.tenant
        self.cid = conn.unified_id
        self.since = since
        self.seen = 0
        self.warnings = []

    def warn(self, text):
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def _progress(self, label, force=False):
        if self.run and (force or self.seen % PROGRESS_EVERY == 0):
            SyncRun.objects.filter(pk=self.run.pk).update(
                records_so_far=self.seen, current_object=label
            )

    def _each(self, label, records):
        self._progress(label, force=True)
        for record in records:
            self.seen += 1
            self._progress(label)
            if not record.id:
                self.warn(f"A {label[:-1]} without an id was skipped.")
                continue
            yield record

    def fetch(self):
        since = {"updated_gte": self.since} if self.since else {}
        out = {
            "stages": [self._stage(s) for s in self._each("stages", self._stages())],
            "jobs": [
                self._job(j) for j in self._each("jobs", self.client.list_jobs(self.cid, **since))
            ],
            "candidates": [
                self._candidate(c)
                for c in self._each("candidates", self.client.list_candidates(self.cid, **since))
            ],
            "applications": [
                self._application(a)
                for a in self._each(
                    "applications", self.client.list_applications(self.cid, **since)
                )
            ],
            "interviews": [
                self._interview(i)
                for i in self._each("interviews", self.client.list_interviews(self.cid, **since))
            ],
        }
        out["events"] = self.events(out["interviews"])
        out["employees"] = self._employees(out)
        self._progress("saving", force=True)
        return out

    def events(self, interviews):
        """{event id: the event's columns of RemoteInterview} for the calendar events these
        ATS interviews point to, when they take place around now and are not Convene's own
        (those are followed by their sessions). Each is read through the tenant's calendar
        connections, company-wide ones first; an event no calendar has gets empty columns.
        An event that cannot be read now is left out: the mirror keeps what it had."""
        now = timezone.now()
        wanted = {
            i["external_event_xref"]
            for i in interviews
            if i["external_event_xref"]
            and i["status"] in COUNTED_STATUSES
            and i["start_at"]
            and now - EVENTS_BEFORE <= i["start_at"] <= now + EVENTS_AHEAD
        }
        wanted -= set(
            InterviewSession.objects.filter(
                interview__tenant=self.tenant, event_id__in=wanted
            ).values_list("event_id", flat=True)
        )
        calendars = list(
            Connection.objects.filter(
                tenant=self.tenant,
                category=Connection.Category.CALENDAR,
                status=Connection.Status.ACTIVE,
            ).order_by("interviewer_id", "connected_at")  # company-wide (no interviewer) first
        )
        if not wanted or not calendars:
            return {}

        def read(event_id):
            for conn in calendars:
                try:
                    return event_columns(self.client.get_event(conn.unified_id, event_id))
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
                    self.warn(f"The calendar event {futures[future]} could not be read: {exc}")
        return found

    def _stages(self):
        # Stages are few and have no updated_at worth trusting: always the whole list.
        try:
            return list(self.client.list_stages(self.cid))
        except NotSupportedError:
            self.warn("This ATS does not list its pipeline stages; stages come from applications.")
            return []

    def _employees(self, out):
        """The people behind the jobs' recruiters and hiring managers and the interviews'
        interviewers (HRIS employees on the same connection)."""
        wanted = set()
        for job in out["jobs"]:
            wanted.update(job["recruiter_ids"], job["hiring_manager_ids"])
        for interview in out["interviews"]:
            wanted.update(interview["user_ids"])
        referenced = set(wanted)
        # The people on the interviews' calendar events sit in them too (not the organizer).
        emails = set()
        for event in out.get("events", {}).values():
            for attendee in event["event_attendees"]:
                if attendee["status"] != "REJECTED" and not attendee["organizer"]:
                    wanted.add(attendee["user_id"])
                    emails.add(attendee["email"])
        wanted.discard("")
        emails.discard("")
        known = set(
            Interviewer.objects.filter(tenant=self.tenant, ats_user_id__in=wanted)
            .exclude(email="")
            .values_list("ats_user_id", flat=True)
        )
        known_emails = {
            e.lower()
            for e in Interviewer.objects.filter(tenant=self.tenant)
            .exclude(ats_user_id="")
            .values_list("email", flat=True)
        }
        if self.since is not None and wanted <= known and emails <= known_emails:
            return {}
        employees = {}
        try:
            for employee in self._each("employees", self.client.list_employees(self.cid)):
                if employee.id in wanted or emails & {e.lower() for e in employee.emails}:
                    employees[employee.id] = {
                        "name": employee.display_name,
                        "email": employee.emails[0] if employee.emails else "",
                        "title": employee.title or "",
                        "timezone": employee.timezone or "",
                    }
        except NotSupportedError:
            self.warn("This ATS does not share its users; interviewers are named by their id.")
        for user_id in referenced - set(employees) - {""}:
            employees[user_id] = None  # referenced, but unknown to the HRIS list
        return employees

    def _stage(self, s):
        return {
            "remote_id": s.id,
            "status": _clip(s.status, 32),
            "original_status": _clip(s.original_status or s.status, 200),
            "description": s.description or "",
            "job_remote_id": s.job_id,
        }

    def _job(self, j):
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

    def _candidate(self, c):
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

    def _application(self, a):
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

    def _interview(self, i):
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
    return zones.guess(
        city=address.city or "",
        region=address.region_code or address.region or "",
        country=address.country or "",
        country_code=address.country_code or "",
    )


class _Writer:
    """Writes fetched rows into the mirror (inside the caller's transaction)."""

    def __init__(self, run, conn, fetched, full, warnings, actor_label=SYNC):
        self.run = run
        self.conn = conn
        self.tenant = conn.tenant
        self.fetched = fetched
        self.full = full
        self.warnings = warnings
        self.actor_label = actor_label
        self.now = timezone.now()
        self.statuses = {}  # application remote id → (stored status or None, new status)
        self.changes = []  # StatusChange, once written

    def warn(self, text):
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def write(self):
        interviewers = self._interviewers(self.fetched["employees"])
        jobs = self._upsert(
            Job, self.fetched["jobs"], exclude=("recruiter_ids", "hiring_manager_ids")
        )
        self._job_people(jobs, interviewers)
        stages = [
            {
                **{k: v for k, v in row.items() if k != "job_remote_id"},
                "position": position,
                "job_id": jobs.get(row["job_remote_id"]),
            }
            for position, row in enumerate(self.fetched["stages"])
        ]
        self._upsert(Stage, stages)
        candidates = self._upsert(Candidate, self.fetched["candidates"], exclude=("zone_guess",))
        self._guess_zones(candidates)
        applications = self._upsert(
            Application, self._application_rows(candidates, jobs), keep_stage_clock=True
        )
        self.changes = self._follow_status_changes(applications)
        # Rows with their event read now, and rows whose event columns stay as they were.
        rows = self._interview_rows(applications)
        events = self.fetched.get("events", {})
        interviews = {
            **self._upsert(
                RemoteInterview,
                [
                    {**row, **events[row["external_event_xref"]]}
                    for row in rows
                    if row["external_event_xref"] in events
                ],
            ),
            **self._upsert(
                RemoteInterview, [row for row in rows if row["external_event_xref"] not in events]
            ),
        }
        if self.full:
            self._mark_vanished()
            write_seats(self.tenant, RemoteInterview.objects.filter(connection=self.conn))
        else:
            write_seats(self.tenant, RemoteInterview.objects.filter(pk__in=interviews.values()))
        return {
            "jobs": len(self.fetched["jobs"]),
            "stages": len(self.fetched["stages"]),
            "candidates": len(self.fetched["candidates"]),
            "applications": len(self.fetched["applications"]),
            "interviews": len(self.fetched["interviews"]),
            "interviewers": len(interviewers),
        }

    def _map(self, model, remote_ids=None):
        """remote id → pk for this connection's rows (all, or those named)."""
        rows = model.objects.filter(connection=self.conn)
        if remote_ids is not None:
            rows = rows.filter(remote_id__in=list(remote_ids))
        return dict(rows.values_list("remote_id", "pk"))

    def _upsert(self, model, rows, exclude=(), keep_stage_clock=False):
        """Insert or update rows by (connection, remote_id); returns remote id → pk for
        every row named. A row older than the stored one (by Unified's updated_at) is left
        out: deliveries and pages can arrive out of order, and the older must not win.
        `keep_stage_clock` keeps an application's stage_entered_at while its status stays
        the same and restarts it when the status changes."""
        if not rows:
            return {}
        # remote id → (remote_updated_at[, status, stage_entered_at]) as stored
        fields = [
            "remote_updated_at",
            *(["status", "stage_entered_at"] if keep_stage_clock else []),
        ]
        existing = model.objects.filter(connection=self.conn)
        if len(rows) <= BATCH:
            existing = existing.filter(remote_id__in=[row["remote_id"] for row in rows])
        stored = {
            remote_id: rest for remote_id, *rest in existing.values_list("remote_id", *fields)
        }
        objects = []
        for row in rows:
            values = {k: v for k, v in row.items() if k not in exclude}
            before = stored.get(values["remote_id"])
            if _older(values.get("remote_updated_at"), before and before[0]):
                continue
            if keep_stage_clock:
                if before is None or before[1] != values["status"]:
                    self.statuses[values["remote_id"]] = (before and before[1], values["status"])
                if before is None:
                    values["stage_entered_at"] = (
                        values.get("remote_updated_at") or values.get("applied_at") or self.now
                    )
                elif before[1] == values["status"] and before[2]:
                    values["stage_entered_at"] = before[2]
                else:
                    values["stage_entered_at"] = self.now
            objects.append(
                model(tenant=self.tenant, connection=self.conn, removed_at=None, **values)
            )
        written = {k for k in rows[0] if k not in exclude} - {"remote_id"}
        if keep_stage_clock:
            written.add("stage_entered_at")
        update_fields = [model._meta.get_field(k).name for k in sorted(written)]
        for start in range(0, len(objects), BATCH):
            model.objects.bulk_create(
                objects[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["connection", "remote_id"],
                update_fields=[*update_fields, "removed_at", "synced_at"],
            )
        return self._map(model, [row["remote_id"] for row in rows])

    def _guess_zones(self, candidates):
        """Candidates whose zone nobody told Convene get the one their address suggests."""
        guesses = {
            candidates[row["remote_id"]]: row["zone_guess"]
            for row in self.fetched["candidates"]
            if row.get("zone_guess") and row["remote_id"] in candidates
        }
        Candidate.note_guessed_zones(guesses)

    def _follow_status_changes(self, applications):
        """An application that left the pipeline (rejected, withdrawn…) in this write closes:
        whether a webhook or a sync brought the news, its links stop and its interviews
        are flagged."""
        changed = []
        for remote_id, (before, after) in self.statuses.items():
            note = ""
            closes = before is not None and before not in Application.CLOSED_STATUSES
            if closes and after in Application.CLOSED_STATUSES:
                application = Application.objects.select_related("candidate", "tenant").get(
                    pk=applications[remote_id]
                )
                note = application_closed(application, self.actor_label)
            changed.append(StatusChange(applications[remote_id], before, after, note))
        return changed

    def _interviewers(self, employees):
        """remote user id → Interviewer pk; creates the people the ATS names."""
        if not employees:
            return dict(
                Interviewer.objects.filter(tenant=self.tenant)
                .exclude(ats_user_id="")
                .values_list("ats_user_id", "pk")
            )
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
            # Name, email and title follow the ATS; hours, zone and limits are the admin's.
            interviewer.name = _clip(person["name"], 200)
            interviewer.email = _clip(person["email"], 254)
            interviewer.title = _clip(person["title"], 200)
            if interviewer.user_id is None and interviewer.email:
                interviewer.user_id = users_by_email.get(interviewer.email.lower())
            interviewer.save()
        return dict(
            Interviewer.objects.filter(tenant=self.tenant)
            .exclude(ats_user_id="")
            .values_list("ats_user_id", "pk")
        )

    def _job_people(self, jobs, interviewers):
        recruiters = Job.recruiters.through
        managers = Job.hiring_managers.through
        job_pks = [jobs[row["remote_id"]] for row in self.fetched["jobs"]]
        recruiters.objects.filter(job_id__in=job_pks).delete()
        managers.objects.filter(job_id__in=job_pks).delete()
        recruiter_links, manager_links = [], []
        for row in self.fetched["jobs"]:
            job_pk = jobs[row["remote_id"]]
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

    def _application_rows(self, candidates, jobs):
        missing_candidates = {
            row["candidate_remote_id"]
            for row in self.fetched["applications"]
            if row["candidate_remote_id"] and row["candidate_remote_id"] not in candidates
        }
        candidates = {**candidates, **self._map(Candidate, missing_candidates)}
        missing_jobs = {
            row["job_remote_id"]
            for row in self.fetched["applications"]
            if row["job_remote_id"] and row["job_remote_id"] not in jobs
        }
        jobs = {**jobs, **self._map(Job, missing_jobs)}
        rows = []
        for row in self.fetched["applications"]:
            candidate_pk = candidates.get(row["candidate_remote_id"])
            if candidate_pk is None:
                self.warn(
                    f"Application {row['remote_id']} was skipped: its candidate "
                    f"{row['candidate_remote_id'] or '(none)'} is not in the ATS."
                )
                continue
            values = {
                k: v for k, v in row.items() if k not in ("candidate_remote_id", "job_remote_id")
            }
            rows.append(
                {**values, "candidate_id": candidate_pk, "job_id": jobs.get(row["job_remote_id"])}
            )
        return rows

    def _interview_rows(self, applications):
        wanted = {r["application_remote_id"] for r in self.fetched["interviews"]} - set(
            applications
        )
        applications = {**applications, **self._map(Application, wanted - {None})}
        candidates = self._map(
            Candidate, {r["candidate_remote_id"] for r in self.fetched["interviews"]} - {None}
        )
        jobs = self._map(Job, {r["job_remote_id"] for r in self.fetched["interviews"]} - {None})
        rows = []
        for row in self.fetched["interviews"]:
            values = {
                k: v
                for k, v in row.items()
                if k not in ("application_remote_id", "candidate_remote_id", "job_remote_id")
            }
            rows.append(
                {
                    **values,
                    "application_id": applications.get(row["application_remote_id"]),
                    "candidate_id": candidates.get(row["candidate_remote_id"]),
                    "job_id": jobs.get(row["job_remote_id"]),
                }
            )
        return rows

    def _mark_vanished(self):
        for model, key in (
            (Job, "jobs"),
            (Stage, "stages"),
            (Candidate, "candidates"),
            (Application, "applications"),
            (RemoteInterview, "interviews"),
        ):
            present = {row["remote_id"] for row in self.fetched[key]}
            vanished = [
                pk
                for remote_id, pk in model.objects.filter(
                    connection=self.conn, removed_at__isnull=True
                ).values_list("remote_id", "pk")
                if remote_id not in present
            ]
            for start in range(0, len(vanished), BATCH):
                model.objects.filter(pk__in=vanished[start : start + BATCH]).update(
                    removed_at=self.now
                )
            if vanished:
                self.warn(f"{len(vanished)} {key} no longer in the ATS were marked as removed.")


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
    fetcher = _Fetcher(None, client, conn, None)
    fetched = {
        "jobs": [fetcher._job(j) for j in jobs if j.id],
        "stages": [],
        "candidates": [fetcher._candidate(c) for c in candidates if c.id],
        "applications": [fetcher._application(a) for a in applications if a.id],
        "interviews": [fetcher._interview(i) for i in interviews if i.id],
        "employees": {},
    }
    fetched["events"] = fetcher.events(fetched["interviews"])
    known = set(
        Candidate.objects.filter(
            connection=conn, remote_id__in=[a.candidate_id for a in applications]
        ).values_list("remote_id", flat=True)
    ) | {c["remote_id"] for c in fetched["candidates"]}
    for candidate_id in {a.candidate_id for a in applications if a.candidate_id} - known:
        fetched["candidates"].append(
            fetcher._candidate(client.get_candidate(conn.unified_id, candidate_id))
        )
    writer = _Writer(None, conn, fetched, False, fetcher.warnings, actor_label)
    with transaction.atomic():
        writer.write()
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


def sync_all():
    """Queue a sync (incremental, or full once a day) of every active ATS connection."""
    runs = [
        start_sync(conn)
        for conn in Connection.objects.filter(
            category=Connection.Category.ATS, status=Connection.Status.ACTIVE
        )
    ]
    return f"{len(runs)} ATS connections queued" if runs else None
