"""Every URL the resolver knows, asked for with made-up path and query values — dates from
year 1 to 9999, UUIDs real and invented, huge numbers, odd strings — by the people who
could ask: a member of the team, a member of another team, a stranger, and (for the Django
admin) Convene staff. Whatever comes, the answer is a page, a redirect or a 4xx: never a 500.
Beside tests/test_form_fuzzing.py, which fuzzes the forms' fields.

Unified is not called: busy times are empty and every other call fails at once as if Unified
were down, so the pages' "try again" paths are walked too. URL_FUZZ_EXAMPLES=200 for a
deeper run than CI's.
"""

import contextlib
import datetime as dt
import os
import re
import urllib.parse
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from candidates import links
from candidates.models import AvailabilityRequest, AvailabilityWindow, BookingLink, StageEntry
from scheduling import booking, feedback, gateway, slots
from scheduling.models import (
    Connection,
    FeedbackRequest,
    InterviewPlan,
    Membership,
    Operation,
    PlanSession,
    Tenant,
    Trainee,
    TrainingProgram,
)
from scheduling.unified.errors import RetryableError
from tests import factories as f
from tests.conftest import make_member
from tests.test_url_access import PUBLIC

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("URL_FUZZ_EXAMPLES", "12"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The admin's 170-odd routes share one test, drawn among them.
ADMIN_FUZZ = hypothesis_settings(FUZZ, max_examples=EXAMPLES * 10)

# --- the routes -------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def routes():
    """(name, route) of every URL pattern: `route` with `<converter:name>` placeholders, or
    a regular expression for the admin's few regex patterns."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(p for p in (namespace, pattern.namespace) if p)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join(p for p in (namespace, pattern.name or "(unnamed)") if p)
                yield name, prefix + str(pattern.pattern)

    return sorted(walk(get_resolver().url_patterns, "", ""))


ROUTES = routes()
SITE = [(name, route) for name, route in ROUTES if not name.startswith("admin:")]
ADMIN = [(name, route) for name, route in ROUTES if name.startswith("admin:")]


# --- the values -------------------------------------------------------------------------------


def compact(moment):
    """A booking link's `start` (`20261203T1400Z`), for any year (strftime pads none)."""
    return f"{moment.year:04d}{moment:%m%dT%H%M}Z"


DATES = st.dates().map(dt.date.isoformat)  # 0001-01-01 … 9999-12-31
MOMENTS = st.datetimes(timezones=st.sampled_from([dt.UTC, None])).map(dt.datetime.isoformat)
STARTS = st.datetimes().map(compact)
NUMBERS = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(["0", "-1", "9" * 400, "1e309", "NaN", "Infinity", "0x10", "1_000"]),
)
ODD = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "%",
            "%%",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "é" * 300,
            "🙂",
            "Europe/Nowhere",
            "Pacific/Kiritimati",
            "Etc/GMT+12",
            "2026-02-30",
            "9999-W52-7",
            "javascript:alert(1)",
        ]
    ),
)
UUIDS = st.uuids().map(str)
# What each query parameter is also tried with, every one at once, on every URL (the sweep
# below): the ends of the calendar in every form the views parse, and ids that are none.
EXTREMES = [
    "9999-12-31",
    "0001-01-01",
    "99991231T2359Z",
    "00010101T0000Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00",
    "not-a-uuid",
    "9" * 40,
    "-1",
    "",
    "\x00",
]
PARAMS = [
    "week", "start", "tz", "replaces", "for", "q", "page", "sort", "state", "job", "stage",
    "recruiter", "done", "application", "id", "error", "next", "action", "version", "o", "p",
    "e", "all", "_changelist_filters", "_to_field", "_popup", "term", "app_label",
    "model_name", "field_name", "status", "kind",
]  # fmt: skip


def values(known):
    return st.one_of(
        st.sampled_from(EXTREMES),
        DATES,
        MOMENTS,
        STARTS,
        NUMBERS,
        ODD,
        UUIDS,
        st.sampled_from(known),
    )


def queries(known):
    value = values(known)
    return st.dictionaries(
        st.one_of(st.sampled_from(PARAMS), st.text(min_size=1, max_size=12)),
        st.one_of(value, st.lists(value, max_size=3)),
        max_size=8,
    )


def path_value(converter, name, world):
    """A value the converter accepts: one of the world's own (so the view goes deep), or
    an invented one."""
    if converter == "uuid":
        return st.one_of(st.sampled_from(world["uuids"]), UUIDS)
    if converter == "int":
        return st.one_of(st.sampled_from(world["ints"]), st.integers(0, 10**40).map(str))
    if name == "token":
        return st.one_of(st.sampled_from(world["tokens"]), st.text(min_size=1, max_size=300))
    if name == "category":
        return st.one_of(st.sampled_from(["ats", "calendar"]), st.text(min_size=1))
    if name == "integration_type":
        return st.one_of(st.sampled_from(["greenhouse", "googlecalendar"]), st.text(min_size=1))
    if converter == "path":
        return st.one_of(
            st.sampled_from(world["uuids"] + world["ints"]), st.text(min_size=1, max_size=60)
        )
    return st.text(min_size=1, max_size=60)


