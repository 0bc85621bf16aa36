"""The seed: deterministic for an anchor date, realistic, and quick at benchmark size."""

import datetime as dt
import multiprocessing
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor

import pytest
from django.db import connection

from scheduling.unified.records import APPLICATION_STATUSES
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


def test_seeded_connections_are_named_constants_of_24_hex_characters():
    for connection_id in seed.SEEDED_CONNECTIONS:
        assert len(connection_id) == 24
        int(connection_id, 16)


# --- what the seed promises, for every anchor (seed.py's docstring lists the same) ----------

NEEDS_SCHEDULING_STAGES = ("FIRST_INTERVIEW", "SECOND_INTERVIEW", "THIRD_INTERVIEW")
DAYS_OFF = ("Out of office", "Vacation", "OOO – family visit")


def timed_days(built):
    """{person key: local days on which a timed event takes their time}."""
    calendars = {d["id"]: d["_person"] for t, d, *_ in built.calendar if t == "calendar_calendar"}
    days = {key: set() for key in calendars.values()}
    for object_type, doc, start, _end, kind in built.calendar:
        if object_type != "calendar_event" or kind == "series" or doc["is_all_day"]:
            continue
        if doc["is_free"] or doc["status"] == "CANCELED":
            continue
        keys = {calendars[doc["calendar_id"]]} | {
            built.key_for_email(a.get("email"))
            for a in doc.get("attendees") or ()
            if a.get("status") != "REJECTED"
        }
        for key in keys - {None}:
            days[key].add(dt.datetime.fromisoformat(start).astimezone(built.zones[key]).date())
    return days


