"""Calendar endpoints: events CRUD, busy blocks, vendor differences."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduling.unified.records import Busy, Event
from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox

ACME_CAL = seed.ACME_CALENDAR_CONNECTION_ID
GLOBEX_CAL = seed.GLOBEX_CALENDAR_CONNECTION_ID
IAN = "interviewer@acme.example"
UTC = dt.UTC


def day_at(anchor, days, hour=0, minute=0):
    return dt.datetime.combine(anchor + dt.timedelta(days=days), dt.time(hour, minute), UTC)


def iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def busy(sandbox, calendar_id, start, end, connection=ACME_CAL):
    """Every busy block of the window: busy lists page like any other list."""
    blocks, offset = [], 0
    while True:
        response = sandbox.get(
            f"/calendar/{connection}/busy",
            calendar_id=calendar_id,
            start_gte=iso(start),
            end_lt=iso(end),
            offset=offset,
        )
        assert response.status_code == 200, response.text
        page = [Busy.from_api(b) for b in response.json()]
        blocks += page
        if len(page) < 100:
            return blocks
        offset += 100


def covers(blocks, start, end):
    return any(b.start_at <= start and b.end_at >= end for b in blocks)


def overlaps(blocks, start, end):
    return any(b.start_at < end and b.end_at > start for b in blocks)


def create_event(sandbox, connection=ACME_CAL, **fields):
    body = {"calendar_id": IAN, "subject": "Test", **fields}
    response = sandbox.call("POST", f"/calendar/{connection}/event", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def empty_day(sandbox, *emails, days=2, connection=ACME_CAL):
    """A day `days` after the anchor with nothing on these people's calendars (Ian's by
    default) from 14 hours before its UTC midnight to 24 hours after it: the test clears
    it, whatever the day's seed put there."""
    day = sandbox.anchor + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(0), UTC) - dt.timedelta(hours=14)
    end = start + dt.timedelta(hours=38)
    sandbox.clear_calendars(connection, emails or [IAN], start, end)
    for email in emails or [IAN]:
        assert busy(sandbox, email, start, end, connection) == []
    return day


def test_create_read_update_delete_an_event(sandbox):
    start = day_at(sandbox.anchor, 2, 15)
    body = {
        "attendees": [{"email": IAN, "required": True}],
        "calendar_id": IAN,
        "end_at": iso(start + dt.timedelta(hours=1)),
        "notes": "Panel",
        "start_at": iso(start),
        "subject": "Interview: Ada",
    }  # the SDK's own create body (docs/unified.md §7.2)
    created = sandbox.call("POST", f"/calendar/{ACME_CAL}/event", json=body)
    assert created.status_code == 200
    event = created.json()
    assert event["subject"] == "Interview: Ada"
    assert event["start_at"] == iso(start)
    assert event["status"] == "CONFIRMED"
    assert event["organizer"]["email"] == IAN
    path = f"/calendar/{ACME_CAL}/event/{event['id']}"
    assert sandbox.get(path).json() == event

    moved = sandbox.call(
        "PUT",
        path,
        json={
            "start_at": iso(start + dt.timedelta(hours=2)),
            "end_at": iso(start + dt.timedelta(hours=3)),
        },
    )
    assert moved.status_code == 200
    assert moved.json()["start_at"] == iso(start + dt.timedelta(hours=2))
    assert moved.json()["subject"] == "Interview: Ada"  # PUT merges, like PATCH
    patched = sandbox.call("PATCH", path, json={"subject": "Interview: Ada L."}).json()
    assert patched["subject"] == "Interview: Ada L."
    assert patched["start_at"] == iso(start + dt.timedelta(hours=2))

    assert sandbox.call("DELETE", path).status_code == 200
    assert sandbox.get(path).status_code == 404
    assert sandbox.call("PATCH", path, json={"subject": "x"}).status_code == 404


def test_event_writes_are_checked(sandbox):
    path = f"/calendar/{ACME_CAL}/event"
    start = day_at(sandbox.anchor, 3, 15)
    cases = [
        {"calendar_id": IAN, "subject": "no times"},
        {"calendar_id": IAN, "start_at": iso(start), "end_at": iso(start)},
        {"calendar_id": IAN, "start_at": "soon", "end_at": iso(start)},
        {
            "calendar_id": "nobody@acme.example",
            "start_at": iso(start),
            "end_at": iso(start + dt.timedelta(hours=1)),
        },
        {
            "calendar_id": IAN,
            "start_at": iso(start),
            "end_at": iso(start + dt.timedelta(1)),
            "status": "MAYBE",
        },
        {
            "calendar_id": IAN,
            "start_at": iso(start),
            "end_at": iso(start + dt.timedelta(1)),
            "attendees": [{"email": IAN, "status": "NEEDS_ACTION"}],
        },
    ]
    for body in cases:
        response = sandbox.call("POST", path, json=body)
        assert response.status_code == 400, body
        assert response.json()["message"]


