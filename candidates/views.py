"""The recruiter's pages on the candidate side: the pipeline and a candidate's page."""

import datetime as dt
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from scheduling import booking, slots
from scheduling.access import admin_required, get_for_tenant, scheduler_required
from scheduling.lib import zones
from scheduling.models import Connection, Interview, Interviewer, Operation, audit
from scheduling.plans import plan_for

from . import links
from .forms import SORTS, OverrideForm, PipelineFilterForm, SendLinksForm
from .models import Application, BookingLink, Candidate, RemoteInterview
from .pipeline import STATE_BADGES, STATE_LABELS, applications_for, with_scheduling_state
from .sync import start_sync

PAGE_SIZE = 50


def _order_by(sort):
    field, _label = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    if field.startswith("-"):
        field, descending = field[1:], not descending
    expression = f"-{field}" if descending else field
    return [expression, "candidate__name", "id"]


@scheduler_required
def pipeline(request):
    tenant = request.tenant
    form = PipelineFilterForm(request.GET, tenant=tenant)
    filters = form.filters()
    applications = applications_for(tenant, timezone.now())
    if filters.get("q"):
        q = filters["q"]
        applications = applications.filter(
            Q(candidate__name__icontains=q) | Q(candidate__email__icontains=q)
        )
    if filters.get("job"):
        applications = applications.filter(job=filters["job"])
    if filters.get("stage"):
        applications = applications.filter(original_status__iexact=filters["stage"])
    if filters.get("recruiter"):
        applications = applications.filter(job__recruiters=filters["recruiter"])
    # A search looks through every application, whatever its scheduling state: a recruiter
    # looking for someone by name does not know which state they are in.
    searching = bool(filters.get("q"))
    if filters["state"] != "any" and not searching:
        applications = applications.filter(scheduling_state=filters["state"])
    applications = applications.order_by(*_order_by(filters["sort"]))

    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    # The rows whose upcoming interview has a flag: they say "Needs attention", not merely
    # "Scheduled" (one query for the page).
    flagged_interviews = dict(
        Interview.objects.active()
        .filter(
            tenant=tenant,
            end_at__gt=timezone.now(),
            application__in=[a.pk for a in page.object_list],
            flags__isnull=False,
        )
        .order_by("start_at")
        .values_list("application_id", "pk")
        .distinct()
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "searching": searching,
        "attention": flagged_interviews,
        "query": query.urlencode(),
        "sort_links": _sort_links(query, filters["sort"]),
        "state_labels": STATE_LABELS,
        "state_badges": STATE_BADGES,
        "has_ats": Connection.objects.filter(
            tenant=tenant, category=Connection.Category.ATS
        ).exists(),
        "now": timezone.now(),
        "nav_active": "pipeline",
    }
    if not request.htmx:
        context["failing"] = Operation.objects.filter(
            tenant=tenant, status=Operation.Status.FAILED
        ).count()
        context["flagged"] = list(
            Interview.objects.active()
            .filter(tenant=tenant, end_at__gt=timezone.now())
            .filter(flags__isnull=False)
            .distinct()
            .select_related("application__candidate")
            .prefetch_related("flags")
            .order_by("start_at")[:20]
        )
    if request.htmx and not request.htmx.boosted:
        return render(request, "candidates/pipeline.html#pipeline-table", context)
    return render(request, "candidates/pipeline.html", context)


def _sort_links(query, current):
    """For each sortable column: the query string that sorts by it (toggling direction)."""
    links = {}
    for key in SORTS:
        q = QueryDict(mutable=True)
        q.update(query)
        q["sort"] = f"-{key}" if current == key else key
        links[key] = {
            "query": q.urlencode(),
            "active": current.lstrip("-") == key,
            "descending": current.startswith("-"),
        }
    return links


