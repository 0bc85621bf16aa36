"""Following changes made elsewhere: Unified's webhook deliveries (and the reconcile that
catches what they miss) turned into updates of Convene's interviews.

Receiving is verify, store, acknowledge, and nothing more, so a storm of deliveries (an
all-hands moved in a 2,000-person company) is answered at once: the signature is checked
before anything of the payload is used (a bad one only bumps a counter), a good delivery is
one insert (a duplicate is refused by the database's unique key on its nonce), and the
answer goes back. The work happens in tasks: `drain_deliveries` claims stored deliveries in
batches (a conditional update, so each is processed once whatever the number of workers) and
processes them; a full batch asks one more worker to help. Processing is idempotent: an
event or ATS record older than what Convene last saw changes nothing, so replays and
out-of-order deliveries are harmless. Each automatic change leaves an audit entry saying
what changed elsewhere and what Convene did about it.

Calendar events and ATS interviews are handled here; the candidates app registers handlers
for applications, candidates and jobs (the mirror is its business).
"""

import datetime as dt
import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from . import booking, outbox, signals, slots, writeback
from .gateway import note_failure, note_success, unified
from .models import (
    Connection,
    Flag,
    Interview,
    InterviewSession,
    Operation,
    SessionAttendee,
    WebhookDelivery,
    WebhookRejection,
    audit,
)
from .unified import records
from .unified.errors import NotFoundError, SignatureError, UnifiedError
from .unified.webhooks import delivery_id, verify_envelope

logger = logging.getLogger(__name__)

MAX_BODY = 1_000_000
CALENDAR = "Calendar change"
ATS = "ATS change"

# (object_type, event) → handler(delivery_connection, records, event, actor_label) → [lines]
HANDLERS = {}


def handles(object_type, *events):
    def decorator(fn):
        for event in events:
            HANDLERS[(object_type, event)] = fn
        return fn

    return decorator


# --- receiving --------------------------------------------------------------------------------


def _count_rejection(reason):
    today = timezone.now().date()
    updated = WebhookRejection.objects.filter(day=today, reason=reason).update(
        count=F("count") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                WebhookRejection.objects.create(day=today, reason=reason, count=1)
        except IntegrityError:
            WebhookRejection.objects.filter(day=today, reason=reason).update(count=F("count") + 1)


def too_large():
    """A body over MAX_BODY, refused before it is read; returns (http status, short text)."""
    _count_rejection("too large")
    return 413, "too large"


def receive(body):
    """Verify, store, acknowledge one delivery; returns (http status, short text)."""
    if len(body) > MAX_BODY:
        return too_large()
    try:
        envelope = verify_envelope(body, settings.UNIFIED_WEBHOOK_SECRET, max_bytes=MAX_BODY)
    except SignatureError as exc:
        _count_rejection("bad signature")
        logger.warning("Refused a webhook delivery: %s", exc)
        return 400, "refused"
    if _store(envelope):
        transaction.on_commit(kick)
        return 200, "accepted"
    if not Connection.objects.filter(unified_id=envelope.connection_id or "").exists():
        logger.info(
            "Ignored a webhook delivery for unknown connection %s (%s.%s)",
            envelope.connection_id,
            envelope.object_type,
            envelope.event,
        )
        return 200, "unknown connection: ignored"
    return 200, "duplicate: ignored"


def _store(envelope):
    """Store a verified delivery for its connection: one statement, which finds the
    connection and inserts the row, and which the unique key on the nonce turns into
    nothing for a duplicate. False when nothing was stored (a duplicate, or a connection
    Convene does not have). Written in SQL, not through the ORM: on the hottest path of a
    storm, building two ORM queries cost more than everything else the receiver does."""
    fields, sql = _store_statement()
    given = {
        "dedupe_key": delivery_id(envelope),
        "object_type": envelope.object_type,
        "event": envelope.event or "",
        "delivery_type": envelope.type or "",
        "record_count": len(envelope.items),
        "payload": envelope.items,
        "received_at": timezone.now(),
    }
    db = transaction.get_connection()
    params = [
        field.get_db_prep_save(
            given[field.name] if field.name in given else field.get_default(), db
        )
        for field in fields
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, envelope.connection_id or ""])
        return cursor.rowcount == 1


