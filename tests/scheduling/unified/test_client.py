"""UnifiedClient against `responses`: what each call sends, what it returns, and how it fails."""

import datetime as dt
import email.utils
import json
import logging
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
import responses
import time_machine
import urllib3

from scheduling.unified.client import POOL_SIZE, UnifiedClient
from scheduling.unified.errors import (
    AuthenticationError,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    RetryableError,
    UnifiedError,
)
from scheduling.unified.records import (
    Activity,
    Application,
    Attendee,
    Busy,
    Calendar,
    Candidate,
    Connection,
    Employee,
    Event,
    Integration,
    Interview,
    Job,
    Scorecard,
    ScorecardQuestion,
    Stage,
    Webhook,
)

BASE = "https://api.unified.to"
TOKEN = "tok_live_9c1f0b7e2d4a"
CID = "5de520f96e439b002043d8dc"  # an ATS connection
CAL = "65f1c2a9b3e4d5f6a7b8c9d0"  # a calendar connection
WORKSPACE = "5de520f96e439b002043d8aa"
UPDATED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
UPDATED_Q = "2024-01-01T00%3A00%3A00Z"
MON_9 = dt.datetime(2024, 6, 3, 9, tzinfo=dt.UTC)
MON_10 = dt.datetime(2024, 6, 3, 10, tzinfo=dt.UTC)

CANDIDATE = {
    "id": "cand_8f3a21",
    "name": "Ada Lovelace",
    "emails": [{"email": "ada@example.com", "type": "WORK"}],
    "updated_at": "2024-05-02T10:15:00Z",
}
APPLICATION = {
    "id": "app_19c2e0",
    "candidate_id": "cand_8f3a21",
    "job_id": "job_7b1d44",
    "status": "FIRST_INTERVIEW",
    "original_status": "Technical Interview",
}
JOB = {"id": "job_7b1d44", "name": "Staff Engineer", "status": "OPEN"}
STAGE = {"id": "st_3", "status": "FIRST_INTERVIEW", "original_status": "Tech screen"}
INTERVIEW = {
    "id": "int_55aa01",
    "application_id": "app_19c2e0",
    "candidate_id": "cand_8f3a21",
    "job_id": "job_7b1d44",
    "status": "SCHEDULED",
    "start_at": "2024-06-03T09:00:00Z",
    "end_at": "2024-06-03T10:00:00Z",
    "user_ids": ["emp_104"],
}
SCORECARD = {"id": "sc_9", "interview_id": "int_55aa01", "recommendation": "YES"}
ACTIVITY = {"id": "act_2", "type": "NOTE", "title": "Convene scheduled an interview"}
EMPLOYEE = {
    "id": "emp_104",
    "name": "Grace Hopper",
    "emails": [{"email": "grace@acme.example", "type": "WORK"}],
    "timezone": "America/New_York",
}
CALENDAR = {"id": "primary", "name": "Grace Hopper", "is_primary": True}
EVENT = {
    "id": "evt_0a1b2c",
    "calendar_id": "primary",
    "subject": "Interview: Ada Lovelace",
    "start_at": "2024-06-03T09:00:00Z",
    "end_at": "2024-06-03T10:00:00Z",
}
BUSY = {"start_at": "2024-06-03T13:00:00Z", "end_at": "2024-06-03T13:30:00Z"}
CONNECTION = {
    "id": CID,
    "integration_type": "greenhouse",
    "categories": ["ats"],
    "permissions": ["ats_interview_write"],
    "external_xref": "tenant-1",
}
INTEGRATION = {"type": "greenhouse", "name": "Greenhouse", "categories": ["ats"]}
WEBHOOK = {
    "id": "wh_31",
    "connection_id": CAL,
    "object_type": "calendar_event",
    "event": "updated",
    "hook_url": "https://convene.example.com/unified/webhook",
}

NEW_INTERVIEW = Interview(
    application_id="app_19c2e0",
    candidate_id="cand_8f3a21",
    job_id="job_7b1d44",
    status="SCHEDULED",
    start_at=MON_9,
    end_at=MON_10,
    user_ids=("emp_104",),
    location="Zoom",
)
NEW_INTERVIEW_BODY = {
    "application_id": "app_19c2e0",
    "candidate_id": "cand_8f3a21",
    "end_at": "2024-06-03T10:00:00Z",
    "job_id": "job_7b1d44",
    "location": "Zoom",
    "start_at": "2024-06-03T09:00:00Z",
    "status": "SCHEDULED",
    "user_ids": ["emp_104"],
}
NEW_EVENT = Event(
    calendar_id="primary",
    subject="Interview: Ada",
    notes="Panel",
    start_at=MON_9,
    end_at=MON_10,
    attendees=(Attendee(email="i@x.com", required=True),),
)
NEW_EVENT_BODY = {
    "attendees": [{"email": "i@x.com", "required": True}],
    "calendar_id": "primary",
    "end_at": "2024-06-03T10:00:00Z",
    "notes": "Panel",
    "start_at": "2024-06-03T09:00:00Z",
    "subject": "Interview: Ada",
}


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    # rng fixed at 0.5: each backoff is half its ceiling, so the waits are predictable.
    return UnifiedClient(BASE, TOKEN, sleep=sleeps.append, rng=lambda: 0.5)


