import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_sign_in_with_email_and_password_lands_on_home(client, recruiter):
    response = client.post(
        reverse("login"), {"username": "rosa@acme.example", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Acme Robotics" in response.content
    assert response.context["user"] == recruiter


def test_wrong_password_shows_an_error_and_stays_signed_out(client, recruiter):
    response = client.post(reverse("login"), {"username": "rosa@acme.example", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert not response.context["user"].is_authenticated


def test_sign_out_is_a_post_and_ends_the_session(recruiter_client):
    assert recruiter_client.get(reverse("logout")).status_code == 405
    response = recruiter_client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert recruiter_client.get(reverse("home")).status_code == 302


def test_anonymous_visit_to_a_recruiter_page_redirects_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_user_without_a_team_gets_a_plain_403(client, django_user_model):
    user = django_user_model.objects.create_user("lonely@example.com", password=PASSWORD)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"not a member of any team" in response.content
