"""Connecting an ATS or calendar through Unified Connect, with Unified answered by `responses`
(the same journey runs against the live sandbox in tests/integration)."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from candidates.models import SyncRun
from scheduling.models import Connection
from scheduling.unified import connect
from tests import factories as f

pytestmark = pytest.mark.django_db

CONNECTION_ID = "5de520f96e439b002043d8dc"


def start(client, category="ats", integration="greenhouse", query=""):
    response = client.get(reverse("connection_start", args=[category, integration]) + query)
    assert response.status_code == 302
    return urlparse(response["Location"])


def remote_connection(tenant, categories=("ats",), **fields):
    return {
        "id": CONNECTION_ID,
        "integration_type": "greenhouse",
        "integration_name": "Greenhouse",
        "categories": list(categories),
        "permissions": ["ats_candidate_read", "ats_interview_write"],
        "external_xref": str(tenant.pk),
        **fields,
    }


def test_connect_sends_the_admin_to_unified_with_a_signed_state(admin_client_, tenant):
    url = start(admin_client_)
    assert url.geturl().startswith(
        f"{settings.UNIFIED_BASE_URL}/unified/integration/auth/"
        f"{settings.UNIFIED_WORKSPACE_ID}/greenhouse"
    )
    query = parse_qs(url.query)
    assert query["success_redirect"] == [settings.SITE_URL + reverse("connection_callback")]
    assert query["external_xref"] == [str(tenant.pk)]
    payload = connect.read_state(query["state"][0])
    assert payload["tenant"] == str(tenant.pk) and payload["category"] == "ats"


@responses.activate
def test_callback_stores_the_confirmed_connection_and_starts_the_first_sync(
    admin_client_, tenant, admin_member, django_capture_on_commit_callbacks
):
    state = parse_qs(start(admin_client_).query)["state"][0]
    responses.get(
        f"{settings.UNIFIED_BASE_URL}/unified/connection/{CONNECTION_ID}",
        json=remote_connection(tenant),
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client_.get(
            reverse("connection_callback"), {"id": CONNECTION_ID, "state": state}
        )
    conn = Connection.objects.get(unified_id=CONNECTION_ID)
    assert response.status_code == 302
    assert response["Location"] == reverse("connection_detail", args=[conn.pk])
    assert conn.tenant == tenant and conn.category == "ats"
    assert conn.integration_name == "Greenhouse" and conn.connected_by == admin_member
    run = SyncRun.objects.get(connection=conn)
    assert run.kind == "full" and run.status == "queued"
    assert tenant.audit_entries.filter(action="connection.connected").exists()
    page = admin_client_.get(reverse("connection_detail", args=[conn.pk]))
    assert b"Full sync queued" in page.content


def test_tampered_state_is_refused_with_a_plain_page(admin_client_):
    state = parse_qs(start(admin_client_).query)["state"][0]
    response = admin_client_.get(
        reverse("connection_callback"), {"id": CONNECTION_ID, "state": state[:-2] + "xx"}
    )
    assert response.status_code == 400
    assert b"This connection link is not valid" in response.content
    assert not Connection.objects.exists()


def test_state_of_another_team_is_refused(admin_client_, other_tenant):
    from tests.conftest import make_member

    stranger = make_member(other_tenant, "sly@globex.example", "admin")
    state = connect.sign_state(
        {"tenant": str(other_tenant.pk), "user": stranger.pk, "category": "ats"}
    )
    response = admin_client_.get(
        reverse("connection_callback"), {"id": CONNECTION_ID, "state": state}
    )
    assert response.status_code == 400
    assert b"started by someone else" in response.content
    assert not Connection.objects.exists()


def test_state_issued_in_another_team_of_the_same_person_is_refused(
    admin_client_, admin_member, tenant, other_tenant
):
    from scheduling.models import Membership

    Membership.objects.create(user=admin_member, tenant=other_tenant, role="admin")
    state = connect.sign_state(
        {"tenant": str(other_tenant.pk), "user": admin_member.pk, "category": "ats"}
    )
    response = admin_client_.get(
        reverse("connection_callback"), {"id": CONNECTION_ID, "state": state}
    )
    assert response.status_code == 400
    assert b"started in another team" in response.content


def test_expired_state_is_refused(admin_client_, tenant):
    import time_machine

    with time_machine.travel("2026-01-01 09:00Z"):
        state = parse_qs(start(admin_client_).query)["state"][0]
    with time_machine.travel("2026-01-01 10:00Z"):
        response = admin_client_.get(
            reverse("connection_callback"), {"id": CONNECTION_ID, "state": state}
        )
    assert response.status_code == 400
    assert b"expired" in response.content


@responses.activate
def test_a_connection_of_the_wrong_category_is_refused(admin_client_, tenant):
    state = parse_qs(start(admin_client_).query)["state"][0]
    responses.get(
        f"{settings.UNIFIED_BASE_URL}/unified/connection/{CONNECTION_ID}",
        json=remote_connection(tenant, categories=("calendar",)),
    )
    response = admin_client_.get(
        reverse("connection_callback"), {"id": CONNECTION_ID, "state": state}
    )
    assert response.status_code == 400
    assert b"is not a ATS connection" in response.content or b"not a ATS" in response.content
    assert not Connection.objects.exists()


def test_cancelled_connect_shows_what_happened(admin_client_):
    response = admin_client_.get(reverse("connection_callback"), {"error": "access_denied"})
    assert response.status_code == 400
    assert b"The connection was not made (access_denied)" in response.content


def test_recruiters_cannot_connect_an_ats(recruiter_client):
    assert (
        recruiter_client.get(reverse("connection_start", args=["ats", "greenhouse"])).status_code
        == 403
    )
    assert recruiter_client.get(reverse("connection_list")).status_code == 403


@responses.activate
def test_interviewer_connects_their_own_calendar(client, tenant):
    from scheduling.models import Membership
    from tests.conftest import make_member

    user = make_member(tenant, "ivy@acme.example", Membership.Role.INTERVIEWER)
    ivy = f.interviewer(tenant, "Ivy Chen", user=user, email="ivy@acme.example")
    client.force_login(user)
    state = parse_qs(start(client, "calendar", "googlecalendar", "?for=me").query)["state"][0]
    base = settings.UNIFIED_BASE_URL
    responses.get(
        f"{base}/unified/connection/{CONNECTION_ID}",
        json=remote_connection(
            tenant, categories=("calendar",), integration_type="googlecalendar"
        ),
    )
    responses.get(
        f"{base}/calendar/{CONNECTION_ID}/calendar",
        json=[{"id": "ivy@acme.example", "name": "Ivy Chen", "is_primary": True}],
    )
    response = client.get(reverse("connection_callback"), {"id": CONNECTION_ID, "state": state})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    ivy.refresh_from_db()
    assert ivy.calendar_connection.unified_id == CONNECTION_ID
    assert ivy.calendar_id == "ivy@acme.example"
    assert ivy.calendar_connection.interviewer == ivy


@responses.activate
def test_company_calendar_links_interviewers_by_email(admin_client_, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen", email="Ivy@Acme.example")
    bo = f.interviewer(tenant, "Bo Kim", email="bo@acme.example")
    state = parse_qs(start(admin_client_, "calendar", "googlecalendar").query)["state"][0]
    base = settings.UNIFIED_BASE_URL
    responses.get(
        f"{base}/unified/connection/{CONNECTION_ID}",
        json=remote_connection(tenant, categories=("calendar",)),
    )
    responses.get(
        f"{base}/calendar/{CONNECTION_ID}/calendar",
        json=[{"id": "ivy@acme.example", "name": "Ivy Chen"}, {"id": "room-1", "name": "Room"}],
    )
    admin_client_.get(reverse("connection_callback"), {"id": CONNECTION_ID, "state": state})
    ivy.refresh_from_db()
    bo.refresh_from_db()
    assert ivy.calendar_id == "ivy@acme.example"
    assert bo.calendar_connection is None


def test_disconnect_keeps_the_row_and_stops_the_pipeline(admin_client_, tenant):
    conn = f.connection(tenant)
    f.application(conn, f.candidate(conn, "Ann"))
    response = admin_client_.post(reverse("connection_disconnect", args=[conn.pk]), follow=True)
    assert b"is disconnected" in response.content
    conn.refresh_from_db()
    assert conn.status == Connection.Status.DISCONNECTED
    assert conn.disconnected_at is not None


def test_connection_pages_of_another_tenant_are_404(client, tenant, other_tenant):
    from tests.conftest import make_member

    conn = f.connection(tenant)
    client.force_login(make_member(other_tenant, "boss@globex.example", "admin"))
    for name in ("connection_detail",):
        assert client.get(reverse(name, args=[conn.pk])).status_code == 404
    for name in ("connection_sync", "connection_disconnect", "connection_refresh_calendars"):
        assert client.post(reverse(name, args=[conn.pk])).status_code == 404
    conn.refresh_from_db()
    assert conn.status == Connection.Status.ACTIVE


def test_needs_reconnecting_is_shown(admin_client_, tenant):
    conn = f.connection(
        tenant, status=Connection.Status.NEEDS_RECONNECT, last_error="HTTP 401: revoked"
    )
    listing = admin_client_.get(reverse("connection_list")).content.decode()
    assert "Needs reconnecting" in listing and "HTTP 401: revoked" in listing
    detail = admin_client_.get(reverse("connection_detail", args=[conn.pk])).content.decode()
    assert "Reconnect" in detail and f"replaces={conn.pk}" in detail


def test_a_problem_since_resolved_reads_as_resolved_and_its_raw_text_is_tucked_away(
    admin_client_, tenant
):
    conn = f.connection(tenant)
    raw = "HTTP 500: internal server error (GET /ats/x/application)"
    now = timezone.now()
    Connection.objects.filter(pk=conn.pk).update(
        last_error=raw,
        last_error_at=now - dt.timedelta(minutes=5),
        last_success_at=now - dt.timedelta(seconds=10),
    )
    page = admin_client_.get(reverse("connection_detail", args=[conn.pk])).content.decode()
    assert "refused a request 5\xa0minutes ago; it has worked since." in page
    assert "<dt>Last worked</dt><dd>just now</dd>" in page
    facts, technical = page.split("Technical details", 1)
    assert raw not in facts and raw in technical
    listing = admin_client_.get(reverse("connection_list")).content.decode()
    assert "a refused request 5\xa0minutes ago; working since" in listing
    assert "<summary>What it said</summary>" in listing
    # Still failing: said as a problem now.
    Connection.objects.filter(pk=conn.pk).update(last_success_at=now - dt.timedelta(hours=2))
    page = admin_client_.get(reverse("connection_detail", args=[conn.pk])).content.decode()
    assert 'class="error-text">' in page and "refused a request 5\xa0minutes ago.</span>" in page
    assert "it has worked since" not in page


def test_disconnect_first_says_what_it_stops(admin_client_, tenant):
    conn = f.connection(tenant)
    page = admin_client_.get(reverse("connection_detail", args=[conn.pk])).content.decode()
    assert '<summary class="button danger-outline">Disconnect…</summary>' in page
    assert "no more syncs, and interviews are no longer written to the ATS" in page
