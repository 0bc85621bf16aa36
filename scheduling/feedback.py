"""Interview feedback: asking for it, keeping drafts, filing it in the ATS, chasing it.

* When an interview has ended (and was not canceled), every interviewer on each session
  gets a FeedbackRequest and an email with a signed link. A trainee's (shadowing, or leading
  a reverse shadow) is training feedback: kept in Convene and holding no ATS status, filed
  in the ATS only when their program says so (`FeedbackRequest.goes_to_ats`). The unique
  (session, interviewer) constraint and the interview's row lock make this idempotent: a
  person is asked once per session, however often the periodic job runs.
* The link's token is the request's id signed with a salt used for nothing else, like the
  booking links (candidates/links.py): it names one request, which is one interviewer on one
  session, and what it may do comes from the row (expiry, submitted). No sign-in is needed;
  members also find their requests under "My feedback".
* Drafts are saved as the interviewer types; submitting freezes them and queues the
  scorecard in the outbox (writeback.create_scorecard: idempotent, retried, visible when it
  fails). The session's ATS interview goes to AWAITING_FEEDBACK when the requests go out and
  to COMPLETE when the last one is in.
* Reminders go out after the tenant's delay, then at most once a day while the link works;
  a recruiter can nudge by hand, at most once an hour per person (a nudge also renews an
  expired link: the recruiter is asking again).
* Anchoring: an interviewer never sees colleagues' feedback on an interview before their own
  is in. After that, signed-in members see the others' submitted feedback beside their own;
  the emailed link never shows anyone else's (a forwarded link must not spread it).
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from . import emails, outbox, signals
from .lib import zones
from .models import (
    FeedbackRequest,
    Interview,
    Interviewer,
    InterviewSession,
    NoShow,
    Operation,
    SessionAttendee,
    audit,
)

logger = logging.getLogger(__name__)

SALT = "convene.feedback-link"
_signer = signing.Signer(salt=SALT, sep=".")

# An interview that ended longer ago than this when Convene first looks (the feature was
# just turned on, the worker was down) gets no requests: nobody remembers it well enough.
LOOKBACK = dt.timedelta(days=7)
REMIND_EVERY = dt.timedelta(days=1)
NUDGE_EVERY = dt.timedelta(hours=1)
# Used for "late" when the tenant turned automatic reminders off (0 hours).
DEFAULT_DUE_AFTER = dt.timedelta(hours=24)

OPEN = (FeedbackRequest.Status.REQUESTED, FeedbackRequest.Status.DRAFT)


class LinkError(Exception):
    """Why a feedback link cannot be used: `kind` is tampered, unknown or expired."""

    def __init__(self, kind, feedback=None):
        super().__init__(kind)
        self.kind = kind
        self.feedback = feedback


class FeedbackError(Exception):
    """The change cannot be made; the message says why, for the person asking."""


class AlreadySubmitted(FeedbackError):
    def __init__(self):
        super().__init__("This feedback was already submitted; nothing changed.")


# --- links ------------------------------------------------------------------------------------


def token_for(feedback):
    return _signer.sign(str(feedback.pk))


def url_for(feedback):
    return settings.SITE_URL + reverse("feedback_link", args=[token_for(feedback)])


def _related(queryset):
    return queryset.select_related(
        "tenant",
        "interviewer",
        "session",
        "interview__application__candidate",
        "interview__application__job",
        "trainee__program",
    )


def resolve(token, *, now=None):
    """The request a token names, or LinkError saying what is wrong with it."""
    try:
        feedback_id = uuid.UUID(_signer.unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise LinkError("tampered") from exc
    feedback = _related(FeedbackRequest.objects.filter(pk=feedback_id)).first()
    if feedback is None:
        raise LinkError("unknown")
    if feedback.is_expired(now or timezone.now()):
        raise LinkError("expired", feedback)
    return feedback


# --- asking -----------------------------------------------------------------------------------


def _set_ats_status(session, status, depends_on=None):
    # `status` names why the update was queued; what is sent is worked out when it runs
    # (writeback.sync_ats_interview), so retries that finish out of order agree.
    return outbox.add(
        session.interview.tenant,
        Operation.Kind.UPDATE_ATS_INTERVIEW,
        interview=session.interview,
        session=session,
        depends_on=depends_on or outbox.pending_for(session, Operation.Kind.CREATE_ATS_INTERVIEW),
        payload={"status": status},
    )


def _missing_requests():
    """Attendees of the outer interview who owe feedback and have no request yet."""
    asked = FeedbackRequest.objects.filter(
        session=OuterRef("session"), interviewer=OuterRef("interviewer")
    )
    return _owing(SessionAttendee.objects.filter(session__interview=OuterRef("pk"))).filter(
        ~Exists(asked)
    )


# The seats whose feedback is training feedback.
TRAINEE_ROLES = (SessionAttendee.Role.TRAINEE, SessionAttendee.Role.TRAINEE_LEADS)


def _owing(attendees):
    """Who owes feedback: the active attendees (a program's trainees too: theirs is training
    feedback; a shadow seat from before programs, which names none, is not asked), except
    those who declined the invitation (they were not there; the recruiter saw the flag),
    and those of a session the candidate did not attend or who did not attend themselves
    (a NoShow)."""
    return (
        attendees.filter(active=True)
        .exclude(role__in=TRAINEE_ROLES, training__isnull=True)
        .exclude(response=SessionAttendee.Response.DECLINED)
        .exclude(Exists(_absent(OuterRef("session"), OuterRef("interviewer"))))
    )


def _absent(session, interviewer):
    """The no-shows that excuse `interviewer` from feedback on `session`: the candidate's,
    or their own."""
    return NoShow.objects.filter(session=session).filter(
        Q(interviewer__isnull=True) | Q(interviewer=interviewer)
    )


def due_interviews(now):
    """Ended, not canceled, recent, and someone on it has not been asked yet."""
    return (
        Interview.objects.active()
        .filter(end_at__lte=now, end_at__gt=now - LOOKBACK)
        .filter(Exists(_missing_requests()))
    )


def request_due(now=None, *, tenant=None):
    """Ask for feedback on every interview that has ended (of one tenant, or all); returns
    how many were asked."""
    now = now or timezone.now()
    asked = 0
    due = due_interviews(now)
    if tenant is not None:
        due = due.filter(tenant=tenant)
    for interview in due.only("pk"):
        # One interview that cannot be asked about (a bug, one tenant's odd data) must not
        # stop feedback for everyone else's: log it, and it is tried again next run.
        try:
            asked += len(request_for(interview, now=now))
        except Exception:
            logger.exception("Could not ask for feedback on interview %s", interview.pk)
    return asked


def request_for(interview, *, now=None):
    """Create the interview's missing requests and queue their emails (and the ATS status);
    returns the new requests. Safe to call any number of times."""
    now = now or timezone.now()
    with transaction.atomic():
        # Two runners asking at once: the second waits here, then finds the requests.
        interview = (
            Interview.objects.select_for_update(of=("self",))
            .select_related("tenant", "plan")
            .get(pk=interview.pk)
        )
        if not interview.is_active or interview.end_at > now:
            return []
        tenant = interview.tenant
        asked = set(
            FeedbackRequest.objects.filter(interview=interview).values_list(
                "session_id", "interviewer_id"
            )
        )
        # Sessions whose ATS interview already awaits feedback (training feedback holds none).
        sessions_asked = set(
            FeedbackRequest.objects.filter(interview=interview, training=False).values_list(
                "session_id", flat=True
            )
        )
        attendees = (
            _owing(SessionAttendee.objects.filter(session__interview=interview))
            .select_related("session", "interviewer")
            .order_by("session__position", "interviewer__name")
        )
        questions = list(interview.plan.scorecard_questions or []) if interview.plan else []
        hours = tenant.feedback_reminder_hours
        due_at = interview.end_at + (dt.timedelta(hours=hours) if hours else DEFAULT_DUE_AFTER)
        created, new_sessions = [], {}
        for attendee in attendees:
            key = (attendee.session_id, attendee.interviewer_id)
            if key in asked:
                continue
            asked.add(key)
            training = attendee.role in TRAINEE_ROLES
            feedback = FeedbackRequest.objects.create(
                tenant=tenant,
                interview=interview,
                session=attendee.session,
                interviewer=attendee.interviewer,
                training=training,
                trainee_id=attendee.training_id if training else None,
                questions=questions,
                answers=[{"rating": None, "comment": ""} for _q in questions],
                requested_at=now,
                due_at=due_at,
                expires_at=now + dt.timedelta(days=tenant.feedback_link_days),
            )
            _queue_email(feedback, "feedback_request")
            created.append(feedback)
            if attendee.session_id not in sessions_asked and not training:
                new_sessions[attendee.session_id] = attendee.session
        for session in new_sessions.values():
            _set_ats_status(session, "AWAITING_FEEDBACK")
        if created:
            names = ", ".join(sorted({f.interviewer.name for f in created}))
            audit(
                tenant,
                "feedback.requested",
                f"Asked {names} for feedback",
                actor_label="Convene",
                obj=interview,
            )
    return created


def withdraw_if_moved_ahead(interview, *, now=None):
    """After a move: feedback asked for a session that now ends in the future is about a
    meeting that has not happened yet. Unsubmitted requests (drafts too) are withdrawn, and
    asked afresh when the new time ends; submitted feedback stays, it is in the ATS."""
    now = now or timezone.now()
    withdrawn = FeedbackRequest.objects.filter(
        interview=interview, session__end_at__gt=now
    ).exclude(status=FeedbackRequest.Status.SUBMITTED)
    names = sorted({f.interviewer.name for f in withdrawn.select_related("interviewer")})
    if not names:
        return 0
    count, _by_model = withdrawn.delete()
    audit(
        interview.tenant,
        "feedback.withdrawn",
        f"Withdrew the feedback requests of {', '.join(names)}: the interview moved to a "
        "time that has not come yet. They are asked again when it ends.",
        actor_label="Convene",
        obj=interview,
    )
    return count


def withdraw_for_no_show(no_show):
    """Someone did not attend: the session's open requests (all of them when it was the
    candidate, the absent interviewer's alone otherwise) are withdrawn. No reminder chases
    them, the link says why no feedback is needed, nothing counts them late; drafts are
    kept, for a mark that is cleared. Submitted feedback stays: it is in the ATS. Returns
    the names of those no longer asked."""
    withdrawn = FeedbackRequest.objects.filter(session=no_show.session, status__in=OPEN)
    if no_show.interviewer_id is not None:
        withdrawn = withdrawn.filter(interviewer=no_show.interviewer_id)
    names = sorted(withdrawn.values_list("interviewer__name", flat=True))
    withdrawn.update(status=FeedbackRequest.Status.WITHDRAWN)
    return names


def restore_after_no_show(session, *, now=None):
    """A no-show mark was cleared: the requests it withdrew that no other mark still
    excuses are asked again (a draft stays a draft), with a fresh email, a due time from
    now and a link that works; those never made are made (`request_for`). Returns how many
    people are asked."""
    now = now or timezone.now()
    session = InterviewSession.objects.select_related("interview__tenant").get(pk=session.pk)
    tenant = session.interview.tenant
    hours = tenant.feedback_reminder_hours
    due_after = dt.timedelta(hours=hours) if hours else DEFAULT_DUE_AFTER
    restored = (
        FeedbackRequest.objects.filter(session=session, status=FeedbackRequest.Status.WITHDRAWN)
        .exclude(Exists(_absent(OuterRef("session"), OuterRef("interviewer"))))
        .select_related("tenant", "interview", "session", "interviewer")
    )
    count = 0
    for item in restored:
        open_again = FeedbackRequest.Status.DRAFT if item.draft_saved_at else None
        item.status = open_again or FeedbackRequest.Status.REQUESTED
        item.due_at = max(item.due_at, now + due_after)
        item.expires_at = max(item.expires_at, now + dt.timedelta(days=tenant.feedback_link_days))
        item.save(update_fields=["status", "due_at", "expires_at"])
        _queue_email(item, "feedback_request")
        count += 1
    return count + len(request_for(session.interview, now=now))


def _queue_email(feedback, kind, **extra):
    return outbox.add(
        feedback.tenant,
        Operation.Kind.SEND_EMAIL,
        interview=feedback.interview,
        session=feedback.session,
        payload={
            "kind": kind,
            "feedback_request": str(feedback.pk),
            "about": f"To {feedback.interviewer.name}",
            **extra,
        },
    )


@outbox.sends("feedback_request", "feedback_reminder")
def send_email(op):
    """A feedback request or reminder, when the outbox gets to it."""
    feedback = _related(FeedbackRequest.objects.filter(pk=op.payload["feedback_request"])).first()
    if feedback is None:
        return {"skipped": True, "why": "the request was withdrawn (the interview moved)"}
    if feedback.is_submitted:
        return {"skipped": True, "why": "the feedback is already in"}
    if feedback.status == FeedbackRequest.Status.WITHDRAWN:
        return {"skipped": True, "why": "no feedback is needed: someone did not attend"}
    if not feedback.interview.is_active:
        return {"skipped": True, "why": "the interview was canceled"}
    person = feedback.interviewer
    if not person.email:
        return {"skipped": True, "unsent": True, "why": f"{person} has no email address"}
    zone = zones.zone(person.timezone)
    sent = _send(op.payload["kind"], feedback, person, zone, timezone.now(), op.payload)
    return {"sent_email": str(sent.pk)}


def _send(kind, feedback, person, zone, now, payload):
    application = feedback.interview.application
    return emails.send(
        kind,
        tenant=feedback.tenant,
        to=[person.email],
        context={
            "interviewer": person,
            "candidate": application.candidate,
            "job": application.job,
            "session": feedback.session,
            "start": timezone.localtime(feedback.session.start_at, zone),
            "expires": timezone.localtime(feedback.expires_at, zone),
            "zone_name": zone.key,
            "url": url_for(feedback),
            "my_feedback_url": settings.SITE_URL + reverse("my_feedback"),
            "has_draft": feedback.status == FeedbackRequest.Status.DRAFT,
            "late": now >= feedback.due_at,
            "by_hand": payload.get("by_hand", False),
            # Training feedback: the trainee's program, and whether the ATS gets it.
            "training": feedback.trainee if feedback.training else None,
            "to_ats": feedback.goes_to_ats,
            # A trainer is asked whether the trainees they trained on it did well enough.
            "to_judge": seats_to_judge(feedback),
        },
        obj=feedback,
        zone_name=zone.key,  # the interviewer's clock
    )


# --- reminders --------------------------------------------------------------------------------


def send_reminders(now=None, *, tenant=None):
    """Remind interviewers whose feedback is late (of one tenant, or all), at most once a
    day, while their link works. Returns how many were queued."""
    now = now or timezone.now()
    late = (
        FeedbackRequest.objects.filter(
            status__in=OPEN,
            interview__status=Interview.Status.SCHEDULED,
            due_at__lte=now,
            expires_at__gt=now,
            tenant__feedback_reminder_hours__gt=0,
        )
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMIND_EVERY))
        .select_related("tenant", "interviewer", "interview", "session")
    )
    if tenant is not None:
        late = late.filter(tenant=tenant)
    queued = 0
    for feedback in late:
        try:
            queued += _remind(feedback, now)
        except Exception:
            # As in request_due: the others are still reminded; this one is tried again.
            logger.exception(
                "Could not remind %s (feedback %s)", feedback.interviewer, feedback.pk
            )
    return queued


def _remind(feedback, now):
    with transaction.atomic():
        # Claimed by a conditional update: a second runner finds it already reminded.
        claimed = FeedbackRequest.objects.filter(
            pk=feedback.pk, status__in=OPEN, last_reminded_at=feedback.last_reminded_at
        ).update(last_reminded_at=now, reminders_sent=F("reminders_sent") + 1)
        if not claimed:
            return 0
        _queue_email(feedback, "feedback_reminder")
        audit(
            feedback.tenant,
            "feedback.reminded",
            f"Reminded {feedback.interviewer} about their feedback on “{feedback.session.title}”",
            actor_label="Convene",
            obj=feedback.interview,
        )
    return 1


def nudge(feedback, *, user, now=None):
    """A recruiter's "Remind now": one email, audited, at most once an hour per person."""
    now = now or timezone.now()
    with transaction.atomic():
        # One nudge per person at a time, whichever of their requests it is about.
        person = Interviewer.objects.select_for_update().get(pk=feedback.interviewer_id)
        feedback = _related(FeedbackRequest.objects.filter(pk=feedback.pk)).get()
        if feedback.is_submitted:
            raise AlreadySubmitted()
        if not feedback.interview.is_active:
            raise FeedbackError("The interview was canceled: no feedback is needed.")
        if feedback.status == FeedbackRequest.Status.WITHDRAWN:
            raise FeedbackError(f"No feedback is needed: {not_needed_because(feedback)}.")
        if not person.email:
            raise FeedbackError(f"{person} has no email address, so no reminder can be sent.")
        recent = (
            FeedbackRequest.objects.filter(
                interviewer=person, last_reminded_at__gt=now - NUDGE_EVERY
            )
            .order_by("-last_reminded_at")
            .values_list("last_reminded_at", flat=True)
            .first()
        )
        if recent is not None:
            raise FeedbackError(
                f"{person} was reminded {timezone.localtime(recent):%H:%M}; "
                "Convene sends a person at most one reminder an hour."
            )
        link_days = dt.timedelta(days=feedback.tenant.feedback_link_days)
        FeedbackRequest.objects.filter(pk=feedback.pk).update(
            last_reminded_at=now,
            reminders_sent=F("reminders_sent") + 1,
            expires_at=max(feedback.expires_at, now + link_days),
        )
        _queue_email(feedback, "feedback_reminder", by_hand=True)
        audit(
            feedback.tenant,
            "feedback.nudged",
            f"Reminded {person} about their feedback on “{feedback.session.title}”",
            actor=user,
            obj=feedback.interview,
        )
    feedback.refresh_from_db()
    return feedback


