import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.links import token_for
from candidates.models import BookingLink
from scheduling.models import InterviewPlan
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_link_whose_plan_cannot_run_says_so_instead_of_try_again(client, tenant):
    ats = f.connection(tenant)
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Emptied")  # no sessions left
    start = timezone.now() + dt.timedelta(days=2)
    link = BookingLink.objects.create(
        tenant=tenant,
        application=app,
        plan=plan,
        sent_to="grace@x.example",
        window_start=start.date(),
        window_end=start.date() + dt.timedelta(days=5),
        expires_at=start + dt.timedelta(days=5),
    )
    page = client.get(reverse("booking_page", args=[token_for(link)]))
    assert page.status_code == 200
    assert "can’t be booked online" in page.content.decode()
    assert "try again in a few minutes" not in page.content.decode()
    confirm = client.get(
        reverse("booking_confirm", args=[token_for(link)]),
        {"start": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%MZ")},
    )
    assert confirm.status_code in (302, 409)
