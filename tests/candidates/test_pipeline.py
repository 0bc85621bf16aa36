import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import Connection
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ats(tenant):
    return f.connection(tenant)


def rows(response):
    return [a.candidate.name for a in response.context["page"].object_list]


def test_lists_applications_in_interview_stages_without_an_upcoming_interview(
    recruiter_client, ats
):
    waiting = f.application(ats, f.candidate(ats, "Ada Waiting"), status="FIRST_INTERVIEW")
    booked = f.application(ats, f.candidate(ats, "Bob Booked"), status="SECOND_INTERVIEW")
    f.remote_interview(booked)
    f.application(ats, f.candidate(ats, "Cy New"), status="NEW")
    f.application(ats, f.candidate(ats, "Di Offered"), status="OFFERED")

    response = recruiter_client.get(reverse("pipeline"))

    assert response.status_code == 200
    assert rows(response) == ["Ada Waiting"]
    assert b"Needs scheduling" in response.content
    assert waiting.job is None


def test_states_of_every_kind_show_with_any_state(recruiter_client, ats):
    booked = f.application(ats, f.candidate(ats, "Bob Booked"))
    f.remote_interview(booked)
    waiting_feedback = f.application(ats, f.candidate(ats, "Fay Feedback"), days_in_stage=5)
    f.remote_interview(
        waiting_feedback, start_in=-dt.timedelta(days=1), status="AWAITING_FEEDBACK"
    )
    done = f.application(ats, f.candidate(ats, "Dan Done"), days_in_stage=5)
    f.remote_interview(done, start_in=-dt.timedelta(days=2), status="COMPLETE")
    old = f.application(ats, f.candidate(ats, "Ola Old"), days_in_stage=1)
    # An interview from before the application entered its current stage does not count.
    f.remote_interview(old, start_in=-dt.timedelta(days=4), status="COMPLETE")
    canceled = f.application(ats, f.candidate(ats, "Cam Canceled"))
    f.remote_interview(canceled, status="CANCELED")

    response = recruiter_client.get(reverse("pipeline"), {"state": "any", "sort": "candidate"})

    states = {a.candidate.name: a.scheduling_state for a in response.context["page"]}
    assert states == {
        "Bob Booked": "scheduled",
        "Cam Canceled": "needs_scheduling",
        "Dan Done": "interviewed",
        "Fay Feedback": "feedback_due",
        "Ola Old": "needs_scheduling",
    }


def test_tenant_setting_decides_which_stages_call_for_an_interview(recruiter_client, ats, tenant):
    f.application(ats, f.candidate(ats, "Sam Screen"), status="SCREENING")
    tenant.interview_statuses = ["SECOND_INTERVIEW"]
    tenant.save()
    assert rows(recruiter_client.get(reverse("pipeline"))) == []


def test_filters_by_job_stage_recruiter_and_search(recruiter_client, ats, tenant):
    backend, design = f.job(ats, "Backend"), f.job(ats, "Design")
    rita = f.interviewer(tenant, "Rita Recruiter")
    backend.recruiters.add(rita)
    f.application(ats, f.candidate(ats, "Ann Backend", email="ann@x.example"), backend)
    f.application(
        ats,
        f.candidate(ats, "Ben Design"),
        design,
        status="SCREENING",
        original_status="Preliminary Phone Screen",
    )
    url = reverse("pipeline")

    assert rows(recruiter_client.get(url, {"job": backend.pk})) == ["Ann Backend"]
    # The stage filter offers the ATS's own names, never Unified's enum.
    page = recruiter_client.get(url).content.decode()
    assert '<option value="Preliminary Phone Screen">Preliminary Phone Screen</option>' in page
    options = page.split('name="stage"')[1].split("</select>")[0].split(">", 1)[1]
    assert "SCREENING" not in page and "_" not in options
    assert rows(recruiter_client.get(url, {"stage": "Preliminary Phone Screen"})) == ["Ben Design"]
    assert rows(recruiter_client.get(url, {"recruiter": rita.pk})) == ["Ann Backend"]
    assert rows(recruiter_client.get(url, {"q": "ann@x"})) == ["Ann Backend"]
    assert rows(recruiter_client.get(url, {"q": "ben"})) == ["Ben Design"]


def test_search_looks_through_every_scheduling_state(recruiter_client, ats, tenant):
    f.application(ats, f.candidate(ats, "Ann Waiting"))
    f.application(ats, f.candidate(ats, "Ann Offered"), status="OFFERED")
    url = reverse("pipeline")
    assert rows(recruiter_client.get(url)) == ["Ann Waiting"]
    found = recruiter_client.get(url, {"q": "ann", "state": "needs_scheduling"})
    assert sorted(rows(found)) == ["Ann Offered", "Ann Waiting"]
    assert "in every scheduling state" in found.content.decode()


