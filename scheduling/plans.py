"""Interview plans: saving them, and finding the one that applies to an application."""

from django.db import transaction
from django.db.models import Q

from .models import Interviewer, InterviewPlan, PlanPool, PlanSession, audit


def plan_for(application):
    """The most specific plan for the application's job and stage, or None.

    Job and stage beat job alone, which beats stage alone, which beats the tenant default.
    """
    candidates = InterviewPlan.objects.filter(tenant=application.tenant).filter(
        Q(job=application.job) | Q(job__isnull=True),
        Q(stage_status=application.status) | Q(stage_status=""),
    )

    def specificity(plan):
        return (plan.job_id is not None, plan.stage_status != "")

    plans = sorted(candidates, key=specificity, reverse=True)
    return plans[0] if plans else None


@transaction.atomic
def save_plan(form, formset, user):
    """Save the plan and replace its sessions with the formset's, in order."""
    created = (
        form.instance.pk is None or not InterviewPlan.objects.filter(pk=form.instance.pk).exists()
    )
    plan = form.save()
    plan.sessions.all().delete()
    position = 0
    for session_form in formset.forms:
        data = getattr(session_form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        session = PlanSession.objects.create(
            plan=plan,
            position=position,
            title_template=data["title_template"],
            duration_minutes=data["duration_minutes"],
        )
        session.required.set(data["required"])
        for found in session_form.pools():
            pool = PlanPool.objects.create(
                session=session, name=found["name"], k=found["k"], trainee=found["trainee"]
            )
            pool.members.set(found["members"])
        position += 1
    audit(
        plan.tenant,
        "plan.created" if created else "plan.updated",
        f"{'Created' if created else 'Updated'} the interview plan “{plan}”",
        actor=user,
        obj=plan,
    )
    return plan


@transaction.atomic
def create_starter_plan(tenant, user):
    """A default plan to start from: one hour with one of the active interviewers who have
    a calendar, picked by load. Refused when the team already has a default plan."""
    if InterviewPlan.objects.filter(tenant=tenant, job__isnull=True, stage_status="").exists():
        return None
    people = list(
        Interviewer.objects.filter(tenant=tenant, active=True, calendar_connection__isnull=False)
    ) or list(Interviewer.objects.filter(tenant=tenant, active=True))
    if not people:
        return None
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Default interview",
        agenda="A conversation about the role and the candidate's experience.",
        scorecard_questions=["Relevant experience", "Communication", "Motivation"],
    )
    session = PlanSession.objects.create(
        plan=plan, position=0, title_template="{job} interview", duration_minutes=60
    )
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set(people)
    audit(tenant, "plan.created", "Created the starter plan", actor=user, obj=plan)
    return plan