def fill(route, values):
    """`route` with its placeholders replaced by `values` (name → text), quoted."""

    def one(match):
        converter, name = match.group("converter") or "str", match.group("name")
        quoted = urllib.parse.quote(str(values[name]), safe="/" if converter == "path" else "")
        if converter != "path" and not quoted.strip("."):
            quoted = "x"  # "." and ".." are resolved away by the client, not sent
        return quoted

    return "/" + PLACEHOLDER.sub(one, route)


@st.composite
def urls(draw, name, route, world):
    """A path for `route`: often with the world's own objects (so the view goes deep),
    else with every placeholder filled with made-up values."""
    real = world["kwargs"].get(name)
    if real is not None and draw(st.booleans(), label="real objects"):
        return fill(route, real)
    if route.startswith("admin/^"):  # the admin's index of one app
        label = draw(st.sampled_from(["scheduling", "candidates", "axes", "auth", "nothing"]))
        return f"/admin/{label}/"
    if route.endswith("(?P<url>.*)$"):  # the admin's catch-all
        return "/admin/" + urllib.parse.quote(draw(st.text(max_size=40)), safe="/")

    made_up = {
        m.group("name"): draw(path_value(m.group("converter") or "str", m.group("name"), world))
        for m in PLACEHOLDER.finditer(route)
    }
    return fill(route, made_up)


# --- the world --------------------------------------------------------------------------------


class DownUnified:
    """Unified as when it is down: every call fails at once (no network, no retry waits)."""

    def __getattr__(self, name):
        def call(*args, **kwargs):
            raise RetryableError("Unified is down in this test", status=503)

        return call


