"""The outbox: performing, retrying and showing the writes a booking owes Unified.

Booking, rescheduling and cancelling write Operation rows in their own transaction; this
module performs them afterwards, in tasks. Every kind is idempotent:

* an operation is claimed with a conditional update, so two workers never run it together,
  and one that is done is never performed again;
* a create whose answer was lost (timeout, 5xx) first looks for what it may have created —
  the event carries the session's ref in its notes, the ATS interview points at the event —
  before it creates anything;
* failures that may pass (429, 5xx, timeouts) are retried with exponential backoff and jitter,
  honouring Retry-After; the others, and those that keep failing, stop as FAILED and show on
  the interview and the "Sync problems" page with a retry button.
"""

import dataclasses
import datetime as dt
import functools
import logging
import random

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from . import emails
from .connections import note_capability, note_failure, note_success, unified
from .models import FeedbackRequest, Interviewer, InterviewSession, Operation, audit
from .unified import records
from .unified.errors import (
    NotFoundError,
    NotSupportedError,
    RetryableError,
    UnifiedError,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# How long a runner may hold an operation before another takes it over (a killed worker's
# operations come back after this); longer than any one Unified call with its retries.
CLAIM_FOR = dt.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
# A queued task that has not run after this is taken as lost (a restarted worker) and the
# operation is queued again; running it twice is harmless (the claim lets one through).
LOST_AFTER = dt.timedelta(seconds=60)


class Unwritable(Exception):
    """Nothing to write through: no calendar on the session, a disconnected ATS, …"""


# --- adding and running -----------------------------------------------------------------------


def add(tenant, kind, *, interview=None, session=None, depends_on=None, payload=None):
    """Record an operation in the caller's transaction; it runs once that commits."""
    ready = depends_on is None or depends_on.is_finished
    op = Operation.objects.create(
        tenant=tenant,
        kind=kind,
        interview=interview,
        session=session,
        depends_on=depends_on,
        payload=payload or {},
        queued_at=timezone.now() if ready else None,
    )
    if ready:
        transaction.on_commit(functools.partial(run_operation.enqueue, str(op.pk)))
    return op


def _queue(ops):
    """Queue a task for each operation (after the caller's transaction commits)."""
    pks = [op.pk for op in ops]
    if not pks:
        return
    Operation.objects.filter(pk__in=pks).update(queued_at=timezone.now())
    for pk in pks:
        transaction.on_commit(functools.partial(run_operation.enqueue, str(pk)))


def pending_for(session, *kinds):
    """The session's newest operation of one of `kinds` that is still to run (to chain a
    change after it). A failed one is not waited for: what followed would wait until someone
    retried it."""
    return (
        Operation.objects.filter(
            session=session,
            kind__in=kinds,
            status__in=[Operation.Status.PENDING, Operation.Status.RUNNING],
        )
        .order_by("-created_at")
        .first()
    )


@task
def run_operation(operation_id):
    perform(operation_id)


def backoff(attempts, retry_after=None):
    """30 s, 1 min, 2 min, … capped at an hour, ±20 % jitter; never sooner than Retry-After.
    (OUTBOX_BACKOFF_SECONDS sets the first step: the fault benchmark shortens it.)"""
    first = settings.OUTBOX_BACKOFF_SECONDS
    base = min(first * 2 ** max(attempts - 1, 0), 3600)
    delay = base * random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not security)
    return dt.timedelta(seconds=max(delay, retry_after or 0))


