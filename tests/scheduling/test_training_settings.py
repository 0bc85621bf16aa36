"""Settings → Training: admins create and edit programs and enroll or remove trainees,
with errors beside the field; nobody else reaches the pages, and another team's programs are
a 404 (the other URLs' access is held by tests/test_url_access.py)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from scheduling.models import (
    AuditEntry,
    InterviewPlan,
    Membership,
    PlanPool,
    PlanSession,
    Trainee,
    TrainingEvent,
    TrainingProgram,
)
from tests import factories as f
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def program_data(**overrides):
    data = {
        "name": "Coding interview",
        "shadow_count": "2",
        "reverse_shadow_count": "1",
        "approval_required": "on",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_program_and_sees_it_listed(admin_client_, tenant):
    response = admin_client_.post(reverse("training_program_new"), program_data())
    program = TrainingProgram.objects.get(tenant=tenant)
    assert response.status_code == 302
    assert response["Location"] == reverse("training_program", args=[program.pk])
    assert (program.shadow_count, program.reverse_shadow_count) == (2, 1)
    assert program.approval_required and not program.trainer_approval_required
    listing = admin_client_.get(reverse("training_programs")).content.decode()
    assert "Coding interview" in listing and "shadow ×2, then reverse shadow ×1" in listing
    assert "no plan’s pool names it yet" in listing
    assert AuditEntry.objects.filter(action="training.program_created").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "Give the program a name."),
        (
            {"name": "coding INTERVIEW"},
            "Your team has a program called “coding INTERVIEW” already.",
        ),
        (
            {"shadow_count": "0", "reverse_shadow_count": "0"},
            "A program needs at least one session to shadow or to lead.",
        ),
        ({"shadow_count": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"reverse_shadow_count": "50"}, "At most 20 sessions."),
    ],
)
def test_bad_programs_are_refused_beside_the_field(admin_client_, tenant, overrides, message):
    TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    response = admin_client_.post(reverse("training_program_new"), program_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field-error" id="id_' in page and message in page
    assert TrainingProgram.objects.filter(tenant=tenant).count() == 1


def test_another_team_may_use_the_same_name(admin_client_, tenant, other_tenant):
    TrainingProgram.objects.create(tenant=other_tenant, name="Coding interview")
    response = admin_client_.post(reverse("training_program_new"), program_data())
    assert response.status_code == 302
    assert TrainingProgram.objects.filter(tenant=tenant).exists()


def test_an_admin_edits_a_program(admin_client_, tenant):
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    url = reverse("training_program", args=[program.pk])
    response = admin_client_.post(url, program_data(name="System design", shadow_count="3"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.shadow_count) == ("System design", 3)
    # A bad edit keeps what was there and says why beside the field.
    response = admin_client_.post(url, program_data(name=""))
    assert "Give the program a name." in response.content.decode()
    program.refresh_from_db()
    assert program.name == "System design"


def test_an_admin_enrolls_and_removes_a_trainee(admin_client_, tenant):
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    grace = f.interviewer(tenant, "Grace Ho")
    url = reverse("training_program", args=[program.pk])
    page = admin_client_.get(url).content.decode()
    assert "Grace Ho" in page and "No trainees yet." in page
    response = admin_client_.post(
        url, {"enroll": "1", "interviewer": str(grace.pk), "stage": "shadow"}
    )
    assert response.status_code == 302
    trainee = Trainee.objects.get(program=program)
    assert (trainee.interviewer, trainee.stage, trainee.tenant) == (grace, "shadow", tenant)
    assert trainee.history.get().kind == TrainingEvent.Kind.ENROLLED
    page = admin_client_.get(url).content.decode()
    assert "Shadowing" in page and 'Remove<span class="visually-hidden"> Grace Ho' in page

    remove = reverse("training_trainee_remove", args=[program.pk, trainee.pk])
    assert admin_client_.post(remove).status_code == 302
    trainee.refresh_from_db()
    assert not trainee.active
    assert trainee.history.first().kind == TrainingEvent.Kind.REMOVED
    # Enrolled again, at the reverse-shadow stage: the same record, active again.
    admin_client_.post(
        url, {"enroll": "1", "interviewer": str(grace.pk), "stage": "reverse_shadow"}
    )
    trainee.refresh_from_db()
    assert trainee.active and trainee.stage == "reverse_shadow"
    assert trainee.history.count() == 3


def test_enrolling_errors_are_beside_the_field(admin_client_, tenant, other_tenant):
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    url = reverse("training_program", args=[program.pk])
    response = admin_client_.post(url, {"enroll": "1", "interviewer": "", "stage": "shadow"})
    assert "Choose whom to enroll." in response.content.decode()
    stranger = f.interviewer(other_tenant, "Otto Globex")
    response = admin_client_.post(
        url, {"enroll": "1", "interviewer": str(stranger.pk), "stage": "shadow"}
    )
    assert "Choose one of your team’s active interviewers." in response.content.decode()
    ada = f.interviewer(tenant, "Ada Shah")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Onsite")
    session = PlanSession.objects.create(plan=plan)
    pool = PlanPool.objects.create(session=session, program=program)
    pool.members.set([ada])
    response = admin_client_.post(
        url, {"enroll": "1", "interviewer": str(ada.pk), "stage": "shadow"}
    )
    assert (
        "Ada Shah already interviews in a pool that names this program"
        in response.content.decode()
    )
    assert not Trainee.objects.exists()


def test_recruiters_and_interviewers_may_not_set_up_training(client, tenant):
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    for role in (Membership.Role.RECRUITER, Membership.Role.INTERVIEWER):
        client.force_login(make_member(tenant, f"{role}@acme.example", role))
        for url in (
            reverse("training_programs"),
            reverse("training_program_new"),
            reverse("training_program", args=[program.pk]),
        ):
            assert client.get(url).status_code == 403, (role, url)


def test_another_teams_program_is_a_404(admin_client_, other_tenant):
    theirs = TrainingProgram.objects.create(tenant=other_tenant, name="Coding interview")
    person = f.interviewer(other_tenant, "Otto Globex")
    trainee = Trainee.objects.create(tenant=other_tenant, program=theirs, interviewer=person)
    assert admin_client_.get(reverse("training_program", args=[theirs.pk])).status_code == 404
    remove = reverse("training_trainee_remove", args=[theirs.pk, trainee.pk])
    assert admin_client_.post(remove).status_code == 404
    trainee.refresh_from_db()
    assert trainee.active


def test_the_demo_has_a_program_with_a_trainee_and_a_plan_that_seats_them(tenant):
    call_command("seed_demo", stdout=io.StringIO())
    program = TrainingProgram.objects.get(tenant=tenant, name="Coding interview")
    assert not program.trainees.exists()  # before the ATS is connected: no one to enroll
    ian = f.interviewer(tenant, "Ian Interviewer", email="interviewer@acme.example")
    daniel = f.interviewer(tenant, "Daniel Okafor")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    trainee = program.trainees.get()
    assert (trainee.interviewer, trainee.stage) == (ian, Trainee.Stage.SHADOW)
    pool = PlanPool.objects.get(program=program)
    assert list(pool.members.all()) == [daniel]
    assert pool.session.plan.stage_status == "FIRST_INTERVIEW"
    assert "Ian Interviewer is a trainee in “Coding interview”" in out.getvalue()