@functools.cache
def _store_statement():
    """(the fields given as parameters, in order; the INSERT … SELECT … ON CONFLICT)."""
    meta = WebhookDelivery._meta
    db = transaction.get_connection()
    quote = db.ops.quote_name
    fields = [f for f in meta.concrete_fields if f.name not in ("tenant", "connection")]
    columns = ["tenant_id", "connection_id", *(f.column for f in fields)]
    conn = Connection._meta
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"SELECT c.{quote(conn.get_field('tenant').column)}, c.{quote(conn.pk.column)}, "
        f"{', '.join(['%s'] * len(fields))} FROM {quote(conn.db_table)} c "
        f"WHERE c.{quote(conn.get_field('unified_id').column)} = %s "
        f"ON CONFLICT ({quote('dedupe_key')}) DO NOTHING"
    )
    return fields, sql


# --- processing -------------------------------------------------------------------------------

# Set while a drain is queued or running, so that a storm queues one drain, not one per
# delivery. The drain deletes it before its last look, so a delivery stored after that look
# queues a new drain: none is left waiting (the periodic sweep is the safety net).
DRAIN_KEY = "webhooks:drain"
# Short: should a queued drain be lost, the next delivery after this queues another.
DRAIN_KEY_SECONDS = 10
DRAIN_BATCH = 25
# A delivery claimed this long ago and not finished belongs to a worker that died.
CLAIM_FOR = dt.timedelta(minutes=10)
# A delivery stored this long ago and not claimed lost its drain: the sweep queues one.
UNCLAIMED_AFTER = dt.timedelta(seconds=30)


def kick():
    """Make sure a drain will look at the deliveries stored so far."""
    try:
        queued = not cache.add(DRAIN_KEY, 1, DRAIN_KEY_SECONDS)
    except Exception:
        logger.exception("The cache could not say whether a drain is queued; queueing one")
        queued = False
    if not queued:
        drain_deliveries.enqueue()


@task
def drain_deliveries():
    """Process stored deliveries, a batch at a time, until none is left."""
    processed = 0
    helper = False
    while True:
        claimed = _claim(DRAIN_BATCH)
        if not claimed:
            cache.delete(DRAIN_KEY)
            claimed = _claim(DRAIN_BATCH)
            if not claimed:
                return processed
        if len(claimed) == DRAIN_BATCH and not helper:
            # A backlog: one more worker may take batches beside this one (and so on).
            helper = True
            drain_deliveries.enqueue()
        for pk in claimed:
            _handle(pk)
            processed += 1


def _claim(limit, now=None):
    """Claim up to `limit` stored deliveries, oldest first: a conditional update under a
    row lock that skips those another worker holds, so each is processed once."""
    now = now or timezone.now()
    with transaction.atomic():
        pks = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=WebhookDelivery.Status.RECEIVED)
            .order_by("received_at")
            .values_list("pk", flat=True)[:limit]
        )
        if pks:
            WebhookDelivery.objects.filter(
                pk__in=pks, status=WebhookDelivery.Status.RECEIVED
            ).update(
                status=WebhookDelivery.Status.PROCESSING,
                attempts=F("attempts") + 1,
                claimed_at=now,
            )
    return pks


def sweep(now=None):
    """The periodic safety net: deliveries whose worker died are stored again, and a drain
    is queued for deliveries that have waited too long for one."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PROCESSING, claimed_at__lt=now - CLAIM_FOR
    ).update(status=WebhookDelivery.Status.RECEIVED)
    waiting = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.RECEIVED, received_at__lt=now - UNCLAIMED_AFTER
    ).count()
    if waiting:
        drain_deliveries.enqueue()
        return f"{waiting} deliveries waiting: a drain is queued"
    return None


@task
def process_delivery(delivery_pk):
    # Deliveries stored by an earlier release queued this task each.
    process(delivery_pk)


def process(delivery_pk):
    """Act on a stored delivery once (a second call does nothing); failed ones again."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_pk, status__in=[WebhookDelivery.Status.RECEIVED, WebhookDelivery.Status.FAILED]
    ).update(
        status=WebhookDelivery.Status.PROCESSING,
        attempts=F("attempts") + 1,
        claimed_at=timezone.now(),
    )
    if not claimed:
        return None
    return _handle(delivery_pk)


