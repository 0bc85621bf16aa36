"""Autopilot simulation: a week of applications entering interview stages, scheduled by
themselves; how many loops got booked with no recruiter action, how fast, and what is left.

Run:

    .venv/bin/python bench/autopilot.py                      # 1,000 applications (minutes)
    .venv/bin/python bench/autopilot.py --applications 100   # a quick run
    bin/with-postgres .venv/bin/python bench/autopilot.py    # on PostgreSQL, as production

Options: `--applications 1000`, `--seed 7` (the run is the same for a seed), `--step-minutes
15` (the clock's step), `--days 7` (the week over which applications enter), `--no-answer
0.04`, `--none-work 0.03`, `--reschedule 0.08`, `--decline 0.02` (shares of candidates and
loops), `--interviewers 60` (the pool: the seed's interviewers with calendars, then people
without one, working from their hours alone).

What runs: the Unified sandbox (`manage.py unified_sandbox`, its own process and port, in
memory); Convene in this process on a throwaway SQLite file (or DATABASE_URL), with tasks
run at once (the outbox writes events, ATS interviews and emails as it would in a worker)
and mail kept in memory (every email is a `SentEmail` row, as always). A team with an
"Onsite" plan whose rule is "Send the booking link" (1 hour's delay, within the candidate's
daytime); one 45-minute session with one interviewer from the pool.

The clock (time-machine, not ticking) starts at the next Monday 00:00 UTC and moves in
steps; at each step, in this order:

1. the applications whose time has come move to First interview in the sandbox ATS, as a
   recruiter does in the ATS (`/sandbox/applications/…/status`); the sandbox's webhooks are
   caught by a small receiver and handed to Convene's webhook endpoint (its real path:
   signature, storing, draining, the mirror);
2. the periodic jobs run: autopilot's sends (`autopilot.run_due`), the booking link
   reminders (`links.send_reminders`), the follow-through (`autopilot_follow.follow_up`);
3. candidates act when their time has come. A candidate's first move comes after a delay
   drawn from a log-normal (median 3 hours, within their waking hours 08:00–22:00 on their
   own clock; their zones are spread over the Americas, Europe and Asia). Most book a time
   their link offers (the booking service the public page calls: `links.week` →
   `links.book`); `--none-work` of them say none of the times work and send the times they
   can do (`availability.submit`); `--no-answer` never answer. `--reschedule` of the booked
   move their interview a day later (`links.reschedule`); in `--decline` of the booked loops
   an interviewer declines the calendar invitation in the sandbox (the event's attendee
   status → the calendar webhook → Convene's decline handling, a flag for the recruiter).

The applications enter at realistic times: working days, 09:00–18:00 on the recruiter's
clock (New York, London, Bangalore or San Francisco). The run goes on for up to two weeks
after the last entry, until every entry has settled (booked, back with a recruiter, or not
sent).

It prints one JSON line and a readable summary: the share of loops scheduled with no
recruiter action, median and p90 hours from stage entry to booked (simulated time), the
recruiter actions still needed by kind, and duplicate sends (an entry whose candidate got
more than one first email of a link or request, counted from the sent mail).
Goal (issue 25): at least 90% with no recruiter action, median under 24 hours, 0 duplicates.
"""

import argparse
import collections
import datetime as dt
import json
import logging
import math
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from support import BENCH_UNIFIED, free_port, setup_django, start_sandbox, stop  # noqa: E402

RECRUITER_ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "America/Los_Angeles"]
CANDIDATE_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Warsaw",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
]
ENTERED_STATUS = "FIRST_INTERVIEW"
BEFORE_STATUS = "REVIEWING"


