"""Benchmark: one round of periodic work for many tenants, with 1, 2 and 4 task workers.

Run with `.venv/bin/python bench/periodic.py` (`--tenants 200 --workers 1,2,4 --latency-ms
100`; prefix with `bin/with-postgres` for PostgreSQL). It starts the Unified sandbox in its
own process, every call answered after `--latency-ms`; migrates a throwaway database;
creates `--tenants` tenants, each with its own ATS and company calendar connected through
the sandbox's Connect; and runs a first round (not timed: first syncs, webhook
subscriptions). Then, for each worker count, it starts that many `manage.py db_worker`
processes and times one round: every job's turns queued at once (by two `manage.py
periodic` runners started together, as two machines would) until the queue is empty and
every sync they started has finished (timed by the database: from the first turn queued to
the last task finished). One JSON line per worker count: the round's wall seconds, the
turns queued by each runner (their sum must be the number of turns: nothing queued twice),
the tasks run and the Unified calls made.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import free_port, setup_django, start_sandbox, start_workers, stop  # noqa: E402

TOKEN = "bench-token"
WORKSPACE = "bench-workspace"
CALLBACK = "http://127.0.0.1:9/connected"


def connect(base, integration):
    """A new connection through the sandbox's Connect page (Allow); its id."""
    start = requests.get(
        f"{base}/unified/integration/auth/{WORKSPACE}/{integration}",
        params={"success_redirect": CALLBACK, "state": "bench", "redirect": 1},
        allow_redirects=False,
        timeout=60,
    )
    consent = start.headers["Location"]
    if consent.startswith("/"):
        consent = base + consent
    query = {k: v[0] for k, v in parse_qs(urlparse(consent).query).items()}
    allowed = requests.post(
        consent,
        data={**query, "decision": "allow", "scope": "company"},
        allow_redirects=False,
        timeout=60,
    )
    return parse_qs(urlparse(allowed.headers["Location"]).query)["id"][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4", help="worker counts to time")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sandbox, base = start_sandbox(
            tmp,
            free_port(),
            "--latency-ms",
            args.latency_ms,
            "--token",
            TOKEN,
            "--workspace-id",
            WORKSPACE,
        )
        try:
            database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
            environment = {
                "UNIFIED_BASE_URL": base,
                "UNIFIED_API_TOKEN": TOKEN,
                "UNIFIED_WORKSPACE_ID": WORKSPACE,
                "CACHE_URL": f"filecache://{tmp}/cache",
                "LOG_LEVEL": "WARNING",
                # Webhook subscriptions point here: nothing listens, deliveries just fail.
                "SITE_URL": "http://127.0.0.1:9",
            }
            setup_django(database_url, **environment)
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
            started = time.perf_counter()
            create_tenants(base, args.tenants)
            setup_s = time.perf_counter() - started
            first = time_round(base, env, 4)
            print(
                json.dumps(
                    {
                        "case": "first round (not timed for the figure)",
                        "tenants": args.tenants,
                        "setup_s": round(setup_s, 1),
                        **first,
                    }
                ),
                flush=True,
            )
            for workers in (int(n) for n in args.workers.split(",")):
                figures = time_round(base, env, workers)
                print(
                    json.dumps(
                        {
                            "case": "periodic round",
                            "tenants": args.tenants,
                            "latency_ms": args.latency_ms,
                            **figures,
                            "database": database_url.split(":", 1)[0],
                            "load_average": [round(x, 2) for x in os.getloadavg()],
                        }
                    ),
                    flush=True,
                )
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)


def create_tenants(base, count):
    from scheduling.models import Connection, Tenant

    for n in range(count):
        tenant = Tenant.objects.create(name=f"Tenant {n}", slug=f"tenant-{n}")
        for category, integration, name in (
            ("ats", "greenhouse", "Greenhouse"),
            ("calendar", "googlecalendar", "Google Calendar"),
        ):
            Connection.objects.create(
                tenant=tenant,
                category=category,
                integration_type=integration,
                integration_name=name,
                unified_id=connect(base, integration),
                status=Connection.Status.ACTIVE,
            )


def time_round(base, env, workers):
    """One round: every turn queued by two runners at once, run by `workers` workers."""
    from django.db.models import Max, Min
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from candidates.models import SyncRun
    from scheduling import periodic
    from scheduling.models import Connection, PeriodicTurn

    turns = sum(len(periodic.keys_of(job)) for job in periodic.JOBS.values())
    tasks_before = DBTaskResult.objects.count()
    failed_before = DBTaskResult.objects.filter(status="FAILED").count()
    requests.delete(f"{base}/sandbox/stats", timeout=10)
    pool = start_workers(workers, env, interval=0.05)
    try:
        time.sleep(3)  # the workers start (Django's set-up) before the round does
        # Every turn due now, as at the start of a round, the last syncs a while ago.
        PeriodicTurn.objects.update(next_at=timezone.now())
        Connection.objects.filter(synced_until__isnull=False).update(
            synced_until=timezone.now() - dt.timedelta(minutes=10)
        )
        round_began = timezone.now()
        runners = [
            subprocess.Popen(
                [sys.executable, "manage.py", "periodic"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for _ in range(2)
        ]
        queued = []
        for runner in runners:
            out, _ = runner.communicate(timeout=600)
            queued.append(int(out.split("queued ")[1].split()[0]) if "queued " in out else -1)
        while True:
            busy = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
            syncing = SyncRun.objects.filter(status__in=["queued", "running"]).exists()
            if not busy and not syncing:
                break
            time.sleep(0.1)
        # From the first turn queued to the last task finished, as the database saw them
        # (the runners' and workers' own start-up left out).
        first = PeriodicTurn.objects.filter(queued_at__gte=round_began).aggregate(
            first=Min("queued_at")
        )["first"]
        last = DBTaskResult.objects.filter(enqueued_at__gte=round_began).aggregate(
            last=Max("finished_at")
        )["last"]
        seconds = (last - first).total_seconds()
    finally:
        stop(pool)
    calls = requests.get(f"{base}/sandbox/stats", timeout=10).json()["total"]
    return {
        "workers": workers,
        "round_s": round(seconds, 1),
        "turns": turns,
        "queued_by_each_runner": queued,
        "tasks_run": DBTaskResult.objects.count() - tasks_before,
        "failed_tasks": DBTaskResult.objects.filter(status="FAILED").count() - failed_before,
        "unified_calls": calls,
    }


if __name__ == "__main__":
    main()
