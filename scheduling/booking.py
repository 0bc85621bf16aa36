"""Booking, rescheduling and cancelling interviews.

One database transaction re-checks the chosen time against Convene's holds, writes the
interview, its sessions and attendees, and the operations that carry the change to the
calendar, the ATS and the candidate; those run after the commit (writeback.py).

Two people racing for one interviewer's time get one booking and one SlotTaken. That is the
database's guarantee, not the code's timing: on SQLite every transaction is IMMEDIATE (it
takes the write lock before it reads, settings.py), so the check and the insert of two
bookings cannot interleave; on PostgreSQL the bookers lock the application's row, then the
interviewers' rows in a fixed order, and an exclusion constraint (migration 0003) refuses
overlapping active attendances even if a code path forgot the lock.
"""

import collections
import contextlib
import dataclasses
import datetime as dt
import functools
import time
import zoneinfo

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import feedback, writeback
from .models import (
    Interview,
    Interviewer,
    InterviewSession,
    Operation,
    SessionAttendee,
    audit,
)


class BookingError(Exception):
    """The booking cannot be made; the message says why, for the person booking."""


class SlotTaken(BookingError):
    """Someone else booked one of these people at an overlapping time just now."""

    def __init__(self, people=()):
        names = ", ".join(sorted(str(p) for p in people))
        super().__init__(
            "That time was just taken"
            + (f" ({names} is no longer free)" if names else "")
            + ". Here are fresh times."
        )
        self.people = tuple(people)


@dataclasses.dataclass(frozen=True)
class SessionChoice:
    """One session of a chosen slot: when, and who (interviewer id, role, plan pool id)."""

    title: str
    start: dt.datetime
    end: dt.datetime
    people: tuple[tuple[str, str, int | None], ...]


@dataclasses.dataclass(frozen=True)
class Choice:
    sessions: tuple[SessionChoice, ...]

    @property
    def start(self):
        return min(s.start for s in self.sessions)

    @property
    def end(self):
        return max(s.end for s in self.sessions)

    @property
    def interviewer_ids(self):
        return sorted({pid for s in self.sessions for pid, _role, _pool in s.people})


def _lock_people(choice):
    """Lock the interviewers' rows in a stable order (PostgreSQL; a no-op on SQLite, whose
    IMMEDIATE transaction already holds the database's write lock)."""
    return {
        str(p.pk): p
        for p in Interviewer.objects.select_for_update().filter(pk__in=choice.interviewer_ids)
    }


def _conflicts(choice, *, buffer_before, buffer_after, ignore_interview=None):
    """The people already held (by an active interview) at a time this choice needs.

    Between two of Convene's interviews the gap is at least the larger buffer, on either
    side, as the availability engine has it: each interview's buffers are respected.
    """
    gap = max(buffer_before, buffer_after)
    busy = set()
    for session in choice.sessions:
        ids = [pid for pid, _role, _pool in session.people]
        holds = SessionAttendee.objects.filter(
            active=True,
            interviewer_id__in=ids,
            start_at__lt=session.end + gap,
            end_at__gt=session.start - gap,
        )
        if ignore_interview is not None:
            holds = holds.exclude(session__interview=ignore_interview)
        busy.update(holds.values_list("interviewer_id", flat=True))
    return busy


def _refuse_double_seats(choice, people):
    """BookingError when one person fills two seats of a session (e.g. the picker's swap
    put the same alternate in for both people a pool chose)."""
    for session in choice.sessions:
        ids = [str(pid) for pid, _role, _pool in session.people]
        twice = sorted({str(people.get(pid, pid)) for pid in ids if ids.count(pid) > 1})
        if twice:
            raise BookingError(
                f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} in two seats of "
                f"“{session.title}”: choose someone else for one of them."
            )


def _refuse_conflicts(choice, people, plan, override_reason, ignore=None):
    """SlotTaken when a person is held by another interview at a time this choice needs.

    An override (with its reason) books over calendars, hours, caps and buffers, but never
    over another of Convene's interviews of the same person: that would be a double booking,
    which PostgreSQL's constraint refuses anyway.
    """
    before, after = _buffers(plan)
    if override_reason:
        before = after = dt.timedelta()
    busy = _conflicts(choice, buffer_before=before, buffer_after=after, ignore_interview=ignore)
    if busy:
        raise SlotTaken([people[str(pid)] for pid in busy if str(pid) in people])


