"""Forms and query strings fuzzed with hypothesis: whatever a person (or a bot) types, every
form answers with a page or a clear error — never a 500."""

import contextlib
import datetime as dt
import os
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.links import token_for
from candidates.models import BookingLink
from scheduling.feedback import token_for as feedback_token
from scheduling.models import (
    FeedbackRequest,
    InterviewPlan,
    Membership,
    PlanSession,
    SessionAttendee,
)
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
        # The ends of the calendar: a week added, or a move to another zone, overflows.
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:30",
        "0001-01-01T00:00",
        "99991231T2359Z",
        "00010101T0000Z",
        "9999-12-31T23:59:59+14:00",
        "0001-01-01T00:00:00-14:00",
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
    "sessions-0-pool_k", "sessions-0-pool_program", "sessions-0-pool_trainee_required",
    "sessions-0-pool_name",
    "sessions-0-pool2_members", "sessions-0-pool2_k", "sessions-0-pool2_program",
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
            "from_0",
            "until_0",
            "from2_3",
            "until2_3",
            "keep_exceptions",
            "new_day_off",
            "new_day_off_until",
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


def booked(world, app, start, *, minutes=60):
    """An interview of `app` with Ivy, at `start` (past times need the override)."""
    from scheduling import booking, slots

    return booking.book(
        app,
        world["plan"],
        slots.Choice(
            (
                slots.SessionChoice(
                    "Screen",
                    start,
                    start + dt.timedelta(minutes=minutes),
                    ((str(world["ivy"].pk), "required", None),),
                ),
            )
        ),
        override_reason="fuzz",
    )


@contextlib.contextmanager
def fresh_rows():
    """Each example starts from the fixture's rows: what the previous one changed (a
    submitted feedback, a canceled interview) is rolled back, or every example after the
    first valid one would only reach the "already done" branch."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def ended(world, tenant):
    """A screen that ended an hour ago, Ivy's feedback on it still to give; Ivy is the
    signed-in admin, so "My feedback" lists it."""
    world["ivy"].user = Membership.objects.get(tenant=tenant, role="admin").user
    world["ivy"].save(update_fields=["user"])
    interview = booked(world, world["app"], timezone.now() - dt.timedelta(hours=2))
    return FeedbackRequest.objects.create(
        tenant=tenant,
        interview=interview,
        session=interview.sessions.get(),
        interviewer=world["ivy"],
        questions=["Problem solving"],
        requested_at=timezone.now(),
        due_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=3),
    )


@pytest.fixture
def upcoming(world, tenant):
    """Another candidate's screen the day after tomorrow (to cancel, move, or swap Ivy on)."""
    ats = world["app"].connection
    app = f.application(ats, f.candidate(ats, "Alan Turing", email="alan@x.example"))
    return booked(world, app, timezone.now() + dt.timedelta(days=2))


FEEDBACK_FIELDS = ["recommendation", "note", "q0_rating", "q0_comment", "submit"]


@FUZZ
@given(data=form_data(FEEDBACK_FIELDS))
def test_the_feedback_form_never_fails(ended, data):
    anonymous = Client()
    token = feedback_token(ended)
    with fresh_rows():
        assert FeedbackRequest.objects.get(pk=ended.pk).status == "requested"
        ok(anonymous.post(reverse("feedback_link_draft", args=[token]), data))
        ok(anonymous.post(reverse("feedback_link", args=[token]), data))


@FUZZ
@given(data=form_data(FEEDBACK_FIELDS))
def test_my_feedback_pages_never_fail(world, ended, data):
    client = world["client"]
    with fresh_rows():
        ok(client.get(reverse("my_feedback"), data))
        ok(client.post(reverse("my_feedback_draft", args=[ended.pk]), data))
        ok(client.post(reverse("my_feedback_detail", args=[ended.pk]), data))
        ok(client.get(reverse("my_feedback_detail", args=[ended.pk]), data))


@FUZZ
@given(data=form_data(["feedback_link_days", "feedback_reminder_hours"]))
def test_the_feedback_settings_never_fail(world, data):
    with fresh_rows():
        ok(world["client"].post(reverse("feedback_settings"), data))


@FUZZ
@given(data=form_data(["reason", "notify_candidate"]))
def test_the_cancel_form_never_fails(world, upcoming, data):
    with fresh_rows():
        ok(world["client"].post(reverse("interview_cancel", args=[upcoming.pk]), data))


@FUZZ
@given(data=form_data(["start", "week", "tz", "reason", "swap:1:2"]))
def test_the_reschedule_form_never_fails(world, upcoming, data, monkeypatch):
    from scheduling import slots

    monkeypatch.setattr(slots, "busy_blocks", lambda people, start, end: {})
    url = reverse("reschedule", args=[upcoming.pk])
    with fresh_rows():
        ok(world["client"].get(url, data))
        ok(world["client"].post(url, data))
        ok(world["client"].post(url, data, headers={"HX-Request": "true"}))


@FUZZ
@given(data=form_data(["replacement"]))
def test_the_swap_form_never_fails(world, upcoming, data):
    attendee = SessionAttendee.objects.get(session__interview=upcoming, active=True)
    url = reverse("interview_swap", args=[upcoming.pk, attendee.pk])
    with fresh_rows():
        ok(world["client"].post(url, data))


@FUZZ
@given(data=form_data(["tenant"]))
def test_switching_teams_never_fails(world, other_tenant, data):
    admin = Membership.objects.get(tenant=world["ivy"].tenant, role="admin").user
    Membership.objects.get_or_create(
        user=admin, tenant=other_tenant, defaults={"role": Membership.Role.RECRUITER}
    )
    with fresh_rows():
        ok(world["client"].post(reverse("switch_tenant"), data))
        ok(world["client"].get(reverse("home")))
