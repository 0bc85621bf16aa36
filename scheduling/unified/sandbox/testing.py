"""Run a sandbox in a background thread for tests and benchmarks.

    with running_sandbox() as sandbox:
        requests.get(f"{sandbox.base_url}/hris/{sandbox.acme_ats}/employee",
                     headers=sandbox.auth_headers)

The handle's control helpers go through the sandbox's /sandbox/ endpoints over HTTP, exactly
as the sandbox page does, so each change fires the same webhooks.

Tests own their data: the seed changes with its anchor date, so a test makes what it asserts
about, at times it chooses relative to `anchor`, rather than finding "the first seeded X".
`create_event`, `create_candidate`, `create_application` and `create_interview` go through
Unified's own API; `schedule_interview` is a recruiter scheduling in the vendor's own page
(for Lever, whose API cannot create interviews); `clear_calendars` frees a stretch of some
people's calendars.
"""

import datetime as dt
import itertools
import threading
import time
from contextlib import contextmanager
from urllib.parse import quote

import requests

from . import seed
from .server import make_app, make_server


class SandboxHandle:
    acme_ats = seed.ACME_ATS_CONNECTION_ID
    acme_calendar = seed.ACME_CALENDAR_CONNECTION_ID
    globex_ats = seed.GLOBEX_ATS_CONNECTION_ID
    globex_calendar = seed.GLOBEX_CALENDAR_CONNECTION_ID

    def __init__(self, app, base_url):
        self.app = app
        self.base_url = base_url
        self.token = app.token
        self.workspace_id = app.workspace_id
        self.webhook_secret = app.webhook_secret
        self.session = requests.Session()
        self.session.trust_env = False
        self._numbers = itertools.count(1)

    @property
    def auth_headers(self):
        return {"Authorization": f"bearer {self.token}"}

    @property
    def anchor(self):
        return dt.date.fromisoformat(self.app.seed_info["anchor"])

    # Unified API calls, authenticated (for tests that do not use Convene's client).

    def get(self, path, **params):
        return self.session.get(self.base_url + path, params=params, headers=self.auth_headers)

    def call(self, method, path, *, json=None, params=None, headers=None):
        return self.session.request(
            method,
            self.base_url + path,
            json=json,
            params=params,
            headers={**self.auth_headers, **(headers or {})},
        )

    # /sandbox/ controls

    def _control(self, method, path, payload=None):
        response = self.session.request(method, self.base_url + path, json=payload)
        if not response.ok:
            raise requests.HTTPError(
                f"{method} {path} → {response.status_code}: {response.text[:500]}",
                response=response,
            )
        return response.json()

    def set_faults(self, **knobs):
        """Change fault knobs (faults.py); others keep their values."""
        return self._control("POST", "/sandbox/faults", knobs)

    def clear_faults(self):
        return self._control("POST", "/sandbox/faults", {"clear": True})

    def faults(self):
        return self._control("GET", "/sandbox/faults")

    def reset(self, **options):
        """Reseed and forget webhooks, deliveries, stats and faults (anchor_date, seed_size)."""
        return self._control("POST", "/sandbox/reset", options)

    def stats(self):
        return self._control("GET", "/sandbox/stats")

    def reset_stats(self):
        return self._control("DELETE", "/sandbox/stats")

    def deliveries(self, webhook_id=None):
        return self.app.deliveries.entries(webhook_id=webhook_id)

    def wait_deliveries(self, timeout=10.0):
        """Wait until no delivery is queued or in flight; True when idle."""
        return self.app.deliveries.wait_idle(timeout)

    def wait_for_delivery(self, predicate=lambda entry: True, *, timeout=10.0):
        """The first delivery log entry matching `predicate` whose outcome is final."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.deliveries():
                if entry["status"] in ("delivered", "failed") and predicate(entry):
                    return entry
            time.sleep(0.02)
        raise TimeoutError("no matching webhook delivery")

    def _event(self, cid, event_id, action, payload=None):
        path = f"/sandbox/events/{quote(cid)}/{quote(event_id, safe='')}/{action}"
        return self._control("POST", path, payload or {})["record"]

    def move_event(self, cid, event_id, start_at):
        """Move an event to `start_at` (aware datetime or ISO string), keeping its length."""
        if hasattr(start_at, "isoformat"):
            start_at = start_at.isoformat()
        return self._event(cid, event_id, "move", {"start_at": start_at})

    def edit_event(self, cid, event_id, **changes):
        return self._event(cid, event_id, "edit", changes)

    def respond(self, cid, event_id, email, status):
        return self._event(cid, event_id, "respond", {"email": email, "status": status})

    def cancel_event(self, cid, event_id):
        return self._event(cid, event_id, "cancel")

    def delete_event(self, cid, event_id):
        return self._event(cid, event_id, "delete")

    # Data a test owns: made through Unified's API, or as a person would in the vendor's UI
    # (so Convene sees it as it sees a person's change), at times the test chooses, never
    # found in the day's seed.

    def _created(self, path, body):
        response = self.call("POST", path, json=body)
        if response.status_code != 200:
            raise requests.HTTPError(
                f"POST {path} → {response.status_code}: {response.text[:500]}",
                response=response,
            )
        return response.json()

    def create_event(self, cid, calendar_id, start_at, minutes=60, **fields):
        """A timed event on `calendar_id` (an owner's address) from `start_at` (aware)."""
        body = {
            "calendar_id": calendar_id,
            "subject": "Busy",
            "start_at": start_at.isoformat(),
            "end_at": (start_at + dt.timedelta(minutes=minutes)).isoformat(),
            **fields,
        }
        return self._created(f"/calendar/{quote(cid)}/event", body)

    def clear_calendars(self, cid, emails, start_at, end_at):
        """Delete every event between the instants on these people's calendars or inviting
        them: a stretch the test knows is free. Returns the removed event ids."""
        payload = {"emails": list(emails), "start_at": start_at.isoformat(),
                   "end_at": end_at.isoformat()}  # fmt: skip
        return self._control("POST", f"/sandbox/calendars/{quote(cid)}/clear", payload)["removed"]

    def clear_interviews(self, cid, emails, start_at, end_at):
        """Delete every ATS interview between the instants naming these people (by their
        employees' emails) as interviewers. Returns the removed interview ids."""
        payload = {"emails": list(emails), "start_at": start_at.isoformat(),
                   "end_at": end_at.isoformat()}  # fmt: skip
        return self._control("POST", f"/sandbox/interviews/{quote(cid)}/clear", payload)["removed"]

    def create_candidate(self, cid, name, email, **fields):
        first, _, last = name.partition(" ")
        body = {
            "name": name,
            "first_name": first,
            "last_name": last,
            "emails": [{"email": email, "type": "WORK"}] if email else [],
            **fields,
        }
        # Added as a recruiter adds one in the ATS (Convene's connection may not write them).
        return self._control("POST", f"/sandbox/candidates/{quote(cid)}", body)["record"]

    def create_application(
        self, cid, *, status="FIRST_INTERVIEW", job_id=None, candidate=None, name=None, email=None
    ):
        """A candidate (new unless `candidate` is given) in `status` for `job_id` (the
        connection's first open job by default). Returns (candidate, application)."""
        if job_id is None:
            jobs = self.get(f"/ats/{quote(cid)}/job", limit=100).json()
            job_id = next(j["id"] for j in jobs if j.get("status") == "OPEN")
        if candidate is None:
            number = next(self._numbers)
            candidate = self.create_candidate(
                cid,
                name or f"Test Candidate{number}",
                f"test.candidate{number}@example.org" if email is None else email,
            )
        body = {"candidate_id": candidate["id"], "job_id": job_id, "status": status}
        path = f"/sandbox/applications/{quote(cid)}"
        return candidate, self._control("POST", path, body)["record"]

    def create_interview(self, cid, application, start_at, minutes, user_ids, **fields):
        body = {
            "application_id": application["id"],
            "start_at": start_at.isoformat(),
            "end_at": (start_at + dt.timedelta(minutes=minutes)).isoformat(),
            "user_ids": list(user_ids),
            **fields,
        }
        return self._created(f"/ats/{quote(cid)}/interview", body)

    def schedule_interview(self, cid, application, start_at, minutes, user_ids, **fields):
        """An interview a recruiter scheduled in the vendor's own UI (control endpoint): the
        same checks as `create_interview`, but it works on Lever too, whose API cannot
        create interviews."""
        body = {
            "application_id": application["id"],
            "start_at": start_at.isoformat(),
            "end_at": (start_at + dt.timedelta(minutes=minutes)).isoformat(),
            "user_ids": list(user_ids),
            **fields,
        }
        return self._control("POST", f"/sandbox/interviews/{quote(cid)}", body)["record"]

    def set_application_status(self, cid, application_id, status=None, original_status=None):
        payload = {"status": status, "original_status": original_status}
        path = f"/sandbox/applications/{quote(cid)}/{quote(application_id, safe='')}/status"
        return self._control("POST", path, {k: v for k, v in payload.items() if v})["record"]

    def patch_record(self, cid, object_type, record_id, **changes):
        """Merge raw fields into a record, unchecked (states the API would refuse)."""
        path = f"/sandbox/records/{quote(cid)}/{object_type}/{quote(record_id, safe='')}"
        return self._control("POST", path, changes)["record"]


@contextmanager
def running_sandbox(*, host="127.0.0.1", port=0, **options):
    """Start a sandbox on a free loopback port in a daemon thread; stop it on exit.
    `options` go to `make_app` (db, token, workspace_id, webhook_secret, anchor_date,
    seed_size, faults, fault_seed, clock, retry_delays, delivery_timeout)."""
    app = make_app(**options)
    server = make_server(app, host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    handle = SandboxHandle(app, f"http://{bound_host}:{bound_port}")
    try:
        yield handle
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        handle.session.close()
        app.close()
