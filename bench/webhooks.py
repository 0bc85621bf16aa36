"""Benchmark: a storm of signed Unified webhook deliveries against gunicorn, then their
processing by task workers.

Run with `.venv/bin/python bench/webhooks.py` (`--deliveries 5000 --concurrency 50`), on
PostgreSQL with `--postgres` (it re-runs itself under `bin/with-postgres`) or any
DATABASE_URL. It migrates a throwaway database, creates one tenant with a calendar
connection, starts `gunicorn config.wsgi` (gunicorn.conf.py, `--workers 2` threads 4) on a
free loopback port and POSTs N distinct, correctly signed deliveries from `--concurrency`
client threads at once; Unified retries what is slow, so `--resend` of them (a fraction)
are sent a second time during the storm. It prints one JSON line: deliveries/s, p50, p95,
p99 and max milliseconds to the answer, errors, and then, with `--task-workers` db_worker
processes started once the storm is over, how many were stored (lost = sent − stored),
processed, and processed more than once, and how long processing took.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import free_port, start_workers, stop  # noqa: E402

SECRET = "bench-webhook-secret"
PATH = "/webhooks/unified/"
CONNECTION = "be0c" * 6


def environment(database_url, cache_dir):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DATABASE_URL": database_url,
        "UNIFIED_WEBHOOK_SECRET": SECRET,
        "UNIFIED_API_TOKEN": "bench-token",
        "UNIFIED_WORKSPACE_ID": "bench-workspace",
        "LOG_LEVEL": "WARNING",
        # A cache of its own (the drain's mark), shared by gunicorn and the task workers.
        "CACHE_URL": f"filecache://{cache_dir}",
        # No access log (gunicorn.conf.py): a proxy in front of a production server logs
        # requests; set BENCH_ACCESS_LOG=- to measure with gunicorn's own.
        "GUNICORN_ACCESS_LOG": os.environ.get("BENCH_ACCESS_LOG", ""),
    }


def prepare(env):
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from scheduling.models import Connection, Tenant

    tenant = Tenant.objects.create(name="Bench Co", slug="bench")
    Connection.objects.create(
        tenant=tenant,
        category="calendar",
        integration_type="googlecalendar",
        unified_id=CONNECTION,
    )


def delivery(n):
    from scheduling.unified import signing

    nonce = secrets.token_hex(16)
    data = [
        {
            "id": f"event-{n}",
            "calendar_id": "someone@example.com",
            "subject": f"Meeting {n}",
            "start_at": "2030-01-01T10:00:00Z",
            "end_at": "2030-01-01T11:00:00Z",
            "updated_at": "2030-01-01T09:00:00Z",
        }
    ]
    body = {
        "data": data,
        "webhook": {
            "id": "bench",
            "connection_id": CONNECTION,
            "object_type": "calendar_event",
            "event": "updated",
        },
        "nonce": nonce,
        "type": "NATIVE",
        **signing.sign(SECRET, data, nonce),
    }
    return json.dumps(body).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--task-workers", type=int, default=2, help="db_worker processes")
    parser.add_argument("--resend", type=float, default=0.1, help="fraction sent twice")
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL")
    args = parser.parse_args()
    if args.postgres and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        with_postgres = str(ROOT / "bin" / "with-postgres")
        os.execv(with_postgres, [with_postgres, sys.executable, *sys.argv])  # noqa: S606

    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        env = environment(database_url, f"{tmp}/cache")
        prepare(env)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            bodies = [delivery(n) for n in range(args.deliveries)]
            again = random.Random(3).sample(bodies, int(len(bodies) * args.resend))
            # The retries go out among the later deliveries, as Unified's would.
            sends = bodies[: len(bodies) // 2] + sorted(
                bodies[len(bodies) // 2 :] + again, key=lambda _b: random.random()
            )
            # One kept-alive connection per client thread, with the standard library's
            # client: on a machine of two cores, a heavier client would take the CPU the
            # server is being measured on.
            local = threading.local()

            def send(raw):
                started = time.perf_counter()
                try:
                    if not hasattr(local, "conn"):
                        local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    local.conn.request("POST", PATH, raw, {"Content-Type": "application/json"})
                    response = local.conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    local.__dict__.pop("conn", None)
                    ok = False
                return (time.perf_counter() - started) * 1000, ok

            load_before = os.getloadavg()[0]
            client_cpu = cpu(resource.RUSAGE_SELF)
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(send, sends))
            elapsed = time.perf_counter() - started
            client_cpu = cpu(resource.RUSAGE_SELF) - client_cpu
        finally:
            server.terminate()
            server.wait(timeout=10)
        # gunicorn's master and workers, all reaped now (the web side of the storm).
        server_cpu = cpu(resource.RUSAGE_CHILDREN)

        processing = process(env, args)

        latencies = sorted(ms for ms, _ok in results)
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            json.dumps(
                {
                    "case": "webhook storm",
                    "deliveries": args.deliveries,
                    "sent_with_resends": len(sends),
                    "concurrency": args.concurrency,
                    "gunicorn_workers": args.workers,
                    "requests_per_s": round(len(sends) / elapsed, 1),
                    "p50_ms": round(quantiles[49], 1),
                    "p95_ms": round(quantiles[94], 1),
                    "p99_ms": round(quantiles[98], 1),
                    "max_ms": round(latencies[-1], 1),
                    "errors": sum(1 for _ms, ok in results if not ok),
                    # CPU seconds the storm took on each side of the socket (2 cores here).
                    "cpu_s": {"client": round(client_cpu, 1), "gunicorn": round(server_cpu, 1)},
                    **processing,
                    "database": database_url.split(":", 1)[0],
                    "load_average_before": round(load_before, 2),
                    "load_average_after": round(os.getloadavg()[0], 2),
                }
            )
        )


def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def process(env, args):
    """Start the task workers and wait until every stored delivery is processed."""
    from scheduling.models import WebhookDelivery

    stored = WebhookDelivery.objects.count()
    if not args.task_workers:
        return {"stored": stored, "lost": args.deliveries - stored}
    workers = start_workers(args.task_workers, env, interval=0.2)
    started = time.perf_counter()
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            done = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PROCESSED).count()
            if done >= stored:
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        stop(workers)
    deliveries = WebhookDelivery.objects
    return {
        "stored": stored,
        "lost": args.deliveries - stored,
        "processed": deliveries.filter(status=WebhookDelivery.Status.PROCESSED).count(),
        "processed_twice": deliveries.filter(attempts__gt=1).count(),
        "failed": deliveries.filter(status=WebhookDelivery.Status.FAILED).count(),
        "task_workers": args.task_workers,
        "processing_s": round(seconds, 1),
    }


if __name__ == "__main__":
    main()
