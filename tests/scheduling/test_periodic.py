"""Periodic work as tasks: one turn per connection or tenant, queued once whoever runs the
periodic command (two runners included), not again while its task is out, and run by any
worker; the apps' jobs are registered per connection or tenant."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django.utils import timezone

from candidates import sync
from candidates.models import SyncRun
from scheduling import connections, periodic
from scheduling.models import Connection, PeriodicTurn, Tenant
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    """A task queue that keeps what is queued and runs nothing (a worker that is busy)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.results.clear()
    return backend


@pytest.fixture
def job(monkeypatch):
    """A job per tenant that notes who it ran for, registered alone."""
    ran = []
    monkeypatch.setattr(periodic, "JOBS", {})
    monkeypatch.setattr(periodic, "_looked", {})
    periodic.register(
        "count", 60, lambda tenant: ran.append(tenant.slug), per=lambda: Tenant.objects.all()
    )
    return ran


@pytest.fixture
def tenants(db):
    return [Tenant.objects.create(name=f"T{n}", slug=f"t{n}") for n in range(3)]


def queued_turns(queue):
    return sorted(tuple(result.args) for result in queue.results)


def test_each_tenant_gets_its_own_turn_as_a_task(queue, job, tenants):
    now = timezone.now()
    queued = periodic.enqueue_due(now)
    assert sorted(queued) == sorted(("count", str(t.pk)) for t in tenants)
    assert queued_turns(queue) == sorted(("count", str(t.pk)) for t in tenants)


def test_a_second_runner_queues_nothing_twice(queue, job, tenants):
    now = timezone.now()
    periodic.enqueue_due(now)
    periodic._looked.clear()  # another process: it has not looked yet
    assert periodic.enqueue_due(now) == []
    assert len(queue.results) == 3


def test_a_turn_is_not_queued_again_while_its_task_is_out(queue, job, tenants):
    now = timezone.now()
    periodic.enqueue_due(now)
    later = now + dt.timedelta(seconds=61)
    periodic._looked.clear()
    assert periodic.enqueue_due(later) == []  # the workers have not got to them yet
    for result in list(queue.results):
        periodic.run_turn.call(*result.args)
    assert len(job) == 3
    periodic._looked.clear()
    assert len(periodic.enqueue_due(later)) == 3


def test_a_turn_whose_task_was_lost_is_queued_again(queue, job, tenants):
    now = timezone.now()
    periodic.enqueue_due(now)
    periodic._looked.clear()
    assert len(periodic.enqueue_due(now + periodic.LOST_AFTER + dt.timedelta(seconds=1))) == 3


def test_forced_turns_run_at_once_but_never_twice_at_a_time(queue, job, tenants):
    now = timezone.now()
    assert len(periodic.enqueue_due(now, only={"count"})) == 3
    assert periodic.enqueue_due(now, only={"count"}) == []


def test_a_tenant_that_is_gone_loses_its_turn(queue, job, tenants):
    now = timezone.now()
    periodic.enqueue_due(now)
    gone = tenants[0]
    args = next(r.args for r in queue.results if r.args[1] == str(gone.pk))
    gone.delete()
    periodic.run_turn.call(*args)  # queued before it went: nothing to do, no error
    assert job == []
    periodic._looked.clear()
    periodic.enqueue_due(now + dt.timedelta(hours=1))
    assert not PeriodicTurn.objects.filter(key=str(gone.pk)).exists()


def test_a_failing_turn_is_marked_finished_so_the_next_one_comes(queue, monkeypatch, tenants):
    monkeypatch.setattr(periodic, "JOBS", {})
    monkeypatch.setattr(periodic, "_looked", {})

    def broken(tenant):
        raise RuntimeError("bug")

    periodic.register("broken", 60, broken, per=lambda: Tenant.objects.all())
    now = timezone.now()
    periodic.enqueue_due(now)
    with pytest.raises(RuntimeError):
        periodic.run_turn.call("broken", str(tenants[0].pk))
    periodic._looked.clear()
    assert ("broken", str(tenants[0].pk)) in periodic.enqueue_due(now + dt.timedelta(minutes=2))


def test_the_apps_jobs_go_per_connection_or_tenant():
    jobs = periodic.JOBS
    assert jobs["sync ATS"].per is sync.ats_connections
    assert jobs["reconcile"].per is connections.active_connections
    assert jobs["register webhooks"].per is connections.active_connections
    assert jobs["feedback requests and reminders"].per is not None
    assert jobs["booking link reminders"].per is not None
    # One query for everyone, whose work is to queue a task per operation: the runner's.
    assert jobs["outbox sweep"].per is None and jobs["outbox sweep"].inline


def test_a_sync_turn_queues_that_connections_sync(queue, tenant):
    ats = f.connection(tenant)
    other = f.connection(Tenant.objects.create(name="Other", slug="other"))
    f.connection(tenant, Connection.Category.CALENDAR)
    periodic.run_turn.call("sync ATS", str(ats.pk))
    assert list(SyncRun.objects.values_list("connection", flat=True)) == [ats.pk]
    assert SyncRun.objects.get().status == SyncRun.Status.QUEUED
    assert not SyncRun.objects.filter(connection=other).exists()


def test_the_command_queues_once_and_lists_the_jobs(queue, capsys, tenants, tenant):
    f.connection(tenant)
    call_command("periodic", "--job", "sync ATS")
    assert "queued 1 turns: sync ATS" in capsys.readouterr().out
    call_command("periodic", "--list")
    out = capsys.readouterr().out
    assert "reconcile" in out and "per connection or tenant" in out


def test_a_sweep_runs_in_the_runner_itself_and_once(queue, monkeypatch):
    """The outbox sweep only queues tasks: it must not wait in the queue behind them, nor
    be lost with a worker that died."""
    ran = []
    monkeypatch.setattr(periodic, "JOBS", {})
    monkeypatch.setattr(periodic, "_looked", {})
    periodic.register("sweep", 5, lambda: ran.append(1), inline=True)
    now = timezone.now()
    assert periodic.enqueue_due(now) == [("sweep", "")]
    assert ran == [1] and queue.results == []
    periodic._looked.clear()
    assert periodic.enqueue_due(now) == []  # a second runner: not again
    periodic._looked.clear()
    periodic.enqueue_due(now + dt.timedelta(seconds=6))
    assert ran == [1, 1]
