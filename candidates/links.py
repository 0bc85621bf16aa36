"""Self-scheduling links: their tokens, sending, the candidate's booking, rescheduling and
cancelling through them, revoking, visits, reminders and rate limits.

The token is the link's id signed with a salt used for nothing else (Django's signing, an
HMAC checked in constant time). It carries no personal data and never changes; what the link
may do comes from its row, so revoking or expiring a link needs no token bookkeeping, and a
tampered token is told apart from one that was revoked or expired.

What a link may do, by its row:

- OPEN and before `expires_at`: the candidate may book. Booking is a compare-and-swap on the
  row (OPEN + the version the page showed → BOOKED, version + 1) in the same transaction as
  the booking service, so two tabs or a replayed POST book once.
- BOOKED: the page shows the interview; until the cut-off (the plan's, else the team's)
  the candidate may cancel (with a reason from the team's list, required only when the
  plan or team says so; the recruiter who sent the link is told) and, while under the
  reschedule limit, reschedule (same events, same ATS interview), saying why if they
  like. Each is a compare-and-swap on the version too. What they may still do is
  `Interview.candidate_changes`, asked through `changes` here.
- A candidate's own cancellation reopens the link (OPEN again, the canceled interview kept
  for the page to mention) while it is unexpired and its window has days left. An interview
  canceled by a recruiter, an interviewer's calendar or the ATS leaves the link BOOKED: the
  page says it is canceled and how to reach the recruiter, who sends a new link if wanted.
- REVOKED or past `expires_at` while OPEN: a plain page saying so.
"""

import dataclasses
import datetime as dt
import ipaddress
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from scheduling import booking, emails, outbox, slots
from scheduling.availability import BEYOND_HORIZON as _BEYOND
from scheduling.availability import CANDIDATE_HOURS, NO_ONE_WORKS, WITHIN_NOTICE
from scheduling.lib import zones
from scheduling.lib.ratelimit import allow, client_address, increment
from scheduling.models import Interview, Operation, audit
from scheduling.models.tenancy import (
    LINK_EMAIL_PLACEHOLDER,
)
from scheduling.plans import plan_for

from .models import Application, BookingLink, Candidate, LinkVisit

SALT = "convene.booking-link"
_signer = signing.Signer(salt=SALT, sep=".")

# Booking attempts (book, reschedule, cancel) per link and per client address, a minute.
ATTEMPTS_PER_LINK = 5
ATTEMPTS_PER_ADDRESS = 20
# Confirmation pages (each a fresh search of a day, which may ask Unified), a minute.
SEARCHES_PER_LINK = 20
SEARCHES_PER_ADDRESS = 60
# How long a rendered week of times may be served again (busy and hold changes end it early).
WEEK_CACHE_SECONDS = 10
WORKING_DAYS_OFFERED = 10


class LinkError(Exception):
    """Why a link cannot be used: `kind` is tampered, unknown, expired or revoked."""

    def __init__(self, kind, link=None):
        super().__init__(kind)
        self.kind = kind
        self.link = link


class LinkChanged(Exception):
    """The link was used (or changed) since the page the candidate acted on was shown."""


class TooLate(Exception):
    """Past the cut-off for candidates' changes."""


class TooManyMoves(Exception):
    """The candidate moved the interview as many times as they may online."""


class ApplicationClosed(Exception):
    """The ATS closed the application (rejected, withdrawn, declined, hired): the candidate
    books nothing more, whatever state the link is in."""


def _refuse_closed(link):
    # Read now, not from the page's copy: a sync may have closed it a moment ago.
    status = Application.objects.filter(pk=link.application_id).values_list("status", flat=True)
    if status.first() in Application.CLOSED_STATUSES:
        raise ApplicationClosed()


def token_for(link):
    return _signer.sign(str(link.pk))


def url_for(link):
    return settings.SITE_URL + reverse("booking_page", args=[token_for(link)])


