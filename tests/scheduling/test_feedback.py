"""The feedback service: who is asked and when (idempotently), reminders by the clock and by
hand, submission and the ATS status it calls for, and the pipeline's "feedback due"."""

import contextlib
import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from scheduling import booking, feedback, periodic, slots
from scheduling.lib import zones
from scheduling.models import AuditEntry, FeedbackRequest, Operation
from tests import factories as f
from tests.feedback_helpers import (
    QUESTIONS,
    past_interview,
    perform_emails,
    requests_of,
    values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    # Nothing here may reach a sandbox someone runs on the default port.
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


@pytest.fixture
def panel(tenant):
    return past_interview(tenant)


def status_ops(panel):
    return sorted(
        (op.session.title, op.payload["status"])
        for op in Operation.objects.filter(
            interview=panel.interview, kind=Operation.Kind.UPDATE_ATS_INTERVIEW
        )
    )


def test_an_ended_interview_asks_every_interviewer_but_the_trainee_once_per_session(panel, tenant):
    assert feedback.request_due() == 3

    asked = requests_of(panel)
    assert set(asked) == {"Ivy", "Tom", "Sam"}  # Tia only shadowed
    assert asked["Ivy"].session.title == "Technical" and asked["Sam"].session.title == "Values"
    ivy = asked["Ivy"]
    assert ivy.status == "requested" and ivy.questions == QUESTIONS
    assert ivy.due_at == panel.interview.end_at + dt.timedelta(hours=24)
    assert ivy.expires_at - ivy.requested_at == dt.timedelta(days=tenant.feedback_link_days)
    emails = Operation.objects.filter(
        kind=Operation.Kind.SEND_EMAIL, payload__has_key="feedback_request"
    )
    assert emails.count() == 3
    # The ATS interviews of both sessions wait for feedback now.
    assert status_ops(panel) == [
        ("Technical", "AWAITING_FEEDBACK"),
        ("Values", "AWAITING_FEEDBACK"),
    ]
    entry = AuditEntry.objects.get(action="feedback.requested")
    assert entry.message == "Asked Ivy Chen, Sam Ortiz, Tom Lee for feedback"


def test_someone_who_declined_the_invitation_is_not_asked(panel):
    panel.interview.sessions.get(title="Values").attendees.filter(interviewer=panel.sam).update(
        response="REJECTED"
    )
    assert feedback.request_due() == 2
    assert set(requests_of(panel)) == {"Ivy", "Tom"}
    assert feedback.request_due() == 0  # and not asked later either


def test_moving_an_ended_interview_ahead_withdraws_what_was_not_submitted(panel):
    """A no-show rebooked for next week: feedback is asked again when the new time ends."""
    feedback.request_due()
    asked = requests_of(panel)
    feedback.save_draft(asked["Tom"], values())
    feedback.submit(asked["Sam"], values())
    later = dt.timedelta(days=7)
    choice = slots.Choice(
        sessions=tuple(
            slots.SessionChoice(
                title=s.title,
                start=s.start_at + later,
                end=s.end_at + later,
                people=tuple(
                    (str(a.interviewer_id), a.role, None) for a in s.attendees.filter(active=True)
                ),
            )
            for s in panel.interview.sessions.order_by("position")
        )
    )
    booking.reschedule(panel.interview, choice, reason="The candidate did not show.")

    # Ivy's request and Tom's draft are withdrawn; Sam's submitted feedback stays.
    assert set(requests_of(panel)) == {"Sam"}
    entry = AuditEntry.objects.get(action="feedback.withdrawn")
    assert "Ivy Chen, Tom Lee" in entry.message
    # Their queued request emails are dropped, not retried.
    for op in perform_emails():
        assert op.status in ("skipped", "done")
    assert feedback.request_due() == 0
    with time_machine.travel(timezone.now() + later + dt.timedelta(minutes=1), tick=False):
        assert feedback.request_due() == 2
    assert set(requests_of(panel)) == {"Ivy", "Tom", "Sam"}


def test_the_periodic_job_is_idempotent_one_request_and_one_email_per_person(panel):
    assert "feedback requests and reminders" in periodic.JOBS
    for _ in range(3):
        periodic.JOBS["feedback requests and reminders"].run()
        perform_emails()
        feedback.request_for(panel.interview)

    assert FeedbackRequest.objects.count() == 3
    assert len(status_ops(panel)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in (panel.ivy, panel.tom, panel.sam)
    )
    ivy_mail = next(m for m in mail.outbox if m.to == [panel.ivy.email])
    assert feedback.url_for(requests_of(panel)["Ivy"]) in ivy_mail.body
    assert "Grace Hopper" in ivy_mail.subject and "Technical" in ivy_mail.subject
    # In Ivy's own zone (Berlin), not UTC.
    start = timezone.localtime(panel.sessions["Technical"].start_at, zones.zone("Europe/Berlin"))
    assert f"at {start:%H:%M} Europe/Berlin" in ivy_mail.body


def test_upcoming_canceled_and_long_past_interviews_are_not_asked(tenant):
    upcoming = past_interview(tenant, ended_ago=-dt.timedelta(hours=3))
    assert feedback.request_due() == 0
    upcoming.interview.delete()
    canceled = past_interview(tenant)
    booking.cancel(canceled.interview, reason="No-show", notify_candidate=False)
    assert feedback.request_due() == 0
    canceled.interview.delete()
    past_interview(tenant, ended_ago=dt.timedelta(days=8))
    assert feedback.request_due() == 0
    assert not FeedbackRequest.objects.exists()


def test_someone_without_an_email_address_is_asked_but_not_mailed(panel):
    panel.tom.email = ""
    panel.tom.save()
    feedback.request_due()
    ops = {op.payload["about"]: op for op in perform_emails()}
    assert ops["To Tom Lee"].status == "skipped"
    assert ops["To Ivy Chen"].status == "done"
    assert len(mail.outbox) == 2


def test_reminders_after_the_tenants_delay_then_at_most_once_a_day(panel, tenant):
    end = panel.interview.end_at
    feedback.request_due()
    perform_emails()
    mail.outbox.clear()
    feedback.submit(requests_of(panel)["Sam"], values())

    with time_machine.travel(end + dt.timedelta(hours=23, minutes=59), tick=False):
        assert feedback.send_reminders() == 0
    with time_machine.travel(end + dt.timedelta(hours=24, minutes=1), tick=False):
        assert feedback.send_reminders() == 2  # Ivy and Tom; Sam's is in
        perform_emails()
        assert feedback.send_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([panel.ivy.email, panel.tom.email])
    assert all(
        m.subject.startswith("Reminder: your feedback on Grace Hopper") for m in mail.outbox
    )
    assert "overdue" in mail.outbox[0].subject
    with time_machine.travel(end + dt.timedelta(hours=47), tick=False):
        assert feedback.send_reminders() == 0
    with time_machine.travel(end + dt.timedelta(hours=48, minutes=2), tick=False):
        feedback.submit(requests_of(panel)["Tom"], values())
        assert feedback.send_reminders() == 1
    assert requests_of(panel)["Ivy"].reminders_sent == 2
    assert AuditEntry.objects.filter(action="feedback.reminded").count() == 3
    # Past the link's expiry, nothing more goes out.
    with time_machine.travel(end + dt.timedelta(days=tenant.feedback_link_days, hours=1)):
        assert feedback.send_reminders() == 0


def test_no_automatic_reminders_when_the_tenant_sets_zero_hours(panel, tenant):
    tenant.feedback_reminder_hours = 0
    tenant.save()
    feedback.request_due()
    with time_machine.travel(panel.interview.end_at + dt.timedelta(days=3), tick=False):
        assert feedback.send_reminders() == 0


def test_a_nudge_sends_at_once_is_audited_and_is_refused_within_the_hour(panel, recruiter):
    feedback.request_due()
    perform_emails()
    mail.outbox.clear()
    asked = requests_of(panel)

    feedback.nudge(asked["Ivy"], user=recruiter)
    perform_emails()
    (email,) = mail.outbox
    assert email.to == [panel.ivy.email] and "asks for your feedback" in email.body
    entry = AuditEntry.objects.get(action="feedback.nudged")
    assert entry.actor == recruiter and entry.object_id == str(panel.interview.pk)
    with pytest.raises(feedback.FeedbackError, match="at most one reminder an hour"):
        feedback.nudge(asked["Ivy"], user=recruiter)
    # Tom is another person: he can be nudged.
    feedback.nudge(asked["Tom"], user=recruiter)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        feedback.nudge(asked["Ivy"], user=recruiter)
    assert requests_of(panel)["Ivy"].reminders_sent == 2


def test_the_hourly_limit_is_per_person_across_their_interviews(tenant, recruiter):
    first = past_interview(tenant)
    feedback.request_due()
    ivy_first = requests_of(first)["Ivy"]
    second_app = f.application(first.ats, first.app.candidate, status="SECOND_INTERVIEW")
    second = booking.book(
        second_app,
        first.plan,
        slots.Choice(
            sessions=(
                slots.SessionChoice(
                    "Deep dive",
                    first.interview.start_at - dt.timedelta(days=1),
                    first.interview.end_at - dt.timedelta(days=1),
                    ((str(first.ivy.pk), "required", None),),
                ),
            )
        ),
    )
    feedback.request_for(second)
    feedback.nudge(ivy_first, user=recruiter)
    with pytest.raises(feedback.FeedbackError, match="at most one reminder an hour"):
        feedback.nudge(second.feedback_requests.get(), user=recruiter)


def test_a_nudge_renews_an_expired_link_and_is_refused_once_submitted(panel, recruiter, tenant):
    feedback.request_due()
    ivy = requests_of(panel)["Ivy"]
    later = ivy.expires_at + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert ivy.is_expired(timezone.now())
        renewed = feedback.nudge(ivy, user=recruiter)
        assert renewed.expires_at == later + dt.timedelta(days=tenant.feedback_link_days)
        feedback.resolve(feedback.token_for(ivy))  # works again
    feedback.submit(ivy, values())
    with pytest.raises(feedback.AlreadySubmitted):
        feedback.nudge(ivy, user=recruiter)


def test_submitting_queues_the_scorecard_once_and_the_last_completes_the_session(panel):
    feedback.request_due()
    asked = requests_of(panel)

    feedback.submit(asked["Ivy"], values())
    scorecards = Operation.objects.filter(kind=Operation.Kind.CREATE_SCORECARD)
    (op,) = scorecards
    assert op.payload["feedback_request"] == str(asked["Ivy"].pk)
    assert op.session == panel.sessions["Technical"]
    with pytest.raises(feedback.AlreadySubmitted):
        feedback.submit(asked["Ivy"], values(recommendation="NO"))
    assert scorecards.count() == 1
    assert FeedbackRequest.objects.get(pk=asked["Ivy"].pk).recommendation == "YES"
    assert ("Technical", "COMPLETE") not in status_ops(panel)  # Tom's is missing

    feedback.submit(asked["Tom"], values())
    complete = Operation.objects.get(
        kind=Operation.Kind.UPDATE_ATS_INTERVIEW, payload__status="COMPLETE"
    )
    assert complete.session == panel.sessions["Technical"]
    assert complete.depends_on.kind == Operation.Kind.CREATE_SCORECARD
    assert ("Values", "COMPLETE") not in status_ops(panel)
    feedback.submit(asked["Sam"], values())
    assert ("Values", "COMPLETE") in status_ops(panel)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # SQLite's IMMEDIATE transactions already take turns; the in-memory test database
    # answers a second connection "table is locked" instead of waiting.
    reason="PostgreSQL only (make test-postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_two_interviewers_submitting_at_once_still_complete_the_session(
    tenant, settings, monkeypatch
):
    """Each submission checks whether the session's others are still open: on PostgreSQL
    both could see the other's uncommitted row as open and neither queue COMPLETE."""
    # Commits are real here: keep the write-back queued instead of running it.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    panel = past_interview(tenant)
    feedback.request_due()
    asked = requests_of(panel)
    # Hold each submission after its own row is written, until the other has written its
    # own too (or, when the database makes it wait, a little while).
    barrier = threading.Barrier(2)
    audit = feedback.audit

    def audit_then_wait(*args, **kwargs):
        audit(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)

    monkeypatch.setattr(feedback, "audit", audit_then_wait)
    errors = []

    def submit(item):
        try:
            feedback.submit(item, values())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(asked[n],)) for n in ("Ivy", "Tom")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert ("Technical", "COMPLETE") in status_ops(panel)