def _organizer(people, session_choice):
    """Whose calendar holds the event: the first required person with a working calendar,
    else the first pool member with one."""
    ordered = sorted(session_choice.people, key=lambda p: {"required": 0, "pool": 1}.get(p[1], 2))
    for pid, _role, _pool in ordered:
        person = people.get(str(pid))
        if person and person.calendar_connection_id and person.calendar_id:
            return person
    return None


def _buffers(plan):
    if plan is None:
        return dt.timedelta(), dt.timedelta()
    return (
        dt.timedelta(minutes=plan.buffer_before_minutes),
        dt.timedelta(minutes=plan.buffer_after_minutes),
    )


def _write_sessions(interview, choice, people):
    sessions = []
    for position, chosen in enumerate(choice.sessions):
        organizer = _organizer(people, chosen)
        session = InterviewSession.objects.create(
            interview=interview,
            position=position,
            title=chosen.title[:300],
            start_at=chosen.start,
            end_at=chosen.end,
            organizer=organizer,
            calendar_connection_id=organizer.calendar_connection_id if organizer else None,
            calendar_id=organizer.calendar_id if organizer else "",
            meeting_url=interview.location_detail if interview.location_kind == "link" else "",
        )
        SessionAttendee.objects.bulk_create(
            SessionAttendee(
                session=session,
                interviewer_id=pid,
                role=role,
                pool_id=pool,
                start_at=chosen.start,
                end_at=chosen.end,
            )
            for pid, role, pool in chosen.people
        )
        sessions.append(session)
    return sessions


def _write_out(interview, sessions, email_kind, email_extra=None):
    """The operations that carry a new or changed interview outside: per session the event,
    then the ATS interview that points at it; then the candidate's email."""
    last_event_op = None
    for session in sessions:
        event_op = writeback.add(
            interview.tenant,
            Operation.Kind.CREATE_EVENT,
            interview=interview,
            session=session,
            depends_on=last_event_op,
        )
        writeback.add(
            interview.tenant,
            Operation.Kind.CREATE_ATS_INTERVIEW,
            interview=interview,
            session=session,
            depends_on=event_op,
        )
        invite_interviewers(session, seated(session), depends_on=event_op)
        last_event_op = event_op
    _email(interview, email_kind, depends_on=last_event_op, extra=email_extra)


def calendar_invites(session):
    """Whether the calendar holding the session's event sends its attendees invitations.
    An admin says so per calendar connection (Unified's answer does not tell)."""
    conn = session.calendar_connection
    return conn is not None and conn.can("invites")


def seated(session):
    return list(session.attendees.filter(active=True).values_list("interviewer_id", flat=True))


def invite_interviewers(session, interviewer_ids, *, depends_on=None, canceled=False):
    """Email these interviewers their invitation (or its cancellation) for the session, with
    an .ics, when the calendar does not do it; nothing when it does."""
    if calendar_invites(session):
        return []
    return [
        writeback.add(
            session.interview.tenant,
            Operation.Kind.SEND_EMAIL,
            interview=session.interview,
            session=session,
            depends_on=depends_on,
            payload={
                "kind": "interviewer_invitation",
                "interviewer": str(pid),
                "canceled": canceled,
            },
        )
        for pid in interviewer_ids
    ]


def _email(interview, kind, *, depends_on=None, extra=None):
    # The email waits for the events so that it carries the video links they get.
    return writeback.add(
        interview.tenant,
        Operation.Kind.SEND_EMAIL,
        interview=interview,
        depends_on=depends_on,
        payload={"kind": kind, "extra": extra or {}},
    )


LOCK_RETRIES = 5


