"""Benchmark: the first (full) sync of a large ATS from the sandbox, over HTTP, with latency.

Run with `.venv/bin/python bench/sync.py --seed-size 100000 --latency-ms 200` (prefix with
`bin/with-postgres` for PostgreSQL). It starts the Unified sandbox in its own process (as
Unified is another machine) seeded with `--seed-size` Acme candidates, one application each,
every Unified call answered after `--latency-ms`; migrates a throwaway database; connects
the sandbox's Acme ATS; runs one full sync in this process, as a task worker would; and
prints one JSON line: wall seconds, records per type, the Unified calls made, and this
process's peak resident memory (whole process: Python, Django and the sync) beside what it
was before the sync began. With `--outage-after S` Unified starts failing every call S
seconds into the sync (until the sync gives up); it then recovers and the sync is continued
as the next one would continue it, and that is timed too.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import free_port, setup_django, start_sandbox  # noqa: E402

TOKEN = "bench-token"
ACME_ATS = "65ac3e00a75000000000000a"  # the sandbox's pre-seeded Acme ATS (seed.py)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-size", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=None, help="calls in flight")
    parser.add_argument(
        "--outage-after", type=float, default=None, help="seconds until Unified fails every call"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        sandbox, base = start_sandbox(
            tmp,
            free_port(),
            "--seed-size",
            args.seed_size,
            "--latency-ms",
            args.latency_ms,
            "--token",
            TOKEN,
        )
        seeded = time.perf_counter() - started
        try:
            database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
            environment = {"UNIFIED_BASE_URL": base, "UNIFIED_API_TOKEN": TOKEN}
            if args.concurrency:
                environment["UNIFIED_SYNC_CONCURRENCY"] = str(args.concurrency)
            setup_django(database_url, LOG_LEVEL="WARNING", **environment)
            figures = run(base, args)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)
        print(
            json.dumps(
                {
                    "case": "first full sync",
                    "seed_size": args.seed_size,
                    "latency_ms": args.latency_ms,
                    **figures,
                    "sandbox_seeding_s": round(seeded, 1),
                    "database": database_url.split(":", 1)[0],
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                }
            )
        )


def run(base, args):
    from django.conf import settings

    from candidates.models import Application, Candidate, SyncRun
    from candidates.sync import run_sync, start_sync
    from scheduling.models import Connection, Tenant

    tenant = Tenant.objects.create(name="Acme Robotics", slug="acme")
    conn = Connection.objects.create(
        tenant=tenant,
        category="ats",
        integration_type="greenhouse",
        integration_name="Greenhouse",
        unified_id=ACME_ATS,
    )
    requests.delete(f"{base}/sandbox/stats", timeout=10)
    if args.outage_after:
        outage = threading.Timer(
            args.outage_after,
            lambda: requests.post(f"{base}/sandbox/faults", json={"rate_500": 1}, timeout=10),
        )
        outage.start()
    before = current_mb()
    began = time.perf_counter()
    first = run_sync(start_sync(conn, kind=SyncRun.Kind.FULL).pk)
    seconds = time.perf_counter() - began
    out = {
        "concurrency": settings.UNIFIED_SYNC_CONCURRENCY,
        "status": first.status,
        "seconds": round(seconds, 1),
    }
    if args.outage_after:
        outage.cancel()
        out["failed_run"] = {"records_so_far": first.records_so_far, "error": first.error[:120]}
        requests.post(f"{base}/sandbox/faults", json={"rate_500": 0}, timeout=10)
        began = time.perf_counter()
        resumed = run_sync(start_sync(conn).pk)
        out["resumed_run"] = {
            "status": resumed.status,
            "seconds": round(time.perf_counter() - began, 1),
            "resumed_from_records": first.records_so_far,
        }
        first = resumed
    calls = requests.get(f"{base}/sandbox/stats", timeout=10).json()
    out.update(
        {
            "counts": first.counts,
            "records_so_far": first.records_so_far,
            "mirror": {
                "candidates": Candidate.objects.filter(connection=conn).count(),
                "applications": Application.objects.filter(connection=conn).count(),
            },
            "unified_calls": calls["total"],
            "rss_before_sync_mb": round(before, 1),
            "peak_rss_mb": round(peak_mb(), 1),
            "error": first.error[:200],
        }
    )
    return out


if __name__ == "__main__":
    main()
