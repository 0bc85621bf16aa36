"""Availability requests' pages: the candidate's form (opened from their link: no sign-in,
the token is the key, GET never changes anything) and the recruiter's (asking, and booking
inside the candidate's times in one click)."""

import datetime as dt
import urllib.parse

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scheduling import booking, slots, writeback
from scheduling.access import csrf_protect_no_referrer, get_for_tenant, scheduler_required
from scheduling.lib import zones

from . import availability, links, picker
from .models import Application, AvailabilityRequest, BookingLink
from .public_views import _page_context, problem, public
from .views import _chosen_applications

BLANK_ROWS = 4

NOTICES = {
    "sent": "Thank you: we have your times. We will book your interview inside them and email "
    "you the confirmation. You can change your times here until then.",
}


# --- the candidate's page ---------------------------------------------------------------------


def _url(link, zone, **params):
    query = urllib.parse.urlencode({"tz": zone.key, **params}, safe="/")
    return f"{reverse('availability_page', args=[links.token_for(link)])}?{query}"


def _booking_url(link, zone):
    query = urllib.parse.urlencode({"tz": zone.key}, safe="/")
    return f"{reverse('booking_page', args=[links.token_for(link)])}?{query}"


def _posted_rows(post):
    days, starts, ends = post.getlist("day"), post.getlist("start"), post.getlist("end")
    count = min(max(len(days), len(starts), len(ends)), availability.MOST_WINDOWS + 10)

    def at(values, n):
        return values[n].strip()[:20] if n < len(values) else ""

    return [availability.Row(at(days, n), at(starts, n), at(ends, n)) for n in range(count)]


@csrf_protect_no_referrer
@require_http_methods(["GET", "HEAD", "POST"])
@public
def page(request, link, zone):
    """The week grid (or, without JavaScript, rows of day + from/to) for the candidate's
    times, in their zone; sending keeps them until a recruiter books inside them."""
    if request.method == "HEAD":
        links.record_visit(link, request)
        return HttpResponse(content_type="text/html; charset=utf-8")
    asked = availability.request_for(link)
    if link.state == BookingLink.State.BOOKED or (asked is not None and asked.used_at):
        # Booked (inside their times, or by themselves): their page shows the interview.
        return redirect(_booking_url(link, zone))
    if link.application.is_closed:
        return problem(request, "closed", link)
    if link.plan is None:
        return problem(request, "not_bookable", link)
    days = availability.days_open(link, zone)
    minutes = availability.length_minutes(link.plan)
    if request.method == "POST":
        if not links.allow_attempt(link, request):
            return problem(request, "too_many", link)
        rows = _posted_rows(request.POST)
        note = request.POST.get("note", "")[: availability.NOTE_LENGTH]
        windows, rows = availability.parse(
            rows,
            zone,
            days=days,
            minutes=minutes,
            notice_hours=link.plan.minimum_notice_hours,
        )
        form_error = ""
        if not windows and not any(row.error for row in rows):
            form_error = "Add at least one time you can do: a day, and from when to when."
        if form_error or any(row.error for row in rows):
            return _form(
                request, link, zone, asked, days, minutes, rows, note, form_error, status=400
            )
        try:
            asked = availability.submit(link, windows, note=note, zone_name=zone.key)
        except (links.LinkChanged, availability.Used):
            return redirect(_booking_url(link, zone))
        except links.ApplicationClosed:
            return problem(request, "closed", link)
        if availability.book_if_one_is_best(asked) is not None:
            # Booked at once (the team's choice): their page shows the interview.
            return redirect(f"{_booking_url(link, zone)}&done=booked")
        return redirect(_url(link, zone, done="sent"))
    if not request.htmx and request.GET.get("detected") != "1":
        links.record_visit(link, request)
    rows = availability.rows_of(asked, zone) if asked is not None else []
    return _form(request, link, zone, asked, days, minutes, rows, asked.note if asked else "")