def _atomic_booking(fn):
    """Run `fn` in one transaction; PostgreSQL's exclusion constraint turns into SlotTaken.

    SQLite answers "locked" instead of waiting when the writer it waits for holds the lock
    past the busy timeout (or at once, for a shared-cache database): the whole transaction is
    then tried again, and sees what the other writer committed.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for attempt in range(1, LOCK_RETRIES + 1):
            try:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            except IntegrityError as exc:
                if "no_double_booking" in str(exc):
                    raise SlotTaken() from exc
                raise
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCK_RETRIES:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    return wrapper


@_atomic_booking
def book(
    application,
    plan,
    choice,
    *,
    user=None,
    actor_label="",
    source=Interview.Source.RECRUITER,
    candidate_timezone="",
    override_reason="",
    email_extra=None,
):
    """Book `choice` for `application` under `plan`; returns the Interview.

    Raises SlotTaken when a person was booked meanwhile (unless the recruiter overrides
    availability with a reason), BookingError when the application already has an upcoming
    interview for its stage.
    """
    # Two bookings of one candidate may share no interviewer, so nothing else makes the
    # second wait for the first: the application's row is what the stage check reads.
    # (Locked before the people, in every booking, so that two bookers never deadlock.)
    application = type(application).objects.select_for_update().get(pk=application.pk)
    people = _lock_people(choice)
    if len(people) != len(choice.interviewer_ids):
        raise BookingError("One of the interviewers no longer exists.")
    inactive = [p for p in people.values() if not p.active or p.tenant_id != application.tenant_id]
    if inactive:
        raise BookingError(f"{inactive[0]} is not an active interviewer of this team.")
    _refuse_double_seats(choice, people)
    upcoming = Interview.objects.active().filter(
        application=application, stage_status=application.status, end_at__gt=timezone.now()
    )
    if upcoming.exists():
        raise BookingError(
            "This candidate already has an upcoming interview for this stage: "
            "reschedule it instead."
        )
    _refuse_conflicts(choice, people, plan, override_reason)

    interview = Interview.objects.create(
        tenant=application.tenant,
        application=application,
        plan=plan,
        stage_status=application.status,
        source=source,
        start_at=choice.start,
        end_at=choice.end,
        candidate_timezone=candidate_timezone,
        location_kind=plan.location_kind if plan else "",
        location_detail=plan.location_detail if plan else "",
        agenda=plan.agenda if plan else "",
        created_by=user if user is not None and user.is_authenticated else None,
        override_reason=override_reason,
    )
    sessions = _write_sessions(interview, choice, people)
    _write_out(interview, sessions, "interview_confirmed", email_extra)
    when = timezone.localtime(interview.start_at, timezone.get_current_timezone())
    audit(
        interview.tenant,
        "interview.booked",
        f"Booked {application.candidate} for {when:%a %d %b %Y %H:%M}"
        + (f" (availability overridden: {override_reason})" if override_reason else ""),
        actor=user,
        actor_label=actor_label,
        obj=interview,
        interviewers=[str(p) for p in people.values()],
    )
    return interview


@_atomic_booking
def reschedule(
    interview,
    choice,
    *,
    user=None,
    actor_label="",
    reason="",
    override_reason="",
    email_extra=None,
):
    """Move the interview to `choice`: the same events and ATS interviews are updated,
    never duplicated, and the candidate is told (`email_extra` goes to their email)."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_active:
        raise BookingError("This interview was canceled; book a new one instead.")
    sessions = list(interview.sessions.order_by("position"))
    if len(sessions) != len(choice.sessions):
        raise BookingError("The new time does not have the same sessions as the interview.")
    people = _lock_people(choice)
    _refuse_double_seats(choice, people)
    _refuse_conflicts(choice, people, interview.plan, override_reason, ignore=interview)

    # The sessions move one at a time, so a person in two back-to-back sessions overlaps
    # themself until the last has moved: the database checks the end result instead.
    with _overlaps_checked_at_the_end():
        invited = _move_sessions(sessions, choice)
    before = interview.start_at
    interview.start_at, interview.end_at = choice.start, choice.end
    interview.ics_sequence += 1
    interview.flag = ""
    if override_reason:
        interview.override_reason = override_reason
    interview.save(
        update_fields=[
            "start_at",
            "end_at",
            "ics_sequence",
            "flag",
            "override_reason",
            "updated_at",
        ]
    )
    feedback.withdraw_if_moved_ahead(interview)
    for session, event_op, left in invited:
        # After the sequence rose, so that each .ics outranks the one before.
        invite_interviewers(session, seated(session), depends_on=event_op)
        invite_interviewers(session, left, depends_on=event_op, canceled=True)
    extra = {**(email_extra or {}), **({"reason": reason} if reason else {})}
    _email(interview, "interview_rescheduled", extra=extra)
    # The entry is read later by others, in other zones: it names the zone it is written in.
    zone = timezone.get_current_timezone()
    old = timezone.localtime(before, zone)
    new = timezone.localtime(interview.start_at, zone)
    audit(
        interview.tenant,
        "interview.rescheduled",
        f"Moved the interview from {old:%a %d %b %H:%M} to {new:%a %d %b %H:%M} ({zone})"
        + (f": {reason}" if reason else ""),
        actor=user,
        actor_label=actor_label,
        obj=interview,
    )
    return interview