def resolve(token, *, now=None, allow_expired=False, related=True):
    """The link a token names, or LinkError saying what is wrong with it.

    `related=False` loads the link's row alone (what it refers to loads when first used):
    the week fragment's cached path needs nothing else, and a seven-table select costs more
    to build than the rest of that request.
    """
    try:
        link_id = uuid.UUID(_signer.unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise LinkError("tampered") from exc
    links = BookingLink.objects.filter(pk=link_id)
    if related:
        links = links.select_related(
            "tenant",
            "application__candidate",
            "application__job",
            "plan",
            "interview",
            "created_by",
        )
    try:
        link = links.get()
    except BookingLink.DoesNotExist as exc:
        raise LinkError("unknown") from exc
    if link.state == BookingLink.State.REVOKED:
        raise LinkError("revoked", link)
    if not allow_expired and link.is_expired(now or timezone.now()):
        raise LinkError("expired", link)
    return link


# --- the tenant's email template --------------------------------------------------------------

_PLACEHOLDER = LINK_EMAIL_PLACEHOLDER


def _render(template, values):
    """The tenant's own email text with {placeholders}; unknown ones are left as written
    (a plain substitution: no format spec, attribute or index can break it)."""
    return _PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template
    )


def _email_values(application, *, url, expires_at):
    tenant = application.tenant
    candidate = application.candidate
    zone = zones.zone(candidate.zone_name(tenant.default_timezone))
    return {
        "first_name": candidate.greeting_name,
        "name": candidate.name,
        "job": application.job.name if application.job else "open",
        "company": tenant.name,
        "link": url,
        "expires": f"{timezone.localtime(expires_at, zone):%A %-d %B, %H:%M} "
        + zones.describe(zone.key, expires_at),
    }


def email_text(link):
    """(subject, body) of the booking email for `link`, from the tenant's template."""
    tenant = link.tenant
    values = _email_values(link.application, url=url_for(link), expires_at=link.expires_at)
    return _render(tenant.link_email_subject, values), _render(tenant.link_email_body, values)


PREVIEW_LINK = "(the candidate’s personal link)"


def preview(application, *, expires_at):
    """(subject, body) as `application`'s candidate would get them, with a stand-in for the
    link (the real one exists once the link is sent)."""
    tenant = application.tenant
    values = _email_values(application, url=PREVIEW_LINK, expires_at=expires_at)
    return _render(tenant.link_email_subject, values), _render(tenant.link_email_body, values)


# --- sending ----------------------------------------------------------------------------------


def default_window(plan, tenant, now=None):
    """The next ten working days (Monday to Friday, in the tenant's zone), from the first
    day the plan's minimum notice leaves open: (first date, last date)."""
    now = now or timezone.now()
    zone = zones.zone(tenant.default_timezone)
    notice = dt.timedelta(hours=plan.minimum_notice_hours if plan else 24)
    day = timezone.localtime(now + notice, zone).date()
    days = []
    while len(days) < WORKING_DAYS_OFFERED:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days[0], days[-1]


@dataclasses.dataclass
class Recipient:
    """One application of a send: the plan its link would use, or why it is skipped."""

    application: object
    plan: object = None
    skip: str = ""


def recipients(applications, plan=None, now=None):
    """What sending to each application would do: its plan (the one given, else the one for
    its job and stage) or the reason it is skipped."""
    now = now or timezone.now()
    upcoming = set(
        Interview.objects.active()
        .filter(application__in=applications, end_at__gt=now)
        .values_list("application_id", flat=True)
    )
    result = []
    for application in applications:
        chosen = plan or plan_for(application)
        if not application.candidate.email:
            why = "no usable email address" if application.candidate.emails else "no email address"
            result.append(Recipient(application, skip=f"{why} in the ATS"))
        elif chosen is None:
            result.append(Recipient(application, skip="no interview plan for its job and stage"))
        elif application.pk in upcoming:
            result.append(Recipient(application, skip="already has an upcoming interview"))
        else:
            result.append(Recipient(application, chosen))
    return result


def send_links(applications, *, plan, user, window_start, window_end, expires_at, actor_label=""):
    """One link per application that can have one (see `recipients`), each emailed by the
    outbox; returns (links, skipped recipients). `actor_label` names who sent it when no
    user did (autopilot)."""
    sent, skipped = [], []
    for recipient in recipients(applications, plan):
        if recipient.skip:
            skipped.append(recipient)
            continue
        sent.append(
            create_link(
                recipient.application,
                recipient.plan,
                user=user,
                window_start=window_start,
                window_end=window_end,
                expires_at=expires_at,
                actor_label=actor_label,
            )
        )
    return sent, skipped


