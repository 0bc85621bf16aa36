"""Every email Convene sends: one function per kind, each rendering
`emails/<kind>-subject.txt`, `-body.txt` and `-body.html`. Sending happens in the outbox
(a task), never inside a request; every message sent is kept as a SentEmail."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from . import ics, where
from .lib import outside, zones
from .models import CandidateInvitation, SentEmail

# Where the candidate's own page for an interview is (to see, move or cancel it): the
# booking links (candidates.links) register the source, as the layers ask of upward effects.
_manage_url_sources = []


def manage_url_source(fn):
    """Register `fn(interview) -> url or ""`: the candidate's page for the interview."""
    _manage_url_sources.append(fn)
    return fn


def manage_url(interview):
    for source in _manage_url_sources:
        url = source(interview)
        if url:
            return url
    return ""


class Undeliverable(ValueError):
    """A recipient no mail server would take (two addresses in one, a typo): sending again
    would fail again, so the outbox stops at once and shows why."""


def send(kind, *, tenant, to, context, attachments=(), obj=None, zone_name=None):
    """Render and send one email; returns the SentEmail record.

    Templates render in `zone_name` (the recipient's zone; default the tenant's): Django's
    date filters show times in the active zone, which in a task worker is UTC.
    """
    unusable = [address for address in to if not outside.email_address(address)]
    if unusable:
        raise Undeliverable(
            f"“{', '.join(unusable)}” is not an email address Convene can send to. Correct "
            "it where it comes from (the ATS, for a candidate or an interviewer), then retry."
        )
    context = {**context, "site_url": settings.SITE_URL, "tenant": tenant}
    with timezone.override(zones.zone(zone_name or tenant.default_timezone)):
        subject = " ".join(render_to_string(f"emails/{kind}-subject.txt", context).split())
        body = render_to_string(f"emails/{kind}-body.txt", context)
        html = render_to_string(f"emails/{kind}-body.html", context)
    message = EmailMultiAlternatives(subject, body, to=list(to))
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()
    return SentEmail.objects.create(
        tenant=tenant,
        kind=kind,
        to=list(to),
        subject=subject,
        body=body,
        html=html,
        attachments=[{"name": name, "mimetype": mimetype} for name, _c, mimetype in attachments],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )


def _interview_context(interview, zone_name=None):
    """The interview as its emails tell it, in the candidate's zone (or `zone_name`'s)."""
    application = interview.application
    candidate = application.candidate
    tz = zones.zone(zone_name or interview.candidate_zone_name)
    sessions = list(
        interview.sessions.select_related("calendar_connection", "organizer").prefetch_related(
            "attendees__interviewer"
        )
    )
    return {
        "interview": interview,
        "candidate": candidate,
        "job": application.job,
        "sessions": [
            {
                "title": s.title,
                "start": timezone.localtime(s.start_at, tz),
                "end": timezone.localtime(s.end_at, tz),
                # Where and how, as the candidate reads it: the link, or when it comes.
                "where": where.for_session(s, where.CANDIDATE),
                # Named with its offset on the session's own day: "Kolkata time (India,
                # UTC+5:30)".
                "zone_text": zones.describe(tz.key, s.start_at),
            }
            for s in sessions
        ],
        "start": timezone.localtime(interview.start_at, tz),
        "end": timezone.localtime(interview.end_at, tz),
        "zone_name": tz.key,
        "zone_text": zones.describe(tz.key, interview.start_at),
        "zone_short": "UTC" if tz.key == "UTC" else f"{zones.city(tz.key)} time",
    }, sessions


def _ics_attachments(interview, sessions):
    """The candidate's calendar files: one per day of the interview, and the cancellation of
    a day sent before that no longer has a session (the interview then remembers the days
    their calendar holds)."""
    candidate = interview.application.candidate
    files = ics.interview_calendars(
        interview,
        sessions=sessions,
        candidate_name=candidate.name,
        candidate_email=candidate.email,
        organizer_name=interview.tenant.name,
        zone=zones.zone(interview.candidate_zone_name),
        sent_days=interview.ics_days,
    )
    live = sum(1 for _uid, method, _content in files if method == "REQUEST")
    if interview.is_active and live != interview.ics_days:
        type(interview).objects.filter(pk=interview.pk).update(ics_days=max(live, 1))
    return [
        (
            "interview.ics" if index == 0 else f"interview-{index + 1}.ics",
            content,
            f"text/calendar; method={method}; charset=utf-8",
        )
        for index, (_uid, method, content) in enumerate(files)
    ]