# --- training feedback -------------------------------------------------------------------------


def training_seats():
    """Every seat a trainee took because of their program (shadowing, or leading a reverse
    shadow), with what judging it reads."""
    return SessionAttendee.objects.filter(
        training__isnull=False, role__in=TRAINEE_ROLES
    ).select_related(
        "interviewer",
        "session__interview__application__candidate",
        "training__program",
        "training__interviewer",
    )


def trainers_of(seat):
    """Who trains the trainee on this seat: on a reverse shadow, the qualified interviewer
    seated to shadow them (role TRAINER); on a shadow, the interviewers they shadow (the
    session's other active people, trainees aside). Active seats, by name."""
    others = (
        SessionAttendee.objects.filter(session=seat.session_id, active=True)
        .exclude(pk=seat.pk)
        .exclude(role__in=TRAINEE_ROLES)
        .select_related("interviewer")
        .order_by("interviewer__name")
    )
    if seat.role == SessionAttendee.Role.TRAINEE_LEADS:
        trainers = others.filter(role=SessionAttendee.Role.TRAINER, training=seat.training_id)
        if trainers.exists():
            return trainers
    return others


def trainer_verdicts(seat):
    """[(trainer's name, approved)] from the submitted feedback that judged the seat."""
    key = str(seat.pk)
    found = FeedbackRequest.objects.filter(
        session=seat.session_id, status=FeedbackRequest.Status.SUBMITTED, training=False
    ).select_related("interviewer")
    return [
        (item.interviewer.name, bool(item.trainee_verdicts[key]))
        for item in found.order_by("submitted_at")
        if key in (item.trainee_verdicts or {})
    ]