@emails.manage_url_source
def manage_url_for(interview):
    """The candidate's page for an interview, from every confirmation and new time: the
    link that booked it, else a link made now for an interview a recruiter booked (BOOKED
    already, offering the coming working days and the week of the interview to move to,
    owned by whoever booked it). "" when the candidate has no email to have been sent one."""
    link = BookingLink.objects.filter(interview=interview).order_by("-created_at").first()
    if link is not None:
        return url_for(link)
    application = interview.application
    if not application.candidate.email:
        return ""
    now = timezone.now()
    tenant = interview.tenant
    first, last = default_window(interview.plan, tenant, now)
    day = timezone.localtime(interview.start_at, zones.zone(tenant.default_timezone)).date()
    link = BookingLink.objects.create(
        tenant=tenant,
        application=application,
        plan=interview.plan,
        state=BookingLink.State.BOOKED,
        sent_to=application.candidate.email,
        created_by=interview.created_by,
        window_start=first,
        window_end=max(last, day + dt.timedelta(days=7)),
        expires_at=max(interview.start_at, now + dt.timedelta(days=tenant.link_expiry_days)),
        interview=interview,
        booked_at=now,
    )
    # No history entry: the page is part of the booking, whose entry says it was booked.
    return url_for(link)


def create_link(
    application,
    plan,
    *,
    user,
    window_start,
    window_end,
    expires_at,
    send=True,
    history="",
    actor_label="",
):
    """Create a link (revoking the application's earlier open ones) and email it; `history`
    replaces the history entry's words (a link sent for another purpose says which)."""
    candidate = application.candidate
    if not candidate.email:
        raise ValueError(f"{candidate} has no email address in the ATS.")
    with transaction.atomic():
        for old in BookingLink.objects.filter(
            application=application, state=BookingLink.State.OPEN
        ):
            revoke(old, user=user, why="a new link was sent")
        link = BookingLink.objects.create(
            tenant=application.tenant,
            application=application,
            plan=plan,
            sent_to=candidate.email,
            created_by=user,
            window_start=window_start,
            window_end=window_end,
            expires_at=expires_at,
        )
        audit(
            application.tenant,
            "link.created",
            history or f"Sent {candidate} a self-scheduling link for {plan}",
            actor=user,
            actor_label=actor_label,
            obj=link,
        )
        if send:
            queue_link_email(link)
    return link


def queue_link_email(link, *, reminder=False):
    """The link's email (or a reminder), sent through the outbox: retried, and shown on
    Sync problems when it keeps failing."""
    candidate = link.application.candidate
    what = "A reminder of the booking link" if reminder else "The booking link"
    return outbox.add(
        link.tenant,
        Operation.Kind.SEND_EMAIL,
        payload={
            "kind": "booking_link",
            "link": str(link.pk),
            "reminder": reminder,
            "about": f"{what} to {candidate.name} <{link.sent_to}>",
        },
    )


@outbox.sends("booking_link")
def send_link_email(op):
    link = (
        BookingLink.objects.select_related("tenant", "application__candidate", "application__job")
        .filter(pk=op.payload["link"])
        .first()
    )
    if link is None or link.state != BookingLink.State.OPEN:
        return {"skipped": True, "why": "the link is no longer open"}
    reminder = op.payload.get("reminder", False)
    subject, body = email_text(link)
    if reminder:
        subject = f"Reminder: {subject}"
    sent = emails.send(
        "booking_link",
        tenant=link.tenant,
        to=[link.sent_to],
        context={"subject": subject, "text": body, "url": url_for(link)},
        obj=link,
    )
    now = timezone.now()
    fields = {"sent_at": F("sent_at")} if link.sent_at else {"sent_at": now}
    if reminder:
        fields.update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now)
    BookingLink.objects.filter(pk=link.pk).update(**fields)
    return {"sent_email": str(sent.pk)}


