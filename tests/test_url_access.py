"""Every URL Convene serves, asked for by the wrong people: anonymous visitors are sent to
sign in, members of another team get a 404 for this team's objects, and made-up ids are a
404 — never a 500, never another team's data. Public pages (sign-in, webhooks, candidates'
and interviewers' links) are checked for what they are: reachable, and plain about bad
tokens. A test fails when a URL is added without saying which kind it is."""

import datetime as dt
import uuid

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from candidates.models import AvailabilityRequest, BookingLink, StageEntry
from scheduling import booking
from scheduling.models import (
    Connection,
    FeedbackRequest,
    InterviewPlan,
    Membership,
    NoShow,
    Operation,
    Trainee,
    TrainingProgram,
)
from tests import factories as f
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

# Reached without signing in, each with its own checks below.
PUBLIC = {
    "login",
    "logout",
    "healthz",
    "favicon",
    "unified_webhook",
    "booking_page",
    "booking_confirm",
    "booking_reschedule",
    "booking_cancel",
    "booking_ics",
    "availability_page",
    "feedback_link",
    "feedback_link_draft",
    "feedback_link_no_show",
}
# Member pages without an object in the URL (or only a category/integration name).
NO_OBJECT = {
    "pipeline": {},
    "autopilot_feed": {},
    "links_send": {},
    "availability_ask": {},
    "home": {},
    "switch_tenant": {},
    "profile": {},
    "my_interviews": {},
    "team_settings": {},
    "connection_list": {},
    "connection_new": {"category": "ats"},
    "connection_start": {"category": "ats", "integration_type": "greenhouse"},
    "connection_callback": {},
    "plan_list": {},
    "plan_new": {},
    "plan_starter": {},
    "problems": {},
    "outbox": {},
    "interviewer_list": {},
    "feedback_settings": {},
    "training_programs": {},
    "training_program_new": {},
    "my_feedback": {},
    "my_training": {},
    "reports": {},
    "reports_csv": {"chart": "load"},
    "report_rows": {"kind": "booked"},
}


