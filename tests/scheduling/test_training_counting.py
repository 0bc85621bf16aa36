"""Counting a trainee's sessions and moving them on (scheduling.training): the issue's
journey (shadow ×2 then reverse shadow ×1, qualified, then an ordinary member of the pool),
what does not count (canceled, a no-show of the candidate or the trainee, declined, swapped
out), a no-show marked after counting, trainer approval, admin approval, setting a stage by
hand, and counting twice."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from scheduling import attendance, booking, feedback, outbox, periodic, training
from scheduling.models import (
    AuditEntry,
    FeedbackRequest,
    Operation,
    SessionAttendee,
    Trainee,
    TrainingCredit,
    TrainingEvent,
)
from tests.conftest import make_member
from tests.training_helpers import program_world, seat_trainee, starts

pytestmark = pytest.mark.django_db

Stage = Trainee.Stage
Kind = TrainingEvent.Kind


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


def after(interview, minutes=1):
    """The tests' clock a few minutes after the interview ended."""
    return time_machine.travel(interview.end_at + dt.timedelta(minutes=minutes), tick=False)


def run_the_job():
    """The periodic job, as the worker runs it."""
    return periodic.run_now(only=["training progress"])


def trainee_of(world):
    return Trainee.objects.get(pk=world.trainee.pk)


def kinds(world):
    return list(world.trainee.history.order_by("at", "kind").values_list("kind", flat=True))


# --- the journey ------------------------------------------------------------------------


def test_two_shadows_move_to_reverse_shadow_and_one_reverse_shadow_qualifies(tenant):
    world = program_world(tenant)
    first, second, third = starts(3)
    one, _seat = seat_trainee(world, first)
    two, _seat = seat_trainee(world, second, trainer=world.cy)

    with after(one):
        run_the_job()
    tia = trainee_of(world)
    assert (tia.stage, training.done(tia)) == (Stage.SHADOW, 1)
    assert training.progress(tia).line == ("1 of 2 shadow sessions done — next: reverse shadow ×1")

    with after(two):
        run_the_job()
        tia = trainee_of(world)
        assert tia.stage == Stage.REVERSE_SHADOW
        assert training.progress(tia).line == "0 of 1 reverse shadow done — next: qualified"
        # Now seated as the engine seats a reverse shadow: Tia leads, Bo shadows her.
        three, _seat = seat_trainee(world, third, leads=True)

    with after(three):
        run_the_job()
    tia = trainee_of(world)
    assert tia.stage == Stage.QUALIFIED and tia.qualified_at is not None
    assert not tia.awaiting_approval
    # Qualified: an ordinary member of every pool naming the program.
    assert world.tia in world.pool.members.all()
    assert kinds(world) == [
        Kind.ENROLLED,
        Kind.COUNTED,
        Kind.COUNTED,
        Kind.ADVANCED,
        Kind.COUNTED,
        Kind.QUALIFIED,
    ]
    texts = list(world.trainee.history.values_list("text", flat=True))
    assert "Moved on to reverse shadowing (2 of 2 shadow sessions done)" in texts
    assert any(
        t.startswith("Qualified for “Coding interview” (1 of 1 reverse shadows done)")
        and "now sits in ordinary seats of “Onsite: Coders”" in t
        for t in texts
    )
    assert AuditEntry.objects.filter(tenant=tenant, action="training.qualified").count() == 1
    assert training.progress(tia).line.startswith("Qualified on ")


def test_a_session_counts_only_once_the_interview_has_ended(tenant):
    world = program_world(tenant)
    interview, seat = seat_trainee(world, starts(1)[0])

    with time_machine.travel(interview.end_at - dt.timedelta(minutes=5), tick=False):
        run_the_job()
        assert not TrainingCredit.objects.exists()
        assert training.seat_status(seat) == ("upcoming", "Upcoming")
    with after(interview):
        run_the_job()
        seat.refresh_from_db()
        assert training.seat_status(seat)[0] == "counted"


# --- what does not count -----------------------------------------------------------------------