def _handle(delivery_pk):
    """Run the handler of a claimed delivery and note the outcome."""
    delivery = WebhookDelivery.objects.select_related("connection", "tenant").get(pk=delivery_pk)
    handler = HANDLERS.get((delivery.object_type, delivery.event))
    record_class = records.RECORD_FOR_OBJECT_TYPE.get(delivery.object_type)
    try:
        if handler is None or record_class is None or not delivery.connection.is_active:
            lines = ["Nothing to do for this kind of change."]
        else:
            parsed = [record_class.from_api(raw) for raw in delivery.payload]
            lines = handler(delivery.connection, parsed, delivery.event, None) or []
    except Exception as exc:
        logger.exception("Processing webhook delivery %s failed", delivery.pk)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, error=str(exc)[:2000]
        )
        return None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PROCESSED,
        processed_at=timezone.now(),
        outcome="\n".join(lines)[:4000],
        error="",
    )
    return lines


# --- calendar events --------------------------------------------------------------------------


def _sessions_for_events(conn, event_ids):
    return {
        s.event_id: s
        for s in InterviewSession.objects.filter(
            event_id__in=[i for i in event_ids if i],
            calendar_connection=conn,
        ).select_related(
            "interview__application__candidate", "interview__tenant", "interview__plan"
        )
    }


@handles("calendar_event", "created", "updated", "deleted")
def calendar_events(conn, events, event_kind, actor_label):
    """Moves, cancellations and answers to invitations made in the calendar."""
    actor_label = actor_label or CALENDAR
    for event in events:
        # Whatever it is, that calendar's busy blocks changed.
        slots.invalidate_busy(conn.unified_id, event.calendar_id)
    lines = _heard(signals.calendar_events_changed, conn, events=events, event=event_kind)
    sessions = _sessions_for_events(conn, [e.id for e in events])
    for event in events:
        session = sessions.get(event.id)
        if session is None or not session.interview.is_active:
            continue
        if event_kind == "deleted":
            # The event name is not covered by the signature (§9): a real delivery relabelled
            # "deleted" would verify. Ask Unified before canceling anything, as the reconcile
            # does.
            gone = _event_is_gone(conn, session)
            if gone is None:
                lines.append(f"{session}: could not ask whether its event is gone; left alone.")
                continue
            if not gone:
                lines.append(f"{session}: its event still exists in the calendar; left alone.")
                continue
        if event_kind == "deleted" or event.is_canceled:
            lines.append(event_removed(session, actor_label))
            continue
        # Strictly older only: Unified's timestamps have whole seconds, so a change made in
        # the same second as Convene's own write carries the same updated_at.
        if (
            session.event_seen_updated_at
            and event.updated_at
            and event.updated_at < session.event_seen_updated_at
        ):
            lines.append(f"{session}: an older version of the event; nothing changed.")
            continue
        if outbox.pending_for(session, Operation.Kind.UPDATE_EVENT, Operation.Kind.CREATE_EVENT):
            # Convene's own change to this event is under way; this is its echo or older.
            lines.append(f"{session}: Convene is changing this event itself; ignored.")
            continue
        lines += event_changed(session, event, actor_label)
    return lines


def _heard(signal, conn, **kwargs):
    """Tell the apps above (the mirror) what arrived; the lines they return."""
    lines = []
    for _receiver, answer in signal.send(sender=None, connection=conn, **kwargs):
        lines += answer or []
    return lines