def sent(call):
    """(method, path, query string, JSON body) of a recorded request."""
    url = urlsplit(call.request.url)
    body = json.loads(call.request.body) if call.request.body else None
    return call.request.method, url.path, url.query, body


def as_list(result):
    """Lists come back as lazy iterators; everything else as is."""
    return list(result) if isinstance(result, Iterator) else result


# (id, call, HTTP method, path, exact query string, JSON body sent, JSON answered, check)
CASES = [
    (
        "list_candidates",
        lambda c: c.list_candidates(
            CID,
            updated_gte=UPDATED,
            job_id="job_7b1d44",
            query="ada",
            sort="updated_at",
            order="asc",
            fields=["id", "emails"],
            limit=50,
        ),
        "GET",
        f"/ats/{CID}/candidate",
        "fields=id%2Cemails&job_id=job_7b1d44&limit=50&offset=0&order=asc&query=ada"
        f"&sort=updated_at&updated_gte={UPDATED_Q}",
        None,
        [CANDIDATE],
        lambda r: r == [Candidate.from_api(CANDIDATE)] and r[0].emails == ("ada@example.com",),
    ),
    (
        "get_candidate",
        lambda c: c.get_candidate(CID, "cand_8f3a21"),
        "GET",
        f"/ats/{CID}/candidate/cand_8f3a21",
        "",
        None,
        CANDIDATE,
        lambda r: isinstance(r, Candidate) and r.name == "Ada Lovelace",
    ),
    (
        "list_applications",
        lambda c: c.list_applications(
            CID,
            candidate_id="cand_8f3a21",
            job_id="job_7b1d44",
            status="FIRST_INTERVIEW",
            updated_gte=UPDATED,
            sort="created_at",
            order="desc",
            fields="id,status",
        ),
        "GET",
        f"/ats/{CID}/application",
        "candidate_id=cand_8f3a21&fields=id%2Cstatus&job_id=job_7b1d44&limit=100&offset=0"
        f"&order=desc&sort=created_at&status=FIRST_INTERVIEW&updated_gte={UPDATED_Q}",
        None,
        [APPLICATION],
        lambda r: r[0].original_status == "Technical Interview" and isinstance(r[0], Application),
    ),
    (
        "get_application",
        lambda c: c.get_application(CID, "app_19c2e0"),
        "GET",
        f"/ats/{CID}/application/app_19c2e0",
        "",
        None,
        APPLICATION,
        lambda r: isinstance(r, Application) and r.status == "FIRST_INTERVIEW",
    ),
    (
        "update_application",
        lambda c: c.update_application(CID, "app_19c2e0", Application(original_status="Onsite")),
        "PUT",
        f"/ats/{CID}/application/app_19c2e0",
        "",
        {"original_status": "Onsite"},
        {**APPLICATION, "original_status": "Onsite"},
        lambda r: isinstance(r, Application) and r.original_status == "Onsite",
    ),
    (
        "list_jobs",
        lambda c: c.list_jobs(
            CID, updated_gte=UPDATED, status="OPEN", sort="name", order="asc", fields="id,name"
        ),
        "GET",
        f"/ats/{CID}/job",
        f"fields=id%2Cname&limit=100&offset=0&order=asc&sort=name&status=OPEN"
        f"&updated_gte={UPDATED_Q}",
        None,
        [JOB],
        lambda r: r == [Job.from_api(JOB)] and r[0].name == "Staff Engineer",
    ),
    (
        "get_job",
        lambda c: c.get_job(CID, "job_7b1d44"),
        "GET",
        f"/ats/{CID}/job/job_7b1d44",
        "",
        None,
        JOB,
        lambda r: isinstance(r, Job) and r.status == "OPEN",
    ),
    (
        "list_stages",
        lambda c: c.list_stages(CID, job_id="job_7b1d44"),
        "GET",
        f"/ats/{CID}/applicationstatus",
        "job_id=job_7b1d44&limit=100&offset=0",
        None,
        [STAGE],
        lambda r: isinstance(r[0], Stage) and r[0].original_status == "Tech screen",
    ),
    (
        "list_interviews",
        lambda c: c.list_interviews(
            CID,
            application_id="app_19c2e0",
            candidate_id="cand_8f3a21",
            job_id="job_7b1d44",
            updated_gte=UPDATED,
            sort="updated_at",
            order="asc",
            fields="id",
            limit=25,
        ),
        "GET",
        f"/ats/{CID}/interview",
        "application_id=app_19c2e0&candidate_id=cand_8f3a21&fields=id&job_id=job_7b1d44"
        f"&limit=25&offset=0&order=asc&sort=updated_at&updated_gte={UPDATED_Q}",
        None,
        [INTERVIEW],
        lambda r: isinstance(r[0], Interview) and r[0].start_at == MON_9,
    ),
    (
        "get_interview",
        lambda c: c.get_interview(CID, "int_55aa01"),
        "GET",
        f"/ats/{CID}/interview/int_55aa01",
        "",
        None,
        INTERVIEW,
        lambda r: isinstance(r, Interview) and r.user_ids == ("emp_104",),
    ),
    (
        "create_interview",
        lambda c: c.create_interview(CID, NEW_INTERVIEW),
        "POST",
        f"/ats/{CID}/interview",
        "",
        NEW_INTERVIEW_BODY,
        INTERVIEW,
        lambda r: isinstance(r, Interview) and r.id == "int_55aa01",
    ),
    (
        "update_interview",
        lambda c: c.update_interview(
            CID, "int_55aa01", Interview(status="CANCELED", external_event_xref="evt_0a1b2c")
        ),
        "PUT",
        f"/ats/{CID}/interview/int_55aa01",
        "",
        {"external_event_xref": "evt_0a1b2c", "status": "CANCELED"},
        {**INTERVIEW, "status": "CANCELED"},
        lambda r: isinstance(r, Interview) and r.status == "CANCELED",
    ),
    (
        "remove_interview",
        lambda c: c.remove_interview(CID, "int_55aa01"),
        "DELETE",
        f"/ats/{CID}/interview/int_55aa01",
        "",
        None,
        None,
        lambda r: r is None,
    ),
    (
        "list_scorecards",
        lambda c: c.list_scorecards(
            CID,
            interview_id="int_55aa01",
            application_id="app_19c2e0",
            candidate_id="cand_8f3a21",
            job_id="job_7b1d44",
            updated_gte=UPDATED,
        ),
        "GET",
        f"/ats/{CID}/scorecard",
        "application_id=app_19c2e0&candidate_id=cand_8f3a21&interview_id=int_55aa01"
        f"&job_id=job_7b1d44&limit=100&offset=0&updated_gte={UPDATED_Q}",
        None,
        [SCORECARD],
        lambda r: isinstance(r[0], Scorecard) and r[0].recommendation == "YES",
    ),
    (
        "create_scorecard",
        lambda c: c.create_scorecard(
            CID,
            Scorecard(
                interview_id="int_55aa01",
                interviewer_id="emp_104",
                recommendation="STRONG_YES",
                questions=(ScorecardQuestion(text="Design", answer="Clear"),),
            ),
        ),
        "POST",
        f"/ats/{CID}/scorecard",
        "",
        {
            "interview_id": "int_55aa01",
            "interviewer_id": "emp_104",
            "questions": [{"text": "Design", "answer": "Clear"}],
            "recommendation": "STRONG_YES",
        },
        {**SCORECARD, "recommendation": "STRONG_YES"},
        lambda r: isinstance(r, Scorecard) and r.recommendation == "STRONG_YES",
    ),
    (
        "list_activities",
        lambda c: c.list_activities(
            CID, application_id="app_19c2e0", candidate_id="cand_8f3a21", interview_id="int_1"
        ),
        "GET",
        f"/ats/{CID}/activity",
        "application_id=app_19c2e0&candidate_id=cand_8f3a21&interview_id=int_1&limit=100&offset=0",
        None,
        [ACTIVITY],
        lambda r: isinstance(r[0], Activity) and r[0].type == "NOTE",
    ),
    (
        "create_activity",
        lambda c: c.create_activity(
            CID, Activity(type="NOTE", title="Scheduled", candidate_id="cand_8f3a21")
        ),
        "POST",
        f"/ats/{CID}/activity",
        "",
        {"candidate_id": "cand_8f3a21", "title": "Scheduled", "type": "NOTE"},
        ACTIVITY,
        lambda r: isinstance(r, Activity) and r.id == "act_2",
    ),
    (
        "list_employees",
        lambda c: c.list_employees(CID, updated_gte=UPDATED),
        "GET",
        f"/hris/{CID}/employee",
        f"limit=100&offset=0&updated_gte={UPDATED_Q}",
        None,
        [EMPLOYEE],
        lambda r: isinstance(r[0], Employee) and r[0].emails == ("grace@acme.example",),
    ),
    (
        "get_employee",
        lambda c: c.get_employee(CID, "emp_104"),
        "GET",
        f"/hris/{CID}/employee/emp_104",
        "",
        None,
        EMPLOYEE,
        lambda r: isinstance(r, Employee) and r.timezone == "America/New_York",
    ),
    (
        "list_calendars",
        lambda c: c.list_calendars(CAL),
        "GET",
        f"/calendar/{CAL}/calendar",
        "limit=100&offset=0",
        None,
        [CALENDAR],
        lambda r: isinstance(r[0], Calendar) and r[0].is_primary is True,
    ),
    (
        "get_calendar",
        lambda c: c.get_calendar(CAL, "primary"),
        "GET",
        f"/calendar/{CAL}/calendar/primary",
        "",
        None,
        CALENDAR,
        lambda r: isinstance(r, Calendar) and r.name == "Grace Hopper",
    ),
    (
        "list_events",
        lambda c: c.list_events(
            CAL,
            calendar_id="primary",
            start_gte=MON_9,
            end_lt=MON_10,
            updated_gte=UPDATED,
            expand=True,
        ),
        "GET",
        f"/calendar/{CAL}/event",
        "calendar_id=primary&end_lt=2024-06-03T10%3A00%3A00Z&expand=true&limit=100&offset=0"
        f"&start_gte=2024-06-03T09%3A00%3A00Z&updated_gte={UPDATED_Q}",
        None,
        [EVENT],
        lambda r: isinstance(r[0], Event) and r[0].subject == "Interview: Ada Lovelace",
    ),
    (
        "get_event",
        lambda c: c.get_event(CAL, "evt_0a1b2c"),
        "GET",
        f"/calendar/{CAL}/event/evt_0a1b2c",
        "",
        None,
        EVENT,
        lambda r: isinstance(r, Event) and r.end_at == MON_10,
    ),
    (
        "create_event",
        lambda c: c.create_event(CAL, NEW_EVENT),
        "POST",
        f"/calendar/{CAL}/event",
        "",
        NEW_EVENT_BODY,
        EVENT,
        lambda r: isinstance(r, Event) and r.id == "evt_0a1b2c",
    ),
    (
        "update_event",
        lambda c: c.update_event(CAL, "evt_0a1b2c", Event(status="CANCELED")),
        "PUT",
        f"/calendar/{CAL}/event/evt_0a1b2c",
        "",
        {"status": "CANCELED"},
        {**EVENT, "status": "CANCELED"},
        lambda r: isinstance(r, Event) and r.is_canceled,
    ),
    (
        "remove_event",
        lambda c: c.remove_event(CAL, "evt_0a1b2c"),
        "DELETE",
        f"/calendar/{CAL}/event/evt_0a1b2c",
        "",
        None,
        None,
        lambda r: r is None,
    ),
    (
        "list_busy",
        lambda c: c.list_busy(
            CAL, calendar_id="primary", start_gte=MON_9, end_lt=MON_10, user_id="emp_104"
        ),
        "GET",
        f"/calendar/{CAL}/busy",
        "calendar_id=primary&end_lt=2024-06-03T10%3A00%3A00Z&limit=100&offset=0"
        "&start_gte=2024-06-03T09%3A00%3A00Z&user_id=emp_104",
        None,
        [BUSY],
        lambda r: (
            r == [Busy.from_api(BUSY)]
            and r[0].start_at == dt.datetime(2024, 6, 3, 13, tzinfo=dt.UTC)
        ),
    ),
    (
        "get_connection",
        lambda c: c.get_connection(CID),
        "GET",
        f"/unified/connection/{CID}",
        "",
        None,
        CONNECTION,
        lambda r: isinstance(r, Connection) and r.categories == ("ats",),
    ),
    (
        "list_connections",
        lambda c: c.list_connections(external_xref="tenant-1", categories=["ats", "calendar"]),
        "GET",
        "/unified/connection",
        "categories=ats%2Ccalendar&external_xref=tenant-1&limit=100&offset=0",
        None,
        [CONNECTION],
        lambda r: isinstance(r[0], Connection) and r[0].integration_type == "greenhouse",
    ),
    (
        "remove_connection",
        lambda c: c.remove_connection(CID),
        "DELETE",
        f"/unified/connection/{CID}",
        "",
        None,
        None,
        lambda r: r is None,
    ),
    (
        "list_integrations",
        lambda c: c.list_integrations(WORKSPACE, categories=["ats", "calendar"]),
        "GET",
        f"/unified/integration/workspace/{WORKSPACE}",
        "categories=ats%2Ccalendar&summary=1",
        None,
        [INTEGRATION],
        lambda r: r == [Integration(type="greenhouse", name="Greenhouse", categories=("ats",))],
    ),
    (
        "list_webhooks",
        lambda c: c.list_webhooks(connection_id=CAL, object_type="calendar_event"),
        "GET",
        "/unified/webhook",
        f"connection_id={CAL}&limit=100&object=calendar_event&offset=0",
        None,
        [WEBHOOK],
        lambda r: isinstance(r[0], Webhook) and r[0].event == "updated",
    ),
    (
        "create_webhook",
        lambda c: c.create_webhook(
            Webhook(
                connection_id=CAL,
                object_type="calendar_event",
                event="updated",
                hook_url="https://convene.example.com/unified/webhook",
                filters={"calendar_id": "primary"},
            ),
            include_all=True,
        ),
        "POST",
        "/unified/webhook",
        "include_all=true",
        {
            "connection_id": CAL,
            "event": "updated",
            "filters": {"calendar_id": "primary"},
            "hook_url": "https://convene.example.com/unified/webhook",
            "object_type": "calendar_event",
        },
        WEBHOOK,
        lambda r: isinstance(r, Webhook) and r.id == "wh_31",
    ),
    (
        "remove_webhook",
        lambda c: c.remove_webhook("wh_31"),
        "DELETE",
        "/unified/webhook/wh_31",
        "",
        None,
        None,
        lambda r: r is None,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "answer", "check"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_method_sends_the_documented_request_and_returns_records(
    rsps, client, call, method, path, query, body, answer, check
):
    if answer is None:
        rsps.add(method, BASE + path, body="")
    else:
        rsps.add(method, BASE + path, json=answer)

    result = as_list(call(client))

    assert check(result)
    assert len(rsps.calls) == 1
    assert sent(rsps.calls[0]) == (method, path, query, body)
    headers = rsps.calls[0].request.headers
    assert headers["Accept"] == ("*/*" if method == "DELETE" else "application/json")
    if path.startswith("/unified/integration/"):
        assert "Authorization" not in headers  # opened from the browser, no token (§10)
    else:
        assert headers["Authorization"] == f"bearer {TOKEN}"
    if body is not None:
        assert headers["Content-Type"] == "application/json"


def test_the_public_surface_has_every_method_the_app_codes_against():
    assert {case[0] for case in CASES} <= set(dir(UnifiedClient))
    assert len(CASES) == 34


def test_ids_are_escaped_as_single_path_segments(rsps, client):
    rsps.add("GET", f"{BASE}/ats/{CID}/candidate/a%2Fb%20c", json=CANDIDATE)
    client.get_candidate(CID, "a/b c")
    assert rsps.calls[0].request.path_url == f"/ats/{CID}/candidate/a%2Fb%20c"


def test_naive_datetimes_are_refused_before_sending(client):
    with pytest.raises(ValueError, match="naive"):
        client.list_busy(
            CAL, calendar_id="primary", start_gte=dt.datetime(2024, 6, 3), end_lt=MON_10
        )


def test_configured_environment_is_sent_on_management_calls(rsps, client):
    client = client.with_options(env="Sandbox")
    rsps.add("GET", f"{BASE}/unified/connection", json=[])
    rsps.add("GET", f"{BASE}/unified/webhook", json=[])
    rsps.add("GET", f"{BASE}/unified/integration/workspace/{WORKSPACE}", json=[])
    rsps.add("POST", f"{BASE}/unified/webhook", json=WEBHOOK)

    list(client.list_connections())
    list(client.list_webhooks())
    client.list_integrations(WORKSPACE)
    client.create_webhook(
        Webhook(connection_id=CAL, object_type="calendar_event", event="updated")
    )

    assert [sent(c)[2] for c in rsps.calls[:3]] == [
        "env=Sandbox&limit=100&offset=0",
        "env=Sandbox&limit=100&offset=0",
        "env=Sandbox&summary=1",
    ]
    assert sent(rsps.calls[3])[3]["environment"] == "Sandbox"


def test_timeouts_are_sent_as_connect_and_read(rsps):
    client = UnifiedClient(BASE, TOKEN, connect_timeout=2.0, read_timeout=9.0)
    rsps.add("GET", f"{BASE}/ats/{CID}/job/job_1", json=JOB)
    client.get_job(CID, "job_1")
    assert rsps.calls[0].request.req_kwargs["timeout"] == (2.0, 9.0)


def test_from_settings_reads_django_settings(settings):
    settings.UNIFIED_BASE_URL = "https://api-eu.unified.to/"
    settings.UNIFIED_API_TOKEN = TOKEN
    settings.UNIFIED_CONNECT_TIMEOUT = 3.0
    settings.UNIFIED_READ_TIMEOUT = 12.0
    settings.UNIFIED_ENV = "Production"

    client = UnifiedClient.from_settings(max_retries=1)

    assert client.base_url == "https://api-eu.unified.to"
    assert client.token == TOKEN
    assert (client.connect_timeout, client.read_timeout) == (3.0, 12.0)
    assert client.env == "Production"
    assert client.max_retries == 1
    assert TOKEN not in repr(client)


def test_with_options_returns_a_copy_sharing_the_session(client):
    quick = client.with_options(max_retries=1, read_timeout=5.0)
    assert quick.session is client.session
    assert (quick.max_retries, quick.read_timeout) == (1, 5.0)
    assert (client.max_retries, client.read_timeout) == (4, 30.0)
    with pytest.raises(TypeError, match="sesion"):
        client.with_options(sesion=None)


def test_session_pools_a_connection_per_worker_thread():
    adapter = UnifiedClient(BASE, TOKEN).session.get_adapter(BASE)
    assert adapter._pool_maxsize == POOL_SIZE == 16
    assert adapter.max_retries.total == 0


def test_concurrent_busy_lookups_from_a_thread_pool(rsps, client):
    for n in range(POOL_SIZE):
        rsps.add(
            "GET",
            f"{BASE}/calendar/{CAL}/busy",
            json=[{**BUSY, "description": f"block {n}"}],
        )

    def lookup(_):
        return client.list_busy(CAL, calendar_id="primary", start_gte=MON_9, end_lt=MON_10)

    with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
        results = list(pool.map(lookup, range(POOL_SIZE)))

    assert sorted(r[0].description for r in results) == sorted(
        f"block {n}" for n in range(POOL_SIZE)
    )


# --- pagination -----------------------------------------------------------------------------


def page(n, start=0):
    return [{**CANDIDATE, "id": f"cand_{i:04d}"} for i in range(start, start + n)]


def test_pages_are_fetched_lazily_one_after_another(rsps, client):
    url = f"{BASE}/ats/{CID}/candidate"
    rsps.add("GET", url, json=page(2, 0))
    rsps.add("GET", url, json=page(2, 2))
    rsps.add("GET", url, json=page(1, 4))

    candidates = client.list_candidates(CID, limit=2)
    assert len(rsps.calls) == 0  # nothing is sent until the first record is asked for

    assert next(candidates).id == "cand_0000"
    assert next(candidates).id == "cand_0001"
    assert len(rsps.calls) == 1
    assert next(candidates).id == "cand_0002"
    assert len(rsps.calls) == 2
    assert [c.id for c in candidates] == ["cand_0003", "cand_0004"]
    assert [sent(c)[2] for c in rsps.calls] == [
        "limit=2&offset=0",
        "limit=2&offset=2",
        "limit=2&offset=4",
    ]


def test_a_full_last_page_is_followed_by_an_empty_one(rsps, client):
    url = f"{BASE}/ats/{CID}/candidate"
    rsps.add("GET", url, json=page(2, 0))
    rsps.add("GET", url, json=[])
    assert len(list(client.list_candidates(CID, limit=2))) == 2
    assert len(rsps.calls) == 2


def test_busy_blocks_are_collected_across_all_pages(rsps, client):
    url = f"{BASE}/calendar/{CAL}/busy"
    rsps.add("GET", url, json=[BUSY] * 100)
    rsps.add("GET", url, json=[BUSY] * 7)
    busy = client.list_busy(CAL, calendar_id="primary", start_gte=MON_9, end_lt=MON_10)
    assert isinstance(busy, list)
    assert len(busy) == 107
    assert "offset=100" in sent(rsps.calls[1])[2]


def test_a_page_size_unified_would_cap_is_refused_at_once(client):
    with pytest.raises(ValueError, match="limit"):
        client.list_jobs(CID, limit=500)


def test_a_list_answered_with_an_object_is_a_permanent_error(rsps, client):
    rsps.add("GET", f"{BASE}/ats/{CID}/job", json={"data": [JOB]})
    with pytest.raises(PermanentError, match="JSON array"):
        list(client.list_jobs(CID))


# --- retries --------------------------------------------------------------------------------


def test_429_waits_for_retry_after_seconds_then_succeeds(rsps, client, sleeps):
    url = f"{BASE}/ats/{CID}/job/job_1"
    rsps.add("GET", url, status=429, json={"message": "slow down"}, headers={"Retry-After": "3"})
    rsps.add("GET", url, json=JOB)

    assert client.get_job(CID, "job_1").name == "Staff Engineer"
    assert sleeps == [3.0]


def test_retry_after_as_an_http_date_is_honoured(rsps, client, sleeps):
    now = dt.datetime(2024, 6, 3, 9, 0, 0, tzinfo=dt.UTC)
    url = f"{BASE}/ats/{CID}/job/job_1"
    retry_at = email.utils.format_datetime(now + dt.timedelta(seconds=7), usegmt=True)
    rsps.add("GET", url, status=503, headers={"Retry-After": retry_at})
    rsps.add("GET", url, json=JOB)

    with time_machine.travel(now, tick=False):
        client.get_job(CID, "job_1")

    assert sleeps == [7.0]


def test_a_retry_after_beyond_the_cap_is_left_to_the_caller(rsps, client, sleeps):
    url = f"{BASE}/ats/{CID}/job/job_1"
    rsps.add("GET", url, status=429, headers={"Retry-After": "120"})

    with pytest.raises(RetryableError) as caught:
        client.get_job(CID, "job_1")

    assert caught.value.retry_after == 120.0
    assert sleeps == []
    assert len(rsps.calls) == 1


def test_5xx_is_retried_with_exponential_backoff_and_full_jitter(rsps, client, sleeps):
    url = f"{BASE}/ats/{CID}/job/job_1"
    rsps.add("GET", url, status=500)
    rsps.add("GET", url, status=502)
    rsps.add("GET", url, status=504)
    rsps.add("GET", url, json=JOB)

    client.get_job(CID, "job_1")

    # ceilings 0.5, 1, 2 seconds; rng() = 0.5 takes half of each
    assert sleeps == [0.25, 0.5, 1.0]


def test_gives_up_after_max_retries_with_a_retryable_error(rsps, client, sleeps):
    url = f"{BASE}/ats/{CID}/job/job_1"
    for _ in range(4):
        rsps.add("GET", url, status=503, json={"message": "vendor down"})
    rsps.add("GET", url, status=429, json={"message": "rate"}, headers={"Retry-After": "2"})

    with pytest.raises(RetryableError) as caught:
        client.get_job(CID, "job_1")

    assert len(rsps.calls) == 5  # the first try and max_retries=4 retries
    assert sleeps == [0.25, 0.5, 1.0, 2.0]
    assert caught.value.status == 429
    assert caught.value.retry_after == 2.0
    assert caught.value.retryable


def test_backoff_is_capped(rsps, sleeps):
    client = UnifiedClient(BASE, TOKEN, backoff_cap=1.5, sleep=sleeps.append, rng=lambda: 1.0)
    url = f"{BASE}/ats/{CID}/job/job_1"
    for _ in range(5):
        rsps.add("GET", url, status=500)
    with pytest.raises(RetryableError):
        client.get_job(CID, "job_1")
    assert sleeps == [0.5, 1.0, 1.5, 1.5]


def test_fewer_retries_for_a_page_render(rsps, client, sleeps):
    rsps.add("GET", f"{BASE}/ats/{CID}/job/job_1", status=500)
    with pytest.raises(RetryableError):
        client.with_options(max_retries=0).get_job(CID, "job_1")
    assert len(rsps.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "failure",
    [requests.ReadTimeout("read timed out"), requests.ConnectionError("reset by peer")],
    ids=["read-timeout", "connection-error"],
)
def test_timeouts_and_connection_errors_are_retried_on_get(rsps, client, sleeps, failure):
    url = f"{BASE}/calendar/{CAL}/event/evt_1"
    rsps.add("GET", url, body=failure)
    rsps.add("GET", url, json=EVENT)
    assert client.get_event(CAL, "evt_1").id == "evt_0a1b2c"
    assert len(sleeps) == 1


def test_put_and_delete_are_retried_on_5xx(rsps, client):
    url = f"{BASE}/calendar/{CAL}/event/evt_1"
    rsps.add("PUT", url, status=502)
    rsps.add("PUT", url, json=EVENT)
    rsps.add("DELETE", url, status=503)
    rsps.add("DELETE", url, body="")
    client.update_event(CAL, "evt_1", Event(subject="Moved"))
    client.remove_event(CAL, "evt_1")
    assert [c.request.method for c in rsps.calls] == ["PUT", "PUT", "DELETE", "DELETE"]


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"message": "vendor error"}},
        {"body": requests.ReadTimeout("read timed out")},
        {"body": requests.ConnectionError(urllib3.exceptions.ProtocolError("aborted"))},
    ],
    ids=["500", "read-timeout", "dropped-after-sending"],
)
def test_a_create_is_not_retried_when_it_may_have_happened(rsps, client, sleeps, failure):
    rsps.add("POST", f"{BASE}/calendar/{CAL}/event", **failure)

    with pytest.raises(RetryableError, match="create may have happened"):
        client.create_event(CAL, NEW_EVENT)

    assert len(rsps.calls) == 1
    assert sleeps == []