def perform(operation_id):
    """Run one operation if it is due and nobody else holds it; returns it, or None."""
    now = timezone.now()
    due = (
        Operation.objects.filter(pk=operation_id, status=Operation.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(
            Q(depends_on__isnull=True)
            | Q(depends_on__status__in=[Operation.Status.DONE, Operation.Status.SKIPPED])
        )
    )
    claimed = Operation.objects.filter(pk__in=due.values("pk")).update(
        status=Operation.Status.RUNNING, claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    op = Operation.objects.select_related(
        "tenant",
        "interview__application__connection",
        "interview__application__candidate",
        "interview__application__job",
        "session__calendar_connection",
        "session__organizer",
    ).get(pk=operation_id)
    try:
        result = HANDLERS[op.kind](op)
    except RetryableError as exc:
        _note(op, exc)
        return _later(op, exc, exc.retry_after)
    except (UnifiedError, Unwritable) as exc:
        _note(op, exc)
        return _fail(op, exc)
    except Exception as exc:
        # A bug, or mail that would not go: keep the operation and try again later.
        logger.exception("Operation %s (%s) failed unexpectedly", op.pk, op.kind)
        return _later(op, exc)
    return _done(op, result or {})


def _connection_of(op):
    if op.kind.startswith("event."):
        return op.session.calendar_connection if op.session else None
    if op.kind.startswith(("ats_interview.", "scorecard.")):
        return op.interview.application.connection if op.interview else None
    return None


def _note(op, exc):
    conn = _connection_of(op)
    if conn is not None and isinstance(exc, UnifiedError):
        note_failure(conn, exc)


def _done(op, result):
    op.status = Operation.Status.SKIPPED if result.get("skipped") else Operation.Status.DONE
    op.result = result
    op.done_at = timezone.now()
    op.claimed_until = None
    op.save(update_fields=["status", "result", "done_at", "claimed_until"])
    _queue(op.dependents.filter(status=Operation.Status.PENDING))
    return op


def _later(op, exc, retry_after=None):
    now = timezone.now()
    op.last_error = str(exc)[:2000]
    op.last_error_at = now
    op.claimed_until = None
    # A "Retry" starts a fresh set of tries without forgetting the earlier ones.
    tries = op.attempts - op.payload.get("retried_after", 0)
    if tries >= MAX_ATTEMPTS:
        op.status = Operation.Status.FAILED
        op.last_error = f"Gave up after {op.attempts} attempts. Last error: {op.last_error}"
    else:
        op.status = Operation.Status.PENDING
        op.next_attempt_at = now + backoff(tries, retry_after)
        op.queued_at = None  # the sweep queues it when its time comes
    op.save(
        update_fields=[
            "status",
            "last_error",
            "last_error_at",
            "claimed_until",
            "next_attempt_at",
            "queued_at",
        ]
    )
    if op.status == Operation.Status.FAILED:
        _release_dependents(op)
    return op


def _release_dependents(op):
    """What waited on a failed operation goes ahead without it: the ATS interview is still
    written (without the event's id), the candidate still gets their email. Each handler
    copes with the missing piece, and a later successful retry fills it in."""
    waiting = list(op.dependents.filter(status=Operation.Status.PENDING))
    Operation.objects.filter(pk__in=[d.pk for d in waiting]).update(depends_on=None)
    _queue(waiting)


def _fail(op, exc):
    op.status = Operation.Status.FAILED
    op.last_error = str(exc)[:2000]
    op.last_error_at = timezone.now()
    op.claimed_until = None
    op.save(update_fields=["status", "last_error", "last_error_at", "claimed_until"])
    _release_dependents(op)
    return op


def retry(op, user=None):
    """Put a failed (or waiting) operation back in line now, from the Sync problems page."""
    if op.status not in (Operation.Status.FAILED, Operation.Status.PENDING):
        return op
    Operation.objects.filter(pk=op.pk).update(
        status=Operation.Status.PENDING,
        next_attempt_at=None,
        # The count is kept: it tells the handlers that an earlier attempt may have written.
        # The new tries are counted from here (_later).
        payload={**op.payload, "retried_after": op.attempts},
        claimed_until=None,
        queued_at=timezone.now(),
    )
    audit(
        op.tenant,
        "operation.retried",
        f"Retried: {op.get_kind_display()}",
        actor=user,
        obj=op.interview or op,
        operation=str(op.pk),
    )
    transaction.on_commit(functools.partial(run_operation.enqueue, str(op.pk)))
    op.refresh_from_db()
    return op


def sweep(now=None):
    """Queue what is due and has no task waiting for it: retries whose time has come,
    operations whose task was lost, and those whose runner died mid-way. Called by the
    periodic command every few seconds."""
    now = now or timezone.now()
    Operation.objects.filter(status=Operation.Status.RUNNING, claimed_until__lt=now).update(
        status=Operation.Status.PENDING, claimed_until=None, next_attempt_at=now, queued_at=None
    )
    due = list(
        Operation.objects.filter(status=Operation.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - LOST_AFTER))
        .filter(
            Q(depends_on__isnull=True)
            | Q(depends_on__status__in=[Operation.Status.DONE, Operation.Status.SKIPPED])
        )
        .values_list("pk", flat=True)[:500]
    )
    if due:
        Operation.objects.filter(pk__in=due).update(queued_at=now)
        for pk in due:
            run_operation.enqueue(str(pk))
    return len(due)


# --- calendar events --------------------------------------------------------------------------


def event_notes(session):
    """The event's description: agenda, candidate, job, and the ref that finds it again."""
    interview = session.interview
    candidate = interview.application.candidate
    notes = [interview.agenda] if interview.agenda else []
    notes.append(
        f"Candidate: {candidate.name}" + (f" <{candidate.email}>" if candidate.email else "")
    )
    if interview.application.job:
        notes.append(f"Job: {interview.application.job.name}")
    notes.append(f"Scheduled with Convene ({session.ref}).")
    return "\n\n".join(notes)


def _event_record(session):
    interview = session.interview
    candidate = interview.application.candidate
    attendees = [records.Attendee(email=candidate.email, name=candidate.name, required=True)]
    for attendee in session.attendees.filter(active=True).select_related("interviewer"):
        person = attendee.interviewer
        if person.email:
            attendees.append(
                records.Attendee(
                    email=person.email,
                    name=person.name,
                    user_id=person.ats_user_id or None,
                    required=attendee.role != attendee.Role.TRAINEE,
                )
            )
    location = None
    if interview.location_kind != "video" and interview.location_detail:
        location = interview.location_detail
    conn = session.calendar_connection
    wants_video = (
        interview.location_kind == "video" and conn is not None and conn.can("conference")
    )
    return records.Event(
        calendar_id=session.calendar_id or None,
        subject=session.title,
        notes=event_notes(session),
        start_at=session.start_at,
        end_at=session.end_at,
        timezone="UTC",
        attendees=tuple(attendees),
        location=location,
        has_conference=True if wants_video else None,
        send_notifications=True,
    )


def _remember_event(session, event):
    session.event_id = event.id or session.event_id
    session.event_seen_updated_at = event.updated_at
    urls = [c.url for c in event.conference if c.url]
    if urls:
        session.meeting_url = urls[0]
    elif session.interview.location_kind == "link":
        session.meeting_url = session.interview.location_detail
    session.save(update_fields=["event_id", "event_seen_updated_at", "meeting_url"])


def _find_event(client, conn, session, op):
    """The event an earlier attempt may have created: same calendar, same ref in its notes,
    around any of the times the attempts wrote (the interview may have moved since)."""
    day = dt.timedelta(days=1)
    windows = {(session.start_at, session.end_at)} | {
        (dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b))
        for a, b in op.payload.get("tried", [])
    }
    for start, end in sorted(windows):
        for event in client.list_events(
            conn.unified_id,
            calendar_id=session.calendar_id or None,
            start_gte=start - day,
            end_lt=end + day,
        ):
            if session.ref in (event.notes or "") and not event.is_canceled:
                return event
    return None


