"""Fault run: bookings, reschedules and cancellations against a misbehaving Unified, with
real task workers, one of them killed mid-run; afterwards the sandbox's calendars and ATS
must match Convene's interviews exactly.

Run with `bin/with-postgres .venv/bin/python bench/faults.py` (PostgreSQL, as production),
or without the wrapper on a throwaway SQLite file. Options: `--bookings 100 --reschedules 50
--cancellations 50` (200 changes) `--cancel-after-move 20` (of the rescheduled ones, canceled
while their moves are still being written), `--rate 0.3` (half 429, half 500, plus writes
applied and then answered 500 on a tenth of writes), `--jitter-ms 40`.

What runs: the sandbox (`manage.py unified_sandbox`, its own process and port) with the
faults switched on after set-up; two `manage.py db_worker` processes and one `manage.py
periodic --loop` (the outbox sweep, reconcile, sync) against the same database; this
script books through the real booking service (`slots.find` → `booking.book`), reschedules
and cancels. One worker is SIGKILLed a few seconds in and started again. When the outbox is
empty the script lists every event of the calendar connection and every ATS interview the
run wrote, and compares, session by session: an active interview has exactly one event
(found by its ref) at its time and exactly one ATS interview, the one Convene stored,
pointing at that event, SCHEDULED at its time; a canceled one has no event left (beyond a
CANCELED one) and its ATS interview, if any, is CANCELED; no event carries a ref Convene does
not know, and no ATS interview is left over (a duplicate from a lost answer). One JSON line.
"""

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import free_port  # noqa: E402

