"""The sandbox page: a person moves, renames, answers, cancels or deletes an event and moves
an application with plain forms; each change fires the webhook and says how it went."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox

ACME_ATS = seed.ACME_ATS_CONNECTION_ID
ACME_CAL = seed.ACME_CALENDAR_CONNECTION_ID
IAN = "interviewer@acme.example"


def post_form(sandbox, path, **form):
    return requests.post(
        sandbox.base_url + path, data={"next": "/", **form}, allow_redirects=False, timeout=10
    )


def message(response):
    assert response.status_code == 303
    return parse_qs(urlsplit(response.headers["Location"]).query)["msg"][0]


def upcoming_event(sandbox):
    """A timed event on Ian's calendar, with two invitees, two days after the anchor: this
    test's own."""
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=2), dt.time(15), dt.UTC)
    attendees = [
        {"email": "marcus.johnson@acme.example", "required": True},
        {"email": IAN, "required": True, "status": "ACCEPTED"},
    ]
    return sandbox.create_event(
        ACME_CAL, IAN, start, 45, subject="Design review", attendees=attendees
    )


def test_the_home_page_lists_connections_and_links_to_calendars(sandbox):
    page = requests.get(sandbox.base_url + "/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    for connection_id in seed.SEEDED_CONNECTIONS:
        assert connection_id in page.text
    calendar = requests.get(
        f"{sandbox.base_url}/sandbox/calendar/{ACME_CAL}", params={"calendar": IAN}, timeout=10
    )
    assert calendar.status_code == 200
    assert "Autonomy stand-up" in calendar.text
    assert 'action="/sandbox/events/' in calendar.text
    ats = requests.get(f"{sandbox.base_url}/sandbox/ats/{ACME_ATS}", timeout=10)
    assert ats.status_code == 200
    assert "Technical Phone Interview" in ats.text


def test_moving_an_event_by_form_keeps_its_length_and_reports_the_webhook(sandbox, receiver):
    sandbox.call(
        "POST",
        "/unified/webhook",
        json={
            "connection_id": ACME_CAL,
            "object_type": "calendar_event",
            "event": "updated",
            "hook_url": receiver.url,
        },
    )
    event = upcoming_event(sandbox)
    start = dt.datetime.fromisoformat(event["start_at"])
    length = dt.datetime.fromisoformat(event["end_at"]) - start
    new_day = (start + dt.timedelta(days=1)).astimezone(ZoneInfo(event["timezone"])).date()
    response = post_form(
        sandbox,
        f"/sandbox/events/{ACME_CAL}/{event['id']}/move",
        date=new_day.isoformat(),
        time="16:30",
    )
    text = message(response)
    assert "Moved" in text
    assert "delivered → 200" in text
    moved = sandbox.get(f"/calendar/{ACME_CAL}/event/{event['id']}").json()
    new_start = dt.datetime.fromisoformat(moved["start_at"])
    local = new_start.astimezone(ZoneInfo(event["timezone"]))
    assert (local.date(), local.strftime("%H:%M")) == (new_day, "16:30")
    assert dt.datetime.fromisoformat(moved["end_at"]) - new_start == length
    [body] = receiver.wait_for(1)
    assert body["data"][0]["start_at"] == moved["start_at"]


def test_event_forms_rename_answer_cancel_and_delete(sandbox):
    event = upcoming_event(sandbox)
    base = f"/sandbox/events/{ACME_CAL}/{event['id']}"
    text = message(post_form(sandbox, f"{base}/edit", subject="Moved to Thursday"))
    assert "No webhook is subscribed" in text
    assert sandbox.get(f"/calendar/{ACME_CAL}/event/{event['id']}").json()["subject"] == (
        "Moved to Thursday"
    )
    email = event["attendees"][0]["email"]
    message(post_form(sandbox, f"{base}/respond", email=email, status="REJECTED"))
    answered = sandbox.get(f"/calendar/{ACME_CAL}/event/{event['id']}").json()
    assert answered["attendees"][0]["status"] == "REJECTED"
    message(post_form(sandbox, f"{base}/cancel"))
    assert sandbox.get(f"/calendar/{ACME_CAL}/event/{event['id']}").json()["status"] == "CANCELED"
    message(post_form(sandbox, f"{base}/delete"))
    assert sandbox.get(f"/calendar/{ACME_CAL}/event/{event['id']}").status_code == 404


def test_changing_an_applications_stage_by_form(sandbox):
    _, app = sandbox.create_application(ACME_ATS, status="SCREENING")
    text = message(
        post_form(
            sandbox,
            f"/sandbox/applications/{ACME_ATS}/{app['id']}/status",
            original_status="Face to Face",
        )
    )
    assert "SECOND_INTERVIEW" in text
    stored = sandbox.get(f"/ats/{ACME_ATS}/application/{app['id']}").json()
    assert stored["status"] == "SECOND_INTERVIEW"


def test_changed_events_show_on_the_home_page(sandbox):
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=2), dt.time(18), dt.UTC)
    sandbox.call(
        "POST",
        f"/calendar/{ACME_CAL}/event",
        json={
            "calendar_id": IAN,
            "subject": "Interview: Grace Hopper",
            "start_at": start.isoformat(),
            "end_at": (start + dt.timedelta(hours=1)).isoformat(),
        },
    )
    page = requests.get(sandbox.base_url + "/", timeout=10).text
    assert "Interview: Grace Hopper" in page


def test_the_handle_helpers_move_and_delete(sandbox):
    event = upcoming_event(sandbox)
    new_start = dt.datetime.fromisoformat(event["start_at"]) + dt.timedelta(hours=2)
    moved = sandbox.move_event(ACME_CAL, event["id"], new_start)
    assert moved["start_at"] == new_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.delete_event(ACME_CAL, event["id"])
    assert sandbox.get(f"/calendar/{ACME_CAL}/event/{event['id']}").status_code == 404
    with pytest.raises(requests.HTTPError):
        sandbox.delete_event(ACME_CAL, event["id"])
