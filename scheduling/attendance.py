"""No-shows: marking that the candidate, or an interviewer, did not attend a session.

A mark is a `NoShow` row per session (the candidate's, or one interviewer's), made only once
the session has ended and only on an interview that stands: by a recruiter from the
interview page, or by an interviewer of that session from their feedback page. What
follows, in the same transaction:

* the feedback it makes pointless is withdrawn (`feedback.withdraw_for_no_show`): all of
  the session's when the candidate was absent, the absent interviewer's otherwise;
* the ATS hears what it can take (docs/unified.md §5.5: an AtsInterview's status has no
  "no-show"): where Convene holds an ATS interview its status is brought up to date (a
  session the candidate missed is CANCELED: it did not take place; `writeback`), and where
  the ATS takes notes, a note on the application says who did not attend;
* the history says who marked it.

A mistaken mark is cleared by a recruiter (`clear`), which puts all of that back: the
feedback is asked again, the ATS interview's status follows, a note says the mark was
cleared. The interview stays scheduled either way: it did happen at its time, its events and
ATS interviews stay; its state reads "Candidate did not attend" (`Interview.no_show_text`).
"""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import feedback, outbox, signals
from .models import Interview, InterviewSession, NoShow, Operation, SessionAttendee, audit

CANDIDATE = "candidate"


class AttendanceError(Exception):
    """The mark cannot be made or cleared; the message says why, for the person asking."""


def can_mark(session, now=None):
    """Whether a no-show may be marked on this session now: it has ended, and the
    interview was not canceled."""
    now = now or timezone.now()
    return session.interview.is_active and session.end_at <= now


def absentees(session, marked=()):
    """Who may be marked absent on the session: [(value, label)], the candidate first, then
    the interviewers who sat on it (trainees too: they were expected), leaving out those
    `marked` already."""
    people = (
        SessionAttendee.objects.filter(session=session, active=True)
        .select_related("interviewer")
        .order_by("interviewer__name")
    )
    taken = {str(m.interviewer_id) if m.interviewer_id else CANDIDATE for m in marked}
    choices = [(CANDIDATE, "The candidate")]
    choices += [(str(a.interviewer_id), a.interviewer.name) for a in people]
    return [(value, label) for value, label in choices if value not in taken]


def mark(session, who, *, user=None, by_interviewer=None, now=None):
    """Mark that `who` (CANDIDATE, or an interviewer's id) did not attend the session.

    `user` is the signed-in recruiter or interviewer; `by_interviewer` the interviewer who
    marks from their feedback page (signed in or through their link), who must have sat on
    the session. Raises AttendanceError when the session has not ended, the interview was
    canceled, the person was not on it, or it is marked already."""
    now = now or timezone.now()
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=session.interview_id)
        session = InterviewSession.objects.select_related("interview").get(pk=session.pk)
        session.interview = interview
        if not interview.is_active:
            raise AttendanceError("The interview was canceled: there is no attendance to mark.")
        if session.end_at > now:
            raise AttendanceError(
                f"“{session.title}” has not ended yet: a no-show can be marked once it is over."
            )
        seated = SessionAttendee.objects.filter(session=session, active=True)
        if by_interviewer is not None and not seated.filter(interviewer=by_interviewer).exists():
            raise AttendanceError(f"You were not on “{session.title}”.")
        interviewer = None
        if who != CANDIDATE:
            attendee = seated.filter(interviewer_id=_uuid_or_none(who)).first()
            if attendee is None:
                raise AttendanceError(f"That person was not on “{session.title}”.")
            interviewer = attendee.interviewer
        marker = by_interviewer.name if by_interviewer is not None else ""
        if not marker and user is not None and user.is_authenticated:
            marker = user.get_full_name() or user.email
        try:
            with transaction.atomic():
                no_show = NoShow.objects.create(
                    tenant=interview.tenant,
                    interview=interview,
                    session=session,
                    interviewer=interviewer,
                    marked_at=now,
                    marked_by=user if user is not None and user.is_authenticated else None,
                    marked_by_label=marker,
                )
        except IntegrityError as exc:
            raise AttendanceError(f"{_who(interviewer)} was already marked absent.") from exc
        withdrawn = feedback.withdraw_for_no_show(no_show)
        _tell_ats(session)
        message = f"Marked that {no_show.clause}"
        if withdrawn:
            names = " and ".join(
                [", ".join(withdrawn[:-1]), withdrawn[-1]] if len(withdrawn) > 1 else withdrawn
            )
            message += f"; no feedback is asked of {names} for it"
        audit(
            interview.tenant,
            "interview.no_show",
            message + ".",
            actor=user,
            actor_label="" if user is not None and user.is_authenticated else marker,
            obj=interview,
            session=str(session.pk),
            who=who,
        )
        signals.attendance_changed.send(sender=NoShow, interview=interview)
    return no_show


def clear(no_show, *, user, now=None):
    """A recruiter clears a mistaken mark: the feedback it withdrew is asked again and the
    ATS follows. Returns how many people are asked for feedback again."""
    now = now or timezone.now()
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=no_show.interview_id)
        no_show = (
            NoShow.objects.select_related("session", "interviewer").filter(pk=no_show.pk).first()
        )
        if no_show is None:
            raise AttendanceError("That mark was cleared already.")
        text = no_show.text
        session = no_show.session
        no_show.delete()
        asked = feedback.restore_after_no_show(session, now=now) if interview.is_active else 0
        _tell_ats(session)
        audit(
            interview.tenant,
            "interview.no_show_cleared",
            f"Cleared the mark “{text}”"
            + (f"; {asked} asked for feedback again" if asked else "")
            + ".",
            actor=user,
            obj=interview,
            session=str(session.pk),
        )
        signals.attendance_changed.send(sender=NoShow, interview=interview)
    return asked


def _tell_ats(session):
    """Queue what the ATS can take of the session's attendance now: its ATS interview's
    status (computed when it runs, so a mark and its clearing settle on the last word) and
    a note on the application. The handlers (`writeback`) decide by the connection's
    capabilities."""
    tenant = session.interview.tenant
    if session.ats_record == InterviewSession.AtsRecord.INTERVIEW:
        outbox.add(
            tenant,
            Operation.Kind.UPDATE_ATS_INTERVIEW,
            interview=session.interview,
            session=session,
            payload={"status": "attendance"},
        )
    outbox.add(
        tenant,
        Operation.Kind.NOTE_ATTENDANCE,
        interview=session.interview,
        session=session,
        depends_on=outbox.pending_for(session, Operation.Kind.CREATE_ATS_INTERVIEW),
        payload={"about": f"Attendance of “{session.title}”"},
    )


def _who(interviewer):
    return "The candidate" if interviewer is None else interviewer.name


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
