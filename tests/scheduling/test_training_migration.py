"""The migration that turned a pool's fixed trainee into a training program keeps the person
shadowing: the pool names a program in which they are enrolled at the shadow stage."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scheduling", "0025_autopilot")]
AFTER = [("scheduling", "0026_training")]


@pytest.mark.django_db(transaction=True)
def test_a_pools_trainee_becomes_a_program_the_pool_names():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    tenant = old.get_model("scheduling", "Tenant").objects.create(name="Acme", slug="acme-mig")
    Interviewer = old.get_model("scheduling", "Interviewer")
    ada = Interviewer.objects.create(tenant=tenant, name="Ada")
    tim = Interviewer.objects.create(tenant=tenant, name="Tim")
    plan = old.get_model("scheduling", "InterviewPlan").objects.create(
        tenant=tenant, name="Onsite"
    )
    session = old.get_model("scheduling", "PlanSession").objects.create(
        plan=plan, title_template="Coding"
    )
    PlanPool = old.get_model("scheduling", "PlanPool")
    pool = PlanPool.objects.create(session=session, k=1, trainee=tim)
    pool.members.add(ada)
    # A second pool of the same session with the same trainee gets its own, distinct program.
    other = PlanPool.objects.create(session=session, k=1, trainee=tim)
    other.members.add(ada)
    bare = PlanPool.objects.create(session=session, k=1)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    pools = new.get_model("scheduling", "PlanPool").objects
    program = pools.get(pk=pool.pk).program
    assert program.name == "Coding shadowing"
    assert pools.get(pk=other.pk).program.name == "Coding shadowing 2"
    assert pools.get(pk=bare.pk).program is None
    trainee = new.get_model("scheduling", "Trainee").objects.get(program=program)
    assert (trainee.interviewer_id, trainee.stage, trainee.active) == (tim.pk, "shadow", True)
    assert trainee.history.get().kind == "enrolled"

    # Leave the database as the rest of the suite expects it.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
