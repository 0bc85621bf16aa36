"""Availability requests: when no offered time works, the candidate says which times they
can do and a recruiter books the interview inside them in one click.

A request rides on a booking link (`candidates.links`): the link's token, expiry,
revocation, visits and rate limits are the request's. A recruiter's request is a link sent
for it (`ask`); the booking page's "None of these work" adds one to the link the candidate
already has (on their first POST: a GET never changes anything). The candidate's times are
windows stored in UTC with the zone they gave them in (`parse`, `submit`); they may change
them until a recruiter books inside them (`book`, through `links.book`, so the link then
shows the interview and the candidate gets the usual confirmation). The request expires
with its link.
"""

import dataclasses
import datetime as dt
import logging
import re

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from scheduling import booking, emails, outbox, slots
from scheduling.lib import timefmt, zones
from scheduling.models import Operation, audit

from . import links
from .models import AvailabilityRequest, AvailabilityWindow, BookingLink, Candidate

logger = logging.getLogger(__name__)

# The candidate marks times over the next three weeks (within the plan's booking horizon).
WEEKS = 3
MOST_WINDOWS = 40
NOTE_LENGTH = 1000
# The best times shown first to the recruiter, lightest load first.
BEST_SHOWN = 5


# Sent by `submit` in its transaction when the candidate sends (or changes) the times they
# can do: kwargs `request`, `first`. Autopilot's follow-through listens (connected in
# AppConfig.ready), so that this module need not import it.
times_received = Signal()


class Used(Exception):
    """The request was used: an interview was booked inside the candidate's times."""


# --- the days and the candidate's rows --------------------------------------------------------


def days_open(link, zone, now=None):
    """The dates (the candidate's) on which they may offer times: from the first the plan's
    notice leaves open, for `WEEKS` weeks, never past the plan's booking horizon."""
    now = now or timezone.now()
    plan = link.plan
    notice = dt.timedelta(hours=plan.minimum_notice_hours if plan else 24)
    first = timezone.localtime(now + notice, zone).date()
    last = first + dt.timedelta(days=WEEKS * 7 - 1)
    if plan is not None:
        last = min(
            last, timezone.localtime(now + dt.timedelta(days=plan.horizon_days), zone).date()
        )
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def length_minutes(plan):
    """The whole visit's length: its sessions and the breaks between them."""
    sessions = list(plan.sessions.all()) if plan else []
    if not sessions:
        return 30
    return sum(s.duration_minutes for s in sessions) + plan.break_minutes * (len(sessions) - 1)


def length_words(minutes):
    hours, rest = divmod(minutes, 60)
    parts = [
        f"{hours} hour{'s' if hours != 1 else ''}" if hours else "",
        f"{rest} minutes" if rest else "",
    ]
    return " ".join(p for p in parts if p)


_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)


