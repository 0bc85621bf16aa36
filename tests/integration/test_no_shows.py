"""Issue 21's no-shows against the live sandbox: a Greenhouse-like ATS gets the missed
session's interview CANCELED (Unified has no "no-show" status) and a note on the application
saying who did not attend, and Convene does not take its own CANCELED back for a
cancellation; a Lever-like ATS, which takes no interviews, gets the note alone. The interview
page says what was written where."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import attendance, booking, feedback, slots, webhooks
from scheduling.models import Interviewer, Operation
from tests.integration.test_feedback import globex  # noqa: F401 (a fixture)
from tests.integration.test_scheduling import book, drain, sandbox_client
from tests.live_world import new_application

pytestmark = pytest.mark.sandbox


def notes_on(sandbox, ats, application):
    return [
        a
        for a in sandbox_client(sandbox).list_activities(
            ats.unified_id, application_id=application.remote_id
        )
        if "did not attend" in (a.title or "") or "Attendance" in (a.title or "")
    ]


def test_a_candidate_no_show_reaches_a_greenhouse_like_ats_as_canceled_with_a_note(
    acme, panel_plan, panel_day, recruiter_client, recruiter, django_capture_on_commit_callbacks
):
    sandbox, ats = acme["sandbox"], acme["ats"]
    application = new_application(acme)
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)
    first, second = interview.sessions.order_by("start_at")
    after = first.end_at + dt.timedelta(minutes=5)
    feedback.request_for(interview, now=interview.end_at + dt.timedelta(minutes=1))
    drain()
    api = sandbox_client(sandbox)
    assert api.get_interview(ats.unified_id, first.ats_interview_id).status == "AWAITING_FEEDBACK"

    with django_capture_on_commit_callbacks(execute=False):
        attendance.mark(first, attendance.CANDIDATE, user=recruiter, now=after)
    drain()

    record = api.get_interview(ats.unified_id, first.ats_interview_id)
    assert record.status == "CANCELED"
    assert api.get_interview(ats.unified_id, second.ats_interview_id).status == (
        "AWAITING_FEEDBACK"
    )
    (note,) = notes_on(sandbox, ats, application)
    assert note.title == f"Candidate did not attend: {first.title}"
    assert "The candidate did not attend." in note.description
    assert "Marked in Convene by Rosa Recruiter." in note.description

    # The sandbox's webhook (or the reconcile) brings Convene's own CANCELED back: the
    # interview stands, as the candidate's no-show, not a cancellation.
    webhooks.ats_interviews(ats, [record], "updated", "")
    interview.refresh_from_db()
    assert interview.is_active and interview.no_show_text == "Candidate did not attend"

    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content
    html = page.decode()
    assert (
        "Recorded in Greenhouse: the interview as canceled (Greenhouse has no “did not attend” "
        "that Convene can set), and a note on the application saying who did not attend."
    ) in html
    assert "Reschedule the no-show" in html

    # A mistaken mark, cleared: the ATS interview waits for feedback again, a note says so.
    with django_capture_on_commit_callbacks(execute=False):
        attendance.clear(first.no_shows.get(), user=recruiter, now=after)
    drain()
    assert api.get_interview(ats.unified_id, first.ats_interview_id).status == (
        "AWAITING_FEEDBACK"
    )
    titles = sorted(n.title for n in notes_on(sandbox, ats, application))
    assert titles == [
        f"Attendance corrected: {first.title}",
        f"Candidate did not attend: {first.title}",
    ]
    assert not Operation.objects.filter(status="failed").exists()


def test_a_no_show_on_a_lever_like_ats_is_a_note_on_the_application(
    globex,  # noqa: F811
    live_unified,
    tenant,
    recruiter_client,
    django_capture_on_commit_callbacks,
):
    application = new_application({"sandbox": live_unified, "ats": globex})
    person = Interviewer.objects.filter(tenant=tenant).exclude(ats_user_id="").first()
    end = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    choice = slots.Choice(
        sessions=(
            slots.SessionChoice(
                "Phone screen",
                end - dt.timedelta(minutes=45),
                end,
                ((str(person.pk), "required", None),),
            ),
        )
    )
    with django_capture_on_commit_callbacks(execute=False):
        interview = booking.book(application, None, choice)
    drain()
    session = interview.sessions.get()
    assert session.ats_record == "activity"

    with django_capture_on_commit_callbacks(execute=False):
        response = recruiter_client.post(
            reverse("interview_no_show", args=[interview.pk, session.pk]), {"who": "candidate"}
        )
    assert response.status_code == 302
    drain()

    (note,) = notes_on(live_unified, globex, application)
    assert note.title == "Candidate did not attend: Phone screen"
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content
    assert "Added a note on the application in Lever." in page.decode()
    note_op = Operation.objects.get(kind=Operation.Kind.NOTE_ATTENDANCE)
    assert note_op.status == "done"  # (no calendar here: its event fails, as it should)