class Receiver:
    """The sandbox's webhooks, caught on a loopback port and kept in order; the simulation
    hands them to Convene's endpoint in its own thread (under its clock)."""

    def __init__(self):
        self.bodies = collections.deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.bodies.append(raw)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class Sandbox:
    """The sandbox's /sandbox/ controls over HTTP."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()
        self.http.trust_env = False

    def control(self, path, payload=None):
        response = self.http.post(self.base + path, json=payload or {}, timeout=60)
        response.raise_for_status()
        return response.json()

    def api(self, path, **params):
        response = self.http.get(
            self.base + path,
            params=params,
            headers={"Authorization": f"bearer {BENCH_UNIFIED['token']}"},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def wait_deliveries(self):
        self.control("/sandbox/wait-deliveries", {"timeout": 30})


def waking(moment, zone, rng):
    """`moment`, or the candidate's next waking hour (08:00–22:00 on their clock) when
    it falls in their night."""
    local = moment.astimezone(zone)
    if 8 <= local.hour < 22:
        return moment
    day = local.date() if local.hour < 8 else local.date() + dt.timedelta(days=1)
    wake = dt.datetime.combine(day, dt.time(8), zone) + dt.timedelta(minutes=rng.randint(0, 180))
    return wake.astimezone(dt.UTC)


def entry_times(count, start, days, rng):
    """When each application enters the stage: a working day of the week, 09:00–18:00 on
    its recruiter's clock."""
    times = []
    workdays = [start.date() + dt.timedelta(days=n) for n in range(days)]
    workdays = [d for d in workdays if d.weekday() < 5] or workdays
    for _ in range(count):
        zone = ZoneInfo(rng.choice(RECRUITER_ZONES))
        day = rng.choice(workdays)
        local = dt.datetime.combine(day, dt.time(9), zone) + dt.timedelta(
            minutes=rng.randint(0, 9 * 60 - 1)
        )
        times.append(max(local.astimezone(dt.UTC), start + dt.timedelta(minutes=1)))
    return sorted(times)


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--step-minutes", type=int, default=15)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--no-answer", type=float, default=0.04)
    parser.add_argument("--none-work", type=float, default=0.03)
    parser.add_argument("--reschedule", type=float, default=0.08)
    parser.add_argument("--decline", type=float, default=0.02)
    parser.add_argument("--interviewers", type=int, default=60)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")

    tmp = tempfile.mkdtemp(prefix="autopilot-bench-")
    port = free_port()
    receiver = Receiver()
    environment = {
        "UNIFIED_BASE_URL": f"http://127.0.0.1:{port}",
        "SITE_URL": receiver.base,
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "MAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CACHE_URL": "locmemcache://autopilot-bench",
        "LOG_LEVEL": "ERROR",
    }
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/autopilot.sqlite3"
    sandbox_process, base = start_sandbox(
        tmp,
        port,
        "--token",
        BENCH_UNIFIED["token"],
        "--workspace-id",
        BENCH_UNIFIED["workspace_id"],
        "--webhook-secret",
        BENCH_UNIFIED["webhook_secret"],
    )
    started = time.monotonic()
    try:
        setup_django(database_url, **environment)
        logging.disable(logging.WARNING)  # the run's own lines only
        result = Simulation(args, Sandbox(base), receiver).run()
    finally:
        stop([sandbox_process])
        receiver.close()
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))
    print(summary(result))
    goal = (
        result["no_action_share"] >= 0.9
        and (result["median_hours"] or 99) < 24
        and result["duplicate_sends"] == 0
    )
    sys.exit(0 if goal else 1)


def summary(r):
    actions = ", ".join(f"{n} {kind}" for kind, n in r["actions"].items()) or "none"
    return (
        f"{r['loops']} applications entered {r['plan']} over {r['days']} days "
        f"({r['seconds']} s of real time).\n"
        f"  Scheduled with no recruiter action: {r['no_action']} "
        f"({100 * r['no_action_share']:.1f}%, goal ≥ 90%)\n"
        f"  Stage entry → booked: median {r['median_hours']} h, p90 {r['p90_hours']} h "
        "(simulated; goal: median < 24 h)\n"
        f"  Booked in all: {r['booked']}; rescheduled by the candidate: {r['rescheduled']}; "
        f"declined by an interviewer: {r['declined']}\n"
        f"  Recruiter actions still needed: {actions}\n"
        f"  Duplicate sends: {r['duplicate_sends']} (goal 0); emails sent: {r['emails']}"
    )


