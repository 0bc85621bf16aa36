"""Reminders before an interview: to the candidate (the team's times, 24 hours and 1 hour
before by default, unless the plan turns them off) and to each interviewer of a session (1
hour before by default). docs/design.md ("Reminders") says why these rules.

* `due` is the one decision of which reminder to send now, for one start: none once it has
  started; none whose time came before the people knew the current start (booked or moved
  3 hours before, the confirmation just went out: no 24-hour reminder); of those whose
  time has come, only the closest (a worker that was down sends the 1-hour reminder, not
  the 24-hour one as well; one that comes due while the worker was down is still sent if
  nothing closer is due). Times are instants, so "24 hours before" is 24 real hours,
  across a change of clocks.
* The periodic job (`queue_due`, per tenant, every minute) writes a `Reminder` row and its
  email in the outbox in one transaction. The row's key (who, what, how long before, the
  start it is for) is unique in the database: two runners queue one reminder once, and a
  move makes new keys due.
* The outbox sends the email when it gets to it, as the interview is then: a reminder for a
  canceled interview, a start that moved, a session its interviewer left, a start that has
  passed, or one a closer reminder has replaced is skipped, its result saying why.
* `for_interview` says, for the interview page and the admin, which went out and which are
  to come, one line each.
"""

import dataclasses
import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import emails, outbox
from .lib import durations, zones
from .models import (
    Interview,
    InterviewSession,
    Operation,
    Reminder,
    SessionAttendee,
)

logger = logging.getLogger(__name__)

CANDIDATE_EMAIL = "interview_reminder"
INTERVIEWER_EMAIL = "interviewer_reminder"


# --- the decision -----------------------------------------------------------------------------


def _utc(value):
    # Python adds and compares two datetimes of one zone by their wall clocks: in UTC, a
    # day before is 24 real hours before, whatever the clocks did.
    return value.astimezone(dt.UTC)


# A candidate's reminder that would come as their changes close, or in the hour after (the
# 24-hour reminder and the 24-hour cut-off, by default), goes out this long before they close
# instead: a reminder is where they find the link to move or cancel, and it must still work.
BEFORE_CUTOFF = dt.timedelta(hours=1)


def _at(start, minutes, cutoff=None):
    """When the reminder `minutes` before `start` goes out; `cutoff` is when the candidate's
    changes close (their reminders only)."""
    at = _utc(start) - dt.timedelta(minutes=minutes)
    if cutoff is not None and _utc(cutoff) <= at < _utc(cutoff) + BEFORE_CUTOFF:
        return _utc(cutoff) - BEFORE_CUTOFF
    return at


def due(minutes_before, start, known_since, now, cutoff=None):
    """The reminder (minutes before `start`) to send at `now`, or None: the closest of those
    whose time has come, has not passed the start, and came after `known_since` (when the
    people were told the current start). `cutoff`: see `_at`."""
    start, known_since, now = _utc(start), _utc(known_since), _utc(now)
    if now >= start:
        return None
    came = [m for m in minutes_before if known_since < _at(start, m, cutoff) <= now]
    return min(came, default=None)


@dataclasses.dataclass(frozen=True)
class Mark:
    minutes: int
    at: dt.datetime
    # planned (still to come), due (the one `due` picks now), replaced (its time came but a
    # closer one is due), late (its time came before the people knew the start).
    state: str


def marks(minutes_before, start, known_since, now, cutoff=None):
    """Every reminder time for one start, and what becomes of it (for the pages)."""
    chosen = due(minutes_before, start, known_since, now, cutoff)
    known_since, now = _utc(known_since), _utc(now)
    out = []
    for m in sorted(minutes_before, reverse=True):
        at = _at(start, m, cutoff)
        if at <= known_since:
            state = "late"
        elif at > now:
            state = "planned"
        elif m == chosen:
            state = "due"
        else:
            state = "replaced"
        out.append(Mark(m, at, state))
    return out


def candidate_days(interview):
    """Each day of the interview on the candidate's clock, as its reminders see it: (the
    day's first start, when the day before it ended, or None for the first day). A loop over
    two days has the team's reminders before each; those of a later day that would come
    before the day before it ended (the 24-hour one, while they are with the team) are not
    sent, as `due` leaves out what came before the times were known."""
    zone = zones.zone(interview.candidate_zone_name)
    days = {}
    for session in sorted(interview.sessions.all(), key=lambda x: x.start_at):
        day = timezone.localtime(session.start_at, zone).date()
        first, last = days.get(day, (session.start_at, session.end_at))
        days[day] = (min(first, session.start_at), max(last, session.end_at))
    out, before = [], None
    for first, last in (days[d] for d in sorted(days)):
        out.append((first, before))
        before = last
    return out or [(interview.start_at, None)]


