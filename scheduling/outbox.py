"""The outbox: the queue of writes (to Unified) and emails that changes in Convene owe the
outside world, performed after the change commits, retried, and shown when they fail.

Services record an Operation with `add` in their own transaction; a task performs it once
that commits. The queue knows nothing of calendars, ATSs or emails: the modules that do
register a handler per operation kind (`@handles`), and senders per email kind (`@sends`),
and the queue runs them:

* an operation is claimed with a conditional update, so two workers never run it together,
  and one that is finished is never performed again;
* the operations on one *target* (a session's calendar event, or its ATS interview, or the
  interview's candidate-only events) run in
  the order they were added, and a later one supersedes one still waiting: its handler does
  what the interview's state is when it runs, so the older one has nothing left to do. A
  superseded operation that had failed unclearly (its write may have happened) hands that
  doubt on, so the next one first looks for what it may have written;
* failures that may pass (429, 5xx, timeouts) are retried with exponential backoff and
  jitter, honouring Retry-After; the others (Unified's 4xx, nowhere to write, an email
  address no server takes), and those that keep failing, stop as FAILED and
  show on the interview and the "Sync problems" page with a retry button;
* what waited on a failed operation goes ahead without it (each handler copes with the
  missing piece).

See docs/design.md ("The outbox") for how the handlers decide what to write.
"""

import datetime as dt
import functools
import logging
import random

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from .emails import Undeliverable
from .gateway import note_failure
from .models import Operation, audit
from .unified.errors import RetryableError, UnifiedError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# How long a runner may hold an operation before another takes it over (a killed worker's
# operations come back after this); longer than any one Unified call with its retries.
CLAIM_FOR = dt.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
# A queued task that has not run after this is taken as lost (a restarted worker) and the
# operation is queued again; running it twice is harmless (the claim lets one through).
LOST_AFTER = dt.timedelta(seconds=60)

HANDLERS = {}  # Operation.Kind → handler(op) → result dict
SENDERS = {}  # email kind (payload["kind"]) → sender(op) → result dict

# Operation kinds that act on one target of a session, by family: "event.create",
# "event.update" and "event.cancel" all act on the session's calendar event; and of an
# interview: "candidate_event.sync" on its candidate-only events, "debrief.sync" on its
# debrief's event; "ats_note.attendance" on a session's note of who did not attend.
TARGET_FAMILIES = ("event", "ats_interview", "candidate_event", "ats_note", "debrief")
UNFINISHED = (Operation.Status.PENDING, Operation.Status.RUNNING, Operation.Status.FAILED)


class Unwritable(Exception):
    """Nothing to write through: no calendar on the session, a disconnected ATS, …"""


def handles(*kinds):
    """Register the decorated function as the handler of these operation kinds."""

    def decorator(fn):
        for kind in kinds:
            HANDLERS[kind] = fn
        return fn

    return decorator


def sends(*email_kinds):
    """Register the decorated function as the sender of these kinds of email."""

    def decorator(fn):
        for kind in email_kinds:
            SENDERS[kind] = fn
        return fn

    return decorator


@handles(Operation.Kind.SEND_EMAIL)
def send_email(op):
    sender = SENDERS.get(op.payload.get("kind"))
    if sender is None:
        raise Unwritable(f"Convene does not know how to send a “{op.payload.get('kind')}” email")
    return sender(op)


# --- adding -----------------------------------------------------------------------------------


def family(kind):
    """The target family of an operation kind, or None (emails, scorecards)."""
    prefix = str(kind).partition(".")[0]
    return prefix if prefix in TARGET_FAMILIES else None


def add(tenant, kind, *, interview=None, session=None, depends_on=None, payload=None):
    """Record an operation in the caller's transaction; it runs once that commits.

    On a session's event or ATS interview (or an interview's candidate-only events), it
    supersedes the operations of that target still waiting (or failed), and waits for one
    that is running."""
    payload = dict(payload or {})
    target = family(kind)
    with transaction.atomic():
        waiting_for = None
        superseded = []
        if target and (session is not None or interview is not None):
            same = (
                Q(session=session)
                if session is not None
                else Q(interview=interview, session__isnull=True)
            )
            for old in (
                Operation.objects.select_for_update()
                .filter(same, kind__startswith=f"{target}.", status__in=UNFINISHED)
                .order_by("created_at")
            ):
                if old.status == Operation.Status.RUNNING:
                    waiting_for = old
                else:
                    superseded.append(old)
                    payload = _inherit(payload, old)
        if waiting_for is not None:
            # One target, one writer at a time: the running one finishes first. (A
            # dependency on another target is dropped then: the handlers cope with a
            # missing event id.)
            depends_on = waiting_for
        elif depends_on is not None and depends_on.pk in {old.pk for old in superseded}:
            depends_on = None
        ready = (
            depends_on is None
            or Operation.objects.filter(
                pk=depends_on.pk, status__in=[Operation.Status.DONE, Operation.Status.SKIPPED]
            ).exists()
        )
        op = Operation.objects.create(
            tenant=tenant,
            kind=kind,
            interview=interview,
            session=session,
            depends_on=depends_on,
            payload=payload,
            queued_at=timezone.now() if ready else None,
        )
        for old in superseded:
            _supersede(old, op)
        if ready:
            transaction.on_commit(functools.partial(run_operation.enqueue, str(op.pk)))
    return op