def resend(link, *, user, now=None):
    """Email an open, unexpired link again (an expired one needs a new link and window)."""
    if link.state != BookingLink.State.OPEN or link.is_expired(now or timezone.now()):
        raise ValueError("Only an open link that has not expired can be sent again.")
    with transaction.atomic():
        audit(link.tenant, "link.resent", "Sent the booking link again", actor=user, obj=link)
        queue_link_email(link)


def revoke(link, *, user=None, why=""):
    """Stop the link working; an interview it booked stays (cancel that separately)."""
    updated = BookingLink.objects.filter(pk=link.pk, version=link.version).update(
        state=BookingLink.State.REVOKED, revoked_at=timezone.now(), version=F("version") + 1
    )
    if updated:
        audit(
            link.tenant,
            "link.revoked",
            "Revoked the booking link" + (f": {why}" if why else ""),
            actor=user,
            obj=link,
        )
    link.refresh_from_db()
    return link


# --- what the candidate sees ------------------------------------------------------------------

_CANDIDATE_REASONS = {
    WITHIN_NOTICE: "Too soon to book.",
    _BEYOND: "Not open for booking yet.",
    CANDIDATE_HOURS: "No free times during your day.",
}


@dataclasses.dataclass(frozen=True)
class Day:
    date: dt.date
    slots: tuple  # the engine's slots starting on this date, in the candidate's zone
    why: str  # for a day without slots: a reason that names no one


@dataclasses.dataclass(frozen=True)
class Week:
    monday: dt.date
    days: tuple
    previous: dt.date | None  # the Monday of the window's previous week, if any
    next: dt.date | None
    offer: object


def window_dates(link, zone, now=None):
    """The window's dates still to come in the candidate's zone."""
    today = timezone.localtime(now or timezone.now(), zone).date()
    first = max(link.window_start, today)
    return [first + dt.timedelta(days=n) for n in range((link.window_end - first).days + 1)]


def offers(link, zone, start, now=None):
    """Whether the link offers times starting at `start`: on a window date still to come
    (candidate's zone) and within its plan's booking horizon."""
    now = now or timezone.now()
    if timezone.localtime(start, zone).date() not in window_dates(link, zone, now):
        return False
    return link.plan is None or start <= now + dt.timedelta(days=link.plan.horizon_days)


def _monday(day):
    return day - dt.timedelta(days=day.weekday())


def week_of(link, zone, requested=None, now=None):
    """The Monday of the week to show: the requested one if the window has days in it,
    else the window's first week with days to come; None when none are left."""
    mondays = sorted({_monday(d) for d in window_dates(link, zone, now)})
    if not mondays:
        return None
    if requested is not None and _monday(requested) in mondays:
        return _monday(requested)
    return mondays[0]


def hours_for(link, zone, zone_known):
    """The candidate hours the link's page keeps to: the plan's, on the candidate's clock,
    once their zone is known (their browser, their choice, or what Convene knows of them);
    None while it is not (the page then shows every time, in the team's zone)."""
    if not zone_known or link.plan is None:
        return None
    return slots.candidate_hours_for(link.plan, zone.key, strict=True)


def week(link, zone, monday, *, interview=None, now=None, zone_known=True):
    """The window's days in the week starting `monday` (candidate's zone) with their times.

    Raises slots.CalendarsUnavailable (Unified cannot be read) and slots.PlanNotUsable.
    """
    now = now or timezone.now()
    dates = window_dates(link, zone, now)
    mondays = sorted({_monday(d) for d in dates})
    shown = [d for d in dates if _monday(d) == monday]
    if link.plan is None:
        raise slots.PlanNotUsable("The link's interview plan was deleted.")
    if not shown:
        return Week(monday, (), None, None, None)
    offer = slots.find(
        link.application,
        link.plan,
        start=dt.datetime.combine(shown[0], dt.time(), zone),
        # A day later: an interview starting late on the last day may end after midnight.
        end=dt.datetime.combine(shown[-1] + dt.timedelta(days=2), dt.time(), zone),
        candidate_zone=zone.key,
        now=now,
        exclude_interview=interview,
        candidate_hours=hours_for(link, zone, zone_known),
    )
    by_day = {d: [] for d in shown}
    for slot in offer.slots:
        day = timezone.localtime(slot.start, zone).date()
        if day in by_day:
            by_day[day].append(slot)
    why = {e.date: e.code for e in offer.empty_days}
    _start, _end, candidate_days = link.plan.candidate_hours()
    days = tuple(
        Day(d, tuple(by_day[d]), _CANDIDATE_REASONS.get(why.get(d), "No free times."))
        for d in shown
        # A day no one works (a weekend), or not one of the candidate's days, is left out
        # rather than shown empty.
        if by_day[d]
        or not (
            why.get(d) == NO_ONE_WORKS
            or (why.get(d) == CANDIDATE_HOURS and d.weekday() not in candidate_days)
        )
    )
    index = mondays.index(monday)
    return Week(
        monday,
        days,
        mondays[index - 1] if index > 0 else None,
        mondays[index + 1] if index + 1 < len(mondays) else None,
        offer,
    )