def test_a_canceled_interview_does_not_count(tenant):
    world = program_world(tenant)
    interview, seat = seat_trainee(world, starts(1)[0])
    booking.cancel(interview, reason="The position was filled")

    with after(interview):
        run_the_job()
        assert training.done(trainee_of(world)) == 0
        assert training.seat_status(seat) == (
            "not_counted",
            "Not counted: the interview was canceled",
        )


@pytest.mark.parametrize("absent", ["candidate", "trainee"])
def test_a_no_show_of_the_candidate_or_the_trainee_does_not_count(tenant, recruiter, absent):
    world = program_world(tenant, shadow_count=1)
    interview, seat = seat_trainee(world, starts(1)[0])
    session = interview.sessions.get()

    with after(interview):
        # Marked before the job came round.
        who = attendance.CANDIDATE if absent == "candidate" else str(world.tia.pk)
        attendance.mark(session, who, user=recruiter)
        run_the_job()
        tia = trainee_of(world)
        assert (tia.stage, training.done(tia)) == (Stage.SHADOW, 0)
        why = (
            "the candidate did not attend"
            if absent == "candidate"
            else "Tia Trainee did not attend"
        )
        assert training.seat_status(seat) == ("not_counted", f"Not counted: {why}")


def test_the_trainers_own_no_show_does_not_stop_the_trainees_session_counting(tenant, recruiter):
    world = program_world(tenant)
    interview, _seat = seat_trainee(world, starts(1)[0])
    with after(interview):
        attendance.mark(interview.sessions.get(), str(world.bo.pk), user=recruiter)
        run_the_job()
    assert training.done(trainee_of(world)) == 1


def test_a_declined_or_swapped_out_seat_does_not_count(tenant):
    world = program_world(tenant)
    first, second = starts(2)
    _declined, seat = seat_trainee(world, first)
    SessionAttendee.objects.filter(pk=seat.pk).update(response=SessionAttendee.Response.DECLINED)
    swapped, other = seat_trainee(world, second)
    SessionAttendee.objects.filter(pk=other.pk).update(active=False)

    with after(swapped):
        run_the_job()
        assert training.done(trainee_of(world)) == 0
        statuses = {row["seat"].pk: row["why"] for row in training.sessions_of(world.trainee)}
    assert statuses == {
        seat.pk: "Tia Trainee declined the invitation",
        other.pk: "Tia Trainee was taken off the session",
    }


def test_a_no_show_marked_after_counting_takes_the_session_back_and_clearing_it_counts_again(
    tenant, recruiter
):
    world = program_world(tenant)
    interview, seat = seat_trainee(world, starts(1)[0])
    with after(interview, minutes=2):
        run_the_job()
        assert training.done(trainee_of(world)) == 1
    with after(interview, minutes=30):
        mark = attendance.mark(interview.sessions.get(), attendance.CANDIDATE, user=recruiter)
        # At once, through attendance's signal: the job need not come round.
        assert training.done(trainee_of(world)) == 0
        assert not TrainingCredit.objects.filter(attendee=seat).exists()
        latest = world.trainee.history.first()
        assert latest.kind == Kind.NOT_COUNTED
        assert latest.text == (
            "No longer counted: shadowed “Coding” with Candidate 1, the candidate did not attend"
        )
        run_the_job()  # and the job does not count it again
        assert training.done(trainee_of(world)) == 0
    with after(interview, minutes=40):
        attendance.clear(mark, user=recruiter)
        assert training.done(trainee_of(world)) == 1
        assert world.trainee.history.first().kind == Kind.COUNTED


def test_a_no_show_after_the_trainee_moved_on_leaves_their_stage(tenant, recruiter):
    world = program_world(tenant, shadow_count=1)
    interview, _seat = seat_trainee(world, starts(1)[0])
    with after(interview):
        run_the_job()
        assert trainee_of(world).stage == Stage.REVERSE_SHADOW
        attendance.mark(interview.sessions.get(), attendance.CANDIDATE, user=recruiter)
    tia = trainee_of(world)
    assert tia.stage == Stage.REVERSE_SHADOW
    assert world.trainee.history.first().text.endswith(
        "the candidate did not attend (they stay reverse shadowing)"
    )