@scheduler_required
def candidate_detail(request, pk):
    tenant = request.tenant
    candidate = get_for_tenant(request, Candidate.objects, pk=pk)
    now = timezone.now()
    applications = list(
        with_scheduling_state(
            candidate.applications.filter(removed_at__isnull=True)
            .select_related("job")
            .prefetch_related(
                Prefetch(
                    "booking_links",
                    queryset=BookingLink.objects.select_related("interview", "created_by"),
                )
            ),
            tenant,
            now,
        ).order_by("-applied_at")
    )
    for application in applications:
        for link in application.booking_links.all():
            link.shown_status = link.status(now)
    remote_interviews = list(
        RemoteInterview.objects.filter(
            Q(candidate=candidate) | Q(application__candidate=candidate), tenant=tenant
        )
        .select_related("job")
        .order_by("-start_at")
    )
    user_ids = {uid for interview in remote_interviews for uid in interview.user_ids}
    names = dict(
        Interviewer.objects.filter(tenant=tenant, ats_user_id__in=user_ids).values_list(
            "ats_user_id", "name"
        )
    )
    for interview in remote_interviews:
        interview.interviewer_names = [names.get(uid, uid) for uid in interview.user_ids]
    ours = list(
        Interview.objects.filter(application__candidate=candidate, tenant=tenant)
        .select_related("application__job", "application__candidate", "tenant")
        .prefetch_related("sessions__attendees__interviewer")
        .order_by("-start_at")
    )
    # An ATS interview Convene wrote is shown once, as Convene's.
    written = {s.ats_interview_id for i in ours for s in i.sessions.all() if s.ats_interview_id}
    remote_interviews = [r for r in remote_interviews if r.remote_id not in written]
    return render(
        request,
        "candidates/candidate_detail.html",
        {
            "candidate": candidate,
            "applications": applications,
            "remote_interviews": remote_interviews,
            "interviews": ours,
            "state_labels": STATE_LABELS,
            "state_badges": STATE_BADGES,
            "link_labels": LINK_LABELS,
            "link_badges": LINK_BADGES,
            "now": now,
            "nav_active": "pipeline",
            **_zone_context(request, candidate, now),
        },
    )


def _zone_context(request, candidate, now):
    """The candidate's zone as the candidate page shows and sets it."""
    viewer = timezone.get_current_timezone().key
    known = zones.is_zone(candidate.timezone)
    name = zones.canonical(candidate.timezone) if known else ""
    return {
        "candidate_zone": name,
        "candidate_zone_label": zones.label(name, now) if known else "",
        "viewer_zone": zones.canonical(viewer),
        "viewer_zone_text": zones.describe(viewer, now),
        "zone_choices": zones.choices(
            now, first=[n for n in (name, request.tenant.default_timezone, viewer) if n]
        ),
        "picker_value": name,
    }


@require_POST
@scheduler_required
def candidate_zone(request, pk):
    """A recruiter says which zone the candidate is in (it outranks a guess from their
    address, and the candidate's own choice on their booking page outranks it later)."""
    candidate = get_for_tenant(request, Candidate.objects, pk=pk)
    name = request.POST.get("timezone", "")
    if not zones.is_zone(name):
        messages.error(request, "Choose a time zone from the list.")
        return redirect(reverse("candidate_detail", args=[candidate.pk]) + "#zone")
    before = candidate.timezone
    candidate.note_zone(name, Candidate.ZoneSource.RECRUITER)
    zone_name = zones.canonical(name)
    audit(
        request.tenant,
        "candidate.zone_set",
        f"Set {candidate}’s time zone to {zones.place(zone_name)} ({zone_name})"
        + (f", was {before}" if before and before != zone_name else ""),
        actor=request.user,
        obj=candidate,
    )
    messages.success(
        request,
        f"{candidate.greeting_name}’s times now show in {zones.place(zone_name)}: in the "
        "picker, on their interviews and in every email to them.",
    )
    return redirect(reverse("candidate_detail", args=[candidate.pk]) + "#zone")


# --- the slot picker ----------------------------------------------------------------------------


def _week_start(request, zone):
    """The Monday of the requested week (`?week=YYYY-MM-DD`), else of this week."""
    today = timezone.localtime(timezone.now(), zone).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("week") or request.POST.get("week") or "")
    except ValueError:
        day = today
    day = max(day, today - dt.timedelta(days=today.weekday()))
    return day - dt.timedelta(days=day.weekday())


def _candidate_zone(application):
    """(zone name, known): the candidate's zone, else the team's (not known to be theirs)."""
    candidate = application.candidate
    if zones.is_zone(candidate.timezone):
        return zones.canonical(candidate.timezone), True
    return zones.canonical_or(application.tenant.default_timezone), False


