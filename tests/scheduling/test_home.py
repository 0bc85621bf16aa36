"""Getting started: the home page walks an admin through the ATS, a calendar and a plan, and
each connection's page says what comes next."""

import pytest
from django.urls import reverse

from scheduling.models import Connection, InterviewPlan
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_after_the_ats_the_home_page_still_asks_for_a_calendar(admin_client_, tenant):
    ats = f.connection(tenant)
    page = admin_client_.get(reverse("home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<span class="badge ok">done</span> <strong>Connect your ATS</strong>' in html
    assert f'href="{reverse("connection_new", args=["calendar"])}"' in html

    detail = admin_client_.get(reverse("connection_detail", args=[ats.pk])).content.decode()
    assert "Next: connect a calendar" in detail

    calendar = f.connection(tenant, Connection.Category.CALENDAR)
    detail = admin_client_.get(reverse("connection_detail", args=[calendar.pk])).content.decode()
    assert "Next: create an interview plan" in detail
    assert "Create a starter plan" in detail

    InterviewPlan.objects.create(tenant=tenant, name="Screen")
    assert admin_client_.get(reverse("home"))["Location"] == reverse("pipeline")
    detail = admin_client_.get(reverse("connection_detail", args=[calendar.pk])).content.decode()
    assert "Next:" not in detail


def test_connection_page_speaks_plainly_with_ids_behind_technical_details(admin_client_, tenant):
    ats = f.connection(tenant)
    html = admin_client_.get(reverse("connection_detail", args=[ats.pk])).content.decode()
    assert "not registered yet changes are picked up" not in html
    assert "reach Convene within a few minutes" in html
    technical = html.split("<summary>Technical details</summary>")[1]
    assert ats.unified_id in technical
    assert ats.unified_id not in html.split("<summary>Technical details</summary>")[0]
