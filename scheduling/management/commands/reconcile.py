import time

from django.core.management.base import BaseCommand

from scheduling.webhooks import reconcile


class Command(BaseCommand):
    help = (
        "Compare upcoming interviews with their calendars and ATS interviews and follow what "
        "changed without a webhook. With --loop, every --interval seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=int, default=120)

    def handle(self, *args, loop, interval, **options):
        while True:
            for line in reconcile():
                self.stdout.write(line)
            if not loop:
                return
            time.sleep(interval)