@pytest.fixture
def world(settings, monkeypatch, django_user_model):
    # Four people sign in for every route: a fast hasher keeps the set-up quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tenant = Tenant.objects.create(
        name="Acme Robotics", slug="acme", default_timezone="America/New_York"
    )
    other_tenant = Tenant.objects.create(name="Globex Labs", slug="globex")
    monkeypatch.setattr(slots, "busy_blocks", lambda people, start, end: {})
    monkeypatch.setattr(gateway, "_client", lambda configuration: DownUnified())
    ats = f.connection(tenant)
    calendar = f.connection(tenant, Connection.Category.CALENDAR)
    member = make_member(tenant, "ivy@acme.example", Membership.Role.ADMIN, first_name="Ivy")
    ivy = f.interviewer(tenant, "Ivy Chen", user=member, calendar_connection=calendar)
    bo = f.interviewer(tenant, "Bo Kim")
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    PlanSession.objects.create(plan=plan, title_template="Screen").required.add(ivy)
    start = f.working_day(days_ahead=3)
    interview = booking.book(app, plan, f.one_session("Screen", start, [ivy], [bo]))
    session = interview.sessions.get()
    link = BookingLink.objects.create(
        tenant=tenant,
        application=app,
        plan=plan,
        sent_to="grace@x.example",
        window_start=start.date() - dt.timedelta(days=1),
        window_end=start.date() + dt.timedelta(days=7),
        expires_at=start + dt.timedelta(days=7),
    )
    request = FeedbackRequest.objects.create(
        tenant=tenant,
        interview=interview,
        session=session,
        interviewer=ivy,
        questions=["Problem solving"],
        requested_at=timezone.now(),
        due_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    operation = Operation.objects.filter(interview=interview).first()
    staff = django_user_model.objects.create_superuser(
        "staff@convene.example", "staff@convene.example", "a-Long-staff-passw0rd"
    )
    clients = {"anonymous": Client()}
    for role, user in (
        ("member", member),
        ("outsider", make_member(other_tenant, "otto@globex.example", Membership.Role.ADMIN)),
        ("staff", staff),
    ):
        clients[role] = Client()
        clients[role].force_login(user)
    asked = AvailabilityRequest.objects.create(
        tenant=tenant,
        application=app,
        link=link,
        origin="recruiter",
        zone_name="Australia/Sydney",
        submitted_at=timezone.now(),
    )
    AvailabilityWindow.objects.create(
        request=asked,
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        zone_name="Australia/Sydney",
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
    token, feedback_token = links.token_for(link), feedback.token_for(request)
    attendee = session.attendees.get(interviewer=bo)
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    trainee = Trainee.objects.create(tenant=tenant, program=program, interviewer=bo)
    kwargs = {
        "training_trainee": {"pk": trainee.pk},
        "training_progress": {"pk": program.pk},
        "training_approve": {"pk": program.pk, "trainee_pk": trainee.pk},
        "training_set_stage": {"pk": program.pk, "trainee_pk": trainee.pk},
        "training_program": {"pk": program.pk},
        "training_trainee_remove": {"pk": program.pk, "trainee_pk": trainee.pk},
        "candidate_detail": {"pk": app.candidate.pk},
        "candidate_zone": {"pk": app.candidate.pk},
        "reports_csv": {"chart": "load"},
        "report_rows": {"kind": "seats"},
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
        "connection_new": {"category": "ats"},
        "connection_start": {"category": "ats", "integration_type": "greenhouse"},
        "plan_edit": {"pk": plan.pk},
        "plan_delete": {"pk": plan.pk},
        "autopilot_pause": {"pk": plan.pk},
        "autopilot_send": {"pk": entry.pk},
        "interview_detail": {"pk": interview.pk},
        "interview_cancel": {"pk": interview.pk},
        "interview_keep": {"pk": interview.pk},
        "interview_fit": {"pk": interview.pk},
        "interview_debrief": {"pk": interview.pk},
        "interview_swap": {"pk": interview.pk, "attendee_pk": attendee.pk},
        "my_cant_make": {"attendee_pk": attendee.pk},
        "my_cant_make_withdraw": {"attendee_pk": attendee.pk},
        "interview_no_show": {"pk": interview.pk, "session_pk": session.pk},
        "interview_no_show_clear": {"pk": interview.pk, "no_show_pk": 1},
        "operation_retry": {"pk": operation.pk},
        "interviewer_detail": {"pk": ivy.pk},
        "my_feedback_detail": {"pk": request.pk},
        "my_feedback_draft": {"pk": request.pk},
        "my_feedback_no_show": {"pk": request.pk},
        "feedback_nudge": {"pk": interview.pk, "feedback_pk": request.pk},
        **{f"booking_{n}": {"token": token} for n in ("page", "confirm", "reschedule", "cancel")},
        "booking_ics": {"token": token},
        "availability_page": {"token": token},
        "availability_book": {"application_pk": app.pk, "pk": asked.pk},
        "feedback_link": {"token": feedback_token},
        "feedback_link_draft": {"token": feedback_token},
        "feedback_link_no_show": {"token": feedback_token},
        "admin:scheduling_interview_change": {"object_id": interview.pk},
        "admin:candidates_bookinglink_change": {"object_id": link.pk},
        "admin:scheduling_user_change": {"object_id": staff.pk},
    }
    return {
        "kwargs": kwargs,
        "clients": clients,
        "uuids": [
            str(x)
            for x in (
                app.pk,
                app.candidate.pk,
                interview.pk,
                plan.pk,
                link.pk,
                ats.pk,
                calendar.pk,
                ivy.pk,
                request.pk,
                program.pk,
                trainee.pk,
                operation.pk,
                program.pk,
                trainee.pk,
            )
        ],
        "ints": [str(a.pk) for a in session.attendees.all()] + [str(staff.pk)],
        "tokens": [token, feedback_token, token[:-1], f"{uuid.uuid4()}.forged"],
    }


@contextlib.contextmanager
def undone():
    """What a request changed (a cancel, a revoke) is rolled back after each example."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def ask(client, path, query):
    """GET the URL (POST when only POST is allowed, with the values as its form too)."""
    response = client.get(path, query)
    if response.status_code == 405:
        response = client.post(f"{path}?{urllib.parse.urlencode(query, doseq=True)}", query)
    return response


def no_500(client, path, query):
    with undone():
        response = ask(client, path, query)
    assert response.status_code < 500, (path, query, response.status_code)


# --- the tests --------------------------------------------------------------------------------


def test_the_fuzzer_knows_every_url():
    names = {name for name, _route in SITE}
    assert {"booking_confirm", "schedule", "feedback_link", "unified_webhook"} <= names
    assert len(ADMIN) > 50


# The sweep's routes: every one of the site's, and the admin's lists and pages that name no
# object (their search and filters read the query).
SWEPT = SITE + [(n, r) for n, r in ADMIN if "<" not in r and "(?P" not in r]


def askers(name):
    if name.startswith("admin:"):
        return ["staff", "anonymous"]
    return ["anonymous", "member"] if name in PUBLIC else ["member", "outsider", "anonymous"]


@pytest.mark.parametrize(("name", "route"), SWEPT, ids=[name for name, _route in SWEPT])
def test_no_url_answers_500_to_the_ends_of_the_calendar_in_any_parameter(world, name, route):
    """The sweep: every URL, with the world's own objects, each extreme value given to every
    parameter at once, by everyone who could ask."""
    path = fill(route, world["kwargs"].get(name, {}))
    for value in EXTREMES:
        for who in askers(name):
            no_500(world["clients"][who], path, dict.fromkeys(PARAMS, value))


@pytest.mark.parametrize(("name", "route"), SITE, ids=[name for name, _route in SITE])
@FUZZ
@given(data=st.data())
def test_no_url_answers_500_whatever_its_path_and_query(world, name, route, data):
    client = world["clients"][data.draw(st.sampled_from(askers(name)), label="who")]
    path = data.draw(urls(name, route, world), label="path")
    query = data.draw(queries(world["uuids"]), label="query")
    no_500(client, path, query)


@ADMIN_FUZZ
@given(data=st.data())
def test_no_admin_url_answers_500_whatever_its_path_and_query(world, data):
    name, route = data.draw(st.sampled_from(ADMIN), label="route")
    client = world["clients"][data.draw(st.sampled_from(["staff", "member", "anonymous"]))]
    path = data.draw(urls(name, route, world), label="path")
    query = data.draw(queries(world["uuids"]), label="query")
    no_500(client, path, query)
