"""Training feedback against the live sandbox: a program's trainee seated in a booked panel
is asked like the panel; what they submit stays in Convene (the sandbox ATS holds the
panel's scorecards alone, and the session's interview COMPLETEs without waiting for the
trainee), unless the program sends training feedback to the ATS."""

import pytest

from scheduling.models import SessionAttendee, Trainee, TrainingProgram
from tests.integration.test_feedback import ask, scorecards_of, submit_all
from tests.integration.test_scheduling import book, drain, sandbox_client
from tests.live_world import new_application

pytestmark = pytest.mark.sandbox


@pytest.fixture
def booked(acme, panel_plan, panel_day, recruiter_client, django_capture_on_commit_callbacks):
    return book(
        recruiter_client, new_application(acme), django_capture_on_commit_callbacks, panel_day
    )


def seat_a_trainee(acme, interview, tenant, *, to_ats):
    """One of Acme's people who is not on the panel shadows its first session, seated for
    a program as the engine seats them."""
    session = interview.sessions.order_by("position").first()
    on_panel = set(
        SessionAttendee.objects.filter(session__interview=interview).values_list(
            "interviewer_id", flat=True
        )
    )
    person = next(p for p in acme["people"].values() if p.pk not in on_panel and p.ats_user_id)
    program = TrainingProgram.objects.create(
        tenant=tenant, name="Coding interview", send_training_feedback_to_ats=to_ats
    )
    trainee = Trainee.objects.create(tenant=tenant, program=program, interviewer=person)
    SessionAttendee.objects.create(
        session=session,
        interviewer=person,
        role=SessionAttendee.Role.TRAINEE,
        training=trainee,
        start_at=session.start_at,
        end_at=session.end_at,
    )
    return session, person


@pytest.mark.parametrize("to_ats", [False, True], ids=["kept-in-convene", "sent-to-the-ats"])
def test_training_feedback_reaches_the_ats_only_when_the_program_says_so(
    acme, booked, tenant, client, django_capture_on_commit_callbacks, to_ats
):
    sandbox, ats = acme["sandbox"], acme["ats"]
    session, person = seat_a_trainee(acme, booked, tenant, to_ats=to_ats)
    asked = ask(booked)
    trainee_request = next(r for r in asked if r.interviewer_id == person.pk)
    assert trainee_request.training

    submit_all(client, booked, django_capture_on_commit_callbacks)
    drain()

    cards = {c.interviewer_id for c in scorecards_of(sandbox, ats, session)}
    panel = {
        a.interviewer.ats_user_id
        for a in session.attendees.filter(active=True)
        .exclude(role=SessionAttendee.Role.TRAINEE)
        .select_related("interviewer")
    }
    assert cards == (panel | {person.ats_user_id} if to_ats else panel)
    api = sandbox_client(sandbox)
    assert api.get_interview(ats.unified_id, session.ats_interview_id).status == "COMPLETE"
    trainee_request.refresh_from_db()
    assert bool(trainee_request.ats_record) == to_ats
