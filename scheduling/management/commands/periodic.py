import time

from django.core.management.base import BaseCommand

from scheduling import periodic


class Command(BaseCommand):
    help = (
        "Run Convene's periodic jobs (outbox retries, ATS sync, reconcile, reminders) once, "
        "or with --loop until stopped. One process is enough; more do no harm."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--job", action="append", help="run only this job (repeatable)")
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="list the jobs and stop"
        )

    def handle(self, *args, loop, job, list_jobs, **options):
        if list_jobs:
            for each in periodic.JOBS.values():
                self.stdout.write(f"{each.name:<24} every {each.every:g} s")
            return
        while True:
            ran = periodic.run_due(only=set(job) if job and not loop else None)
            if not loop:
                self.stdout.write(f"ran: {', '.join(ran) or 'nothing'}")
                return
            time.sleep(1)