def test_a_create_is_retried_on_429(rsps, client, sleeps):
    url = f"{BASE}/ats/{CID}/interview"
    rsps.add("POST", url, status=429, headers={"Retry-After": "1"})
    rsps.add("POST", url, json=INTERVIEW)
    assert client.create_interview(CID, NEW_INTERVIEW).id == "int_55aa01"
    assert sleeps == [1.0]
    assert [sent(c)[3] for c in rsps.calls] == [NEW_INTERVIEW_BODY, NEW_INTERVIEW_BODY]


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectTimeout("connect timed out"),
        requests.ConnectionError(
            urllib3.exceptions.MaxRetryError(
                None, "/", reason=urllib3.exceptions.NewConnectionError(None, "refused")
            )
        ),
    ],
    ids=["connect-timeout", "refused"],
)
def test_a_create_is_retried_when_nothing_was_sent(rsps, client, failure):
    url = f"{BASE}/ats/{CID}/interview"
    rsps.add("POST", url, body=failure)
    rsps.add("POST", url, json=INTERVIEW)
    assert client.create_interview(CID, NEW_INTERVIEW).id == "int_55aa01"
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 422, 501])
def test_4xx_and_501_are_never_retried(rsps, client, sleeps, status):
    rsps.add("GET", f"{BASE}/ats/{CID}/job/job_1", status=status, json={"message": "no"})
    with pytest.raises(UnifiedError) as caught:
        client.get_job(CID, "job_1")
    assert not caught.value.retryable
    assert len(rsps.calls) == 1
    assert sleeps == []


