import datetime as dt
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import (
    attendance,
    booking,
    connections,
    debriefs,
    feedback,
    gateway,
    interviewer_home,
    plan_forms,
    plans,
    reminders,
    slots,
    training,
    webhooks,
    where,
    writeback,
)
from . import connections as services
from .access import admin_required, get_for_tenant, member_required, scheduler_required
from .forms import (
    CancelForm,
    CantMakeForm,
    DebriefTimeForm,
    InterviewerForm,
    MeetingRoomForm,
    MyHoursForm,
    TeamSettingsForm,
)
from .lib import outside, zones
from .middleware import SESSION_KEY
from .models import (
    AuditEntry,
    Connection,
    Flag,
    Interview,
    Interviewer,
    InterviewPlan,
    Membership,
    Operation,
    SentEmail,
    SessionAttendee,
    TrainingProgram,
    audit,
)
from .outbox import retry as retry_operation
from .unified import connect
from .unified.errors import UnifiedError

_INTEGRATION = re.compile(r"^[a-z0-9_-]{1,64}$")


@member_required()
def home(request):
    membership = request.membership
    if membership.role == Membership.Role.INTERVIEWER:
        interviewer = _my_interviewer(request)
        if interviewer is None:
            return redirect("profile")
        return _interviewer_home(request, interviewer)
    steps = connections.setup_steps(request.tenant)
    if not steps["next"]:
        return redirect("pipeline")
    return render(request, "scheduling/home.html", {"steps": steps, "nav_active": "home"})


@require_POST
@member_required()
def switch_tenant(request):
    tenant_id = request.POST.get("tenant", "")
    membership = next((m for m in request.memberships if str(m.tenant_id) == tenant_id), None)
    if membership is None:
        messages.error(request, "You are not a member of that team.")
    else:
        request.session[SESSION_KEY] = str(membership.tenant_id)
        messages.success(request, f"Switched to {membership.tenant.name}.")
    return redirect("home")


def sign_in_locked(request, original_response=None, credentials=None):
    """The sign-in page, refused: too many failed sign-ins for this account or from this
    address (django-axes calls this, settings.AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    response = render(
        request,
        "registration/login.html",
        {"form": form, "locked_minutes": minutes, "next": request.POST.get("next", "")},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page's <link rel="icon"> says."""
    path = finders.find("img/favicon.ico")
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and probes."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


# --- connections ------------------------------------------------------------------------------


@admin_required
def connection_list(request):
    conns = Connection.objects.filter(tenant=request.tenant).select_related(
        "interviewer", "connected_by"
    )
    return render(
        request,
        "scheduling/connections.html",
        {
            "ats_connections": [c for c in conns if c.category == Connection.Category.ATS],
            "calendar_connections": [
                c for c in conns if c.category == Connection.Category.CALENDAR
            ],
            "nav_active": "settings",
        },
    )


def _category_or_404(category):
    if category not in Connection.Category.values:
        raise Http404
    return Connection.Category(category)


@member_required()
def connection_new(request, category):
    """Pick an integration; company-wide connections are for admins, personal calendars for
    the interviewer themself (from their profile)."""
    category = _category_or_404(category)
    personal = request.GET.get("for") == "me"
    if not personal and not request.membership.is_admin:
        raise PermissionDenied("Only an admin of the team can connect its ATS and calendars.")
    if personal and category != Connection.Category.CALENDAR:
        raise Http404
    error = None
    integrations = []
    try:
        integrations = services.available_integrations(category)
    except UnifiedError as exc:
        error = f"Unified could not list the integrations just now ({exc}). Try again shortly."
    return render(
        request,
        "scheduling/connection_new.html",
        {
            "category": category,
            "integrations": integrations,
            "error": error,
            "personal": personal,
            "nav_active": "settings",
        },
    )


@member_required()
def connection_start(request, category, integration_type):
    """Send the browser to Unified Connect with a signed state."""
    category = _category_or_404(category)
    if not _INTEGRATION.match(integration_type):
        raise Http404
    interviewer = None
    if request.GET.get("for") == "me":
        interviewer = _my_interviewer(request)
        if interviewer is None or category != Connection.Category.CALENDAR:
            raise Http404
    elif not request.membership.is_admin:
        raise PermissionDenied("Only an admin of the team can connect its ATS and calendars.")
    replaces = None
    if request.GET.get("replaces"):
        replaces = get_for_tenant(request, Connection.objects, pk=request.GET["replaces"])
    url = services.authorization_url(
        request.tenant,
        request.user,
        category,
        integration_type,
        interviewer=interviewer,
        replaces=replaces,
    )
    return redirect(url)


