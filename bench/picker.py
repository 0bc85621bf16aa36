"""Benchmark of the recruiter's slot picker against a slow Unified: one JSON line per case.

Run with `.venv/bin/python bench/picker.py` (`--latency-ms 200 --runs 10`).
A sandbox runs in this process (its Acme world) with every Unified call delayed by
`--latency-ms`; a throwaway database mirrors it; a plan uses 8 interviewers (two sessions in
any order: two required people plus one of a pool of three, then one required person plus one
of a pool of two). Cases:
  cold  — the busy cache is empty: 8 calendars are read from Unified, concurrently;
  warm  — opened again within the cache time: no Unified call at all.
Each line has the median and max milliseconds of the whole request and the number of
Unified calls the sandbox counted for one open.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import BENCH_UNIFIED, setup_django  # noqa: E402


def make_plan(tenant, people):
    from scheduling.models import InterviewPlan, PlanPool, PlanSession

    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Bench loop", order="any", minimum_notice_hours=0, horizon_days=60
    )
    for position, (required, pool) in enumerate(
        ((people[0:2], people[2:5]), (people[5:6], people[6:8]))
    ):
        session = PlanSession.objects.create(
            plan=plan, position=position, title_template="Session", duration_minutes=45
        )
        session.required.set(required)
        members = PlanPool.objects.create(session=session, k=1)
        members.members.set(pool)
    return plan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(
            os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3",
            TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        )
        from django.conf import settings
        from django.core.cache import cache
        from django.test import Client

        from candidates.models import Application
        from candidates.sync import run_sync, start_sync
        from scheduling.connections import refresh_calendars
        from scheduling.models import Connection, Interviewer, Membership, Tenant, User
        from scheduling.unified.sandbox.testing import running_sandbox

        with running_sandbox(**BENCH_UNIFIED) as sandbox:
            settings.UNIFIED_BASE_URL = sandbox.base_url
            settings.UNIFIED_API_TOKEN = sandbox.token
            tenant = Tenant.objects.create(name="Bench", slug="bench", default_timezone="UTC")
            user = User.objects.create_user("bench@example.com", "bench@example.com", "pw-123456")
            Membership.objects.create(user=user, tenant=tenant, role="recruiter")
            ats = Connection.objects.create(
                tenant=tenant,
                category="ats",
                integration_type="greenhouse",
                unified_id=sandbox.acme_ats,
            )
            calendar = Connection.objects.create(
                tenant=tenant,
                category="calendar",
                integration_type="googlecalendar",
                unified_id=sandbox.acme_calendar,
            )
            run_sync(start_sync(ats).pk)
            refresh_calendars(calendar)
            people = list(
                Interviewer.objects.filter(
                    tenant=tenant, calendar_connection__isnull=False
                ).order_by("name")[:8]
            )
            make_plan(tenant, people)
            application = Application.objects.filter(
                tenant=tenant, status="FIRST_INTERVIEW"
            ).first()
            client = Client()
            client.force_login(user)
            url = f"/applications/{application.pk}/schedule/"
            sandbox.set_faults(latency_ms=args.latency_ms)

            def timed_open():
                sandbox.reset_stats()
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200 or "calendar_failures" in (response.context or {}):
                    raise SystemExit(f"the picker answered {response.status_code}")
                return elapsed, sandbox.stats()["total"]

            for case in ("cold", "warm"):
                samples, calls = [], []
                for _ in range(args.runs):
                    if case == "cold":
                        cache.clear()
                    else:
                        timed_open()  # make sure it is warm
                    ms, n = timed_open()
                    samples.append(ms)
                    calls.append(n)
                print(
                    json.dumps(
                        {
                            "case": f"picker, {case} busy cache",
                            "median_ms": round(statistics.median(samples), 1),
                            "max_ms": round(max(samples), 1),
                            "unified_calls_per_open": max(calls),
                            "interviewers": len(people),
                            "latency_ms_per_call": args.latency_ms,
                        }
                    )
                )


if __name__ == "__main__":
    main()
