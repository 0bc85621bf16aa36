"""The seed: deterministic for an anchor date, realistic, and quick at benchmark size."""

import datetime as dt
from collections import Counter

import pytest

from scheduling.unified.records import APPLICATION_STATUSES, Employee, Event, Interview
from scheduling.unified.sandbox import seed
from scheduling.unified.sandbox.server import make_app

pytestmark = pytest.mark.sandbox

ANCHOR = dt.date(2026, 3, 2)


def dump(app):
    """Every record the sandbox holds, in storage order."""
    with app.store._lock:
        rows = app.store._db.execute(
            "SELECT connection_id, object_type, id, data, span_start, span_end, kind "
            "FROM records ORDER BY seq"
        ).fetchall()
    return rows


def test_the_same_anchor_gives_identical_data():
    first = make_app(anchor_date=ANCHOR)
    seed.build_world.cache_clear()  # build it again for real, not from the cache
    second = make_app(anchor_date=ANCHOR)
    try:
        assert dump(first) == dump(second)
        assert len(dump(first)) > 2000
    finally:
        first.close()
        second.close()


def test_another_anchor_gives_other_dates_and_the_same_people():
    later = seed.build_world("acme", ANCHOR + dt.timedelta(days=7))
    now = seed.build_world("acme", ANCHOR)
    assert [d["name"] for t, d, *_ in now.ats if t == "hris_employee"] == [
        d["name"] for t, d, *_ in later.ats if t == "hris_employee"
    ]
    assert [d["start_at"] for t, d, *_ in now.calendar if t == "calendar_event"] != [
        d["start_at"] for t, d, *_ in later.calendar if t == "calendar_event"
    ]


def test_a_bigger_seed_only_adds_candidates():
    small, big = seed.build_world("acme", ANCHOR), seed.build_world("acme", ANCHOR, 200)
    small_ids = [d["id"] for t, d, *_ in small.ats]
    big_ids = [d["id"] for t, d, *_ in big.ats]
    assert big_ids[: len(small_ids)] == small_ids
    assert small.calendar == big.calendar
    assert Counter(t for t, *_ in big.ats)["ats_candidate"] == 202


def test_ten_thousand_candidates_seed_quickly(record_property, capsys):
    seed.build_world.cache_clear()
    app = make_app(anchor_date=ANCHOR, seed_size=10_000)
    try:
        count = app.store.count(seed.ACME_ATS_CONNECTION_ID, "ats_candidate")
        seconds = app.seed_seconds
    finally:
        app.close()
    assert count == 10_002
    record_property("seed_seconds_10k", round(seconds, 2))
    with capsys.disabled():
        print(f"\n  [sandbox] seeding 10,000 candidates took {seconds:.2f}s")


@pytest.mark.parametrize("world", ["acme", "globex"])
def test_each_world_has_a_dozen_people_in_several_zones(world):
    built = seed.build_world(world, ANCHOR)
    employees = [Employee.from_api(d) for t, d, *_ in built.ats if t == "hris_employee"]
    active = [e for e in employees if e.employment_status == "ACTIVE"]
    assert len(active) >= 12
    assert len({e.timezone for e in active}) >= 3
    assert all(e.emails[0].endswith(f"@{world}.example") for e in employees)
    assert all(e.title and e.name for e in employees)
    calendars = [d for t, d, *_ in built.calendar if t == "calendar_calendar"]
    assert len(calendars) == len(active)
    jobs = [d for t, d, *_ in built.ats if t == "ats_job"]
    assert 6 <= len(jobs) <= 8
    assert Counter(j["status"] for j in jobs)["CLOSED"] == 1
    employee_ids = {e.id for e in employees}
    for job in jobs:
        assert set(job["recruiter_ids"] + job["hiring_manager_ids"]) <= employee_ids
        assert job["groups"][0]["type"] == "DEPARTMENT"