@never_cache
@member_required()
def connection_callback(request):
    """Where Unified Connect sends the browser back, on success and on failure."""
    callback = connect.read_callback(request.GET)
    if callback.error or not callback.connection_id:
        reason = callback.error or "no connection id was returned"
        return render(
            request,
            "scheduling/connection_failed.html",
            {"message": f"The connection was not made ({reason}). Nothing changed."},
            status=400,
        )
    try:
        payload, membership = services.read_state_for(
            request.membership, request.user, callback.state or ""
        )
        conn = services.complete_connection(
            membership, request.user, payload, callback.connection_id
        )
    except services.ConnectError as exc:
        return render(
            request, "scheduling/connection_failed.html", {"message": str(exc)}, status=400
        )
    messages.success(request, f"{conn.integration_name} is connected.")
    if conn.interviewer_id and not request.membership.is_admin:
        return redirect("profile")
    return redirect("connection_detail", pk=conn.pk)


@admin_required
def connection_detail(request, pk):
    conn = get_for_tenant(request, Connection.objects.select_related("connected_by"), pk=pk)
    runs = list(conn.sync_runs.all()[:10]) if conn.category == Connection.Category.ATS else []
    linked = list(
        conn.calendar_interviewers.select_related("calendar_connection").order_by("name")
    )
    context = {
        "conn": conn,
        "run": runs[0] if runs else None,
        "runs": runs,
        "linked": linked,
        "unlinked": [c for c in conn.calendars if c["id"] not in {i.calendar_id for i in linked}],
        "video_words": where.connection_words(conn),
        "steps": connections.setup_steps(request.tenant),
        "nav_active": "settings",
    }
    if request.htmx and request.htmx.target == "sync-progress":
        return render(request, "scheduling/connection_detail.html#sync-progress", context)
    return render(request, "scheduling/connection_detail.html", context)


@require_POST
@admin_required
def connection_refresh_calendars(request, pk):
    conn = get_for_tenant(request, Connection.objects, pk=pk)
    if not conn.is_active or conn.category != Connection.Category.CALENDAR:
        messages.error(request, "Only a connected calendar can be refreshed.")
        return redirect("connection_detail", pk=conn.pk)
    try:
        calendars = services.refresh_calendars(conn)
    except UnifiedError as exc:
        messages.error(request, f"Unified could not list the calendars: {exc}")
    else:
        messages.success(request, f"{len(calendars)} calendars found.")
    return redirect("connection_detail", pk=conn.pk)


@require_POST
@admin_required
def connection_check_meetings(request, pk):
    conn = get_for_tenant(request, Connection.objects, pk=pk)
    if not conn.is_active or conn.category != Connection.Category.CALENDAR:
        messages.error(request, "Only a connected calendar can be checked.")
        return redirect("connection_detail", pk=conn.pk)
    services.check_meetings(conn)
    messages.info(request, where.connection_words(conn))
    return redirect(reverse("connection_detail", args=[conn.pk]) + "#video-links")


@require_POST
@admin_required
def connection_disconnect(request, pk):
    conn = get_for_tenant(request, Connection.objects, pk=pk)
    if conn.status != Connection.Status.DISCONNECTED:
        services.disconnect(conn, request.user)
        messages.success(
            request,
            f"{conn.integration_name} is disconnected. Convene keeps what it mirrored "
            "but makes no more calls through it.",
        )
    return redirect("connection_list")


# --- interviewers and people --------------------------------------------------------------------


@scheduler_required
def interviewer_list(request):
    interviewers = (
        Interviewer.objects.filter(tenant=request.tenant)
        .select_related("calendar_connection")
        .order_by("-active", "name")
    )
    q = outside.search_text(request.GET.get("q"))
    if q:
        interviewers = interviewers.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return render(
        request,
        "scheduling/interviewers.html",
        {"interviewers": interviewers, "q": q, "nav_active": "interviewers"},
    )


@scheduler_required
def interviewer_detail(request, pk):
    interviewer = get_for_tenant(
        request, Interviewer.objects.select_related("calendar_connection"), pk=pk
    )
    calendar_connections = services.company_calendar_connections(request.tenant)
    if interviewer.calendar_connection and interviewer.calendar_connection.interviewer_id:
        calendar_connections = [*calendar_connections, interviewer.calendar_connection]
    form = InterviewerForm(
        request.POST or None,
        instance=interviewer,
        calendar_connections=list(calendar_connections),
    )
    if request.method == "POST":
        if not request.membership.is_admin:
            raise Http404
        if form.is_valid():
            form.save()
            audit(
                request.tenant,
                "interviewer.updated",
                f"Updated {interviewer}'s scheduling settings",
                actor=request.user,
                obj=interviewer,
                changed=form.changed_data,
            )
            messages.success(request, f"Saved {interviewer}.")
            return redirect("interviewer_list")
    return render(
        request,
        "scheduling/interviewer_detail.html",
        {
            "interviewer": interviewer,
            "form": form,
            "can_edit": request.membership.is_admin,
            "missing_feedback": feedback.missing_for(interviewer),
            "now": timezone.now(),
            "nav_active": "interviewers",
        },
    )


