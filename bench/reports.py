"""Benchmark of the Reports page: one JSON line per case, median milliseconds.

Run with `.venv/bin/python bench/reports.py` (add `--interviews 100000 --interviewers 1000
--runs 15`); prefix with `bin/with-postgres` for PostgreSQL. It builds a throwaway database
(SQLite, or DATABASE_URL) with one team whose two years hold N interviews: 60% booked by Convene
(a session with one or two interviewers, feedback requests, some rescheduled, canceled or
declined) and 40% found only in the ATS (with their seats, some from calendar events), plus
booking links at every step, across M interviewers in several zones. It then times the whole
Django request for the page over one quarter of it (middleware, every query, the charts and
the template) through the test client, with DEBUG off, unfiltered and filtered.
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

ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
]
BATCH = 2000


def build(n_interviews, n_interviewers, years=2, seed=11):
    from django.db import connection

    from candidates.models import Application, BookingLink, Candidate, Job, RemoteInterview
    from scheduling.models import (
        AtsSeat,
        AuditEntry,
        Connection,
        FeedbackRequest,
        Interview,
        Interviewer,
        InterviewPlan,
        InterviewSession,
        Membership,
        SessionAttendee,
        Tenant,
        User,
    )

    rng = random.Random(seed)
    # Two years of history (a thousand interviewers at about one interview a week each),
    # ending on a Sunday: the page asks for its last quarter. `--years 1` packs it tighter.
    year_end = dt.datetime(2026, 12, 27, tzinfo=dt.UTC)
    year_start = year_end - dt.timedelta(weeks=52 * years)
    tenant = Tenant.objects.create(
        name="Bench Co", slug="bench", default_timezone="America/New_York"
    )
    user = User.objects.create_user("bench@example.com", "bench@example.com", "pw-bench-123")
    Membership.objects.create(user=user, tenant=tenant, role="recruiter")
    ats = Connection.objects.create(
        tenant=tenant,
        category="ats",
        integration_type="greenhouse",
        integration_name="Greenhouse",
        unified_id="b" * 24,
    )
    people = Interviewer.objects.bulk_create(
        (
            Interviewer(
                tenant=tenant,
                name=f"Interviewer {n:04d}",
                email=f"i{n}@bench.example",
                ats_user_id=f"emp{n}",
                timezone=ZONES[n % len(ZONES)],
                max_interviews_per_day=rng.choice([2, 3, 4, None]),
                max_interviews_per_week=rng.choice([6, 8, 10, None]),
            )
            for n in range(n_interviewers)
        ),
        batch_size=BATCH,
    )
    jobs = Job.objects.bulk_create(
        Job(tenant=tenant, connection=ats, remote_id=f"j{n}", name=f"Job {n}") for n in range(40)
    )
    for n, job in enumerate(jobs):
        job.recruiters.add(people[n % 20])
    # A plan per job (and stage), as teams set them up.
    plans = InterviewPlan.objects.bulk_create(
        InterviewPlan(tenant=tenant, name=f"Plan {n}", job=jobs[n], stage_status="FIRST_INTERVIEW")
        for n in range(8)
    )
    n_applications = n_interviews // 2
    candidates = Candidate.objects.bulk_create(
        (
            Candidate(
                tenant=tenant,
                connection=ats,
                remote_id=f"c{n}",
                name=f"Candidate {n:06d}",
                email=f"c{n}@example.com",
            )
            for n in range(n_applications)
        ),
        batch_size=BATCH,
    )
    applications = Application.objects.bulk_create(
        (
            Application(
                tenant=tenant,
                connection=ats,
                remote_id=f"a{n}",
                candidate=candidate,
                job=jobs[n % len(jobs)],
                status="FIRST_INTERVIEW",
                stage_entered_at=year_start,
            )
            for n, candidate in enumerate(candidates)
        ),
        batch_size=BATCH,
    )

    # Each person's hours of the year that are taken (no one sits in two at once).
    taken = [set() for _ in people]
    hours_in_year = 52 * 7 * 24 * years

    def slot(panel):
        while True:
            hour = rng.randrange(hours_in_year)
            local = (year_start + dt.timedelta(hours=hour)).weekday()
            if local < 5 and all(hour not in taken[p] for p in panel):
                for p in panel:
                    taken[p].add(hour)
                return year_start + dt.timedelta(hours=hour)

    n_convene = n_interviews * 6 // 10
    interviews, sessions, attendees, feedback, audits = [], [], [], [], []
    for n in range(n_convene):
        application = applications[n % n_applications]
        panel = rng.sample(range(len(people)), rng.choice([1, 1, 2]))
        start = slot(panel)
        booked = start - dt.timedelta(hours=rng.randrange(24, 24 * 14))
        canceled = rng.random() < 0.05
        interview = Interview(
            tenant=tenant,
            application=application,
            plan=plans[n % len(plans)],
            stage_status="FIRST_INTERVIEW",
            stage_entered_at=booked - dt.timedelta(hours=rng.randrange(1, 24 * 10)),
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            status="canceled" if canceled else "scheduled",
            canceled_at=booked + dt.timedelta(hours=5) if canceled else None,
            canceled_by=rng.choice(["recruiter", "candidate", "calendar"]) if canceled else "",
            cancel_reason=rng.choice(["Took another offer", "Interviewer sick", ""])
            if canceled
            else "",
        )
        interviews.append((interview, booked))
        session = InterviewSession(
            interview=interview,
            title="Onsite",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            ats_interview_id=f"gh{n}",
            event_id=f"cevt{n}",
        )
        sessions.append(session)
        for p in panel:
            attendees.append(
                SessionAttendee(
                    session=session,
                    interviewer=people[p],
                    start_at=start,
                    end_at=start + dt.timedelta(hours=1),
                    active=not canceled,
                    response="REJECTED" if rng.random() < 0.03 else "",
                )
            )
            if not canceled and start < year_end:
                due = start + dt.timedelta(hours=25)
                late = rng.random() < 0.3
                feedback.append(
                    FeedbackRequest(
                        tenant=tenant,
                        interview=interview,
                        session=session,
                        interviewer=people[p],
                        requested_at=start + dt.timedelta(hours=1),
                        due_at=due,
                        expires_at=due + dt.timedelta(days=14),
                        status="submitted",
                        submitted_at=due + dt.timedelta(hours=rng.randrange(1, 96))
                        if late
                        else due - dt.timedelta(hours=rng.randrange(1, 20)),
                    )
                )
        if rng.random() < 0.1:
            audits.append(
                (
                    AuditEntry(
                        tenant=tenant,
                        action="interview.rescheduled",
                        message="Moved",
                        object_type="scheduling.interview",
                        object_id="",
                        data={
                            "by": rng.choice(["recruiter", "candidate"]),
                            "reason": rng.choice(["", "Interviewer sick", "Clash"]),
                        },
                    ),
                    interview,
                    booked + dt.timedelta(hours=2),
                )
            )
    Interview.objects.bulk_create([i for i, _b in interviews], batch_size=BATCH)
    InterviewSession.objects.bulk_create(sessions, batch_size=BATCH)
    SessionAttendee.objects.bulk_create(attendees, batch_size=BATCH)
    FeedbackRequest.objects.bulk_create(feedback, batch_size=BATCH)
    for entry, interview, _when in audits:
        entry.object_id = str(interview.pk)
    AuditEntry.objects.bulk_create([a for a, _i, _w in audits], batch_size=BATCH)
    # auto_now_add fields: set the history's own times.
    with connection.cursor() as cursor:
        for table, rows in (
            (Interview._meta.db_table, [(b, i.pk) for i, b in interviews]),
            (AuditEntry._meta.db_table, [(w, a.pk) for a, _i, w in audits]),
        ):
            cursor.executemany(
                f"UPDATE {table} SET created_at = %s WHERE id = %s",  # noqa: S608
                [
                    (
                        connection.ops.adapt_datetimefield_value(when),
                        Interview._meta.pk.get_db_prep_value(pk, connection)
                        if table == Interview._meta.db_table
                        else pk,
                    )
                    for when, pk in rows
                ],
            )

    remote = []
    seats = []
    for n in range(n_interviews - n_convene):
        application = applications[rng.randrange(n_applications)]
        panel = rng.sample(range(len(people)), rng.choice([1, 2]))
        start = slot(panel)
        interview = RemoteInterview(
            tenant=tenant,
            connection=ats,
            remote_id=f"ats{n}",
            application=application,
            candidate_id=application.candidate_id,
            job_id=application.job_id,
            status="COMPLETE",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            user_ids=[people[p].ats_user_id for p in panel],
            external_event_xref=f"evt{n}",
        )
        remote.append(interview)
        for k, p in enumerate(panel):
            seats.append(
                AtsSeat(
                    tenant=tenant,
                    remote_interview=interview,
                    interviewer=people[p],
                    start_at=start,
                    end_at=start + dt.timedelta(hours=1),
                    via="calendar" if k else "ats",
                    ats_interview_id=f"ats{n}",
                    event_id=f"evt{n}",
                )
            )
    RemoteInterview.objects.bulk_create(remote, batch_size=BATCH)
    AtsSeat.objects.bulk_create(seats, batch_size=BATCH)

    links = []
    for n in range(n_interviews * 3 // 10):
        sent = year_start + dt.timedelta(hours=rng.randrange(hours_in_year))
        booked = rng.random() < 0.6
        links.append(
            BookingLink(
                tenant=tenant,
                application=applications[rng.randrange(n_applications)],
                plan=plans[n % len(plans)],
                sent_to="c@example.com",
                sent_at=sent,
                first_opened_at=sent + dt.timedelta(hours=3) if rng.random() < 0.8 else None,
                booked_at=sent + dt.timedelta(hours=rng.randrange(1, 96)) if booked else None,
                state="booked" if booked else rng.choice(["open", "open", "revoked"]),
                window_start=sent.date(),
                window_end=sent.date() + dt.timedelta(days=14),
                expires_at=sent + dt.timedelta(days=7),
            )
        )
    BookingLink.objects.bulk_create(links, batch_size=BATCH)
    with connection.cursor() as cursor:
        # What autovacuum does to a real database soon after: planner statistics.
        cursor.execute("ANALYZE")
    quarter = (year_end - dt.timedelta(weeks=13)).date(), (year_end - dt.timedelta(days=1)).date()
    return user, quarter, jobs, plans, people


def time_request(client, path, params, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, params)  # warm caches and the template loader
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params)
    return statistics.median(samples), max(samples), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--interviewers", type=int, default=1_000)
    parser.add_argument("--years", type=int, default=2, help="the history's length")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
        from django.db import connection
        from django.test import Client

        started = time.perf_counter()
        user, (first, last), jobs, plans, people = build(
            args.interviews, args.interviewers, args.years
        )
        built_s = time.perf_counter() - started
        client = Client()
        client.force_login(user)
        period = {"start": first.isoformat(), "end": last.isoformat()}
        cases = {
            "one quarter": period,
            "one quarter, one job": {**period, "job": str(jobs[3].pk)},
            "one quarter, one recruiter": {**period, "recruiter": str(people[3].pk)},
            "one quarter, one plan": {**period, "plan": str(plans[2].pk)},
        }
        for label, params in cases.items():
            median, worst, queries = time_request(client, "/reports/", params, args.runs)
            print(
                json.dumps(
                    {
                        "case": f"reports: {label}",
                        "median_ms": round(median, 1),
                        "max_ms": round(worst, 1),
                        "queries": queries,
                        "interviews": args.interviews,
                        "interviewers": args.interviewers,
                        "years": args.years,
                        "database": connection.vendor,
                        "setup_s": round(built_s, 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
