"""The mirror finds who sits in the ATS's interviews: the people the ATS names (HRIS employee
ids, linked to interviewers, also those Convene knew by email only) and the attendees of the
calendar event each points to, read from the team's calendar; webhooks keep both current."""

import datetime as dt

import pytest
import time_machine

from candidates import sync
from candidates.models import RemoteInterview, SyncRun
from scheduling import booking, load, slots, webhooks, writeback
from scheduling.models import AtsSeat, Connection, Interviewer, InterviewPlan
from scheduling.unified import records
from scheduling.unified.errors import NotFoundError
from tests import factories as f
from tests.candidates.sync_helpers import FakeListing

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
START = "2026-12-03T15:00:00Z"
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


class FakeUnified:
    """The calls a sync makes, answering with the records given; events by id."""

    def __init__(self, interviews=(), employees=(), events=()):
        self.interviews = [records.Interview.from_api(i) for i in interviews]
        self.employees = [records.Employee.from_api(e) for e in employees]
        self.events = {e["id"]: records.Event.from_api(e) for e in events}
        self.event_reads = []

    def list_stages(self, cid):
        return FakeListing([])

    def list_jobs(self, cid, **params):
        return FakeListing([])

    def list_candidates(self, cid, **params):
        return FakeListing([])

    def list_applications(self, cid, **params):
        return FakeListing([])

    def list_interviews(self, cid, **params):
        return FakeListing(self.interviews)

    def list_employees(self, cid):
        return FakeListing(self.employees)

    def get_event(self, cid, event_id):
        self.event_reads.append((cid, event_id))
        if event_id not in self.events:
            raise NotFoundError("CalendarEvent not found", status=404)
        return self.events[event_id]


def employee(key, name, email):
    return {"id": key, "name": name, "emails": [{"email": email, "type": "WORK"}]}


def seats():
    return sorted(
        (s.interviewer.name, s.via, s.start_at.isoformat()) for s in AtsSeat.objects.all()
    )


@pytest.fixture
def world(tenant):
    ats = f.connection(tenant)
    calendar = f.connection(tenant, Connection.Category.CALENDAR, integration_type="google")
    application = f.application(ats, f.candidate(ats, "Alan Turing"))
    # Known by email only (added by hand before the ATS was connected).
    f.interviewer(tenant, "Bo Kim", email="bo@acme.example")
    return {"ats": ats, "calendar": calendar, "application": application}


def sync_with(conn, client):
    run = sync.start_sync(conn, kind=SyncRun.Kind.FULL)
    run = sync.run_sync(run.pk, client=client)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


def interview_record(world, **fields):
    return {
        "id": "int-1",
        "application_id": world["application"].remote_id,
        "status": "SCHEDULED",
        "start_at": START,
        "end_at": "2026-12-03T16:00:00Z",
        "user_ids": ["emp-ann", "emp-bo"],
        "external_event_xref": "evt-1",
        "updated_at": "2026-11-30T10:00:00Z",
        **fields,
    }


def event_record(**fields):
    return {
        "id": "evt-1",
        "start_at": "2026-12-03T17:00:00Z",
        "end_at": "2026-12-03T18:00:00Z",
        "status": "CONFIRMED",
        "organizer": {"email": "rosa@acme.example"},
        "attendees": [
            {"email": "rosa@acme.example", "status": "ACCEPTED"},
            {"email": "ann@acme.example", "status": "ACCEPTED"},
            {"email": "bo@acme.example", "status": "ACCEPTED"},
            {"email": "cy@acme.example", "user_id": "emp-cy"},
        ],
        "updated_at": "2026-11-30T11:00:00Z",
        **fields,
    }


EMPLOYEES = [
    employee("emp-ann", "Ann Lee", "ann@acme.example"),
    employee("emp-bo", "Bo Kim", "bo@acme.example"),
    employee("emp-cy", "Cy Park", "cy@acme.example"),
    employee("emp-rosa", "Rosa Recruiter", "rosa@acme.example"),
]


def test_a_sync_seats_the_people_named_and_the_events_attendees_at_the_events_time(world):
    client = FakeUnified([interview_record(world)], EMPLOYEES, [event_record()])
    # Rosa is in the ATS too (she recruits for a job), so she is an interviewer of the team.
    client.interviews.append(
        records.Interview.from_api(
            interview_record(world, id="int-2", status="CANCELED", user_ids=["emp-rosa"])
        )
    )
    sync_with(world["ats"], client)

    assert Interviewer.objects.get(email="bo@acme.example").ats_user_id == "emp-bo"
    assert Interviewer.objects.filter(email="bo@acme.example").count() == 1
    assert client.event_reads == [(world["calendar"].unified_id, "evt-1")]
    assert seats() == [
        ("Ann Lee", "ats", "2026-12-03T17:00:00+00:00"),
        ("Bo Kim", "ats", "2026-12-03T17:00:00+00:00"),
        ("Cy Park", "calendar", "2026-12-03T17:00:00+00:00"),
    ]


