"""Benchmark: a burst of signed Unified webhook deliveries against gunicorn.

Run with `.venv/bin/python bench/webhooks.py` (`--deliveries 1000 --concurrency 50`).
It migrates a throwaway SQLite database (or uses DATABASE_URL, e.g. under bin/with-postgres),
creates one tenant with a calendar connection, starts `gunicorn config.wsgi` with two workers
on a free loopback port, and POSTs N distinct, correctly signed deliveries from a pool of
client threads at once. It prints one JSON line: requests/s, p50/p95/p99/max milliseconds
to the answer, the error count, and how many deliveries were stored. Processing happens
later in the task worker and is not part of this figure (the endpoint only checks, stores
and queues).
"""

import argparse
import concurrent.futures
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import free_port  # noqa: E402

SECRET = "bench-webhook-secret"
CONNECTION = "be0c" * 6


def environment(database_url):
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
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        env = environment(database_url)
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
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}/webhooks/unified/"
        try:
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            bodies = [delivery(n) for n in range(args.deliveries)]
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_maxsize=args.concurrency)
            session.mount("http://", adapter)

            def send(raw):
                started = time.perf_counter()
                try:
                    response = session.post(
                        url, data=raw, headers={"Content-Type": "application/json"}, timeout=30
                    )
                    ok = response.status_code == 200 and response.text == "accepted"
                except requests.RequestException:
                    ok = False
                return (time.perf_counter() - started) * 1000, ok

            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(send, bodies))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)

        from scheduling.models import WebhookDelivery

        latencies = sorted(ms for ms, _ok in results)
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            json.dumps(
                {
                    "case": "webhook burst",
                    "deliveries": args.deliveries,
                    "concurrency": args.concurrency,
                    "gunicorn_workers": args.workers,
                    "requests_per_s": round(args.deliveries / elapsed, 1),
                    "p50_ms": round(quantiles[49], 1),
                    "p95_ms": round(quantiles[94], 1),
                    "p99_ms": round(quantiles[98], 1),
                    "max_ms": round(latencies[-1], 1),
                    "errors": sum(1 for _ms, ok in results if not ok),
                    "stored": WebhookDelivery.objects.count(),
                    "database": database_url.split(":", 1)[0],
                }
            )
        )


if __name__ == "__main__":
    main()
