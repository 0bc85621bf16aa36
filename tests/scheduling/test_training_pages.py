"""Training progress pages and who sees them: the trainee's own "Your training", a
trainee's page for them, their trainers and the admins (anyone else: 404), the admins'
page per program with Approve (CSRF) and Set stage, another team's ids."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from scheduling import periodic
from scheduling.models import Membership, Trainee
from tests.conftest import make_member
from tests.training_helpers import program_world, seat_trainee, starts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


def signs_in(tenant, person, email, role=Membership.Role.INTERVIEWER):
    user = make_member(tenant, email, role, first_name=person.name.split()[0])
    person.user = user
    person.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tenant):
    """Tia shadowed Bo once (counted) and has a second shadow with Bo to come; Cy never sat
    with her."""
    world = program_world(tenant, approval_required=True)
    first, second = starts(2)
    one, _seat = seat_trainee(world, first)
    seat_trainee(world, second)
    with time_machine.travel(one.end_at + dt.timedelta(minutes=2), tick=False):
        periodic.run_now(only=["training progress"])
    world.tia_client = signs_in(tenant, world.tia, "tia@acme.example")
    world.bo_client = signs_in(tenant, world.bo, "bo@acme.example")
    world.cy_client = signs_in(tenant, world.cy, "cy@acme.example")
    return world


def page(client, name, *args):
    return client.get(reverse(name, args=args))


def test_the_trainee_sees_their_own_training(world):
    response = page(world.tia_client, "my_training")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your training</h1>" in html
    assert "Coding interview" in html
    assert "1 of 2 shadow sessions done — next: reverse shadow ×1" in html
    assert "Counted toward shadowing" in html and "Upcoming" in html
    assert "Candidate 1" in html
    # Each cell names its column, so a phone can show a session as labelled lines.
    assert 'data-label="Counts?"' in html and 'data-label="You"' in html
    assert "Counted: shadowed “Coding” with Candidate 1 (1 of 2)" in html  # history
    # Their own page too.
    assert page(world.tia_client, "training_trainee", world.trainee.pk).status_code == 200


def test_a_trainer_sees_the_people_they_train_and_nobody_else_does(world, tenant):
    html = page(world.bo_client, "my_training").content.decode()
    assert "People you train" in html and "Tia Trainee" in html
    assert reverse("training_trainee", args=[world.trainee.pk]) in html
    trainee_page = page(world.bo_client, "training_trainee", world.trainee.pk)
    assert trainee_page.status_code == 200
    assert "Tia Trainee · Coding interview" in trainee_page.content.decode()
    # No Approve or Set stage for a trainer.
    assert "Set stage" not in trainee_page.content.decode()

    # Cy never sat with Tia: nothing to see, and the page is not found.
    assert "People you train" not in page(world.cy_client, "my_training").content.decode()
    assert page(world.cy_client, "training_trainee", world.trainee.pk).status_code == 404
    # Nor a recruiter who is no trainer.
    rosa = Client()
    rosa.force_login(make_member(tenant, "rosa@acme.example"))
    assert page(rosa, "training_trainee", world.trainee.pk).status_code == 404
    assert page(rosa, "training_progress", world.program.pk).status_code == 403


def test_an_interviewer_sees_only_their_own_training(world, tenant):
    other = program_world(tenant, name="System design")
    # Tia is in a second program's world as another person: Tia sees only her own.
    html = page(world.tia_client, "my_training").content.decode()
    assert "System design" not in html
    assert page(world.tia_client, "training_trainee", other.trainee.pk).status_code == 404


def test_another_team_gets_404(world, outsider_client):
    assert page(outsider_client, "training_trainee", world.trainee.pk).status_code == 404
    response = outsider_client.post(
        reverse("training_approve", args=[world.program.pk, world.trainee.pk])
    )
    assert response.status_code in (403, 404)


def test_another_teams_admin_gets_404(world, other_tenant):
    admin = Client()
    admin.force_login(make_member(other_tenant, "gina@globex.example", Membership.Role.ADMIN))
    assert page(admin, "training_progress", world.program.pk).status_code == 404
    assert page(admin, "training_trainee", world.trainee.pk).status_code == 404
    response = admin.post(reverse("training_approve", args=[world.program.pk, world.trainee.pk]))
    assert response.status_code == 404


def test_the_admin_approves_from_the_programs_page(world, tenant, admin_member):
    second = world.trainee.seats.order_by("-session__start_at").first()
    with time_machine.travel(second.end_at + dt.timedelta(minutes=2), tick=False):
        periodic.run_now(only=["training progress"])
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(admin_member)
    response = page(admin, "training_progress", world.program.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for your approval" in html
    assert "2 of 2 shadow sessions done — next: reverse shadow ×1 (waiting for an admin" in html
    assert "Approve Tia Trainee" in html

    url = reverse("training_approve", args=[world.program.pk, world.trainee.pk])
    # Without the form's CSRF token: refused, nothing changed.
    assert admin.post(url).status_code == 403
    assert Trainee.objects.get(pk=world.trainee.pk).awaiting_approval

    token = admin.cookies["csrftoken"].value
    response = admin.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    tia = Trainee.objects.get(pk=world.trainee.pk)
    assert (tia.stage, tia.awaiting_approval) == (Trainee.Stage.REVERSE_SHADOW, False)
    html = admin.get(response["Location"]).content.decode()
    assert "Approved: Tia Trainee is now reverse shadowing." in html
    assert "Ada approved the move to reverse shadowing" in html

    # Approving twice says why nothing happened.
    response = admin.post(url, {"csrfmiddlewaretoken": token}, follow=True)
    assert "is not waiting for an approval" in response.content.decode()


def test_the_admin_sets_a_stage_by_hand(world, admin_client_):
    url = reverse("training_set_stage", args=[world.program.pk, world.trainee.pk])
    response = admin_client_.post(url, {"stage": "qualified", "back": "trainee"}, follow=True)
    html = response.content.decode()
    assert "Tia Trainee is now qualified." in html
    assert "Ada set the stage to qualified (was shadowing)" in html
    assert world.tia in world.pool.members.all()

    response = admin_client_.post(url, {"stage": "nonsense"}, follow=True)
    assert "Choose one of the stages." in response.content.decode()


def test_the_trainees_home_shows_where_they_stand_and_a_trainer_without_training_sees_none(
    world,
):
    html = world.tia_client.get(reverse("home")).content.decode()
    assert "<h1>My interviews</h1>" in html
    assert "Your training" in html
    assert "Coding interview" in html and "Shadowing" in html
    assert "1 of 2 shadow sessions done — next: reverse shadow ×1" in html
    assert reverse("my_training") in html
    # Bo trains but is in no program himself: his home has no training card.
    assert "Your training" not in world.bo_client.get(reverse("home")).content.decode()


def test_someone_in_no_program_is_told_what_training_is(tenant):
    lone = program_world(tenant)
    client = signs_in(tenant, lone.cy, "cy@acme.example")
    html = page(client, "my_training").content.decode()
    assert "You are not in a training program." in html


def test_the_admin_finds_a_trainees_progress_from_their_interviewer_page(world, admin_client_):
    html = page(admin_client_, "interviewer_detail", world.tia.pk).content.decode()
    trainee_url = reverse("training_trainee", args=[world.trainee.pk])
    assert f'<a href="{trainee_url}">{world.program.name}</a>: Shadowing' in html
    assert page(admin_client_, "training_trainee", world.trainee.pk).status_code == 200
    # Someone in no program has no Training line.
    assert (
        "<dt>Training</dt>"
        not in page(admin_client_, "interviewer_detail", world.cy.pk).content.decode()
    )