def _is_gone(conn, fetch, canceled):
    """True when Unified says the record `fetch()` reads is deleted (not found) or
    `canceled(record)`, False when it is still there, None when Unified cannot be asked now
    (the reconcile looks again later)."""
    try:
        current = fetch()
    except NotFoundError:
        return True
    except UnifiedError as exc:
        note_failure(conn, exc)
        return None
    return canceled(current)


def _event_is_gone(conn, session):
    return _is_gone(
        conn,
        lambda: unified().get_event(conn.unified_id, session.event_id),
        lambda event: event.is_canceled,
    )


def event_removed(session, actor_label):
    interview = session.interview
    organizer = session.organizer or "the organizer"
    with transaction.atomic():
        # The event is gone already: no need to remove it again.
        InterviewSession.objects.filter(pk=session.pk).update(event_id="")
        booking.cancel(
            interview,
            reason="The interviewer had to cancel this interview. We are sorry for the "
            "change of plans.",
            actor_label=actor_label,
            by=booking.By.CALENDAR,
            audit_note=f"The calendar event “{session.title}” was deleted or canceled in "
            f"{organizer}’s calendar, so Convene canceled the interview and the ATS interview "
            "and told the candidate.",
        )
        interview.clear_flags()  # what was waiting on it is moot now
        interview.raise_flag(
            Flag.Kind.EVENT_DELETED,
            "Canceled because its calendar event was deleted. The candidate needs a new "
            "time: schedule again or send them a booking link.",
            session=session,
        )
    return f"{interview}: canceled, because its calendar event was deleted."


def event_changed(session, event, actor_label):
    """Follow a moved event, and record attendees' answers."""
    lines = []
    interview = session.interview
    InterviewSession.objects.filter(pk=session.pk).update(
        event_seen_updated_at=event.updated_at or session.event_seen_updated_at
    )
    moved = (
        event.start_at
        and event.end_at
        and (event.start_at != session.start_at or event.end_at != session.end_at)
    )
    if moved:
        changed = booking.change(
            interview,
            [booking.Move(session, event.start_at, event.end_at)],
            by=booking.By.CALENDAR,
            actor_label=actor_label,
        )
        lines.append(changed.summary)
    lines += _follow_answers(session, event, actor_label)
    if writeback.learn_link(session, event):
        lines.append(f"{interview}: the calendar gave “{session.title}” its video link.")
    return [line for line in lines if line] or [f"{interview}: nothing Convene tracks changed."]


def _follow_answers(session, event, actor_label):
    lines = []
    by_email = {(a.email or "").lower(): a.status for a in event.attendees if a.email and a.status}
    for attendee in session.attendees.filter(active=True).select_related("interviewer"):
        answer = by_email.get(attendee.interviewer.email.lower())
        if not answer or answer == attendee.response:
            continue
        attendee.response = answer
        attendee.save(update_fields=["response"])
        if answer == SessionAttendee.Response.DECLINED:
            seat = {
                slots.POOL: " (a pool seat: swap in another member)",
                slots.TRAINER: " (they shadow a trainee: swap in another member of the pool)",
                slots.TRAINEE: " (a trainee: the interview can go ahead without them)",
                slots.TRAINEE_LEADS: " (a trainee who leads: swap in another trainee)",
            }.get(attendee.role, "")
            flag = f"{attendee.interviewer.name} declined “{session.title}”{seat}."
            with transaction.atomic():
                interview = Interview.objects.select_for_update().get(pk=session.interview_id)
                interview.raise_flag(
                    Flag.Kind.DECLINED, flag, session=session, interviewer=attendee.interviewer
                )
                audit(
                    interview.tenant,
                    "interview.declined",
                    f"{attendee.interviewer.name} declined the invitation to “{session.title}” "
                    "in the calendar. Convene flagged the interview for the recruiter.",
                    actor_label=actor_label,
                    obj=interview,
                )
            lines.append(flag)
    return lines


# --- ATS interviews ---------------------------------------------------------------------------