def earliest_week(link, zone, *, interview=None, now=None, zone_known=True):
    """The window's first week that has a time, searched week by week from the first
    (a page never opens on an empty week when a later one has times); the first week when
    none has. None when the window has no days left."""
    now = now or timezone.now()
    mondays = sorted({_monday(d) for d in window_dates(link, zone, now)})
    first = None
    for monday in mondays:
        found = week(link, zone, monday, interview=interview, now=now, zone_known=zone_known)
        if any(day.slots for day in found.days):
            return found
        first = first or found
    return first


def offer_on(link, zone, day, *, interview=None, now=None, zone_known=True):
    """The engine's offer for one date of the window (candidate's zone), with the next
    day's too: the engine offers only interviews that end within the search, and one
    starting late may end after midnight."""
    return slots.find(
        link.application,
        link.plan,
        start=dt.datetime.combine(day, dt.time(), zone),
        end=dt.datetime.combine(day + dt.timedelta(days=2), dt.time(), zone),
        candidate_zone=zone.key,
        now=now or timezone.now(),
        exclude_interview=interview,
        candidate_hours=hours_for(link, zone, zone_known),
    )


# A week of times is cached for a few seconds under what it depends on: the link's version
# (booking changes it), the plan, the zone and week, and the versions of the interviewers'
# busy caches (webhooks bump them) and of Convene's holds (every interview save bumps it).
HOLDS_VERSION_KEY = "holdsver"


def bump_holds_version(**_kwargs):
    """Connected to Interview saves: a booking, move or cancellation changes the holds."""
    transaction.on_commit(_bump_holds)


def _bump_holds():
    increment(HOLDS_VERSION_KEY)


def versions(calendars):
    """The current busy versions of `calendars` ([(connection id, calendar id)]) and of the
    holds: equal versions mean nothing seen since has changed."""
    return (*slots.busy_versions(calendars), cache.get(HOLDS_VERSION_KEY, 0))


def calendars_of(offer):
    return sorted(
        (p.calendar_connection.unified_id, p.calendar_id)
        for p in offer.people.values()
        if p.has_calendar
    )


# --- the candidate's actions ------------------------------------------------------------------


def changes(link, now=None):
    """What the candidate may still do with the link's interview
    (`Interview.candidate_changes`), or None when the link holds no booked interview."""
    interview = link.interview
    if link.state != BookingLink.State.BOOKED or interview is None:
        return None
    return interview.candidate_changes(now or timezone.now())


def can_change(link, now=None):
    """Whether the candidate may still cancel (and so reach the change pages at all)."""
    allowed = changes(link, now)
    return allowed is not None and allowed.cancel


def can_reschedule(link, now=None):
    allowed = changes(link, now)
    return allowed is not None and allowed.reschedule


def _swap(link, *, version, expect, now, **fields):
    """The compare-and-swap: the row moves on only if it is still as the page showed it."""
    rows = BookingLink.objects.filter(pk=link.pk, state=expect, version=version)
    if expect == BookingLink.State.OPEN:
        rows = rows.filter(expires_at__gt=now)
    if not rows.update(version=F("version") + 1, **fields):
        raise LinkChanged()


