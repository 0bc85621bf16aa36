"""Fixtures for tests that talk to a live Unified sandbox over HTTP on a loopback port
(imported by tests/conftest.py, so every test package can use them).

`sandbox` is one server for the whole session, handed to each test in its seeded state: a
test that changed anything (a write, a webhook) makes the next one reseed first, and fault
knobs, request stats and the delivery log are always cleared. `live_unified` also points
Convene's settings at it, so the app's own client talks to it.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from scheduling.unified.sandbox.testing import running_sandbox

# Short retry waits keep webhook retry tests quick; the real default is 0.5, 1, 2, 4 s.
TEST_RETRY_DELAYS = (0.05, 0.1, 0.2)


@pytest.fixture(scope="session")
def sandbox_server():
    with running_sandbox(retry_delays=TEST_RETRY_DELAYS, delivery_timeout=2.0) as handle:
        handle.clean_version = handle.app.store.version
        yield handle


@pytest.fixture
def sandbox(sandbox_server):
    """A live sandbox (handle with .base_url, .token, .workspace_id, .webhook_secret and
    control helpers), in its freshly seeded state."""
    handle = sandbox_server
    app = handle.app
    if app.store.version != handle.clean_version:
        app.reset()
    else:
        app.deliveries.clear()
        app.faults.reset()
        app.stats.clear()
    handle.clean_version = app.store.version
    return handle


@pytest.fixture
def live_unified(sandbox, settings):
    """The sandbox, with Convene's Unified settings pointing at it (and no cached busy
    blocks from another test)."""
    settings.UNIFIED_BASE_URL = sandbox.base_url
    settings.UNIFIED_API_TOKEN = sandbox.token
    settings.UNIFIED_WORKSPACE_ID = sandbox.workspace_id
    settings.UNIFIED_WEBHOOK_SECRET = sandbox.webhook_secret
    cache.clear()
    return sandbox


class Receiver:
    """A tiny webhook receiver: records every POST and answers with the next queued status
    (200 once the queue is empty)."""

    def __init__(self):
        self.bodies = []
        self.raw = []
        self.statuses = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver._cond:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.raw.append(raw)
                    receiver.bodies.append(json.loads(raw))
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/hooks/unified"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def wait_for(self, count, timeout=10.0):
        """Wait until `count` deliveries arrived; return them all."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.bodies) >= count, timeout=timeout)
            return list(self.bodies)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
