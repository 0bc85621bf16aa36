"""A training program and interviews that seat its trainee, for the training tests: "Coding
interview" (shadow ×2, reverse shadow ×1 by default), a plan whose pool names it, Bo and Cy
qualified members of the pool, Tia the trainee.

Interviews are booked as the engine seats them (a shadow: Bo in the pool's seat, Tia beside
him as TRAINEE; a reverse shadow: Tia leads as TRAINEE_LEADS, Bo shadows her as TRAINER),
each seat of the program saying which trainee it is for (`SessionAttendee.training`)."""

import datetime as dt
from types import SimpleNamespace

from scheduling import booking, slots
from scheduling.models import (
    InterviewPlan,
    PlanPool,
    PlanSession,
    SessionAttendee,
    Trainee,
    TrainingEvent,
    TrainingProgram,
)
from tests import factories as f

Role = SessionAttendee.Role


def program_world(tenant, **program_fields):
    ats = f.connection(tenant)
    program = TrainingProgram.objects.create(
        tenant=tenant,
        name=program_fields.pop("name", "Coding interview"),
        shadow_count=program_fields.pop("shadow_count", 2),
        reverse_shadow_count=program_fields.pop("reverse_shadow_count", 1),
        **program_fields,
    )
    bo = f.interviewer(tenant, "Bo Qualified", ats_user_id=f.remote_id("emp-bo-"))
    cy = f.interviewer(tenant, "Cy Qualified", ats_user_id=f.remote_id("emp-cy-"))
    tia = f.interviewer(tenant, "Tia Trainee", ats_user_id=f.remote_id("emp-tia-"))
    # A plan per stage name, so that one team may hold several programs' worlds.
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        stage_name=program.name,
        scorecard_questions=["Problem solving"],
    )
    part = PlanSession.objects.create(plan=plan, title_template="Coding", duration_minutes=60)
    pool = PlanPool.objects.create(session=part, name="Coders", k=1, program=program)
    pool.members.set([bo, cy])
    trainee = Trainee.objects.create(tenant=tenant, program=program, interviewer=tia)
    TrainingEvent.objects.create(
        trainee=trainee, at=trainee.enrolled_at, kind=TrainingEvent.Kind.ENROLLED, text="Enrolled"
    )
    return SimpleNamespace(
        tenant=tenant, ats=ats, program=program, plan=plan, pool=pool, part=part,
        bo=bo, cy=cy, tia=tia, trainee=trainee, count=0,
    )  # fmt: skip


def seat_trainee(world, start, *, leads=False, trainer=None, trainee=None, candidate=None):
    """Book one "Coding" session at `start` (an hour) seating the trainee as the engine
    would: shadowing beside `trainer` (default Bo), or leading while `trainer` shadows.
    Returns (interview, the trainee's seat)."""
    world.count += 1
    trainee = trainee or world.trainee
    trainer = trainer or world.bo
    app = f.application(
        world.ats, f.candidate(world.ats, candidate or f"Candidate {world.count}"), None
    )
    pool = world.pool.pk
    if leads:
        people = (
            (str(trainee.interviewer.pk), Role.TRAINEE_LEADS.value, pool),
            (str(trainer.pk), Role.TRAINER.value, pool),
        )
    else:
        people = (
            (str(trainer.pk), Role.POOL.value, pool),
            (str(trainee.interviewer.pk), Role.TRAINEE.value, pool),
        )
    end = start + dt.timedelta(hours=1)
    choice = slots.Choice(
        (slots.SessionChoice("Coding", start, end, people, key=str(world.part.pk)),)
    )
    interview = booking.book(app, world.plan, choice)
    seats = SessionAttendee.objects.filter(session__interview=interview)
    seats.filter(role__in=[Role.TRAINEE, Role.TRAINEE_LEADS, Role.TRAINER]).update(
        training=trainee
    )
    seat = seats.get(interviewer=trainee.interviewer)
    return interview, seat


def starts(count, days_ahead=3):
    """`count` interview starts on separate weekdays from `days_ahead` days on (15:00 UTC)."""
    out, day = [], days_ahead
    while len(out) < count:
        start = f.working_day(day)
        if not out or start > out[-1]:
            out.append(start)
        day += 1
    return out