# --- trainer approval --------------------------------------------------------------------------


def _trainers_feedback(interview, trainer, seat, verdict):
    item = FeedbackRequest.objects.get(interview=interview, interviewer=trainer)
    values = {
        "recommendation": "YES",
        "note": "",
        "answers": [{"rating": 3, "comment": ""}],
        "trainee_verdicts": {str(seat.pk): verdict},
    }
    return feedback.submit(item, values)


def test_with_trainer_approval_a_session_counts_once_the_trainer_says_so(tenant):
    world = program_world(tenant, trainer_approval_required=True)
    first, second = starts(2)
    yes, yes_seat = seat_trainee(world, first)
    no, no_seat = seat_trainee(world, second, trainer=world.cy)

    with after(no):
        feedback.request_due()
        run_the_job()
        assert training.done(trainee_of(world)) == 0
        assert training.seat_status(yes_seat) == ("waiting", "Waiting for a trainer's feedback")
        # Bo is asked the question about Tia; Tia is not asked about herself.
        bo_item = FeedbackRequest.objects.get(interview=yes, interviewer=world.bo)
        assert [s.pk for s in feedback.seats_to_judge(bo_item)] == [yes_seat.pk]
        tia_item = FeedbackRequest.objects.get(interview=yes, interviewer=world.tia)
        assert feedback.seats_to_judge(tia_item) == []

        _trainers_feedback(yes, world.bo, yes_seat, True)
        _trainers_feedback(no, world.cy, no_seat, False)

        # Counted at once on the trainer's submission.
        tia = trainee_of(world)
        assert training.done(tia) == 1
        assert world.trainee.history.first().text == (
            "Counted: shadowed “Coding” with Candidate 1 (1 of 2), approved by Bo Qualified"
        )
        run_the_job()
        assert training.done(trainee_of(world)) == 1
        assert training.seat_status(no_seat) == (
            "not_counted",
            "Not counted: Cy Qualified did not approve it in their feedback",
        )


# --- admin approval -----------------------------------------------------------------------------


def test_with_admin_approval_the_trainee_waits_and_the_admins_are_emailed(tenant, admin_member):
    other_admin = make_member(tenant, "ida@acme.example", "admin", first_name="Ida")
    world = program_world(tenant, approval_required=True)
    first, second = starts(2)
    seat_trainee(world, first)
    two, _seat = seat_trainee(world, second)

    with after(two):
        run_the_job()
        run_the_job()
    tia = trainee_of(world)
    assert (tia.stage, tia.awaiting_approval) == (Stage.SHADOW, True)
    assert training.progress(tia).line == (
        "2 of 2 shadow sessions done — next: reverse shadow ×1 (waiting for an admin's approval)"
    )
    asks = Operation.objects.filter(payload__kind="training_approval")
    assert asks.count() == 1  # asked once, however often the job runs
    outbox.perform(asks.get().pk)
    sent = mail.outbox[-1]
    assert sorted(sent.to) == sorted([admin_member.email, other_admin.email])
    assert sent.subject == "Approve Tia Trainee's move to reverse shadowing (Coding interview)"
    assert f"/settings/training/{world.program.pk}/progress/" in sent.body

    training.approve(tia, user=admin_member)
    tia = trainee_of(world)
    assert (tia.stage, tia.awaiting_approval) == (Stage.REVERSE_SHADOW, False)
    assert kinds(world)[-3:] == [Kind.APPROVAL_ASKED, Kind.APPROVED, Kind.ADVANCED]
    entry = AuditEntry.objects.filter(action="training.approved").get()
    assert entry.actor == admin_member
    with pytest.raises(training.TrainingError, match="not waiting for an approval"):
        training.approve(tia, user=admin_member)


def test_an_approval_email_that_comes_after_the_approval_is_not_sent(tenant, admin_member):
    world = program_world(tenant, approval_required=True, shadow_count=1)
    one, _seat = seat_trainee(world, starts(1)[0])
    with after(one):
        run_the_job()
    training.approve(trainee_of(world), user=admin_member)
    op = outbox.perform(Operation.objects.get(payload__kind="training_approval").pk)
    assert op.result["skipped"] and not mail.outbox