def _known(interview, after):
    known = interview.times_known_since
    return max(known, after) if after is not None else known


def _day(local):
    return f"{local:%a} {local.day} {local:%b}"


# --- queuing ----------------------------------------------------------------------------------


def _candidate_interviews(tenant, now, longest):
    return (
        Interview.objects.active()
        # A reminder may be brought forward before the cut-off (`_at`): by two hours at most.
        # Not ended (a later day of a loop may be to come).
        .filter(tenant=tenant, end_at__gt=now)
        .filter(start_at__lte=now + dt.timedelta(minutes=longest) + 2 * BEFORE_CUTOFF)
        # A plan may turn the candidate's reminders off; an interview without a plan has them.
        .filter(Q(plan__isnull=True) | Q(plan__candidate_reminders=True))
        .select_related("application__candidate", "plan")
        .prefetch_related("sessions")
    )


def _seats(tenant, now, longest):
    return (
        SessionAttendee.objects.filter(
            active=True,
            session__interview__tenant=tenant,
            session__interview__status=Interview.Status.SCHEDULED,
            session__start_at__gt=now,
            session__start_at__lte=now + dt.timedelta(minutes=longest),
        )
        .exclude(response=SessionAttendee.Response.DECLINED)
        .select_related("session__interview", "interviewer")
    )