def book(link, choice, *, version, zone_name, phone="", now=None, user=None):
    """Book `choice` through an open link; returns the Interview. `phone` is the number the
    candidate gave for a phone interview the team calls. With `user`, a recruiter books it
    for the candidate (inside the times they proposed): the link then shows the interview.

    Raises ApplicationClosed when the ATS closed the application, LinkChanged when the
    link was used meanwhile, booking.SlotTaken when someone took the time,
    booking.BookingError for the others.
    """
    now = now or timezone.now()
    application = link.application
    with transaction.atomic():
        _refuse_closed(link)
        _swap(
            link,
            version=version,
            expect=BookingLink.State.OPEN,
            now=now,
            state=BookingLink.State.BOOKED,
            booked_at=now,
        )
        interview = booking.book(
            application,
            link.plan,
            choice,
            user=user,
            actor_label="" if user else "Candidate",
            source=Interview.Source.RECRUITER if user else Interview.Source.CANDIDATE,
            candidate_timezone=zone_name,
            candidate_phone=phone,
            email_extra={"manage_url": url_for(link)},
        )
        BookingLink.objects.filter(pk=link.pk).update(interview=interview)
        if user is None:
            application.candidate.note_zone(zone_name, Candidate.ZoneSource.BOOKING_PAGE)
        # The history's entry is booking.book's: one entry per booking.
    return interview


def reschedule(link, choice, *, version, zone_name, reason=None, now=None):
    """Move the link's interview to `choice` (same events, same ATS interviews); `reason`
    is the candidate's (a reasons.Reason, optional). Raises TooLate past the cut-off and
    TooManyMoves past the limit, checked under the interview's lock."""
    now = now or timezone.now()
    with transaction.atomic():
        _refuse_closed(link)
        _swap(link, version=version, expect=BookingLink.State.BOOKED, now=now)
        interview = Interview.objects.select_for_update().get(pk=link.interview_id)
        link.interview = interview
        allowed = changes(link, now)
        if allowed is None or not allowed.cancel:
            raise TooLate()
        if not allowed.reschedule:
            raise TooManyMoves()
        Interview.objects.filter(pk=interview.pk).update(candidate_timezone=zone_name)
        link.application.candidate.note_zone(zone_name, Candidate.ZoneSource.BOOKING_PAGE)
        interview = booking.reschedule(
            interview,
            choice,
            actor_label="Candidate",
            by=booking.By.CANDIDATE,
            reason=reason or "",
            # Their own reason is for the team: their email does not read it back to them.
            candidate_message="",
            email_extra={"manage_url": url_for(link)},
        )
    return interview


def cancel(link, *, version, reason, now=None):
    """Cancel the link's interview for the candidate; the link reopens while it can still
    be used, and the recruiter who sent it is told. Returns True when it reopened."""
    now = now or timezone.now()
    zone = zones.zone(link.application.candidate.zone_name(link.tenant.default_timezone))
    reopen = now < link.expires_at and bool(window_dates(link, zone, now))
    with transaction.atomic():
        state = BookingLink.State.OPEN if reopen else BookingLink.State.BOOKED
        _swap(link, version=version, expect=BookingLink.State.BOOKED, now=now, state=state)
        link.interview = Interview.objects.select_for_update().get(pk=link.interview_id)
        if not can_change(link, now):
            raise TooLate()
        booking.cancel(
            link.interview,
            reason=reason,
            actor_label="Candidate",
            by=booking.By.CANDIDATE,
            notify_candidate=True,
            rebook_url=url_for(link) if reopen else "",
        )
        _queue_cancel_notice(link, reason)
    return reopen


def _queue_cancel_notice(link, reason):
    """Tell whoever sent the link that the candidate canceled, and why (through the outbox,
    like every email)."""
    recruiter = link.created_by
    if recruiter is None or not recruiter.email:
        return None
    return outbox.add(
        link.tenant,
        Operation.Kind.SEND_EMAIL,
        interview=link.interview,
        payload={
            "kind": "candidate_canceled",
            "link": str(link.pk),
            "reason": str(reason),
            "about": f"To {recruiter.get_full_name() or recruiter.email}: the candidate canceled",
        },
    )


