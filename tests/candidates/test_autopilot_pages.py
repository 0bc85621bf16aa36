"""Autopilot on the recruiter's pages: the plan editor's section and pause switch, the team's
limits, the pipeline's queue with its one-click Send (CSRF, HTMX, another team's 404), the
cap's line."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from candidates import autopilot
from candidates.models import AutopilotEvent, BookingLink, Candidate, StageEntry
from scheduling.models import AuditEntry, InterviewPlan, Operation, PlanSession
from tests import factories as f
from tests.scheduling.test_plans import post_data

Rule = InterviewPlan.Autopilot
State = StageEntry.State


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


@pytest.fixture
def ats(tenant):
    conn = f.connection(tenant)
    conn.synced_until = timezone.now()
    conn.save(update_fields=["synced_until"])
    return conn


@pytest.fixture
def onsite(tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Onsite", stage_status="SECOND_INTERVIEW", autopilot=Rule.QUEUE
    )
    PlanSession.objects.create(plan=plan).required.add(ivy)
    return plan


@pytest.fixture
def queued(ats, onsite):
    app = f.application(
        ats,
        f.candidate(ats, "Ada Shah", email="ada@candidates.example"),
        f.job(ats, "Compiler Engineer"),
        status="SECOND_INTERVIEW",
        days_in_stage=0,
    )
    return autopilot.stage_entered(app)


# --- the plan editor --------------------------------------------------------------------------


@pytest.fixture
def people(tenant):
    return [f.interviewer(tenant, name) for name in ("Ann Lee", "Bo Kim", "Cy Diaz", "Di Roy")]


def test_a_new_plan_queues_by_default_and_the_editor_saves_the_rule(
    recruiter_client, tenant, people
):
    page = text(recruiter_client.get(reverse("plan_new")))
    assert "Autopilot: when an application enters this stage" in page
    assert "Queue it for a recruiter to send in one click" in page
    response = recruiter_client.post(
        reverse("plan_new"),
        post_data(
            people,
            autopilot="link",
            autopilot_delay_minutes="120",
            autopilot_reasonable_hours="on",
        ),
    )
    assert response.status_code == 302
    plan = InterviewPlan.objects.get(tenant=tenant)
    assert (plan.autopilot, plan.autopilot_delay_minutes, plan.autopilot_reasonable_hours) == (
        Rule.LINK,
        120,
        True,
    )
    # Left out (an older page): kept as they were.
    data = post_data(people)
    response = recruiter_client.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.autopilot, plan.autopilot_delay_minutes) == (Rule.LINK, 120)


def test_a_made_up_rule_is_refused_beside_the_field(recruiter_client, tenant, people):
    response = recruiter_client.post(
        reverse("plan_new"), post_data(people, autopilot="everything", autopilot_delay_minutes="7")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not InterviewPlan.objects.exists()


def test_the_pause_switch_takes_effect_at_once(recruiter_client, onsite, recruiter):
    page = text(recruiter_client.get(reverse("plan_edit", args=[onsite.pk])))
    assert "Pause autopilot now" in page
    response = recruiter_client.post(
        reverse("autopilot_pause", args=[onsite.pk]),
        {"paused": "1", "fragment": "switch"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Paused" in text(response) and "Resume autopilot now" in text(response)
    onsite.refresh_from_db()
    assert onsite.autopilot_paused and onsite.autopilot_paused_at
    line = AutopilotEvent.objects.get(kind="paused")
    assert line.text == "Paused autopilot for the “Onsite” plan"
    assert AuditEntry.objects.get(action="autopilot.paused").actor == recruiter
    # Without JavaScript: back to the page it came from, saying so.
    response = recruiter_client.post(
        reverse("autopilot_pause", args=[onsite.pk]),
        {"paused": "0", "next": reverse("plan_edit", args=[onsite.pk])},
    )
    assert response["Location"] == reverse("plan_edit", args=[onsite.pk])
    onsite.refresh_from_db()
    assert not onsite.autopilot_paused


def test_another_teams_plan_and_entry_are_404(client, outsider, onsite, queued):
    client.force_login(outsider)
    assert (
        client.post(reverse("autopilot_pause", args=[onsite.pk]), {"paused": "1"}).status_code
        == 404
    )
    assert client.post(reverse("autopilot_send", args=[queued.pk])).status_code == 404
    onsite.refresh_from_db()
    queued.refresh_from_db()
    assert not onsite.autopilot_paused and queued.state == State.QUEUED


# --- team settings ----------------------------------------------------------------------------


def test_the_team_sets_the_cap_and_the_limit(admin_client_, tenant):
    page = text(admin_client_.get(reverse("team_settings")))
    assert "Sends a day, at most" in page
    response = admin_client_.post(
        reverse("team_settings"),
        {
            "name": "Acme",
            "default_timezone": "America/New_York",
            "interview_statuses": ["SECOND_INTERVIEW"],
            "autopilot_daily_cap": "25",
            "autopilot_entries_per_application": "2",
        },
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.autopilot_daily_cap, tenant.autopilot_entries_per_application) == (25, 2)
    response = admin_client_.post(
        reverse("team_settings"),
        {
            "name": "Acme",
            "default_timezone": "America/New_York",
            "interview_statuses": ["SECOND_INTERVIEW"],
            "autopilot_daily_cap": "-1",
            "autopilot_entries_per_application": "0",
        },
    )
    assert response.status_code == 200
    tenant.refresh_from_db()
    assert tenant.autopilot_daily_cap == 25


# --- the pipeline's queue ---------------------------------------------------------------------


def test_the_queue_says_what_goes_to_whom_and_sends_in_one_click(
    recruiter_client, recruiter, queued, django_capture_on_commit_callbacks
):
    response = recruiter_client.get(reverse("pipeline"))
    page = text(response)
    assert "Needs scheduling: ready to send" in page
    # The card leads to the Autopilot tab, where all it did is listed.
    assert "Everything autopilot did" in page
    assert reverse("autopilot_feed") in response.content.decode()
    assert "Booking link for the “Onsite” plan to Ada Shah (ada@candidates.example)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            reverse("autopilot_send", args=[queued.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    fragment = text(response)
    assert "Sent Ada Shah a booking link for the “Onsite” plan." in fragment
    assert "ready to send" not in fragment
    queued.refresh_from_db()
    assert queued.state == State.SENT and queued.sent_by == recruiter
    link = BookingLink.objects.get()
    assert link.created_by == recruiter and link.sent_at is not None
    (email,) = mail.outbox
    assert email.to == ["ada@candidates.example"]
    # A second click (another tab): nothing more is sent, and it says why.
    response = recruiter_client.post(reverse("autopilot_send", args=[queued.pk]))
    assert response.status_code == 302
    assert "already handled" in text(recruiter_client.get(response["Location"]))
    assert Operation.objects.filter(payload__kind="booking_link").count() == 1


def test_the_one_click_needs_the_csrf_token(recruiter, queued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(recruiter)
    response = client.post(reverse("autopilot_send", args=[queued.pk]))
    assert response.status_code == 403
    queued.refresh_from_db()
    assert queued.state == State.QUEUED


def test_the_one_click_says_why_it_did_not_send(recruiter_client, queued):
    Candidate.objects.filter(pk=queued.application.candidate_id).update(email="", emails=[])
    response = recruiter_client.post(
        reverse("autopilot_send", args=[queued.pk]), headers={"HX-Request": "true"}
    )
    assert "Not sent to Ada Shah: Ada Shah has no email address in the ATS." in text(response)
    queued.refresh_from_db()
    assert queued.state == State.SKIPPED


def test_the_pipeline_says_when_the_cap_paused_autopilot(recruiter_client, tenant, ats, onsite):
    onsite.autopilot = Rule.LINK
    onsite.autopilot_delay_minutes = 0
    onsite.save()
    tenant.autopilot_daily_cap = 1
    tenant.save()
    job = f.job(ats, "Compiler Engineer")
    for name in ("Ada Shah", "Ben Ode"):
        app = f.application(
            ats, f.candidate(ats, name), job, status="SECOND_INTERVIEW", days_in_stage=0
        )
        autopilot.stage_entered(app)
    assert autopilot.run_due(now=timezone.now() + dt.timedelta(minutes=1)) == 1
    page = text(recruiter_client.get(reverse("pipeline")))
    assert "Autopilot paused: today’s cap of 1 send reached." in page
    assert "1 waiting send goes out tomorrow." in page
    assert "Sending by itself" in page and "Onsite" in page
