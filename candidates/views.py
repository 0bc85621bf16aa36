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

from scheduling import booking, connections, slots, writeback
from scheduling.access import admin_required, get_for_tenant, scheduler_required
from scheduling.forms import ReasonForm
from scheduling.lib import reasons, zones
from scheduling.models import Connection, Interview, Interviewer, Operation, audit
from scheduling.plans import plan_for

from . import autopilot, availability, links, picker
from .autopilot_follow import ACTION_STATES
from .forms import SORTS, OverrideForm, PipelineFilterForm, SendLinksForm
from .models import (
    Application,
    AvailabilityRequest,
    BookingLink,
    Candidate,
    RemoteInterview,
    StageEntry,
)
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
        # Candidates who sent the times they can do: book inside them.
        "received": availability.latest_received([a.pk for a in page.object_list]),
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
        # The Autopilot tab says how many of its entries wait for a recruiter.
        context["autopilot_needing"] = StageEntry.objects.filter(
            tenant=tenant, state__in=ACTION_STATES
        ).count()
        if request.membership.is_admin:  # only admins can take the next setup step
            context["steps"] = connections.setup_steps(tenant)
        context["failing"] = Operation.objects.filter(
            tenant=tenant, status=Operation.Status.FAILED
        ).count()
        context.update(autopilot.pipeline_context(tenant, timezone.now()))
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
                ),
                Prefetch(
                    "availability_requests",
                    queryset=AvailabilityRequest.objects.select_related(
                        "link", "tenant", "interview"
                    ).prefetch_related("windows"),
                ),
            ),
            tenant,
            now,
        ).order_by("-applied_at")
    )
    for application in applications:
        for link in application.booking_links.all():
            link.shown_status = link.status(now)
        # The times the candidate proposed, each request on the viewer's clock.
        application.asked_times = [
            (asked, asked.status(now), availability.shown(asked, timezone.get_current_timezone()))
            for asked in application.availability_requests.all()
        ]
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
        .prefetch_related("sessions__attendees__interviewer", "no_shows")
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
            "received": availability.latest_received([a.pk for a in applications]),
            "state_labels": STATE_LABELS,
            "state_badges": STATE_BADGES,
            "link_labels": LINK_LABELS,
            "link_badges": LINK_BADGES,
            "availability_labels": AVAILABILITY_LABELS,
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


def _candidate_zone(application):
    """(zone name, known): the candidate's zone, else the team's (not known to be theirs)."""
    candidate = application.candidate
    if zones.is_zone(candidate.timezone):
        return zones.canonical(candidate.timezone), True
    return zones.canonical_or(application.tenant.default_timezone), False


def _chosen_with(request, offer):
    """The interviewer filter (`with`): one of the plan's people, or None."""
    pid = request.GET.get("with") or request.POST.get("with") or ""
    return pid if offer is not None and pid in offer.people else None


def _next_available(application, plan, zone, interview, candidate_zone, with_id):
    """The first time the plan offers from now to its horizon (with `with_id` when given),
    or None."""
    now = timezone.now()
    start = dt.datetime.combine(timezone.localtime(now, zone).date(), dt.time(), zone)
    offer = slots.find(
        application,
        plan,
        start=start,
        end=start + dt.timedelta(days=plan.horizon_days + 1),
        candidate_zone=zone.key,
        exclude_interview=interview,
        candidate_hours=slots.candidate_hours_for(plan, candidate_zone, strict=False),
    )
    for slot in offer.slots:
        if with_id is None or picker.with_person(slot, with_id)[0]:
            return slot
    return None