def _note_attempt(op, session):
    """Remember the times this attempt is about to write, before it writes them."""
    tried = op.payload.get("tried", [])
    window = [session.start_at.isoformat(), session.end_at.isoformat()]
    if window not in tried:
        op.payload = {**op.payload, "tried": [*tried, window]}
        Operation.objects.filter(pk=op.pk).update(payload=op.payload)


def _calendar_of(session):
    conn = session.calendar_connection
    if conn is None:
        raise Unwritable(
            "No interviewer on this session has a connected calendar, so there is nowhere "
            "to create the event. Connect a calendar for one of them and retry."
        )
    if not conn.is_active:
        raise Unwritable(f"The calendar connection {conn} is {conn.get_status_display().lower()}.")
    return conn


def _save_event(client, conn, event, *, event_id=None):
    """Create (or update) the event; a vendor that refuses conferences is remembered, and the
    event is written without one (the invitation then carries the plan's location)."""
    try:
        if event_id:
            return client.update_event(conn.unified_id, event_id, event)
        return client.create_event(conn.unified_id, event)
    except NotSupportedError:
        if not event.has_conference:
            raise
        note_capability(conn, "conference", False)
        plain = dataclasses.replace(event, has_conference=None)
        if event_id:
            return client.update_event(conn.unified_id, event_id, plain)
        return client.create_event(conn.unified_id, plain)