def seats_to_judge(feedback):
    """The trainee seats a trainer's feedback asks about: on the same session, of a program
    that counts a session only once a trainer approves it, which this interviewer trains.
    None on a trainee's own feedback."""
    if feedback.training:
        return []
    seats = training_seats().filter(
        session=feedback.session_id, active=True, training__program__trainer_approval_required=True
    )
    return [
        seat
        for seat in seats.order_by("interviewer__name")
        if any(t.interviewer_id == feedback.interviewer_id for t in trainers_of(seat))
    ]


# --- drafts and submission ----------------------------------------------------------------------


def save_draft(feedback, values, *, now=None):
    """Keep what the interviewer typed so far; False once the feedback was submitted."""
    now = now or timezone.now()
    updated = FeedbackRequest.objects.filter(pk=feedback.pk, status__in=OPEN).update(
        status=FeedbackRequest.Status.DRAFT, draft_saved_at=now, **values
    )
    if updated:
        feedback.refresh_from_db()
    return bool(updated)


def submit(feedback, values, *, user=None, now=None):
    """Freeze the feedback and queue the scorecard (and, when it is the session's last,
    the ATS interview's COMPLETE). Submitting twice raises AlreadySubmitted."""
    now = now or timezone.now()
    signed_in = user is not None and user.is_authenticated
    with transaction.atomic():
        # Submissions on one session take turns: whoever checks below whether others are
        # still open must see the other's submission committed, or (on PostgreSQL) two at
        # once would each see the other open and neither queue COMPLETE.
        InterviewSession.objects.select_for_update().filter(pk=feedback.session_id).first()
        updated = FeedbackRequest.objects.filter(pk=feedback.pk, status__in=OPEN).update(
            status=FeedbackRequest.Status.SUBMITTED,
            submitted_at=now,
            submitted_by=user if signed_in else None,
            **values,
        )
        if not updated:
            raise AlreadySubmitted()
        feedback = _related(
            FeedbackRequest.objects.filter(pk=feedback.pk).select_related("trainee__program")
        ).get()
        session = feedback.session
        scorecard = None
        if feedback.goes_to_ats:
            scorecard = outbox.add(
                feedback.tenant,
                Operation.Kind.CREATE_SCORECARD,
                interview=feedback.interview,
                session=session,
                depends_on=outbox.pending_for(session, Operation.Kind.CREATE_ATS_INTERVIEW),
                payload={
                    "feedback_request": str(feedback.pk),
                    "about": f"From {feedback.interviewer}",
                },
            )
        what = "training feedback" if feedback.training else "feedback"
        audit(
            feedback.tenant,
            "feedback.submitted",
            f"{feedback.interviewer} submitted {what} on “{session.title}”"
            + ("" if signed_in else " (through the emailed link)")
            + ("" if feedback.goes_to_ats else " (kept in Convene, not sent to the ATS)"),
            actor=user if signed_in else None,
            actor_label="" if signed_in else feedback.interviewer.name,
            obj=feedback.interview,
        )
        # Training feedback holds no ATS status: the session is COMPLETE when the panel's
        # is in.
        panel_open = session.feedback_requests.filter(status__in=OPEN, training=False)
        if not feedback.training and not panel_open.exists():
            _set_ats_status(session, "COMPLETE", depends_on=scorecard)
        signals.feedback_submitted.send(sender=FeedbackRequest, feedback=feedback)
    return feedback