def parse_clock(text):
    """A time of day as people type it ("14:30", "9", "9.30", "2:30 pm", "24:00" for the
    midnight that ends a day): (hour, minute) with hour 0–24, or None."""
    match = _CLOCK.match(text or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return hour, minute


@dataclasses.dataclass
class Row:
    """One row of the form: a day and a from/to time on the candidate's clock, and what is
    wrong with it (said beside it)."""

    day: str = ""
    start: str = ""
    end: str = ""
    error: str = ""

    @property
    def blank(self):
        return not (self.day or self.start or self.end)


def _instant(day, hour, minute, zone):
    """The instant the candidate's clock shows `hour:minute` on `day` (24:00: the next
    midnight), or None when the clocks skip that time (a daylight-saving change). A time
    the clocks show twice is the first."""
    if hour == 24:
        day, hour = day + dt.timedelta(days=1), 0
    wall = dt.datetime.combine(day, dt.time(hour, minute))
    local = wall.replace(tzinfo=zone)
    back = local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != wall:
        return None
    return local.astimezone(dt.UTC)


def parse(rows, zone, *, days, minutes, now=None, notice_hours=24):
    """The windows [(start, end)] in UTC the rows give on the candidate's clock in `zone`,
    and the rows with an `error` each where one is wrong (nothing is kept then). Blank rows
    are left out; overlapping windows are merged."""
    now = now or timezone.now()
    allowed = {d.isoformat(): d for d in days}
    earliest = now + dt.timedelta(hours=notice_hours)
    windows, checked, bad = [], [], False
    for row in rows:
        if row.blank:
            continue
        checked.append(row)
        day = allowed.get(row.day)
        start, end = parse_clock(row.start), parse_clock(row.end)
        if day is None:
            row.error = "Choose a day from the list."
        elif start is None or end is None:
            which = "start" if start is None else "end"
            row.error = f"Give the {which} time as on a clock, like 09:30 or 2:30 pm."
        elif start[0] == 24:
            row.error = "Start before midnight."
        elif end <= start and end != (0, 0):
            row.error = "The end is before the start."
        else:
            if end == (0, 0):
                end = (24, 0)
            a, b = _instant(day, *start, zone), _instant(day, *end, zone)
            if a is None or b is None:
                row.error = (
                    "The clocks change that night: that time does not exist. Choose another."
                )
            elif b - a < dt.timedelta(minutes=minutes):
                row.error = f"Too short for the interview: give at least {length_words(minutes)}."
            elif a < earliest:
                row.error = (
                    f"Too soon: interviews need {notice_hours} hours’ notice. Choose a later time."
                )
            else:
                windows.append((a, b))
        bad = bad or bool(row.error)
    if len(windows) > MOST_WINDOWS:
        checked[-1].error = f"At most {MOST_WINDOWS} times, please: join some together."
        bad = True
    if bad:
        return [], checked
    return _merge(windows), checked


def _merge(windows):
    merged = []
    for a, b in sorted(windows):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def rows_of(request, zone):
    """The saved windows as rows of the form on the candidate's clock in `zone` (a window
    across midnight is one row on its first day, ending at the next midnight at most)."""
    rows = []
    for window in request.windows.all():
        a, b = timezone.localtime(window.start_at, zone), timezone.localtime(window.end_at, zone)
        end = "24:00" if b.date() > a.date() else f"{b:%H:%M}"
        rows.append(Row(a.date().isoformat(), f"{a:%H:%M}", end))
    return rows


# --- the candidate's side ---------------------------------------------------------------------


def request_for(link):
    """The link's request, or None (the booking page's "None of these work" makes one when
    the candidate first sends their times)."""
    try:
        return link.availability_request
    except AvailabilityRequest.DoesNotExist:
        return None


def asks_availability(link):
    """Whether the link was sent to ask for the candidate's times (its page is the form)."""
    request = request_for(link)
    return request is not None and request.origin == AvailabilityRequest.Origin.RECRUITER


def submit(link, windows, *, note, zone_name, now=None):
    """Keep the candidate's times (replacing any sent before) and tell the recruiter; returns
    the request. Raises Used once a recruiter booked inside them, links.LinkChanged when the
    link is no longer open (booked, revoked or expired meanwhile)."""
    now = now or timezone.now()
    with transaction.atomic():
        # The link's row first, locked: a recruiter booking at this moment waits (or wins).
        current = BookingLink.objects.select_for_update().get(pk=link.pk)
        if current.state != BookingLink.State.OPEN or current.is_expired(now):
            raise links.LinkChanged()
        links._refuse_closed(current)
        request, _created = AvailabilityRequest.objects.get_or_create(
            link=current,
            defaults={
                "tenant": current.tenant,
                "application": link.application,
                "origin": AvailabilityRequest.Origin.BOOKING_PAGE,
            },
        )
        if request.used_at:
            raise Used()
        first = request.submitted_at is None
        request.windows.all().delete()
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(request=request, start_at=a, end_at=b, zone_name=zone_name)
            for a, b in windows
        )
        request.zone_name = zone_name
        request.note = (note or "")[:NOTE_LENGTH]
        request.submitted_at = request.submitted_at or now
        request.changed_at = now
        request.save()
        candidate = link.application.candidate
        candidate.note_zone(zone_name, Candidate.ZoneSource.BOOKING_PAGE)
        audit(
            current.tenant,
            "availability.received" if first else "availability.changed",
            f"{candidate} {'sent' if first else 'changed'} the times they can do: "
            + history_words(request),
            actor_label="Candidate",
            obj=request,
            application=str(link.application_id),
        )
        if current.created_by_id:
            _queue_received_notice(request, changed=not first)
        times_received.send(sender=AvailabilityRequest, request=request, first=first)
    return request


def book_if_one_is_best(request, *, now=None):
    """The team's choice (`Tenant.availability_booking`): book the candidate's times
    automatically when exactly one loop inside them is lightest, in the name of the
    recruiter who asked. Returns the Interview, or None when a recruiter is to choose
    (several equally good, none, the calendars unreadable, the time taken meanwhile)."""
    tenant = request.tenant
    recruiter = request.link.created_by
    if tenant.availability_booking != tenant.AvailabilityBooking.AUTOMATIC or recruiter is None:
        return None
    try:
        found = offer(request, now=now)
    except (slots.CalendarsUnavailable, slots.PlanNotUsable) as exc:
        logger.info("Availability %s: not booked automatically: %s", request.pk, exc)
        return None
    if found is None:
        return None
    ranked, single = best(found)
    if not ranked or not single:
        return None
    try:
        return book(
            request, found.choice_for(ranked[0], request.application), user=recruiter, now=now
        )
    except (Used, links.LinkChanged, links.ApplicationClosed, booking.BookingError) as exc:
        logger.info("Availability %s: not booked automatically: %s", request.pk, exc)
        return None


