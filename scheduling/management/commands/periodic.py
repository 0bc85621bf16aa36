import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from scheduling import periodic


class Command(BaseCommand):
    help = (
        "Queue Convene's periodic jobs (outbox retries, ATS sync, reconcile, reminders) as "
        "tasks, one per connection or tenant, for the task workers: once, or with --loop "
        "until stopped. One runner is enough; more queue nothing twice. --here runs them in "
        "this process instead, for a checkout without a task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--job", action="append", help="only this job (repeatable)")
        parser.add_argument(
            "--here", action="store_true", help="run the turns here rather than queue them"
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="list the jobs and stop"
        )

    def handle(self, *args, loop, job, here, list_jobs, **options):
        if list_jobs:
            for each in periodic.JOBS.values():
                per = "per connection or tenant" if each.per else "for everyone"
                self.stdout.write(f"{each.name:<32} every {each.every:g} s, {per}")
            return
        only = set(job) if job else None
        if here:
            ran = periodic.run_now(only)
            self.stdout.write(f"ran {len(ran)} turns: {self._names(ran)}")
            return
        if not loop:
            queued = periodic.enqueue_due(only=only)
            self.stdout.write(f"queued {len(queued)} turns: {self._names(queued)}")
            return
        while True:
            # A connection the database dropped between rounds is replaced.
            close_old_connections()
            periodic.enqueue_due()
            time.sleep(1)

    def _names(self, turns):
        jobs = sorted({name for name, _key in turns})
        return ", ".join(jobs) or "nothing"
