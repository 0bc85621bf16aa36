"""The candidate's pages, opened from an emailed booking link: no sign-in, the token is the key.

GET and HEAD never change what a link may do (mail scanners open links): they only count
the visit. Booking, rescheduling and cancelling are POSTs, rate-limited per link and per
address, and each is a compare-and-swap on the link (links.py). A link that cannot be used
gets a plain page saying why (404 for tampered and unknown, 410 for expired and revoked);
Unified being down is a 503 with a "try again" message, never a stack trace.
"""

import datetime as dt
import functools
import logging
import urllib.parse

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scheduling import booking, ics, plans, slots, where
from scheduling.access import csrf_protect_no_referrer, token_page
from scheduling.lib import outside, reasons, timefmt, zones
from scheduling.models import CandidateInvitation, InterviewPlan, SessionAttendee
from scheduling.unified.errors import UnifiedError

from . import links
from .models import AvailabilityRequest, BookingLink, Candidate

logger = logging.getLogger(__name__)


START_FORMAT = "%Y%m%dT%H%MZ"
JUST_TAKEN = "Sorry, that time was just taken. Here are the times still free."
NOT_OFFERED = "That time is not one this link offers. Here are the times you can choose from."
UNAVAILABLE = "We can’t show times right now. Please try again in a few minutes."
# Not a passing fault: the interview's plan cannot run (e.g. its interviewers left).
NOT_BOOKABLE = (
    "This interview can’t be booked online at the moment. Please reply to the email you "
    "received and we will find a time with you."
)


def public(view):
    """Resolve the token (or answer with the page saying what is wrong with it), work out
    the candidate's zone, and send the headers every public page carries."""

    @functools.wraps(view)
    @token_page
    def wrapper(request, token, *args, **kwargs):
        # The week fragment is served from the cache mostly: it loads the link's row alone.
        fragment = request.method == "GET" and request.htmx and not request.htmx.boosted
        try:
            link = links.resolve(token, related=not fragment)
        except links.LinkError as exc:
            return problem(request, exc.kind, exc.link)
        zone, request.zone_known = _zone(request, link)
        request.clock_cycle = timefmt.for_request(request)
        _note_zone(request, link, zone)
        # Templates show times on the candidate's clock.
        with timezone.override(zone):
            return view(request, link, zone, *args, **kwargs)

    return wrapper


PROBLEMS = {
    # kind: (status, title, text)
    "tampered": (404, "This link is not valid", "Please check that you opened the whole link."),
    "unknown": (404, "This link is not valid", "Please check that you opened the whole link."),
    "expired": (410, "This link has expired", "It can no longer be used to choose a time."),
    "revoked": (410, "This link was withdrawn", "It can no longer be used to choose a time."),
    "unavailable": (503, "Times are not available right now", UNAVAILABLE),
    "not_bookable": (409, "This interview can’t be booked online", NOT_BOOKABLE),
    "too_many": (429, "Too many attempts", "Please wait a minute, then try again."),
    "closed": (
        409,
        "This application is no longer open",
        "No interview can be booked from this link. Please contact the recruiter.",
    ),
    "no_interview": (404, "Nothing booked yet", "There is no interview on this link yet."),
    "invited_by_calendar": (
        404,
        "Your invitation comes from the calendar",
        "Your interview is in the calendar invitation the team’s calendar emailed you: accept "
        "it there (a file from here would add the interview to your calendar twice).",
    ),
}