@outbox.sends("candidate_canceled")
def send_cancel_notice(op):
    link = BookingLink.objects.select_related(
        "tenant", "created_by", "interview", "application__candidate", "application__job"
    ).get(pk=op.payload["link"])
    recruiter = link.created_by
    if recruiter is None or not recruiter.email or link.interview is None:
        return {"skipped": True, "why": "nobody to tell"}
    zone = zones.zone(recruiter.timezone or link.tenant.default_timezone)
    sent = emails.send(
        "candidate_canceled",
        tenant=link.tenant,
        to=[recruiter.email],
        context={
            "recruiter": recruiter,
            "candidate": link.application.candidate,
            "job": link.application.job,
            "start": timezone.localtime(link.interview.start_at, zone),
            "zone_name": zone.key,
            "reason": op.payload.get("reason", ""),
            "reopened": link.state == BookingLink.State.OPEN,
            "interview_url": settings.SITE_URL
            + reverse("interview_detail", args=[link.interview_id]),
        },
        zone_name=zone.key,
        obj=link,
    )
    return {"sent_email": str(sent.pk)}


# --- reminders --------------------------------------------------------------------------------


def send_reminders(tenant=None, now=None):
    """Remind candidates whose link is open (never booked, or reopened by their own
    cancellation) after the tenant's delay, while a day of its window is left, at most once
    a day and at most twice in all (of one tenant, or all). Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    links = BookingLink.objects.filter(
        state=BookingLink.State.OPEN,
        expires_at__gt=now + dt.timedelta(hours=2),
        # A day's slack for the zones: the exact test is window_dates, below.
        window_end__gte=(now - dt.timedelta(days=1)).date(),
        sent_at__isnull=False,
        reminders_sent__lt=2,
        tenant__link_reminder_hours__gt=0,
    ).select_related("tenant", "interview", "application__candidate")
    if tenant is not None:
        links = links.filter(tenant=tenant)
    for link in links:
        # A reopened link waits the delay again from the cancellation, not from the send.
        since = link.sent_at
        if link.interview and link.interview.canceled_at:
            since = max(since, link.interview.canceled_at)
        due = since + dt.timedelta(hours=link.tenant.link_reminder_hours)
        if now < due:
            continue
        if link.last_reminded_at and now - link.last_reminded_at < dt.timedelta(days=1):
            continue
        candidate = link.application.candidate
        zone = zones.zone(candidate.zone_name(link.tenant.default_timezone))
        if not window_dates(link, zone, now):
            continue
        claimed = BookingLink.objects.filter(
            pk=link.pk, last_reminded_at=link.last_reminded_at
        ).update(last_reminded_at=now)
        if claimed:
            queue_link_email(link, reminder=True)
            queued += 1
    return queued


# --- visits and rate limits -------------------------------------------------------------------


def _network(ip):
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def record_visit(link, request):
    """Record a visit (GET or HEAD); never changes what the link may do. Only a GET counts
    as the link being opened: mail scanners check links with HEAD as soon as they arrive,
    and the recruiter would see "opened" before the candidate read the email."""
    now = timezone.now()
    LinkVisit.objects.create(
        link=link,
        method=request.method,
        network=_network(client_address(request)),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
    if request.method == "HEAD":
        return
    BookingLink.objects.filter(pk=link.pk).update(
        open_count=F("open_count") + 1,
        last_opened_at=now,
        first_opened_at=link.first_opened_at or now,
    )


def allow_attempt(link, request):
    """Booking, rescheduling and cancelling attempts: a few a minute per link and per
    client address."""
    return allow(f"link:{link.pk}", ATTEMPTS_PER_LINK) and allow(
        f"addr:{client_address(request)}", ATTEMPTS_PER_ADDRESS
    )


def allow_search(link, request):
    """Confirmation pages, each a fresh search that may call Unified: more than attempts
    (a candidate clicks through times), still bounded per link and per client address."""
    return allow(f"search:{link.pk}", SEARCHES_PER_LINK) and allow(
        f"search-addr:{client_address(request)}", SEARCHES_PER_ADDRESS
    )