def test_primary_and_missing_calendar_mean_the_connections_primary(sandbox):
    start = day_at(sandbox.anchor, 4, 15)
    times = {"start_at": iso(start), "end_at": iso(start + dt.timedelta(minutes=30))}
    event = create_event(sandbox, calendar_id="primary", **times)
    assert event["calendar_id"] == "maya.chen@acme.example"
    calendars = sandbox.get(f"/calendar/{ACME_CAL}/calendar").json()
    maya = next(c for c in calendars if c["id"] == "maya.chen@acme.example")
    assert maya["is_primary"] is True
    assert maya["timezone"] == "America/New_York"


def test_google_like_calendar_generates_a_meet_link(sandbox):
    start = day_at(sandbox.anchor, 5, 15)
    event = create_event(
        sandbox,
        start_at=iso(start),
        end_at=iso(start + dt.timedelta(hours=1)),
        has_conference=True,
    )
    assert event["has_conference"] is True
    [conference] = event["conference"]
    assert conference["label"] == "Google Meet"
    assert conference["url"].startswith("https://meet.sandbox.test/")
    code = conference["url"].rsplit("/", 1)[1]
    assert [len(part) for part in code.split("-")] == [3, 4, 3]


def test_outlook_like_calendar_refuses_a_conference(sandbox):
    calendars = sandbox.get(f"/calendar/{GLOBEX_CAL}/calendar").json()
    start = day_at(sandbox.anchor, 5, 10)
    response = sandbox.call(
        "POST",
        f"/calendar/{GLOBEX_CAL}/event",
        json={
            "calendar_id": calendars[0]["id"],
            "subject": "Interview",
            "start_at": iso(start),
            "end_at": iso(start + dt.timedelta(hours=1)),
            "has_conference": True,
        },
    )
    assert response.status_code == 400
    assert response.json()["message"] == "conference is not supported by microsoftoutlook"


def test_busy_comes_from_events_clipped_to_the_window(sandbox):
    day = empty_day(sandbox)
    start = dt.datetime.combine(day, dt.time(14), UTC)
    create_event(sandbox, start_at=iso(start), end_at=iso(start + dt.timedelta(hours=2)))
    window_start = start + dt.timedelta(minutes=30)
    window_end = start + dt.timedelta(hours=1)
    blocks = busy(sandbox, IAN, window_start, window_end)
    assert [(b.start_at, b.end_at) for b in blocks] == [(window_start, window_end)]


def test_busy_merges_overlapping_and_touching_events(sandbox):
    day = empty_day(sandbox)
    start = dt.datetime.combine(day, dt.time(14), UTC)
    for minutes in ((0, 60), (30, 90), (90, 120)):
        create_event(
            sandbox,
            start_at=iso(start + dt.timedelta(minutes=minutes[0])),
            end_at=iso(start + dt.timedelta(minutes=minutes[1])),
        )
    blocks = busy(sandbox, IAN, start - dt.timedelta(hours=2), start + dt.timedelta(hours=4))
    assert [(b.start_at, b.end_at) for b in blocks] == [(start, start + dt.timedelta(hours=2))]


def test_free_and_canceled_events_do_not_block_time(sandbox):
    day = empty_day(sandbox)
    start = dt.datetime.combine(day, dt.time(15), UTC)
    times = {"start_at": iso(start), "end_at": iso(start + dt.timedelta(hours=1))}
    create_event(sandbox, subject="Reminder", is_free=True, **times)
    canceled = create_event(sandbox, subject="Gone", **times)
    sandbox.call(
        "PATCH", f"/calendar/{ACME_CAL}/event/{canceled['id']}", json={"status": "CANCELED"}
    )
    assert busy(sandbox, IAN, start, start + dt.timedelta(hours=1)) == []
    tentative = create_event(sandbox, subject="Maybe", status="TENTATIVE", **times)
    assert covers(busy(sandbox, IAN, start, start + dt.timedelta(hours=1)), start, start)
    assert tentative["status"] == "TENTATIVE"