@contextlib.contextmanager
def _overlaps_checked_at_the_end():
    """Defer PostgreSQL's no-double-booking check (migration 0008) over the block, then check
    what it wrote; a clash raises IntegrityError, which _atomic_booking makes SlotTaken."""
    if connection.vendor != "postgresql":
        yield  # SQLite has no such constraint; the write lock serialises the check instead
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS no_double_booking DEFERRED")
    yield
    with connection.cursor() as cursor:
        # Back to row by row, checking now (not at commit) what was written while deferred.
        cursor.execute("SET CONSTRAINTS no_double_booking IMMEDIATE")


def _move_sessions(sessions, choice):
    """Move each session and its attendees to its part of `choice`, queueing the updates;
    returns [(session, its event's operation, who left it)]."""
    invited = []
    for session, chosen in zip(sessions, choice.sessions, strict=True):
        session.start_at, session.end_at = chosen.start, chosen.end
        session.save(update_fields=["start_at", "end_at"])
        left = _set_attendees(session, chosen)
        event_op = _follow_up(session, Operation.Kind.UPDATE_EVENT, Operation.Kind.CREATE_EVENT)
        _follow_up(
            session, Operation.Kind.UPDATE_ATS_INTERVIEW, Operation.Kind.CREATE_ATS_INTERVIEW
        )
        invited.append((session, event_op, left))
    return invited


def _set_attendees(session, chosen):
    """Keep attendees who stay (moving their times), retire those who leave, add new ones.
    Returns the ids of the interviewers who left."""
    wanted = {str(pid): (role, pool) for pid, role, pool in chosen.people}
    left = []
    for attendee in session.attendees.filter(active=True):
        if str(attendee.interviewer_id) in wanted:
            attendee.start_at, attendee.end_at = session.start_at, session.end_at
            attendee.save(update_fields=["start_at", "end_at"])
            wanted.pop(str(attendee.interviewer_id))
        else:
            attendee.active = False
            attendee.save(update_fields=["active"])
            left.append(attendee.interviewer_id)
    for pid, (role, pool) in wanted.items():
        SessionAttendee.objects.create(
            session=session,
            interviewer_id=pid,
            role=role,
            pool_id=pool,
            start_at=session.start_at,
            end_at=session.end_at,
        )
    return left


def _follow_up(session, kind, create_kind):
    """Queue an update after any create still under way (which then writes the new state
    itself, or is followed by this update)."""
    pending = writeback.pending_for(session, create_kind) or writeback.pending_for(session, kind)
    if pending is not None and pending.kind == kind and pending.status == Operation.Status.PENDING:
        return pending  # an update already waits: it will read the latest state
    return writeback.add(
        session.interview.tenant,
        kind,
        interview=session.interview,
        session=session,
        depends_on=pending,
    )


