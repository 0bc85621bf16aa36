import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


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


# --- throttling: per account and per address (django-axes, settings "Sign-in throttling") ---


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    # Dozens of sign-ins per test: the production hasher's cost is the point in production,
    # not here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username, password=WRONG, address="203.0.113.5", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def count_password_checks(monkeypatch):
    checked = []
    real = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return checked


def test_ten_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, recruiter, monkeypatch
):
    for _ in range(9):
        assert sign_in(client, "rosa@acme.example").status_code == 200
    locked = sign_in(client, "rosa@acme.example")
    assert locked.status_code == 429
    assert b"signing in is\n        paused for 15 minutes" in locked.content
    assert locked["Retry-After"] == "900"

    checked = count_password_checks(monkeypatch)
    response = sign_in(client, "rosa@acme.example", PASSWORD)
    assert response.status_code == 429
    assert checked == []  # refused before any password is hashed
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_the_account_is_locked_whichever_addresses_the_guesses_come_from(client, recruiter):
    for n in range(10):
        sign_in(client, "rosa@acme.example", address=f"198.51.100.{n}")
    assert sign_in(client, "rosa@acme.example", PASSWORD, address="192.0.2.1").status_code == 429


def test_one_address_guessing_many_accounts_is_locked_for_every_account(
    client, recruiter, colleague
):
    for n in range(10):
        sign_in(client, f"someone{n}@acme.example")
    response = sign_in(client, "colin@acme.example", PASSWORD)
    assert response.status_code == 429
    # Colin, elsewhere, signs in.
    assert sign_in(client, "colin@acme.example", PASSWORD, address="192.0.2.1").status_code == 302


def test_behind_a_proxy_each_client_address_counts_for_itself(client, recruiter, settings):
    """TRUSTED_PROXY_COUNT=1: the address is the one the proxy saw, as for booking limits."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        sign_in(
            client, f"someone{n}@acme.example", address="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6"
        )
    blocked = {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}
    assert sign_in(client, "rosa@acme.example", PASSWORD, **blocked).status_code == 429
    proxied = {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert sign_in(client, "rosa@acme.example", PASSWORD, **proxied).status_code == 302


def test_the_lockout_ends_by_itself_after_fifteen_minutes(client, recruiter, time_machine):
    time_machine.move_to("2030-01-07T10:00:00Z", tick=False)
    for _ in range(10):
        sign_in(client, "rosa@acme.example")
    time_machine.move_to("2030-01-07T10:14:00Z", tick=False)
    assert sign_in(client, "rosa@acme.example", PASSWORD).status_code == 429
    time_machine.move_to("2030-01-07T10:30:00Z", tick=False)
    assert sign_in(client, "rosa@acme.example", PASSWORD).status_code == 302


def test_convene_staff_lift_a_lockout_in_the_django_admin(client, recruiter, admin_client):
    for _ in range(10):
        sign_in(client, "rosa@acme.example")
    assert sign_in(client, "rosa@acme.example", PASSWORD).status_code == 429

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert b"rosa@acme.example" in listing.content
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "rosa@acme.example", PASSWORD).status_code == 302


def test_the_django_admins_own_sign_in_is_throttled_too(client, recruiter):
    for _ in range(10):
        client.post(
            reverse("admin:login"),
            {"username": "rosa@acme.example", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
        )
    assert sign_in(client, "rosa@acme.example", PASSWORD).status_code == 429