def test_all_day_events_block_whole_local_days_of_the_calendar(sandbox):
    # Priya works from Bengaluru: a day off is 18:30 UTC the day before to 18:30 UTC.
    priya = "priya.natarajan@acme.example"
    day = empty_day(sandbox, priya)
    event = create_event(
        sandbox,
        calendar_id=priya,
        subject="Out of office",
        start_at=day.isoformat(),
        end_at=(day + dt.timedelta(days=1)).isoformat(),
        is_all_day=True,
    )
    assert event["start_at"] == day.isoformat()
    assert Event.from_api(event).all_day_dates == (day, day + dt.timedelta(days=1))
    around = dt.datetime.combine(day, dt.time(0), UTC)
    blocks = busy(sandbox, priya, around - dt.timedelta(hours=12), around + dt.timedelta(hours=20))
    local_start = dt.datetime.combine(day, dt.time(0), UTC) - dt.timedelta(hours=5, minutes=30)
    assert [(b.start_at, b.end_at) for b in blocks] == [
        (local_start, local_start + dt.timedelta(days=1))
    ]


def test_invitations_block_the_invitees_time_unless_declined(sandbox):
    day = empty_day(sandbox)
    start = dt.datetime.combine(day, dt.time(16), UTC)
    end = start + dt.timedelta(hours=1)
    event = create_event(
        sandbox,
        calendar_id="recruiter@acme.example",
        attendees=[{"email": IAN}, {"email": "recruiter@acme.example", "status": "ACCEPTED"}],
        start_at=iso(start),
        end_at=iso(end),
    )
    assert covers(busy(sandbox, IAN, start, end), start, end)
    listed = sandbox.get(
        f"/calendar/{ACME_CAL}/event", calendar_id=IAN, start_gte=iso(start), end_lt=iso(end)
    ).json()
    assert event["id"] in [e["id"] for e in listed]  # an invitation is on Ian's calendar too
    sandbox.respond(ACME_CAL, event["id"], IAN, "REJECTED")
    assert busy(sandbox, IAN, start, end) == []
    listed = sandbox.get(
        f"/calendar/{ACME_CAL}/event", calendar_id=IAN, start_gte=iso(start), end_lt=iso(end)
    ).json()
    assert event["id"] in [e["id"] for e in listed]  # declined, yet still on the calendar


def many_events(sandbox, subject, count, start, minutes=15, every=30):
    """`count` events of Ian's called `subject`, one every `every` minutes from `start`."""
    return [
        sandbox.create_event(
            ACME_CAL, IAN, start + dt.timedelta(minutes=n * every), minutes, subject=subject
        )
        for n in range(count)
    ]


def test_small_pages_of_a_calendars_events_add_up_to_the_whole(sandbox):
    # More than a page of events this test owns, told apart from the seed's by their subject.
    subject = "Paging probe"
    mine = many_events(sandbox, subject, 105, day_at(sandbox.anchor, 3, 12))
    path = f"/calendar/{ACME_CAL}/event"
    params = {"calendar_id": IAN, "query": subject}
    whole = sandbox.get(path, limit=100, **params).json()
    assert len(whole) == 100
    paged, offset = [], 0
    while len(paged) < 105:
        page = sandbox.get(path, limit=7, offset=offset, **params).json()
        assert len(page) == 7
        paged += page
        offset += 7
    assert [e["id"] for e in paged[:100]] == [e["id"] for e in whole]
    assert [e["id"] for e in paged] == [e["id"] for e in mine]  # in time order, no overlap
    assert sandbox.get(path, limit=7, offset=105, **params).json() == []


def test_busy_blocks_page_like_any_list(sandbox):
    # A cleared stretch holding 110 separate events of this test's: 110 busy blocks.
    anchor = sandbox.anchor
    start, end = day_at(anchor, 3), day_at(anchor, 6)
    sandbox.clear_calendars(ACME_CAL, [IAN], start, end)
    many_events(sandbox, "Busy", 110, start + dt.timedelta(hours=1))
    everything = busy(sandbox, IAN, start, end)
    assert len(everything) == 110
    first_page = sandbox.get(
        f"/calendar/{ACME_CAL}/busy", calendar_id=IAN, start_gte=iso(start), end_lt=iso(end)
    ).json()
    assert len(first_page) == 100
    assert [Busy.from_api(b) for b in first_page] == everything[:100]


