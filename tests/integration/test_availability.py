"""Issue 23 against the live sandbox: a recruiter asks a candidate in Sydney for the times
they can do, the candidate sends three, and the recruiter books the two-session panel inside
them in one click: the events and the ATS interviews are in the sandbox, and the candidate
gets the usual confirmation.

The candidate's times are New York afternoons of weekdays the test cleared for the panel's
people (Maya and Sofía overlap from 12:00 to 17:00 New York time), read on Sydney's clock."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from candidates import links
from candidates.models import AvailabilityRequest, BookingLink
from scheduling.models import Interview
from tests.integration.test_scheduling import drain, sandbox_client
from tests.live_world import free_days, new_application, plan_people, team_zone

pytestmark = pytest.mark.sandbox

SYDNEY = ZoneInfo("Australia/Sydney")
START = re.compile(r'name="start" value="([^"]+)"')


def windows_of(acme, days, start=dt.time(15), end=dt.time(17)):
    """The team's afternoons of `days` as instants: [(start, end)]."""
    team = team_zone(acme)
    return [(dt.datetime.combine(d, start, team), dt.datetime.combine(d, end, team)) for d in days]


def rows_in(zone, windows):
    """The form's rows for `windows` on `zone`'s clock."""
    data = {"day": [], "start": [], "end": [], "tz": zone.key}
    for a, b in windows:
        a, b = a.astimezone(zone), b.astimezone(zone)
        data["day"].append(a.date().isoformat())
        data["start"].append(f"{a:%H:%M}")
        data["end"].append(f"{b:%H:%M}")
    return data


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def test_the_recruiter_books_the_panel_inside_the_candidates_times(
    acme, panel_plan, recruiter_client, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    application = new_application(acme)
    candidate = application.candidate
    days = free_days(acme, plan_people(panel_plan), 3)
    windows = windows_of(acme, days)

    with capture(execute=True):
        response = recruiter_client.post(
            reverse("availability_ask"), {"application": application.pk}
        )
    assert response.status_code == 302
    drain()
    (asking,) = mail.outbox
    assert asking.to == [candidate.email]
    request = AvailabilityRequest.objects.get(application=application)
    page = reverse("availability_page", args=[links.token_for(request.link)])
    assert page in asking.body
    mail.outbox.clear()

    with capture(execute=True):
        sent = client.post(page, rows_in(SYDNEY, windows))
    assert sent.status_code == 302, text(sent)[:1000]
    drain()
    request.refresh_from_db()
    assert [(w.start_at, w.end_at) for w in request.windows.all()] == windows
    assert {w.zone_name for w in request.windows.all()} == {"Australia/Sydney"}
    # The recruiter who asked is told, on their clock.
    (told,) = mail.outbox
    assert "15:00–17:00" in told.body
    mail.outbox.clear()

    book = reverse("availability_book", args=[application.pk, request.pk])
    offered = recruiter_client.get(book)
    assert offered.status_code == 200
    starts = [dt.datetime.fromisoformat(s) for s in START.findall(offered.content.decode())]
    assert starts
    length = dt.timedelta(minutes=105)  # an hour with Maya, 45 minutes with Sofía
    assert all(any(a <= s and s + length <= b for a, b in windows) for s in starts)

    with capture(execute=True):
        booked = recruiter_client.post(book, {"start": starts[0].isoformat()})
    assert booked.status_code == 302, text(booked)[:1000]
    drain()
    interview = Interview.objects.get(application=application)
    assert interview.start_at == starts[0] and interview.candidate_timezone == "Australia/Sydney"
    request.refresh_from_db()
    assert request.used_at is not None and request.interview == interview
    link = BookingLink.objects.get(pk=request.link_id)
    assert link.state == BookingLink.State.BOOKED and link.interview == interview

    # The calendar and the ATS hold each session at its time.
    api = sandbox_client(acme["sandbox"])
    sessions = list(interview.sessions.order_by("start_at"))
    assert len(sessions) == 2
    for session in sessions:
        event = api.get_event(acme["calendar"].unified_id, session.event_id)
        assert (event.start_at, event.end_at) == (session.start_at, session.end_at)
        ats = api.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "SCHEDULED" and ats.start_at == session.start_at
    # The candidate's usual confirmation, on their clock, with their page to come back to.
    (confirmation,) = [m for m in mail.outbox if m.to == [candidate.email]]
    assert links.url_for(link) in confirmation.body
    assert "Sydney time" in confirmation.body
