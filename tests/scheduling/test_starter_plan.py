"""The starter plan: a handful of interviewers who work in or near the team's zone and can
meet candidates within their hours; it says what it did. Acme's zone is New York."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from scheduling import plans, slots
from scheduling.models import AuditEntry, InterviewPlan
from tests import factories as f

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 15:00 UTC (10:00 in New York).
NOW = dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC)
NIGHTS = [[["21:00", "24:00"]]] * 5 + [[], []]


@pytest.fixture
def team(tenant):
    return {
        "ny": [f.interviewer(tenant, n) for n in ("Ann Lee", "Bo Kim")],
        "la": f.interviewer(tenant, "Cy Diaz", timezone="America/Los_Angeles"),
        "london": f.interviewer(tenant, "Di Roy", timezone="Europe/London"),
        "bengaluru": f.interviewer(tenant, "Ek Rao", timezone="Asia/Kolkata"),
        "nights": f.interviewer(tenant, "Fa Ng", working_hours=NIGHTS),
        "inactive": f.interviewer(tenant, "Gu Po", active=False),
    }


def test_the_starter_plan_takes_people_near_the_team_who_meet_candidate_hours(
    tenant, recruiter, team
):
    starter = plans.create_starter_plan(tenant, recruiter, now=NOW)

    members = list(starter.plan.sessions.get().pools.get().members.order_by("name"))
    assert [p.name for p in members] == ["Ann Lee", "Bo Kim", "Cy Diaz"]
    assert starter.summary == (
        "Made “Default interview”: one hour with one of Ann Lee, Bo Kim and Cy Diaz, who "
        "work in or near New York and can meet candidates within their hours (08:00–20:00, "
        "Monday to Friday). Left out: 2 whose zones are too far from New York’s (Kolkata, "
        "London); 1 whose working hours never meet candidates’ hours."
    )
    assert AuditEntry.objects.get(action="plan.created").message == starter.summary


def test_a_pool_is_a_handful_of_the_closest_and_least_loaded(tenant, recruiter):
    people = [f.interviewer(tenant, f"Person {n}") for n in range(7)]
    f.interviewer(tenant, "Zed West", timezone="America/Los_Angeles")
    starter = plans.create_starter_plan(tenant, recruiter, now=NOW)
    members = set(starter.plan.sessions.get().pools.get().members.all())
    assert len(members) == plans.STARTER_POOL and members <= set(people)
    assert "3 more who would fit (a pool of 5 is enough; add them if you like)" in (
        starter.summary
    )


def test_no_starter_plan_when_one_exists_or_nobody_fits(tenant, recruiter):
    far = plans.create_starter_plan(tenant, recruiter, now=NOW)
    assert far.plan is None and "no interviewers yet" in far.summary.lower()
    f.interviewer(tenant, "Di Roy", timezone="Europe/London")
    nobody = plans.create_starter_plan(tenant, recruiter, now=NOW)
    assert nobody.plan is None
    assert "no interviewer works in or near New York" in nobody.summary
    f.interviewer(tenant, "Ann Lee")
    assert plans.create_starter_plan(tenant, recruiter, now=NOW).plan is not None
    again = plans.create_starter_plan(tenant, recruiter, now=NOW)
    assert again.plan is None and "already has a default plan" in again.summary
    assert InterviewPlan.objects.filter(tenant=tenant).count() == 1


def test_the_starter_plans_picker_offers_only_times_within_candidate_hours(
    tenant, client, recruiter, team
):
    ats = f.connection(tenant)
    with time_machine.travel(NOW, tick=False):
        # Signed in at NOW: a session from the run's own instant may have expired by then.
        recruiter_client = client
        recruiter_client.force_login(recruiter)
        response = recruiter_client.post(reverse("plan_starter"), follow=True)
        assert "Made “Default interview”" in response.content.decode()
        plan = InterviewPlan.objects.get(tenant=tenant)
        application = f.application(ats, f.candidate(ats, "Grace Hopper"))
        page = recruiter_client.get(
            reverse("schedule", args=[application.pk]), {"week": "2026-12-07"}
        )
    offered = [slot for day in page.context["days"] for slot in day["slots"]]
    assert offered and not any(slot.outside_candidate_hours for slot in offered)
    html = page.content.decode()
    assert "outside their hours</span>" not in html
    starts = re.findall(r'class="time[^"]*"[^>]*>(\d\d:\d\d)<', html)
    # Hour-long interviews: every start shown lets the candidate's day end by 20:00.
    assert starts and all("08:00" <= a <= "19:00" for a in starts)
    # The engine agrees, on the candidate's clock (the team's, theirs being unknown).
    hours = slots.candidate_hours_for(plan, "America/New_York", strict=True)
    assert hours.hours.ranges_on(dt.date(2026, 12, 7)) == ((dt.time(8), dt.time(20)),)