def test_busy_needs_a_window(sandbox):
    response = sandbox.get(f"/calendar/{ACME_CAL}/busy", calendar_id=IAN)
    assert response.status_code == 400
    assert "start_gte" in response.json()["message"]


def seeded_busy_against_events(sandbox, calendar, start, end):
    """Check one seeded calendar's busy blocks against its events (its own and the
    invitations it holds) over the window; count what was seen."""
    email, zone = calendar["id"], ZoneInfo(calendar["timezone"])
    events, offset = [], 0
    while True:
        page = sandbox.get(
            f"/calendar/{ACME_CAL}/event",
            calendar_id=email,
            expand="true",
            start_gte=iso(start),
            end_lt=iso(end),
            offset=offset,
        ).json()
        events += page
        if len(page) < 100:
            break
        offset += 100
    blocks = busy(sandbox, email, start, end)
    spans = {}
    for data in events:
        event = Event.from_api(data)
        if event.is_all_day:  # whole local days of the person asked about
            first, after = event.all_day_dates
            s = dt.datetime.combine(first, dt.time(0), zone).astimezone(UTC)
            e = dt.datetime.combine(after, dt.time(0), zone).astimezone(UTC)
        else:
            s, e = event.start_at, event.end_at
        # Busy blocks are clipped to the window, and so are the spans they are checked by
        # (an evening meeting in Los Angeles on the last day ends after the window does).
        spans[event.id] = (max(s, start), min(e, end))

    def blocks_them(event):
        declined = any(a.email == email and a.status == "REJECTED" for a in event.attendees)
        return not event.is_free and not event.is_canceled and not declined

    parsed = [Event.from_api(e) for e in events]
    solid = [e for e in parsed if blocks_them(e)]
    idle = [e for e in parsed if not blocks_them(e)]
    for event in solid:
        assert covers(blocks, *spans[event.id]), (email, event.subject)
    checked = 0
    for event in idle:
        s, e = spans[event.id]
        if not any(spans[o.id][0] < e and spans[o.id][1] > s for o in solid):
            assert not overlaps(blocks, s, e), (email, event.subject)
            checked += 1
    return {
        "solid": len(solid),
        "free": sum(e.is_free for e in idle),
        "canceled": sum(e.is_canceled for e in idle),
        "checked": checked,
    }


def test_seeded_busy_skips_free_and_canceled_seed_events(sandbox):
    # About the seed, on every calendar of the company over the whole seeded range (which
    # person has a canceled meeting depends on the day the seed is built for).
    anchor = sandbox.anchor
    start, end = day_at(anchor, -21), day_at(anchor, 56)
    seen = {"solid": 0, "free": 0, "canceled": 0, "checked": 0}
    calendars = sandbox.get(f"/calendar/{ACME_CAL}/calendar").json()
    assert len(calendars) >= 12
    for calendar in calendars:
        for key, count in seeded_busy_against_events(sandbox, calendar, start, end).items():
            seen[key] += count
    assert all(seen.values()), seen


def test_event_list_filters_window_calendar_and_expand(sandbox):
    anchor = sandbox.anchor
    start, end = day_at(anchor, 0), day_at(anchor, 7)
    params = {
        "calendar_id": "daniel.okafor@acme.example",
        "start_gte": iso(start),
        "end_lt": iso(end),
    }
    expanded = sandbox.get(f"/calendar/{ACME_CAL}/event", expand="true", **params).json()
    series = sandbox.get(f"/calendar/{ACME_CAL}/event", **params).json()
    standups = [e for e in expanded if e["subject"] == "Autonomy stand-up"]
    assert len(standups) >= 4
    assert all(e["recurring_event_id"] and "recurrence" not in e for e in standups)
    masters = [e for e in series if e["subject"] == "Autonomy stand-up"]
    assert len(masters) == 1
    assert masters[0]["recurrence"][0]["frequency"] == "WEEKLY"
    assert masters[0]["id"] == standups[0]["recurring_event_id"]
    for event in expanded:
        parsed = Event.from_api(event)
        first, after = parsed.all_day_dates or (None, None)
        if parsed.is_all_day:
            # Whole days of the calendar's zone: in New York, the day before the window
            # reaches past its midnight UTC start.
            zone = ZoneInfo(event["timezone"])
            day_start = dt.datetime.combine(first, dt.time(0), zone)
            day_end = dt.datetime.combine(after, dt.time(0), zone)
            assert day_start < end and day_end > start
        else:
            assert parsed.start_at < end and parsed.end_at > start