def _form(request, link, zone, asked, days, minutes, rows, note, form_error="", status=200):
    rows = [*rows, *(availability.Row() for _ in range(BLANK_ROWS))]
    start, end, hour_days = link.plan.candidate_hours()
    context = {
        **_page_context(request, link, zone, mode="availability"),
        "asked": asked,
        "days": days,
        "weeks": _weeks(days),
        "rows": rows,
        "note": note,
        "form_error": form_error,
        "minutes": minutes,
        "length_words": availability.length_words(minutes),
        "notice": NOTICES.get(request.GET.get("done", ""), ""),
        "here": reverse("availability_page", args=[links.token_for(link)]),
        "booking_url": _booking_url(link, zone),
        "hours_start": f"{start:%H:%M}",
        "hours_end": "24:00" if end == dt.time(0) else f"{end:%H:%M}",
        "hour_days": ",".join(str(d) for d in sorted(set(hour_days))),
        # The first moment the plan's notice leaves open, on the candidate's clock: the
        # grid greys out what comes before.
        "earliest": _grid_key(
            timezone.localtime(
                timezone.now() + dt.timedelta(hours=link.plan.minimum_notice_hours), zone
            )
        ),
        "from_booking_page": not availability.asks_availability(link),
    }
    return render(request, "candidates/public/availability.html", context, status=status)


def _grid_key(moment):
    """A wall-clock moment as the grid names its cells: "YYYY-MM-DD@minutes"."""
    return f"{moment.date().isoformat()}@{moment.hour * 60 + moment.minute}"


def _weeks(days):
    """The days in weeks (Monday first) for the grid: [[date or None] * 7]."""
    if not days:
        return []
    weeks = {}
    for day in days:
        monday = day - dt.timedelta(days=day.weekday())
        weeks.setdefault(monday, [None] * 7)[day.weekday()] = day
    return [weeks[m] for m in sorted(weeks)]


# --- the recruiter's side ---------------------------------------------------------------------


@scheduler_required
def ask(request):
    """Ask the applications ticked (one from the candidate page, or many from the pipeline)
    for the times their candidates can do: GET shows who gets the email and what it says,
    POST sends it (each a link, through the outbox)."""
    applications = _chosen_applications(request)
    if not applications:
        messages.info(request, "Tick the applications to ask for availability, first.")
        return redirect("pipeline")
    now = timezone.now()
    expires_at = now + dt.timedelta(days=request.tenant.link_expiry_days)
    if request.method != "POST":
        recipients = links.recipients(applications, None, now)
        sendable = [r for r in recipients if not r.skip]
        preview = (
            availability.preview(sendable[0].application, expires_at=expires_at)
            if sendable
            else None
        )
        return render(
            request,
            "candidates/ask_availability.html",
            {
                "applications": applications,
                "sendable": sendable,
                "skipped": [r for r in recipients if r.skip],
                "preview": preview,
                "preview_to": sendable[0].application.candidate if sendable else None,
                "nav_active": "pipeline",
            },
        )
    sent, skipped = availability.ask(
        applications, plan=None, user=request.user, expires_at=expires_at, now=now
    )
    if sent:
        who = sent[0].application.candidate.name if len(sent) == 1 else f"{len(sent)} candidates"
        messages.success(
            request,
            f"Asked {who} for the times they can do. You will see them here, and get an "
            "email, when they answer.",
        )
    if skipped:
        messages.warning(
            request,
            "Not asked: "
            + "; ".join(f"{r.application.candidate} ({r.skip})" for r in skipped)
            + ".",
        )
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    if len(applications) == 1:
        return redirect("candidate_detail", pk=applications[0].candidate_id)
    return redirect("pipeline")


def _request_for(request, application_pk, pk):
    application = get_for_tenant(
        request,
        Application.objects.select_related("candidate", "job", "tenant"),
        pk=application_pk,
    )
    asked = (
        AvailabilityRequest.objects.filter(tenant=request.tenant, application=application, pk=pk)
        .select_related("link__plan", "link__created_by", "tenant", "interview")
        .prefetch_related("windows")
        .first()
    )
    if asked is None:
        raise Http404
    asked.application = application
    return application, asked


