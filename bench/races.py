"""Race: N concurrent attempts to book one interviewer at one time, through the real booking
service, each on its own database connection. Exactly one may succeed.

Run with `bin/with-postgres .venv/bin/python bench/races.py` (`--attempts 50 --rounds 5`);
without the wrapper it uses a throwaway SQLite file. Each round books a new time: N threads
wait at a barrier and then call `booking.book` for N different applications with the same
interviewer and the same slot. It prints one JSON line: per round how many were booked, how
many got "just taken", any other error, and whether the interviewer ended up double-booked
(active attendances overlapping one another), with the slowest attempt's milliseconds.
"""

import argparse
import datetime as dt
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ["DATABASE_URL"] = (
            os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/races.sqlite3"
        )
        # The write-back is not under test: keep its tasks queued.
        os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0)
        from django.utils import timezone

        from candidates.models import Application, Candidate
        from scheduling import booking, slots
        from scheduling.models import (
            Connection,
            Interviewer,
            InterviewPlan,
            SessionAttendee,
            Tenant,
        )

        tenant = Tenant.objects.create(name="Race", slug="race")
        ats = Connection.objects.create(
            tenant=tenant, category="ats", integration_type="greenhouse", unified_id="r" * 24
        )
        ivy = Interviewer.objects.create(tenant=tenant, name="Ivy Racer", email="ivy@x.example")
        plan = InterviewPlan.objects.create(tenant=tenant, name="Race")
        applications = []
        for n in range(args.attempts * args.rounds):
            candidate = Candidate.objects.create(
                tenant=tenant, connection=ats, remote_id=f"c{n}", name=f"Candidate {n}"
            )
            applications.append(
                Application.objects.create(
                    tenant=tenant,
                    connection=ats,
                    remote_id=f"a{n}",
                    candidate=candidate,
                    status="FIRST_INTERVIEW",
                )
            )

        rounds = []
        lock = threading.Lock()
        base = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
        for round_number in range(args.rounds):
            start = base + dt.timedelta(hours=2 * round_number)
            choice = slots.Choice(
                (
                    slots.SessionChoice(
                        "Race",
                        start,
                        start + dt.timedelta(hours=1),
                        ((str(ivy.pk), "required", None),),
                    ),
                )
            )
            barrier = threading.Barrier(args.attempts)
            outcomes, slowest = [], [0.0]
            batch = applications[round_number * args.attempts : (round_number + 1) * args.attempts]

            def attempt(
                application, choice=choice, barrier=barrier, outcomes=outcomes, slowest=slowest
            ):
                try:
                    started = time.perf_counter()
                    try:
                        barrier.wait(timeout=30)
                        started = time.perf_counter()
                        booking.book(application, plan, choice)
                        outcome = "booked"
                    except booking.SlotTaken:
                        outcome = "taken"
                    except Exception as exc:  # counted, not hidden
                        outcome = f"error: {type(exc).__name__}: {exc}"
                    with lock:
                        outcomes.append(outcome)
                        slowest[0] = max(slowest[0], (time.perf_counter() - started) * 1000)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=attempt, args=(a,)) for a in batch]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 120
            for thread in threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
            # An attempt still running, or one that died before recording its outcome, has
            # no answer: the round then proves nothing and must not pass.
            with lock:
                answered = list(outcomes)
            active = list(
                SessionAttendee.objects.filter(interviewer=ivy, active=True)
                .order_by("start_at")
                .values_list("start_at", "end_at")
            )
            overlapping = any(b[0] < a[1] for a, b in itertools.pairwise(active))
            rounds.append(
                {
                    "attempts": len(batch),
                    "booked": answered.count("booked"),
                    "taken": answered.count("taken"),
                    "unanswered": len(batch) - len(answered),
                    "errors": [o for o in answered if o.startswith("error")][:3],
                    "double_booked": overlapping,
                    "slowest_ms": round(slowest[0], 1),
                }
            )
        # Exactly one attempt books and every other one is told the slot was just taken.
        ok = all(
            r["booked"] == 1
            and r["taken"] == r["attempts"] - 1
            and not r["unanswered"]
            and not r["errors"]
            and not r["double_booked"]
            for r in rounds
        )
        print(
            json.dumps(
                {
                    "case": "booking race",
                    "database": connection.vendor,
                    "attempts_per_round": args.attempts,
                    "rounds": rounds,
                    "exactly_one_each_round": ok,
                }
            )
        )
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
