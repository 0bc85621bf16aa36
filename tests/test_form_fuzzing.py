"""Forms and query strings fuzzed with hypothesis: whatever a person (or a bot) types, every
form answers with a page or a clear error — never a 500."""

import datetime as dt
import os
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.links import token_for
from candidates.models import BookingLink
from scheduling.feedback import token_for as feedback_token
from scheduling.models import FeedbackRequest, InterviewPlan, Membership, PlanSession
from tests import factories as f
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NASTY = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "9" * 30,
        "1e308",
        "NaN",
        "2026-13-45",
        "2026-02-30T25:61",
        "24:00-25:00",
        "09:00-08:00, x",
        "{job} {unknown} {0} {",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\x00",
        "é" * 500,
        str(uuid.uuid4()),
        "Europe/Nowhere",
        "America/New_York",
        "on",
        "FIRST_INTERVIEW",
        "STRONG_YES",
        "2030-01-07T10:00:00+00:00",
    ]
)
VALUES = st.one_of(NASTY, st.text(max_size=60), st.integers(-(10**12), 10**12).map(str))
# FUZZ_EXAMPLES=500 for a deeper run than CI's.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_data(fields):
    return st.dictionaries(
        st.sampled_from(fields),
        st.one_of(VALUES, st.lists(VALUES, max_size=3)),
        max_size=len(fields),
    )


@pytest.fixture
def world(tenant):
    admin = make_member(tenant, "ada@acme.example", Membership.Role.ADMIN)
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen")
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    PlanSession.objects.create(plan=plan, title_template="Screen").required.add(ivy)
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
    client = Client()
    client.force_login(admin)
    return {"client": client, "ivy": ivy, "app": app, "plan": plan, "link": link}


def ok(response):
    assert response.status_code < 500, response.status_code


PLAN_FIELDS = [
    "name", "job", "stage_status", "order", "break_minutes", "location_kind", "location_detail",
    "agenda", "buffer_before_minutes", "buffer_after_minutes", "minimum_notice_hours",
    "horizon_days", "slot_step_minutes", "show_interviewer_names", "scorecard",
    "sessions-TOTAL_FORMS", "sessions-INITIAL_FORMS", "sessions-0-title_template",
    "sessions-0-duration_minutes", "sessions-0-required", "sessions-0-pool_members",
    "sessions-0-pool_k", "sessions-0-trainee", "sessions-0-pool_name",
    "sessions-0-pool2_members", "sessions-0-pool2_k", "sessions-0-pool2_trainee",
    "sessions-0-pool2_name", "sessions-0-DELETE", "add_session",
]  # fmt: skip


@FUZZ
@given(data=form_data(PLAN_FIELDS))
def test_the_plan_form_never_fails(world, data):
    ok(world["client"].post(reverse("plan_new"), data))


@FUZZ
@given(
    data=form_data(
        [
            "timezone",
            "hours_0",
            "hours_3",
            "hours_6",
            "exceptions",
            "max_interviews_per_day",
            "max_interviews_per_week",
            "calendar",
            "active",
        ]
    )
)
def test_the_interviewer_form_never_fails(world, data):
    ok(world["client"].post(reverse("interviewer_detail", args=[world["ivy"].pk]), data))


@FUZZ
@given(
    data=form_data(
        [
            "name",
            "default_timezone",
            "interview_statuses",
            "link_email_subject",
            "link_email_body",
            "link_expiry_days",
            "link_reminder_hours",
            "candidate_change_cutoff_hours",
        ]
    )
)
def test_the_team_settings_never_fail(world, data):
    ok(world["client"].post(reverse("team_settings"), data))


@FUZZ
@given(data=form_data(["q", "job", "stage", "recruiter", "state", "sort", "page"]))
def test_the_pipeline_filters_never_fail(world, data):
    ok(world["client"].get(reverse("pipeline"), data))
    ok(world["client"].get(reverse("pipeline"), data, headers={"HX-Request": "true"}))


@FUZZ
@given(data=form_data(["start", "week", "override", "reason", "swap:1:2"]))
def test_the_slot_picker_never_fails(world, data, monkeypatch):
    from scheduling import slots

    monkeypatch.setattr(slots, "busy_blocks", lambda people, start, end: {})
    ok(world["client"].post(reverse("schedule", args=[world["app"].pk]), data))
    ok(world["client"].get(reverse("schedule", args=[world["app"].pk]), data))


@FUZZ
@given(
    data=form_data(["application", "plan", "window_start", "window_end", "expiry_days", "send"])
)
def test_the_send_links_form_never_fails(world, data):
    data.setdefault("application", str(world["app"].pk))
    response = world["client"].post(reverse("links_send"), data)
    assert response.status_code < 500


@FUZZ
@given(data=form_data(["id", "state", "error"]))
def test_the_connect_callback_never_fails(world, data):
    ok(world["client"].get(reverse("connection_callback"), data))


@FUZZ
@given(
    data=form_data(["start", "tz", "week", "version", "action", "reason", "csrfmiddlewaretoken"])
)
def test_the_candidates_booking_pages_never_fail(world, data, monkeypatch):
    from scheduling import slots

    monkeypatch.setattr(slots, "busy_blocks", lambda people, start, end: {})
    token = token_for(world["link"])
    anonymous = Client()
    for name in ("booking_page", "booking_confirm", "booking_cancel", "booking_reschedule"):
        ok(anonymous.get(reverse(name, args=[token]), data))
        ok(anonymous.post(reverse(name, args=[token]), data))


@FUZZ
@given(data=form_data(["recommendation", "note", "q0_rating", "q0_comment", "submit"]))
def test_the_feedback_form_never_fails(world, data, tenant):
    from scheduling import booking

    start = timezone.now() - dt.timedelta(hours=2)
    interview = (
        booking.book(
            world["app"],
            world["plan"],
            booking.Choice(
                (
                    booking.SessionChoice(
                        "Screen",
                        start,
                        start + dt.timedelta(hours=1),
                        ((str(world["ivy"].pk), "required", None),),
                    ),
                )
            ),
            override_reason="fuzz",
        )
        if not world.get("interview")
        else world["interview"]
    )
    world["interview"] = interview
    feedback, _ = FeedbackRequest.objects.get_or_create(
        tenant=tenant,
        interview=interview,
        session=interview.sessions.get(),
        interviewer=world["ivy"],
        defaults={
            "questions": ["Problem solving"],
            "requested_at": timezone.now(),
            "due_at": timezone.now(),
            "expires_at": timezone.now() + dt.timedelta(days=3),
        },
    )
    anonymous = Client()
    token = feedback_token(feedback)
    ok(anonymous.post(reverse("feedback_link_draft", args=[token]), data))
    ok(anonymous.post(reverse("feedback_link", args=[token]), data))