def _picker_context(request, application, plan, *, interview=None, error=None, week=None):
    zone = timezone.get_current_timezone()
    week = week or _week_start(request, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    this_week = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(week, dt.time(), zone)
    end = start + dt.timedelta(days=7)
    candidate_zone, zone_known = _candidate_zone(application)
    context = {
        "application": application,
        "candidate": application.candidate,
        "plan": plan,
        "interview": interview,
        "week": week,
        # Never a week wholly in the past.
        "previous_week": week - dt.timedelta(days=7) if week > this_week else None,
        "next_week": week + dt.timedelta(days=7),
        "this_week": this_week == week,
        "zone_name": zone.key,
        "zone_text": zones.describe(zone.key, start),
        "candidate_zone": candidate_zone,
        "candidate_zone_text": zones.describe(candidate_zone, start),
        "candidate_zone_known": zone_known,
        "same_zone": zones.canonical(zone.key) == candidate_zone,
        "candidate_hours": plan.candidate_hours_text if plan else "",
        "error": error,
        "override_form": OverrideForm(),
        "nav_active": "pipeline",
    }
    if plan is None:
        return context
    try:
        offer = slots.find(
            application,
            plan,
            start=start,
            end=end,
            candidate_zone=zone.key,
            exclude_interview=interview,
            # The recruiter may book any time; those outside the candidate's hours are marked.
            candidate_hours=slots.candidate_hours_for(plan, candidate_zone, strict=False),
        )
    except slots.PlanNotUsable as exc:
        context["plan_error"] = str(exc)
        return context
    except slots.CalendarsUnavailable as exc:
        context["calendar_failures"] = exc.failures
        return context
    days = {week + dt.timedelta(days=n): [] for n in range(7)}
    for slot in offer.slots:
        day = timezone.localtime(slot.start, zone).date()
        if day in days:
            days[day].append(slot)
    explanations = {e.date: e for e in offer.empty_days}
    context.update(
        offer=offer,
        days=[
            {"date": day, "slots": day_slots, "why": explanations.get(day)}
            for day, day_slots in days.items()
        ],
        names={pid: person.name for pid, person in offer.people.items()},
    )
    return context


def _outside_refused(request, context, slot):
    """A slot outside the candidate's hours is booked only when the recruiter ticked that
    they mean it (the picker asks); else the picker again, saying why."""
    if not slot.outside_candidate_hours or request.POST.get("outside_ok") == "1":
        return False
    their = timezone.localtime(slot.start, zones.zone(context["candidate_zone"]))
    context["error"] = (
        f"{their:%H:%M} is outside {context['candidate'].greeting_name}’s hours "
        f"({context['candidate_hours']}, {context['candidate_zone_text']}). Tick “Book it "
        "anyway” under the time if you have agreed it with them."
    )
    context["confirm_start"] = slot.start
    return True


def _render_picker(request, context, status=200):
    template = "candidates/schedule.html"
    if request.htmx and not request.htmx.boosted:
        template += "#slot-week"
    return render(request, template, context, status=status)


def _swaps(post):
    """{(session key, chosen id): alternate id} from `swap:<session>:<chosen>` fields."""
    swaps = {}
    for key, value in post.items():
        if key.startswith("swap:") and value:
            _prefix, session, chosen = key.split(":", 2)
            swaps[(session, chosen)] = value
    return swaps


def _parse_start(value):
    try:
        start = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return start if start.tzinfo else None


@scheduler_required
def schedule(request, pk):
    """The recruiter picks a time for an application; Convene books it and writes it back."""
    application = get_for_tenant(
        request, Application.objects.select_related("candidate", "job", "connection"), pk=pk
    )
    plan = plan_for(application)
    if request.method != "POST":
        return _render_picker(request, _picker_context(request, application, plan))
    if plan is None:
        raise Http404
    week = _week_start(request, timezone.get_current_timezone())
    if request.POST.get("override"):
        return _book_override(request, application, plan, week)
    start = _parse_start(request.POST.get("start"))
    offer_context = _picker_context(request, application, plan, week=week)
    offer = offer_context.get("offer")
    slot = offer.slot_at(start) if offer and start else None
    if slot is None:
        offer_context["error"] = "That time is no longer free. Here are fresh times."
        return _render_picker(request, offer_context, status=409)
    if _outside_refused(request, offer_context, slot):
        return _render_picker(request, offer_context, status=400)
    try:
        interview = booking.book(
            application,
            plan,
            offer.choice_for(slot, application, swaps=_swaps(request.POST)),
            user=request.user,
            candidate_timezone=application.candidate.timezone,
        )
    except booking.BookingError as exc:
        fresh = _picker_context(request, application, plan, week=week, error=str(exc))
        return _render_picker(request, fresh, status=409)
    messages.success(
        request,
        f"Booked {application.candidate}. The calendar events, the ATS interview and the "
        "confirmation email follow in a moment.",
    )
    url = reverse("interview_detail", args=[interview.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _book_override(request, application, plan, week):
    form = OverrideForm(request.POST)
    context = _picker_context(request, application, plan, week=week)
    if not form.is_valid():
        context["override_form"] = form
        context["show_override"] = True
        return _render_picker(request, context, status=400)
    start = form.cleaned_data["start"]
    if timezone.is_naive(start):  # typed on the recruiter's clock (an offset may be given)
        start = timezone.make_aware(start, timezone.get_current_timezone())
    try:
        choice = slots.manual_choice(application, plan, start)
        interview = booking.book(
            application,
            plan,
            choice,
            user=request.user,
            override_reason=form.cleaned_data["reason"],
            candidate_timezone=application.candidate.timezone,
        )
    except booking.BookingError as exc:
        context["error"] = str(exc)
        return _render_picker(request, context, status=409)
    messages.success(request, f"Booked {application.candidate} outside the offered times.")
    return redirect("interview_detail", pk=interview.pk)


@scheduler_required
def reschedule(request, pk):
    """Pick a new time for an interview: the same events and ATS interviews move."""
    interview = get_for_tenant(
        request,
        Interview.objects.select_related(
            "application__candidate", "application__job", "application__connection", "plan"
        ),
        pk=pk,
    )
    application = interview.application
    plan = interview.plan or plan_for(application)
    if not interview.is_active:
        messages.error(request, "This interview was canceled; schedule a new one instead.")
        return redirect("interview_detail", pk=interview.pk)
    if request.method != "POST":
        return _render_picker(
            request, _picker_context(request, application, plan, interview=interview)
        )
    week = _week_start(request, timezone.get_current_timezone())
    context = _picker_context(request, application, plan, interview=interview, week=week)
    offer = context.get("offer")
    start = _parse_start(request.POST.get("start"))
    slot = offer.slot_at(start) if offer and start else None
    if slot is None:
        context["error"] = "That time is no longer free. Here are fresh times."
        return _render_picker(request, context, status=409)
    if _outside_refused(request, context, slot):
        return _render_picker(request, context, status=400)
    try:
        booking.reschedule(
            interview,
            offer.choice_for(slot, application, swaps=_swaps(request.POST)),
            user=request.user,
            reason=request.POST.get("reason", "")[:500],
        )
    except booking.BookingError as exc:
        fresh = _picker_context(
            request, application, plan, interview=interview, week=week, error=str(exc)
        )
        return _render_picker(request, fresh, status=409)
    messages.success(request, "Moved. The calendar, the ATS and the candidate follow.")
    url = reverse("interview_detail", args=[interview.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- booking links ------------------------------------------------------------------------------

LINK_LABELS = {
    "open": "Sent",
    "opened": "Opened",
    "booked": "Booked",
    "canceled": "Interview canceled",
    "expired": "Expired",
    "revoked": "Revoked",
}
LINK_BADGES = {
    "open": "",
    "opened": "",
    "booked": "ok",
    "canceled": "muted",
    "expired": "bad",
    "revoked": "muted",
}


def _chosen_applications(request):
    """The applications picked (`application` ids, repeated), all of the current tenant:
    an id of another tenant (or not an id) is a 404."""
    data = request.POST if request.method == "POST" else request.GET
    ids = set()
    for value in data.getlist("application"):
        try:
            ids.add(uuid.UUID(value))
        except ValueError as exc:
            raise Http404 from exc
    applications = list(
        Application.objects.filter(tenant=request.tenant, pk__in=ids, removed_at__isnull=True)
        .select_related("candidate", "job", "tenant")
        .order_by("candidate__name")
    )
    if len(applications) != len(ids):
        raise Http404
    return applications


@scheduler_required
def send_links(request):
    """Choose the plan, days and expiry for one or many applications, preview the email,
    then send one booking link each."""
    tenant = request.tenant
    applications = _chosen_applications(request)
    if not applications:
        messages.info(request, "Tick the applications to send booking links to, first.")
        return redirect("pipeline")
    now = timezone.now()
    today = timezone.localtime(now, timezone.get_current_timezone()).date()
    single_plan = plan_for(applications[0]) if len(applications) == 1 else None
    window_start, window_end = links.default_window(
        single_plan or plan_for(applications[0]), tenant, now
    )
    initial = {
        "plan": single_plan,
        "window_start": window_start,
        "window_end": window_end,
        "expiry_days": tenant.link_expiry_days,
    }
    bound = request.method == "POST"
    form = SendLinksForm(
        request.POST if bound else None, tenant=tenant, today=today, initial=initial
    )
    values = form.cleaned_data if bound and form.is_valid() else initial
    expires_at = now + dt.timedelta(days=values.get("expiry_days") or tenant.link_expiry_days)
    recipients = links.recipients(applications, values.get("plan"), now)
    if bound and "send" in request.POST and form.is_valid():
        sent, skipped = links.send_links(
            applications,
            plan=values["plan"],
            user=request.user,
            window_start=values["window_start"],
            window_end=values["window_end"],
            expires_at=expires_at,
        )
        if sent:
            messages.success(
                request, f"Sent {len(sent)} booking link{'s' if len(sent) != 1 else ''}."
            )
        if skipped:
            messages.warning(
                request,
                "Skipped: "
                + "; ".join(f"{r.application.candidate} ({r.skip})" for r in skipped)
                + ".",
            )
        if len(applications) == 1:
            return redirect("candidate_detail", pk=applications[0].candidate_id)
        return redirect("pipeline")
    sendable = [r for r in recipients if not r.skip]
    subject = body = ""
    if sendable:
        subject, body = links.preview(sendable[0].application, expires_at=expires_at)
    return render(
        request,
        "candidates/send_links.html",
        {
            "form": form,
            "applications": applications,
            "sendable": sendable,
            "skipped": [r for r in recipients if r.skip],
            "preview_to": sendable[0].application.candidate if sendable else None,
            "subject": subject,
            "body": body,
            "nav_active": "pipeline",
        },
        status=400 if bound and not form.is_valid() else 200,
    )


def _link_for(request, pk):
    return get_for_tenant(
        request, BookingLink.objects.select_related("application", "tenant"), pk=pk
    )


@require_POST
@scheduler_required
def link_revoke(request, pk):
    link = _link_for(request, pk)
    if link.state == BookingLink.State.REVOKED:
        messages.info(request, "That link was already revoked.")
    else:
        links.revoke(link, user=request.user, why="revoked by a recruiter")
        messages.success(request, "The link no longer works. An interview it booked stays.")
    return redirect("candidate_detail", pk=link.application.candidate_id)


@require_POST
@scheduler_required
def link_resend(request, pk):
    link = _link_for(request, pk)
    try:
        links.resend(link, user=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Sent the link to {link.sent_to} again.")
    return redirect("candidate_detail", pk=link.application.candidate_id)


@require_POST
@scheduler_required
def send_link_now(request, pk):
    """One click: send the application a booking link with the defaults (its plan, the
    next working days, the team's expiry) — e.g. after its interview was canceled."""
    application = get_for_tenant(
        request, Application.objects.select_related("candidate", "job", "tenant"), pk=pk
    )
    plan = plan_for(application)
    now = timezone.now()
    window_start, window_end = links.default_window(plan, request.tenant, now)
    sent, skipped = links.send_links(
        [application],
        plan=None,
        user=request.user,
        window_start=window_start,
        window_end=window_end,
        expires_at=now + dt.timedelta(days=request.tenant.link_expiry_days),
    )
    if sent:
        messages.success(request, f"Sent {application.candidate} a new booking link.")
    else:
        messages.error(request, f"No link was sent: {skipped[0].skip}.")
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("candidate_detail", pk=application.candidate_id)


# --- the ATS connection ---------------------------------------------------------------------


@require_POST
@admin_required
def connection_sync(request, pk):
    conn = get_for_tenant(request, Connection.objects, pk=pk)
    if not conn.is_active or conn.category != Connection.Category.ATS:
        messages.error(request, "Only a connected ATS can be synced.")
    else:
        full = request.POST.get("kind") == "full"
        start_sync(conn, kind="full" if full else None, requested_by=request.user)
        messages.success(request, "Sync started.")
    return redirect("connection_detail", pk=conn.pk)