# --- reading ----------------------------------------------------------------------------------


def for_interview(interview, user):
    """The interview's requests for the recruiter's page, and whether to hide what the others
    wrote: a viewer who sits on the panel and has not submitted sees states, not contents."""
    requests = list(
        interview.feedback_requests.select_related(
            "interviewer", "session", "submitted_by"
        ).order_by("session__position", "interviewer__name")
    )
    hide = any(r.interviewer.user_id == user.pk and r.status in OPEN for r in requests)
    for item in requests:
        if item.status == FeedbackRequest.Status.WITHDRAWN:
            item.not_needed = not_needed_because(item)
    return {"requests": requests, "hide_contents": hide}


def missing_for(interviewer):
    """The person's feedback that is still missing, oldest first."""
    return (
        interviewer.feedback_requests.filter(
            status__in=OPEN, interview__status=Interview.Status.SCHEDULED
        )
        .select_related("interview__application__candidate", "session")
        .order_by("due_at")
    )


def mine(tenant, user):
    """The signed-in member's requests in this tenant (as an interviewer), newest first."""
    return _related(
        FeedbackRequest.objects.filter(tenant=tenant, interviewer__user=user)
    ).order_by("-requested_at", "session__position")


def not_needed_because(feedback):
    """Why a withdrawn request is not needed, in words ("the candidate did not attend")."""
    marks = [m for m in feedback.session.no_shows.all() if m.is_candidate]
    if marks:
        return "the candidate did not attend"
    return f"{feedback.interviewer.name} did not attend"


def colleagues(feedback):
    """Others' submitted feedback on the same interview, once this one is in (else none)."""
    if not feedback.is_submitted:
        return FeedbackRequest.objects.none()
    return (
        feedback.interview.feedback_requests.filter(status=FeedbackRequest.Status.SUBMITTED)
        .exclude(pk=feedback.pk)
        .select_related("interviewer", "session")
        .order_by("session__position", "interviewer__name")
    )


def run_due(tenant=None):
    """The periodic job (per tenant): ask for what is due, remind what is late."""
    asked, reminded = request_due(tenant=tenant), send_reminders(tenant=tenant)
    if asked or reminded:
        return f"asked {asked} for feedback, reminded {reminded}"
    return None
