"""The team's name and logo on the candidate's pages: an admin uploads a small image in the
settings (checked by its first bytes, never an SVG), and the booking page shows it."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scheduling.models import Membership
from tests.candidates.links_helpers import url
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

# A 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def settings_post(tenant, **extra):
    return {
        "name": tenant.name,
        "default_timezone": tenant.default_timezone,
        "interview_statuses": tenant.interview_statuses,
        **extra,
    }


def test_an_admin_uploads_a_logo_and_the_candidate_sees_it(client, tenant, link):
    admin = make_member(tenant, "ada@acme.example", Membership.Role.ADMIN)
    client.force_login(admin)
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = client.post(reverse("team_settings"), settings_post(tenant, logo_file=logo))
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.logo.startswith("data:image/png;base64,")

    client.logout()
    page = client.get(url("page", link), {"tz": "America/New_York"}).content.decode()
    assert f'<img class="booking-logo" src="{tenant.logo}" alt="">' in page
    assert "<span>Acme Robotics</span>" in page


def test_a_logo_that_is_not_an_image_is_refused_beside_the_field(client, tenant):
    admin = make_member(tenant, "ada@acme.example", Membership.Role.ADMIN)
    client.force_login(admin)
    svg = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>", content_type="image/svg")
    response = client.post(reverse("team_settings"), settings_post(tenant, logo_file=svg))
    assert response.status_code == 200
    assert "Upload a PNG, JPEG or GIF image." in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.logo == ""
