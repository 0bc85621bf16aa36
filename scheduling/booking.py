"""Booking, changing and cancelling interviews.

`book` writes a new interview; `change` is the one way an interview's times or people
change, whoever asks (the recruiter's picker and swaps, the candidate's link, an organizer's
move in the calendar, a move in the ATS, the demo command); `cancel` ends it. Each runs in
one database transaction that also writes the operations carrying the change to the
calendar, the ATS and the people (the outbox runs them after the commit: outbox.py,
writeback.py).

Two people racing for one interviewer's time get one booking and one SlotTaken. That is the
database's guarantee, not the code's timing: on SQLite every transaction is IMMEDIATE (it
takes the write lock before it reads, settings.py), so the check and the insert of two
bookings cannot interleave; on PostgreSQL the bookers lock the application's row, then the
interviewers' rows in a fixed order, and an exclusion constraint refuses overlapping active
attendances even if a code path forgot the lock.
"""

import contextlib
import dataclasses
import datetime as dt
import functools
import itertools
import time

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import TextChoices
from django.utils import timezone

from . import feedback, outbox, signals, slots
from .lib import reasons, zones
from .models import (
    CandidateInvitation,
    Flag,
    Interview,
    InterviewChange,
    Interviewer,
    InterviewSession,
    NoShow,
    Operation,
    SessionAttendee,
    Trainee,
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
        ids = [seat.pid for seat in session.people]
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
        ids = [str(seat.pid) for seat in session.people]
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
    ordered = sorted(
        session_choice.people, key=lambda p: {"required": 0, "pool": 1}.get(p.role, 2)
    )
    for seat in ordered:
        person = people.get(str(seat.pid))
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
            plan_session_id=int(chosen.key) if chosen.key else None,
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
                interviewer_id=seat.pid,
                role=seat.role,
                pool_id=seat.pool,
                training_id=seat.training,
                start_at=chosen.start,
                end_at=chosen.end,
            )
            for seat in chosen.people
        )
        sessions.append(session)
    return sessions


