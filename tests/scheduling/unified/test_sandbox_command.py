"""`manage.py unified_sandbox` starts, prints its URL and connections, keeps state in its
SQLite file across restarts, and stops cleanly on Ctrl-C or `kill`, even when started in the
background by a shell that hands SIGINT down as "ignored"."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings

from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def start(*args, background=False):
    """Start the command; `background` starts it as a non-interactive shell runs `cmd &`,
    with SIGINT ignored (which the command inherits)."""
    command = [sys.executable, MANAGE, "unified_sandbox", "--port", "0", *args]
    if background:
        command = ["/bin/sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
    process = subprocess.Popen(  # noqa: S603  (our interpreter and manage.py)
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "connections:" in line:
            break
    for _ in range(4):
        lines.append(process.stdout.readline())
    return process, "".join(lines)


def stop(process, signum=signal.SIGINT):
    process.send_signal(signum)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_command_serves_and_keeps_state_across_restarts(tmp_path):
    db = tmp_path / "sandbox.sqlite3"
    process, banner = start("--db", str(db), "--anchor-date", "2026-03-02", "--seed-size", "20")
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        for connection_id in seed.SEEDED_CONNECTIONS:
            assert connection_id in banner
        assert "seeded now" in banner
        headers = {"Authorization": f"bearer {settings.UNIFIED_API_TOKEN}"}
        path = f"{url}/ats/{seed.ACME_ATS_CONNECTION_ID}/candidate"
        created = requests.post(
            path, json={"name": "Kept Across Restarts"}, headers=headers, timeout=10
        )
        assert created.status_code == 200
    finally:
        stop(process)
    assert process.returncode == 0

    process, banner = start("--db", str(db))
    try:
        assert "state kept" in banner
        assert "2026-03-02" in banner
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        again = requests.get(
            f"{url}/ats/{seed.ACME_ATS_CONNECTION_ID}/candidate/{created.json()['id']}",
            headers={"Authorization": settings.UNIFIED_API_TOKEN},
            timeout=10,
        )
        assert again.status_code == 200
    finally:
        stop(process)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_it_stops_cleanly_when_started_in_the_background(tmp_path, signum):
    db = tmp_path / "sandbox.sqlite3"
    process, banner = start("--db", str(db), "--seed-size", "20", background=True)
    assert "seeded now" in banner
    stop(process, signum)
    output = process.stdout.read()
    assert process.returncode == 0, output  # not killed after the 10 seconds' grace
