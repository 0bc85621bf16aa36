"""Benchmark of the recruiter's pipeline page: one JSON line per case, median milliseconds.

Run with `.venv/bin/python bench/pipeline.py` (add `--applications 10000`, `--runs 30`).
It builds a throwaway SQLite database (or uses DATABASE_URL if set, e.g. under
bin/with-postgres) with one tenant whose ATS mirror holds N applications of N candidates in
every status, a few thousand ATS interviews, 12 jobs and recruiters, then times the whole
Django request for the dashboard — middleware, the query, the template — through the test
client, with DEBUG off. Each case asks for one page of 50 rows.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import setup_django  # noqa: E402


def build(n_applications, seed=7):
    from django.utils import timezone

    from candidates.models import Application, Candidate, Job, RemoteInterview
    from scheduling.models import Connection, Interviewer, Membership, Tenant, User
    from scheduling.unified.records import APPLICATION_STATUSES

    rng = random.Random(seed)
    now = timezone.now()
    tenant = Tenant.objects.create(name="Bench Co", slug="bench", default_timezone="UTC")
    user = User.objects.create_user("bench@example.com", "bench@example.com", "pw-bench-123")
    Membership.objects.create(user=user, tenant=tenant, role="recruiter")
    conn = Connection.objects.create(
        tenant=tenant, category="ats", integration_type="greenhouse", unified_id="b" * 24
    )
    recruiters = Interviewer.objects.bulk_create(
        Interviewer(tenant=tenant, name=f"Recruiter {n}", ats_user_id=f"r{n}") for n in range(6)
    )
    jobs = Job.objects.bulk_create(
        Job(tenant=tenant, connection=conn, remote_id=f"j{n}", name=f"Job {n}") for n in range(12)
    )
    for n, job in enumerate(jobs):
        job.recruiters.add(recruiters[n % len(recruiters)])
    candidates = Candidate.objects.bulk_create(
        (
            Candidate(
                tenant=tenant,
                connection=conn,
                remote_id=f"c{n}",
                name=f"Candidate {n:05d}",
                email=f"candidate{n}@example.com",
            )
            for n in range(n_applications)
        ),
        batch_size=1000,
    )
    applications = Application.objects.bulk_create(
        (
            Application(
                tenant=tenant,
                connection=conn,
                remote_id=f"a{n}",
                candidate=candidate,
                job=jobs[n % len(jobs)],
                status=rng.choice(APPLICATION_STATUSES),
                stage_entered_at=now - dt.timedelta(hours=rng.randrange(1, 24 * 60)),
                remote_updated_at=now - dt.timedelta(hours=rng.randrange(1, 24 * 30)),
            )
            for n, candidate in enumerate(candidates)
        ),
        batch_size=1000,
    )
    interviews = []
    for n, application in enumerate(applications):
        if n % 3 == 0:
            start = now + dt.timedelta(hours=rng.randrange(-24 * 20, 24 * 20))
            interviews.append(
                RemoteInterview(
                    tenant=tenant,
                    connection=conn,
                    remote_id=f"i{n}",
                    application=application,
                    candidate=application.candidate,
                    job=application.job,
                    status=rng.choice(["SCHEDULED", "COMPLETE", "AWAITING_FEEDBACK", "CANCELED"]),
                    start_at=start,
                    end_at=start + dt.timedelta(hours=1),
                )
            )
    RemoteInterview.objects.bulk_create(interviews, batch_size=1000)
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum does to a real database soon after: planner statistics.
        cursor.execute("ANALYZE")
    return user, jobs, recruiters


def time_request(client, path, params, headers, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, params, headers=headers)  # warm caches and the template loader
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params, headers=headers)
    return statistics.median(samples), max(samples), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
        from django.db import connection
        from django.test import Client

        started = time.perf_counter()
        user, jobs, recruiters = build(args.applications)
        built_s = time.perf_counter() - started
        client = Client()
        client.force_login(user)
        cases = {
            "needs scheduling, page 1": {},
            "needs scheduling, page 20": {"page": 20},
            "any state, sorted by name": {"state": "any", "sort": "candidate"},
            "filtered by job and recruiter": {
                "state": "any",
                "job": str(jobs[3].pk),
                "recruiter": str(recruiters[3].pk),
            },
            "search": {"state": "any", "q": "candidate 01"},
        }
        for label, params in cases.items():
            for fragment in (False, True):
                headers = {"HX-Request": "true"} if fragment else {}
                median, worst, queries = time_request(
                    client, "/pipeline/", params, headers, args.runs
                )
                print(
                    json.dumps(
                        {
                            "case": f"pipeline: {label}"
                            + (" (htmx fragment)" if fragment else ""),
                            "median_ms": round(median, 1),
                            "max_ms": round(worst, 1),
                            "queries": queries,
                            "applications": args.applications,
                            "page_size": 50,
                            "database": connection.vendor,
                            "setup_s": round(built_s, 1),
                        }
                    )
                )


if __name__ == "__main__":
    main()
