"""Issue 9 against the live sandbox: after a booked panel ends, every interviewer is asked,
submits through the emailed link, and the sandbox ATS ends up holding exactly one scorecard
per interviewer — under injected faults too — with the interviews AWAITING_FEEDBACK and then
COMPLETE; a Lever-like ATS gets a note on the application instead, visibly."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from scheduling import booking, feedback, outbox, slots, writeback
from scheduling.models import FeedbackRequest, Interviewer, Operation
from tests.feedback_helpers import answers
from tests.integration.test_scheduling import book, drain, sandbox_client
from tests.live_world import (
    free_days,
    globex_world,
    new_application,
    new_applications,
    plan_people,
)

pytestmark = pytest.mark.sandbox


def ask(interview):
    """Let the interview end (by the clock the job is given) and run what it queues."""
    created = feedback.request_for(interview, now=interview.end_at + dt.timedelta(minutes=1))
    drain()
    return created


def submit_all(client, interview, capture, **overrides):
    for item in interview.feedback_requests.select_related("interviewer"):
        with capture(execute=False):
            response = client.post(
                reverse("feedback_link", args=[feedback.token_for(item)]),
                answers(note=f"Notes from {item.interviewer.name}", **overrides),
            )
        assert response.status_code == 302, response.content.decode()[:2000]


def scorecards_of(sandbox, ats, session):
    return list(
        sandbox_client(sandbox).list_scorecards(
            ats.unified_id, interview_id=session.ats_interview_id
        )
    )


@pytest.fixture
def booked(acme, panel_plan, panel_day, recruiter_client, django_capture_on_commit_callbacks):
    """A new application's panel, booked on a day cleared for it."""
    application = new_application(acme)
    return book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)


def test_feedback_is_asked_submitted_and_filed_as_scorecards_completing_the_ats_interviews(
    acme, booked, client, django_capture_on_commit_callbacks
):
    sandbox, ats = acme["sandbox"], acme["ats"]
    mail.outbox.clear()
    asked = ask(booked)

    people = {
        a.interviewer for s in booked.sessions.all() for a in s.attendees.filter(active=True)
    }
    assert {r.interviewer for r in asked} == people and len(asked) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    api = sandbox_client(sandbox)
    for session in booked.sessions.all():
        assert api.get_interview(ats.unified_id, session.ats_interview_id).status == (
            "AWAITING_FEEDBACK"
        )
    # The emailed link is the way in.
    email = mail.outbox[0]
    path = re.search(r"/feedback/\S+/", email.body).group(0)
    assert client.get(path).status_code == 200

    submit_all(client, booked, django_capture_on_commit_callbacks)
    drain()

    for session in booked.sessions.all():
        cards = scorecards_of(sandbox, ats, session)
        expected = {
            a.interviewer.ats_user_id: a.interviewer.name
            for a in session.attendees.filter(active=True).select_related("interviewer")
        }
        assert sorted(c.interviewer_id for c in cards) == sorted(expected)
        for card in cards:
            assert card.recommendation == "YES"
            assert card.application_id == booked.application.remote_id
            assert card.candidate_id == booked.application.candidate.remote_id
            assert [q.text for q in card.questions] == ["Problem solving", "Communication"]
            assert card.questions[0].answer == "3/4 (Meets the bar). Clear thinking"
            assert f"Notes from {expected[card.interviewer_id]}" in card.comment
        assert api.get_interview(ats.unified_id, session.ats_interview_id).status == "COMPLETE"
    assert set(FeedbackRequest.objects.values_list("ats_record", flat=True)) == {"scorecard"}


