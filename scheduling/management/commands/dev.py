import os
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from ..stopping import stop_on_signals
from .seed_demo import demo_sign_ins


def _web_address():
    """Where runserver listens: SITE_URL's host and port when it is a loopback http address
    (so a second checkout can run beside the first with SITE_URL and UNIFIED_BASE_URL set to
    other ports), else 127.0.0.1:8000."""
    url = urlsplit(settings.SITE_URL)
    if url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost") and url.port:
        return f"{url.hostname}:{url.port}"
    return "127.0.0.1:8000"


def _sandbox_address():
    """(host, port) of the local Unified sandbox when settings point Convene at one."""
    url = urlsplit(settings.UNIFIED_BASE_URL)
    if url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost") and url.port:
        return url.hostname, url.port
    return None


def _processes():
    """What the embedded default needs, each as (label, argv)."""
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    processes = [
        ("web", [*manage, "runserver", _web_address()]),
        ("worker", [*manage, "db_worker"]),
        ("periodic", [*manage, "periodic", "--loop"]),
    ]
    sandbox = _sandbox_address()
    if sandbox:
        host, port = sandbox
        processes.append(
            ("unified", [*manage, "unified_sandbox", "--host", host, "--port", str(port)])
        )
    return processes


class Command(BaseCommand):
    help = "Run everything the app needs in one terminal (web, task worker, …). Ctrl-C stops all."

    def handle(self, *args, **options):
        children = []
        lock = threading.Lock()

        def pump(label, stream):
            for line in iter(stream.readline, ""):
                with lock:
                    sys.stdout.write(f"{label:>8} | {line}")
                    sys.stdout.flush()

        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for label, argv in _processes():
            child = subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                start_new_session=True,  # we forward Ctrl-C ourselves, once, to each group
            )
            children.append((label, child))
            threading.Thread(target=pump, args=(label, child.stdout), daemon=True).start()

        self.stdout.write(
            self.style.SUCCESS(
                f"\nConvene is starting on http://{_web_address()}/  (Ctrl-C stops it)"
            )
        )
        if _sandbox_address():
            self.stdout.write(
                f"The Unified sandbox page: {settings.UNIFIED_BASE_URL}/  "
                "(move or cancel an event there to see Convene follow)"
            )
        self.stdout.write("Demo sign-ins:")
        for line in demo_sign_ins():
            self.stdout.write(line)
        self.stdout.write("")

        stop_on_signals()
        try:
            while True:
                for label, child in children:
                    if child.poll() is not None:
                        self.stderr.write(
                            f"{label} exited with status {child.returncode}; stopping."
                        )
                        raise KeyboardInterrupt
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for _label, child in children:
                if child.poll() is None:
                    # SIGTERM, not SIGINT: children may have inherited SIGINT as ignored.
                    os.killpg(child.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for _label, child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