def _inherit(payload, old):
    """What a successor must know of an operation it supersedes: the times it may have
    written, and whether an attempt may have written without saying so."""
    tried = [*payload.get("tried", []), *old.payload.get("tried", [])]
    payload = {**payload, "tried": [w for i, w in enumerate(tried) if w not in tried[:i]]}
    if unclear(old):
        payload["unclear"] = True
    if not payload["tried"]:
        payload.pop("tried")
    return payload


def _supersede(old, new):
    Operation.objects.filter(pk=old.pk).update(
        status=Operation.Status.SKIPPED,
        result={"skipped": True, "why": "superseded by a later change", "by": str(new.pk)},
        done_at=timezone.now(),
        claimed_until=None,
    )
    Operation.objects.filter(depends_on=old).exclude(pk=new.pk).update(depends_on=new)


def unclear(op):
    """Whether an earlier attempt may have written what this one is about to write: one ran
    before (its answer lost), failed and was put back by "Retry", or an operation this one
    superseded did."""
    return op.attempts > 1 or bool(op.last_error) or bool(op.payload.get("unclear"))


def _queue(ops):
    """Queue a task for each operation (after the caller's transaction commits)."""
    pks = [op.pk for op in ops]
    if not pks:
        return
    Operation.objects.filter(pk__in=pks).update(queued_at=timezone.now())
    for pk in pks:
        transaction.on_commit(functools.partial(run_operation.enqueue, str(pk)))


def pending_for(session, *kinds):
    """The session's newest operation of one of `kinds` that is still to run. A failed one
    is not counted: what followed would wait until someone retried it."""
    return (
        Operation.objects.filter(
            session=session,
            kind__in=kinds,
            status__in=[Operation.Status.PENDING, Operation.Status.RUNNING],
        )
        .order_by("-created_at")
        .first()
    )


# --- running ----------------------------------------------------------------------------------


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


def _due(queryset, now):
    return (
        queryset.filter(status=Operation.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(
            Q(depends_on__isnull=True)
            | Q(depends_on__status__in=[Operation.Status.DONE, Operation.Status.SKIPPED])
        )
    )


def perform(operation_id):
    """Run one operation if it is due and nobody else holds it; returns it, or None."""
    now = timezone.now()
    due = _due(Operation.objects.filter(pk=operation_id), now)
    claimed = Operation.objects.filter(pk__in=due.values("pk")).update(
        status=Operation.Status.RUNNING, claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    # Read now, not when queued: the handler acts on the interview as it is.
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
    except (UnifiedError, Unwritable, Undeliverable) as exc:
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


def _successor(op):
    """A later operation on the same target, waiting for this one to finish."""
    target = family(op.kind)
    if op.session_id is None or not target:
        return None
    return op.dependents.filter(
        kind__startswith=f"{target}.", status=Operation.Status.PENDING
    ).first()


def _done(op, result):
    op.status = Operation.Status.SKIPPED if result.get("skipped") else Operation.Status.DONE
    op.result = result
    op.done_at = timezone.now()
    op.claimed_until = None
    op.save(update_fields=["status", "result", "done_at", "claimed_until"])
    _queue(op.dependents.filter(status=Operation.Status.PENDING))
    return op


def _record_error(op, exc):
    op.last_error = str(exc)[:2000]
    op.last_error_at = timezone.now()
    op.claimed_until = None


def _handed_on(op, exc):
    """A failed attempt whose target has a later operation waiting: that one does what the
    interview needs now (knowing this attempt may have written), so this one stops."""
    successor = _successor(op)
    if successor is None:
        return None
    _record_error(op, exc)
    op.status = Operation.Status.SKIPPED
    op.result = {"skipped": True, "why": "superseded by a later change", "by": str(successor.pk)}
    op.done_at = timezone.now()
    fields = ["status", "result", "done_at", "last_error", "last_error_at", "claimed_until"]
    op.save(update_fields=fields)
    successor.payload = _inherit(successor.payload, op)
    Operation.objects.filter(pk=successor.pk).update(payload=successor.payload)
    _queue(op.dependents.filter(status=Operation.Status.PENDING))
    return op


def _later(op, exc, retry_after=None):
    if _handed_on(op, exc):
        return op
    now = timezone.now()
    _record_error(op, exc)
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
    if _handed_on(op, exc):
        return op
    _record_error(op, exc)
    op.status = Operation.Status.FAILED
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
        _due(Operation.objects.all(), now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - LOST_AFTER))
        .values_list("pk", flat=True)[:500]
    )
    if due:
        Operation.objects.filter(pk__in=due).update(queued_at=now)
        for pk in due:
            run_operation.enqueue(str(pk))
    return len(due)


def sweep_job():
    """The periodic job (registered in the app's ready())."""
    queued = sweep()
    return f"queued {queued} operations" if queued else None
