import pytest
from django.urls import reverse

from scheduling.models import Membership
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_home_shows_the_current_team_and_what_to_do_first(recruiter_client):
    response = recruiter_client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Acme Robotics" in response.content
    assert b"Connect your ATS" in response.content
    assert b"Connect a calendar" in response.content


def test_member_of_two_teams_can_switch(client, tenant, other_tenant):
    user = make_member(tenant, "both@example.com")
    Membership.objects.create(user=user, tenant=other_tenant, role=Membership.Role.ADMIN)
    client.force_login(user)
    assert b"<h1>Acme Robotics</h1>" in client.get(reverse("home")).content

    response = client.post(reverse("switch_tenant"), {"tenant": str(other_tenant.pk)}, follow=True)
    assert b"Switched to Globex Labs" in response.content
    assert b"<h1>Globex Labs</h1>" in response.content


def test_switching_to_a_team_you_are_not_in_is_refused(recruiter_client, other_tenant):
    response = recruiter_client.post(
        reverse("switch_tenant"), {"tenant": str(other_tenant.pk)}, follow=True
    )
    assert b"You are not a member of that team" in response.content
    assert b"<h1>Acme Robotics</h1>" in response.content


def test_switch_needs_csrf(recruiter, other_tenant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(recruiter)
    response = client.post(reverse("switch_tenant"), {"tenant": str(other_tenant.pk)})
    assert response.status_code == 403
