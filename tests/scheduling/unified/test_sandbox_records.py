"""Everything the sandbox emits is what Unified's SDK accepts (docs/unified.md §12) and parses
with Convene's records: required nested keys present, documented types, parseable dates."""

import datetime as dt

import pytest

from scheduling.unified import records
from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox

ATS = (seed.ACME_ATS_CONNECTION_ID, seed.GLOBEX_ATS_CONNECTION_ID)
CALENDARS = (seed.ACME_CALENDAR_CONNECTION_ID, seed.GLOBEX_CALENDAR_CONNECTION_ID)

# object path → (record class, date-time fields the SDK parses, {list field: required key})
SHAPES = {
    "ats/candidate": (
        records.Candidate,
        ("created_at", "updated_at", "date_of_birth"),
        {"emails": "email", "telephones": "telephone"},
    ),
    "ats/application": (
        records.Application,
        ("applied_at", "hired_at", "rejected_at", "created_at", "updated_at"),
        {"answers": "question_id"},
    ),
    "ats/applicationstatus": (records.Stage, (), {}),
    "ats/job": (
        records.Job,
        ("created_at", "updated_at", "closed_at"),
        {"questions": "question", "addresses": None, "groups": None},
    ),
    "ats/interview": (records.Interview, ("start_at", "end_at", "created_at", "updated_at"), {}),
    "ats/scorecard": (records.Scorecard, ("created_at", "updated_at"), {"questions": "text"}),
    "ats/activity": (
        records.Activity,
        ("created_at", "updated_at"),
        {"to": "email", "cc": "email", "bcc": "email"},
    ),
    "hris/employee": (
        records.Employee,
        ("created_at", "updated_at", "hired_at", "terminated_at"),
        {"emails": "email", "telephones": "telephone", "groups": None},
    ),
    "calendar/calendar": (records.Calendar, ("created_at", "updated_at"), {}),
    "calendar/event": (
        records.Event,
        (),  # typed as plain strings by the SDK (all-day values are dates)
        {"attendees": None, "conference": None, "recurrence": None},
    ),
}
STRINGS = ("id", "name", "subject", "status", "original_status", "calendar_id", "job_id")
BOOLS = ("is_all_day", "is_free", "is_private", "has_conference", "is_primary", "remote")


def all_pages(sandbox, path, **params):
    out, offset = [], 0
    while True:
        response = sandbox.get(path, limit="100.0", offset=str(offset), **params)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["Content-Type"].startswith("application/json")
        page = response.json()
        assert isinstance(page, list)
        out += page
        if len(page) < 100:
            return out
        offset += 100


def check_datetime(value, where):
    assert isinstance(value, str), where
    dt.datetime.fromisoformat(value)  # raises on what the SDK would refuse


def check_object(obj, record_class, datetimes, nested, where):
    assert isinstance(obj.get("id"), str), where
    for key in STRINGS:
        assert obj.get(key) is None or isinstance(obj[key], str), (where, key)
    for key in BOOLS:
        assert obj.get(key) is None or isinstance(obj[key], bool), (where, key)
    for key in datetimes:
        if obj.get(key) is not None:
            check_datetime(obj[key], (where, key))
    for key, required in nested.items():
        value = obj.get(key)
        if value is None:
            continue
        assert isinstance(value, list), (where, key)
        for item in value:
            assert isinstance(item, dict), (where, key)
            if required:
                assert isinstance(item.get(required), str), (where, key, item)
    record = record_class.from_api(obj)
    assert record.id == obj["id"]
    return record


@pytest.mark.parametrize("connection", ATS)
@pytest.mark.parametrize(
    "kind",
    [
        "ats/candidate",
        "ats/application",
        "ats/applicationstatus",
        "ats/job",
        "ats/interview",
        "ats/scorecard",
        "ats/activity",
        "hris/employee",
    ],
)
def test_every_ats_object_parses_and_has_required_keys(sandbox, connection, kind):
    category, name = kind.split("/")
    items = all_pages(sandbox, f"/{category}/{connection}/{name}")
    assert items
    record_class, datetimes, nested = SHAPES[kind]
    for item in items:
        check_object(item, record_class, datetimes, nested, (kind, item["id"]))
        if kind == "ats/activity" and item.get("from") is not None:
            assert isinstance(item["from"].get("email"), str)


