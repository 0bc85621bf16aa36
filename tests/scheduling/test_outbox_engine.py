"""The outbox as an engine: handlers registered per kind, every email through it (and on Sync
problems when it cannot go), the operations of one target in order with later ones
superseding earlier ones, and the loop rules booking.change flags."""

import datetime as dt
import smtplib

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from candidates import availability, links
from scheduling import booking, feedback, outbox, slots
from scheduling.models import Flag, InterviewPlan, Operation
from tests import factories as f
from tests.candidates.links_helpers import make_link
from tests.feedback_helpers import past_interview

pytestmark = pytest.mark.django_db


def one_session(person, start, minutes=60, title="Screen"):
    return slots.SessionChoice(
        title, start, start + dt.timedelta(minutes=minutes), ((str(person.pk), "required", None),)
    )


@pytest.fixture
def world(tenant, recruiter):
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen", email="ivy@acme.example")
    app = f.application(ats, f.candidate(ats, "Grace Hopper"), f.job(ats, "Backend"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    return {"ats": ats, "ivy": ivy, "app": app, "plan": plan, "recruiter": recruiter}


def test_every_operation_kind_and_email_kind_has_a_registered_handler():
    assert set(outbox.HANDLERS) == set(Operation.Kind.values)
    assert set(outbox.SENDERS) == {
        "interview_confirmed",
        "interview_rescheduled",
        "interview_canceled",
        "interviewer_invitation",
        "feedback_request",
        "feedback_reminder",
        "interview_reminder",
        "interviewer_reminder",
        "booking_link",
        "candidate_canceled",
        "availability_request",
        "availability_received",
        "meeting_link",
        "training_approval",
        "interviewer_cant_make",
    }


def test_every_email_kind_shows_on_sync_problems_when_it_cannot_go(
    world, tenant, recruiter, recruiter_client, monkeypatch
):
    start = f.working_day()
    interview = booking.book(
        world["app"], world["plan"], slots.Choice((one_session(world["ivy"], start),))
    )
    booking.reschedule(
        interview, slots.Choice((one_session(world["ivy"], start + dt.timedelta(hours=1)),))
    )
    booking.cancel(interview, reason="The role was filled.")
    panel = past_interview(tenant)
    (asked, *_) = feedback.request_for(panel.interview)
    feedback.nudge(asked, user=recruiter, now=asked.due_at + dt.timedelta(hours=2))
    link = make_link(world["app"], world["plan"], recruiter)
    links.queue_link_email(link)
    link.interview = interview
    link.save(update_fields=["interview"])
    links._queue_cancel_notice(link, "I took another offer.")
    # Another candidate is asked for their times and sends them (the recruiter is told).
    other = f.application(
        world["ats"], f.candidate(world["ats"], "Ada Lovelace"), f.job(world["ats"], "Compilers")
    )
    (times,), _skipped = availability.ask(
        [other], plan=world["plan"], user=recruiter, expires_at=start + dt.timedelta(days=7)
    )
    availability.submit(
        times.link,
        [(start + dt.timedelta(days=1), start + dt.timedelta(days=1, hours=3))],
        note="",
        zone_name="Europe/London",
    )

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    emails = Operation.objects.filter(kind=Operation.Kind.SEND_EMAIL)
    for op in emails:
        Operation.objects.filter(pk=op.pk).update(depends_on=None)
        outbox.perform(op.pk)
    kinds = set()
    for op in emails.all():
        if op.result.get("skipped"):
            continue  # e.g. the confirmation of an interview canceled since
        assert op.status == "pending" and op.attempts == 1, (op.payload, op.result)
        assert "the mail server went away" in op.last_error
        kinds.add(op.payload["kind"])
    assert kinds == {
        "interview_confirmed",  # the past interview's
        "interview_canceled",
        "interviewer_invitation",
        "feedback_request",
        "feedback_reminder",
        "booking_link",
        "candidate_canceled",
        "availability_request",
        "availability_received",
    }
    page = recruiter_client.get(reverse("problems")).content.decode()
    for about in (
        "The confirmation to Grace Hopper",
        "The cancellation to Grace Hopper",
        "Cancellation for Ivy Chen",
        "To Ivy Chen",  # the feedback request and the reminder
        "The booking link to Grace Hopper",
        "the candidate canceled",
    ):
        assert about in page, about
    assert page.count("Retry now") >= len(kinds)


def test_a_later_change_supersedes_what_waits_on_the_same_target(world):
    start = f.working_day()
    interview = booking.book(
        world["app"], world["plan"], slots.Choice((one_session(world["ivy"], start),))
    )
    session = interview.sessions.get()
    create = Operation.objects.get(session=session, kind=Operation.Kind.CREATE_EVENT)
    # The create failed unclearly (its write may have happened) and waits for its retry.
    Operation.objects.filter(pk=create.pk).update(attempts=2, last_error="timeout")
    booking.reschedule(
        interview, slots.Choice((one_session(world["ivy"], start + dt.timedelta(hours=2)),))
    )
    create.refresh_from_db()
    update = Operation.objects.get(session=session, kind=Operation.Kind.UPDATE_EVENT)
    assert create.status == "skipped" and create.result["by"] == str(update.pk)
    assert update.payload["unclear"] is True  # it looks for the event the create may have made
    booking.cancel(interview, reason="Withdrew")
    update.refresh_from_db()
    assert update.status == "skipped"
    cancel = Operation.objects.get(session=session, kind=Operation.Kind.CANCEL_EVENT)
    assert cancel.status == "pending" and cancel.payload["unclear"] is True
    # Only the newest operation of each target is left to run.
    left = Operation.objects.filter(session=session, status="pending").exclude(kind="email.send")
    assert sorted(left.values_list("kind", flat=True)) == [
        "ats_interview.cancel",
        "event.cancel",
    ]


def test_a_moved_interview_s_ats_write_waits_for_its_event(world):
    """A create still retrying when the interview moves is superseded by the move's update,
    which then makes the event: the ATS interview, which points at the event, is written
    only after it (else it would be written pointing at no event, and stay so)."""
    start = f.working_day()
    interview = booking.book(
        world["app"], world["plan"], slots.Choice((one_session(world["ivy"], start),))
    )
    session = interview.sessions.get()
    create = Operation.objects.get(session=session, kind=Operation.Kind.CREATE_EVENT)
    Operation.objects.filter(pk=create.pk).update(attempts=1, last_error="HTTP 500")
    booking.reschedule(
        interview, slots.Choice((one_session(world["ivy"], start + dt.timedelta(hours=2)),))
    )
    event = Operation.objects.get(session=session, kind=Operation.Kind.UPDATE_EVENT)
    ats = Operation.objects.get(session=session, kind=Operation.Kind.UPDATE_ATS_INTERVIEW)
    assert ats.depends_on_id == event.pk
    assert outbox.perform(ats.pk) is None  # not before the event is written


def test_a_change_added_while_one_runs_waits_for_it(world):
    start = f.working_day()
    interview = booking.book(
        world["app"], world["plan"], slots.Choice((one_session(world["ivy"], start),))
    )
    session = interview.sessions.get()
    running = Operation.objects.get(session=session, kind=Operation.Kind.CREATE_EVENT)
    Operation.objects.filter(pk=running.pk).update(status=Operation.Status.RUNNING)
    booking.cancel(interview, reason="Withdrew")
    cancel = Operation.objects.get(session=session, kind=Operation.Kind.CANCEL_EVENT)
    assert cancel.depends_on_id == running.pk
    assert outbox.perform(cancel.pk) is None  # not before the create is through


def test_a_retrying_update_hands_over_to_the_cancel_that_follows_it(world):
    """A move's update running when the cancel comes: when it fails, it does not retry (it
    would write a stale state); the cancel runs instead, knowing the update may have
    written."""
    start = f.working_day()
    interview = booking.book(
        world["app"], world["plan"], slots.Choice((one_session(world["ivy"], start),))
    )
    session = interview.sessions.get()
    update = outbox.add(
        interview.tenant, Operation.Kind.UPDATE_EVENT, interview=interview, session=session
    )
    Operation.objects.filter(pk=update.pk).update(status=Operation.Status.RUNNING, attempts=1)
    booking.cancel(interview, reason="Withdrew")
    cancel = Operation.objects.get(session=session, kind=Operation.Kind.CANCEL_EVENT)
    update.refresh_from_db()
    outbox._later(update, RuntimeError("HTTP 500"))
    update.refresh_from_db()
    cancel.refresh_from_db()
    assert update.status == "skipped" and update.result["by"] == str(cancel.pk)
    assert cancel.payload["unclear"] is True


# --- the loop's rules -------------------------------------------------------------------------


@pytest.fixture
def loop(world, tenant):
    """Ivy's coding, then Max's panel a quarter of an hour later, in that order."""
    max_ = f.interviewer(tenant, "Max Weber", email="max@acme.example")
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Loop", stage_status="THIRD_INTERVIEW", order="fixed", break_minutes=15
    )
    start = f.working_day(hour=14)
    coding = one_session(world["ivy"], start, title="Coding")
    panel = one_session(max_, start + dt.timedelta(minutes=75), title="Panel")
    interview = booking.book(world["app"], plan, slots.Choice((coding, panel)))
    sessions = list(interview.sessions.order_by("position"))
    return interview, sessions[0], sessions[1]


@pytest.mark.parametrize(
    ("shift", "words"),
    [
        (dt.timedelta(days=-1), "is on "),  # another day than the first session
        (dt.timedelta(minutes=90), "now comes before"),  # after the panel: out of order
        (dt.timedelta(minutes=30), "overlap"),
        (dt.timedelta(minutes=10), "only 5 minutes between"),  # shorter than the break
    ],
)
def test_a_session_moved_elsewhere_flags_the_rule_it_breaks(loop, shift, words):
    interview, coding, _panel = loop
    changed = booking.change(
        interview,
        [booking.Move(coding, coding.start_at + shift, coding.end_at + shift)],
        by=booking.By.CALENDAR,
    )
    flag = interview.flags.get(kind=Flag.Kind.LOOP_BROKEN)
    assert words in flag.text and flag.session == coding
    assert "the candidate is told once the recruiter settles it" in changed.summary
    assert not Operation.objects.filter(payload__kind="interview_rescheduled").exists()
    interview.refresh_from_db()
    sessions = list(interview.sessions.all())
    assert interview.start_at == min(s.start_at for s in sessions)
    assert interview.end_at == max(s.end_at for s in sessions)


def test_a_move_that_makes_the_loop_whole_again_tells_the_candidate_and_clears_the_flag(loop):
    interview, coding, _panel = loop
    DAY, HALF_HOUR = dt.timedelta(days=1), dt.timedelta(minutes=30)
    booking.change(
        interview,
        [booking.Move(coding, coding.start_at - DAY, coding.end_at - DAY)],
        by=booking.By.CALENDAR,
    )
    assert interview.flags.filter(kind=Flag.Kind.LOOP_BROKEN).exists()
    coding.refresh_from_db()
    booking.change(
        interview,
        [booking.Move(coding, coding.start_at + DAY - HALF_HOUR, coding.end_at + DAY - HALF_HOUR)],
        by=booking.By.CALENDAR,
    )
    assert not interview.flags.filter(kind=Flag.Kind.LOOP_BROKEN).exists()
    (email,) = Operation.objects.filter(payload__kind="interview_rescheduled")
    assert "moved the interview in the calendar" in email.payload["extra"]["reason"]


def test_a_move_to_where_the_session_is_changes_nothing(loop):
    interview, coding, _panel = loop
    unchanged = booking.change(
        interview, [booking.Move(coding, coding.start_at, coding.end_at)], by=booking.By.RECRUITER
    )
    assert unchanged.summary.endswith("nothing changed.")
    interview.refresh_from_db()
    assert interview.ics_sequence == 0