class Simulation:
    def __init__(self, args, sandbox, receiver):
        self.args = args
        self.sandbox = sandbox
        self.receiver = receiver
        self.rng = random.Random(args.seed)

    # --- set-up ---------------------------------------------------------------------------

    def run(self):
        import time_machine

        now = dt.datetime.now(dt.UTC)
        monday = (now + dt.timedelta(days=7 - now.weekday())).date()
        self.start = dt.datetime.combine(monday, dt.time(0), dt.UTC)
        with time_machine.travel(self.start, tick=False) as clock:
            self.clock = clock
            self.set_up()
            return self.simulate()

    def set_up(self):
        from django.test import Client

        from candidates.sync import run_sync, start_sync
        from scheduling.connections import refresh_calendars, register_webhooks
        from scheduling.models import (
            Connection,
            Interviewer,
            InterviewPlan,
            PlanPool,
            PlanSession,
            Tenant,
        )
        from scheduling.unified.sandbox import seed

        self.client = Client()
        tenant = Tenant.objects.create(
            name="Autopilot bench", slug="autopilot-bench", default_timezone="America/New_York"
        )
        self.tenant = tenant
        self.ats = Connection.objects.create(
            tenant=tenant,
            category="ats",
            integration_type="greenhouse",
            unified_id=seed.ACME_ATS_CONNECTION_ID,
        )
        self.calendar = Connection.objects.create(
            tenant=tenant,
            category="calendar",
            integration_type="googlecalendar",
            unified_id=seed.ACME_CALENDAR_CONNECTION_ID,
        )
        jobs = [
            j["id"]
            for j in self.sandbox.api(f"/ats/{self.ats.unified_id}/job", limit=100)
            if j.get("status") == "OPEN"
        ]
        # The applications that will enter the stage: in the pipeline before it.
        self.remote = []
        for n in range(self.args.applications):
            candidate = self.sandbox.control(
                f"/sandbox/candidates/{self.ats.unified_id}",
                {
                    "name": f"Bench Candidate{n}",
                    "first_name": "Bench",
                    "last_name": f"Candidate{n}",
                    "emails": [{"email": f"bench.candidate{n}@example.org", "type": "WORK"}],
                },
            )["record"]
            application = self.sandbox.control(
                f"/sandbox/applications/{self.ats.unified_id}",
                {
                    "candidate_id": candidate["id"],
                    "job_id": jobs[n % len(jobs)],
                    "status": BEFORE_STATUS,
                },
            )["record"]
            self.remote.append(application["id"])
        run_sync(start_sync(self.ats).pk)
        refresh_calendars(self.calendar)
        register_webhooks(self.ats)
        register_webhooks(self.calendar)
        self.receiver.bodies.clear()
        people = list(
            Interviewer.objects.filter(tenant=tenant, calendar_connection__isnull=False)
            .exclude(email="")
            .order_by("email")[: self.args.interviewers]
        )
        # A team that moves 1,000 applications a week has more interviewers than the seed's
        # calendars: the rest work from their hours alone (no calendar: Convene's own holds
        # and their limits, 3 a day and 10 a week, keep them from double booking).
        for n in range(len(people), self.args.interviewers):
            people.append(
                Interviewer.objects.create(
                    tenant=tenant,
                    name=f"Bench Interviewer{n}",
                    email=f"bench.interviewer{n}@example.org",
                    timezone=RECRUITER_ZONES[n % len(RECRUITER_ZONES)],
                )
            )
        plan = InterviewPlan.objects.create(
            tenant=tenant,
            name="Onsite",
            stage_status=ENTERED_STATUS,
            minimum_notice_hours=24,
            horizon_days=30,
            slot_step_minutes=30,
            autopilot=InterviewPlan.Autopilot.LINK,
            autopilot_delay_minutes=60,
        )
        session = PlanSession.objects.create(
            plan=plan, title_template="{job} onsite", duration_minutes=45
        )
        pool = PlanPool.objects.create(session=session, k=1)
        pool.members.set(people)
        self.plan = plan
        self.people = len(people)

    # --- the week ---------------------------------------------------------------------------

    def simulate(self):
        from django.utils import timezone

        from candidates import autopilot, autopilot_follow, links
        from candidates.models import StageEntry

        args = self.args
        self.entering = list(
            zip(
                entry_times(len(self.remote), self.start, args.days, self.rng),
                self.remote,
                strict=True,
            )
        )
        self.entered_at = {}  # remote application id → when it entered
        self.plans = {}  # entry id → what its candidate does
        self.todo = []  # (when, n, action, entry id)
        self.counter = 0
        self.rescheduled = self.declined = 0
        step = dt.timedelta(minutes=args.step_minutes)
        last_entry = self.entering[-1][0] if self.entering else self.start
        end = last_entry + dt.timedelta(days=14)
        now = self.start
        while now < end:
            now += step
            self.clock.move_to(now)
            if now.hour == 0 and now.minute < args.step_minutes:
                print(f"… {now:%a %d %b}: {len(self.plans)} sent", file=sys.stderr, flush=True)
            while self.entering and self.entering[0][0] <= now:
                _when, remote_id = self.entering.pop(0)
                self.enter(remote_id)
            self.deliver()
            autopilot.run_due(now=timezone.now())
            links.send_reminders(now=timezone.now())
            autopilot_follow.follow_up(now=timezone.now())
            self.new_entries()
            self.act(now)
            self.deliver()
            if not self.entering and now > last_entry + dt.timedelta(days=1):
                open_states = (
                    StageEntry.State.WAITING,
                    StageEntry.State.SENT,
                )
                pending = StageEntry.objects.filter(
                    tenant=self.tenant, state__in=open_states
                ).exists()
                if not pending and not self.todo:
                    break
        self.finished = now
        return self.figures()

    def enter(self, remote_id):
        self.sandbox.control(
            f"/sandbox/applications/{self.ats.unified_id}/{remote_id}/status",
            {"status": ENTERED_STATUS},
        )

    def deliver(self):
        """The sandbox's webhooks so far, through Convene's real endpoint."""
        self.sandbox.wait_deliveries()
        while self.receiver.bodies:
            body = self.receiver.bodies.popleft()
            response = self.client.post(
                "/webhooks/unified/", data=body, content_type="application/json"
            )
            if response.status_code >= 400:
                raise SystemExit(f"the webhook endpoint answered {response.status_code}")

    def new_entries(self):
        """Each entry just sent gets its candidate's behaviour, drawn once."""
        from candidates.models import StageEntry

        sent = StageEntry.objects.filter(
            tenant=self.tenant, state=StageEntry.State.SENT, link__isnull=False
        ).exclude(pk__in=list(self.plans))
        for entry in sent.select_related("link"):
            roll = self.rng.random()
            zone = ZoneInfo(self.rng.choice(CANDIDATE_ZONES))
            if roll < self.args.no_answer:
                behaviour = "silent"
            elif roll < self.args.no_answer + self.args.none_work:
                behaviour = "none_work"
            else:
                behaviour = "book"
            self.plans[entry.pk] = {"behaviour": behaviour, "zone": zone}
            if behaviour == "silent":
                continue
            delay = dt.timedelta(hours=self.rng.lognormvariate(math.log(3), 0.9))
            when = waking(entry.sent_at + delay, zone, self.rng)
            self.schedule(when, behaviour, entry.pk)

    def schedule(self, when, action, entry_id):
        self.counter += 1
        self.todo.append((when, self.counter, action, entry_id))
        self.todo.sort()

    def act(self, now):
        while self.todo and self.todo[0][0] <= now:
            _when, _n, action, entry_id = self.todo.pop(0)
            getattr(self, action)(entry_id)

    # --- what candidates and interviewers do ------------------------------------------------

    def _link(self, entry_id):
        from candidates.models import BookingLink, StageEntry

        entry = StageEntry.objects.select_related("link").get(pk=entry_id)
        if entry.link_id is None:
            return None, None
        link = BookingLink.objects.select_related(
            "tenant", "application__candidate", "application__job", "plan", "interview"
        ).get(pk=entry.link_id)
        return entry, link

    def _slot(self, link, zone, interview=None, after=None):
        """A time the link offers: among the first few of the earliest week with times."""
        from candidates import links

        found = links.earliest_week(link, zone, interview=interview)
        if found is None:
            return None, None
        slots = [s for day in found.days for s in day.slots if after is None or s.start >= after]
        if not slots and found.next:
            found = links.week(link, zone, found.next, interview=interview)
            slots = [
                s for day in found.days for s in day.slots if after is None or s.start >= after
            ]
        if not slots:
            return None, None
        return found.offer, self.rng.choice(slots[:6])

    def book(self, entry_id):
        from candidates import links
        from scheduling import booking

        _entry, link = self._link(entry_id)
        if link is None or link.state != link.State.OPEN:
            return
        zone = self.plans[entry_id]["zone"]
        for _attempt in range(3):
            offer, slot = self._slot(link, zone)
            if slot is None:
                # Nothing offered: the candidate says none of the times work.
                return self.none_work(entry_id)
            try:
                interview = links.book(
                    link,
                    offer.choice_for(slot, link.application),
                    version=link.version,
                    zone_name=zone.key,
                )
            except booking.SlotTaken:
                continue
            except (links.LinkChanged, links.ApplicationClosed):
                return
            break
        else:
            return
        roll = self.rng.random()
        if roll < self.args.reschedule:
            when = dt.datetime.now(dt.UTC) + dt.timedelta(hours=self.rng.uniform(2, 30))
            self.schedule(waking(when, zone, self.rng), "reschedule", entry_id)
        elif roll < self.args.reschedule + self.args.decline:
            when = dt.datetime.now(dt.UTC) + dt.timedelta(hours=self.rng.uniform(1, 12))
            self.schedule(when, "decline", entry_id)
        return interview

    def reschedule(self, entry_id):
        from candidates import links
        from scheduling import booking

        _entry, link = self._link(entry_id)
        if link is None or link.state != link.State.BOOKED or link.interview is None:
            return
        zone = self.plans[entry_id]["zone"]
        later = link.interview.start_at + dt.timedelta(days=1)
        offer, slot = self._slot(link, zone, interview=link.interview, after=later)
        if slot is None:
            return
        try:
            links.reschedule(
                link,
                offer.choice_for(slot, link.application),
                version=link.version,
                zone_name=zone.key,
            )
        except (booking.BookingError, links.LinkChanged, links.TooLate, links.TooManyMoves):
            return
        self.rescheduled += 1

    def decline(self, entry_id):
        """An interviewer declines the invitation in their calendar (the sandbox's event)."""
        from scheduling.models import SessionAttendee

        _entry, link = self._link(entry_id)
        if link is None or link.interview is None:
            return
        attendee = (
            SessionAttendee.objects.filter(session__interview=link.interview)
            .select_related("session", "interviewer")
            .first()
        )
        if attendee is None or not attendee.session.event_id:
            return
        self.sandbox.control(
            f"/sandbox/events/{self.calendar.unified_id}/{attendee.session.event_id}/respond",
            {"email": attendee.interviewer.email, "status": "REJECTED"},
        )
        self.declined += 1

    def none_work(self, entry_id):
        """None of the times work: the candidate sends two evenings of their own."""
        from candidates import availability, links

        _entry, link = self._link(entry_id)
        if link is None or link.state != link.State.OPEN:
            return
        zone = self.plans[entry_id]["zone"]
        days = availability.days_open(link, zone)[2:9]
        picked = self.rng.sample(days, min(2, len(days)))
        windows = [
            (
                dt.datetime.combine(d, dt.time(18), zone).astimezone(dt.UTC),
                dt.datetime.combine(d, dt.time(21), zone).astimezone(dt.UTC),
            )
            for d in sorted(picked)
        ]
        try:
            availability.submit(link, windows, note="Evenings only, please.", zone_name=zone.key)
        except (links.LinkChanged, availability.Used, links.ApplicationClosed):
            return

    # --- the figures ------------------------------------------------------------------------

    def figures(self):
        from django.db.models import Count

        from candidates.models import AutopilotEvent, BookingLink, StageEntry
        from scheduling.models import Flag, Interview, SentEmail

        entries = list(StageEntry.objects.filter(tenant=self.tenant).select_related("interview"))
        flagged = set(
            Flag.objects.filter(interview__tenant=self.tenant).values_list(
                "interview_id", flat=True
            )
        )
        flag_kinds = collections.Counter(
            Flag.objects.filter(interview__tenant=self.tenant).values_list("kind", flat=True)
        )
        actions = collections.Counter()
        hours, no_action, booked = [], 0, 0
        by_state = collections.Counter(e.state for e in entries)
        for entry in entries:
            if entry.state == StageEntry.State.BOOKED:
                booked += 1
                hours.append((entry.booked_at - entry.entered_at).total_seconds() / 3600)
                touched = (
                    entry.interview_id in flagged
                    or entry.sent_by_id is not None
                    or entry.interview.source == Interview.Source.RECRUITER
                )
                if not touched:
                    no_action += 1
            elif entry.state in (StageEntry.State.QUEUED, StageEntry.State.HELD):
                actions[f"send from the queue ({entry.get_state_display().lower()})"] += 1
            elif entry.state == StageEntry.State.RETURNED:
                actions[entry.reason or "back with the recruiter"] += 1
            elif entry.state == StageEntry.State.SKIPPED:
                actions[f"not sent: {entry.reason}"] += 1
        for kind, n in flag_kinds.items():
            actions[f"interview flagged: {kind}"] += n
        # Duplicate sends: an entry whose link (or another link of the same application and
        # plan) was emailed more than once as a first email (reminders aside).
        link_ids = [
            str(pk)
            for pk in BookingLink.objects.filter(tenant=self.tenant).values_list("pk", flat=True)
        ]
        firsts = collections.Counter(
            object_id
            for object_id, subject in SentEmail.objects.filter(
                tenant=self.tenant,
                kind__in=("booking_link", "availability_request"),
                object_id__in=link_ids,
            ).values_list("object_id", "subject")
            if not subject.startswith("Reminder:")
        )
        links_per_application = (
            BookingLink.objects.filter(tenant=self.tenant, created_by__isnull=True)
            .values("application_id", "plan_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        duplicates = sum(n - 1 for n in firsts.values() if n > 1) + sum(
            row["n"] - 1 for row in links_per_application
        )
        loops = len(entries)
        return {
            "bench": "autopilot",
            "applications": self.args.applications,
            "loops": loops,
            "plan": "the Onsite plan",
            "days": self.args.days,
            "interviewers": self.people,
            "no_action": no_action,
            "no_action_share": round(no_action / loops, 4) if loops else 0.0,
            "median_hours": round(statistics.median(hours), 1) if hours else None,
            "p90_hours": round(percentile(hours, 0.9), 1) if hours else None,
            "booked": booked,
            "rescheduled": self.rescheduled,
            "declined": self.declined,
            "states": dict(by_state),
            "actions": dict(actions.most_common()),
            "duplicate_sends": duplicates,
            "emails": SentEmail.objects.filter(tenant=self.tenant).count(),
            "feed_lines": AutopilotEvent.objects.filter(tenant=self.tenant).count(),
            "simulated_until": self.finished.isoformat(),
            "seed": self.args.seed,
        }


if __name__ == "__main__":
    main()
