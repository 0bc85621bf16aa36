"""Issue 7 against the live sandbox: a recruiter sends a link, the candidate books the
two-session panel from it, moves it and cancels it; the calendar and the ATS follow.

A link's window is made of weekdays the test cleared for the panel's people, read on the
candidate's clock (`dates_in`), so every time it offers is one the test knows is free."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from candidates import links
from candidates.models import BookingLink
from scheduling.models import Interview
from scheduling.unified.errors import NotFoundError
from tests.integration.test_scheduling import drain, ics_of, sandbox_client
from tests.live_world import (
    dates_in,
    free_days,
    monday_of,
    new_application,
    next_week,
    plan_people,
)

pytestmark = pytest.mark.sandbox

TIME = re.compile(r'class="time" href="(/book/[^"?]+/confirm/)\?start=(\w+)&amp;tz=([\w/]+)"')


def send(recruiter_client, application, capture, first, last):
    """Send the application a link offering the days from `first` to `last`."""
    with capture(execute=True):
        response = recruiter_client.post(
            reverse("links_send"),
            {
                "application": application.pk,
                "plan": "",
                "window_start": first.isoformat(),
                "window_end": last.isoformat(),
                "expiry_days": "7",
                "send": "1",
            },
        )
    assert response.status_code == 302
    return BookingLink.objects.get(application=application)


def times(client, path, **params):
    response = client.get(path, {"tz": "Europe/Berlin", **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return TIME.findall(response.content.decode())


def post(client, path, capture, data):
    with capture(execute=True):
        response = client.post(path, data)
    assert response.status_code == 302, response.content.decode()[:1000]
    drain()
    return response


def test_a_candidate_books_moves_and_cancels_from_their_link(
    acme, panel_plan, recruiter_client, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    application = new_application(acme)
    candidate = application.candidate
    # Two cleared weekdays, as a candidate in Berlin reads them.
    dates = dates_in(acme, "Europe/Berlin", free_days(acme, plan_people(panel_plan), 2))
    link = send(recruiter_client, application, capture, dates[0], dates[-1])
    (invitation,) = mail.outbox
    assert invitation.to == [candidate.email]
    page_path = reverse("booking_page", args=[links.token_for(link)])
    assert page_path in invitation.body
    mail.outbox.clear()

    # Book the first time offered: the whole loop, Maya's session and Sofía's.
    offered = times(client, page_path)
    confirm_path, start, zone = offered[0]
    assert zone == "Europe/Berlin"
    post(
        client, confirm_path, capture, {"start": start, "tz": zone, "version": 0, "action": "book"}
    )

    link.refresh_from_db()
    interview = link.interview
    sessions = list(interview.sessions.order_by("position"))
    assert link.state == BookingLink.State.BOOKED and len(sessions) == 2
    assert interview.source == Interview.Source.CANDIDATE
    unified = sandbox_client(acme["sandbox"])
    for session in sessions:
        event = unified.get_event(acme["calendar"].unified_id, session.event_id)
        assert event.start_at == session.start_at
        # Internal: the candidate's one invitation is the email's calendar file.
        assert candidate.email not in {a.email for a in event.attendees}
        ats = unified.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.external_event_xref == session.event_id and ats.status == "SCHEDULED"
    (confirmation,) = mail.outbox
    assert "confirmed" in confirmation.subject
    assert links.url_for(link) in confirmation.body
    assert "Berlin time (Germany, UTC+" in confirmation.body
    ics = client.get(reverse("booking_ics", args=[links.token_for(link)])).content.decode()
    assert f"UID:{interview.ics_uid}" in ics and "SEQUENCE:0" in ics
    assert f"UID:{interview.ics_uid}" in ics_of(confirmation)
    mail.outbox.clear()

    # Move it to a later time: the same events and ATS interviews move.
    before = {s.pk: (s.event_id, s.ats_interview_id) for s in sessions}
    reschedule_path = reverse("booking_reschedule", args=[links.token_for(link)])
    later = [t for t in times(client, reschedule_path) if t[1] > start]
    new_start = later[-1][1]
    post(
        client,
        confirm_path,
        capture,
        {"start": new_start, "tz": zone, "version": 1, "action": "reschedule"},
    )
    interview.refresh_from_db()
    assert interview.start_at == dt.datetime.strptime(new_start, "%Y%m%dT%H%MZ").replace(
        tzinfo=dt.UTC
    )
    for session in interview.sessions.all():
        assert (session.event_id, session.ats_interview_id) == before[session.pk]
        event = unified.get_event(acme["calendar"].unified_id, session.event_id)
        assert event.start_at == session.start_at
        ats = unified.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.start_at == session.start_at
    (moved,) = mail.outbox
    assert "New time" in moved.subject and links.url_for(link) in moved.body
    assert "SEQUENCE:1" in ics_of(moved)
    mail.outbox.clear()

    # Cancel it with a reason: events gone, ATS interviews canceled, the recruiter told.
    cancel_path = reverse("booking_cancel", args=[links.token_for(link)])
    post(client, cancel_path, capture, {"version": 2, "reason": "I accepted another offer."})
    interview.refresh_from_db()
    assert not interview.is_active and interview.cancel_reason == "I accepted another offer."
    for session in interview.sessions.all():
        with pytest.raises(NotFoundError):
            unified.get_event(acme["calendar"].unified_id, session.event_id)
        ats = unified.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "CANCELED"
    by_address = {m.to[0]: m for m in mail.outbox}
    told = by_address["rosa@acme.example"]
    assert candidate.name in told.subject and "I accepted another offer." in told.body
    assert "METHOD:CANCEL" in ics_of(by_address[candidate.email])
    link.refresh_from_db()
    assert link.state == BookingLink.State.OPEN  # the candidate may pick a new time
    assert times(client, page_path)


def test_the_slot_fragment_asks_unified_once_until_a_calendar_changes(
    acme, panel_plan, recruiter_client, client, django_capture_on_commit_callbacks
):
    from scheduling import slots

    application = new_application(acme)
    # A cleared weekday, as a candidate in Berlin reads it (New York's noon is within a
    # Berlin candidate's hours).
    (date,) = dates_in(acme, "Europe/Berlin", free_days(acme, plan_people(panel_plan)))
    link = send(recruiter_client, application, django_capture_on_commit_callbacks, date, date)
    path = reverse("booking_page", args=[links.token_for(link)])
    sandbox = acme["sandbox"]
    sandbox.reset_stats()
    week = {"tz": "Europe/Berlin", "week": monday_of(date).isoformat()}
    first = client.get(path, week, headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'class="time"' in first.content.decode()
    busy_calls = sum(n for route, n in sandbox.stats()["routes"].items() if "busy" in route)
    assert busy_calls == 4  # one per person on the plan
    for _ in range(3):
        again = client.get(path, week, headers={"HX-Request": "true"})
        assert again.content == first.content
    assert sum(n for r, n in sandbox.stats()["routes"].items() if "busy" in r) == busy_calls
    # A webhook says a calendar changed: the next fragment asks again.
    slots.invalidate_busy(acme["calendar"].unified_id)
    client.get(path, week, headers={"HX-Request": "true"})
    assert sum(n for r, n in sandbox.stats()["routes"].items() if "busy" in r) == 2 * busy_calls


def test_a_candidate_page_with_unified_failing_says_try_again(
    acme, panel_plan, recruiter_client, client, django_capture_on_commit_callbacks
):
    application = new_application(acme)
    monday = next_week()  # no time is shown: which are free does not matter
    link = send(
        recruiter_client,
        application,
        django_capture_on_commit_callbacks,
        monday,
        monday + dt.timedelta(days=4),
    )
    acme["sandbox"].set_faults(rate_500=1.0, retry_after=0)
    try:
        response = client.get(reverse("booking_page", args=[links.token_for(link)]))
    finally:
        acme["sandbox"].clear_faults()
    assert response.status_code == 503
    assert "We can’t show times right now" in response.content.decode()