def test_sorted_column_carries_aria_sort_on_its_header(recruiter_client, ats):
    f.application(ats, f.candidate(ats, "Ann"))
    page = recruiter_client.get(reverse("pipeline"), {"sort": "-candidate"}).content.decode()
    assert '<th aria-sort="descending"><a href="?' in page
    assert "<a aria-sort" not in page and page.count("aria-sort") == 1


def test_invalid_filter_values_are_ignored_not_a_500(recruiter_client, ats):
    f.application(ats, f.candidate(ats, "Ann"))
    response = recruiter_client.get(
        reverse("pipeline"), {"job": "not-a-uuid", "stage": "NOPE", "sort": "evil", "page": "x"}
    )
    assert response.status_code == 200
    assert rows(response) == ["Ann"]


def test_sorting_by_days_in_stage_and_name(recruiter_client, ats):
    f.application(ats, f.candidate(ats, "Ann Recent"), days_in_stage=1)
    f.application(ats, f.candidate(ats, "Zed Waiting"), days_in_stage=9)
    url = reverse("pipeline")
    assert rows(recruiter_client.get(url)) == ["Zed Waiting", "Ann Recent"]
    assert rows(recruiter_client.get(url, {"sort": "-days"})) == ["Ann Recent", "Zed Waiting"]
    assert rows(recruiter_client.get(url, {"sort": "candidate"})) == ["Ann Recent", "Zed Waiting"]


def test_pagination_keeps_filters_in_links(recruiter_client, ats):
    for n in range(55):
        f.application(ats, f.candidate(ats, f"Person {n:02d}"))
    response = recruiter_client.get(reverse("pipeline"), {"sort": "candidate"})
    assert len(rows(response)) == 50
    assert b"sort=candidate&amp;page=2" in response.content
    second = recruiter_client.get(reverse("pipeline"), {"sort": "candidate", "page": 2})
    assert rows(second) == ["Person 50", "Person 51", "Person 52", "Person 53", "Person 54"]


def test_htmx_request_gets_only_the_table_fragment(recruiter_client, ats):
    f.application(ats, f.candidate(ats, "Ann"))
    response = recruiter_client.get(reverse("pipeline"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="pipeline-table">')
    assert "<html" not in html
    assert "Ann" in html


def test_disconnected_ats_leaves_the_pipeline(recruiter_client, ats):
    f.application(ats, f.candidate(ats, "Ann"))
    ats.status = Connection.Status.DISCONNECTED
    ats.save()
    assert rows(recruiter_client.get(reverse("pipeline"))) == []


def test_removed_records_leave_the_pipeline(recruiter_client, ats):
    from django.utils import timezone

    app = f.application(ats, f.candidate(ats, "Ann"))
    app.removed_at = timezone.now()
    app.save()
    assert rows(recruiter_client.get(reverse("pipeline"))) == []


def test_other_tenants_applications_never_show(client, ats, outsider, other_tenant):
    f.application(ats, f.candidate(ats, "Acme Secret"))
    theirs = f.connection(other_tenant)
    f.application(theirs, f.candidate(theirs, "Globex Person"))
    client.force_login(outsider)
    assert rows(client.get(reverse("pipeline"))) == ["Globex Person"]


def test_query_count_does_not_grow_with_rows(
    recruiter_client, ats, tenant, django_assert_max_num_queries
):
    backend = f.job(ats, "Backend")
    backend.recruiters.add(f.interviewer(tenant, "Rita Recruiter"))

    def queries_for_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert recruiter_client.get(reverse("pipeline")).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        f.remote_interview(
            f.application(ats, f.candidate(ats, f"A{n}"), backend), status="CANCELED"
        )
    few = queries_for_page()
    for n in range(60):
        f.application(ats, f.candidate(ats, f"B{n}"), backend)
    many = queries_for_page()
    assert few == many
    # …including the ATS's stage names for the filter (2), the page's flagged rows (1) and
    # autopilot's card (its plans, its queue, what the cap holds: 3), the Autopilot tab's
    # count of what needs the recruiter (1).
    assert many <= 19


def test_interviewer_role_cannot_open_the_pipeline(client, tenant):
    from scheduling.models import Membership
    from tests.conftest import make_member

    client.force_login(make_member(tenant, "ian@acme.example", Membership.Role.INTERVIEWER))
    assert client.get(reverse("pipeline")).status_code == 403


def test_convenes_own_interview_is_feedback_due_until_every_request_is_in(
    recruiter_client, tenant, settings
):
    from scheduling import feedback
    from tests.feedback_helpers import past_interview, requests_of, values

    settings.UNIFIED_BASE_URL = "http://unified.invalid"
    panel = past_interview(tenant)

    def state():
        response = recruiter_client.get(reverse("pipeline"), {"state": "any"})
        (row,) = response.context["page"].object_list
        return row.scheduling_state

    feedback.request_due()
    assert state() == "feedback_due"
    for item in requests_of(panel).values():
        feedback.submit(item, values())
    assert state() == "interviewed"