def _my_interviewer(request):
    return (
        Interviewer.objects.filter(tenant=request.tenant, user=request.user)
        .select_related("calendar_connection")
        .first()
    )


@member_required()
def profile(request):
    """The member's own page: as an interviewer, their zone, weekly hours, days off and
    limits (theirs to edit, each unless an admin locked it) and their calendar."""
    interviewer = _my_interviewer(request)
    room_posted = request.method == "POST" and "meeting_room" in request.POST
    room_form = MeetingRoomForm(request.POST if room_posted else None, instance=interviewer)
    editable = interviewer is not None and not interviewer.all_locked
    form = None
    if interviewer is not None and room_form.is_bound:
        if room_form.is_valid():
            room_form.save()
            audit(
                request.tenant,
                "interviewer.updated",
                f"{interviewer} set their meeting room link",
                actor=request.user,
                obj=interviewer,
            )
            messages.success(request, "Saved your meeting room link.")
            return redirect(reverse("profile") + "#room")
        form = MyHoursForm(instance=interviewer) if editable else None
        return _profile_page(request, interviewer, form, room_form, status=400)
    if request.method == "POST" and not editable:
        raise PermissionDenied("An admin set your hours; ask them to change them.")
    if editable:
        form = MyHoursForm(request.POST or None, instance=interviewer)
        if form.tampered:
            raise PermissionDenied(
                "Your admin set some of these (“Set by your admin”): ask them to change them. "
                "Nothing was saved."
            )
        # As stored: validating the form already writes its values onto `interviewer`.
        before = _availability_words(Interviewer.objects.get(pk=interviewer.pk))
        if request.method == "POST" and form.is_valid():
            form.save()
            after = _availability_words(interviewer)
            changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
            if changed:
                audit(
                    request.tenant,
                    "interviewer.updated",
                    f"{interviewer} changed their own availability: "
                    + "; ".join(f"{k} {old} → {new}" for k, (old, new) in changed.items()),
                    actor=request.user,
                    obj=interviewer,
                    changed=changed,
                )
                messages.success(
                    request, "Saved your availability. The next search for times follows it."
                )
            else:
                messages.info(request, "Nothing changed.")
            return redirect(reverse("profile") + "#hours")
    status = 400 if form is not None and form.is_bound else 200
    return _profile_page(request, interviewer, form, room_form, status=status)


def _availability_words(interviewer):
    """An interviewer's availability as the audit log says it: what changed, before and
    after, in words."""
    exceptions = interviewer.working_hours_exceptions or {}
    off = sorted(day for day, ranges in exceptions.items() if not ranges)
    other = sorted(
        f"{day} {', '.join(f'{a}–{b}' for a, b in ranges)}"
        for day, ranges in exceptions.items()
        if ranges
    )
    return {
        "time zone": interviewer.timezone,
        "working hours": interviewer.hours_summary,
        "days off": ", ".join(off + other) or "none",
        "limits": f"{interviewer.max_interviews_per_day or 'no limit'} a day, "
        f"{interviewer.max_interviews_per_week or 'no limit'} a week",
    }


def _profile_page(request, interviewer, form, room_form, *, status=200):
    return render(
        request,
        "scheduling/profile.html",
        {
            "interviewer": interviewer,
            "form": form,
            "room_form": room_form,
            "now": timezone.now(),
            "nav_active": "profile",
        },
        status=status,
    )


# --- the interviewer's own home -----------------------------------------------------------------


def _interviewer_home(request, interviewer, *, failed=None, status=200):
    """Their upcoming sessions, feedback owed and week's load, on their own clock.
    `failed` is (seat id, CantMakeForm) of a notice refused, shown beside its session."""
    now = timezone.now()
    rows = interviewer_home.upcoming(interviewer, now)
    for row in rows:
        row.form = failed[1] if failed and failed[0] == row.seat.pk else CantMakeForm()
        row.form_open = bool(failed and failed[0] == row.seat.pk)
    late, due = interviewer_home.feedback_owed(interviewer, now)
    context = {
        "interviewer": interviewer,
        "upcoming": rows,
        "late": late,
        "due": due,
        "load": interviewer_home.week_load(interviewer, now),
        "trainings": training.progress_of(interviewer),
        "now": now,
        "zone_text": zones.describe(interviewer.timezone, now),
        "nav_active": "my_interviews",
    }
    # Every time on the page on their own clock, whatever the browser's or the team's.
    with timezone.override(zones.zone(interviewer.timezone)):
        return render(request, "scheduling/interviewer_home.html", context, status=status)


def _my_interviewer_or_404(request):
    interviewer = _my_interviewer(request)
    if interviewer is None:
        raise Http404("You are not an interviewer in this team.")
    return interviewer


@member_required()
def my_interviews(request):
    """The interviewer's home, for anyone who interviews (a recruiter who also does)."""
    return _interviewer_home(request, _my_interviewer_or_404(request))