def _unclear(op):
    """Whether an earlier attempt may have written what this one is about to create: one
    ran before (its answer lost), or failed and was put back by "Retry"."""
    return op.attempts > 1 or bool(op.last_error)


def create_event(op):
    session = op.session
    if session.event_id:
        return {"event_id": session.event_id, "already_done": True}
    if not session.interview.is_active and not _unclear(op):
        return {"skipped": True, "why": "the interview was canceled first"}
    conn = _calendar_of(session)
    client = unified()
    if _unclear(op):
        # An earlier attempt may have created it. Adopt it — also when the interview was
        # canceled meanwhile, so that the cancel that waits on this removes it.
        found = _find_event(client, conn, session, op)
        if found is not None:
            _remember_event(session, found)
            note_success(conn)
            return {"event_id": found.id, "found_existing": True}
        if not session.interview.is_active:
            return {"skipped": True, "why": "the interview was canceled first"}
    _note_attempt(op, session)
    created = _save_event(client, conn, _event_record(session))
    _remember_event(session, created)
    note_success(conn)
    if session.ats_record == InterviewSession.AtsRecord.INTERVIEW:
        # The ATS interview went ahead while this failed: point it at the event now.
        add(
            op.tenant, Operation.Kind.UPDATE_ATS_INTERVIEW, interview=op.interview, session=session
        )
    return {"event_id": created.id}


def update_event(op):
    session = op.session
    conn = _calendar_of(session)
    if not session.event_id:
        return {"skipped": True, "why": "no event yet: its create writes the current time"}
    client = unified()
    try:
        updated = _save_event(client, conn, _event_record(session), event_id=session.event_id)
    except NotFoundError:
        # Deleted in the calendar meanwhile: put it back, as the interview still stands.
        session.event_id = ""
        created = _save_event(client, conn, _event_record(session))
        _remember_event(session, created)
        note_success(conn)
        return {"event_id": created.id, "recreated": True}
    _remember_event(session, updated)
    note_success(conn)
    return {"event_id": updated.id}


def cancel_event(op):
    session = op.session
    if not session.event_id:
        return {"skipped": True, "why": "there was no event"}
    conn = _calendar_of(session)
    try:
        unified().remove_event(conn.unified_id, session.event_id)
    except NotFoundError:
        return {"event_id": session.event_id, "already_gone": True}
    note_success(conn)
    return {"event_id": session.event_id, "removed": True}


# --- ATS interviews ---------------------------------------------------------------------------


def _ats_of(op):
    conn = op.interview.application.connection
    if not conn.is_active:
        raise Unwritable(f"The ATS connection {conn} is {conn.get_status_display().lower()}.")
    return conn


def _feedback_status(session):
    """The ATS status the session's feedback calls for: AWAITING_FEEDBACK once requests went
    out, COMPLETE when all are in; None before (so every update, whoever queues it, keeps
    the status feedback gave the ATS interview)."""
    statuses = set(session.feedback_requests.values_list("status", flat=True))
    if not statuses:
        return None
    return "COMPLETE" if statuses == {FeedbackRequest.Status.SUBMITTED} else "AWAITING_FEEDBACK"


def _interview_record(session, status=None):
    status = status or _feedback_status(session) or "SCHEDULED"
    application = session.interview.application
    user_ids = [
        a.interviewer.ats_user_id
        for a in session.attendees.filter(active=True).select_related("interviewer")
        if a.interviewer.ats_user_id and a.role != a.Role.TRAINEE
    ]
    location = session.interview.location_detail or None
    return records.Interview(
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
        status=status,
        start_at=session.start_at,
        end_at=session.end_at,
        user_ids=tuple(user_ids),
        location=session.meeting_url or location,
        meeting_url=session.meeting_url or None,
        external_event_xref=session.event_id or None,
    )