def interview_to_candidate(interview, kind, **extra):
    """Tell the candidate about their interview: kind is interview_confirmed,
    interview_rescheduled or interview_canceled. Attaches the updating .ics, unless the
    calendar invites the candidate itself (`Interview.candidate_invited_by`): never two
    invitations for one interview."""
    candidate = interview.application.candidate
    if not candidate.email:
        return None
    if kind != "interview_canceled" and not extra.get("manage_url"):
        # Every confirmation and new time carries the candidate's own page, whoever booked.
        extra["manage_url"] = manage_url(interview)
    if kind != "interview_canceled":
        # Moved as often as they may online: the page cancels and says whom to ask, so the
        # email does not offer to reschedule there (the reminder says it the same way).
        allowed = interview.candidate_changes(timezone.now())
        extra.setdefault("moves_used", allowed.cancel and not allowed.reschedule)
    context, sessions = _interview_context(interview)
    by_calendar = interview.candidate_invited_by != CandidateInvitation.EMAIL
    calendar = next((s.calendar_connection for s in sessions if s.calendar_connection), None)
    context["invited_by_calendar"] = by_calendar
    context["calendar_name"] = (
        (calendar.integration_name or calendar.integration_type) if calendar else ""
    )
    return send(
        kind,
        tenant=interview.tenant,
        to=[candidate.email],
        context={**context, **extra},
        attachments=() if by_calendar else _ics_attachments(interview, sessions),
        obj=interview,
        zone_name=context["zone_name"],
    )


def links_to_candidate(interview, sessions):
    """The video links the calendar made after the candidate's confirmation went: one
    email with those sessions' links (the calendar file is theirs already)."""
    candidate = interview.application.candidate
    if not candidate.email:
        return None
    context, _all = _interview_context(interview)
    told = {str(s.pk) for s in sessions}
    context["sessions"] = [
        row for row, s in zip(context["sessions"], _all, strict=True) if str(s.pk) in told
    ]
    context["manage_url"] = manage_url(interview)
    return send(
        "meeting_link",
        tenant=interview.tenant,
        to=[candidate.email],
        context=context,
        obj=interview,
        zone_name=context["zone_name"],
    )


def session_to_interviewer(session, interviewer, *, canceled, sequence, notes):
    """An interviewer's invitation to (or cancellation of) one session, with its .ics: sent
    when the calendar holding the event does not invite its attendees itself."""
    interview = session.interview
    tz = zones.zone(interviewer.timezone)
    content = ics.session_calendar(
        session,
        email=interviewer.email,
        name=interviewer.name,
        organizer_name=interview.tenant.name,
        canceled=canceled,
        sequence=sequence,
        notes=notes,
    )
    method = "CANCEL" if canceled else "REQUEST"
    return send(
        "interviewer_invitation",
        tenant=interview.tenant,
        to=[interviewer.email],
        context={
            "interviewer": interviewer,
            "session": session,
            "candidate": interview.application.candidate,
            "job": interview.application.job,
            "start": timezone.localtime(session.start_at, tz),
            "end": timezone.localtime(session.end_at, tz),
            "zone_name": tz.key,
            "canceled": canceled,
            "where": where.for_session(session, where.INTERVIEWER),
            "calendar": session.calendar_connection,
            # Who sits on it and as what ("trainee, shadowing"; "shadows Kenji Sato, who
            # leads"): SessionAttendee.role_words.
            "panel": [
                (a.interviewer.name, a.role_words, a.interviewer_id == interviewer.pk)
                for a in session.attendees.select_related("interviewer").filter(active=True)
            ],
        },
        attachments=[("interview.ics", content, f"text/calendar; method={method}; charset=utf-8")],
        obj=interview,
        zone_name=tz.key,
    )


def reminder_to_candidate(interview, day=None, **extra):
    """The candidate's reminder before their interview: the whole itinerary in their zone,
    where it happens, and their page to change it while they still may (`manage_url`, or
    `changes_closed`). `day`: the first start of the day it reminds of (a later day of a
    loop over several), which its subject gives."""
    candidate = interview.application.candidate
    context, sessions = _interview_context(interview)
    rows = [row for s, row in zip(sessions, context["sessions"], strict=True) if s.start_at == day]
    if rows:
        context = {**context, "start": rows[0]["start"], "zone_text": rows[0]["zone_text"]}
    return send(
        "interview_reminder",
        tenant=interview.tenant,
        to=[candidate.email],
        context={**context, **extra},
        obj=interview,
        zone_name=context["zone_name"],
    )


def reminder_to_interviewer(session, interviewer, **extra):
    """An interviewer's short reminder before a session: the candidate, the job, the
    session at the interviewer's clock, where it happens, and the plan's notes for the
    interviewers."""
    interview = session.interview
    context, _sessions = _interview_context(interview, zone_name=interviewer.timezone)
    # Their own session only, told as the candidate's itinerary tells it (same words for
    # where and how), on their clock.
    pairs = zip(_sessions, context["sessions"], strict=True)
    rows = [row for s, row in pairs if s.pk == session.pk]
    return send(
        "interviewer_reminder",
        tenant=interview.tenant,
        to=[interviewer.email],
        context={
            **context,
            "sessions": rows,
            "session": session,
            "interviewer": interviewer,
            "start": rows[0]["start"] if rows else context["start"],
            "zone_text": rows[0]["zone_text"] if rows else context["zone_text"],
            "notes": interview.agenda,
            **extra,
        },
        obj=interview,
        zone_name=context["zone_name"],
    )