def history_words(request):
    """The windows on the team's clock, its zone named, for the history."""
    zone = zones.zone(request.tenant.default_timezone)
    parts = []
    for window in request.windows.all():
        a, b = timezone.localtime(window.start_at, zone), timezone.localtime(window.end_at, zone)
        parts.append(f"{a:%a %-d %b %H:%M}–{b:%H:%M}")
    return "; ".join(parts) + f" ({zone.key})"


# --- showing the windows ----------------------------------------------------------------------


@dataclasses.dataclass
class Shown:
    """A window as a page shows it: on the candidate's clock and on the viewer's."""

    start: dt.datetime
    end: dt.datetime
    theirs: str  # "Tue 8 Dec, 09:00–12:00"
    yours: str  # "Mon 7 Dec, 17:00–20:00"


def _span(a, b, zone, cycle):
    a, b = timezone.localtime(a, zone), timezone.localtime(b, zone)
    text = f"{a:%a %-d %b}, {timefmt.clock(a, cycle)}–{timefmt.clock(b, cycle)}"
    if b.date() > a.date() and (b.hour, b.minute) != (0, 0):
        text += f" ({b:%a})"
    return text


def shown(request, viewer_zone, *, cycle=timefmt.DEFAULT):
    """The request's windows on the candidate's clock (the zone they gave them in) and on
    the viewer's."""
    theirs = zones.zone(request.zone_name or request.tenant.default_timezone)
    return [
        Shown(
            w.start_at,
            w.end_at,
            _span(w.start_at, w.end_at, theirs, cycle),
            _span(w.start_at, w.end_at, viewer_zone, cycle),
        )
        for w in request.windows.all()
    ]


def latest_received(applications):
    """{application id: its request with times received and still usable}, the newest each
    (for the pipeline's and the candidate page's "Availability received")."""
    now = timezone.now()
    found = {}
    requests = (
        AvailabilityRequest.objects.filter(
            application__in=applications,
            submitted_at__isnull=False,
            used_at__isnull=True,
            link__state=BookingLink.State.OPEN,
            link__expires_at__gt=now,
        )
        .select_related("link")
        .order_by("application_id", "-submitted_at")
    )
    for request in requests:
        found.setdefault(request.application_id, request)
    return found


# --- the recruiter's side ---------------------------------------------------------------------


def offer(request, *, now=None):
    """The engine's offer inside the candidate's times still to come (slots.find with the
    windows): only loops wholly inside one, each day explained within them."""
    now = now or timezone.now()
    windows = [(w.start_at, w.end_at) for w in request.windows.all() if w.end_at > now]
    if not windows:
        return None
    link = request.link
    return slots.find(
        request.application,
        link.plan,
        start=min(a for a, _b in windows),
        end=max(b for _a, b in windows),
        candidate_zone=zones.name_or(request.zone_name or request.tenant.default_timezone),
        now=now,
        candidate_windows=windows,
    )


def best(offer_):
    """The lightest loops first (the people's load in their weeks, then days), then the
    earliest; and whether exactly one is lightest."""
    ranked = sorted(offer_.slots, key=lambda s: (s.load, s.start))
    single = len(ranked) == 1 or (len(ranked) > 1 and ranked[0].load < ranked[1].load)
    return ranked[:BEST_SHOWN], single


def book(request, choice, *, user, now=None):
    """Book `choice` (inside the candidate's times) for them through the request's link:
    the events and the ATS interviews are written, the candidate gets the usual
    confirmation and their page shows the interview; the request is then used.

    Raises Used, links.LinkChanged (the link was revoked, expired or used), links.
    ApplicationClosed and booking.BookingError (booking.SlotTaken when the time was taken).
    """
    now = now or timezone.now()
    with transaction.atomic():
        request = AvailabilityRequest.objects.select_for_update().get(pk=request.pk)
        if request.used_at:
            raise Used()
        link = BookingLink.objects.select_related(
            "tenant", "application__candidate", "application__job", "plan"
        ).get(pk=request.link_id)
        interview = links.book(
            link,
            choice,
            version=link.version,
            zone_name=request.zone_name,
            now=now,
            user=user,
        )
        AvailabilityRequest.objects.filter(pk=request.pk).update(used_at=now, interview=interview)
    return interview


