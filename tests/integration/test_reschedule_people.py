"""A reschedule keeps the interview's people wherever they are free and, before booking,
says who would change and why; the history records the swap (issue 19)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import strip_tags

from scheduling.models import Interview
from tests.integration.conftest import person
from tests.integration.test_scheduling import book
from tests.live_world import free_days, new_application, plan_people, slots_on, team_zone

pytestmark = pytest.mark.sandbox


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def test_a_reschedule_says_who_changes_and_why_and_the_history_records_it(
    acme, panel_plan, recruiter_client, django_capture_on_commit_callbacks
):
    (day,) = free_days(acme, plan_people(panel_plan))
    application = new_application(acme)
    url = reverse("schedule", args=[application.pk])
    afternoon = dt.datetime.combine(day, dt.time(13), team_zone(acme))
    slot = next(s for s in slots_on(recruiter_client, url, day) if s.start >= afternoon)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, day, slot)
    technical = interview.sessions.get(plan_session__position=0)
    (was,) = [a.interviewer for a in technical.attendees.filter(role="pool")]
    other = next(p for p in (person(acme, "Daniel"), person(acme, "Grace")) if p != was)

    # An hour later the pool's person is busy in their calendar; the other is free.
    later = interview.start_at + dt.timedelta(hours=1)
    acme["sandbox"].create_event(
        acme["calendar"].unified_id, was.email, later - dt.timedelta(hours=1), minutes=240
    )
    assert acme["sandbox"].wait_deliveries(timeout=30)
    cache.clear()  # busy blocks Convene fetched before are stale now (as clear_day does)
    move = reverse("reschedule", args=[interview.pk])
    page = recruiter_client.get(move, {"week": day.isoformat(), "at": later.isoformat()})
    assert page.status_code == 200
    shown = text(page)
    assert "Who changes" in shown
    assert f"{was.name} leaves" in shown and "(busy in their calendar then)" in shown
    assert f"{other.name} instead" in shown
    # Maya and Sofía stay where they are: nobody says they leave.
    assert "Maya Chen leaves" not in shown and "Sofía" not in shown.split("Who changes")[1]

    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            move, {"start": later.isoformat(), "week": day.isoformat()}
        )
    assert response.status_code == 302
    interview = Interview.objects.get(pk=interview.pk)
    assert interview.start_at == later
    history = text(recruiter_client.get(reverse("interview_detail", args=[interview.pk])))
    assert f"{other.name} replaces {was.name}" in history


def test_the_same_people_are_kept_where_they_are_free(
    acme, panel_plan, recruiter_client, django_capture_on_commit_callbacks
):
    (day,) = free_days(acme, plan_people(panel_plan))
    application = new_application(acme)
    url = reverse("schedule", args=[application.pk])
    afternoon = dt.datetime.combine(day, dt.time(13), team_zone(acme))
    slot = next(s for s in slots_on(recruiter_client, url, day) if s.start >= afternoon)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, day, slot)
    before = {
        a.interviewer_id for s in interview.sessions.all() for a in s.attendees.filter(active=True)
    }
    later = interview.start_at + dt.timedelta(minutes=30)
    move = reverse("reschedule", args=[interview.pk])
    page = recruiter_client.get(move, {"week": day.isoformat(), "at": later.isoformat()})
    assert "The same people as now." in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(move, {"start": later.isoformat(), "week": day.isoformat()})
    interview = Interview.objects.get(pk=interview.pk)
    after = {
        a.interviewer_id for s in interview.sessions.all() for a in s.attendees.filter(active=True)
    }
    assert interview.start_at == later and after == before