@handles("ats_interview", "updated", "deleted")
def ats_interviews(conn, interviews, event_kind, actor_label):
    """An interview Convene wrote, canceled or moved in the ATS."""
    actor_label = actor_label or ATS
    lines = _heard(signals.ats_interviews_changed, conn, interviews=interviews, event=event_kind)
    sessions = {
        s.ats_interview_id: s
        for s in InterviewSession.objects.filter(
            ats_interview_id__in=[i.id for i in interviews if i.id],
            interview__application__connection=conn,
        ).select_related("interview__tenant", "interview__application__candidate")
    }
    for record in interviews:
        session = sessions.get(record.id)
        if session is None:
            continue
        if not session.interview.is_active:
            lines += _heal_ats(session, record, event_kind)
            continue
        if (
            session.ats_seen_updated_at
            and record.updated_at
            and record.updated_at < session.ats_seen_updated_at
        ):
            continue
        if event_kind == "deleted" and not _ats_interview_is_gone(conn, session):
            # As for calendar events: the event name is not signed, so a deletion counts
            # only once Unified confirms it.
            lines.append(f"{session}: the ATS does not confirm the deletion; left alone.")
            continue
        InterviewSession.objects.filter(pk=session.pk).update(
            ats_seen_updated_at=record.updated_at or session.ats_seen_updated_at
        )
        if record.status == "CANCELED" and writeback.ats_status(session) == "CANCELED":
            # Convene wrote it: nobody attended (a no-show), the interview itself stands.
            lines.append(f"{session}: CANCELED in the ATS because nobody attended; as expected.")
            continue
        if event_kind == "deleted" or record.status == "CANCELED":
            InterviewSession.objects.filter(pk=session.pk).update(ats_interview_id="")
            booking.cancel(
                session.interview,
                reason="The interview was canceled in the ATS.",
                actor_label=actor_label,
                by=booking.By.ATS,
            )
            lines.append(f"{session.interview}: canceled, because the ATS canceled it.")
        elif (
            record.start_at
            and record.end_at
            and (record.start_at != session.start_at or record.end_at != session.end_at)
        ):
            if outbox.pending_for(
                session, Operation.Kind.UPDATE_ATS_INTERVIEW, Operation.Kind.CREATE_ATS_INTERVIEW
            ):
                # Convene's own change to this ATS interview is under way: these times are
                # from before it, and following them would undo it.
                lines.append(f"{session}: Convene is changing this ATS interview itself; ignored.")
                continue
            lines.append(_follow_ats_move(session, record, actor_label))
    return lines


def _heal_ats(session, record, event_kind):
    """An ATS interview that still stands for an interview Convene canceled (a write lost
    on the way): cancel it again."""
    if event_kind == "deleted" or record.status == "CANCELED":
        return []
    if session.ats_record != InterviewSession.AtsRecord.INTERVIEW:
        return []
    return _heal(session, Operation.Kind.CANCEL_ATS_INTERVIEW, ATS_KINDS, "the ATS")


def _heal(session, kind, kinds, where):
    """Write a canceled interview's cancel again, unless one is under way already."""
    if outbox.pending_for(session, *kinds):
        return []
    outbox.add(session.interview.tenant, kind, interview=session.interview, session=session)
    return [f"{session}: {where} still shows it; Convene cancels it again."]


ATS_KINDS = (
    Operation.Kind.CREATE_ATS_INTERVIEW,
    Operation.Kind.UPDATE_ATS_INTERVIEW,
    Operation.Kind.CANCEL_ATS_INTERVIEW,
)
EVENT_KINDS = (
    Operation.Kind.CREATE_EVENT,
    Operation.Kind.UPDATE_EVENT,
    Operation.Kind.CANCEL_EVENT,
)


def _ats_interview_is_gone(conn, session):
    return _is_gone(
        conn,
        lambda: unified().get_interview(conn.unified_id, session.ats_interview_id),
        lambda interview: interview.status == "CANCELED",
    )


