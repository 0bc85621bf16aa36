"""No-shows (attendance.mark / clear): never before the session ends, per session, what they
withdraw of the feedback, what the ATS is to hold, and undoing a mistaken mark."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from candidates import reports
from scheduling import attendance, booking, feedback, outbox, writeback
from scheduling.models import AuditEntry, FeedbackRequest, NoShow, Operation
from tests.feedback_helpers import past_interview, requests_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


@pytest.fixture
def panel(tenant):
    panel = past_interview(tenant)
    feedback.request_due()
    return panel


def statuses(panel):
    return {name: r.status for name, r in requests_of(panel).items()}


def test_a_no_show_cannot_be_marked_before_the_session_ends(tenant, recruiter):
    panel = past_interview(tenant, ended_ago=-dt.timedelta(hours=2))
    technical = panel.sessions["Technical"]

    with pytest.raises(attendance.AttendanceError, match="has not ended yet"):
        attendance.mark(technical, attendance.CANDIDATE, user=recruiter)
    assert not attendance.can_mark(technical)

    # A minute after the first session ended (the second has not): that one can be marked.
    with time_machine.travel(technical.end_at + dt.timedelta(minutes=1), tick=False):
        assert attendance.can_mark(technical)
        assert not attendance.can_mark(panel.sessions["Values"])
        mark = attendance.mark(technical, attendance.CANDIDATE, user=recruiter)
    assert mark.session == technical and mark.is_candidate
    assert panel.interview.no_show_text == "Candidate did not attend"


def test_the_candidates_no_show_withdraws_that_sessions_feedback_only(panel, recruiter):
    attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)

    assert statuses(panel) == {
        "Ivy": FeedbackRequest.Status.WITHDRAWN,
        "Tom": FeedbackRequest.Status.WITHDRAWN,
        "Sam": FeedbackRequest.Status.REQUESTED,  # Values took place
    }
    entry = AuditEntry.objects.get(action="interview.no_show")
    assert entry.message == (
        "Marked that the candidate did not attend “Technical”; no feedback is asked of "
        "Ivy Chen and Tom Lee for it."
    )
    assert entry.actor == recruiter


def test_withdrawn_feedback_gets_no_reminder_no_email_and_is_not_counted_late(
    panel, recruiter, tenant
):
    asked = requests_of(panel)
    attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)

    # The request emails queued before the mark are not sent.
    email_op = Operation.objects.get(payload__feedback_request=str(asked["Ivy"].pk))
    outbox.perform(email_op.pk)
    email_op.refresh_from_db()
    assert email_op.result["why"] == "no feedback is needed: someone did not attend"

    # Days later: only Sam is chased, and only Sam counts in the report.
    later = timezone.now() + dt.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        assert feedback.send_reminders() == 1
        scope = reports.Scope(
            tenant=tenant,
            first_day=(later - dt.timedelta(days=7)).date(),
            last_day=(later + dt.timedelta(days=1)).date(),
            zone="UTC",
            now=later,
        )
        people = {p.name: p for p in reports.feedback(scope)}
    assert set(people) == {"Sam Ortiz"}
    assert people["Sam Ortiz"].missing == 1
    with pytest.raises(feedback.FeedbackError, match="the candidate did not attend"):
        feedback.nudge(asked["Ivy"], user=recruiter)
    assert list(feedback.missing_for(panel.ivy)) == []


def test_an_interviewers_no_show_withdraws_their_feedback_alone(panel, recruiter):
    mark = attendance.mark(panel.sessions["Technical"], str(panel.tom.pk), user=recruiter)

    assert mark.text == "Tom Lee did not attend “Technical”"
    assert panel.interview.no_show_text == "An interviewer did not attend"
    assert statuses(panel)["Tom"] == FeedbackRequest.Status.WITHDRAWN
    assert statuses(panel)["Ivy"] == FeedbackRequest.Status.REQUESTED
    # Ivy still owes feedback: the ATS interview still waits for it.
    assert writeback.ats_status(panel.sessions["Technical"]) == "AWAITING_FEEDBACK"


def test_a_mark_made_before_feedback_is_asked_means_nobody_is_asked(tenant, recruiter):
    panel = past_interview(tenant)
    attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)

    feedback.request_due()

    assert set(requests_of(panel)) == {"Sam"}


def test_the_ats_status_of_a_missed_session_is_canceled_and_comes_back_when_cleared(
    panel, recruiter
):
    technical = panel.sessions["Technical"]
    assert writeback.ats_status(technical) == "AWAITING_FEEDBACK"

    mark = attendance.mark(technical, attendance.CANDIDATE, user=recruiter)
    assert writeback.ats_status(technical) == "CANCELED"
    note_op = Operation.objects.get(kind=Operation.Kind.NOTE_ATTENDANCE, session=technical)
    assert note_op.status == Operation.Status.PENDING

    attendance.clear(mark, user=recruiter)
    assert writeback.ats_status(technical) == "AWAITING_FEEDBACK"
    # The note for the mark, not yet written, gave way to one saying what holds now.
    ops = Operation.objects.filter(kind=Operation.Kind.NOTE_ATTENDANCE, session=technical)
    assert sorted(op.status for op in ops) == [Operation.Status.PENDING, Operation.Status.SKIPPED]


def test_every_interviewer_absent_means_the_session_did_not_take_place(panel, recruiter):
    values = panel.sessions["Values"]
    attendance.mark(values, str(panel.sam.pk), user=recruiter)

    assert writeback.ats_status(values) == "CANCELED"


def test_clearing_a_mistaken_mark_asks_again_and_keeps_drafts(panel, recruiter):
    asked = requests_of(panel)
    feedback.save_draft(asked["Ivy"], {"note": "Half written"})
    mark = attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)
    emails_before = Operation.objects.filter(kind=Operation.Kind.SEND_EMAIL).count()

    later = timezone.now() + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        again = attendance.clear(mark, user=recruiter)

    assert again == 2
    after = requests_of(panel)
    assert after["Ivy"].status == FeedbackRequest.Status.DRAFT
    assert after["Ivy"].note == "Half written"
    assert after["Tom"].status == FeedbackRequest.Status.REQUESTED
    # Not late the moment it is asked again, and its link works.
    assert after["Tom"].due_at > later and after["Tom"].expires_at > later
    assert Operation.objects.filter(kind=Operation.Kind.SEND_EMAIL).count() == emails_before + 2
    assert not NoShow.objects.exists()
    assert AuditEntry.objects.filter(action="interview.no_show_cleared").get().message == (
        "Cleared the mark “The candidate did not attend “Technical””; 2 asked for feedback again."
    )


def test_clearing_one_mark_keeps_what_another_still_excuses(panel, recruiter):
    technical = panel.sessions["Technical"]
    tom_absent = attendance.mark(technical, str(panel.tom.pk), user=recruiter)
    attendance.mark(technical, attendance.CANDIDATE, user=recruiter)

    attendance.clear(tom_absent, user=recruiter)

    assert statuses(panel)["Tom"] == FeedbackRequest.Status.WITHDRAWN  # the candidate's mark
    assert statuses(panel)["Ivy"] == FeedbackRequest.Status.WITHDRAWN


def test_submitted_feedback_stays_when_the_candidate_is_marked_absent(panel, recruiter):
    asked = requests_of(panel)
    feedback.submit(asked["Ivy"], {"recommendation": "YES", "note": "Fine"})

    attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)

    assert statuses(panel)["Ivy"] == FeedbackRequest.Status.SUBMITTED
    assert statuses(panel)["Tom"] == FeedbackRequest.Status.WITHDRAWN


def test_refusals(panel, recruiter):
    technical = panel.sessions["Technical"]
    with pytest.raises(attendance.AttendanceError, match="was not on “Technical”"):
        attendance.mark(technical, str(panel.sam.pk), user=recruiter)
    with pytest.raises(attendance.AttendanceError, match="was not on “Technical”"):
        attendance.mark(technical, "nobody", user=recruiter)
    # An interviewer marks only a session they were on.
    with pytest.raises(attendance.AttendanceError, match="You were not on “Technical”"):
        attendance.mark(technical, attendance.CANDIDATE, by_interviewer=panel.sam)
    attendance.mark(technical, attendance.CANDIDATE, by_interviewer=panel.ivy)
    with pytest.raises(attendance.AttendanceError, match="already marked absent"):
        attendance.mark(technical, attendance.CANDIDATE, user=recruiter)
    assert NoShow.objects.get().marked_by_label == "Ivy Chen"


def test_a_canceled_interview_takes_no_mark(panel, recruiter):
    booking.cancel(panel.interview, reason="Withdrew", user=recruiter)
    with pytest.raises(attendance.AttendanceError, match="canceled"):
        attendance.mark(panel.sessions["Values"], attendance.CANDIDATE, user=recruiter)


def test_a_session_moved_ahead_loses_its_mark_and_is_asked_about_again_when_it_ends(
    panel, recruiter
):
    technical = panel.sessions["Technical"]
    attendance.mark(technical, attendance.CANDIDATE, user=recruiter)
    later = technical.start_at + dt.timedelta(days=7)

    booking.change(
        panel.interview,
        [booking.Move(technical, later, later + (technical.end_at - technical.start_at))],
        by=booking.By.DEMO,
    )

    assert not NoShow.objects.exists()
    assert "Ivy" not in requests_of(panel)  # asked again once the new time ends
    assert AuditEntry.objects.filter(action="interview.no_show_cleared").exists()
