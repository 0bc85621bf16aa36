"""The single "hours locked" of before becomes the per-field locks: whoever an admin had
locked keeps everything locked (the limits too, which they could not edit before)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scheduling", "0027_training_progress")]
AFTER = [("scheduling", "0028_interviewer_home")]


@pytest.mark.django_db(transaction=True)
def test_the_hours_lock_becomes_every_field_lock():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    tenant = old.get_model("scheduling", "Tenant").objects.create(name="Acme", slug="acme-m")
    Interviewer = old.get_model("scheduling", "Interviewer")
    Interviewer.objects.create(tenant=tenant, name="Locked", hours_locked=True)
    Interviewer.objects.create(tenant=tenant, name="Free", hours_locked=False)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("scheduling", "Interviewer")
    locks = ("lock_timezone", "lock_hours", "lock_days_off", "lock_caps")
    assert new.objects.filter(name="Locked").values_list(*locks).get() == (True,) * 4
    assert new.objects.filter(name="Free").values_list(*locks).get() == (False,) * 4

    # Back again: the hours lock is what the one lock was.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("scheduling", "Interviewer")
    assert dict(old.objects.values_list("name", "hours_locked")) == {"Locked": True, "Free": False}
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