def _my_seat(request, interviewer, attendee_pk):
    """One of the signed-in interviewer's own seats, or 404 (a colleague's, another
    team's, a swapped-out one)."""
    seat = (
        SessionAttendee.objects.select_related("session__interview", "interviewer")
        .filter(
            pk=attendee_pk,
            interviewer=interviewer,
            active=True,
            session__interview__tenant=request.tenant,
        )
        .first()
    )
    if seat is None:
        raise Http404("That is not one of your interviews.")
    return seat


@require_POST
@member_required()
def my_cant_make(request, attendee_pk):
    """ "I can't make this": the reason, then the recruiter is told and the interview
    flagged; they stay on it until the recruiter swaps them."""
    interviewer = _my_interviewer_or_404(request)
    seat = _my_seat(request, interviewer, attendee_pk)
    form = CantMakeForm(request.POST)
    if not form.is_valid():
        return _interviewer_home(request, interviewer, failed=(seat.pk, form), status=400)
    try:
        interviewer_home.cant_make(seat, form.cleaned_data["chosen"], user=request.user)
    except interviewer_home.NoticeError as exc:
        messages.error(request, str(exc))
    else:
        told = interviewer_home.recruiters(seat.session.interview)
        if not told:
            messages.warning(
                request,
                f"“{seat.session.title}” is flagged for the recruiters, but none of them has "
                "an email address Convene can write to: tell them yourself too.",
            )
        else:
            whom = (
                f"{told[0].get_full_name() or told[0].email} is"
                if len(told) == 1
                else "The team’s recruiters are"
            )
            messages.success(
                request,
                f"{whom} told you can’t make “{seat.session.title}”. You stay on it until "
                "they swap you.",
            )
    return redirect(reverse("my_interviews") + f"#seat-{seat.pk}")


@require_POST
@member_required()
def my_cant_make_withdraw(request, attendee_pk):
    interviewer = _my_interviewer_or_404(request)
    seat = _my_seat(request, interviewer, attendee_pk)
    try:
        withdrawn = interviewer_home.withdraw(seat, user=request.user)
    except interviewer_home.NoticeError as exc:
        messages.error(request, str(exc))
    else:
        if withdrawn:
            messages.success(
                request, f"Withdrawn: the recruiter is told you can make “{seat.session.title}”."
            )
        else:
            messages.info(request, "There was no notice to withdraw.")
    return redirect(reverse("my_interviews") + f"#seat-{seat.pk}")