MANAGE = [sys.executable, str(ROOT / "manage.py")]
TOKEN = "bench-token"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=100)
    parser.add_argument("--reschedules", type=int, default=50)
    parser.add_argument("--cancellations", type=int, default=50)
    parser.add_argument(
        "--cancel-after-move", type=int, default=20, help="rescheduled interviews then canceled"
    )
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--jitter-ms", type=float, default=40)
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for the outbox")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")

    tmp = tempfile.mkdtemp()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/faults.sqlite3",
        "UNIFIED_BASE_URL": f"http://127.0.0.1:{port}",
        "UNIFIED_API_TOKEN": TOKEN,
        "UNIFIED_WEBHOOK_SECRET": "bench-secret",
        "OUTBOX_CLAIM_SECONDS": "15",
        "OUTBOX_BACKOFF_SECONDS": "1",
        "UNIFIED_READ_TIMEOUT": "10",
        "SITE_URL": "http://127.0.0.1:9",  # webhooks go nowhere: the reconcile is the net
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    sandbox = subprocess.Popen(
        [
            *MANAGE,
            "unified_sandbox",
            "--port",
            str(port),
            "--memory",
            "--seed-size",
            "400",
            "--token",
            TOKEN,
            "--webhook-secret",
            "bench-secret",
            "--retry-after",
            "0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    processes = [sandbox]
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                requests.get(f"{base}/sandbox/info", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.1)
        result = run(args, base, env, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    print(json.dumps(result))
    # A run that booked nothing proves nothing (a set-up that broke, e.g. the first sync).
    if result["mismatches"] or result["unfinished"] or not result["booked"]:
        sys.exit(1)


def run(args, base, env, processes):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from candidates.models import Application
    from candidates.sync import run_sync, start_sync
    from scheduling import booking, slots
    from scheduling.connections import refresh_calendars
    from scheduling.models import (
        Connection,
        Interview,
        Interviewer,
        InterviewPlan,
        Operation,
        PlanPool,
        PlanSession,
        Tenant,
    )
    from scheduling.unified.client import UnifiedClient
    from scheduling.unified.sandbox import seed

    tenant = Tenant.objects.create(name="Faults", slug="faults", default_timezone="UTC")
    ats = Connection.objects.create(
        tenant=tenant,
        category="ats",
        integration_type="greenhouse",
        unified_id=seed.ACME_ATS_CONNECTION_ID,
    )
    calendar = Connection.objects.create(
        tenant=tenant,
        category="calendar",
        integration_type="googlecalendar",
        unified_id=seed.ACME_CALENDAR_CONNECTION_ID,
    )
    from django.tasks import default_task_backend  # noqa: F401  (the real queue)

    run_sync(start_sync(ats).pk)
    refresh_calendars(calendar)
    people = list(
        Interviewer.objects.filter(tenant=tenant, calendar_connection__isnull=False)[:10]
    )
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Faults",
        minimum_notice_hours=1,
        horizon_days=40,
        slot_step_minutes=30,
    )
    session = PlanSession.objects.create(
        plan=plan, title_template="{job} interview", duration_minutes=30
    )
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set(people)
    applications = list(
        Application.objects.filter(tenant=tenant, status__in=tenant.interview_statuses)
        .exclude(candidate__email="")
        .select_related("candidate", "job")[: args.bookings]
    )

    # The ATS interviews the seed already holds: any other one afterwards was written by
    # this run and must belong to exactly one of its sessions.
    seeded_interviews = {r.id for r in UnifiedClient(base, TOKEN).list_interviews(ats.unified_id)}

    requests.post(
        f"{base}/sandbox/faults",
        json={
            "rate_429": args.rate / 2,
            "rate_500": args.rate / 2,
            "fail_after_write": args.rate / 3,
            "latency_jitter_ms": args.jitter_ms,
            "retry_after": 0,
        },
        timeout=5,
    ).raise_for_status()

    def start_worker():
        worker = subprocess.Popen(
            [*MANAGE, "db_worker", "--no-startup-delay", "--no-reload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(worker)
        return worker

    workers = [start_worker(), start_worker()]
    processes.append(
        subprocess.Popen(
            [*MANAGE, "periodic", "--loop"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )

    rng = random.Random(11)
    started = time.monotonic()
    now = timezone.now()
    window = (now + dt.timedelta(days=2), now + dt.timedelta(days=30))
    counts = {
        "booked": 0,
        "rescheduled": 0,
        "canceled": 0,
        "canceled_after_move": 0,
        "taken": 0,
        "calendar_errors": 0,
    }
    killed = False

    def offer_for(application, interview=None):
        for _ in range(20):
            try:
                return slots.find(
                    application,
                    plan,
                    start=window[0],
                    end=window[1],
                    candidate_zone="UTC",
                    exclude_interview=interview,
                )
            except slots.CalendarsUnavailable:
                counts["calendar_errors"] += 1
                time.sleep(0.2)
        raise SystemExit("calendars never readable")

    interviews = []
    for index, application in enumerate(applications):
        if not killed and index == len(applications) // 3:
            workers[0].send_signal(signal.SIGKILL)  # mid-operation, most likely
            workers[0].wait()
            killed = True
            time.sleep(2)
            workers.append(start_worker())
        offer = offer_for(application)
        slot = rng.choice(offer.slots[:40])
        try:
            interviews.append(booking.book(application, plan, offer.choice_for(slot, application)))
            counts["booked"] += 1
        except booking.SlotTaken:
            counts["taken"] += 1

    rng.shuffle(interviews)
    moved = []
    for interview in interviews[: args.reschedules]:
        interview.refresh_from_db()
        offer = offer_for(interview.application, interview)
        slot = rng.choice(offer.slots[:40])
        try:
            booking.reschedule(interview, offer.choice_for(slot, interview.application))
            counts["rescheduled"] += 1
            moved.append(interview)
        except booking.SlotTaken:
            counts["taken"] += 1
    for interview in interviews[args.reschedules : args.reschedules + args.cancellations]:
        booking.cancel(interview, reason="Fault run")
        counts["canceled"] += 1
    # Cancels right after moves, while the moves' updates are still failing and retrying:
    # none of them may put the event or the ATS interview back.
    for interview in moved[: args.cancel_after_move]:
        booking.cancel(interview, reason="Fault run: canceled after its move")
        counts["canceled_after_move"] += 1
    changes_done = time.monotonic() - started

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if not Operation.objects.exclude(status__in=["done", "skipped", "failed"]).exists():
            break
        time.sleep(2)
    drained = time.monotonic() - started

    # Compare, without faults.
    requests.post(f"{base}/sandbox/faults", json={"clear": True}, timeout=5)
    client = UnifiedClient(base, TOKEN)
    # Every event in the window on the whole calendar connection, not only the people's
    # calendars: an event written to the wrong calendar counts too.
    events, refs = {}, {}
    for event in client.list_events(
        calendar.unified_id,
        start_gte=now - dt.timedelta(days=1),
        end_lt=now + dt.timedelta(days=60),
    ):
        if "convene-session:" in (event.notes or "") and event.id not in events:
            events[event.id] = event
            ref = event.notes.split("convene-session:")[1].split(")")[0]
            refs.setdefault(ref, []).append(event.id)
    # Every ATS interview this run wrote, whatever it points at.
    written = {
        r.id: r for r in client.list_interviews(ats.unified_id) if r.id not in seeded_interviews
    }
    mismatches = []
    known, claimed = set(), set()
    for interview in Interview.objects.filter(tenant=tenant).prefetch_related("sessions"):
        for s in interview.sessions.all():
            known.add(str(s.pk))
            found = refs.get(str(s.pk), [])
            record = written.get(s.ats_interview_id) if s.ats_interview_id else None
            if s.ats_interview_id:
                claimed.add(s.ats_interview_id)
            if interview.is_active:
                if found != [s.event_id]:
                    mismatches.append(f"{s.pk}: events {found}, Convene has {s.event_id!r}")
                elif (events[s.event_id].start_at, events[s.event_id].end_at) != (
                    s.start_at,
                    s.end_at,
                ):
                    mismatches.append(f"{s.pk}: event at another time")
                if record is None:
                    mismatches.append(
                        f"{s.pk}: no ATS interview (Convene: {s.ats_interview_id!r})"
                    )
                elif (record.status, record.start_at, record.external_event_xref) != (
                    "SCHEDULED",
                    s.start_at,
                    s.event_id,
                ):
                    mismatches.append(
                        f"{s.pk}: ATS interview {record.status} at {record.start_at} "
                        f"for event {record.external_event_xref!r}"
                    )
            else:
                live = [e for e in found if events[e].status != "CANCELED"]
                if live:
                    mismatches.append(f"{s.pk}: canceled, but events {live} remain")
                if s.ats_interview_id and record is None:
                    mismatches.append(f"{s.pk}: canceled, ATS interview {s.ats_interview_id} lost")
                elif record is not None and record.status != "CANCELED":
                    mismatches.append(f"{s.pk}: canceled, ATS says {record.status}")
    # A lost answer that became a second interview, or one no session points at.
    mismatches += [
        f"extra ATS interview {r.id} for application {r.application_id} "
        f"(event {r.external_event_xref!r}, {r.status})"
        for r in written.values()
        if r.id not in claimed
    ]
    orphans = [ref for ref in refs if ref not in known]
    mismatches += [f"orphan event for unknown session {ref}" for ref in orphans]
    failed = list(Operation.objects.filter(status="failed").values_list("kind", "last_error"))
    return {
        "case": "fault run",
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "fault_rate": args.rate,
        **counts,
        "changes": sum(
            counts[k] for k in ("booked", "rescheduled", "canceled", "canceled_after_move")
        ),
        "operations": Operation.objects.count(),
        "operation_attempts": sum(Operation.objects.values_list("attempts", flat=True)),
        "failed_operations": len(failed),
        "unfinished": Operation.objects.exclude(status__in=["done", "skipped", "failed"]).count(),
        "worker_killed": killed,
        "seconds_to_make_changes": round(changes_done, 1),
        "seconds_until_outbox_empty": round(drained, 1),
        "events_checked": len(events),
        "ats_interviews_checked": len(written),
        "mismatches": len(mismatches),
        "first_mismatches": mismatches[:5],
        "first_failures": failed[:3],
    }


if __name__ == "__main__":
    main()
