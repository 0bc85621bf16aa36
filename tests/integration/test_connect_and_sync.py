"""Issue 4 against the live sandbox: an admin connects the ATS through Unified Connect, the
first sync mirrors it, incremental syncs follow changes, and faults never corrupt the mirror."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.urls import reverse

from candidates.models import Application, Candidate, Job, RemoteInterview, SyncRun
from candidates.sync import run_sync, start_sync
from scheduling.models import Connection, Interviewer

pytestmark = pytest.mark.sandbox


def connect_through_sandbox(client, category, integration, **choices):
    """Our start view → Unified's authorization URL → the consent page → Allow → back."""
    start = client.get(reverse("connection_start", args=[category, integration]))
    assert start.status_code == 302
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert authorize.status_code in (302, 303)
    consent_url = authorize.headers["Location"]
    if consent_url.startswith("/"):
        consent_url = start["Location"].split("/unified/")[0] + consent_url
    query = {k: v[0] for k, v in parse_qs(urlparse(consent_url).query).items()}
    allowed = requests.post(
        consent_url,
        data={**query, "decision": "allow", **choices},
        allow_redirects=False,
        timeout=10,
    )
    assert allowed.status_code in (302, 303), allowed.text[:500]
    back = urlparse(allowed.headers["Location"])
    assert back.path == reverse("connection_callback")
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def synced_ats(live_unified, admin_client_, tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = connect_through_sandbox(admin_client_, "ats", "greenhouse")
    assert response.status_code == 302
    return Connection.objects.get(tenant=tenant, category="ats")


def test_admin_connects_the_sandbox_ats_and_the_first_sync_mirrors_it(
    synced_ats, admin_client_, tenant, live_unified
):
    run = SyncRun.objects.get(connection=synced_ats)
    assert run.status == "succeeded", run.error
    assert run.kind == "full"
    assert run.counts["candidates"] >= 80 and run.counts["applications"] >= 80
    assert Job.objects.filter(connection=synced_ats).count() == run.counts["jobs"]
    assert Candidate.objects.filter(tenant=tenant).count() == run.counts["candidates"]
    assert RemoteInterview.objects.filter(tenant=tenant).exists()
    maya = Interviewer.objects.get(tenant=tenant, email="maya.chen@acme.example")
    assert maya.name == "Maya Chen" and maya.timezone == "America/New_York"
    # Odd records (no email, an unknown status, a naive date) are kept, with a warning.
    assert any("no email" in w for w in run.warnings)
    assert any("does not know" in w for w in run.warnings)

    page = admin_client_.get(reverse("connection_detail", args=[synced_ats.pk]))
    assert b"Last sync finished" in page.content

    pipeline = admin_client_.get(reverse("pipeline"))
    rows = list(pipeline.context["page"])
    assert rows and {a.scheduling_state for a in rows} == {"needs_scheduling"}
    assert {a.status for a in rows} <= set(tenant.interview_statuses)


def test_connecting_the_calendar_links_interviewers_by_email(
    synced_ats, admin_client_, tenant, live_unified
):
    response = connect_through_sandbox(
        admin_client_, "calendar", "googlecalendar", scope="company"
    )
    assert response.status_code == 302
    calendar = Connection.objects.get(tenant=tenant, category="calendar")
    assert len(calendar.calendars) >= 12
    maya = Interviewer.objects.get(tenant=tenant, email="maya.chen@acme.example")
    assert maya.calendar_connection == calendar and maya.calendar_id == "maya.chen@acme.example"


def test_incremental_sync_asks_only_for_what_changed(synced_ats, tenant, live_unified):
    application = Application.objects.filter(connection=synced_ats, status="SCREENING").first()
    before = application.stage_entered_at
    moved = live_unified.set_application_status(
        synced_ats.unified_id, application.remote_id, status="FIRST_INTERVIEW"
    )
    live_unified.reset_stats()
    run = run_sync(start_sync(synced_ats).pk)

    assert run.kind == "incremental" and run.status == "succeeded"
    assert run.counts["applications"] < 5  # only what changed since the first sync began
    application.refresh_from_db()
    assert application.status == "FIRST_INTERVIEW"
    assert application.original_status == moved["original_status"]
    assert application.stage_entered_at > before


def test_a_full_sync_marks_records_that_vanished(synced_ats, tenant, live_unified):
    candidate = Candidate.objects.filter(connection=synced_ats).first()
    requests.post(
        f"{live_unified.base_url}/sandbox/records/{synced_ats.unified_id}/ats_candidate/"
        f"{candidate.remote_id}/delete",
        timeout=10,
    ).raise_for_status()
    run = run_sync(start_sync(synced_ats, kind="full").pk)
    assert run.status == "succeeded"
    candidate.refresh_from_db()
    assert candidate.removed_at is not None
    assert any("marked as removed" in w for w in run.warnings)


def test_a_sync_survives_30_percent_429_and_500(synced_ats, tenant, live_unified):
    live_unified.set_faults(rate_429=0.15, rate_500=0.15, retry_after=0)
    run = run_sync(start_sync(synced_ats, kind="full").pk)
    assert run.status == "succeeded", run.error
    assert run.counts["candidates"] >= 80


def test_a_sync_that_fails_for_good_leaves_the_mirror_as_it_was(
    synced_ats, tenant, live_unified, admin_client_
):
    names = sorted(Candidate.objects.filter(tenant=tenant).values_list("name", "removed_at"))
    live_unified.set_faults(rate_500=1.0)
    run = run_sync(start_sync(synced_ats, kind="full").pk)
    assert run.status == "failed" and "500" in run.error
    assert (
        sorted(Candidate.objects.filter(tenant=tenant).values_list("name", "removed_at")) == names
    )
    page = admin_client_.get(reverse("connection_detail", args=[synced_ats.pk])).content.decode()
    assert "The last sync failed" in page
    assert "Nothing Convene keeps from the ATS was changed" in page
    synced_ats.refresh_from_db()
    assert synced_ats.last_error


def test_a_revoked_token_marks_the_connection_as_needing_reconnection(
    synced_ats, live_unified, settings
):
    settings.UNIFIED_API_TOKEN = "revoked"
    run = run_sync(start_sync(synced_ats).pk)
    assert run.status == "failed"
    synced_ats.refresh_from_db()
    assert synced_ats.status == Connection.Status.NEEDS_RECONNECT