@admin_required
def team_settings(request):
    form = TeamSettingsForm(request.POST or None, request.FILES or None, instance=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit(
            request.tenant,
            "team.updated",
            "Updated the team's settings",
            actor=request.user,
            obj=request.tenant,
            changed=form.changed_data,
        )
        messages.success(request, "Settings saved.")
        return redirect("team_settings")
    members = (
        Membership.objects.filter(tenant=request.tenant)
        .select_related("user")
        .order_by("role", "user__email")
    )
    return render(
        request,
        "scheduling/team_settings.html",
        {"form": form, "members": members, "nav_active": "settings"},
    )


# --- interview plans --------------------------------------------------------------------------


@scheduler_required
def plan_list(request):
    plans = list(
        InterviewPlan.objects.filter(tenant=request.tenant)
        .select_related("job")
        .prefetch_related(
            "sessions__required", "sessions__pools__members", "sessions__pools__program"
        )
    )
    # Titles as people will read them: "{job} interview" for a plan of every job shows with
    # one of the team's jobs, said to be an example.
    example = (
        InterviewPlan._meta.get_field("job")
        .related_model.objects.filter(tenant=request.tenant, removed_at__isnull=True)
        .order_by("name")
        .values_list("name", flat=True)
        .first()
    )
    for plan in plans:
        job = plan.job.name if plan.job else (example or "Your job")
        plan.example_job = not plan.job and "{job}" in "".join(
            s.title_template for s in plan.sessions.all()
        )
        for session in plan.sessions.all():
            session.shown_title = session.title_for(
                job=job, candidate="Alex Candidate", stage=plan.stage_label or "Interview"
            )
    return render(request, "scheduling/plans.html", {"plans": plans, "nav_active": "plans"})


@scheduler_required
def plan_edit(request, pk=None):
    plan = (
        get_for_tenant(request, InterviewPlan.objects, pk=pk)
        if pk
        else InterviewPlan(tenant=request.tenant, name="")
    )
    saved = pk is not None
    interviewers = Interviewer.objects.filter(tenant=request.tenant, active=True).order_by("name")
    initial = plan_forms.session_initial(plan) if saved else []
    data = request.POST if request.method == "POST" else None
    # The live preview posts the form as it stands (htmx adds the last button clicked:
    # never an instruction to add anything).
    preview_only = bool(request.htmx and request.htmx.target == "plan-preview")
    # Adding a session or a pool (without JavaScript) re-shows the form as entered, one
    # larger, with no error on what nobody has typed yet.
    adding = (
        data is not None and not preview_only and ("add_session" in data or "add_pool" in data)
    )
    pools = plan_forms.pools_needed(plan, data)
    if adding and "add_session" in data:
        data = data.copy()
        total = data.get("sessions-TOTAL_FORMS", "")
        total = int(total) if total.isdigit() else 0
        data["sessions-TOTAL_FORMS"] = str(min(total + 1, 8))
    if adding and "add_pool" in data:
        pools = min(pools + 1, plan_forms.MAX_POOLS)
    form = plan_forms.PlanForm(data, instance=plan, tenant=request.tenant)
    formset = plan_forms.SessionFormSet(
        data,
        initial=initial,
        prefix="sessions",
        form_kwargs={
            "interviewers": interviewers,
            "programs": TrainingProgram.objects.filter(tenant=request.tenant),
            "pools": pools,
        },
    )
    formset.extra = 1 if not initial else 0
    checked = data is not None and not adding and not preview_only
    place = plan_forms.where_check(form, formset, request.tenant)
    if checked:
        form_ok, sessions_ok = form.is_valid(), formset.is_valid()
        # Refused beside its field whatever else is wrong, so it is seen at once.
        refused = plan_forms.refuse_where(form, place)
    if checked and form_ok and sessions_ok and not refused:
        plan = plans.save_plan(form, formset, request.user)
        messages.success(request, f"Saved the plan “{plan}”.")
        return redirect("plan_list")
    context = {
        "plan": plan,
        "saved": saved,
        "form": form,
        "formset": formset,
        "preview": plan_forms.itinerary(form, formset, request.tenant),
        "place": place,
        "nav_active": "plans",
    }
    if adding or preview_only:
        plan_forms.quiet(form, formset)
    if preview_only:
        return render(request, "scheduling/plan_edit.html#plan-preview", context)
    return render(request, "scheduling/plan_edit.html", context)


@require_POST
@scheduler_required
def plan_starter(request):
    starter = plans.create_starter_plan(request.tenant, request.user)
    if starter.plan is None:
        messages.error(request, starter.summary)
        return redirect("plan_list")
    messages.success(request, starter.summary + " Check its interviewers and save.")
    return redirect("plan_edit", pk=starter.plan.pk)


@require_POST
@scheduler_required
def plan_delete(request, pk):
    plan = get_for_tenant(request, InterviewPlan.objects, pk=pk)
    audit(request.tenant, "plan.deleted", f"Deleted the plan “{plan}”", actor=request.user)
    plan.delete()
    messages.success(request, f"Deleted the plan “{plan}”.")
    return redirect("plan_list")


# --- interviews and their write-back ------------------------------------------------------------


def _interview_queryset():
    return Interview.objects.select_related(
        "application__candidate", "application__job", "application__connection", "plan"
    )


def _history(tenant, interview):
    """The audit entries about the interview, and those about its application and the
    application's booking links since the interview was created: automatic changes made
    there (closed in the ATS, links revoked) concern the interview too. Two queries."""
    application = interview.application
    link_ids = [str(pk) for pk in application.booking_links.values_list("pk", flat=True)]
    since = Q(created_at__gte=interview.created_at)
    return AuditEntry.objects.filter(
        Q(object_type="scheduling.interview", object_id=str(interview.pk))
        | (since & Q(object_type="candidates.application", object_id=str(application.pk)))
        | (since & Q(object_type="candidates.bookinglink", object_id__in=link_ids)),
        tenant=tenant,
    ).select_related("actor")


@scheduler_required
def interview_detail(request, pk, *, debrief_form=None, debrief_error=""):
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    ats = interview.application.connection
    # In the order they happen: the span shown is the first start to the last end.
    sessions = list(
        interview.sessions.order_by("start_at", "position")
        .select_related("organizer", "calendar_connection")
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=SessionAttendee.objects.select_related("interviewer").order_by(
                    "-active", "role", "interviewer__name"
                ),
            )
        )
    )
    now = timezone.now()
    no_shows = list(interview.no_shows.select_related("interviewer", "marked_by"))
    for session in sessions:
        session.marks = [m for m in no_shows if m.session_id == session.pk]
        session.can_mark = attendance.can_mark(session, now)
        session.absentees = attendance.absentees(session, marked=session.marks)
        # Once the candidate was absent, nobody else's absence changes anything.
        session.can_mark = session.can_mark and session.absentees[:1] == [
            (attendance.CANDIDATE, "The candidate")
        ]
        session.attendance_written = (
            writeback.attendance_written(session) if session.marks or session.can_mark else ""
        )
        # Who still sits on it: the organizer may have been swapped out (the event stays on
        # their calendar, which the page then says).
        session.active_ids = {a.interviewer_id for a in session.attendees.all() if a.active}
        session.ats_what, session.ats_why = ats.ats_record_words(session.ats_record)
        session.where = where.for_session(session, where.INTERVIEWER)
    operations = list(
        interview.operations.select_related(
            "session__calendar_connection", "interview__application__connection"
        ).order_by("created_at")
    )
    flags = list(interview.flags.select_related("session", "interviewer"))
    # "I can't make this" from an interviewer: their seat shows it, and the flag offers
    # the Swap of that seat (which clears it).
    seats = {
        (a.session_id, a.interviewer_id): a
        for session in sessions
        for a in session.attendees.all()
        if a.active
    }
    for session in sessions:
        session.cant_make_ids = set()
    for flag in flags:
        if flag.kind == Flag.Kind.CANT_MAKE_IT:
            flag.seat = seats.get((flag.session_id, flag.interviewer_id))
            for session in sessions:
                if session.pk == flag.session_id:
                    session.cant_make_ids.add(flag.interviewer_id)
    loop_broken = next((f for f in flags if f.kind == Flag.Kind.LOOP_BROKEN), None)
    # The debrief's own flag is answered in its card, not by the interview's actions.
    interview_flags = [f for f in flags if f.kind != Flag.Kind.DEBRIEF]
    fit = None
    if loop_broken and loop_broken.session and interview.is_active:
        fit = _fit_preview(interview, loop_broken.session)
    return render(
        request,
        "scheduling/interview_detail.html",
        {
            "interview": interview,
            "sessions": sessions,
            "flags": flags,
            "interview_flags": interview_flags,
            "debrief_flag": next((f for f in flags if f.kind == Flag.Kind.DEBRIEF), None),
            "loop_broken": loop_broken,
            "debrief": debriefs.for_interview(interview),
            # "Reschedule the no-show" opens the picker, which books with the plan for the
            # application's stage now (usually the no-show's own): the page names it.
            "reschedule_plan": plans.plan_for(interview.application)
            if any(m.is_candidate for m in no_shows)
            else None,
            "debrief_form": debrief_form or DebriefTimeForm(),
            "debrief_error": debrief_error,
            "fit": fit,
            "operations": operations,
            "problems": [
                op
                for op in operations
                if op.status == Operation.Status.FAILED
                or (op.status == Operation.Status.PENDING and op.attempts)
            ],
            "history": _history(request.tenant, interview),
            "feedback": feedback.for_interview(interview, request.user),
            "reminders": reminders.for_interview(interview, now),
            # What the candidate may still change from their page (the same rule it asks).
            "candidate_changes": interview.candidate_changes(now)
            if interview.is_active and interview.end_at > now
            else None,
            "now": now,
            "upcoming": interview.is_active and interview.end_at > now,
            "no_shows": no_shows,
            "candidate_absent": any(m.is_candidate for m in no_shows),
            "viewer_zone": timezone.get_current_timezone().key,
            "ats_vendor": ats.vendor,
            "nav_active": "pipeline",
        },
    )