# --- error mapping --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_name_the_connection(rsps, client, status):
    rsps.add("GET", f"{BASE}/calendar/{CAL}/busy", status=status, json={"message": "revoked"})
    with pytest.raises(AuthenticationError) as caught:
        client.list_busy(CAL, calendar_id="primary", start_gte=MON_9, end_lt=MON_10)
    assert caught.value.connection_id == CAL
    assert CAL in str(caught.value)
    assert "revoked" in str(caught.value)
    assert caught.value.status == status


def test_auth_failure_on_a_management_call_blames_the_token(rsps, client):
    rsps.add("GET", f"{BASE}/unified/connection/{CID}", status=401, json={"message": "bad"})
    with pytest.raises(AuthenticationError, match="workspace API token"):
        client.get_connection(CID)


def test_404_is_not_found(rsps, client):
    rsps.add("GET", f"{BASE}/ats/{CID}/interview/int_9", status=404, json={"message": "gone"})
    with pytest.raises(NotFoundError, match="gone") as caught:
        client.get_interview(CID, "int_9")
    assert (caught.value.method, caught.value.path) == ("GET", f"/ats/{CID}/interview/int_9")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (501, "Not Implemented"),
        (405, "Method not allowed"),
        (400, "Update of interviews is not supported by lever"),
        (400, "Feature NOT IMPLEMENTED for this integration"),
    ],
)
def test_unsupported_operations_are_told_apart(rsps, client, status, message):
    rsps.add("PUT", f"{BASE}/ats/{CID}/interview/int_1", status=status, json={"message": message})
    with pytest.raises(NotSupportedError):
        client.update_interview(CID, "int_1", Interview(status="CANCELED"))