@pytest.mark.parametrize("world", ["acme", "globex"])
def test_applications_cover_every_status_and_the_interview_stages_well(world):
    built = seed.build_world(world, ANCHOR)
    statuses = Counter(d["status"] for t, d, *_ in built.ats if t == "ats_application")
    assert set(APPLICATION_STATUSES) <= set(statuses)
    for stage in ("SCREENING", "FIRST_INTERVIEW", "SECOND_INTERVIEW", "THIRD_INTERVIEW"):
        assert statuses[stage] >= 3
    applied = sorted(d["applied_at"] for t, d, *_ in built.ats if t == "ats_application")
    spread = dt.datetime.fromisoformat(applied[-1]) - dt.datetime.fromisoformat(applied[0])
    assert spread > dt.timedelta(weeks=6)


@pytest.mark.parametrize("world", ["acme", "globex"])
def test_interviews_point_at_real_events_with_the_interviewers_invited(world):
    built = seed.build_world(world, ANCHOR)
    events = {d["id"]: d for t, d, *_ in built.calendar if t == "calendar_event"}
    emails = {d["id"]: d["emails"][0]["email"] for t, d, *_ in built.ats if t == "hris_employee"}
    interviews = [Interview.from_api(d) for t, d, *_ in built.ats if t == "ats_interview"]
    anchor = dt.datetime.combine(ANCHOR, dt.time(0), dt.UTC)
    statuses = Counter(i.status for i in interviews)
    assert statuses["SCHEDULED"] and statuses["COMPLETE"] and statuses["AWAITING_FEEDBACK"]
    for interview in interviews:
        if interview.status == "NEEDS_SCHEDULING":
            assert interview.external_event_xref is None
            continue
        event = events[interview.external_event_xref]
        invited = {a["email"] for a in event["attendees"]} | {event["calendar_id"]}
        invited |= {event["organizer"]["email"]}
        assert {emails[u] for u in interview.user_ids} <= invited
        assert Event.from_api(event).start_at == interview.start_at
        if interview.status == "SCHEDULED":
            assert interview.start_at > anchor
        if interview.status == "COMPLETE":
            assert interview.end_at < anchor


@pytest.mark.parametrize("world", ["acme", "globex"])
def test_calendars_have_believable_weeks(world):
    built = seed.build_world(world, ANCHOR)
    events = [d for t, d, *_ in built.calendar if t == "calendar_event"]
    kinds = Counter(kind for t, _d, _s, _e, kind in built.calendar if t == "calendar_event")
    assert kinds["series"] >= 5 and kinds["occurrence"] > 100
    series = [e for e in events if e.get("recurrence")]
    occurrences = [e for e in events if e.get("recurring_event_id")]
    assert {o["recurring_event_id"] for o in occurrences} <= {s["id"] for s in series}
    all_day = [e for e in events if e["is_all_day"]]
    assert all(len(e["start_at"]) == 10 for e in all_day)
    subjects = Counter(e["subject"] for e in events)
    assert subjects["Focus time"] > 20 and subjects["Lunch"] > 5
    assert any(e["is_free"] for e in events)
    assert any(e["status"] == "TENTATIVE" for e in events)
    assert any(e["status"] == "CANCELED" for e in events)
    assert any("Flight" in e["subject"] for e in events)
    assert any(
        e["subject"] in ("Out of office", "Vacation", "OOO – family visit") for e in all_day
    )
    answers = Counter(a.get("status") for e in events for a in e.get("attendees", []))
    assert answers["ACCEPTED"] and answers["TENTATIVE"] and answers["REJECTED"] and answers[None]
    days = {e["start_at"][:10] for e in events}
    assert min(days) <= (ANCHOR - dt.timedelta(days=20)).isoformat()
    assert max(days) >= (ANCHOR + dt.timedelta(days=50)).isoformat()


def test_seeded_connections_are_named_constants_of_24_hex_characters():
    for connection_id in seed.SEEDED_CONNECTIONS:
        assert len(connection_id) == 24
        int(connection_id, 16)
