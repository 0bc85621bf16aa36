"""Booking-link fixtures without Unified: an interviewer without a calendar, so the engine
works from her hours and Convene's own holds alone."""

import pytest
import time_machine
from django.core.cache import cache

from scheduling.models import InterviewPlan, PlanSession
from tests import factories as f
from tests.candidates.links_helpers import NOW, make_link


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits, cached weeks of times and busy blocks live in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ats(tenant):
    return f.connection(tenant)


@pytest.fixture
def ivy(tenant):
    return f.interviewer(tenant, "Ivy Chen", timezone="America/New_York")


@pytest.fixture
def plan(tenant, ivy):
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Screen", minimum_notice_hours=24, horizon_days=30
    )
    session = PlanSession.objects.create(
        plan=plan, position=0, title_template="{job} screen", duration_minutes=60
    )
    session.required.add(ivy)
    return plan


@pytest.fixture
def application(ats):
    job = f.job(ats, "Compiler Engineer")
    return f.application(ats, f.candidate(ats, "Grace Hopper"), job)


@pytest.fixture
def link(frozen, application, plan, recruiter):
    return make_link(application, plan, recruiter)


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Call `fn` as a job or a request would, outside the test's transaction: what it queued
    in the outbox runs when it returns (the task backend runs tasks at once)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call