def test_a_draft_is_kept_and_cannot_change_a_submitted_feedback(panel):
    feedback.request_due()
    ivy = requests_of(panel)["Ivy"]
    assert feedback.save_draft(ivy, values(recommendation="NO"))
    ivy.refresh_from_db()
    assert ivy.status == "draft" and ivy.recommendation == "NO" and ivy.draft_saved_at
    feedback.submit(ivy, values())
    assert not feedback.save_draft(ivy, values(recommendation="STRONG_YES"))
    ivy.refresh_from_db()
    assert ivy.recommendation == "YES" and ivy.status == "submitted"


def test_one_interview_failing_does_not_stop_requests_for_the_others(
    panel, other_tenant, monkeypatch, caplog
):
    broken = past_interview(other_tenant)
    request_for = feedback.request_for

    def fail_for_globex(interview, **kwargs):
        if interview.pk == broken.interview.pk:
            # What a link lifetime past the year 9999 did (SQLite kept any number).
            raise OverflowError("date value out of range")
        return request_for(interview, **kwargs)

    monkeypatch.setattr(feedback, "request_for", fail_for_globex)
    assert feedback.request_due() == 3

    assert set(requests_of(panel)) == {"Ivy", "Tom", "Sam"}
    assert not broken.interview.feedback_requests.exists()
    assert f"Could not ask for feedback on interview {broken.interview.pk}" in caplog.text


def test_one_reminder_failing_does_not_stop_the_others(panel, monkeypatch, caplog):
    feedback.request_due()
    queue_email = feedback._queue_email

    def fail_for_ivy(item, kind, **extra):
        if item.interviewer.name == "Ivy Chen":
            raise RuntimeError("boom")
        return queue_email(item, kind, **extra)

    monkeypatch.setattr(feedback, "_queue_email", fail_for_ivy)
    with time_machine.travel(panel.interview.end_at + dt.timedelta(hours=25)):
        assert feedback.send_reminders() == 2
    reminded = {r.interviewer.name for r in FeedbackRequest.objects.filter(reminders_sent=1)}
    assert reminded == {"Tom Lee", "Sam Ortiz"}
    assert "Could not remind Ivy Chen" in caplog.text
