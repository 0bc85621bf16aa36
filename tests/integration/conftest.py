"""A tenant whose ATS and company calendar are the sandbox's Acme world, mirrored, and the
data a test owns in it (tests/live_world.py): the sandbox's seed changes every day, so a test
never looks for the seeded application, event or free time it needs."""

import pytest

from candidates.sync import run_sync, start_sync
from scheduling.connections import refresh_calendars
from scheduling.models import Connection, Interviewer, InterviewPlan, PlanPool, PlanSession
from tests.live_world import free_days, plan_people


@pytest.fixture
def acme(live_unified, tenant, django_capture_on_commit_callbacks):
    ats = Connection.objects.create(
        tenant=tenant,
        category="ats",
        integration_type="greenhouse",
        integration_name="Greenhouse",
        unified_id=live_unified.acme_ats,
    )
    calendar = Connection.objects.create(
        tenant=tenant,
        category="calendar",
        integration_type="googlecalendar",
        integration_name="Google Calendar",
        unified_id=live_unified.acme_calendar,
    )
    with django_capture_on_commit_callbacks(execute=False):
        run = run_sync(start_sync(ats).pk)
    assert run.status == "succeeded", run.error
    refresh_calendars(calendar)
    people = {i.email: i for i in Interviewer.objects.filter(tenant=tenant)}
    return {"ats": ats, "calendar": calendar, "people": people, "sandbox": live_unified}


def person(acme, name):
    return next(p for p in acme["people"].values() if p.name.startswith(name))


@pytest.fixture
def panel_plan(acme, tenant):
    """Two sessions in either order: Maya (New York) with one of Daniel (New York) or Grace
    (Los Angeles) for an hour, and Sofía (Los Angeles) for 45 minutes."""
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        order="any",
        break_minutes=0,
        minimum_notice_hours=24,
        horizon_days=30,
        scorecard_questions=["Problem solving", "Communication"],
    )
    technical = PlanSession.objects.create(
        plan=plan, position=0, title_template="{job} – technical", duration_minutes=60
    )
    technical.required.add(person(acme, "Maya"))
    pool = PlanPool.objects.create(session=technical, k=1)
    pool.members.add(person(acme, "Daniel"), person(acme, "Grace"))
    values = PlanSession.objects.create(
        plan=plan, position=1, title_template="Values", duration_minutes=45
    )
    values.required.add(person(acme, "Sof"))
    return plan


@pytest.fixture
def panel_day(acme, panel_plan):
    """The first weekday past the plan's notice, with every calendar of the panel's people
    cleared on it: where a test books (Maya and Sofía overlap from 12:00 to 17:00 New York
    time)."""
    return free_days(acme, plan_people(panel_plan))[0]
