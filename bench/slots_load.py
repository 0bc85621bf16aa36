"""Load benchmark of the candidate's slot fragment: requests/s with two gunicorn workers.

Run with `.venv/bin/python bench/slots_load.py` (options: `--duration 20`,
`--connections 16`, `--caches locmem,db,file`). Needs `wrk` (`bin/apt-install wrk`).

It starts the Unified sandbox on a free loopback port, builds a throwaway SQLite database
whose tenant mirrors the sandbox's Acme world (ATS synced, calendars read), with the
two-session "Onsite" plan of the integration tests and one booking link for next week. Then,
for each cache backend, it starts `gunicorn config.wsgi -w 2` (the production
gunicorn.conf.py: gthread, 4 threads) on a free loopback port with DEBUG off, warms the
busy cache and the week cache, and drives the week fragment — GET /book/<token>/?tz=…&week=…
with `HX-Request: true`, as the page's htmx asks for it — with wrk. One JSON line per case:
requests/s, p50/p95/p99 latency in ms, errors.

locmem is a cache per worker process (each warms its own, and a worker recycled by
gunicorn's max_requests starts cold); db (a table in the same SQLite file, after
`createcachetable`) and file are shared by both workers.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import BENCH_UNIFIED, free_port  # noqa: E402

WRK_SCRIPT = """
wrk.headers["HX-Request"] = "true"
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.errors.status, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def base_env(database_url, sandbox):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        # Plain http on the loopback: cookies marked Secure would never come back.
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATABASE_URL=database_url,
        # Nothing here runs tasks: sending and write-back are not what is measured.
        TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        UNIFIED_BASE_URL=sandbox.base_url,
        UNIFIED_API_TOKEN=sandbox.token,
        UNIFIED_WORKSPACE_ID=sandbox.workspace_id,
        UNIFIED_WEBHOOK_SECRET=sandbox.webhook_secret,
        LOG_LEVEL="WARNING",
    )
    return env


def build(sandbox):
    """The Acme tenant mirrored from the sandbox, the Onsite plan, and one open link."""
    from candidates import links
    from candidates.models import Application
    from candidates.sync import run_sync, start_sync
    from scheduling.connections import refresh_calendars
    from scheduling.models import (
        Connection,
        Interviewer,
        InterviewPlan,
        Membership,
        PlanPool,
        PlanSession,
        Tenant,
        User,
    )

    tenant = Tenant.objects.create(
        name="Acme Robotics", slug="acme", default_timezone="America/New_York"
    )
    user = User.objects.create_user("rosa@acme.example", "rosa@acme.example", "pw-bench-123")
    Membership.objects.create(user=user, tenant=tenant, role="recruiter")
    ats = Connection.objects.create(
        tenant=tenant, category="ats", integration_type="greenhouse", unified_id=sandbox.acme_ats
    )
    calendar = Connection.objects.create(
        tenant=tenant,
        category="calendar",
        integration_type="googlecalendar",
        unified_id=sandbox.acme_calendar,
    )
    run = run_sync(start_sync(ats).pk)
    if run.status != "succeeded":
        raise SystemExit(f"sync failed: {run.error}")
    refresh_calendars(calendar)

    def person(name):
        return Interviewer.objects.get(tenant=tenant, name__startswith=name)

    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Onsite", order="any", minimum_notice_hours=24, horizon_days=30
    )
    technical = PlanSession.objects.create(
        plan=plan, position=0, title_template="{job} – technical", duration_minutes=60
    )
    technical.required.add(person("Maya"))
    pool = PlanPool.objects.create(session=technical, k=1)
    pool.members.add(person("Daniel"), person("Grace"))
    values = PlanSession.objects.create(
        plan=plan, position=1, title_template="Values", duration_minutes=45
    )
    values.required.add(person("Sof"))
    application = (
        Application.objects.filter(tenant=tenant, status="FIRST_INTERVIEW")
        .exclude(candidate__email="")
        .first()
    )
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    link = links.create_link(
        application,
        plan,
        user=user,
        window_start=monday,
        window_end=monday + dt.timedelta(days=4),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
        send=False,
    )
    return f"/book/{links.token_for(link)}/?tz=Europe/Berlin&week={monday.isoformat()}"


def fetch(url):
    """GET the fragment (an http:// URL on the loopback, built here)."""
    request = urllib.request.Request(url, headers={"HX-Request": "true"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.read().decode()


def run_case(name, cache_url, env, path, args, tmp):
    env = {**env, "CACHE_URL": cache_url}
    python = str(ROOT / ".venv" / "bin" / "python")
    if cache_url.startswith("dbcache://"):
        subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = open(Path(tmp) / f"gunicorn-{name}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}{path}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = fetch(url)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"gunicorn did not start; see {log.name}") from None
                time.sleep(0.2)
        if status != 200 or 'class="time"' not in body:
            raise SystemExit(f"the fragment is not right ({status}): {body[:300]}")
        # Warm both workers (each request may land on either) and their caches.
        started = time.perf_counter()
        for _ in range(args.warm):
            fetch(url)
        warm_ms = (time.perf_counter() - started) * 1000 / args.warm
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_SCRIPT)
        command = [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        report = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
        status, body = fetch(url)
        still_right = status == 200 and 'class="time"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    seconds = report["duration_us"] / 1e6
    return {
        "case": f"candidate slot fragment, warm, cache={name}",
        "requests_per_s": round(report["requests"] / seconds, 1),
        "p50_ms": round(report["p50_us"] / 1000, 1),
        "p95_ms": round(report["p95_us"] / 1000, 1),
        "p99_ms": round(report["p99_us"] / 1000, 1),
        "max_ms": round(report["max_us"] / 1000, 1),
        "requests": report["requests"],
        "errors": report["non_2xx"] + report["socket_errors"],
        "fragment_ok_after": still_right,
        "warm_sequential_ms": round(warm_ms, 1),
        "workers": 2,
        "tool": f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s",
        "cache_url": cache_url,
        "fragment_bytes": len(body.encode()),
    }


CACHES = {
    "locmem": "locmemcache://bench",
    "db": "dbcache://convene_cache",
    "file": "filecache://{tmp}/cache",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warm", type=int, default=40)
    parser.add_argument("--caches", default="locmem,db,file")
    args = parser.parse_args()

    from scheduling.unified.sandbox.testing import running_sandbox

    with tempfile.TemporaryDirectory() as tmp, running_sandbox(**BENCH_UNIFIED) as sandbox:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
        env = base_env(database_url, sandbox)
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        path = build(sandbox)
        for name in args.caches.split(","):
            cache_url = CACHES[name].format(tmp=tmp)
            print(json.dumps(run_case(name, cache_url, env, path, args, tmp)), flush=True)


if __name__ == "__main__":
    main()