def _fit_preview(interview, session):
    """Whether "Move the rest to fit" would work, before it is offered: {"ok": True} or
    {"ok": False, "why": words}."""
    try:
        choice = slots.loop_around(interview, session)
    except slots.CalendarsUnavailable as exc:
        return {"ok": False, "why": f"{exc} Try again in a moment."}
    except slots.PlanNotUsable as exc:
        return {"ok": False, "why": str(exc)}
    if choice is not None:
        return {"ok": True}
    day = timezone.localtime(session.start_at)
    return {
        "ok": False,
        "why": f"Nothing fits around “{session.title}” on {day:%A} {day.day} {day:%B}: "
        + slots.who_is_busy_around(interview, session),
    }


@scheduler_required
def interview_cancel(request, pk):
    """Cancelling asks first: a page with what will happen, a note for the team (kept in
    the history) and, apart from it, an optional message for the candidate's email."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    if not interview.is_active:
        messages.info(request, "This interview was already canceled.")
        return redirect("interview_detail", pk=interview.pk)
    form = CancelForm(request.POST or None, labels=request.tenant.team_cancel_reasons)
    if request.method == "POST" and form.is_valid():
        booking.cancel(
            interview,
            reason=form.cleaned_data["chosen"],
            user=request.user,
            notify_candidate=form.cleaned_data["notify_candidate"],
            candidate_message=form.cleaned_data["message"],
        )
        follows = writeback.what_follows(
            interview, "canceled", email=form.cleaned_data["notify_candidate"]
        )
        messages.success(request, f"The interview is canceled. {follows}")
        return redirect("interview_detail", pk=interview.pk)
    return render(
        request,
        "scheduling/interview_cancel.html",
        {"interview": interview, "form": form, "nav_active": "pipeline"},
        status=400 if request.method == "POST" else 200,
    )


@scheduler_required
def problems(request):
    """Writes that keep failing or wait for a retry, with their errors and a retry button."""
    operations = (
        Operation.objects.filter(tenant=request.tenant)
        .filter(
            Q(status=Operation.Status.FAILED) | Q(status=Operation.Status.PENDING, attempts__gt=0)
        )
        .select_related(
            "interview__application__candidate",
            "interview__application__connection",
            "session__calendar_connection",
        )
        .order_by("-last_error_at")
    )
    now = timezone.now()
    return render(
        request,
        "scheduling/problems.html",
        {
            "operations": operations,
            "written": writeback.written_per_connection(
                request.tenant, now - dt.timedelta(days=WRITTEN_DAYS)
            ),
            "written_days": WRITTEN_DAYS,
            "now": now,
            "nav_active": "problems",
        },
    )


# Sync problems says what each connection received of the bookings of this many days.
WRITTEN_DAYS = 30


@require_POST
@scheduler_required
def operation_retry(request, pk):
    op = get_for_tenant(request, Operation.objects.select_related("interview"), pk=pk)
    retry_operation(op, request.user)
    messages.success(request, f"Retrying: {op.get_kind_display().lower()}.")
    next_url = request.POST.get("next", "")
    if next_url == "interview" and op.interview_id:
        return redirect("interview_detail", pk=op.interview_id)
    return redirect("problems")


# --- Unified webhooks ---------------------------------------------------------------------------


@csrf_exempt
@require_POST
def unified_webhook(request):
    """Unified's deliveries. No session, no CSRF: the signature in the body is the check."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > webhooks.MAX_BODY:
        status, text = webhooks.too_large()
    else:
        status, text = webhooks.receive(request.body)
    return HttpResponse(text, status=status, content_type="text/plain")