def employee_id(sandbox, email):
    """The HRIS employee (on the ATS connection, §6) with this work address."""
    response = sandbox.get(f"/hris/{seed.ACME_ATS_CONNECTION_ID}/employee", limit=100)
    assert response.status_code == 200, response.text
    return next(e["id"] for e in response.json() if any(m["email"] == email for m in e["emails"]))


def busy_for_user(sandbox, user_id, start, end, **params):
    response = sandbox.get(
        f"/calendar/{ACME_CAL}/busy",
        user_id=user_id,
        start_gte=iso(start),
        end_lt=iso(end),
        **params,
    )
    assert response.status_code == 200, response.text
    return [Busy.from_api(b) for b in response.json()]


def test_busy_by_user_id_is_that_employees_own_calendar(sandbox):
    day = empty_day(sandbox)
    start = dt.datetime.combine(day, dt.time(14), UTC)
    create_event(sandbox, start_at=iso(start), end_at=iso(start + dt.timedelta(hours=1)))
    window = (start - dt.timedelta(hours=2), start + dt.timedelta(hours=4))
    ian = employee_id(sandbox, IAN)
    assert busy_for_user(sandbox, ian, *window) == busy(sandbox, IAN, *window)
    assert covers(busy_for_user(sandbox, ian, *window), start, start + dt.timedelta(hours=1))


def test_busy_by_user_id_on_another_calendar_keeps_only_the_events_they_are_on(sandbox):
    day = empty_day(sandbox)
    start = dt.datetime.combine(day, dt.time(14), UTC)
    colleague = "priya.natarajan@acme.example"
    hour = dt.timedelta(hours=1)
    create_event(sandbox, subject="Alone", start_at=iso(start), end_at=iso(start + hour))
    create_event(
        sandbox,
        subject="Together",
        attendees=[{"email": colleague, "required": True}],
        start_at=iso(start + 2 * hour),
        end_at=iso(start + 3 * hour),
    )
    window = (start - hour, start + 4 * hour)
    assert len(busy(sandbox, IAN, *window)) == 2
    blocks = busy_for_user(sandbox, employee_id(sandbox, colleague), *window, calendar_id=IAN)
    assert [(b.start_at, b.end_at) for b in blocks] == [(start + 2 * hour, start + 3 * hour)]


def test_busy_for_an_unknown_user_id_is_a_clear_400(sandbox):
    start = day_at(sandbox.anchor, 2)
    response = sandbox.get(
        f"/calendar/{ACME_CAL}/busy",
        user_id="no-such-employee",
        start_gte=iso(start),
        end_lt=iso(start + dt.timedelta(hours=1)),
    )
    assert response.status_code == 400
    assert "no-such-employee" in response.json()["message"]


def test_clearing_a_stretch_deletes_what_is_on_or_invites_those_people_only(sandbox):
    start = day_at(sandbox.anchor, 4, 15)
    mine = create_event(sandbox, start_at=iso(start), end_at=iso(start + dt.timedelta(hours=1)))
    invited = create_event(
        sandbox,
        calendar_id="recruiter@acme.example",
        attendees=[{"email": IAN}],
        start_at=iso(start),
        end_at=iso(start + dt.timedelta(hours=1)),
    )
    other = create_event(
        sandbox,
        calendar_id="recruiter@acme.example",
        start_at=iso(start),
        end_at=iso(start + dt.timedelta(hours=1)),
    )
    after = create_event(
        sandbox,
        start_at=iso(start + dt.timedelta(days=2)),
        end_at=iso(start + dt.timedelta(days=2, hours=1)),
    )
    removed = sandbox.clear_calendars(
        ACME_CAL, [IAN], day_at(sandbox.anchor, 4), day_at(sandbox.anchor, 5)
    )
    assert {mine["id"], invited["id"]} <= set(removed)
    assert other["id"] not in removed and after["id"] not in removed
    assert busy(sandbox, IAN, day_at(sandbox.anchor, 4), day_at(sandbox.anchor, 5)) == []
    assert busy(sandbox, IAN, start + dt.timedelta(days=2), start + dt.timedelta(days=2, hours=1))
    with pytest.raises(Exception, match="400"):
        sandbox.clear_calendars(ACME_CAL, [], start, start)
