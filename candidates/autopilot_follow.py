"""Autopilot's follow-through: what happens to an entry after its link or request went out.

`candidates.autopilot` sends; this module follows (docs/design.md, "One rule, one home"):

- a booking of the entry's plan for its application (`signals.interview_booked`, sent by
  `booking.book` whoever booked: the candidate through the link, a recruiter from the
  picker or inside the candidate's times) makes the entry BOOKED with a line "Booked:
  Friday 14:00" on the team's clock (the feed shows it on the reader's);
- the candidate's own cancellation reopens their link (`links.cancel`): the entry waits for
  them again; any other cancellation returns it to the recruiter;
- the candidate who says none of the times work and sends the times they can do
  (`availability.times_received`) returns the entry to the recruiter, whose one click books
  inside those times (the pipeline's "Availability received");
- `follow_up`, a periodic job: a link that had its two reminders and no booking
  `link_reminder_hours` after the last goes back to the recruiter ("No answer after 2
  reminders"); so does a link that expired unused; an entry whose application was closed
  meanwhile stops. Each reminder the candidate got is a line of the feed.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from scheduling.lib import zones

from .autopilot import record
from .models import Application, AutopilotEvent, BookingLink, StageEntry

# What a booking of the entry's plan books: sent, or waiting for a recruiter (queued, held
# by the cap, back with them).
FOLLOWED_STATES = (
    StageEntry.State.QUEUED,
    StageEntry.State.SENT,
    StageEntry.State.HELD,
    StageEntry.State.RETURNED,
)
# The states in which a recruiter has something to do (a held entry goes out by itself the
# next day).
ACTION_STATES = (StageEntry.State.QUEUED, StageEntry.State.RETURNED)
REMINDERS = 2

NO_ANSWER = "No answer after 2 reminders"
EXPIRED = "The booking link expired with no booking"
TIMES_RECEIVED = "Sent the times they can do: book inside them"
CANCELED = "The interview was canceled"


def day_and_time(moment, zone_name):
    """'Friday 14:00' within the coming week, else 'Friday 18 December, 14:00', on the
    clock of `zone_name`."""
    zone = zones.zone(zone_name)
    local = timezone.localtime(moment, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    if 0 <= (local.date() - today).days < 7:
        return f"{local:%A %H:%M}"
    return f"{local:%A %-d %B, %H:%M}"


def _entry_for(application_id, plan_id, *, states):
    """The application's latest entry for the plan still open, locked."""
    return (
        StageEntry.objects.select_for_update(of=("self",))
        .filter(application_id=application_id, plan_id=plan_id, state__in=states)
        .order_by("-entered_at")
        .first()
    )


def _move(entry, state, *, now, **fields):
    StageEntry.objects.filter(pk=entry.pk).update(state=state, updated_at=now, **fields)
    entry.state = state
    for name, value in fields.items():
        setattr(entry, name, value)


def _candidate(entry):
    return entry.application.candidate.name


# --- bookings and cancellations (signals from scheduling.booking) ------------------------------


def interview_booked(sender=None, *, interview, **_kwargs):
    """Connected to `signals.interview_booked`: the entry of the interview's application
    and plan is BOOKED, with its line."""
    if interview.plan_id is None:
        return
    # One still waiting for its delay is left to the send, whose guardrail says why it did
    # not go ("already has an interview").
    entry = _entry_for(interview.application_id, interview.plan_id, states=FOLLOWED_STATES)
    if entry is None:
        return
    now = timezone.now()
    _move(entry, StageEntry.State.BOOKED, now=now, booked_at=now, interview=interview, reason="")
    when = day_and_time(interview.start_at, entry.tenant.default_timezone)
    booker = interview.created_by
    by = f" by {booker.get_full_name() or booker.email}" if booker is not None else ""
    # The booking itself is in the audit log under whoever booked it.
    record(entry, AutopilotEvent.Kind.BOOKED, f"Booked{by}: {when}", now=now, audited=False)


def interview_canceled(sender=None, *, interview, **_kwargs):
    """Connected to `signals.interview_canceled`: the candidate's own cancellation that
    reopened their link waits for them again; any other goes back to the recruiter."""
    entry = (
        StageEntry.objects.select_for_update(of=("self",))
        .filter(interview=interview, state=StageEntry.State.BOOKED)
        .select_related("link")
        .first()
    )
    if entry is None:
        return
    now = timezone.now()
    link = BookingLink.objects.filter(pk=entry.link_id).first() if entry.link_id else None
    if link is not None and link.state == BookingLink.State.OPEN and not link.is_expired(now):
        _move(entry, StageEntry.State.SENT, now=now, booked_at=None, interview=None)
        record(
            entry,
            AutopilotEvent.Kind.WAITING,
            f"{_candidate(entry)} canceled: their booking link is open again",
            now=now,
        )
        return
    if interview.application.status in Application.CLOSED_STATUSES:
        _move(entry, StageEntry.State.SKIPPED, now=now, reason="The application was closed")
        record(entry, AutopilotEvent.Kind.SKIPPED, "Stopped: the application was closed", now=now)
        return
    _move(entry, StageEntry.State.RETURNED, now=now, reason=CANCELED, interview=None)
    record(entry, AutopilotEvent.Kind.RETURNED, f"Back with you: {CANCELED.lower()}", now=now)


