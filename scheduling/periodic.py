"""Periodic work, handed to the task queue: each job's turn per connection or tenant.

The queue does not schedule by itself, so one looping command (`manage.py periodic --loop`)
looks every second for the turns that are due and queues a task for each (`run_turn`); any
task worker on any machine takes them, so one tenant's slow ATS never holds back another's
sync, and more workers make a round over hundreds of tenants shorter. A job registered
`per` connection or tenant gets one turn for each of them; the others one for everyone.

A turn is a row (`PeriodicTurn`). Queuing it moves its `next_at` on in the same transaction
as the task is written, under a row lock that skips rows another runner holds: two runners
(a second machine, a restart overlapping the old process) never queue one turn twice. A turn
whose task has not finished is not queued again until it finishes (or is taken as lost after
`Job.lost_after`), so a backlog never piles up copies of the same work. Jobs whose only
work is to queue tasks (the outbox sweep) run in the runner itself, claimed the same way.

Apps register their jobs in their AppConfig.ready() (`register("sync ATS", 300, fn,
per=active_ats_connections)`); a job that fails is logged by the task worker and runs again
at its next turn, never stopping the others.
"""

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from .models import PeriodicTurn

logger = logging.getLogger(__name__)

# A turn queued this long ago (and at least three of its intervals) and not finished lost
# its task: a worker died with it. The queue cannot tell a long wait from a dead worker.
LOST_AFTER = dt.timedelta(minutes=5)
# A runner looks at a job's turns at most this often (no job runs more often).
LOOK_EVERY = 5.0
EVERYONE = ""
_looked: dict[str, float] = {}


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds
    # run() for a job for everyone; run(obj) for a job per object of `per()`.
    run: Callable
    # A callable returning a queryset (connections, tenants): one turn per object in it.
    per: Callable | None = None
    # Run by the runner itself rather than queued: jobs whose work is only to queue tasks
    # (the outbox sweep), which must not wait behind the tasks they would queue.
    inline: bool = False

    @property
    def lost_after(self):
        return max(LOST_AFTER, dt.timedelta(seconds=3 * self.every))


JOBS: dict[str, Job] = {}


def register(name, every, run, *, per=None, inline=False):
    JOBS[name] = Job(name, every, run, per, inline)


def keys_of(job):
    """The turns a job has now: one per object of `per()`, or one for everyone."""
    if job.per is None:
        return [EVERYONE]
    return [str(pk) for pk in job.per().values_list("pk", flat=True)]


def enqueue_due(now=None, *, only=None):
    """Queue a task for every turn that is due (with `only`, every turn of the jobs named,
    due or not, unless its task is still out); returns [(job, key)] queued."""
    now = now or timezone.now()
    queued = []
    for job in JOBS.values():
        if only is not None and job.name not in only:
            continue
        if only is None and time.monotonic() - _looked.get(job.name, -LOOK_EVERY) < min(
            LOOK_EVERY, job.every
        ):
            continue
        _looked[job.name] = time.monotonic()
        try:
            queued += _enqueue(job, now, force=only is not None)
        except Exception:
            logger.exception("Could not queue the turns of %r; tried again shortly", job.name)
    return queued


def _enqueue(job, now, *, force=False):
    keys = keys_of(job)
    known = set(PeriodicTurn.objects.filter(job=job.name).values_list("key", flat=True))
    if known - set(keys):
        # Disconnected connections, deleted tenants: their turns go with them.
        PeriodicTurn.objects.filter(job=job.name, key__in=known - set(keys)).delete()
    PeriodicTurn.objects.bulk_create(
        [PeriodicTurn(job=job.name, key=key, next_at=now) for key in set(keys) - known],
        ignore_conflicts=True,
    )
    free = Q(queued_at__isnull=True) | Q(finished_at__gte=F("queued_at"))
    free |= Q(queued_at__lt=now - job.lost_after)
    with transaction.atomic():
        turns = PeriodicTurn.objects.select_for_update(skip_locked=True).filter(free, job=job.name)
        if not force:
            turns = turns.filter(next_at__lte=now)
        due = list(turns.values_list("pk", "key"))
        if not due:
            return []
        PeriodicTurn.objects.filter(pk__in=[pk for pk, _key in due]).update(
            next_at=now + dt.timedelta(seconds=job.every), queued_at=now
        )
        # In the same transaction: the database queue holds the task exactly when the turn
        # says it was queued.
        for _pk, key in due if not job.inline else ():
            run_turn.enqueue(job.name, key)
    for _pk, key in due if job.inline else ():
        try:
            run_turn.call(job.name, key)
        except Exception:
            logger.exception("Periodic job %r failed; it runs again in %ss", job.name, job.every)
    return [(job.name, key) for _pk, key in due]


@task
def run_turn(name, key):
    """One job's turn for one connection or tenant (or for everyone)."""
    job = JOBS.get(name)
    try:
        if job is None:
            return None
        if job.per is None:
            result = job.run()
        else:
            obj = job.per().filter(pk=key).first()
            # Gone since it was queued (disconnected, deleted): nothing to do.
            result = job.run(obj) if obj is not None else None
    finally:
        PeriodicTurn.objects.filter(job=name, key=key).update(finished_at=timezone.now())
    if result:
        logger.info("%s (%s): %s", name, key or "everyone", result)
    return result if isinstance(result, str | int | type(None)) else str(result)


def run_now(only=None):
    """Run every turn of the jobs named (all jobs without `only`) here, one after another,
    without the queue: for a checkout without a task worker, and for tests."""
    ran = []
    for job in JOBS.values():
        if only is not None and job.name not in only:
            continue
        for key in keys_of(job):
            try:
                run_turn.call(job.name, key)
            except Exception:
                logger.exception("Periodic job %r (%s) failed", job.name, key or "everyone")
                continue
            ran.append((job.name, key))
    return ran
