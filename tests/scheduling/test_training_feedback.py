"""Training feedback: a program's trainee is asked for feedback marked as training feedback,
kept in Convene and not filed in the ATS (unless the program says so), holding no ATS
status; a trainer is asked whether the session counts when the program wants their
approval, beside their own scorecard."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from scheduling import feedback, outbox, training, writeback
from scheduling.models import FeedbackRequest, Membership, Operation, Trainee
from tests.conftest import make_member
from tests.training_helpers import program_world, seat_trainee, starts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


def ended(world, **seat):
    """A session with the trainee seated, its clock moved to after its end, feedback asked."""
    interview, trainee_seat = seat_trainee(world, starts(1)[0], **seat)
    traveller = time_machine.travel(interview.end_at + dt.timedelta(minutes=5), tick=False)
    traveller.start()
    feedback.request_due()
    return interview, trainee_seat, traveller


@pytest.fixture
def world(tenant):
    return program_world(tenant)


def request_of(interview, person):
    return FeedbackRequest.objects.get(interview=interview, interviewer=person)


def values(verdicts=None):
    return {
        "recommendation": "YES",
        "note": "Asked good follow-up questions.",
        "answers": [{"rating": 3, "comment": ""}],
        "trainee_verdicts": verdicts or {},
    }


def scorecards():
    return Operation.objects.filter(kind=Operation.Kind.CREATE_SCORECARD)


def test_a_shadowing_trainee_is_asked_for_training_feedback_by_email(world):
    interview, _seat, clock = ended(world)
    try:
        tia = request_of(interview, world.tia)
        bo = request_of(interview, world.bo)
        assert (tia.training, tia.trainee_id) == (True, world.trainee.pk)
        assert (bo.training, bo.trainee_id) == (False, None)
        for op in Operation.objects.filter(payload__kind="feedback_request"):
            outbox.perform(op.pk)
        sent = next(m for m in mail.outbox if m.to == [world.tia.email])
        assert sent.subject == "Your training feedback on Candidate 1 (Coding)"
        assert "training feedback for your “Coding interview” training" in sent.body
        assert "is not sent to the ATS" in sent.body
        bo_mail = next(m for m in mail.outbox if m.to == [world.bo.email])
        assert bo_mail.subject == "Your feedback on Candidate 1 (Coding)"
    finally:
        clock.stop()


def test_training_feedback_is_kept_in_convene_and_holds_no_ats_status(world):
    interview, _seat, clock = ended(world)
    try:
        session = interview.sessions.get()
        # Only the panel's request puts the ATS interview to AWAITING_FEEDBACK.
        assert writeback.ats_status(session) == "AWAITING_FEEDBACK"
        feedback.submit(request_of(interview, world.tia), values())
        assert not scorecards().exists()
        assert writeback.ats_status(session) == "AWAITING_FEEDBACK"

        feedback.submit(request_of(interview, world.bo), values())
        assert [op.payload["about"] for op in scorecards()] == ["From Bo Qualified"]
        assert writeback.ats_status(session) == "COMPLETE"
        assert Operation.objects.filter(payload__status="COMPLETE").count() == 1
    finally:
        clock.stop()


def test_the_ats_completes_without_waiting_for_the_trainee(world):
    interview, _seat, clock = ended(world)
    try:
        feedback.submit(request_of(interview, world.bo), values())
        assert writeback.ats_status(interview.sessions.get()) == "COMPLETE"
        assert Operation.objects.filter(payload__status="COMPLETE").exists()
    finally:
        clock.stop()


def test_a_program_that_sends_training_feedback_to_the_ats_files_it(world):
    world.program.send_training_feedback_to_ats = True
    world.program.save()
    interview, _seat, clock = ended(world)
    try:
        item = feedback.submit(request_of(interview, world.tia), values())
        assert item.goes_to_ats
        assert [op.payload["about"] for op in scorecards()] == ["From Tia Trainee"]
    finally:
        clock.stop()


def test_a_scorecard_queued_before_the_program_stopped_sending_is_not_filed(world):
    world.program.send_training_feedback_to_ats = True
    world.program.save()
    interview, _seat, clock = ended(world)
    try:
        feedback.submit(request_of(interview, world.tia), values())
        world.program.send_training_feedback_to_ats = False
        world.program.save()
        op = outbox.perform(scorecards().get().pk)
        assert op.result == {"skipped": True, "why": "training feedback stays in Convene"}
    finally:
        clock.stop()


def test_the_trainees_page_says_it_is_training_feedback(client, world):
    interview, _seat, clock = ended(world)
    try:
        item = request_of(interview, world.tia)
        page = client.get(reverse("feedback_link", args=[feedback.token_for(item)]))
        html = page.content.decode()
        assert page.status_code == 200
        assert "Training feedback" in html
        assert "your “Coding interview” training" in html
        assert "It is <strong>not</strong> sent to the ATS" in html
        assert "Kept in Convene with your training feedback" in html  # the note's help
        # Bo's own page is the ordinary scorecard.
        bo_page = client.get(
            reverse("feedback_link", args=[feedback.token_for(request_of(interview, world.bo))])
        )
        assert "Training feedback" not in bo_page.content.decode()
    finally:
        clock.stop()


def test_the_interview_page_marks_training_feedback(recruiter_client, world):
    interview, _seat, clock = ended(world)
    try:
        feedback.submit(request_of(interview, world.tia), values())
        html = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content
        html = html.decode()
        assert "Training feedback: kept in Convene, not sent to Greenhouse." in html
    finally:
        clock.stop()


# --- the trainer's question ---------------------------------------------------------------------


@pytest.fixture
def approving(tenant):
    return program_world(tenant, trainer_approval_required=True)


def test_the_trainer_is_asked_whether_the_session_counts_and_must_answer(client, approving):
    world = approving
    interview, seat, clock = ended(world)
    try:
        item = request_of(interview, world.bo)
        url = reverse("feedback_link", args=[feedback.token_for(item)])
        html = client.get(url).content.decode()
        question = (
            "Did Tia Trainee do well enough for this session to count toward their training?"
        )
        assert question in html
        # Tia's own page does not ask it.
        tia_url = reverse(
            "feedback_link", args=[feedback.token_for(request_of(interview, world.tia))]
        )
        assert question not in client.get(tia_url).content.decode()

        data = {"recommendation": "YES", "note": "", "q0_rating": "3", "q0_comment": ""}
        page = client.post(url, data)
        assert page.status_code == 200
        assert (
            "Say whether this session counts toward Tia Trainee&#x27;s training before you submit."
            in page.content.decode()
        )
        assert FeedbackRequest.objects.get(pk=item.pk).status == FeedbackRequest.Status.DRAFT

        page = client.post(url, {**data, f"trainee_{seat.pk}": "yes"})
        assert page.status_code == 302
        item.refresh_from_db()
        assert item.trainee_verdicts == {str(seat.pk): True}
        # It counted at once.
        assert training.done(Trainee.objects.get(pk=world.trainee.pk)) == 1
        # And the copy of what was sent says so.
        html = client.get(url).content.decode()
        assert "Counts toward Tia Trainee's training?" in html and "Yes, count it" in html
    finally:
        clock.stop()


def test_a_trainers_no_keeps_the_session_from_counting(client, approving):
    world = approving
    interview, seat, clock = ended(world)
    try:
        item = request_of(interview, world.bo)
        url = reverse("feedback_link", args=[feedback.token_for(item)])
        data = {"recommendation": "NO", "note": "", "q0_rating": "2", "q0_comment": ""}
        assert client.post(url, {**data, f"trainee_{seat.pk}": "no"}).status_code == 302
        training.count_due()
        assert training.done(Trainee.objects.get(pk=world.trainee.pk)) == 0
    finally:
        clock.stop()


def test_on_a_reverse_shadow_the_trainer_seat_is_asked_not_the_trainee(client, tenant):
    world = program_world(tenant, trainer_approval_required=True, shadow_count=0)
    interview, seat, clock = ended(world, leads=True)
    try:
        bo = request_of(interview, world.bo)
        assert [s.pk for s in feedback.seats_to_judge(bo)] == [seat.pk]
        tia = request_of(interview, world.tia)
        assert tia.training and feedback.seats_to_judge(tia) == []
    finally:
        clock.stop()


def test_a_signed_in_trainee_finds_training_feedback_under_my_feedback(client, world, tenant):
    user = make_member(tenant, "tia@acme.example", Membership.Role.INTERVIEWER)
    world.tia.user = user
    world.tia.save()
    interview, _seat, clock = ended(world)
    try:
        client.force_login(user)
        html = client.get(reverse("my_feedback")).content.decode()
        assert "Training</span>" in html
        item = request_of(interview, world.tia)
        page = client.get(reverse("my_feedback_detail", args=[item.pk])).content.decode()
        assert reverse("my_training") in page
    finally:
        clock.stop()