def test_other_4xx_is_permanent_and_carries_unifieds_message(rsps, client):
    rsps.add(
        "POST", f"{BASE}/ats/{CID}/interview", status=400, json={"message": "start_at is required"}
    )
    with pytest.raises(PermanentError) as caught:
        client.create_interview(CID, Interview(application_id="app_1"))
    assert caught.value.message == "start_at is required"
    assert caught.value.status == 400
    assert type(caught.value) is PermanentError


def test_a_non_json_error_body_is_kept_as_truncated_text(rsps, client):
    rsps.add("GET", f"{BASE}/ats/{CID}/job/job_1", status=422, body="x" * 5000)
    with pytest.raises(PermanentError) as caught:
        client.get_job(CID, "job_1")
    assert caught.value.message == "x" * 500 + "…"


def test_redirects_are_not_followed(rsps, client):
    rsps.add("POST", f"{BASE}/ats/{CID}/interview", status=302, headers={"Location": "/elsewhere"})
    with pytest.raises(PermanentError):
        client.create_interview(CID, NEW_INTERVIEW)
    assert len(rsps.calls) == 1


def test_a_success_that_is_not_json_is_a_permanent_error(rsps, client):
    rsps.add("GET", f"{BASE}/ats/{CID}/job/job_1", body="<html>proxy</html>")
    with pytest.raises(PermanentError, match="not JSON"):
        client.get_job(CID, "job_1")