def _activity_record(session, title, marker=""):
    application = session.interview.application
    when = f"{session.start_at:%Y-%m-%d %H:%M}–{session.end_at:%H:%M} UTC"
    people = ", ".join(
        a.interviewer.name
        for a in session.attendees.filter(active=True).select_related("interviewer")
    )
    return records.Activity(
        type="NOTE",
        title=title,
        description=f"{session.title}, {when}, with {people or 'no interviewers'}. "
        f"({session.ref}{f', {marker}' if marker else ''})",
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
    )


def _fallback_to_activity(client, conn, session, title, op=None):
    """The ATS takes no interviews: leave a note on the application instead, or, if it takes
    no notes either, record that the ATS holds nothing (the recruiter sees it).

    With `op`, the note carries the operation's marker, and a retry after an unclear failure
    first looks for the note an earlier attempt may have left (as for events)."""
    if not conn.can("activity_write"):
        return _nothing_in_ats(session)
    marker = f"convene-op:{op.pk}" if op is not None else ""
    if marker and _unclear(op):
        application = session.interview.application
        for existing in client.list_activities(
            conn.unified_id, application_id=application.remote_id
        ):
            if marker in (existing.description or ""):
                _remember_activity(session, conn)
                return {"ats_record": "activity", "found_existing": True}
    try:
        client.create_activity(conn.unified_id, _activity_record(session, title, marker))
    except NotSupportedError:
        note_capability(conn, "activity_write", False)
        return _nothing_in_ats(session)
    _remember_activity(session, conn)
    return {"ats_record": "activity"}


def _remember_activity(session, conn):
    session.ats_record = InterviewSession.AtsRecord.ACTIVITY
    session.save(update_fields=["ats_record"])
    note_success(conn)


def _nothing_in_ats(session):
    session.ats_record = InterviewSession.AtsRecord.UNAVAILABLE
    session.save(update_fields=["ats_record"])
    return {"ats_record": "unavailable"}


def create_ats_interview(op):
    session = op.session
    if session.ats_record:
        return {"ats_record": session.ats_record, "already_done": True}
    canceled = not session.interview.is_active
    if canceled and not _unclear(op):
        return {"skipped": True, "why": "the interview was canceled first"}
    conn = _ats_of(op)
    client = unified()
    if not conn.can("interview_write"):
        if canceled:
            return {"skipped": True, "why": "the interview was canceled first"}
        return _fallback_to_activity(client, conn, session, "Interview scheduled by Convene", op)
    if _unclear(op):
        # As for events: adopt what an earlier attempt created, even if canceled since. It
        # points at the session's event, or (when the event could not be written) has no
        # event and the session's times.
        application = session.interview.application
        for existing in client.list_interviews(
            conn.unified_id, application_id=application.remote_id
        ):
            same = (
                existing.external_event_xref == session.event_id
                if session.event_id
                else not existing.external_event_xref
                and (existing.start_at, existing.end_at) == (session.start_at, session.end_at)
            )
            if same:
                return _remember_ats_interview(session, conn, existing, found=True)
    if canceled:
        return {"skipped": True, "why": "the interview was canceled first"}
    try:
        created = client.create_interview(conn.unified_id, _interview_record(session))
    except NotSupportedError:
        note_capability(conn, "interview_write", False)
        return _fallback_to_activity(client, conn, session, "Interview scheduled by Convene", op)
    return _remember_ats_interview(session, conn, created)


def _remember_ats_interview(session, conn, record, found=False):
    session.ats_interview_id = record.id or ""
    session.ats_record = InterviewSession.AtsRecord.INTERVIEW
    session.ats_seen_updated_at = record.updated_at
    session.save(update_fields=["ats_interview_id", "ats_record", "ats_seen_updated_at"])
    note_success(conn)
    return {"ats_interview_id": record.id, **({"found_existing": True} if found else {})}


