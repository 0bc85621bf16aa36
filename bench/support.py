"""What the benchmark scripts share: a free loopback port, Django set up on a throwaway
database with production-like settings (DEBUG off), and the Unified sandbox in a process of
its own."""

import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

# Credentials for a sandbox a benchmark starts (running_sandbox(**BENCH_UNIFIED)): with DEBUG
# off, Convene refuses the sandbox's public defaults, as production must.
BENCH_UNIFIED = {
    "token": "bench-token",
    "workspace_id": "bench-workspace",
    "webhook_secret": "bench-webhook-secret",
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(database_url, **environment):
    """Configure Django from the environment as production would (DEBUG off), on
    `database_url`, and migrate. Extra settings come as environment variables."""
    # DEBUG off makes WhiteNoise look for collected files, which benchmarks do not need.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # With DEBUG off, settings refuse the sandbox's public credentials.
    os.environ.setdefault("UNIFIED_API_TOKEN", BENCH_UNIFIED["token"])
    os.environ.setdefault("UNIFIED_WORKSPACE_ID", BENCH_UNIFIED["workspace_id"])
    os.environ.setdefault("UNIFIED_WEBHOOK_SECRET", BENCH_UNIFIED["webhook_secret"])
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATABASE_URL=database_url,
        **environment,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_sandbox(folder, port, *options):
    """The sandbox in its own process (Unified is another machine), its state and log in
    `folder`, started with `options` (`--seed-size`, `--latency-ms`, …); returns (process,
    base URL) once it answers."""
    log = open(Path(folder) / "sandbox.log", "w")  # noqa: SIM115 (lives with the process)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "unified_sandbox",
            "--port",
            str(port),
            "--db",
            str(Path(folder) / "sandbox.sqlite3"),
            "--reset",
            *map(str, options),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox stopped: see {log.name}")
        try:
            if requests.get(f"{base}/sandbox/info", timeout=5).ok:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("the sandbox did not start in 15 minutes")


def start_workers(count, env, interval=0.1):
    """`count` task workers (`manage.py db_worker`), each polling every `interval` seconds
    when idle."""
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", str(interval)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)