def _follow_ats_move(session, record, actor_label):
    return booking.change(
        session.interview,
        [booking.Move(session, record.start_at, record.end_at)],
        by=booking.By.ATS,
        actor_label=actor_label,
    ).summary


# --- reconcile --------------------------------------------------------------------------------


RECONCILE_AHEAD = dt.timedelta(days=60)
HEAL_CANCELED_FOR = dt.timedelta(days=14)


def _heal_event(session, event):
    """An event still standing for an interview Convene canceled: remove it again."""
    if event is None or event.is_canceled:
        return []
    return _heal(session, Operation.Kind.CANCEL_EVENT, EVENT_KINDS, "the calendar")


def reconcile(now=None):
    """Catch changes whose webhook never came, for every active connection (the periodic
    runner does it connection by connection: `reconcile_connection`)."""
    now = now or timezone.now()
    lines = []
    # Calendars first, then ATSs, as each connection's own task would in any order.
    for conn in Connection.objects.filter(status=Connection.Status.ACTIVE).order_by(
        "-category", "connected_at"
    ):
        lines += reconcile_connection(conn, now)
    return lines


def reconcile_connection(conn, now=None):
    """Catch the changes to one connection whose webhook never came: compare its calendars
    with the upcoming interviews they hold, or ask its ATS for the interviews updated since
    the last reconcile.

    Calendars are compared by listing each organizer calendar over the upcoming window (a
    deleted event is simply absent, which `updated_gte` could not show); ATS interviews are
    asked for with `updated_gte`.
    """
    now = now or timezone.now()
    if not conn.is_active:
        return []
    if conn.category == Connection.Category.ATS:
        return _reconcile_ats(conn, now)
    return _reconcile_calendar(conn, now)


def _reconcile_calendar(conn, now):
    lines = []
    # Upcoming sessions, and those of interviews canceled lately (a cancel whose write was
    # lost leaves an event that still invites everyone: it is removed again).
    upcoming = (
        InterviewSession.objects.filter(
            Q(interview__status=Interview.Status.SCHEDULED)
            | Q(interview__canceled_at__gt=now - HEAL_CANCELED_FOR),
            end_at__gt=now,
            start_at__lt=now + RECONCILE_AHEAD,
            calendar_connection=conn,
        )
        .exclude(event_id="")
        .select_related("calendar_connection", "interview__tenant")
    )
    by_calendar = {}
    for session in upcoming:
        by_calendar.setdefault(session.calendar_id, []).append(session)
    client = unified()
    for calendar_id, sessions in by_calendar.items():
        start = min(s.start_at for s in sessions) - dt.timedelta(days=1)
        end = max(s.end_at for s in sessions) + RECONCILE_AHEAD
        try:
            events = {
                e.id: e
                for e in client.list_events(
                    conn.unified_id, calendar_id=calendar_id or None, start_gte=start, end_lt=end
                )
            }
        except UnifiedError as exc:
            note_failure(conn, exc)
            continue
        note_success(conn)
        for session in sessions:
            event = events.get(session.event_id)
            if not session.interview.is_active:
                lines += _heal_event(session, event)
                continue
            if event is None:
                # Not in the listing: moved far away, or really gone. Only Unified's "not
                # found" means gone; any other failure leaves the interview alone for now.
                try:
                    event = client.get_event(conn.unified_id, session.event_id)
                except NotFoundError:
                    lines.append(event_removed(session, "Reconcile"))
                    continue
                except UnifiedError as exc:
                    note_failure(conn, exc)
                    continue
            lines += calendar_events(conn, [event], "updated", "Reconcile")
    return lines


def _reconcile_ats(conn, now):
    since = conn.reconciled_until or now - dt.timedelta(days=1)
    try:
        changed = list(unified().list_interviews(conn.unified_id, updated_gte=since))
    except UnifiedError as exc:
        note_failure(conn, exc)
        return []
    lines = ats_interviews(conn, changed, "updated", "Reconcile")
    Connection.objects.filter(pk=conn.pk).update(reconciled_until=now - dt.timedelta(minutes=5))
    return lines
