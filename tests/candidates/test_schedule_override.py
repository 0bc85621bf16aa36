"""The recruiter's picker, booking a time Convene does not offer (an availability override):
who fills the pool seats, and that the reason is kept. No one has a calendar, so no Unified."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling import booking, slots
from scheduling.models import Interview, InterviewPlan, PlanPool, PlanSession
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_plan(tenant):
    ann, bo = (
        f.interviewer(tenant, name, timezone="America/New_York") for name in ("Ann Lee", "Bo Kim")
    )
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen", horizon_days=30)
    session = PlanSession.objects.create(plan=plan, title_template="Screen")
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set([ann, bo])
    return {"plan": plan, "ann": ann, "bo": bo}


def test_an_override_fills_the_pool_seat_with_the_lightest_load_and_keeps_the_reason(
    recruiter_client, tenant, pool_plan, frozen
):
    ats = f.connection(tenant)
    other, application = (f.application(ats, f.candidate(ats, n)) for n in ("Alan", "Grace"))
    # Ann already interviews on Wednesday; Bo has nothing that week.
    wednesday = dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC)
    ann_only = slots.Choice(
        (
            slots.SessionChoice(
                "Screen",
                wednesday,
                wednesday + dt.timedelta(hours=1),
                ((str(pool_plan["ann"].pk), "pool", None),),
            ),
        )
    )
    booking.book(other, pool_plan["plan"], ann_only)

    response = recruiter_client.post(
        reverse("schedule", args=[application.pk]),
        {
            "override": "1",
            "start": "2026-12-03T14:00",
            "reason": "Grace flies out on Friday; Bo agreed to stay late",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    interview = Interview.objects.get(application=application)
    assert booking.seated(interview.sessions.get()) == [pool_plan["bo"].pk]
    entry = tenant.audit_entries.get(action="interview.booked", object_id=str(interview.pk))
    assert (
        "availability overridden: Grace flies out on Friday; Bo agreed to stay late"
        in entry.message
    )
    assert entry.actor.email == "rosa@acme.example"
