"""The sandbox as a WSGI application, and the threaded server that runs it.

`make_app(**options)` builds a `Sandbox` (a WSGI callable); `make_server(app, host, port)`
serves it with wsgiref on threads, so Convene's concurrent busy lookups (twenty at once) are
answered side by side. `serve(app, host, port)` blocks; testing.py runs one in a thread.
"""

import contextlib
import datetime as dt
import logging
import socketserver
import threading
import time
import traceback
from collections import Counter
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from . import api, control, seed
from .deliveries import DEFAULT_RETRY_DELAYS, Deliverer
from .faults import HEADER, FaultConfig, Faults
from .store import Store
from .web import ApiError, Request, error_response

logger = logging.getLogger("scheduling.unified.sandbox")

DEFAULT_TOKEN = "sandbox-token"
DEFAULT_WORKSPACE_ID = "sandbox-workspace"
DEFAULT_WEBHOOK_SECRET = "sandbox-webhook-secret"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class Stats:
    """Counts of Unified API requests: tests assert "no Unified call was made" with it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.clear()

    def clear(self):
        with self._lock:
            self.total = 0
            self.paths = Counter()
            self.routes = Counter()
            self.statuses = Counter()

    def record(self, method, path, status):
        with self._lock:
            self.total += 1
            self.paths[f"{method} {path}"] += 1
            self.routes[f"{method} {api.route_name(path)}"] += 1
            self.statuses[str(status)] += 1

    def as_dict(self):
        with self._lock:
            return {
                "total": self.total,
                "paths": dict(self.paths),
                "routes": dict(self.routes),
                "statuses": dict(self.statuses),
            }


class Sandbox:
    """The Unified sandbox: state, fault knobs, webhook deliveries and the WSGI entry."""

    def __init__(
        self,
        *,
        db=":memory:",
        token=DEFAULT_TOKEN,
        workspace_id=DEFAULT_WORKSPACE_ID,
        webhook_secret=DEFAULT_WEBHOOK_SECRET,
        anchor_date=None,
        seed_size=seed.DEFAULT_SEED_SIZE,
        reset=False,
        faults=None,
        fault_seed=0,
        clock=None,
        retry_delays=DEFAULT_RETRY_DELAYS,
        delivery_timeout=5.0,
    ):
        self.token = token
        self.workspace_id = workspace_id
        self.webhook_secret = webhook_secret
        self.store = Store(db, clock=clock)
        self.initial_seed = {"anchor_date": anchor_date, "seed_size": seed_size}
        self.seed_seconds = None
        if reset or self.store.is_empty():
            self.reseed(anchor_date=anchor_date, seed_size=seed_size)
        self.faults = Faults(FaultConfig().merged(faults or {}), fault_seed)
        self.stats = Stats()
        self.deliveries = Deliverer(self, retry_delays=retry_delays, timeout=delivery_timeout)
        self.store.listeners.append(self.deliveries.on_change)

    @property
    def seed_info(self):
        return self.store.meta("seed") or {}

    def reseed(self, *, anchor_date=None, seed_size=None):
        anchor = anchor_date or self.store.clock().astimezone(dt.UTC).date()
        size = seed.DEFAULT_SEED_SIZE if seed_size is None else seed_size
        started = time.perf_counter()
        seed.seed(self.store, anchor=anchor, seed_size=size, workspace_id=self.workspace_id)
        self.store.set_meta("seeded_at", self.store.now())
        self.seed_seconds = time.perf_counter() - started
        logger.info("seeded for %s with %d candidates in %.2fs", anchor, size, self.seed_seconds)

    def reset(self, *, anchor_date=None, seed_size=None):
        """Back to the start: reseed, forget webhooks, deliveries and stats, restore faults."""
        self.deliveries.clear()
        self.reseed(
            anchor_date=anchor_date or self.initial_seed["anchor_date"],
            seed_size=seed_size if seed_size is not None else self.initial_seed["seed_size"],
        )
        self.faults.reset()
        self.stats.clear()

    def close(self):
        self.deliveries.stop()
        self.store.close()

    # --- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            if req.path == "/" or req.path.startswith("/sandbox/"):
                response = control.dispatch(self, req)
            else:
                response = self.unified_call(req)
        except ApiError as error:
            response = error_response(error.status, error.message, error.headers)
        except Exception:
            logger.error(
                "sandbox error on %s %s\n%s", req.method, req.path, traceback.format_exc()
            )
            response = error_response(500, "the sandbox failed on this request (see its log)")
        return response(start_response)

    def unified_call(self, req):
        """A Unified API request, with the fault knobs applied and counted in the stats."""
        status = 500
        try:
            faults = self.faults.for_request(req.header(HEADER))
            delay = faults.latency_ms
            if faults.latency_jitter_ms:
                delay += self.faults.draw() * faults.latency_jitter_ms
            if delay:
                time.sleep(delay / 1000)
            if faults.rate_429 or faults.rate_500 or faults.rate_timeout:
                roll = self.faults.draw()
                if roll < faults.rate_429:
                    headers = []
                    if faults.retry_after is not None:
                        headers.append(("Retry-After", str(faults.retry_after)))
                    raise ApiError(429, "rate limited (sandbox fault)", headers=headers)
                if roll < faults.rate_429 + faults.rate_500:
                    raise ApiError(500, "internal server error (sandbox fault)")
                if roll < faults.rate_429 + faults.rate_500 + faults.rate_timeout:
                    time.sleep(faults.timeout_seconds)
                    raise ApiError(504, "upstream timed out (sandbox fault)")
            response = api.dispatch(self, req)
            if (
                faults.fail_after_write
                and req.method in WRITE_METHODS
                and 200 <= response.status < 300
                and self.faults.draw() < faults.fail_after_write
            ):
                raise ApiError(500, "internal server error after the write (sandbox fault)")
            status = response.status
            return response
        except ApiError as error:
            status = error.status
            raise
        finally:
            self.stats.record(req.method, req.path, status)


def make_app(**options):
    return Sandbox(**options)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    # Many concurrent connects (busy lookups for a whole panel): don't refuse them.
    request_queue_size = 128

    def server_bind(self):
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for seconds on a
        # machine without DNS; the sandbox only ever needs the address it bound.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port
        self.setup_environ()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        logger.debug("%s %s", self.address_string(), format % args)

    def handle(self):
        # The client gave up (usually a client-side timeout in a fault test): nothing to say.
        with contextlib.suppress(TimeoutError, ConnectionResetError, BrokenPipeError):
            super().handle()


def make_server(app, host="127.0.0.1", port=0):
    """A threaded server for `app` bound to (host, port); port 0 picks a free one."""
    server = ThreadingWSGIServer((host, port), QuietHandler)
    server.set_app(app)
    return server


def serve(app, host="127.0.0.1", port=8765):
    server = make_server(app, host, port)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