# --- the candidate's own times (signal from candidates.availability) ---------------------------


def times_received(sender=None, *, request, first=True, **_kwargs):
    """Connected to `availability.times_received`: a candidate whose entry waits for them
    sent the times they can do (their booking page's "None of these work?", or the request
    autopilot sent). The entry goes back to the recruiter, whose one click books inside
    them; a change of times already sent adds nothing."""
    entry = (
        StageEntry.objects.select_for_update(of=("self",))
        .filter(
            Q(link_id=request.link_id) | Q(availability_request=request),
            state=StageEntry.State.SENT,
        )
        .select_related("application__candidate", "tenant", "plan")
        .first()
    )
    if entry is None:
        return
    now = timezone.now()
    _move(entry, StageEntry.State.RETURNED, now=now, reason=TIMES_RECEIVED)
    record(
        entry,
        AutopilotEvent.Kind.RETURNED,
        f"{_candidate(entry)} said none of the times work and sent the times they can do: "
        "book inside them",
        now=now,
    )


# --- the periodic follow-up -------------------------------------------------------------------


def follow_up(tenant=None, now=None):
    """The periodic job "autopilot follow-through" (of one tenant, or all): for each SENT
    entry, a line for each reminder its candidate got; back to the recruiter after two
    reminders and no booking `link_reminder_hours` after the last ("No answer after 2
    reminders"), or when its link expired unused; stopped when the application closed.
    Returns how many entries it moved."""
    now = now or timezone.now()
    entries = (
        StageEntry.objects.filter(state=StageEntry.State.SENT, link__isnull=False)
        .select_related("tenant", "link", "application__candidate", "plan")
        .annotate(
            reminded=Count("events", filter=Q(events__kind=AutopilotEvent.Kind.WAITING)),
        )
        .order_by("sent_at")
    )
    if tenant is not None:
        entries = entries.filter(tenant=tenant)
    moved = 0
    for entry in entries:
        if not _has_news(entry, now):
            continue
        with transaction.atomic():
            current = (
                StageEntry.objects.select_for_update(of=("self",))
                .filter(pk=entry.pk, state=StageEntry.State.SENT)
                .first()
            )
            if current is None:
                continue
            moved += _follow(entry, now)
    return moved


def _no_answer(entry, now):
    link = entry.link
    hours = dt.timedelta(hours=entry.tenant.link_reminder_hours or 48)
    return (
        link.reminders_sent >= REMINDERS
        and link.last_reminded_at is not None
        and now >= link.last_reminded_at + hours
    )


def _has_news(entry, now):
    """Whether `_follow` has anything to do for the entry (read without a lock: most turns
    find nothing for most entries)."""
    link = entry.link
    return (
        min(link.reminders_sent, REMINDERS) > entry.reminded
        or entry.application.status in Application.CLOSED_STATUSES
        or link.state == BookingLink.State.REVOKED
        or (
            link.state == BookingLink.State.OPEN
            and (_no_answer(entry, now) or link.is_expired(now))
        )
    )


def _follow(entry, now):
    link, name = entry.link, _candidate(entry)
    last = min(link.reminders_sent, REMINDERS)
    for n in range(entry.reminded + 1, last + 1):
        record(
            entry,
            AutopilotEvent.Kind.WAITING,
            f"Reminded {name} of the booking link ({n} of {REMINDERS})",
            # Two found in one turn read in their order.
            now=now - dt.timedelta(microseconds=last - n),
        )
    if entry.application.status in Application.CLOSED_STATUSES:
        _move(entry, StageEntry.State.SKIPPED, now=now, reason="The application was closed")
        record(entry, AutopilotEvent.Kind.SKIPPED, "Stopped: the application was closed", now=now)
        return 1
    if link.state == BookingLink.State.REVOKED:
        _move(entry, StageEntry.State.RETURNED, now=now, reason="The booking link was revoked")
        record(entry, AutopilotEvent.Kind.RETURNED, "Back with you: the link was revoked", now=now)
        return 1
    if link.state != BookingLink.State.OPEN:
        return 0
    no_answer = _no_answer(entry, now)
    if no_answer or link.is_expired(now):
        reason = NO_ANSWER if no_answer else EXPIRED
        _move(entry, StageEntry.State.RETURNED, now=now, reason=reason)
        record(entry, AutopilotEvent.Kind.RETURNED, f"Back with you: {reason.lower()}", now=now)
        return 1
    return 0


def waiting_for(entry, now=None):
    """'Waiting for an answer: 2 days' for a SENT entry (since it was sent), else ''."""
    if entry.state != StageEntry.State.SENT or entry.sent_at is None:
        return ""
    seconds = ((now or timezone.now()) - entry.sent_at).total_seconds()
    hours = int(seconds // 3600)
    if hours < 1:
        span = "less than an hour"
    elif hours < 48:
        span = f"{hours} hour{'s' if hours != 1 else ''}"
    else:
        span = f"{hours // 24} days"
    return f"Waiting for an answer: {span}"


__all__ = [
    "ACTION_STATES",
    "follow_up",
    "interview_booked",
    "interview_canceled",
    "times_received",
    "waiting_for",
]
