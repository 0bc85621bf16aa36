import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ats(tenant):
    return f.connection(tenant)


def test_candidate_page_shows_contact_applications_and_ats_interviews(
    recruiter_client, ats, tenant
):
    cand = f.candidate(ats, "Grace Hopper", email="grace@navy.example", phone="+1 555 0100")
    cand.emails = ["grace@navy.example", "g@home.example"]
    cand.save()
    job = f.job(ats, "Compiler Engineer")
    app = f.application(ats, cand, job, status="SECOND_INTERVIEW", original_status="Onsite")
    ivy = f.interviewer(tenant, "Ivy Chen", ats_user_id="emp-1")
    f.remote_interview(
        app, start_in=-dt.timedelta(days=1), status="COMPLETE", user_ids=["emp-1", "emp-x"]
    )

    response = recruiter_client.get(reverse("candidate_detail", args=[cand.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Grace Hopper" in html
    assert "g@home.example" in html and "+1 555 0100" in html
    assert "Compiler Engineer" in html and "Onsite" in html
    assert f"{ivy.name}, emp-x" in html
    assert "Complete" in html


def test_candidate_of_another_tenant_is_a_404(outsider_client, ats):
    cand = f.candidate(ats, "Acme Secret")
    assert outsider_client.get(reverse("candidate_detail", args=[cand.pk])).status_code == 404


def test_candidate_page_query_count_is_constant(recruiter_client, ats, tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cand = f.candidate(ats, "Grace")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            recruiter_client.get(reverse("candidate_detail", args=[cand.pk]))
        return len(ctx.captured_queries)

    app = f.application(ats, cand, f.job(ats))
    f.remote_interview(app, user_ids=["emp-0"])
    few = count()
    for n in range(5):
        other = f.application(ats, cand, f.job(ats, f"Job {n}"))
        f.remote_interview(other, user_ids=[f"emp-{n}"])
    assert count() == few