def update_ats_interview(op):
    session = op.session
    conn = _ats_of(op)
    client = unified()
    # A status change (feedback: AWAITING_FEEDBACK, COMPLETE) rather than a move.
    status_change = bool(op.payload.get("status"))
    if session.ats_record == InterviewSession.AtsRecord.ACTIVITY and not status_change:
        return _fallback_to_activity(client, conn, session, "Interview moved by Convene", op)
    if session.ats_record != InterviewSession.AtsRecord.INTERVIEW or not session.ats_interview_id:
        return {"skipped": True, "why": "the ATS holds no interview for this session"}
    # The status is the one the session's feedback calls for now, not the one queued: an
    # AWAITING_FEEDBACK retried after the last feedback came in must not undo COMPLETE.
    record = _interview_record(session)
    updated = client.update_interview(conn.unified_id, session.ats_interview_id, record)
    session.ats_seen_updated_at = updated.updated_at
    session.save(update_fields=["ats_seen_updated_at"])
    note_success(conn)
    return {"ats_interview_id": updated.id, **({"status": record.status} if status_change else {})}


def cancel_ats_interview(op):
    session = op.session
    conn = _ats_of(op)
    client = unified()
    if session.ats_record == InterviewSession.AtsRecord.ACTIVITY:
        return _fallback_to_activity(client, conn, session, "Interview canceled in Convene", op)
    if session.ats_record != InterviewSession.AtsRecord.INTERVIEW or not session.ats_interview_id:
        return {"skipped": True, "why": "the ATS holds no interview for this session"}
    try:
        client.update_interview(
            conn.unified_id, session.ats_interview_id, _interview_record(session, "CANCELED")
        )
    except NotFoundError:
        return {"already_gone": True}
    except NotSupportedError:
        # Some ATSs let Unified read and delete interviews, not change them.
        try:
            client.remove_interview(conn.unified_id, session.ats_interview_id)
        except NotFoundError:
            return {"already_gone": True}
        note_success(conn)
        return {"removed": True}
    note_success(conn)
    return {"status": "CANCELED"}


# --- scorecards -------------------------------------------------------------------------------


def _scorecard_answer(row):
    rating = f"{row['rating']}/4 ({row['rating_label']})" if row["rating"] else "Not rated"
    return f"{rating}. {row['comment']}".strip() if row["comment"] else rating


def _scorecard_comment(feedback):
    return "\n\n".join(
        part for part in (feedback.note.strip(), f"Filed by Convene ({feedback.ref}).") if part
    )


def _scorecard_record(feedback):
    session = feedback.session
    application = feedback.interview.application
    has_interview = (
        session.ats_record == InterviewSession.AtsRecord.INTERVIEW and session.ats_interview_id
    )
    return records.Scorecard(
        interview_id=session.ats_interview_id if has_interview else None,
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
        interviewer_id=feedback.interviewer.ats_user_id,
        recommendation=feedback.recommendation,
        comment=_scorecard_comment(feedback),
        questions=tuple(
            records.ScorecardQuestion(text=row["text"], answer=_scorecard_answer(row))
            for row in feedback.rows()
        ),
    )


def _scorecard_note(feedback):
    """The scorecard as a note on the application, for an ATS that takes no scorecards."""
    application = feedback.interview.application
    lines = [
        f"{feedback.session.title}, {feedback.session.start_at:%Y-%m-%d %H:%M} UTC.",
        f"Recommendation: {feedback.get_recommendation_display()}.",
    ]
    lines += [f"{row['text']}: {_scorecard_answer(row)}" for row in feedback.rows()]
    if feedback.note.strip():
        lines.append(feedback.note.strip())
    lines.append(f"Filed by Convene ({feedback.ref}).")
    return records.Activity(
        type="NOTE",
        title=f"Interview feedback from {feedback.interviewer.name}",
        description="\n\n".join(lines),
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
        interview_id=feedback.session.ats_interview_id or None,
    )


def _remember_filing(feedback, conn, kind, record_id="", found=False):
    feedback.ats_record = kind
    feedback.ats_record_id = record_id or ""
    feedback.save(update_fields=["ats_record", "ats_record_id"])
    if kind != FeedbackRequest.AtsRecord.UNAVAILABLE:
        note_success(conn)
    return {"ats_record": kind, "id": record_id, **({"found_existing": True} if found else {})}