def problem(request, kind, link=None):
    status, title, text = PROBLEMS[kind]
    response = render(
        request,
        "candidates/public/problem.html",
        {"title": title, "text": text, "kind": kind, **_contact(link)},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "60"
    return response


def _contact(link):
    """Who the candidate can write to: the team, and the person who sent the link."""
    if link is None:
        return {"tenant": None, "sender": None}
    return {"tenant": link.tenant, "sender": link.created_by, "link": link}


def _zone(request, link):
    """(zone, known): the zone asked for (`tz`: the browser's, or the candidate's choice),
    else the candidate's known zone, else the team's, which is not known to be theirs."""
    name = request.GET.get("tz") or request.POST.get("tz") or ""
    if zones.is_zone(name):
        return zones.zone(zones.canonical(name)), True
    candidate = link.application.candidate
    if zones.is_zone(candidate.timezone):
        return zones.zone(zones.canonical(candidate.timezone)), True
    return zones.zone(zones.canonical_or(link.tenant.default_timezone)), False


def _note_zone(request, link, zone):
    """Remember the candidate's zone when their page learns it: the browser's (the page's
    script adds `detected`) or one they picked (`pick`); never from a mail scanner's visit
    or a mere week change."""
    if request.method != "GET":
        return
    detected, picked = request.GET.get("detected") == "1", request.GET.get("pick") == "1"
    if (detected or picked) and zones.is_zone(request.GET.get("tz", "")):
        link.application.candidate.note_zone(
            zone.key, Candidate.ZoneSource.BOOKING_PAGE, chosen=picked
        )


def _date(value):
    return outside.date_from(value)


def _start(value):
    """The start a link's URL names (`20261203T1400Z`), when plausible (`00010101T0000Z` is
    no time anyone can book, and would overflow on the candidate's clock)."""
    try:
        start = dt.datetime.strptime(value or "", START_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return outside.plausible(start)


def _urls(link):
    token = links.token_for(link)
    return {
        **{
            name: reverse(f"booking_{name}", args=[token])
            for name in ("page", "confirm", "reschedule", "cancel", "ics")
        },
        # "None of these work": the candidate proposes times instead (candidates.availability).
        "availability": reverse("availability_page", args=[token]),
    }


def _page_url(link, zone, **params):
    query = urllib.parse.urlencode({"tz": zone.key, **params}, safe="/")
    return f"{_urls(link)['page']}?{query}"


def _length(plan):
    minutes = sum(s.duration_minutes for s in plan.sessions.all())
    count = len(plan.sessions.all())
    minutes += plan.break_minutes * (count - 1)
    hours, rest = divmod(minutes, 60)
    text = " ".join(
        part
        for part in (
            f"{hours} hour{'s' if hours != 1 else ''}" if hours else "",
            f"{rest} minutes" if rest else "",
        )
        if part
    )
    return text + (f", in {count} parts" if count > 1 else "")


def _page_context(request, link, zone, *, mode):
    application = link.application
    plan = link.plan
    now = timezone.now()
    cycle = request.clock_cycle
    first = [application.candidate.timezone, link.tenant.default_timezone, zone.key]
    return {
        "link": link,
        "tenant": link.tenant,
        "sender": link.created_by,
        "candidate": application.candidate,
        "job_name": application.job.name if application.job else "",
        "plan": plan,
        "length": _length(plan) if plan else "",
        # Where and how, as the plan and its people's calendars can really make it.
        "where": plans.plan_where(plan) if plan else None,
        "zone": zone.key,
        "zone_known": request.zone_known,
        "zone_label": zones.describe(zone.key, now),
        "zone_names": " ".join([zone.key, *zones.aliases().get(zone.key, ())]),
        "zone_choices": zones.choices(
            now, first=[n for n in first if n], clock=lambda t: timefmt.clock(t, cycle)
        ),
        "cycle": cycle,
        "candidate_hours": plan.candidate_hours_text if plan else "",
        "detect_zone": True,
        "mode": mode,
        "urls": _urls(link),
    }


# --- the week of times ----------------------------------------------------------------------


def _week_context(request, link, zone, monday, *, mode, interview=None, earliest=False):
    """The slot-week partial's context, and whether times could be shown. With `earliest`
    the week shown is the window's first with a time (none was asked for)."""
    urls = _urls(link)
    zone_q = urllib.parse.quote(zone.key, safe="/")
    here = urls["reschedule"] if mode == "reschedule" else urls["page"]
    cycle = request.clock_cycle
    context = {
        "zone": zone.key,
        "zone_label": zones.describe(zone.key, timezone.now()),
        "zone_known": request.zone_known,
        "mode": mode,
        "urls": urls,
        "here": here,
        "zone_q": zone_q,
        "cycle": cycle,
        "candidate_hours": link.plan.candidate_hours_text if link.plan else "",
    }
    if monday is None:
        return {**context, "over": True}, None
    try:
        if earliest:
            week = links.earliest_week(
                link, zone, interview=interview, zone_known=request.zone_known
            )
        else:
            week = links.week(
                link, zone, monday, interview=interview, zone_known=request.zone_known
            )
    except slots.PlanNotUsable as exc:
        logger.warning("Booking link %s: its plan cannot run: %s", link.pk, exc)
        return {**context, "not_bookable": NOT_BOOKABLE, "unavailable": NOT_BOOKABLE}, None
    except (slots.CalendarsUnavailable, UnifiedError) as exc:
        logger.warning("Booking link %s: no times: %s", link.pk, exc)
        return {**context, "unavailable": UNAVAILABLE}, None
    days = [
        {
            "date": day.date,
            "why": day.why,
            "times": [
                (
                    timefmt.clock(timezone.localtime(slot.start, zone), cycle),
                    f"{urls['confirm']}?start={slot.start.astimezone(dt.UTC):{START_FORMAT}}"
                    f"&tz={zone_q}",
                )
                for slot in day.slots
            ],
        }
        for day in week.days
    ]
    first_time = next((day["date"] for day in days if day["times"]), None)
    context.update(
        week=week,
        days=days,
        any_times=first_time is not None,
        # Every week of the link was looked at and none has a time.
        nothing_at_all=earliest and first_time is None,
        # The page opened on a later week than the window's first: say so, and when.
        earliest=first_time if earliest and week.previous else None,
        previous_url=f"{here}?tz={zone_q}&week={week.previous}" if week.previous else "",
        next_url=f"{here}?tz={zone_q}&week={week.next}" if week.next else "",
    )
    return context, week


def _week_key(request, link, zone, monday, mode):
    # A plan edited since shows within the cache's few seconds.
    known = "known" if request.zone_known else "guessed"
    return (
        f"linkweek:{link.pk}:{link.version}:{zone.key}:{known}:{request.clock_cycle}:"
        f"{monday}:{mode}"
    )


def _picker(request, link, zone, *, mode, interview=None, error="", status=200, extra=None):
    """The page with the week of times, or (for htmx) the week alone.

    The week is cached for a few seconds, until the link, the plan, a calendar's busy
    times or Convene's holds change (links.versions), so a busy page costs no engine run.
    """
    requested = _date(request.GET.get("week"))
    monday = links.week_of(link, zone, requested)
    fragment = request.htmx and not request.htmx.boosted
    key = _week_key(request, link, zone, monday, mode) if monday else None
    if key and requested is None:
        key += ":earliest"
    entry = cache.get(key) if key and fragment and not error else None
    before = links.versions(entry["calendars"]) if entry else None
    if entry and before == entry["versions"]:
        return HttpResponse(entry["html"])
    week_context, week = _week_context(
        request, link, zone, monday, mode=mode, interview=interview, earliest=requested is None
    )
    week_context["error"] = error
    if week is None and "unavailable" in week_context and "not_bookable" not in week_context:
        status = 503  # passing: Unified could not be read
    if fragment:
        html = render_to_string("candidates/public/link.html#slot-week", week_context)
        if key and week is not None and not error:
            calendars = links.calendars_of(week.offer) if week.offer else []
            if entry is None or entry["calendars"] != calendars:
                before = links.versions(calendars)
            cache.set(
                key,
                {"html": html, "calendars": calendars, "versions": before},
                links.WEEK_CACHE_SECONDS,
            )
        return HttpResponse(html, status=status)
    context = {**_page_context(request, link, zone, mode=mode), **week_context, **(extra or {})}
    return render(request, "candidates/public/link.html", context, status=status)


# --- the pages --------------------------------------------------------------------------------

NOTICES = {
    "booked": "You’re booked. Your confirmation email is on its way.",
    "moved": "Your interview has its new time. An updated invitation is on its way.",
    "canceled": "Your interview is canceled.",
}


@require_http_methods(["GET", "HEAD"])
@public
def page(request, link, zone):
    """What the link is for now: times to choose from, or the booked interview."""
    if request.method == "HEAD":
        # Mail scanners: count the visit, render nothing, ask Unified nothing.
        links.record_visit(link, request)
        return HttpResponse(content_type="text/html; charset=utf-8")
    if not request.htmx and request.GET.get("detected") != "1":
        # (A `detected` visit is the page reopening itself in the browser's zone: the
        # visit was counted the moment before.)
        links.record_visit(link, request)
    notice = NOTICES.get(request.GET.get("done", ""), "")
    if link.state == BookingLink.State.BOOKED:
        return _booked(request, link, zone, notice=notice)
    if (
        not request.htmx  # a week of times is only ever asked for from the times' page
        and AvailabilityRequest.objects.filter(
            link=link, origin=AvailabilityRequest.Origin.RECRUITER
        ).exists()
    ):
        # A link sent to ask for the candidate's times: its page is the form for them (with
        # the query as given: without `tz` the form asks the browser for its zone).
        query = request.GET.urlencode(safe="/")
        return redirect(_urls(link)["availability"] + (f"?{query}" if query else ""))
    canceled = link.interview if link.interview and not link.interview.is_active else None
    return _picker(
        request,
        link,
        zone,
        mode="book",
        extra={"notice": notice, "canceled": canceled},
    )


def _booked(request, link, zone, *, notice="", error="", status=200):
    interview = link.interview
    sessions = (
        list(
            interview.sessions.select_related("calendar_connection", "organizer")
            .prefetch_related("attendees__interviewer")
            .order_by("start_at", "position")
        )
        if interview
        else []
    )
    names = _first_names(link, sessions)
    context = {
        **_page_context(request, link, zone, mode="booked"),
        "interview": interview,
        "sessions": [
            {
                "title": s.title,
                "start": timezone.localtime(s.start_at, zone),
                "end": timezone.localtime(s.end_at, zone),
                "names": names.get(s.pk, []),
                "where": where.for_session(s, where.CANDIDATE),
            }
            for s in sessions
        ],
        "start": timezone.localtime(interview.start_at, zone) if interview else None,
        "end": timezone.localtime(interview.end_at, zone) if interview else None,
        # The offset on the interview's day, not today's.
        **({"zone_label": zones.describe(zone.key, interview.start_at)} if interview else {}),
        "changes": links.changes(link),
        "write_to": _write_to(link, interview, zone),
        # Their one invitation: the calendar's (no file to add then), or Convene's .ics.
        "invited_by_calendar": bool(
            interview and interview.candidate_invited_by != CandidateInvitation.EMAIL
        ),
        "notice": notice,
        "error": error,
    }
    return render(request, "candidates/public/booked.html", context, status=status)


def _write_to(link, interview, zone):
    """Whom the candidate writes to when their page can no longer change the interview:
    the recruiter who sent the link (a mailto naming the interview in its subject)."""
    sender = link.created_by
    if interview is None or sender is None or not sender.email:
        return None
    start = timezone.localtime(interview.start_at, zone)
    job = link.application.job
    subject = (
        f"My interview{f' for {job.name}' if job else ''} on {start:%a} {start.day} "
        f"{start:%b} at {start:%H:%M} {zones.describe(zone.key, interview.start_at)}: "
        f"{link.application.candidate.name}"
    )
    return {
        "name": sender.get_full_name() or sender.email,
        "email": sender.email,
        "mailto": f"mailto:{sender.email}?subject={urllib.parse.quote(subject)}",
    }


def _first_names(link, sessions):
    """The panel's first names per session, when the plan shows them; else nothing."""
    if not link.plan or not link.plan.show_interviewer_names or not sessions:
        return {}
    names = {}
    for attendee in (
        SessionAttendee.objects.filter(session__in=sessions, active=True)
        .exclude(role="trainee")
        .select_related("interviewer")
    ):
        names.setdefault(attendee.session_id, []).append(attendee.interviewer.name.split(" ")[0])
    return {sid: sorted(people) for sid, people in names.items()}


@require_http_methods(["GET"])
@public
def reschedule(request, link, zone):
    """The same picker, for a new time for the booked interview (while the cut-off and the
    reschedule limit allow: else the page says why)."""
    if not links.can_reschedule(link):
        return redirect(_page_url(link, zone))
    return _picker(request, link, zone, mode="reschedule", interview=link.interview)


def _mode(link):
    if link.state == BookingLink.State.OPEN:
        return "book"
    if links.can_change(link):
        return "reschedule"
    return None


def _choice(request, link, zone, start, mode):
    """(offer, slot) for `start` from a fresh search of its day."""
    interview = link.interview if mode == "reschedule" else None
    day = timezone.localtime(start, zone).date()
    offer = links.offer_on(link, zone, day, interview=interview, zone_known=request.zone_known)
    return offer, offer.slot_at(start)


def _fresh_times(request, link, zone, mode, start, error, status=409):
    request.GET = request.GET.copy()
    request.GET["week"] = timezone.localtime(start, zone).date().isoformat()
    interview = link.interview if mode == "reschedule" else None
    return _picker(request, link, zone, mode=mode, interview=interview, error=error, status=status)


@csrf_protect_no_referrer
@require_http_methods(["GET", "POST"])
@public
def confirm(request, link, zone):
    """GET asks "Confirm Tue 3 Dec 10:00–11:00?"; POST books (or moves) the interview."""
    mode = _mode(link)
    if mode == "reschedule" and not links.can_reschedule(link):
        # Past the limit: the page says so and whom to write to; a POST changes nothing.
        return _booked(request, link, zone, status=409 if request.method == "POST" else 200)
    if request.method == "POST":
        if not links.allow_attempt(link, request):
            return problem(request, "too_many", link)
        if request.POST.get("action") != mode or mode is None:
            return _already(request, link, zone)
        if link.application.is_closed:
            return problem(request, "closed", link)
    elif mode is None:
        return _booked(request, link, zone)
    elif not links.allow_search(link, request):
        return problem(request, "too_many", link)
    start = _start(request.GET.get("start") or request.POST.get("start"))
    if start is None:  # none, garbled or implausible: the times, on the candidate's clock
        return redirect(_page_url(link, zone))
    if not links.offers(link, zone, start):
        return _fresh_times(request, link, zone, mode, start, NOT_OFFERED, status=400)
    try:
        offer, slot = _choice(request, link, zone, start, mode)
    except slots.PlanNotUsable as exc:
        logger.warning("Booking link %s: its plan cannot run: %s", link.pk, exc)
        return problem(request, "not_bookable", link)
    except (slots.CalendarsUnavailable, UnifiedError) as exc:
        logger.warning("Booking link %s: no times: %s", link.pk, exc)
        return problem(request, "unavailable", link)
    if slot is None:
        return _fresh_times(request, link, zone, mode, start, JUST_TAKEN)
    if request.method == "GET":
        return _confirm_page(request, link, zone, offer, slot, mode)
    phone, phone_error = "", ""
    if mode == "book" and _asks_phone(link):
        phone = " ".join(request.POST.get("phone", "").split())[:64]
        phone_error = _phone_problem(phone)
        if phone_error:
            return _confirm_page(
                request, link, zone, offer, slot, mode, phone=phone, phone_error=phone_error
            )

    reason = None
    if mode == "reschedule":
        reason, reason_error = _reason(request, link.tenant.reschedule_reasons)
        if reason_error:
            return _confirm_page(request, link, zone, offer, slot, mode, reason_error=reason_error)

    choice = offer.choice_for(slot, link.application)
    version = _int(request.POST.get("version"))
    try:
        if mode == "book":
            links.book(link, choice, version=version, zone_name=zone.key, phone=phone)
        else:
            links.reschedule(link, choice, version=version, zone_name=zone.key, reason=reason)
    except links.ApplicationClosed:
        return problem(request, "closed", link)
    except links.LinkChanged:
        return _already(request, link, zone)
    except (links.TooLate, links.TooManyMoves):
        return _booked(request, _reload(link), zone, status=409)
    except booking.SlotTaken:
        return _fresh_times(request, link, zone, mode, start, JUST_TAKEN)
    except booking.BookingError as exc:
        logger.info("Booking link %s: refused: %s", link.pk, exc)
        return _fresh_times(
            request,
            link,
            zone,
            mode,
            start,
            "This time can’t be booked from this link. Please contact us (below).",
        )
    done = "booked" if mode == "book" else "moved"
    return redirect(_page_url(link, zone, done=done))


def _reason(request, labels, *, required=False):
    """(Reason, error) from the reason radios the page posted (templates/_reasons.html)."""
    return reasons.chosen(
        labels, request.POST.get("reason"), request.POST.get("reason_text"), required=required
    )


def _reason_context(request, labels, *, legend, required=False, error=""):
    return {
        "choices": reasons.choices(labels),
        "chosen": request.POST.get("reason", ""),
        "text": " ".join(request.POST.get("reason_text", "").split())[: reasons.MAX_TEXT],
        "legend": legend,
        "required": required,
        "error": error,
        "other_only": True,
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _reload(link):
    return links.resolve(links.token_for(link), allow_expired=True)


def _already(request, link, zone):
    """The link moved on since the page the candidate acted on: show it as it is now."""
    try:
        link = links.resolve(links.token_for(link))
    except links.LinkError as exc:
        return problem(request, exc.kind, exc.link)
    if link.state == BookingLink.State.BOOKED:
        return _booked(
            request,
            link,
            zone,
            error="This page was out of date: here is your interview as it stands now.",
            status=409,
        )
    return _fresh_times(
        request,
        link,
        zone,
        "book",
        timezone.now(),
        "This page was out of date. Here are the times free now.",
    )


def _asks_phone(link):
    """A phone interview the team calls: the candidate gives the number when they book."""
    return link.plan is not None and link.plan.location_kind == InterviewPlan.Location.PHONE


def _phone_problem(phone):
    digits = sum(ch.isdigit() for ch in phone)
    if not phone:
        return "Give the number we should call you on."
    if digits < 6 or digits > 20 or any(not (ch.isdigit() or ch in " +-().") for ch in phone):
        return "This does not look like a phone number: digits, with + and the country code."
    return ""


def _confirm_page(
    request, link, zone, offer, slot, mode, *, phone=None, phone_error="", reason_error=""
):
    sessions_by_key = {str(s.pk): s for s in offer.plan.sessions.all()}
    show_names = link.plan.show_interviewer_names
    parts = []
    for part in slot.sessions:
        plan_session = sessions_by_key[part.session]
        names = sorted(offer.people[pid].name.split(" ")[0] for pid in part.interviewers)
        parts.append(
            {
                "title": plan_session.title_for(
                    job=link.application.job.name if link.application.job else "",
                    candidate=link.application.candidate.name,
                    stage=link.application.stage_label,
                ),
                "start": timezone.localtime(part.start, zone),
                "end": timezone.localtime(part.end, zone),
                "names": names if show_names else [],
            }
        )
    context = {
        **_page_context(request, link, zone, mode=mode),
        "start": timezone.localtime(slot.start, zone),
        "zone_label": zones.describe(zone.key, slot.start),
        "end": timezone.localtime(slot.end, zone),
        "start_param": f"{slot.start.astimezone(dt.UTC):{START_FORMAT}}",
        "parts": parts,
        "current": (
            timezone.localtime(link.interview.start_at, zone) if mode == "reschedule" else None
        ),
        "asks_phone": mode == "book" and _asks_phone(link),
        "phone": link.application.candidate.phone if phone is None else phone,
        "phone_error": phone_error,
        "reasons": _reason_context(
            request,
            link.tenant.reschedule_reasons,
            legend="Why are you moving it?",
            error=reason_error,
        )
        if mode == "reschedule"
        else None,
        "back_url": f"{_urls(link)['reschedule' if mode == 'reschedule' else 'page']}"
        f"?tz={urllib.parse.quote(zone.key, safe='/')}"
        f"&week={timezone.localtime(slot.start, zone).date()}",
    }
    error = phone_error or reason_error
    return render(request, "candidates/public/confirm.html", context, status=400 if error else 200)


@csrf_protect_no_referrer
@require_http_methods(["GET", "POST"])
@public
def cancel(request, link, zone):
    """GET asks why (optional unless the plan or the team requires it: the reasons are the
    team's list); POST cancels, tells the recruiter and reopens the link."""
    if request.method == "POST" and not links.allow_attempt(link, request):
        return problem(request, "too_many", link)
    if not links.can_change(link):
        # Past the cut-off, canceled already, or not booked: the page says which.
        if link.state == BookingLink.State.OPEN:
            return redirect(_urls(link)["page"])
        return _booked(request, link, zone, status=409 if request.method == "POST" else 200)
    required = link.interview.cancel_reason_required
    labels = link.tenant.cancel_reasons
    error = ""
    if request.method == "POST":
        reason, error = _reason(request, labels, required=required)
        if not error:
            try:
                links.cancel(link, version=_int(request.POST.get("version")), reason=reason)
            except (links.LinkChanged, links.TooLate):
                return _already(request, link, zone)
            return redirect(_page_url(link, zone, done="canceled"))
    context = {
        **_page_context(request, link, zone, mode="cancel"),
        "interview": link.interview,
        "start": timezone.localtime(link.interview.start_at, zone),
        "zone_label": zones.describe(zone.key, link.interview.start_at),
        "end": timezone.localtime(link.interview.end_at, zone),
        "reasons": _reason_context(
            request,
            labels,
            legend="Why are you canceling?",
            required=required,
            error=error,
        ),
        "error": error,
    }
    return render(request, "candidates/public/cancel.html", context, status=400 if error else 200)


@require_http_methods(["GET"])
@public
def interview_ics(request, link, zone):
    """The interview as an .ics file: the same UID and SEQUENCE as the emails carry."""
    interview = link.interview
    if interview is None:
        return problem(request, "no_interview", link)
    if interview.candidate_invited_by != CandidateInvitation.EMAIL:
        return problem(request, "invited_by_calendar", link)
    candidate = link.application.candidate
    content = ics.interview_calendar(
        interview,
        sessions=list(interview.sessions.all()),
        candidate_name=candidate.name,
        candidate_email=candidate.email,
        organizer_name=link.tenant.name,
        zone=zones.zone(interview.candidate_zone_name),
    )
    method = "REQUEST" if interview.is_active else "CANCEL"
    response = HttpResponse(content, content_type=f"text/calendar; method={method}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interview.ics"'
    return response