def test_calendar_webhooks_move_and_cancel_the_seats(world, monkeypatch):
    client = FakeUnified([interview_record(world)], EMPLOYEES, [event_record()])
    sync_with(world["ats"], client)
    monkeypatch.setattr(sync, "unified", lambda: client)

    moved = records.Event.from_api(
        event_record(
            start_at="2026-12-04T14:00:00Z",
            end_at="2026-12-04T15:00:00Z",
            attendees=[
                {"email": "rosa@acme.example"},
                {"email": "ann@acme.example", "status": "REJECTED"},
                {"email": "bo@acme.example"},
            ],
            updated_at="2026-12-01T09:00:00Z",
        )
    )
    lines = webhooks.calendar_events(world["calendar"], [moved], "updated", None)
    assert "Updated the calendar event of 1 ATS interview(s) in the mirror." in lines
    assert seats() == [("Bo Kim", "ats", "2026-12-04T14:00:00+00:00")]

    # An older delivery arriving late changes nothing.
    webhooks.calendar_events(
        world["calendar"], [records.Event.from_api(event_record())], "updated", None
    )
    assert seats() == [("Bo Kim", "ats", "2026-12-04T14:00:00+00:00")]

    # Deleted, and Unified confirms it: nobody sits in it any more.
    client.events.clear()
    webhooks.calendar_events(world["calendar"], [moved], "deleted", None)
    assert seats() == []
    assert RemoteInterview.objects.get(remote_id="int-1").event_status == "CANCELED"


def test_ats_interview_webhooks_update_the_mirror_at_once(world, monkeypatch):
    # Not scheduled yet at the sync (its interviewers become the team's), then it is.
    waiting = interview_record(
        world, status="NEEDS_SCHEDULING", user_ids=["emp-ann", "emp-bo", "emp-cy"]
    )
    client = FakeUnified([waiting], EMPLOYEES, [event_record()])
    sync_with(world["ats"], client)
    assert seats() == []
    monkeypatch.setattr(sync, "unified", lambda: client)
    record = records.Interview.from_api(
        interview_record(world, user_ids=["emp-cy"], updated_at="2026-12-01T10:00:00Z")
    )

    webhooks.ats_interviews(world["ats"], [record], "updated", None)
    assert [s[0] for s in seats()] == ["Ann Lee", "Bo Kim", "Cy Park"]
    ann = Interviewer.objects.get(ats_user_id="emp-ann")
    found = load.seats([ann.pk], NOW, NOW + dt.timedelta(days=7))
    assert found[str(ann.pk)][0].label == "Alan Turing (in Greenhouse, from its calendar event)"

    # A "deleted" delivery counts once Unified confirms the interview is gone.
    client.get_interview = lambda cid, rid: record
    webhooks.ats_interviews(world["ats"], [record], "deleted", None)
    assert len(seats()) == 3

    def gone(cid, rid):
        raise NotFoundError("AtsInterview not found", status=404)

    client.get_interview = gone
    webhooks.ats_interviews(world["ats"], [record], "deleted", None)
    assert seats() == []


def test_connecting_a_calendar_syncs_the_ats_in_full_to_read_its_events(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    client = FakeUnified([interview_record(world)], EMPLOYEES, [event_record()])
    monkeypatch.setattr(sync, "unified", lambda: client)
    with django_capture_on_commit_callbacks(execute=True):
        sync.on_connection_connected(None, connection=world["calendar"])
    run = SyncRun.objects.get(connection=world["ats"])
    assert run.kind == SyncRun.Kind.FULL
    assert run.status == SyncRun.Status.SUCCEEDED  # tasks run at once in tests
    assert seats() == [
        ("Ann Lee", "ats", "2026-12-03T17:00:00+00:00"),
        ("Bo Kim", "ats", "2026-12-03T17:00:00+00:00"),
        ("Cy Park", "calendar", "2026-12-03T17:00:00+00:00"),
    ]


def test_the_write_back_drops_seats_found_on_convenes_own_ats_interview(world, tenant):
    client = FakeUnified([interview_record(world, id="gh-77", external_event_xref="")], EMPLOYEES)
    sync_with(world["ats"], client)
    ann = Interviewer.objects.get(ats_user_id="emp-ann")
    assert [s[0] for s in seats()] == ["Ann Lee", "Bo Kim"]
    start = dt.datetime(2026, 12, 3, 15, tzinfo=dt.UTC)
    choice = slots.Choice(
        (slots.SessionChoice("Chat", start, start + H, ((str(ann.pk), "required", None),)),)
    )
    plan = InterviewPlan.objects.create(tenant=tenant, name="Chat")
    session = booking.book(world["application"], plan, choice).sessions.get()
    writeback._remember_ats_interview(
        session, world["ats"], records.Interview.from_api({"id": "gh-77"})
    )
    assert seats() == []