@pytest.mark.parametrize("connection", CALENDARS)
def test_every_calendar_object_parses(sandbox, connection):
    calendars = all_pages(sandbox, f"/calendar/{connection}/calendar")
    for calendar in calendars:
        check_object(calendar, records.Calendar, *SHAPES["calendar/calendar"][1:], calendar["id"])
        assert calendar["timezone"] and isinstance(calendar["is_primary"], bool)
    events = all_pages(sandbox, f"/calendar/{connection}/event", expand="true")
    events += all_pages(sandbox, f"/calendar/{connection}/event")
    for event in events:
        parsed = check_object(event, records.Event, *SHAPES["calendar/event"][1:], event["id"])
        assert parsed.start_at and parsed.end_at and parsed.end_at > parsed.start_at
        assert event["status"] in records.EVENT_STATUSES
        for attendee in event.get("attendees", []):
            assert attendee.get("status") in (None, *records.ATTENDEE_STATUSES)
        if event["is_all_day"]:
            assert len(event["start_at"]) == len(event["end_at"]) == 10
            assert parsed.all_day_dates is not None
        else:
            assert event["start_at"].endswith("Z")
    anchor = sandbox.anchor
    for calendar in calendars:
        blocks = sandbox.get(
            f"/calendar/{connection}/busy",
            calendar_id=calendar["id"],
            start_gte=f"{anchor}T00:00:00Z",
            end_lt=f"{anchor + dt.timedelta(days=14)}T00:00:00Z",
        ).json()
        for block in blocks:
            # CalendarBusy requires both ends.
            check_datetime(block["start_at"], calendar["id"])
            check_datetime(block["end_at"], calendar["id"])
            busy = records.Busy.from_api(block)
            assert busy.start_at < busy.end_at


def test_connections_webhooks_and_integrations_have_their_required_fields(sandbox):
    sandbox.call(
        "POST",
        "/unified/webhook",
        json={
            "connection_id": ATS[0],
            "object_type": "ats_interview",
            "event": "updated",
            "hook_url": "http://127.0.0.1:9/unused",
        },
    )
    for connection in all_pages(sandbox, "/unified/connection"):
        assert isinstance(connection["integration_type"], str)
        assert isinstance(connection["categories"], list) and connection["categories"]
        assert isinstance(connection["permissions"], list) and connection["permissions"]
        assert not any(k.startswith("_") for k in connection)
        assert "auth" not in connection
        check_object(connection, records.Connection, ("created_at", "updated_at"), {}, "conn")
    for webhook in all_pages(sandbox, "/unified/webhook"):
        for key in ("connection_id", "object_type", "event", "hook_url"):
            assert isinstance(webhook[key], str)
        check_object(webhook, records.Webhook, ("created_at", "updated_at", "checked_at"), {}, "w")
    integrations = sandbox.get(f"/unified/integration/workspace/{sandbox.workspace_id}").json()
    for integration in integrations:
        assert isinstance(integration["type"], str) and isinstance(integration["name"], str)
        assert isinstance(integration["categories"], list)


def test_the_odd_seed_records_are_there_and_still_valid(sandbox):
    candidates = all_pages(sandbox, f"/ats/{ATS[0]}/candidate")
    assert any(c["emails"] == [] for c in candidates)
    apps = all_pages(sandbox, f"/ats/{ATS[0]}/application")
    odd = [a for a in apps if a["status"] not in records.APPLICATION_STATUSES]
    assert [a["status"] for a in odd] == ["ON_HOLD"]
    naive = [a for a in apps if not a["applied_at"].endswith("Z")]
    assert naive
    parsed = records.Application.from_api(naive[0])
    assert parsed.applied_at.tzinfo is not None  # Convene reads a naive time as UTC
    names = {c["name"] for c in candidates}
    assert any("'" in n for n in names) and any(not n.isascii() for n in names)