def broken_promises(world, anchor):
    """Every promise of seed.py's docstring that the world seeded for `anchor` breaks."""
    built = seed.Builder(seed.WORLDS[world], anchor, seed.WORLDS[world].candidates).build()
    broken = []

    def promise(holds, text):
        if not holds:
            broken.append(f"{anchor} {world}: {text}")

    t0 = seed.format_instant(built.t0)
    two_weeks = seed.format_instant(built.t0 + dt.timedelta(days=14))
    records = defaultdict(list)
    for object_type, doc, *_ in built.ats:
        records[object_type].append(doc)
    employees = records["hris_employee"]
    active = [e for e in employees if e["employment_status"] == "ACTIVE"]
    promise(len(active) >= 12 and len({e["timezone"] for e in active}) >= 4, "people")
    promise(
        all(e["emails"][0]["email"].endswith(f"@{world}.example") for e in employees)
        and all(e["title"] and e["name"] for e in employees),
        "work addresses and titles",
    )
    promise(any(e["employment_status"] == "INACTIVE" for e in employees), "an inactive employee")
    jobs = {j["id"]: j for j in records["ats_job"]}
    open_jobs = {j for j, doc in jobs.items() if doc["status"] == "OPEN"}
    promise(len(open_jobs) >= 5 and len(jobs) - len(open_jobs) == 1, "open jobs and one closed")
    employee_ids = {e["id"] for e in employees}
    promise(
        all(
            set(j["recruiter_ids"] + j["hiring_manager_ids"]) <= employee_ids
            and j["groups"][0]["type"] == "DEPARTMENT"
            for j in jobs.values()
        ),
        "jobs name their recruiters, managers and department",
    )
    candidates = {c["id"]: c for c in records["ats_candidate"]}
    promise(
        len(candidates) == seed.WORLDS[world].candidates + 2, "the candidates and the two odd ones"
    )
    promise(
        all(records[kind] for kind in ("ats_applicationstatus", "ats_activity", "ats_scorecard")),
        "stages, notes and scorecards",
    )
    applications = records["ats_application"]
    statuses = Counter(a["status"] for a in applications)
    promise(set(APPLICATION_STATUSES) <= set(statuses), "an application in every status")
    for stage in ("SCREENING", *NEEDS_SCHEDULING_STAGES):
        promise(statuses[stage] >= 3, f"three applications in {stage}")
    promise("ON_HOLD" in statuses, "a status outside Unified's enum")
    applied = sorted(a["applied_at"].removesuffix("Z") for a in applications)
    spread = dt.datetime.fromisoformat(applied[-1]) - dt.datetime.fromisoformat(applied[0])
    promise(spread > dt.timedelta(weeks=6), "applications over more than six weeks")
    promise(any(not a["applied_at"].endswith("Z") for a in applications), "a zoneless applied_at")
    promise(any(not c["emails"] for c in candidates.values()), "a candidate without an email")
    promise(
        any(len(c.get("job_ids") or ()) > 1 for c in candidates.values()),
        "a candidate in two pipelines",
    )
    interviews = records["ats_interview"]
    upcoming = {
        i["application_id"]
        for i in interviews
        if i["status"] == "SCHEDULED" and i.get("start_at", "") > t0
    }
    waiting = [
        a
        for a in applications
        if a["status"] in NEEDS_SCHEDULING_STAGES
        and a["job_id"] in open_jobs
        and candidates[a["candidate_id"]]["emails"]
        and a["id"] not in upcoming
    ]
    promise(len(waiting) >= (3 if world == "acme" else 1), "applications needing scheduling")
    soon = [i for i in interviews if i["status"] == "SCHEDULED" and t0 < i["start_at"] < two_weeks]
    promise(len(soon) >= 3, "three interviews in the next two weeks")
    interview_statuses = Counter(i["status"] for i in interviews)
    promise(interview_statuses["COMPLETE"] >= 20, "twenty complete interviews")
    if world == "acme":
        promise(interview_statuses["AWAITING_FEEDBACK"] >= 1, "an interview awaiting feedback")
    promise(len(records["ats_scorecard"]) >= 20, "twenty scorecards")
    events = {d["id"]: d for t, d, *_ in built.calendar if t == "calendar_event"}
    emails = {e["id"]: e["emails"][0]["email"] for e in employees}
    promise(
        all(i["user_ids"] and set(i["user_ids"]) <= employee_ids for i in interviews),
        "interviews name their interviewers, who are employees",
    )
    for interview in interviews:
        if interview["status"] == "NEEDS_SCHEDULING":
            continue
        event = events.get(interview.get("external_event_xref"))
        invited = (
            {a["email"] for a in event.get("attendees", ())} | {event["organizer"]["email"]}
            if event
            else set()
        )
        promise(
            event is not None
            and {emails[u] for u in interview["user_ids"]} <= invited
            and event["start_at"] == interview["start_at"]
            and (interview["status"] != "SCHEDULED" or interview["start_at"] > t0)
            and (interview["status"] != "COMPLETE" or interview["end_at"] < t0),
            f"interview {interview['id']} matches its event",
        )
    # Calendars: busy weeks with room in them, for everyone, the coming four weeks.
    days = timed_days(built)
    for person in built.world.people:
        if not person.active:
            continue
        for week in range(4):
            monday = built.anchor + dt.timedelta(days=7 - built.anchor.weekday() + 7 * week)
            working = [
                monday + dt.timedelta(days=n)
                for n in range(5)
                if monday + dt.timedelta(days=n) not in built.away[person.key]
            ]
            busy = [d for d in working if d in days[person.key]]
            promise(busy or not working, f"{person.key} has meetings in the week of {monday}")
    if world == "acme":
        week = {(anchor + dt.timedelta(days=n)).isoformat() for n in range(7)}
        standups = [
            d
            for d in events.values()
            if d["subject"] == "Autonomy stand-up" and d.get("recurring_event_id")
            and d["start_at"][:10] in week
        ]  # fmt: skip
        promise(len(standups) >= 4, "the Autonomy stand-up on the coming week's weekdays")
    subjects = Counter(d["subject"] for d in events.values())
    promise(subjects["Focus time"] > 20 and subjects["Lunch"] > 5, "focus time and lunches")
    statuses = Counter(d["status"] for d in events.values())
    promise(statuses["TENTATIVE"] and statuses["CANCELED"], "tentative and canceled events")
    promise(any(d["is_free"] for d in events.values()), "free events")
    promise(any("Flight" in d["subject"] for d in events.values()), "a flight")
    next_week = {
        (built.anchor + dt.timedelta(days=n)).isoformat() for n in range(3, 10)
    }  # the day off the docstring promises starts three days after the anchor, or after
    promise(
        any(
            d["subject"] in DAYS_OFF and d["is_all_day"] and d["start_at"] in next_week
            for d in events.values()
        ),
        "someone out of office in the coming week",
    )
    answers = Counter(a.get("status") for d in events.values() for a in d.get("attendees", []))
    promise(
        all(answers[s] for s in ("ACCEPTED", "TENTATIVE", "REJECTED", None)),
        "every kind of answer to an invitation",
    )
    kinds = Counter(kind for t, _d, _s, _e, kind in built.calendar if t == "calendar_event")
    promise(kinds["series"] >= 5 and kinds["occurrence"] > 100, "recurring meetings")
    series = {d["id"] for d in events.values() if d.get("recurrence")}
    promise(
        all(
            d["recurring_event_id"] in series
            for d in events.values()
            if d.get("recurring_event_id")
        ),
        "occurrences belong to a series",
    )
    promise(
        all(len(d["start_at"]) == 10 for d in events.values() if d["is_all_day"]),
        "all-day events are dates",
    )
    calendars = [d for t, d, *_ in built.calendar if t == "calendar_calendar"]
    promise(len(calendars) == len(active), "a calendar per active employee")
    first_day = min(d["start_at"][:10] for d in events.values())
    last_day = max(d["start_at"][:10] for d in events.values())
    promise(
        first_day <= (anchor - dt.timedelta(days=18)).isoformat()
        and last_day >= (anchor + dt.timedelta(days=50)).isoformat(),
        "events from three weeks back to eight ahead",
    )
    return broken


def _promises_for(anchors):
    return [text for anchor in anchors for w in seed.WORLDS for text in broken_promises(w, anchor)]


def test_the_seed_keeps_its_promises_for_400_anchor_dates():
    """Seeding only, no HTTP: a year ahead of today and a month back, in two processes of
    consecutive dates (each reuses the background weeks its dates share)."""
    if connection.vendor != "sqlite":
        pytest.skip("touches no database: the SQLite run checks it")
    first = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=35)
    anchors = [first + dt.timedelta(days=n) for n in range(400)]
    halves = [anchors[:200], anchors[200:]]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        broken = [text for part in pool.map(_promises_for, halves) for text in part]
    assert not broken, f"{len(broken)} broken promises:\n" + "\n".join(broken[:40])


def test_a_day_looks_the_same_whichever_day_the_sandbox_is_seeded():
    def meetings(anchor, day):
        built = seed.build_world("acme", anchor)
        return sorted(
            (d["id"], d["start_at"], d["subject"])
            for t, d, *_ in built.calendar
            if t == "calendar_event" and d["start_at"][:10] == day.isoformat()
            and not d["id"].startswith(("interview",)) and "Interview:" not in d["subject"]
        )  # fmt: skip

    day = ANCHOR + dt.timedelta(days=10)
    assert meetings(ANCHOR, day) == meetings(ANCHOR + dt.timedelta(days=3), day)
    assert len(meetings(ANCHOR, day)) > 20