@scheduler_required
def book_in_times(request, application_pk, pk):
    """The candidate's times on both clocks, and the loops that fit inside them, lightest
    first; one click books."""
    application, asked = _request_for(request, application_pk, pk)
    if request.method == "POST":
        return _book(request, application, asked)
    return _times_page(request, application, asked)


def _times_page(request, application, asked, *, error="", status=200):
    viewer = timezone.get_current_timezone()
    now = timezone.now()
    their_zone = zones.name_or(asked.zone_name or request.tenant.default_timezone)
    state = asked.status(now)
    context = {
        "application": application,
        "candidate": application.candidate,
        "asked": asked,
        "state": state,
        "plan": asked.link.plan,
        "windows": availability.shown(asked, viewer),
        "zone_text": zones.describe(viewer.key, now),
        "their_zone": their_zone,
        "their_zone_text": zones.describe(their_zone, now),
        "same_zone": zones.canonical(viewer.key) == their_zone,
        "error": error,
        "nav_active": "pipeline",
    }
    if state == "received" and asked.link.plan is not None:
        try:
            found = availability.offer(asked, now=now)
        except slots.PlanNotUsable as exc:
            context["plan_error"] = str(exc)
            found = None
        except slots.CalendarsUnavailable as exc:
            context["calendar_failures"] = exc.failures
            found = None
        if found is not None:
            ranked, single = availability.best(found)
            their = zones.zone(their_zone)
            by_day = {}
            for slot in found.slots:
                by_day.setdefault(timezone.localtime(slot.start, their).date(), []).append(slot)
            window_days = sorted(
                {timezone.localtime(w.start, their).date() for w in context["windows"]}
            )
            why = {e.date: e for e in found.empty_days}
            context.update(
                offer=found,
                best=ranked,
                single_best=single,
                names={pid: person.name for pid, person in found.people.items()},
                days=[
                    {"date": d, "slots": by_day.get(d, []), "why": why.get(d)}
                    for d in window_days
                    if by_day.get(d) or why.get(d)
                ],
            )
    return render(request, "candidates/availability_book.html", context, status=status)


def _book(request, application, asked):
    start = _start(request.POST.get("start"))
    if asked.status(timezone.now()) != "received":
        return _times_page(request, application, asked, error=_not_received(asked), status=409)
    found = availability.offer(asked) if start else None
    slot = found.slot_at(start) if found is not None else None
    if slot is None:
        return _times_page(
            request,
            application,
            asked,
            error="That time is no longer free. Here are the times that still fit.",
            status=409,
        )
    try:
        interview = availability.book(
            asked, found.choice_for(slot, application), user=request.user
        )
    except availability.Used:
        return _times_page(request, application, asked, error=_not_received(asked), status=409)
    except links.LinkChanged:
        asked.link.refresh_from_db()
        return _times_page(request, application, asked, error=_not_received(asked), status=409)
    except links.ApplicationClosed:
        return _times_page(
            request,
            application,
            asked,
            error="The ATS closed this application: nothing was booked.",
            status=409,
        )
    except booking.BookingError as exc:
        return _times_page(request, application, asked, error=str(exc), status=409)
    messages.success(
        request,
        f"Booked {application.candidate} inside their times. {writeback.what_follows(interview)}",
    )
    return redirect("interview_detail", pk=interview.pk)


def _not_received(asked):
    state = asked.status(timezone.now())
    return {
        "used": "An interview was already booked from this request.",
        "expired": "This request has expired: ask the candidate again for their times.",
        "revoked": "This request was withdrawn: ask the candidate again for their times.",
        "waiting": "The candidate has not sent their times yet.",
    }.get(state, "This request cannot be used now.")


def _start(value):
    start = picker.parse_start(value)
    return start if start is not None and start.tzinfo is not None else None
