"""Settings → Training: admins list, create and edit their team's training programs and
enroll or remove trainees (docs/design.md, "Training"). The progress and history pages
are scheduling.training's (counting, moving on); these pages are the programs' set-up."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .access import admin_required, get_for_tenant
from .models import Trainee, TrainingEvent, TrainingProgram, audit
from .training_forms import EnrollForm, ProgramForm


@admin_required
def program_list(request):
    programs = (
        TrainingProgram.objects.filter(tenant=request.tenant)
        .annotate(
            learning=Count(
                "trainees",
                filter=Q(trainees__active=True) & ~Q(trainees__stage=Trainee.Stage.QUALIFIED),
            ),
            qualified=Count(
                "trainees",
                filter=Q(trainees__active=True, trainees__stage=Trainee.Stage.QUALIFIED),
            ),
            pool_count=Count("pools", distinct=True),
        )
        .order_by("name")
    )
    return render(
        request,
        "scheduling/training/programs.html",
        {"programs": programs, "nav_active": "settings"},
    )


@admin_required
def program_new(request):
    form = ProgramForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        program = form.save()
        audit(
            request.tenant,
            "training.program_created",
            f"Created the training program “{program}”: shadow ×{program.shadow_count}, "
            f"then reverse shadow ×{program.reverse_shadow_count}",
            actor=request.user,
            obj=program,
        )
        messages.success(request, f"“{program}” created. Now enroll its trainees.")
        return redirect("training_program", pk=program.pk)
    return render(
        request,
        "scheduling/training/program_form.html",
        {"form": form, "program": None, "nav_active": "settings"},
    )


@admin_required
def program_detail(request, pk):
    """The program's settings, its trainees, and the enroll form (each form posts here
    with its own button)."""
    program = get_for_tenant(request, TrainingProgram.objects.all(), pk=pk)
    posted = request.POST if request.method == "POST" else None
    form = ProgramForm(
        posted if posted and "save" in posted else None, instance=program, tenant=request.tenant
    )
    enroll = EnrollForm(posted if posted and "enroll" in posted else None, program=program)
    if posted and "save" in posted and form.is_valid():
        form.save()
        audit(
            request.tenant,
            "training.program_updated",
            f"Updated the training program “{program}”",
            actor=request.user,
            obj=program,
            changed=form.changed_data,
        )
        messages.success(request, "Program saved.")
        return redirect("training_program", pk=program.pk)
    if posted and "enroll" in posted and enroll.is_valid():
        trainee = _enroll(
            program, enroll.cleaned_data["interviewer"], enroll.cleaned_data["stage"], request
        )
        messages.success(request, f"{trainee.interviewer} is now a trainee in “{program}”.")
        return redirect("training_program", pk=program.pk)
    trainees = program.trainees.select_related("interviewer").order_by(
        "-active", "interviewer__name"
    )
    pools = list(program.pools.select_related("session__plan").order_by("session__plan__name"))
    for pool in pools:
        pool.session_title = pool.session.title_for(
            job="the job", candidate="the candidate", stage="the stage"
        )
    return render(
        request,
        "scheduling/training/program_detail.html",
        {
            "program": program,
            "form": form,
            "enroll": enroll,
            "trainees": trainees,
            "pools": pools,
            "nav_active": "settings",
        },
    )


@transaction.atomic
def _enroll(program, person, stage, request):
    """Enroll `person` (again, if they were removed) at `stage`; history and audit say so."""
    trainee, created = Trainee.objects.get_or_create(
        program=program,
        interviewer=person,
        defaults={"tenant": program.tenant, "stage": stage},
    )
    if not created:
        trainee.stage, trainee.active, trainee.awaiting_approval = stage, True, False
        trainee.enrolled_at, trainee.qualified_at = timezone.now(), None
        trainee.save()
    words = dict(Trainee.Stage.choices)[stage].split(" (")[0].lower()
    TrainingEvent.objects.create(
        trainee=trainee,
        kind=TrainingEvent.Kind.ENROLLED,
        text=f"{'Enrolled' if created else 'Enrolled again'} in “{program}”, {words}",
        actor=request.user,
    )
    audit(
        program.tenant,
        "training.enrolled",
        f"Enrolled {person} in “{program}” ({words})",
        actor=request.user,
        obj=program,
    )
    return trainee


@admin_required
@require_POST
def trainee_remove(request, pk, trainee_pk):
    """Take a trainee out of the program: no longer seated; their history stays."""
    program = get_for_tenant(request, TrainingProgram.objects.all(), pk=pk)
    trainee = get_for_tenant(
        request, program.trainees.select_related("interviewer"), pk=trainee_pk
    )
    if trainee.active:
        with transaction.atomic():
            trainee.active = False
            trainee.save(update_fields=["active"])
            TrainingEvent.objects.create(
                trainee=trainee,
                kind=TrainingEvent.Kind.REMOVED,
                text=f"Removed from “{program}”",
                actor=request.user,
            )
            audit(
                request.tenant,
                "training.removed",
                f"Removed {trainee.interviewer} from “{program}”",
                actor=request.user,
                obj=program,
            )
        messages.success(
            request,
            f"{trainee.interviewer} was removed from “{program}” and is no longer seated as "
            "a trainee; their history stays.",
        )
    return redirect("training_program", pk=program.pk)