def queue_due(tenant, now=None):
    """Queue the tenant's reminders that are due now; returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    minutes = tenant.candidate_reminder_minutes or []
    if minutes:
        interviews = list(_candidate_interviews(tenant, now, max(minutes)))
        have = set(
            Reminder.objects.filter(
                interview__in=interviews, interviewer__isnull=True
            ).values_list("interview_id", "minutes_before", "for_start_at")
        )
        for interview in interviews:
            if not interview.application.candidate.email:
                continue  # the page says they get none
            cutoff = interview.candidate_change_deadline
            for start, after in candidate_days(interview):
                m = due(minutes, start, _known(interview, after), now, cutoff)
                if m is None or (interview.pk, m, start) in have:
                    continue
                queued += _queue(interview, None, None, m, start, cutoff)
    minutes = tenant.interviewer_reminder_minutes or []
    if minutes:
        seats = list(_seats(tenant, now, max(minutes)))
        have = set(
            Reminder.objects.filter(
                session__in={s.session_id for s in seats}, interviewer__isnull=False
            ).values_list("session_id", "interviewer_id", "minutes_before", "for_start_at")
        )
        for seat in seats:
            session, interview = seat.session, seat.session.interview
            m = due(minutes, session.start_at, interview.times_known_since, now)
            key = (session.pk, seat.interviewer_id, m, session.start_at)
            if m is None or key in have or not seat.interviewer.email:
                continue
            queued += _queue(interview, session, seat.interviewer, m, session.start_at)
    return queued


def _queue(interview, session, interviewer, minutes, start, cutoff=None):
    who = interviewer.name if interviewer else interview.application.candidate.name
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                tenant_id=interview.tenant_id,
                interview=interview,
                session=session,
                interviewer=interviewer,
                minutes_before=minutes,
                for_start_at=start,
                due_at=_at(start, minutes, cutoff),
            )
            op = outbox.add(
                interview.tenant,
                Operation.Kind.SEND_EMAIL,
                interview=interview,
                session=session,
                payload={
                    "kind": INTERVIEWER_EMAIL if interviewer else CANDIDATE_EMAIL,
                    "reminder": str(reminder.pk),
                    "about": f"Reminder to {who}, {durations.words(minutes)} before",
                },
            )
            Reminder.objects.filter(pk=reminder.pk).update(operation=op)
    except IntegrityError:
        # Another runner queued this very reminder a moment ago.
        return 0
    return 1


def run_due(tenant):
    """The periodic job (per tenant)."""
    queued = queue_due(tenant)
    return f"queued {queued} reminders" if queued else None


# --- sending ----------------------------------------------------------------------------------


def why_not(reminder, now):
    """Why a queued reminder must not go out now, in words; "" when it should."""
    interview = reminder.interview
    if not interview.is_active:
        return "the interview was canceled"
    if reminder.for_candidate:
        start = reminder.for_start_at
        if start not in {first for first, _after in candidate_days(interview)}:
            return "the interview moved: its reminders follow the new time"
        if interview.plan is not None and not interview.plan.candidate_reminders:
            return "the plan’s reminders to the candidate are turned off"
    else:
        session = InterviewSession.objects.filter(pk=reminder.session_id).first()
        if session is None:
            return "the session is gone"
        start = session.start_at
        if start != reminder.for_start_at:
            return "the session moved: its reminders follow the new time"
        seat = SessionAttendee.objects.filter(
            session=session, interviewer=reminder.interviewer_id, active=True
        ).first()
        if seat is None:
            return f"{reminder.interviewer.name} is no longer on this session"
        if seat.response == SessionAttendee.Response.DECLINED:
            return f"{reminder.interviewer.name} declined it"
    if now >= start:
        return "the interview had already started"
    closer = (
        Reminder.objects.filter(
            interview=interview,
            session=reminder.session_id,
            interviewer=reminder.interviewer_id,
            for_start_at=reminder.for_start_at,
            minutes_before__lt=reminder.minutes_before,
            due_at__lte=now,
        )
        .order_by("minutes_before")
        .first()
    )
    if closer is not None:
        return f"the {durations.words(closer.minutes_before)} reminder replaced it"
    return ""


@outbox.sends(CANDIDATE_EMAIL, INTERVIEWER_EMAIL)
def send_email(op):
    """A reminder, when the outbox gets to it: sent as the interview is now, or skipped."""
    reminder = (
        Reminder.objects.select_related(
            "interview__tenant",
            "interview__plan",
            "interview__application__candidate",
            "interview__application__job",
            "interviewer",
        )
        .filter(pk=op.payload.get("reminder"))
        .first()
    )
    if reminder is None:
        return {"skipped": True, "why": "the reminder is gone"}
    now = timezone.now()
    why = why_not(reminder, now)
    if why:
        return {"skipped": True, "why": why}
    interview = reminder.interview
    if reminder.for_candidate:
        candidate = interview.application.candidate
        if not candidate.email:
            return {"skipped": True, "unsent": True, "why": f"{candidate} has no email address"}
        day = reminder.for_start_at
        sent = emails.reminder_to_candidate(interview, day=day, **_changes(interview, now))
    else:
        person = reminder.interviewer
        if not person.email:
            return {"skipped": True, "unsent": True, "why": f"{person} has no email address"}
        session = InterviewSession.objects.get(pk=reminder.session_id)
        sent = emails.reminder_to_interviewer(session, person)
    return {"sent_email": str(sent.pk)}


def _changes(interview, now):
    """What the candidate's reminder says of changing the interview: their page and until
    when they may use it, or that it is too late to change online (the page still says how
    to reach the team)."""
    page = emails.manage_url(interview)
    allowed = interview.candidate_changes(now)
    if allowed.cancel:
        zone = zones.zone(interview.candidate_zone_name)
        return {
            "manage_url": page,
            "change_until": timezone.localtime(allowed.deadline, zone),
            # Moved as often as they may online: their page cancels, and says whom to ask.
            "moves_used": not allowed.reschedule,
        }
    return {"changes_closed": True, "contact_url": page}


# --- what the pages show ----------------------------------------------------------------------


@dataclasses.dataclass
class Line:
    """One reminder as a page says it: to whom, how long before, and what became of it."""

    to: str
    minutes: int
    state: str  # sent, sending, planned, due, not_sent, failed
    at: dt.datetime | None = None  # when it went out, or is to
    why: str = ""
    session: str = ""  # the session's title, for an interviewer's

    @property
    def before(self):
        return durations.words(self.minutes)


def _line_of_row(row, to, session_title):
    op = row.operation
    m = row.minutes_before
    if op is None:
        return Line(to, row.minutes_before, "sending", row.due_at, session=session_title)
    if op.status == Operation.Status.DONE:
        return Line(to, row.minutes_before, "sent", op.done_at, session=session_title)
    if op.status == Operation.Status.SKIPPED:
        why = (op.result or {}).get("why", "")
        return Line(to, row.minutes_before, "not_sent", op.done_at, why, session_title)
    if op.status == Operation.Status.FAILED:
        return Line(to, m, "failed", op.last_error_at, op.last_error, session_title)
    return Line(to, row.minutes_before, "sending", row.due_at, session=session_title)


# A planned candidate's reminder brought forward before the cut-off (`_at`), as the page says.
_EARLY = "an hour before changes online close, so its link still works"

_MARK_WHY = {
    "day_before": "its time came while the day before was still going on",
    "booked": "the interview was booked after this reminder’s time; the confirmation went "
    "out instead",
    "moved": "the interview was moved after this reminder’s time; the email with the new "
    "time went out instead",
    "replaced": "a closer reminder was due by the time Convene got to it",
}


def _lines_for(
    to, session_title, minutes_before, start, interview, now, rows, cutoff=None, after=None
):
    """The lines of one recipient's reminders for one start: what was queued (rows), then
    each of the team's times not queued yet. `cutoff`: the candidate's (see `_at`); `after`:
    when the day before a later day of a loop ended (see `candidate_days`)."""
    lines = []
    queued = set()
    for row in rows:
        if row.for_start_at != start and (
            row.operation is None or row.operation.status != Operation.Status.DONE
        ):
            continue  # for an earlier time, and never sent: nothing to tell
        queued.add((row.minutes_before, row.for_start_at))
        lines.append(_line_of_row(row, to, session_title))
    known_since = _known(interview, after)
    late = "moved" if interview.times_changed_at else "booked"
    if after is not None and known_since == after:
        late = "day_before"
    for mark in marks(minutes_before, start, known_since, now, cutoff) if now < start else ():
        if (mark.minutes, start) in queued:
            continue
        if mark.state in ("planned", "due"):
            early = mark.at != _at(start, mark.minutes)
            why = _EARLY if early and mark.state == "planned" else ""
            lines.append(Line(to, mark.minutes, mark.state, mark.at, why, session_title))
        else:
            why = _MARK_WHY[late if mark.state == "late" else mark.state]
            lines.append(Line(to, mark.minutes, "not_sent", mark.at, why, session_title))
    # As they come: the longest before first.
    return sorted(lines, key=lambda line: -line.minutes)


@dataclasses.dataclass
class Overview:
    candidate: list
    interviewers: list
    # Why the candidate gets none, in words ("" when they do).
    candidate_none: str = ""
    interviewers_none: str = ""


def for_interview(interview, now=None):
    """Which reminders went out and which are to come, for the interview page."""
    now = now or timezone.now()
    tenant = interview.tenant
    rows = list(
        interview.reminders.select_related("operation", "interviewer").order_by(
            "due_at", "minutes_before"
        )
    )
    active = interview.is_active
    candidate = interview.application.candidate
    minutes = tenant.candidate_reminder_minutes or []
    plan_off = interview.plan is not None and not interview.plan.candidate_reminders
    candidate_none = ""
    if not minutes:
        candidate_none = "The team sends candidates no reminders (Settings → Team)."
    elif plan_off:
        candidate_none = f"The plan “{interview.plan}” sends the candidate no reminders."
    elif not candidate.email:
        candidate_none = f"{candidate.name} has no email address, so gets no reminders."
    planned = minutes if active and not candidate_none else []
    mine = [r for r in rows if r.for_candidate]
    days = candidate_days(interview)
    later = {first for first, _after in days[1:]}
    zone = zones.zone(interview.candidate_zone_name)
    candidate_lines = []
    for first, after in days:
        # A loop over several days: each day's reminders, the later days' named.
        title = "" if after is None else f"candidate, {_day(timezone.localtime(first, zone))}"
        theirs = [
            r
            for r in mine
            if (r.for_start_at == first) or (after is None and r.for_start_at not in later)
        ]
        candidate_lines += _lines_for(
            candidate.name,
            title,
            planned,
            first,
            interview,
            now,
            theirs,
            interview.candidate_change_deadline,
            after,
        )

    minutes = tenant.interviewer_reminder_minutes or []
    interviewers_none = (
        "" if minutes else "The team sends interviewers no reminders (Settings → Team)."
    )
    interviewer_lines = []
    sessions = interview.sessions.order_by("start_at", "position").prefetch_related(
        "attendees__interviewer"
    )
    for session in sessions:
        seated = {
            a.interviewer_id: a.interviewer
            for a in session.attendees.all()
            if a.active and a.response != SessionAttendee.Response.DECLINED
        }
        theirs = {}
        for row in rows:
            if row.session_id == session.pk:
                theirs.setdefault(row.interviewer_id, []).append(row)
        people = {**{pid: r[0].interviewer for pid, r in theirs.items()}, **seated}
        for pid, person in sorted(people.items(), key=lambda item: item[1].name):
            planned = minutes if active and pid in seated and person.email else []
            interviewer_lines += _lines_for(
                person.name,
                session.title,
                planned,
                session.start_at,
                interview,
                now,
                theirs.get(pid, []),
            )
    return Overview(candidate_lines, interviewer_lines, candidate_none, interviewers_none)