def ask(applications, *, plan, user, expires_at, now=None, actor_label=""):
    """Ask each application that can be asked (see `links.recipients`) for the times its
    candidate can do: a link sent for it, emailed by the outbox. Returns (requests,
    skipped recipients). `actor_label` names who asked when no user did (autopilot)."""
    now = now or timezone.now()
    sent, skipped = [], []
    for recipient in links.recipients(applications, plan, now):
        if recipient.skip:
            skipped.append(recipient)
            continue
        application = recipient.application
        tenant = application.tenant
        zone = zones.zone(application.candidate.zone_name(tenant.default_timezone))
        with transaction.atomic():
            link = links.create_link(
                application,
                recipient.plan,
                user=user,
                window_start=timezone.localtime(now, zone).date(),
                window_end=timezone.localtime(expires_at, zone).date(),
                expires_at=expires_at,
                send=False,
                actor_label=actor_label,
                history=(
                    f"Asked {application.candidate} for the times they can do "
                    f"(plan {recipient.plan})"
                ),
            )
            request = AvailabilityRequest.objects.create(
                tenant=tenant,
                application=application,
                link=link,
                origin=AvailabilityRequest.Origin.RECRUITER,
            )
            outbox.add(
                tenant,
                Operation.Kind.SEND_EMAIL,
                payload={
                    "kind": "availability_request",
                    "link": str(link.pk),
                    "about": f"The request for times to {application.candidate.name} "
                    f"<{link.sent_to}>",
                },
            )
        sent.append(request)
    return sent, skipped


def url_for(link):
    return settings.SITE_URL + reverse("availability_page", args=[links.token_for(link)])


def preview(application, *, expires_at):
    """(subject, text body) of the request's email as `application`'s candidate would get
    it, with a stand-in for their link."""
    values = links._email_values(application, url=links.PREVIEW_LINK, expires_at=expires_at)
    context = {**values, "url": links.PREVIEW_LINK, "sender": None, "tenant": application.tenant}
    subject = " ".join(
        render_to_string("emails/availability_request-subject.txt", context).split()
    )
    return subject, render_to_string("emails/availability_request-body.txt", context)


@outbox.sends("availability_request")
def send_request_email(op):
    link = (
        BookingLink.objects.select_related("tenant", "application__candidate", "application__job")
        .filter(pk=op.payload["link"])
        .first()
    )
    if link is None or link.state != BookingLink.State.OPEN:
        return {"skipped": True, "why": "the link is no longer open"}
    application = link.application
    values = links._email_values(application, url=url_for(link), expires_at=link.expires_at)
    sent = emails.send(
        "availability_request",
        tenant=link.tenant,
        to=[link.sent_to],
        context={**values, "url": url_for(link), "sender": link.created_by},
        obj=link,
    )
    if not link.sent_at:
        BookingLink.objects.filter(pk=link.pk).update(sent_at=timezone.now())
    return {"sent_email": str(sent.pk)}


def _queue_received_notice(request, *, changed):
    link = request.link
    recruiter = link.created_by
    if recruiter is None or not recruiter.email:
        return None
    return outbox.add(
        request.tenant,
        Operation.Kind.SEND_EMAIL,
        payload={
            "kind": "availability_received",
            "request": str(request.pk),
            "changed": changed,
            "about": f"To {recruiter.get_full_name() or recruiter.email}: "
            f"{request.application.candidate.name}’s times",
        },
    )


@outbox.sends("availability_received")
def send_received_notice(op):
    request = (
        AvailabilityRequest.objects.select_related(
            "tenant", "link__created_by", "application__candidate", "application__job"
        )
        .filter(pk=op.payload["request"])
        .first()
    )
    recruiter = request.link.created_by if request else None
    if request is None or recruiter is None or not recruiter.email or request.used_at:
        return {"skipped": True, "why": "nobody to tell, or already booked"}
    zone = zones.zone(recruiter.timezone or request.tenant.default_timezone)
    sent = emails.send(
        "availability_received",
        tenant=request.tenant,
        to=[recruiter.email],
        context={
            "recruiter": recruiter,
            "candidate": request.application.candidate,
            "job": request.application.job,
            "changed": op.payload.get("changed", False),
            "windows": shown(request, zone),
            "zone_text": zones.describe(zone.key, timezone.now()),
            "their_zone_text": zones.describe(request.zone_name, timezone.now()),
            "note": request.note,
            "book_url": settings.SITE_URL
            + reverse("availability_book", args=[request.application_id, request.pk]),
        },
        zone_name=zone.key,
        obj=request,
    )
    return {"sent_email": str(sent.pk)}