def url_names():
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if not str(pattern.pattern).startswith("admin"):
                    yield from walk(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def world(tenant):
    """One object of every kind a URL can name, all in `tenant`."""
    ats = f.connection(tenant)
    calendar = f.connection(tenant, Connection.Category.CALENDAR)
    ivy = f.interviewer(tenant, "Ivy Chen", user=make_member(tenant, "ivy@acme.example"))
    bo = f.interviewer(tenant, "Bo Kim")
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    start = timezone.now() + dt.timedelta(days=3)
    interview = booking.book(app, plan, f.one_session("Screen", start, [ivy], [bo]))
    session = interview.sessions.get()
    link = BookingLink.objects.create(
        tenant=tenant,
        application=app,
        plan=plan,
        sent_to="grace@x.example",
        window_start=start.date(),
        window_end=start.date(),
        expires_at=start,
    )
    feedback = FeedbackRequest.objects.create(
        tenant=tenant,
        interview=interview,
        session=session,
        interviewer=ivy,
        requested_at=timezone.now(),
        due_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    attendee = session.attendees.get(interviewer=bo)
    no_show = NoShow.objects.create(
        tenant=tenant, interview=interview, session=session, marked_at=timezone.now()
    )
    asked = AvailabilityRequest.objects.create(
        tenant=tenant, application=app, link=link, origin="recruiter"
    )
    entry = StageEntry.objects.create(
        tenant=tenant,
        application=app,
        plan=plan,
        entered_at=app.stage_entered_at,
        due_at=app.stage_entered_at,
        action=InterviewPlan.Autopilot.QUEUE,
        state=StageEntry.State.QUEUED,
    )
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    trainee = Trainee.objects.create(tenant=tenant, program=program, interviewer=bo)
    return {
        "autopilot_send": {"pk": entry.pk},
        "autopilot_pause": {"pk": plan.pk},
        "training_trainee": {"pk": trainee.pk},
        "training_progress": {"pk": program.pk},
        "training_approve": {"pk": program.pk, "trainee_pk": trainee.pk},
        "training_set_stage": {"pk": program.pk, "trainee_pk": trainee.pk},
        "training_program": {"pk": program.pk},
        "training_trainee_remove": {"pk": program.pk, "trainee_pk": trainee.pk},
        "availability_book": {"application_pk": app.pk, "pk": asked.pk},
        "candidate_detail": {"pk": app.candidate.pk},
        "candidate_zone": {"pk": app.candidate.pk},
        "schedule": {"pk": app.pk},
        "send_link_now": {"pk": app.pk},
        "reschedule": {"pk": interview.pk},
        "link_revoke": {"pk": link.pk},
        "link_resend": {"pk": link.pk},
        "connection_detail": {"pk": ats.pk},
        "connection_sync": {"pk": ats.pk},
        "connection_refresh_calendars": {"pk": calendar.pk},
        "connection_disconnect": {"pk": ats.pk},
        "connection_register_webhooks": {"pk": ats.pk},
        "connection_invitations": {"pk": calendar.pk},
        "connection_check_meetings": {"pk": calendar.pk},
        "plan_edit": {"pk": plan.pk},
        "plan_delete": {"pk": plan.pk},
        "interview_detail": {"pk": interview.pk},
        "interview_cancel": {"pk": interview.pk},
        "interview_keep": {"pk": interview.pk},
        "interview_fit": {"pk": interview.pk},
        "interview_no_show": {"pk": interview.pk, "session_pk": session.pk},
        "interview_no_show_clear": {"pk": interview.pk, "no_show_pk": no_show.pk},
        "interview_debrief": {"pk": interview.pk},
        "interview_swap": {"pk": interview.pk, "attendee_pk": attendee.pk},
        "my_cant_make": {"attendee_pk": attendee.pk},
        "my_cant_make_withdraw": {"attendee_pk": attendee.pk},
        "operation_retry": {"pk": Operation.objects.filter(interview=interview).first().pk},
        "interviewer_detail": {"pk": ivy.pk},
        "my_feedback_detail": {"pk": feedback.pk},
        "my_feedback_draft": {"pk": feedback.pk},
        "my_feedback_no_show": {"pk": feedback.pk},
        "feedback_nudge": {"pk": interview.pk, "feedback_pk": feedback.pk},
    }


def made_up(kwargs):
    return {k: (uuid.uuid4() if isinstance(v, uuid.UUID) else 999_999) for k, v in kwargs.items()}


def ask(client, name, kwargs):
    """GET, or POST when the view only takes POST; returns the response."""
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def test_every_url_is_classified(world):
    object_urls = set(world)
    unclassified = set(url_names()) - PUBLIC - set(NO_OBJECT) - object_urls
    assert not unclassified, f"say how these URLs are protected: {sorted(unclassified)}"


@pytest.mark.parametrize("name", sorted(NO_OBJECT))
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = ask(client, name, NO_OBJECT[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_anonymous_visitors_are_sent_to_sign_in_from_object_urls(client, world):
    for name, kwargs in world.items():
        response = ask(client, name, kwargs)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login") + "?next="), name


def test_members_of_another_team_get_404_for_this_teams_objects(client, world, other_tenant):
    outsider = make_member(other_tenant, "boss@globex.example", Membership.Role.ADMIN)
    client.force_login(outsider)
    for name, kwargs in world.items():
        response = ask(client, name, kwargs)
        assert response.status_code == 404, f"{name} answered {response.status_code}"


def test_made_up_ids_are_404_for_a_member(client, world, tenant):
    client.force_login(make_member(tenant, "ada@acme.example", Membership.Role.ADMIN))
    for name, kwargs in world.items():
        response = ask(client, name, made_up(kwargs))
        assert response.status_code == 404, f"{name} answered {response.status_code}"


@pytest.mark.parametrize("name", sorted(NO_OBJECT))
def test_member_pages_answer_without_error_for_another_teams_admin(
    client, name, world, other_tenant
):
    client.force_login(make_member(other_tenant, "boss@globex.example", Membership.Role.ADMIN))
    response = ask(client, name, NO_OBJECT[name])
    assert response.status_code < 500
    assert b"Grace Hopper" not in response.content


@pytest.mark.parametrize(
    "name",
    [
        "booking_page",
        "booking_confirm",
        "booking_reschedule",
        "booking_cancel",
        "booking_ics",
        "availability_page",
    ],
)
@pytest.mark.parametrize("token", ["nonsense", f"{uuid.uuid4()}.forged-signature", "a" * 300])
def test_bad_booking_tokens_get_a_plain_page(client, name, token):
    response = ask(client, name, {"token": token})
    assert response.status_code in (400, 404, 410)
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("name", ["feedback_link", "feedback_link_draft", "feedback_link_no_show"])
@pytest.mark.parametrize("token", ["nonsense", f"{uuid.uuid4()}.forged-signature"])
def test_bad_feedback_tokens_get_a_plain_page(client, name, token):
    response = ask(client, name, {"token": token})
    assert response.status_code in (400, 404, 410)
    assert b"Traceback" not in response.content


def test_public_basics(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert (
        client.post(reverse("unified_webhook"), b"{}", content_type="application/json").status_code
        == 400
    )
    assert client.get(reverse("unified_webhook")).status_code == 405
