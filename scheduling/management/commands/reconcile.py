import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from scheduling.webhooks import reconcile

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Compare upcoming interviews with their calendars and ATS interviews and follow what "
        "changed without a webhook. With --loop, every --interval seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=int, default=120)

    def handle(self, *args, loop, interval, **options):
        if not loop:
            self._round()
            return
        while True:
            # As in scheduling/periodic.py: a connection the database dropped between rounds
            # is replaced, and one failing round (the database or Unified down) is logged
            # and tried again at the next, instead of ending the loop for good.
            close_old_connections()
            try:
                self._round()
            except Exception:
                logger.exception("Reconcile failed; it runs again in %ss", interval)
            time.sleep(interval)

    def _round(self):
        for line in reconcile():
            self.stdout.write(line)