def _write_out(interview, sessions, email_kind, email_extra=None):
    """The operations that carry a new or changed interview outside: per session the event,
    then the ATS interview that points at it; then the candidate's email."""
    last_event_op = None
    for session in sessions:
        event_op = outbox.add(
            interview.tenant,
            Operation.Kind.CREATE_EVENT,
            interview=interview,
            session=session,
            depends_on=last_event_op,
        )
        outbox.add(
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
    names = dict(Interviewer.objects.filter(pk__in=interviewer_ids).values_list("pk", "name"))
    names = {**{str(k): v for k, v in names.items()}, **names}
    return [
        outbox.add(
            session.interview.tenant,
            Operation.Kind.SEND_EMAIL,
            interview=session.interview,
            session=session,
            depends_on=depends_on,
            payload={
                "kind": "interviewer_invitation",
                "interviewer": str(pid),
                "canceled": canceled,
                "about": f"{'Cancellation' if canceled else 'Invitation'} for {names.get(pid)}",
            },
        )
        for pid in interviewer_ids
    ]


CANDIDATE_EMAILS = {
    "interview_confirmed": "The confirmation",
    "interview_rescheduled": "The new time",
    "interview_canceled": "The cancellation",
}


def _candidate_events(interview, *, depends_on=None):
    """When the calendar invites the candidate to their own event, bring those events to
    the interview as it is (after the interviewers' events, whose meeting link they carry).
    Queued wherever the candidate is told of their interview, and on every cancel."""
    if interview.candidate_invitation == CandidateInvitation.CANDIDATE_EVENT:
        outbox.add(
            interview.tenant,
            Operation.Kind.SYNC_CANDIDATE_EVENTS,
            interview=interview,
            depends_on=depends_on,
        )


def _email(interview, kind, *, depends_on=None, extra=None):
    # The email waits for the events so that it carries the video links they get.
    _candidate_events(interview, depends_on=depends_on)
    candidate = interview.application.candidate
    return outbox.add(
        interview.tenant,
        Operation.Kind.SEND_EMAIL,
        interview=interview,
        depends_on=depends_on,
        payload={
            "kind": kind,
            "extra": extra or {},
            "about": f"{CANDIDATE_EMAILS[kind]} to {candidate.name}",
        },
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
    candidate_phone="",
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
        stage_name=application.original_status[:200],
        stage_entered_at=application.stage_entered_at,
        source=source,
        start_at=choice.start,
        end_at=choice.end,
        candidate_timezone=candidate_timezone,
        location_kind=plan.location_kind if plan else "",
        location_detail=plan.location_detail if plan else "",
        location_notes=plan.location_notes if plan else "",
        candidate_phone=candidate_phone[:64],
        agenda=plan.agenda if plan else "",
        candidate_invitation=application.tenant.candidate_invitation,
        created_by=user if user is not None and user.is_authenticated else None,
        override_reason=override_reason,
    )
    sessions = _write_sessions(interview, choice, people)
    _write_out(interview, sessions, "interview_confirmed", email_extra)
    # The one history entry of a booking, whoever booked (the candidate's link writes none
    # of its own), its time on the team's clock with the zone named in words
    # ("Berlin time (Germany, UTC+1)").
    zone = zones.zone(interview.tenant.default_timezone)
    named = zones.describe(zone.key, interview.start_at)
    when = f"{_local_dated(interview.start_at, zone)} {named}"
    if source == Interview.Source.CANDIDATE:
        what = f"{application.candidate} booked {when} from their booking link"
    else:
        what = f"Booked {application.candidate} for {when}"
    audit(
        interview.tenant,
        "interview.booked",
        what + (f" (availability overridden: {override_reason})" if override_reason else ""),
        actor=user,
        actor_label=actor_label,
        obj=interview,
        interviewers=[str(p) for p in people.values()],
    )
    signals.interview_booked.send(sender=Interview, interview=interview)
    return interview


# --- changing an interview's times or people: one path for every source ---------------------


class By(TextChoices):
    """Who changed an interview (the audit entry names them)."""

    RECRUITER = "recruiter", "the recruiter"
    CANDIDATE = "candidate", "the candidate"
    CALENDAR = "calendar", "the calendar"
    ATS = "ats", "the ATS"
    DEMO = "demo", "the demo"


# Sources that report a change already made elsewhere: Convene follows it, whatever rules it
# breaks, and flags those for the recruiter instead of refusing.
OUTSIDE = (By.CALENDAR, By.ATS, By.DEMO)


@dataclasses.dataclass(frozen=True)
class Move:
    """What changes on one session: its times, and (when given) who sits on it."""

    session: InterviewSession
    start: dt.datetime
    end: dt.datetime
    # (slots.Seat or (interviewer id, role, pool id[, trainee id]), …), or None to keep them
    people: tuple | None = None


@dataclasses.dataclass(frozen=True)
class Changed:
    interview: Interview
    summary: str  # what the history says happened


def moves_for(interview, choice):
    """The moves that take the interview's sessions to `choice`: matched by plan session
    when both know it, else by position."""
    sessions = list(interview.sessions.order_by("position"))
    if len(sessions) != len(choice.sessions):
        raise BookingError("The new time does not have the same sessions as the interview.")
    by_key = {c.key: c for c in choice.sessions if c.key}
    if all(s.plan_session_id and str(s.plan_session_id) in by_key for s in sessions):
        pairs = [(s, by_key[str(s.plan_session_id)]) for s in sessions]
    else:
        pairs = list(zip(sessions, choice.sessions, strict=True))
    return [Move(s, c.start, c.end, c.people) for s, c in pairs]


def _seats(session):
    """{interviewer id: (role, pool id, trainee id)} of the session's active attendees."""
    return {
        str(a.interviewer_id): (
            a.role,
            a.pool_id,
            str(a.training_id) if a.training_id is not None else None,
        )
        for a in session.attendees.filter(active=True)
    }


def _changes_anything(move):
    session = move.session
    if (move.start, move.end) != (session.start_at, session.end_at):
        return True
    if move.people is None:
        return False
    return {seat.pid: tuple(seat[1:]) for seat in slots.seats_of(move.people)} != _seats(session)


def _local(value, zone):
    local = timezone.localtime(value, zone)
    return f"{_day(local)} {local:%H:%M}"


def _local_dated(value, zone):
    """ "Fri 4 Dec 2026 10:00": a time on `zone`'s clock, with its year."""
    local = timezone.localtime(value, zone)
    return f"{_day(local)} {local:%Y %H:%M}"


def _day(value):
    """ "Wed 9 Dec": a day as every page writes it (no leading zero)."""
    return f"{value:%a} {value.day} {value:%b}"


@_atomic_booking
def change(
    interview,
    moves,
    *,
    by,
    user=None,
    actor_label="",
    reason="",
    override_reason="",
    email_extra=None,
    candidate_message=None,
):
    """Change some of the interview's sessions (times and/or people): the one place where
    an interview's times or people change, whoever asks.

    `reason` (a reasons.Reason, or words) is kept as data with the change and goes to the
    history; the candidate's email carries `candidate_message` when given (a recruiter's
    note; "" for the candidate's own move), else the reason's words.

    It locks the interview, moves the sessions and their active attendees, keeps the
    interview's span its sessions' first start to last end, raises the .ics sequence once,
    queues the calendar and ATS updates (not to where the change came from), re-invites,
    withdraws feedback asked too early, sets or clears the flags the new times call for,
    tells the candidate (unless the sessions no longer fit together: then the recruiter
    decides first) and writes one audit entry naming the source.

    The recruiter's and the candidate's changes are checked first (SlotTaken when a person
    is held then, unless overridden); changes from outside (`OUTSIDE`) have happened already
    and are followed, with what they break flagged. Returns a Changed.
    """
    interview = (
        Interview.objects.select_for_update(of=("self",))
        .select_related("plan", "tenant")
        .get(pk=interview.pk)
    )
    if not interview.is_active:
        raise BookingError("This interview was canceled; book a new one instead.")
    given = reasons.Reason.of(reason)
    reason = given.words
    sessions = {s.pk: s for s in interview.sessions.select_related("calendar_connection")}
    moves = [
        dataclasses.replace(m, session=sessions[m.session.pk])
        for m in moves
        if m.session.pk in sessions
    ]
    moves = [m for m in moves if _changes_anything(m)]
    if not moves:
        return Changed(interview, f"{interview}: nothing changed.")
    choice = slots.Choice(
        tuple(
            slots.SessionChoice(
                m.session.title,
                m.start,
                m.end,
                tuple(m.people)
                if m.people is not None
                else tuple((pid, *seat) for pid, seat in _seats(m.session).items()),
            )
            for m in moves
        )
    )
    people = _lock_people(choice)
    if by not in OUTSIDE:
        _refuse_double_seats(choice, people)
        _refuse_conflicts(choice, people, interview.plan, override_reason, ignore=interview)

    before = {s.pk: (s.start_at, s.end_at) for s in sessions.values()}
    old_start = interview.start_at
    # The sessions move one at a time, so a person in two back-to-back sessions overlaps
    # themself until the last has moved: the database checks the end result instead.
    with _overlaps_checked_at_the_end():
        touched = [(m, _apply(m)) for m in moves]
    interview.start_at = min(s.start_at for s in sessions.values())
    interview.end_at = max(s.end_at for s in sessions.values())
    interview.ics_sequence += 1
    if override_reason:
        interview.override_reason = override_reason
    retimed = [m.session for m in moves if before[m.session.pk] != (m.start, m.end)]
    if retimed:
        # The reminders count from here: one whose time has passed is not sent.
        interview.times_changed_at = timezone.now()
    interview.save(
        update_fields=[
            "start_at",
            "end_at",
            "ics_sequence",
            "override_reason",
            "times_changed_at",
            "updated_at",
        ]
    )

    for move, (joined, left) in touched:
        session = move.session
        event_op = None
        if by != By.CALENDAR:
            event_op = outbox.add(
                interview.tenant, Operation.Kind.UPDATE_EVENT, interview=interview,
                session=session,
            )  # fmt: skip
        if by != By.ATS:
            # After the event's write, as at booking: the ATS interview points at the event,
            # which may only now be created (its create superseded by this update).
            outbox.add(
                interview.tenant, Operation.Kind.UPDATE_ATS_INTERVIEW, interview=interview,
                session=session, depends_on=event_op,
            )  # fmt: skip
        # After the sequence rose, so that each .ics outranks the one before. A calendar that
        # sends no invitations tells nobody else of a move its organizer made either.
        if by != By.DEMO:  # the demo moves an interview into the past, telling nobody
            invite = seated(session) if session in retimed else joined
            invite_interviewers(session, invite, depends_on=event_op)
            invite_interviewers(session, left, depends_on=event_op, canceled=True)
        for pid in left:
            # Whoever left the seat no longer declines it, nor needs swapping out.
            interview.clear_flags(
                Flag.Kind.DECLINED, Flag.Kind.CANT_MAKE_IT, session=session, interviewer=pid
            )
    if retimed:
        feedback.withdraw_if_moved_ahead(interview)
        _forget_no_shows_moved_ahead(interview)
    broken = _settle_flags(interview, retimed, by)

    zone = zones.zone(interview.tenant.default_timezone)
    summary = _summary(interview, moves, touched, by, before, old_start, zone, broken, people)
    if retimed and by != By.DEMO:
        _record_change(interview, InterviewChange.Kind.RESCHEDULED, by, given)
    if retimed and by != By.DEMO and not broken:
        message = reason if candidate_message is None else candidate_message
        extra = {**(email_extra or {}), **({"reason": message} if message else {})}
        if by in (By.CALENDAR, By.ATS) and not reason:
            extra["reason"] = f"The interviewers moved the interview in {by.label}."
        _email(interview, "interview_rescheduled", extra=extra)
    audit(
        interview.tenant,
        _AUDIT_KIND[by] if retimed else "interview.swapped",
        summary + (f": {reason}" if reason and by not in OUTSIDE else ""),
        actor=user,
        actor_label=actor_label,
        obj=interview,
        by=by.value,
        reason=reason,
        reason_code=given.code,
    )
    signals.interview_changed.send(sender=Interview, interview=interview, retimed=bool(retimed))
    return Changed(interview, summary)


def _record_change(interview, kind, by, reason):
    """The change as data: who asked and the reason given (the candidate's reschedules are
    counted from these rows: Interview.candidate_changes)."""
    InterviewChange.objects.create(
        tenant=interview.tenant,
        interview=interview,
        kind=kind,
        by=str(by or ""),
        reason_code=reason.code,
        reason_label=reason.label[: reasons.MAX_LABEL],
        reason_text=reason.text,
    )


_AUDIT_KIND = {
    By.RECRUITER: "interview.rescheduled",
    By.CANDIDATE: "interview.rescheduled",
    By.CALENDAR: "interview.moved_elsewhere",
    By.ATS: "interview.moved_elsewhere",
    By.DEMO: "interview.time_travel",
}


@contextlib.contextmanager
def _overlaps_checked_at_the_end():
    """Defer PostgreSQL's no-double-booking check  over the block, then check
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


def _forget_no_shows_moved_ahead(interview):
    """A no-show mark on a session that now ends in the future was about a meeting that
    has not happened yet: it goes (the history keeps it), and the ATS updates this change
    queues write the session's status without it."""
    stale = NoShow.objects.filter(interview=interview, session__end_at__gt=timezone.now())
    texts = [mark.text for mark in stale.select_related("session", "interviewer")]
    if texts:
        stale.delete()
        audit(
            interview.tenant,
            "interview.no_show_cleared",
            f"Cleared {'; '.join(f'“{t}”' for t in texts)}: the session moved to a time "
            "that has not come yet.",
            actor_label="Convene",
            obj=interview,
        )


def _apply(move):
    """Move one session and its people; returns (who joined, who left) as interviewer ids."""
    session = move.session
    session.start_at, session.end_at = move.start, move.end
    session.save(update_fields=["start_at", "end_at"])
    if move.people is None:
        SessionAttendee.objects.filter(session=session, active=True).update(
            start_at=move.start, end_at=move.end
        )
        return [], []
    return _set_attendees(session, move.people)


def _set_attendees(session, people):
    """Keep attendees who stay (moving their times), retire those who leave, add new ones.
    Returns (ids who joined, ids who left)."""
    wanted = {seat.pid: seat for seat in slots.seats_of(people)}
    left = []
    for attendee in session.attendees.filter(active=True):
        if str(attendee.interviewer_id) in wanted:
            seat = wanted.pop(str(attendee.interviewer_id))
            attendee.start_at, attendee.end_at = session.start_at, session.end_at
            # Who stays keeps their seat, or takes the one they are given now (a member who
            # becomes the trainer of a trainee who leads).
            attendee.role, attendee.pool_id, attendee.training_id = seat[1:]
            attendee.save(update_fields=["start_at", "end_at", "role", "pool", "training"])
        else:
            attendee.active = False
            attendee.save(update_fields=["active"])
            left.append(attendee.interviewer_id)
    for pid, seat in wanted.items():
        SessionAttendee.objects.create(
            session=session,
            interviewer_id=pid,
            role=seat.role,
            pool_id=seat.pool,
            training_id=seat.training,
            start_at=session.start_at,
            end_at=session.end_at,
        )
    return list(wanted), left


def _settle_flags(interview, retimed, by):
    """The flags the interview's new times call for. Returns the loop's problems (empty
    when its sessions fit together)."""
    if by == By.DEMO:
        return []
    for session in retimed:
        problems = session_problems(session)
        if problems:
            interview.raise_flag(
                Flag.Kind.RULE_BREAK,
                f"“{session.title}” is at a time that breaks a rule: {'; '.join(problems)}.",
                session=session,
            )
        else:
            interview.clear_flags(Flag.Kind.RULE_BREAK, session=session)
        if by not in OUTSIDE:
            # A new time, a new invitation: an earlier decline (or "I can't make this") was
            # of the old time.
            interview.clear_flags(Flag.Kind.DECLINED, Flag.Kind.CANT_MAKE_IT, session=session)
    problems = loop_problems(interview)
    if problems:
        moved = retimed[0] if retimed else None
        interview.raise_flag(
            Flag.Kind.LOOP_BROKEN,
            "The sessions no longer fit together: "
            + "; ".join(text for text, _sessions in problems)
            + ".",
            session=moved,
        )
    elif retimed:
        interview.clear_flags(Flag.Kind.LOOP_BROKEN)
    return problems


def session_problems(session):
    """What a session's time breaks for its people: working hours, or another of Convene's
    interviews of an attendee."""
    problems = []
    for attendee in session.attendees.filter(active=True).select_related("interviewer"):
        person = attendee.interviewer
        if not slots.within_hours(person, session.start_at, session.end_at):
            problems.append(f"outside {person.name}’s working hours")
        clash = (
            SessionAttendee.objects.filter(
                interviewer=person,
                active=True,
                start_at__lt=session.end_at,
                end_at__gt=session.start_at,
            )
            .exclude(session__interview=session.interview_id)
            .exists()
        )
        if clash:
            problems.append(f"{person.name} has another interview then")
    return problems


def loop_problems(interview):
    """What keeps the interview's sessions from being one visit under its plan, as
    [(text, sessions)]: a session that ends before it starts, two that overlap, a break
    shorter than the plan asks, sessions out of a fixed order, or on another day (the
    candidate's) than the first."""
    sessions = sorted(interview.sessions.all(), key=lambda s: (s.start_at, s.position))
    plan = interview.plan
    zone = zones.zone(interview.candidate_zone_name)
    problems = []
    for session in sessions:
        if session.end_at <= session.start_at:
            problems.append((f"“{session.title}” ends before it starts", [session]))
    for first, then in itertools.pairwise(sessions):
        gap = then.start_at - first.end_at
        if gap < dt.timedelta(0):
            problems.append((f"“{first.title}” and “{then.title}” overlap", [first, then]))
        elif plan is not None and gap < dt.timedelta(minutes=plan.break_minutes):
            minutes = int(gap.total_seconds() // 60)
            problems.append(
                (
                    f"only {minutes} minutes between “{first.title}” and “{then.title}” (the "
                    f"plan asks for {plan.break_minutes})",
                    [first, then],
                )
            )
    if plan is not None and plan.order != "any":
        for first, then in itertools.pairwise(sessions):
            if then.position < first.position:
                problems.append(
                    (f"“{first.title}” now comes before “{then.title}”", [first, then])
                )
    if sessions:
        day = timezone.localtime(sessions[0].start_at, zone).date()
        for session in sessions[1:]:
            other = timezone.localtime(session.start_at, zone).date()
            if other != day:
                problems.append(
                    (
                        f"“{session.title}” is on {_day(other)}, not {_day(day)} with "
                        f"“{sessions[0].title}”",
                        [sessions[0], session],
                    )
                )
    return problems


def _summary(interview, moves, touched, by, before, old_start, zone, broken, people):
    """The history's one line for a change, times in the team's zone (named)."""
    swaps = []
    for move, (joined, left) in touched:
        names = {str(p.pk): p.name for p in people.values()}
        out = ", ".join(
            Interviewer.objects.filter(pk__in=left).values_list("name", flat=True).order_by("name")
        )
        came = ", ".join(sorted(names.get(str(pid), str(pid)) for pid in joined))
        if came and out:
            swaps.append(f"{came} replaces {out} on “{move.session.title}”")
        elif came:
            swaps.append(f"{came} joins “{move.session.title}”")
        elif out:
            swaps.append(f"{out} leaves “{move.session.title}”")
    retimed = [m for m in moves if before[m.session.pk] != (m.start, m.end)]
    if not retimed:
        return "Swapped: " + "; ".join(swaps)
    if by in (By.CALENDAR, By.ATS):
        move = retimed[0]
        what = "The event" if by == By.CALENDAR else "The ATS interview"
        text = (
            f"{what} “{move.session.title}” was moved in {by.label} from "
            f"{_local(before[move.session.pk][0], zone)} to {_local(move.start, zone)} "
            f"{zones.describe(zone.key, move.start)}. Convene moved the interview"
            + (", the ATS interview follows" if by == By.CALENDAR else " and its calendar event")
        )
        if broken:
            text += (
                ", but its sessions no longer fit together ("
                + "; ".join(t for t, _s in broken)
                + "): the candidate is told once the recruiter settles it."
            )
        else:
            text += " and the candidate is told."
        return text
    if by == By.DEMO:
        return "Moved into the past for the demo (manage.py demo_time_travel)"
    text = (
        f"Moved the interview from {_local(old_start, zone)} to "
        f"{_local(interview.start_at, zone)} {zones.describe(zone.key, interview.start_at)}"
    )
    return text + ("; " + "; ".join(swaps) if swaps else "")


def reschedule(
    interview,
    choice,
    *,
    user=None,
    actor_label="",
    reason="",
    override_reason="",
    email_extra=None,
    by=By.RECRUITER,
    candidate_message=None,
):
    """Move the interview to `choice`: the same events and ATS interviews are updated,
    never duplicated, and the candidate is told (`email_extra` goes to their email)."""
    return change(
        interview,
        moves_for(interview, choice),
        by=by,
        user=user,
        actor_label=actor_label,
        reason=reason,
        override_reason=override_reason,
        email_extra=email_extra,
        candidate_message=candidate_message,
    ).interview


def swap_attendee(session, attendee, replacement, *, user=None):
    """Put `replacement` in `attendee`'s pool seat; the event and ATS interview follow.

    What the form offered is checked again under the locks: BookingError when the
    interview was canceled, the seat was swapped already or the replacement left the team;
    SlotTaken when the replacement was booked at that time meanwhile."""
    with transaction.atomic():
        Interview.objects.select_for_update().filter(pk=session.interview_id).first()
        replacement = Interviewer.objects.filter(pk=replacement.pk).first() or replacement
        if not replacement.active or replacement.tenant_id != session.interview.tenant_id:
            raise BookingError(f"{replacement} is not an active interviewer of this team.")
        seats = _seats(session)
        if str(attendee.interviewer_id) not in seats:
            raise BookingError(
                "This seat changed meanwhile: look again at who sits on the session."
            )
        people = [
            (pid, *seat) for pid, seat in seats.items() if pid != str(attendee.interviewer_id)
        ]
        # The newcomer takes the seat as it was: a pool's, a required person's, a trainer's,
        # a trainee's (then as the trainee they are in the same program).
        training = attendee.training_id
        if attendee.role in slots.TRAINEE_ROLES and attendee.training is not None:
            training = (
                Trainee.objects.filter(
                    program_id=attendee.training.program_id, interviewer=replacement
                )
                .values_list("pk", flat=True)
                .first()
            )
        people.append(
            (
                str(replacement.pk),
                attendee.role,
                attendee.pool_id,
                str(training) if training is not None else None,
            )
        )
        if attendee.role in slots.TRAINEE_ROLES:
            # The trainer of the trainee who leaves shadows the one who comes.
            old, new = seats[str(attendee.interviewer_id)][2], people[-1][3]
            people = [
                (pid, role, pool, new if role == slots.TRAINER and was == old else was)
                for pid, role, pool, was in people
            ]
        return change(
            session.interview,
            [Move(session, session.start_at, session.end_at, tuple(people))],
            by=By.RECRUITER,
            user=user,
        ).interview


def fit_around(interview, session, *, user=None):
    """ "Move the rest to fit": the plan's nearest whole loop that keeps `session` where it
    was moved, booked as the recruiter's change (the candidate is told the new itinerary).
    BookingError when no loop fits around it."""
    choice = slots.loop_around(interview, session)
    if choice is None:
        raise BookingError(
            f"No times fit around “{session.title}” as it is now: choose new times for the "
            "whole interview instead."
        )
    return change(
        interview,
        [m for m in moves_for(interview, choice) if m.session.pk != session.pk],
        by=By.RECRUITER,
        user=user,
        reason=f"“{session.title}” had to move, so the rest of your interview moved with it.",
    ).interview


@transaction.atomic
def keep_as_is(interview, *, user=None):
    """The recruiter decided the flagged interview stands as it is: the flags go, and a
    candidate not yet told of a move that broke the loop is told which session moved."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    flags = list(interview.flags.select_related("session"))
    if not flags:
        return interview
    audit(
        interview.tenant,
        "interview.flag_cleared",
        "Kept the interview as it is despite: " + " ".join(f.text for f in flags),
        actor=user,
        obj=interview,
    )
    broken = next((f for f in flags if f.kind == Flag.Kind.LOOP_BROKEN), None)
    interview.clear_flags()
    if broken is not None and interview.is_active:
        moved = broken.session
        zone = zones.zone(interview.candidate_zone_name)
        extra = {"reason": "The times of your interview changed; here is the whole of it."}
        if moved is not None:
            when = _local(moved.start_at, zone)
            extra = {
                "reason": f"Your session “{moved.title}” moved to {when} "
                f"{zones.describe(zone.key, moved.start_at)}; the rest of your interview is "
                "unchanged.",
                # The subject names what moved: "New time for “Technical panel”: Fri 11 Dec…"
                "moved": f"“{moved.title}”: {when}",
            }
        _email(interview, "interview_rescheduled", extra=extra)
    return interview


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
    candidate_message=None,
    by=None,
):
    """Cancel the interview: events removed, ATS interviews CANCELED, the candidate told.
    `reason` is kept and goes to the history (`audit_note` instead when given); the
    candidate's email carries `candidate_message` when given (a recruiter's note to the team
    is not theirs to read), else the reason (the candidate's own words on their page); `by`
    says who asked (the recruiter when a user cancels and nothing else is said). `reason`
    is a reasons.Reason or words; it is kept as data too (InterviewChange)."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_active:
        return interview
    given = reasons.Reason.of(reason)
    reason = given.words
    if by is None:
        by = By.RECRUITER if user is not None and user.is_authenticated else ""
    interview.status = Interview.Status.CANCELED
    interview.canceled_at = timezone.now()
    interview.cancel_reason = reason
    interview.canceled_by = by
    interview.ics_sequence += 1
    interview.save(
        update_fields=[
            "status",
            "canceled_at",
            "cancel_reason",
            "canceled_by",
            "ics_sequence",
            "updated_at",
        ]
    )
    sessions = list(interview.sessions.select_related("calendar_connection"))
    were_seated = {session.pk: seated(session) for session in sessions}
    SessionAttendee.objects.filter(session__interview=interview).update(active=False)
    for session in sessions:
        # Each supersedes what still waits on its target, or runs after what is under way.
        event_op = outbox.add(
            interview.tenant, Operation.Kind.CANCEL_EVENT, interview=interview, session=session
        )
        outbox.add(
            interview.tenant,
            Operation.Kind.CANCEL_ATS_INTERVIEW,
            interview=interview,
            session=session,
        )
        invite_interviewers(session, were_seated[session.pk], depends_on=event_op, canceled=True)
    if not notify_candidate:
        _candidate_events(interview)  # their calendar must not keep it either
    _record_change(interview, InterviewChange.Kind.CANCELED, by, given)
    if notify_candidate:
        extra = {"reason": reason if candidate_message is None else candidate_message}
        if rebook_url:
            extra["rebook_url"] = rebook_url
        _email(interview, "interview_canceled", extra=extra)
    audit(
        interview.tenant,
        "interview.canceled",
        audit_note
        or (f"Canceled the interview: {reason}" if reason else "Canceled the interview"),
        actor=user,
        actor_label=actor_label,
        obj=interview,
        by=str(by),
        reason=reason,
        reason_code=given.code,
    )
    signals.interview_canceled.send(sender=Interview, interview=interview)
    return interview