def _picker_context(request, application, plan, *, interview=None, error=None, first=None):
    zone = timezone.get_current_timezone()
    first = first or picker.first_day(request, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(first + dt.timedelta(days=picker.DAYS), dt.time(), zone)
    candidate_zone, zone_known = _candidate_zone(application)
    context = {
        "application": application,
        "candidate": application.candidate,
        "plan": plan,
        "interview": interview,
        "reason_choices": reasons.choices(request.tenant.team_reschedule_reasons)
        if interview
        else [],
        "week": first,
        "today": today,
        # Never a day in the past: the first page starts today.
        "previous_week": max(first - dt.timedelta(days=picker.DAYS), today)
        if first > today
        else None,
        "next_week": first + dt.timedelta(days=picker.DAYS),
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
        # The candidate sent the times they can do: the picker points to booking inside them.
        "received": None
        if interview
        else availability.latest_received([application.pk]).get(application.pk),
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
    with_id = _chosen_with(request, offer)
    keep = picker.current_seats(interview)
    days = {first + dt.timedelta(days=n): [] for n in range(picker.DAYS)}
    for slot in offer.slots:
        day = timezone.localtime(slot.start, zone).date()
        if day in days and (with_id is None or picker.with_person(slot, with_id)[0]):
            days[day].append(slot)
    explanations = {e.date: e for e in offer.empty_days}
    names = {pid: person.name for pid, person in offer.people.items()}
    context.update(
        offer=offer,
        with_id=with_id or "",
        people=sorted(offer.people.values(), key=lambda p: p.name),
        days=[
            {
                "date": day,
                "slots": day_slots,
                "why": explanations.get(day),
                "filtered": with_id is not None and not day_slots and day not in explanations,
            }
            for day, day_slots in days.items()
        ],
        names=names,
        keep=keep,
    )
    selected = picker.parse_start(request.GET.get("at") or request.POST.get("start"))
    slot = offer.slot_at(selected) if selected else None
    if slot is not None:
        swaps = _swaps(request.POST)
        if with_id is not None:
            swaps = {**picker.with_person(slot, with_id)[1], **swaps}
        sessions, changed, _choice = picker.detail(
            offer, slot, application, interview=interview, swaps=swaps, keep=keep
        )
        context.update(selected=slot, detail=sessions, changes=changed)
    elif selected is not None and not error:
        context["error"] = "That time is no longer free. Here are fresh times."
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
    """{(session key, seated id): replacement id} from `swap:<session>:<seated>` fields."""
    swaps = {}
    for key, value in post.items():
        parts = key.split(":", 2)
        if len(parts) == 3 and parts[0] == "swap" and value:  # anything else is no swap
            swaps[(parts[1], parts[2])] = value
    return swaps


def _jump_to_next(request, application, plan, interview):
    """ "Next available": the picker opened on the day of the first time offered, with it
    chosen; or the picker where it was, saying there is none."""
    zone = timezone.get_current_timezone()
    candidate_zone, _known = _candidate_zone(application)
    with_id = request.GET.get("with") or ""
    try:
        slot = _next_available(application, plan, zone, interview, candidate_zone, with_id or None)
    except (slots.PlanNotUsable, slots.CalendarsUnavailable):
        slot = None  # the picker below says what is wrong
    if slot is None:
        context = _picker_context(request, application, plan, interview=interview)
        context["error"] = (
            f"Nothing is free in the next {plan.horizon_days} days"
            + (" with the interviewer chosen" if with_id else "")
            + ": see why under each day."
        )
        return _render_picker(request, context)
    day = timezone.localtime(slot.start, zone).date()
    query = QueryDict(mutable=True)
    query.update({"week": day.isoformat(), "at": slot.start.isoformat()})
    if with_id:
        query["with"] = with_id
    url = f"{request.path}?{query.urlencode()}"
    if request.htmx:
        request.GET = query
        response = _render_picker(
            request, _picker_context(request, application, plan, interview=interview)
        )
        response["HX-Push-Url"] = url
        return response
    return redirect(url)


@scheduler_required
def schedule(request, pk):
    """The recruiter picks a time for an application; Convene books it and writes it back."""
    application = get_for_tenant(
        request, Application.objects.select_related("candidate", "job", "connection"), pk=pk
    )
    plan = plan_for(application)
    if request.method != "POST":
        if plan is not None and request.GET.get("next"):
            return _jump_to_next(request, application, plan, None)
        return _render_picker(request, _picker_context(request, application, plan))
    if plan is None:
        raise Http404
    if request.POST.get("override"):
        return _book_override(request, application, plan)
    context = _picker_context(request, application, plan)
    slot = context.get("selected")
    if slot is None:
        context["error"] = "That time is no longer free. Here are fresh times."
        return _render_picker(request, context, status=409)
    if _outside_refused(request, context, slot):
        return _render_picker(request, context, status=400)
    try:
        interview = booking.book(
            application,
            plan,
            context["offer"].choice_for(slot, application, swaps=_posted_swaps(request, context)),
            user=request.user,
            candidate_timezone=application.candidate.timezone,
        )
    except booking.BookingError as exc:
        fresh = _picker_context(request, application, plan, error=str(exc))
        return _render_picker(request, fresh, status=409)
    messages.success(
        request, f"Booked {application.candidate}. {writeback.what_follows(interview)}"
    )
    url = reverse("interview_detail", args=[interview.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _posted_swaps(request, context):
    swaps = _swaps(request.POST)
    with_id = context.get("with_id")
    if with_id:
        swaps = {**picker.with_person(context["selected"], with_id)[1], **swaps}
    return swaps


def _book_override(request, application, plan):
    form = OverrideForm(request.POST)
    context = _picker_context(request, application, plan)
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
    messages.success(
        request,
        f"Booked {application.candidate} outside the offered times. "
        + writeback.what_follows(interview),
    )
    return redirect("interview_detail", pk=interview.pk)


@scheduler_required
def reschedule(request, pk):
    """Pick a new time for an interview: the same events and ATS interviews move, with the
    same people wherever they are free."""
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
        if plan is not None and request.GET.get("next"):
            return _jump_to_next(request, application, plan, interview)
        return _render_picker(
            request, _picker_context(request, application, plan, interview=interview)
        )
    if plan is None:
        raise Http404
    context = _picker_context(request, application, plan, interview=interview)
    slot = context.get("selected")
    if slot is None:
        context["error"] = "That time is no longer free. Here are fresh times."
        return _render_picker(request, context, status=409)
    if _outside_refused(request, context, slot):
        return _render_picker(request, context, status=400)
    why = ReasonForm(request.POST, labels=request.tenant.team_reschedule_reasons, required=False)
    if not why.is_valid():
        context["error"] = " ".join(why.errors.get("reason", [])) or "Check the reason."
        return _render_picker(request, context, status=400)
    try:
        booking.reschedule(
            interview,
            context["offer"].choice_for(
                slot, application, swaps=_posted_swaps(request, context), keep=context["keep"]
            ),
            user=request.user,
            reason=why.cleaned_data["chosen"],
            candidate_message=" ".join(request.POST.get("message", "").split())[:500],
        )
    except booking.BookingError as exc:
        fresh = _picker_context(request, application, plan, interview=interview, error=str(exc))
        return _render_picker(request, fresh, status=409)
    messages.success(request, f"Moved. {writeback.what_follows(interview, 'moved')}")
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
AVAILABILITY_LABELS = {
    "waiting": "Asked",
    "received": "Availability received",
    "used": "Booked inside them",
    "expired": "Expired",
    "revoked": "Withdrawn",
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
        asked_at = timezone.now()
        run = start_sync(conn, kind="full" if full else None, requested_by=request.user)
        if run.created_at < asked_at:
            messages.info(request, "A sync is already under way: its progress is below.")
        elif run.resumed_from_id:
            messages.success(
                request,
                "Sync started: it continues the one that stopped, keeping what that one saved.",
            )
        else:
            messages.success(request, "Sync started.")
    return redirect("connection_detail", pk=conn.pk)