# --- logging --------------------------------------------------------------------------------


def test_every_attempt_is_logged_without_token_query_or_bodies(rsps, client, caplog):
    caplog.set_level(logging.DEBUG, logger="scheduling.unified")
    url = f"{BASE}/ats/{CID}/candidate"
    rsps.add("GET", url, status=503, json={"message": "busy"})
    rsps.add("GET", url, json=[CANDIDATE])
    rsps.add("POST", f"{BASE}/ats/{CID}/interview", status=401, json={"message": TOKEN})

    list(client.list_candidates(CID, query="ada@example.com"))
    with pytest.raises(AuthenticationError):
        client.create_interview(CID, NEW_INTERVIEW)

    messages = [r.getMessage() for r in caplog.records if r.name == "scheduling.unified"]
    assert len(messages) == 3
    assert messages[0].startswith(f"GET /ats/{CID}/candidate -> 503 in ")
    assert messages[0].endswith("(attempt 1)")
    assert messages[1].endswith("(attempt 2)")
    assert messages[2].startswith(f"POST /ats/{CID}/interview -> 401")
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    for text in (TOKEN, "ada@example.com", "Ada Lovelace", "emp_104"):
        assert text not in caplog.text


# --- real sockets: the exceptions requests raises in life, not hand-made ones ---------------


def test_a_refused_connection_is_retried_even_for_a_create(sleeps):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    client = UnifiedClient(f"http://127.0.0.1:{port}", TOKEN, sleep=sleeps.append, max_retries=2)

    with pytest.raises(RetryableError, match="ConnectionError") as caught:
        client.create_event(CAL, NEW_EVENT)

    assert len(sleeps) == 2
    assert "create may have happened" not in str(caught.value)


def test_a_create_that_timed_out_after_sending_is_not_retried(sleeps):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()  # the kernel accepts the connection; nobody ever answers
        port = server.getsockname()[1]
        client = UnifiedClient(
            f"http://127.0.0.1:{port}", TOKEN, read_timeout=0.2, sleep=sleeps.append
        )

        with pytest.raises(RetryableError, match=r"ReadTimeout.*create may have happened"):
            client.create_event(CAL, NEW_EVENT)

    assert sleeps == []