# --- by hand, and counting twice ----------------------------------------------------------------


def test_an_admin_sets_the_stage_by_hand_and_a_stage_set_back_starts_again(tenant, admin_member):
    world = program_world(tenant)
    first, second = starts(2)
    seat_trainee(world, first)
    two, _seat = seat_trainee(world, second)
    with after(two):
        run_the_job()
        assert trainee_of(world).stage == Stage.REVERSE_SHADOW

        training.set_stage(trainee_of(world), Stage.QUALIFIED, user=admin_member)
        assert world.tia in world.pool.members.all()
        training.set_stage(trainee_of(world), Stage.SHADOW, user=admin_member)
        tia = trainee_of(world)
        # Set back: out of the pool, the two earlier shadows no longer count.
        assert world.tia not in world.pool.members.all()
        assert (tia.stage, training.done(tia), tia.qualified_at) == (Stage.SHADOW, 0, None)
        run_the_job()
        assert (trainee_of(world).stage, training.done(trainee_of(world))) == (Stage.SHADOW, 0)
        assert world.trainee.history.first().text == (
            "Ada set the stage to shadowing (was qualified); the count starts again from 0 of "
            "2; no longer a qualified member of “Onsite: Coders”"
        )
        with pytest.raises(training.TrainingError, match="already"):
            training.set_stage(trainee_of(world), Stage.SHADOW, user=admin_member)


def test_counting_twice_never_counts_twice(tenant):
    world = program_world(tenant, shadow_count=3)
    one, seat = seat_trainee(world, starts(1)[0])
    with after(one):
        run_the_job()
        run_the_job()
        training.count_due()
        training.recount_interview(one)
    assert TrainingCredit.objects.filter(attendee=seat).count() == 1
    assert training.done(trainee_of(world)) == 1
    assert kinds(world).count(Kind.COUNTED) == 1


def test_the_trainers_seat_never_counts_for_anyone(tenant):
    world = program_world(tenant, shadow_count=0)
    # shadow ×0: enrolling straight into the reverse shadow once counted.
    three, seat = seat_trainee(world, starts(1)[0], leads=True)
    with after(three):
        run_the_job()
    tia = trainee_of(world)
    assert tia.stage == Stage.QUALIFIED
    trainer_seat = SessionAttendee.objects.get(session__interview=three, interviewer=world.bo)
    assert not TrainingCredit.objects.filter(attendee=trainer_seat).exists()
    assert TrainingCredit.objects.get().attendee == seat


def test_another_teams_trainees_are_counted_apart(tenant, other_tenant):
    ours, theirs = program_world(tenant), program_world(other_tenant)
    one, _seat = seat_trainee(ours, starts(1)[0])
    seat_trainee(theirs, starts(1)[0])
    with after(one):
        training.count_due(tenant=tenant)
    assert training.done(trainee_of(ours)) == 1
    assert training.done(trainee_of(theirs)) == 0


# --- the demo's time travel ----------------------------------------------------------------


def test_the_demo_command_ends_a_trainees_interviews_one_by_one_and_counts_them(tenant, settings):
    settings.DEBUG = True
    world = program_world(tenant)
    first, second, third = starts(3)
    seat_trainee(world, first)
    seat_trainee(world, second)

    def travel():
        out = io.StringIO()
        call_command("demo_time_travel", trainee="tia", stdout=out)
        return out.getvalue()

    assert "Training: Tia Trainee (Coding interview): 1 of 2 shadow sessions done" in travel()
    printed = travel()
    assert "Training: Tia Trainee (Coding interview): 0 of 1 reverse shadow done" in printed
    assert trainee_of(world).stage == Stage.REVERSE_SHADOW
    seat_trainee(world, third, leads=True)
    assert "Training: Tia Trainee (Coding interview): Qualified on " in travel()
    assert world.tia in world.pool.members.all()
    with pytest.raises(CommandError, match="No upcoming interview seats a trainee"):
        travel()