@require_POST
@admin_required
def connection_register_webhooks(request, pk):
    conn = get_for_tenant(request, Connection.objects, pk=pk)
    try:
        created = connections.register_webhooks(conn)
    except UnifiedError as exc:
        messages.error(request, f"Unified refused: {exc}")
    else:
        messages.success(
            request,
            f"Webhooks are registered ({created} new). Changes made in "
            f"{conn.integration_name} now reach Convene within seconds.",
        )
    return redirect("connection_detail", pk=conn.pk)


@require_POST
@admin_required
def connection_invitations(request, pk):
    conn = get_for_tenant(request, Connection.objects, pk=pk)
    if conn.category != Connection.Category.CALENDAR:
        messages.error(request, "Only a calendar sends invitations.")
        return redirect("connection_detail", pk=conn.pk)
    invites = request.POST.get("invites") == "calendar"
    gateway.note_capability(conn, "invites", invites)
    vendor = conn.integration_name or conn.integration_type
    audit(
        request.tenant,
        "connection.invitations",
        f"Invitations for interviews on {vendor}: "
        + ("sent by the calendar" if invites else "emailed by Convene with a calendar file"),
        actor=request.user,
        obj=conn,
    )
    messages.success(
        request,
        f"{vendor} sends the interviewers their invitations."
        if invites
        else f"Convene emails the interviewers their invitations for events on {vendor}, "
        "from the next booking or change on.",
    )
    return redirect("connection_detail", pk=conn.pk)


@scheduler_required
def interview_swap(request, pk, attendee_pk):
    """Swap one person on a session: GET lists who could take the seat (free then first,
    the others with why they cannot), POST puts the one chosen in."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    attendee = (
        SessionAttendee.objects.select_related("session", "interviewer", "pool")
        .filter(pk=attendee_pk, session__interview=interview, active=True)
        .first()
    )
    if attendee is None or not interview.is_active:
        raise Http404
    session = attendee.session
    if request.method != "POST":
        candidates = slots.swap_candidates(session, attendee)
        free = set(slots.eligible_swaps(session, attendee))
        loads = slots.loads(candidates, session.start_at, exclude_interview=interview)
        options = [
            {
                "person": person,
                "week": loads[str(person.pk)][0],
                "why": ""
                if person in free
                else slots.unavailable_reason(
                    person, session.start_at, session.end_at, exclude_interview=interview
                )
                or "busy then",
            }
            for person in candidates
        ]
        options.sort(key=lambda o: (bool(o["why"]), o["week"], o["person"].name))
        context = {
            "interview": interview,
            "attendee": attendee,
            "session": session,
            "options": options,
            "nav_active": "pipeline",
        }
        template = "scheduling/swap.html"
        if request.htmx:
            template += "#swap-options"
        return render(request, template, context)
    try:
        replacement_id = uuid.UUID(request.POST.get("replacement", ""))
    except ValueError:
        replacement_id = None  # a mangled form: answered like a choice of no one
    replacement = Interviewer.objects.filter(tenant=request.tenant, pk=replacement_id).first()
    eligible = slots.eligible_swaps(session, attendee)
    if replacement is None or replacement not in eligible:
        messages.error(request, "Choose one of the people who are free then.")
        return redirect("interview_detail", pk=interview.pk)
    try:
        booking.swap_attendee(session, attendee, replacement, user=request.user)
    except booking.BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{replacement} replaces {attendee.interviewer}; the invitation follows."
        )
    return redirect("interview_detail", pk=interview.pk)


@require_POST
@scheduler_required
def interview_keep(request, pk):
    """The recruiter decided the flagged interview stands as it is."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    told = interview.flags.filter(kind=Flag.Kind.LOOP_BROKEN).exists()
    booking.keep_as_is(interview, user=request.user)
    if told:
        messages.success(request, "Kept as it is. The candidate is told which session moved.")
    return redirect("interview_detail", pk=interview.pk)


