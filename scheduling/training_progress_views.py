"""Training progress pages: the trainee's own ("Your training"), a trainee's page for them,
their trainers and the admins, and the admins' page per program with Approve and Set stage.
The rules live in scheduling/training.py; programs themselves are edited in
scheduling/training_views.py."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import training
from .access import admin_required, get_for_tenant, member_required
from .lib import zones
from .models import Interviewer, Trainee, TrainingEvent, TrainingProgram

HISTORY = 50


def _me(request):
    return Interviewer.objects.filter(tenant=request.tenant, user=request.user).first()


def _related(queryset):
    return queryset.select_related("program", "interviewer", "tenant")


def _card(trainee, *, now, sessions=True, history=True):
    """A trainee as the pages show them: where they stand, their sessions, their history."""
    return {
        "progress": training.progress(trainee),
        "sessions": training.sessions_of(trainee, now) if sessions else [],
        "history": list(trainee.history.select_related("actor")[:HISTORY]) if history else [],
    }


@member_required()
def my_training(request):
    now = timezone.now()
    me = _me(request)
    mine, theirs = [], []
    if me is not None:
        own = _related(Trainee.objects.filter(tenant=request.tenant, interviewer=me))
        mine = [_card(t, now=now) for t in own.order_by("program__name")]
        trained = _related(training.trained_by(me)).order_by("interviewer__name", "program__name")
        theirs = [training.progress(t) for t in trained]
    context = {
        "me": me,
        "mine": mine,
        "trainings": [card["progress"] for card in mine],
        "theirs": theirs,
        "now": now,
        "nav_active": "profile",
    }
    # Times on the interviewer's own clock, as on their feedback pages.
    zone = zones.zone(me.timezone if me is not None else request.tenant.default_timezone)
    with timezone.override(zone):
        context["zone_text"] = zones.describe(zone.key, now)
        return render(request, "scheduling/training/my_training.html", context)


@member_required()
def trainee_page(request, pk):
    """One trainee's progress: for the trainee, their trainers and the admins; anyone else
    (another trainee, another team) gets 404, as for an id that does not exist."""
    trainee = get_for_tenant(request, _related(Trainee.objects), pk=pk)
    is_admin = request.membership.is_admin
    me = _me(request)
    if not training.may_see(trainee, interviewer=me, is_admin=is_admin):
        raise Http404
    now = timezone.now()
    zone = zones.zone(me.timezone if me is not None else request.tenant.default_timezone)
    with timezone.override(zone):
        return _trainee_page(request, trainee, me, is_admin, zones.describe(zone.key, now))


def _trainee_page(request, trainee, me, is_admin, zone_text):
    return render(
        request,
        "scheduling/training/trainee.html",
        {
            "zone_text": zone_text,
            **_card(trainee, now=timezone.now()),
            "trainee": trainee,
            "is_self": me is not None and trainee.interviewer_id == me.pk,
            "is_admin": is_admin,
            "stages": list(training.STAGE_LABELS.items()),
            "now": timezone.now(),
            "nav_active": "settings" if is_admin else "profile",
        },
    )


@admin_required
def program_progress(request, pk):
    program = get_for_tenant(request, TrainingProgram.objects, pk=pk)
    trainees = _related(program.trainees.all()).order_by(
        "-awaiting_approval", "-active", "interviewer__name"
    )
    rows = [training.progress(t) for t in trainees]
    history = (
        TrainingEvent.objects.filter(trainee__program=program)
        .select_related("trainee__interviewer", "actor")
        .order_by("-at")[:HISTORY]
    )
    return render(
        request,
        "scheduling/training/program_progress.html",
        {
            "program": program,
            "awaiting": [row for row in rows if row.trainee.awaiting_approval],
            "rows": rows,
            "history": history,
            "stages": list(training.STAGE_LABELS.items()),
            "nav_active": "settings",
        },
    )


def _trainee_of(request, pk, trainee_pk):
    program = get_for_tenant(request, TrainingProgram.objects, pk=pk)
    return get_object_or_404(_related(program.trainees.all()), pk=trainee_pk)


def _back(request, trainee):
    """Back to the page the form was on: the trainee's, or the program's (the default)."""
    if request.POST.get("back") == "trainee":
        return redirect("training_trainee", trainee.pk)
    return redirect(f"{reverse('training_progress', args=[trainee.program_id])}#t-{trainee.pk}")


@require_POST
@admin_required
def approve(request, pk, trainee_pk):
    trainee = _trainee_of(request, pk, trainee_pk)
    try:
        trainee = training.approve(trainee, user=request.user)
    except training.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Approved: {trainee.interviewer.name} is now {training.STAGE_WORDS[trainee.stage]}.",
        )
    return _back(request, trainee)


@require_POST
@admin_required
def set_stage(request, pk, trainee_pk):
    trainee = _trainee_of(request, pk, trainee_pk)
    try:
        trainee = training.set_stage(trainee, request.POST.get("stage", ""), user=request.user)
    except training.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{trainee.interviewer.name} is now {training.STAGE_WORDS[trainee.stage]}.",
        )
    return _back(request, trainee)
