"""A plan's pool that names a training program: the engine's seat for the trainee goes
through slots and booking into the interview's attendees (role and `training`), the swap and
typed-time paths keep it, and the interview page and the interviewers' invitations say each
seat in words (docs/design.md, "Training")."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from candidates import picker
from scheduling import booking, emails, periodic, slots
from scheduling.models import (
    InterviewPlan,
    PlanPool,
    PlanSession,
    SessionAttendee,
    Trainee,
    TrainingProgram,
)
from tests import factories as f

Role = SessionAttendee.Role


@pytest.fixture
def world(tenant):
    ats = f.connection(tenant)
    ada = f.interviewer(tenant, "Ada Shah")
    bo = f.interviewer(tenant, "Bo Kim")
    grace = f.interviewer(tenant, "Grace Ho")
    kenji = f.interviewer(tenant, "Kenji Sato")
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Coding", minimum_notice_hours=0)
    session = PlanSession.objects.create(plan=plan, title_template="Coding", duration_minutes=60)
    pool = PlanPool.objects.create(session=session, k=1, program=program)
    pool.members.set([ada, bo])
    app = f.application(ats, f.candidate(ats, "Lin Wu"))
    return {
        "tenant": tenant,
        "ada": ada,
        "bo": bo,
        "grace": grace,
        "kenji": kenji,
        "program": program,
        "plan": plan,
        "pool": pool,
        "app": app,
    }


def enroll(world, person, stage=Trainee.Stage.SHADOW, **fields):
    return Trainee.objects.create(
        tenant=world["tenant"], program=world["program"], interviewer=person, stage=stage, **fields
    )


def offer(world):
    # A weekday's working hours in New York, a few days ahead: nobody has a calendar, so
    # no Unified call is made and everyone is free in their hours.
    start = f.working_day(days_ahead=4, hour=12)
    return slots.find(
        world["app"],
        world["plan"],
        start=start,
        end=start + dt.timedelta(hours=12),
        candidate_zone="America/New_York",
    )


def book_first(world):
    found = offer(world)
    assert found.slots, found.empty_days
    choice = found.choice_for(found.slots[0], world["app"])
    return booking.book(world["app"], world["plan"], choice)


def seats(interview):
    return {
        a.interviewer.name: (a.role, a.training_id)
        for a in SessionAttendee.objects.filter(session__interview=interview, active=True)
    }


@pytest.mark.django_db
def test_a_booked_interview_seats_the_shadowing_trainee_beside_the_pool(world, recruiter_client):
    grace = enroll(world, world["grace"])
    interview = book_first(world)
    seated = seats(interview)
    assert seated["Grace Ho"] == (Role.TRAINEE, grace.pk)
    members = {name: seat for name, seat in seated.items() if name != "Grace Ho"}
    assert list(members.values()) == [(Role.POOL, None)]
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert 'Grace Ho</span> <span class="small muted">(trainee, shadowing)' in page


@pytest.mark.django_db
def test_a_reverse_shadowing_trainee_leads_and_a_member_shadows_them(world, recruiter_client):
    kenji = enroll(world, world["kenji"], Trainee.Stage.REVERSE_SHADOW)
    interview = book_first(world)
    seated = seats(interview)
    assert seated["Kenji Sato"] == (Role.TRAINEE_LEADS, kenji.pk)
    trainer = next(name for name, (role, _t) in seated.items() if role == Role.TRAINER)
    assert seated[trainer] == (Role.TRAINER, kenji.pk)
    assert len(seated) == 2  # k=1: the trainee takes the seat, the trainer shadows
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert f"(trainee leading (reverse shadow); {trainer} shadows)" in page
    assert "(shadows Kenji Sato, who leads)" in page


@pytest.mark.django_db
def test_the_trainee_with_fewer_interviews_is_seated(world):
    grace, kenji = enroll(world, world["grace"]), enroll(world, world["kenji"])
    first = book_first(world)
    first_trainee = next(t for _n, (r, t) in seats(first).items() if r == Role.TRAINEE)
    other = f.application(world["app"].connection, f.candidate(world["app"].connection, "Mo"))
    world = {**world, "app": other}
    second = book_first(world)
    second_trainee = next(t for _n, (r, t) in seats(second).items() if r == Role.TRAINEE)
    # The first one now has an interview that week: the other one is lighter.
    assert {first_trainee, second_trainee} == {grace.pk, kenji.pk}


@pytest.mark.django_db
def test_trainees_not_to_be_seated_are_left_out(world):
    enroll(world, world["grace"], awaiting_approval=True)
    enroll(world, world["kenji"], active=False)
    world["pool"].trainee_required = False
    world["pool"].save()
    interview = book_first(world)
    assert [role for role, _t in seats(interview).values()] == [Role.POOL]


@pytest.mark.django_db
def test_a_required_trainee_with_nobody_to_seat_says_so(world):
    world["pool"].trainee_required = True
    world["pool"].save()
    enroll(world, world["grace"], stage=Trainee.Stage.QUALIFIED)
    with pytest.raises(slots.PlanNotUsable, match="must have a trainee from “Coding interview”"):
        offer(world)


@pytest.mark.django_db
def test_a_required_trainee_is_in_every_slot_offered(world):
    world["pool"].trainee_required = True
    world["pool"].save()
    enroll(world, world["grace"])
    found = offer(world)
    assert found.slots
    assert all(slot.sessions[0].trainees == (str(world["grace"].pk),) for slot in found.slots)


@pytest.mark.django_db
def test_swapping_a_trainee_seats_another_of_the_program_and_the_trainer_follows(world):
    enroll(world, world["kenji"], Trainee.Stage.REVERSE_SHADOW)
    enroll(world, f.interviewer(world["tenant"], "Lee Park"), Trainee.Stage.REVERSE_SHADOW)
    interview = book_first(world)
    enroll(world, world["grace"])  # shadowing: not one for a leading seat
    session = interview.sessions.get()
    seat = session.attendees.get(role=Role.TRAINEE_LEADS)
    other = Trainee.objects.get(stage=Trainee.Stage.REVERSE_SHADOW, seats__isnull=True)
    assert slots.swap_candidates(session, seat) == [other.interviewer]
    booking.swap_attendee(session, seat, other.interviewer)
    seated = seats(interview)
    assert seated[other.interviewer.name] == (Role.TRAINEE_LEADS, other.pk)
    assert seat.interviewer.name not in seated
    assert [t for role, t in seated.values() if role == Role.TRAINER] == [other.pk]


@pytest.mark.django_db
def test_a_typed_time_seats_a_trainee_too(world):
    grace = enroll(world, world["grace"])
    choice = slots.manual_choice(world["app"], world["plan"], f.working_day(5, 15))
    people = choice.sessions[0].people
    assert (str(world["grace"].pk), Role.TRAINEE, world["pool"].pk, str(grace.pk)) in people


@pytest.mark.django_db
def test_the_invitation_names_each_seat_in_words(world, mailoutbox):
    enroll(world, world["kenji"], Trainee.Stage.REVERSE_SHADOW)
    interview = book_first(world)
    session = interview.sessions.get()
    emails.session_to_interviewer(session, world["kenji"], canceled=False, sequence=0, notes="")
    body = mailoutbox[-1].body
    assert "Kenji Sato (you) — trainee leading (reverse shadow);" in body
    assert "shadows Kenji Sato, who leads" in body


@pytest.mark.django_db
def test_a_reschedule_keeps_who_leads_and_who_shadows(world):
    enroll(world, world["kenji"], Trainee.Stage.REVERSE_SHADOW)
    interview = book_first(world)
    before = seats(interview)
    start = f.working_day(days_ahead=6, hour=12)
    found = slots.find(
        world["app"],
        world["plan"],
        start=start,
        end=start + dt.timedelta(hours=12),
        candidate_zone="America/New_York",
        exclude_interview=interview,
    )
    keep = picker.current_seats(interview)
    choice = found.choice_for(found.slots[-1], world["app"], keep=keep)
    booking.change(interview, booking.moves_for(interview, choice), by=booking.By.RECRUITER)
    interview.refresh_from_db()
    assert interview.start_at == found.slots[-1].start
    assert seats(interview) == before


@pytest.mark.django_db
def test_a_trainee_who_interviews_in_another_pool_of_the_session_is_not_seated_twice(world):
    enroll(world, world["grace"])
    other = PlanPool.objects.create(session=world["pool"].session, k=1)
    other.members.set([world["grace"]])
    interview = book_first(world)
    assert seats(interview)["Grace Ho"] == (Role.POOL, None)
    assert [r for r, _t in seats(interview).values()].count(Role.TRAINEE) == 0


@pytest.mark.django_db
def test_the_engine_seats_a_trainee_through_the_program_until_they_fill_ordinary_seats(world):
    """The issue's journey through the engine itself: shadow ×2, reverse shadow ×1, each
    interview found by slots.find and booked, the clock moved past its end and the counting
    job run; once qualified, the engine seats them like any member of the pool."""
    world["pool"].trainee_required = True  # every interview seats Grace while she trains
    world["pool"].save()
    world["grace"].max_interviews_per_day = None
    world["grace"].save()
    grace = enroll(world, world["grace"])
    ats = world["app"].connection

    def book_next(name):
        return book_first({**world, "app": f.application(ats, f.candidate(ats, name))})

    def after(interview):
        end = interview.sessions.get().end_at
        return time_machine.travel(end + dt.timedelta(minutes=5), tick=False)

    def grace_seat(interview):
        return seats(interview)["Grace Ho"]

    one, two = book_next("Candidate One"), book_next("Candidate Two")
    assert grace_seat(one) == grace_seat(two) == (Role.TRAINEE, grace.pk)
    assert one.start_at != two.start_at
    with after(max([one, two], key=lambda i: i.start_at)):
        periodic.run_now(only=["training progress"])
        grace.refresh_from_db()
        assert grace.stage == Trainee.Stage.REVERSE_SHADOW
        three = book_next("Candidate Three")
    seated = seats(three)
    assert seated["Grace Ho"] == (Role.TRAINEE_LEADS, grace.pk)
    assert sorted(seated.values()) == sorted(
        [(Role.TRAINEE_LEADS, grace.pk), (Role.TRAINER, grace.pk)]
    )
    with after(three):
        periodic.run_now(only=["training progress"])
        grace.refresh_from_db()
        assert grace.stage == Trainee.Stage.QUALIFIED
        assert world["grace"] in world["pool"].members.all()
        # Nobody is left in training: the plan stops requiring a trainee seat.
        world["pool"].trainee_required = False
        world["pool"].save()
        # The pool's other members away: the seat is hers, as an ordinary member.
        for other in (world["ada"], world["bo"]):
            other.active = False
            other.save()
        four = book_next("Candidate Four")
    assert seats(four) == {"Grace Ho": (Role.POOL, None)}