@transaction.atomic
def cancel(
    interview,
    *,
    reason,
    user=None,
    actor_label="",
    notify_candidate=True,
    rebook_url="",
    audit_note="",
):
    """Cancel the interview: events removed, ATS interviews CANCELED, the candidate told.
    `reason` goes to the candidate; `audit_note` (default: the reason) to the history."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_active:
        return interview
    interview.status = Interview.Status.CANCELED
    interview.canceled_at = timezone.now()
    interview.cancel_reason = reason
    interview.ics_sequence += 1
    interview.save(
        update_fields=["status", "canceled_at", "cancel_reason", "ics_sequence", "updated_at"]
    )
    sessions = list(interview.sessions.select_related("calendar_connection"))
    were_seated = {session.pk: seated(session) for session in sessions}
    SessionAttendee.objects.filter(session__interview=interview).update(active=False)
    for session in sessions:
        ops = [
            writeback.add(
                interview.tenant,
                kind,
                interview=interview,
                session=session,
                depends_on=writeback.pending_for(session, create_kind),
            )
            for kind, create_kind in (
                (Operation.Kind.CANCEL_EVENT, Operation.Kind.CREATE_EVENT),
                (Operation.Kind.CANCEL_ATS_INTERVIEW, Operation.Kind.CREATE_ATS_INTERVIEW),
            )
        ]
        invite_interviewers(session, were_seated[session.pk], depends_on=ops[0], canceled=True)
    if notify_candidate:
        extra = {"reason": reason}
        if rebook_url:
            extra["rebook_url"] = rebook_url
        _email(interview, "interview_canceled", extra=extra)
    audit(
        interview.tenant,
        "interview.canceled",
        audit_note or f"Canceled the interview: {reason}",
        actor=user,
        actor_label=actor_label,
        obj=interview,
    )
    return interview


def holds_for(interviewer_ids, start, end):
    """Active attendances of these people overlapping [start, end): Convene's own holds."""
    return SessionAttendee.objects.filter(
        Q(active=True),
        interviewer_id__in=list(interviewer_ids),
        start_at__lt=end,
        end_at__gt=start,
    ).values_list("interviewer_id", "start_at", "end_at")


class _Load:
    """Interviews per person per local date and ISO week, as the engine counts them (its
    holds plus what the choice being built gives them), to fill pool seats the same way."""

    def __init__(self, people, start):
        self.zones = {str(p.pk): zoneinfo.ZoneInfo(p.timezone or "UTC") for p in people}
        self.counts = collections.Counter()
        span = dt.timedelta(days=8)
        rows = SessionAttendee.objects.filter(
            active=True,
            interviewer_id__in=[p.pk for p in people],
            start_at__lt=start + span,
            end_at__gt=start - span,
        ).values_list("interviewer_id", "start_at")
        for pid, at in rows:
            self.add(str(pid), at)

    def _keys(self, pid, at):
        day = at.astimezone(self.zones.get(pid, dt.UTC)).date()
        return (pid, "week", tuple(day.isocalendar())[:2]), (pid, "day", day)

    def add(self, pid, at):
        self.counts.update(self._keys(pid, at))

    def rank(self, pid, at):
        """(interviews in the week, interviews on the day, key): lightest first."""
        week, day = self._keys(pid, at)
        return (self.counts[week], self.counts[day], pid)


def manual_choice(application, plan, start):
    """A choice for a time the recruiter typed (an availability override): the plan's
    sessions back to back from `start` (with its breaks), the required people, and each
    pool's members picked as the engine picks them, lightest load first."""
    plan_sessions = list(plan.sessions.prefetch_related("required", "pools__members"))
    load = _Load(
        {p for s in plan_sessions for pool in s.pools.all() for p in pool.members.all()}, start
    )
    sessions = []
    at = start
    for plan_session in plan_sessions:
        end = at + dt.timedelta(minutes=plan_session.duration_minutes)
        people = [(str(p.pk), "required", None) for p in plan_session.required.all() if p.active]
        for pool in plan_session.pools.all():
            members = sorted(
                (p for p in pool.members.all() if p.active and str(p.pk) not in dict(people)),
                key=lambda p: load.rank(str(p.pk), at),
            )
            picked = members[: pool.k]
            for person in picked:
                load.add(str(person.pk), at)
            people += [(str(p.pk), "pool", pool.pk) for p in picked]
            if pool.trainee_id and pool.trainee.active:
                people.append((str(pool.trainee_id), "trainee", None))
        if not people:
            raise BookingError(f"“{plan_session}” has no active interviewers.")
        title = plan_session.title_for(
            job=application.job.name if application.job else "",
            candidate=application.candidate.name,
            stage=application.stage_label,
        )
        sessions.append(SessionChoice(title, at, end, tuple(people)))
        at = end + dt.timedelta(minutes=plan.break_minutes)
    if not sessions:
        raise BookingError("The plan has no sessions.")
    return Choice(tuple(sessions))