@require_POST
@scheduler_required
def interview_no_show(request, pk, session_pk):
    """The recruiter marks that the candidate, or an interviewer, did not attend a session
    that has ended (attendance.mark holds the rules)."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    session = interview.sessions.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    try:
        no_show = attendance.mark(session, request.POST.get("who", ""), user=request.user)
    except attendance.AttendanceError as exc:
        messages.error(request, str(exc))
    else:
        session.refresh_from_db()
        withdrawn = (
            " Their feedback requests for it are withdrawn."
            if no_show.is_candidate
            else f" {no_show.interviewer.name} is not asked for feedback on it."
        )
        messages.success(
            request,
            f"Marked: {no_show.clause}.{withdrawn} " + writeback.attendance_follows(session),
        )
    return redirect(f"{reverse('interview_detail', args=[interview.pk])}#session-{session_pk}")


@require_POST
@scheduler_required
def interview_no_show_clear(request, pk, no_show_pk):
    """The recruiter clears a mistaken no-show mark."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    no_show = interview.no_shows.filter(pk=no_show_pk).select_related("session").first()
    if no_show is None:
        messages.info(request, "That mark was cleared already.")
        return redirect("interview_detail", pk=interview.pk)
    try:
        asked = attendance.clear(no_show, user=request.user)
    except attendance.AttendanceError as exc:
        messages.info(request, str(exc))
    else:
        again = f" {asked} asked for feedback again." if asked else ""
        messages.success(
            request,
            f"Cleared “{no_show.text}”.{again} " + writeback.attendance_follows(no_show.session),
        )
    return redirect(
        f"{reverse('interview_detail', args=[interview.pk])}#session-{no_show.session_id}"
    )


@require_POST
@scheduler_required
def interview_fit(request, pk):
    """ "Move the rest to fit" around the session that was moved elsewhere."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    flag = interview.flags.filter(kind=Flag.Kind.LOOP_BROKEN).select_related("session").first()
    if flag is None or flag.session is None or not interview.is_active:
        messages.info(request, "The sessions fit together already.")
        return redirect("interview_detail", pk=interview.pk)
    try:
        booking.fit_around(interview, flag.session, user=request.user)
    except slots.CalendarsUnavailable as exc:
        messages.error(request, f"{exc} Try again in a moment.")
    except (booking.BookingError, slots.PlanNotUsable) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"The other sessions now fit around “{flag.session.title}”. "
            + writeback.what_follows(interview, "moved"),
        )
    return redirect("interview_detail", pk=interview.pk)


@require_POST
@scheduler_required
def interview_debrief(request, pk):
    """Book the debrief at the time offered or given ("Confirm"), or look for one again."""
    interview = get_for_tenant(request, _interview_queryset(), pk=pk)
    debrief = getattr(interview, "debrief", None)
    if debrief is None:
        raise Http404("This interview has no debrief.")
    if request.POST.get("again"):
        debriefs.refind(debrief)
        messages.info(request, "Convene is looking for the debrief’s time again.")
        return redirect(reverse("interview_detail", args=[interview.pk]) + "#debrief")
    form = DebriefTimeForm(request.POST)
    if not form.is_valid():
        return interview_detail(request, pk, debrief_form=form)
    try:
        debriefs.confirm(
            debrief, form.cleaned_data["when"], user=request.user,
            anyway=form.cleaned_data["anyway"],
        )  # fmt: skip
    except debriefs.DebriefError as exc:
        return interview_detail(request, pk, debrief_form=form, debrief_error=str(exc))
    when = timezone.localtime(form.cleaned_data["when"])
    messages.success(
        request,
        f"Debrief booked for {when:%A} {when.day} {when:%B}, {when:%H:%M}. The panel gets the "
        "calendar invitation; the candidate does not.",
    )
    return redirect(reverse("interview_detail", args=[interview.pk]) + "#debrief")


# --- the outbox ---------------------------------------------------------------------------------


@scheduler_required
def outbox(request):
    """Every email Convene sent for this team, as sent (in development, where mail goes to
    the console, this is where to read it)."""
    sent = SentEmail.objects.filter(tenant=request.tenant).order_by("-sent_at")
    q = outside.search_text(request.GET.get("q"))
    if q:
        sent = sent.filter(Q(subject__icontains=q) | Q(to__icontains=q))
    page = Paginator(sent, 20).get_page(request.GET.get("page"))
    return render(
        request, "scheduling/outbox.html", {"page": page, "q": q, "nav_active": "outbox"}
    )
