"""Periodic work: the queue does not schedule by itself, so one looping command
(`manage.py periodic`) runs each registered job at its interval.

Apps register their jobs in their AppConfig.ready() (`register("sync ATS", 300, fn)`); a job
that fails is logged and tried again at its next turn, never stopping the others.
"""

import dataclasses
import logging
import time

from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Job:
    name: str
    every: float  # seconds
    run: object  # a callable taking no arguments
    last: float = 0.0


JOBS: dict[str, Job] = {}


def register(name, every, run):
    JOBS[name] = Job(name, every, run)


def run_due(now=None, *, only=None):
    """Run every job whose interval has passed (or those named in `only`, at once)."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in JOBS.values():
        if only is not None:
            if job.name not in only:
                continue
        elif job.last and now - job.last < job.every:
            continue
        job.last = now
        close_old_connections()
        try:
            result = job.run()
        except Exception:
            logger.exception("Periodic job %r failed; it runs again in %ss", job.name, job.every)
            continue
        if result:
            logger.info("%s: %s", job.name, result)
        ran.append(job.name)
    return ran