def eligible_swaps(session, attendee):
    """Who could take `attendee`'s pool seat on `session`: other active members of the same
    pool, not on the session already, working then, not held by another interview of
    Convene's and not busy in their calendar (when it can be read)."""
    from . import slots  # slots builds on this module

    if attendee.pool_id is None:
        return []
    on_session = set(session.attendees.filter(active=True).values_list("interviewer", flat=True))
    members = [
        p
        for p in attendee.pool.members.filter(active=True).select_related("calendar_connection")
        if p.pk not in on_session
    ]
    members = [p for p in members if slots.within_hours(p, session.start_at, session.end_at)]
    held = set(
        SessionAttendee.objects.filter(
            active=True,
            interviewer__in=members,
            start_at__lt=session.end_at,
            end_at__gt=session.start_at,
        ).values_list("interviewer", flat=True)
    )
    members = [p for p in members if p.pk not in held]
    try:
        busy = slots.busy_blocks(members, session.start_at, session.end_at)
    except slots.CalendarsUnavailable:
        busy = {}
    return [
        p
        for p in members
        if not any(a < session.end_at and b > session.start_at for a, b in busy.get(str(p.pk), ()))
    ]


@_atomic_booking
def swap_attendee(session, attendee, replacement, *, user=None):
    """Put `replacement` in `attendee`'s pool seat; the event and ATS interview follow.

    What the form offered is checked again under the locks: BookingError when the
    interview was canceled, the seat was swapped already or the replacement left the team;
    SlotTaken when the replacement was booked at that time meanwhile."""
    interview = Interview.objects.select_for_update().get(pk=session.interview_id)
    if not interview.is_active:
        raise BookingError("This interview was canceled.")
    locked = Interviewer.objects.select_for_update().filter(pk=replacement.pk).first()
    if locked is None or not locked.active or locked.tenant_id != interview.tenant_id:
        raise BookingError(f"{replacement} is not an active interviewer of this team.")
    replacement = locked
    retired = SessionAttendee.objects.filter(pk=attendee.pk, active=True).update(active=False)
    if not retired:
        raise BookingError("This seat changed meanwhile: look again at who sits on the session.")
    clash = SessionAttendee.objects.filter(
        active=True,
        interviewer=replacement,
        start_at__lt=session.end_at,
        end_at__gt=session.start_at,
    ).exists()
    if clash:
        raise SlotTaken([replacement])
    SessionAttendee.objects.create(
        session=session,
        interviewer=replacement,
        role=SessionAttendee.Role.POOL,
        pool_id=attendee.pool_id,
        start_at=session.start_at,
        end_at=session.end_at,
    )
    # A new revision of the event: the seat's release outranks the invitation it had, and a
    # later invitation to the same person (swapped back in) outranks that release.
    interview.ics_sequence += 1
    interview.save(update_fields=["ics_sequence", "updated_at"])
    event_op = _follow_up(session, Operation.Kind.UPDATE_EVENT, Operation.Kind.CREATE_EVENT)
    _follow_up(session, Operation.Kind.UPDATE_ATS_INTERVIEW, Operation.Kind.CREATE_ATS_INTERVIEW)
    invite_interviewers(session, [replacement.pk], depends_on=event_op)
    invite_interviewers(session, [attendee.interviewer_id], depends_on=event_op, canceled=True)
    # The decline is settled by the swap; other flagged matters still wait.
    declined = f"{attendee.interviewer.name} declined “"
    if any(line.startswith(declined) for line in interview.flag.splitlines()):
        interview.set_flag("", replaces=declined)
        interview.save(update_fields=["flag", "updated_at"])
    audit(
        interview.tenant,
        "interview.swapped",
        f"Swapped {replacement} in for {attendee.interviewer} on “{session.title}”",
        actor=user,
        obj=interview,
    )