def test_exactly_one_scorecard_per_interviewer_under_injected_failures(
    acme, panel_plan, recruiter_client, client, recruiter, django_capture_on_commit_callbacks
):
    sandbox, ats = acme["sandbox"], acme["ats"]
    applications = new_applications(acme, ["FIRST_INTERVIEW", "SECOND_INTERVIEW", "SCREENING"])
    # One panel a day, each on a day cleared for it.
    days = free_days(acme, plan_people(panel_plan), len(applications))
    interviews = [
        book(recruiter_client, application, django_capture_on_commit_callbacks, day)
        for application, day in zip(applications, days, strict=True)
    ]
    sandbox.reset_stats()
    sandbox.set_faults(rate_429=0.15, rate_500=0.15, fail_after_write=0.3, retry_after=0)
    for interview in interviews:
        feedback.request_for(interview, now=interview.end_at + dt.timedelta(minutes=1))
        submit_all(client, interview, django_capture_on_commit_callbacks)
    for _ in range(60):
        Operation.objects.filter(status="pending").update(next_attempt_at=None)
        # What keeps failing is retried by hand, as a recruiter would from Sync problems.
        for failed in Operation.objects.filter(status="failed"):
            with django_capture_on_commit_callbacks(execute=False):
                outbox.retry(failed, recruiter)
        drain()
        if not Operation.objects.exclude(status__in=["done", "skipped"]).exists():
            break
    faults = sandbox.stats()["statuses"]
    sandbox.clear_faults()

    # The faults did happen (which ones depends on how many calls the outbox needed).
    assert sum(n for status, n in faults.items() if status != "200") >= 3, faults
    assert not Operation.objects.exclude(status__in=["done", "skipped"]).exists()
    assert set(FeedbackRequest.objects.values_list("ats_record", flat=True)) == {"scorecard"}
    api = sandbox_client(sandbox)
    for interview in interviews:
        for session in interview.sessions.all():
            cards = scorecards_of(sandbox, ats, session)
            people = [a.interviewer.ats_user_id for a in session.attendees.filter(active=True)]
            assert sorted(c.interviewer_id for c in cards) == sorted(people)  # one each
            assert {c.id for c in cards} == {
                r.ats_record_id for r in session.feedback_requests.all()
            }
            status = api.get_interview(ats.unified_id, session.ats_interview_id).status
            assert status == "COMPLETE"


@pytest.fixture
def globex(live_unified, tenant, django_capture_on_commit_callbacks):
    """The tenant's ATS is the sandbox's Lever-like one: no scorecards, no interview writes."""
    world = globex_world(tenant, live_unified, django_capture_on_commit_callbacks, calendar=False)
    return world["ats"]


def test_an_ats_without_scorecards_gets_the_feedback_as_a_note_shown_on_the_interview(
    globex, live_unified, tenant, client, recruiter_client, django_capture_on_commit_callbacks
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
    drain()  # no calendar; the ATS takes a note for the interview itself
    session = interview.sessions.get()
    assert session.ats_record == "activity"

    ask(interview)
    submit_all(client, interview, django_capture_on_commit_callbacks)
    drain()

    item = interview.feedback_requests.get()
    assert item.ats_record == "activity"
    globex.refresh_from_db()
    assert globex.capabilities.get("scorecard_write") is False
    notes = [
        a
        for a in sandbox_client(live_unified).list_activities(
            globex.unified_id, application_id=application.remote_id
        )
        if writeback.note_ref(item.pk) in (a.description or "")
    ]
    assert [n.id for n in notes] == [item.ats_record_id]
    assert notes[0].title == f"Interview feedback from {person.name}"
    assert "Recommendation: Yes." in notes[0].description
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert f"Notes from {person.name}" in page
    assert "Recorded as a note on the application in Lever:" in page


def test_demo_time_travel_ends_a_booked_interview_and_asks_for_feedback(
    acme, booked, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    mail.outbox.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False):
        call_command("demo_time_travel", interview=str(booked.pk), stdout=out)
    drain()

    booked.refresh_from_db()
    now = timezone.now()
    assert now - dt.timedelta(minutes=7) < booked.end_at < now
    api = sandbox_client(acme["sandbox"])
    for session in booked.sessions.all():
        event = api.get_event(acme["calendar"].unified_id, session.event_id)
        assert event.start_at == session.start_at
        ats = api.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.start_at == session.start_at and ats.status == "AWAITING_FEEDBACK"
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Your feedback on") for m in mail.outbox)
    printed = out.getvalue()
    for item in booked.feedback_requests.all():
        assert feedback.url_for(item) in printed


def test_demo_time_travel_is_refused_outside_debug(booked, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="demo only"):
        call_command("demo_time_travel", interview=str(booked.pk))
