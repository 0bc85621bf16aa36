"""The interviewer's own home: their upcoming sessions, the feedback they owe, their week's
load against their limits, and "I can't make this", which tells the recruiter and starts the
swap (docs/design.md, "One rule, one home").

Nothing here counts or describes anything itself: times and places come from `where`,
load from `load.Tally` (the count the engine's caps use, the ATS's interviews included),
feedback from `feedback.missing_for`, the notice is a flag (`Interview.raise_flag`, kind
CANT_MAKE_IT) and its email goes through the outbox. The recruiter answers it with the
interview page's Swap (`booking.swap_attendee`), which clears the flag with the seat.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import emails, feedback, load, outbox, where
from .lib import outside, reasons, zones
from .models import (
    Flag,
    Interview,
    InterviewSession,
    Membership,
    Operation,
    SessionAttendee,
    User,
    audit,
)

# Why an interviewer cannot make a session, phrased as they would say it ("Other" with
# their own words is always offered: lib.reasons).
CANT_MAKE_REASONS = [
    "A conflict came up",
    "I'm unwell",
    "I'm away or on leave",
    "I know the candidate",
]
EMAIL_KIND = "interviewer_cant_make"


class NoticeError(Exception):
    """The notice cannot be given or withdrawn (the session started, the seat is gone)."""


# --- reading ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Upcoming:
    """One session the interviewer sits in, as their home shows it."""

    seat: SessionAttendee
    session: InterviewSession
    interview: Interview
    where: where.Where
    others: list
    profile_url: str
    notice: Flag | None
    started: bool
    day: dt.date  # on the interviewer's clock

    @property
    def candidate(self):
        return self.interview.application.candidate

    @property
    def job(self):
        return self.interview.application.job


def upcoming(interviewer, now, *, limit=50):
    """The sessions `interviewer` still sits in (not ended, interview not canceled), soonest
    first, with where and how (for the team), the others on it, the candidate's profile in
    the ATS when the mirror has its address, and their own notice if they gave one."""
    seats = list(
        SessionAttendee.objects.filter(
            interviewer=interviewer,
            active=True,
            session__end_at__gt=now,
            session__interview__status=Interview.Status.SCHEDULED,
            session__interview__tenant_id=interviewer.tenant_id,
        )
        .select_related(
            "session__interview__application__candidate",
            "session__interview__application__job",
            "session__interview__tenant",
            "session__calendar_connection",
            "session__organizer",
        )
        .prefetch_related("session__attendees__interviewer")
        .order_by("session__start_at", "session__position")[:limit]
    )
    notices = {
        flag.session_id: flag
        for flag in Flag.objects.filter(
            kind=Flag.Kind.CANT_MAKE_IT,
            interviewer=interviewer,
            session__in=[seat.session for seat in seats],
        )
    }
    zone = zones.zone(interviewer.timezone)
    rows = []
    for seat in seats:
        session = seat.session
        candidate = session.interview.application.candidate
        rows.append(
            Upcoming(
                seat=seat,
                session=session,
                interview=session.interview,
                where=where.for_session(session, where.INTERVIEWER),
                others=[
                    a.interviewer.name
                    for a in session.attendees.all()
                    if a.active and a.interviewer_id != interviewer.pk
                ],
                profile_url=candidate.web_url if outside.is_web_url(candidate.web_url) else "",
                notice=notices.get(session.pk),
                started=session.start_at <= now,
                day=session.start_at.astimezone(zone).date(),
            )
        )
    return rows


def feedback_owed(interviewer, now):
    """(late, due): the feedback `interviewer` still owes, oldest first, split by whether
    its due time has passed."""
    missing = list(feedback.missing_for(interviewer).select_related("interview__application__job"))
    return [f for f in missing if f.due_at <= now], [f for f in missing if f.due_at > now]


@dataclasses.dataclass(frozen=True)
class WeekLoad:
    """This week's interviews on the interviewer's clock against their limits."""

    count: int
    cap: int | None
    days: list  # [(date, interviews, over the daily limit, today)]
    day_cap: int | None
    today: dt.date

    @property
    def full(self):
        return self.cap is not None and self.count >= self.cap

    @property
    def left(self):
        return None if self.cap is None else max(self.cap - self.count, 0)


def week_load(interviewer, now):
    """Their ISO week (Monday to Sunday, their zone) counted as the engine counts it: every
    interview they sit in, Convene's and the ATS's (`load.Tally`)."""
    pid = str(interviewer.pk)
    count, days = load.Tally([interviewer], now).week(pid, now)
    today = now.astimezone(zones.zone(interviewer.timezone)).date()
    cap = interviewer.max_interviews_per_day
    return WeekLoad(
        count=count,
        cap=interviewer.max_interviews_per_week,
        days=[(day, n, cap is not None and n >= cap, day == today) for day, n in days],
        day_cap=cap,
        today=today,
    )


# --- "I can't make this" ----------------------------------------------------------------------


def _flag_text(interviewer, session, reason):
    return f"{interviewer.name} can’t make “{session.title}”: {reason.words}"


def recruiters(interview):
    """Whom to tell: the recruiter who booked it, else (a candidate's own booking) the
    team's recruiters and admins."""
    schedulers = Membership.objects.filter(
        tenant=interview.tenant, role__in=[Membership.Role.ADMIN, Membership.Role.RECRUITER]
    )
    creator = interview.created_by
    if creator is not None and creator.email and schedulers.filter(user=creator).exists():
        return [creator]
    return list(
        User.objects.filter(memberships__in=schedulers).exclude(email="").order_by("email")
    )


def _locked_seat(seat):
    """The seat again under the interview's lock; NoticeError when it is no longer theirs
    to give notice on."""
    Interview.objects.select_for_update().filter(pk=seat.session.interview_id).first()
    seat = (
        SessionAttendee.objects.select_related("session__interview__tenant", "interviewer")
        .filter(pk=seat.pk)
        .first()
    )
    if seat is None or not seat.active or not seat.session.interview.is_active:
        raise NoticeError("You are no longer on this session: nothing to tell the recruiter.")
    return seat


def cant_make(seat, reason, *, user, now=None):
    """The interviewer tells the recruiter they cannot make `seat`'s session, and why: the
    interview is flagged (they stay on it until the recruiter swaps them), the recruiter is
    emailed through the outbox, the history says so. Giving it again replaces the reason."""
    now = now or timezone.now()
    reason = reasons.Reason.of(reason)
    with transaction.atomic():
        seat = _locked_seat(seat)
        session, interview, person = seat.session, seat.session.interview, seat.interviewer
        if session.start_at <= now:
            raise NoticeError(
                f"“{session.title}” has started: call or write to the recruiter instead."
            )
        interview.raise_flag(
            Flag.Kind.CANT_MAKE_IT,
            _flag_text(person, session, reason),
            session=session,
            interviewer=person,
            detail=reason.words,
        )
        audit(
            interview.tenant,
            "interview.cant_make_it",
            f"{person.name} told the recruiter they can’t make “{session.title}”: {reason.words}",
            actor=user,
            obj=interview,
            session=str(session.pk),
            interviewer=str(person.pk),
            reason_code=reason.code,
            reason_label=reason.label,
            reason_text=reason.text,
        )
        _tell(interview, session, person, withdrawn=False)
    return Flag.objects.get(
        interview=interview, kind=Flag.Kind.CANT_MAKE_IT, session=session, interviewer=person
    )


def withdraw(seat, *, user):
    """The interviewer can make it after all: the flag goes, the recruiter is told."""
    with transaction.atomic():
        seat = _locked_seat(seat)
        session, interview, person = seat.session, seat.session.interview, seat.interviewer
        if not interview.clear_flags(Flag.Kind.CANT_MAKE_IT, session=session, interviewer=person):
            return False
        audit(
            interview.tenant,
            "interview.cant_make_it_withdrawn",
            f"{person.name} can make “{session.title}” after all (withdrew their notice)",
            actor=user,
            obj=interview,
            session=str(session.pk),
            interviewer=str(person.pk),
        )
        _tell(interview, session, person, withdrawn=True)
    return True


def _tell(interview, session, person, *, withdrawn):
    for recruiter in recruiters(interview):
        outbox.add(
            interview.tenant,
            Operation.Kind.SEND_EMAIL,
            interview=interview,
            payload={
                "kind": EMAIL_KIND,
                "session": str(session.pk),
                "interviewer": str(person.pk),
                "to": recruiter.pk,
                "withdrawn": withdrawn,
                "about": f"To {recruiter.get_full_name() or recruiter.email}: {person.name} "
                + ("can make it after all" if withdrawn else "can’t make it"),
            },
        )


def _told(op):
    """Whether the notice that `op` (a withdrawal) takes back reached this recruiter."""
    return Operation.objects.filter(
        interview_id=op.interview_id,
        kind=Operation.Kind.SEND_EMAIL,
        status=Operation.Status.DONE,
        created_at__lt=op.created_at,
        payload__kind=EMAIL_KIND,
        payload__withdrawn=False,
        payload__session=op.payload["session"],
        payload__interviewer=op.payload["interviewer"],
        payload__to=op.payload["to"],
        result__has_key="sent_email",
    ).exists()


@outbox.sends(EMAIL_KIND)
def send_notice(op):
    """The recruiter's email, as things are when the outbox gets to it: a notice withdrawn
    (or answered by a swap) meanwhile is not sent."""
    session = (
        InterviewSession.objects.select_related(
            "interview__tenant", "interview__application__candidate", "interview__application__job"
        )
        .filter(pk=op.payload["session"])
        .first()
    )
    recruiter = User.objects.filter(pk=op.payload.get("to")).first()
    if session is None or recruiter is None or not recruiter.email:
        return {"skipped": True, "why": "nobody to tell"}
    interview = session.interview
    flag = Flag.objects.filter(
        interview=interview,
        kind=Flag.Kind.CANT_MAKE_IT,
        session=session,
        interviewer_id=op.payload["interviewer"],
    ).first()
    withdrawn = bool(op.payload.get("withdrawn"))
    if not withdrawn and flag is None:
        return {"skipped": True, "why": "the notice was withdrawn or answered"}
    if withdrawn and flag is not None:
        return {"skipped": True, "why": "the notice was given again"}
    if withdrawn and not _told(op):
        return {"skipped": True, "why": "the recruiter was never told of the notice"}
    person = (
        SessionAttendee.objects.filter(session=session, interviewer_id=op.payload["interviewer"])
        .select_related("interviewer")
        .first()
    )
    if person is None:
        return {"skipped": True, "why": "nobody to tell"}
    zone = zones.zone(recruiter.timezone or interview.tenant.default_timezone)
    sent = emails.send(
        EMAIL_KIND,
        tenant=interview.tenant,
        to=[recruiter.email],
        context={
            "recruiter": recruiter,
            "interviewer": person.interviewer,
            "candidate": interview.application.candidate,
            "job": interview.application.job,
            "session": session,
            "start": timezone.localtime(session.start_at, zone),
            "zone_text": zones.describe(zone.key, session.start_at),
            "reason": flag.detail if flag is not None else "",
            "withdrawn": withdrawn,
            "still_on": person.active,
            "interview_url": settings.SITE_URL + reverse("interview_detail", args=[interview.pk]),
        },
        zone_name=zone.key,
        obj=interview,
    )
    return {"sent_email": str(sent.pk)}
