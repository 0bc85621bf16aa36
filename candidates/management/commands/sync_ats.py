import time

from django.core.management.base import BaseCommand

from candidates.models import SyncRun
from candidates.sync import run_sync, start_sync
from scheduling.models import Connection


class Command(BaseCommand):
    help = (
        "Queue a sync of every active ATS connection (incremental, or full once a day). "
        "With --loop, keep doing it every --interval seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="repeat until stopped")
        parser.add_argument("--interval", type=int, default=300, help="seconds between rounds")
        parser.add_argument("--full", action="store_true", help="full syncs, not incremental")
        parser.add_argument(
            "--now", action="store_true", help="run the syncs here instead of queueing them"
        )

    def handle(self, *args, loop, interval, full, now, **options):
        while True:
            self.sync_all(full=full, now=now)
            if not loop:
                return
            time.sleep(interval)

    def sync_all(self, *, full, now):
        connections = Connection.objects.filter(
            category=Connection.Category.ATS, status=Connection.Status.ACTIVE
        ).select_related("tenant")
        for conn in connections:
            run = start_sync(conn, kind=SyncRun.Kind.FULL if full else None)
            if now and run.status == SyncRun.Status.QUEUED:
                run = run_sync(run.pk)
            self.stdout.write(f"{conn.tenant}: {conn} — {run}")
