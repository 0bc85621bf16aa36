"""A two-session loop whose plan asks for a debrief, against the live sandbox: the debrief is
booked on the organizer's calendar with the panel invited, in the panel's busy times, after
the loop and within the window; it moves when the loop moves, and its event is removed when
the loop is canceled. Webhooks for its event never touch the interview."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction

from scheduling import booking, connections, debriefs, slots
from scheduling.models import Debrief, Interview, InterviewPlan, PlanSession
from scheduling.unified.client import UnifiedClient
from scheduling.unified.errors import NotFoundError
from tests.integration.conftest import person
from tests.live_world import drain, free_days, new_application, settled, team_zone

pytestmark = pytest.mark.sandbox


@pytest.fixture
def plan(acme, tenant):
    """Coding (Maya) then a technical panel (Daniel and Sofía), with a debrief booked at once."""
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Coding loop with a debrief",
        order="fixed",
        break_minutes=15,
        minimum_notice_hours=24,
        horizon_days=30,
        debrief=True,
        debrief_minutes=30,
        debrief_within_days=2,
        debrief_auto_book=True,
    )
    coding = PlanSession.objects.create(
        plan=plan, position=0, title_template="Coding", duration_minutes=60
    )
    coding.required.add(person(acme, "Maya"))
    panel = PlanSession.objects.create(
        plan=plan, position=1, title_template="Technical panel", duration_minutes=60
    )
    panel.required.add(person(acme, "Daniel"), person(acme, "Sof"))
    return plan


def first_loop_on(acme, application, plan, day, *, exclude=None):
    zone = team_zone(acme)
    offer = slots.find(
        application,
        plan,
        start=dt.datetime.combine(day, dt.time(0), zone),
        end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone),
        candidate_zone=zone.key,
        exclude_interview=exclude,
    )
    assert offer.slots, f"the cleared day {day} offers no time for the loop"
    return offer.choice_for(offer.slots[0], application)


def client_for(acme):
    return UnifiedClient(acme["sandbox"].base_url, acme["sandbox"].token)


def busy_at(person_, start, end):
    cache.clear()
    blocks = slots.busy_blocks([person_], start, end).get(str(person_.pk), ())
    return any(a < end.timestamp() and b > start.timestamp() for a, b in blocks)


def assert_booked_within(acme, interview, debrief):
    """The debrief's event stands on the organizer's calendar at its time, the panel invited
    and busy then, after the loop and within two working days of it."""
    assert debrief.status == Debrief.Status.BOOKED
    assert debrief.event_id
    assert debrief.start_at >= interview.end_at
    _, window_end = debriefs.window(interview.end_at, 2, acme["ats"].tenant.default_timezone)
    assert debrief.end_at <= window_end
    event = client_for(acme).get_event(acme["calendar"].unified_id, debrief.event_id)
    assert (event.start_at, event.end_at) == (debrief.start_at, debrief.end_at)
    assert event.subject.startswith("Debrief: ")
    assert debrief.ref in event.notes
    assert f"/interviews/{interview.pk}/#feedback" in event.notes
    panel = list(debrief.panel.all())
    invited = {a.email for a in event.attendees}
    assert {p.email for p in panel} <= invited
    # No candidate on it.
    assert interview.application.candidate.email not in invited
    for p in panel:
        if p.has_calendar:
            assert busy_at(p, debrief.start_at, debrief.end_at), f"{p} is not busy then"
    return event


@pytest.mark.django_db(transaction=True)
def test_a_loop_with_a_debrief_books_it_moves_it_and_removes_it(acme, plan, live_server, settings):
    application = new_application(acme)
    loop_people = [person(acme, name) for name in ("Maya", "Daniel", "Sof")]
    managers = list(application.job.hiring_managers.all()) if application.job else []
    first, second = free_days(acme, [*loop_people, *managers], 2)
    settings.SITE_URL = live_server.url
    connections.register_webhooks(acme["calendar"])

    with transaction.atomic():
        interview = booking.book(application, plan, first_loop_on(acme, application, plan, first))
    drain()
    settled()
    drain()
    interview = Interview.objects.get(pk=interview.pk)
    debrief = Debrief.objects.get(interview=interview)
    assert {p.pk for p in debrief.panel.all()} == {p.pk for p in [*loop_people, *managers]}
    event = assert_booked_within(acme, interview, debrief)
    # The panel was free all day: the first time that suits everyone is right after the loop.
    assert debrief.start_at == interview.end_at
    # Its event's webhook changed nothing of the interview.
    assert not interview.flags.exists()
    assert all(s.event_id != debrief.event_id for s in interview.sessions.all())
    old_event_id = event.id

    # The loop moves to the next cleared day: the debrief follows it.
    with transaction.atomic():
        booking.reschedule(
            interview, first_loop_on(acme, application, plan, second, exclude=interview)
        )
    drain()
    settled()
    drain()
    interview = Interview.objects.get(pk=interview.pk)
    debrief.refresh_from_db()
    assert interview.start_at.astimezone(team_zone(acme)).date() == second
    assert debrief.event_id == old_event_id  # the same event, moved
    assert_booked_within(acme, interview, debrief)
    assert debrief.start_at.astimezone(team_zone(acme)).date() == second
    assert not interview.flags.exists()

    # The loop is canceled: the debrief's event goes.
    with transaction.atomic():
        booking.cancel(interview, reason="The candidate withdrew")
    drain()
    settled()
    debrief.refresh_from_db()
    assert debrief.status == Debrief.Status.CANCELED
    assert debrief.event_id == ""
    with pytest.raises(NotFoundError):
        event = client_for(acme).get_event(acme["calendar"].unified_id, old_event_id)
        # A sandbox that keeps canceled events says so instead.
        if event.is_canceled:
            raise NotFoundError("canceled")