def _scorecard_as_note(client, conn, feedback, unclear):
    """No scorecards in this ATS (or no ATS user for the interviewer): a note on the
    application instead, or, if it takes no notes either, nothing (the recruiter sees it)."""
    if not conn.can("activity_write"):
        return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.UNAVAILABLE)
    application = feedback.interview.application
    if unclear:
        for existing in client.list_activities(
            conn.unified_id, application_id=application.remote_id
        ):
            if feedback.ref in (existing.description or ""):
                return _remember_filing(
                    feedback, conn, FeedbackRequest.AtsRecord.ACTIVITY, existing.id, found=True
                )
    try:
        note = client.create_activity(conn.unified_id, _scorecard_note(feedback))
    except NotSupportedError:
        note_capability(conn, "activity_write", False)
        return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.UNAVAILABLE)
    return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.ACTIVITY, note.id)


def _find_scorecard(client, conn, feedback, record):
    """The scorecard an earlier attempt may have created: same interviewer, our ref."""
    if record.interview_id:
        found = client.list_scorecards(conn.unified_id, interview_id=record.interview_id)
    else:
        found = client.list_scorecards(conn.unified_id, application_id=record.application_id)
    for existing in found:
        if existing.interviewer_id == record.interviewer_id and feedback.ref in (
            existing.comment or ""
        ):
            return existing
    return None


def create_scorecard(op):
    feedback = FeedbackRequest.objects.select_related(
        "interviewer",
        "session",
        "interview__application__candidate",
        "interview__application__job",
    ).get(pk=op.payload["feedback_request"])
    if feedback.ats_record:
        return {"ats_record": feedback.ats_record, "already_done": True}
    conn = _ats_of(op)
    client = unified()
    # An earlier attempt may have created it and lost the answer.
    unclear = _unclear(op)
    if not conn.can("scorecard_write") or not feedback.interviewer.ats_user_id:
        return _scorecard_as_note(client, conn, feedback, unclear)
    record = _scorecard_record(feedback)
    if unclear:
        existing = _find_scorecard(client, conn, feedback, record)
        if existing is not None:
            return _remember_filing(
                feedback, conn, FeedbackRequest.AtsRecord.SCORECARD, existing.id, found=True
            )
    try:
        created = client.create_scorecard(conn.unified_id, record)
    except NotSupportedError:
        note_capability(conn, "scorecard_write", False)
        return _scorecard_as_note(client, conn, feedback, unclear)
    return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.SCORECARD, created.id)


# --- email ------------------------------------------------------------------------------------


def send_email(op):
    kind = op.payload["kind"]
    if op.payload.get("feedback_request"):
        from . import feedback  # which queues its emails through this module

        return feedback.send_email(op)
    if op.payload.get("interviewer"):
        return _send_invitation(op)
    if op.interview is not None:
        sent = emails.interview_to_candidate(op.interview, kind, **op.payload.get("extra", {}))
    else:
        raise Unwritable(f"Don't know how to send {kind}")
    if sent is None:
        return {"skipped": True, "why": "the candidate has no email address"}
    return {"sent_email": str(sent.pk)}


def _send_invitation(op):
    """An interviewer's own invitation (or cancellation) for a session whose calendar does
    not invite its attendees (booking.invite_interviewers queues it)."""
    person = Interviewer.objects.filter(tenant=op.tenant, pk=op.payload["interviewer"]).first()
    if person is None or not person.email:
        return {"skipped": True, "why": "the interviewer has no email address"}
    canceled = op.payload.get("canceled", False)
    sent = emails.session_to_interviewer(
        op.session,
        person,
        canceled=canceled,
        # Whatever released the seat (a swap, a move, a cancellation) raised the sequence.
        sequence=op.interview.ics_sequence,
        notes=event_notes(op.session),
    )
    return {"sent_email": str(sent.pk)}


HANDLERS = {
    Operation.Kind.CREATE_EVENT: create_event,
    Operation.Kind.UPDATE_EVENT: update_event,
    Operation.Kind.CANCEL_EVENT: cancel_event,
    Operation.Kind.CREATE_ATS_INTERVIEW: create_ats_interview,
    Operation.Kind.UPDATE_ATS_INTERVIEW: update_ats_interview,
    Operation.Kind.CANCEL_ATS_INTERVIEW: cancel_ats_interview,
    Operation.Kind.SEND_EMAIL: send_email,
    Operation.Kind.CREATE_SCORECARD: create_scorecard,
}
