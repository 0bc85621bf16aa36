"""Autopilot's follow-through, as candidates and recruiters meet it: an entry whose link
autopilot sent becomes BOOKED when the candidate books (the feed says "Booked: Thursday
09:00"), goes back to the recruiter after two reminders and no answer, or when the candidate
says none of the times work and sends their own; a candidate's cancellation waits for them
again. After an autopilot booking, feedback requests and the debrief run as for any other.

Ivy (New York, 09:00–17:00, no calendar) interviews; it is Tuesday 1 December 2026, 10:00
in New York (the team's zone); each test makes the entry autopilot sent."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from candidates import autopilot, autopilot_follow, availability, links
from candidates.models import (
    Application,
    AutopilotEvent,
    AvailabilityRequest,
    BookingLink,
    StageEntry,
)
from scheduling import booking, feedback
from scheduling.models import Debrief, FeedbackRequest, InterviewPlan
from tests.candidates.links_helpers import NOW, make_link, url

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def sent(frozen, tenant, application, plan):
    """The entry autopilot made when Grace entered the stage an hour ago, and the link it
    sent her (no recruiter: autopilot sent it)."""
    plan.autopilot = InterviewPlan.Autopilot.LINK
    plan.save()
    link = make_link(application, plan, None)
    BookingLink.objects.filter(pk=link.pk).update(sent_at=NOW)
    link.refresh_from_db()
    entry = StageEntry.objects.create(
        tenant=tenant,
        application=application,
        plan=plan,
        entered_at=NOW - HOUR,
        due_at=NOW,
        action=InterviewPlan.Autopilot.LINK,
        state=StageEntry.State.SENT,
        link=link,
        sent_at=NOW,
    )
    return entry


def lines(entry):
    return list(
        AutopilotEvent.objects.filter(entry=entry).order_by("at", "pk").values_list("kind", "text")
    )


def confirm(client, link, start, tz="America/New_York"):
    values = {"start": start, "tz": tz, "version": link.version, "action": "book"}
    return client.post(url("confirm", link), values)


def test_the_candidate_booking_through_the_link_books_the_entry(client, sent):
    response = confirm(client, sent.link, "20261203T1400Z", "Europe/Paris")
    assert response.status_code == 302

    sent.refresh_from_db()
    assert sent.state == StageEntry.State.BOOKED
    assert sent.booked_at == NOW
    assert sent.interview.start_at == dt.datetime(2026, 12, 3, 14, tzinfo=dt.UTC)
    # On the team's clock (New York), in words.
    assert lines(sent) == [("booked", "Booked: Thursday 09:00")]


def test_a_booking_of_another_plan_leaves_the_entry_waiting(client, sent, tenant, application):
    other = InterviewPlan.objects.create(
        tenant=tenant, name="Other", stage_status="SECOND_INTERVIEW"
    )
    autopilot_follow.interview_booked(
        interview=type("I", (), {"plan_id": other.pk, "application_id": application.pk})()
    )
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.SENT and lines(sent) == []


def test_no_answer_after_two_reminders_goes_back_to_the_recruiters_queue(
    frozen, sent, tenant, send_now
):
    assert tenant.link_reminder_hours == 48
    frozen.move_to(NOW + 48 * HOUR)
    assert send_now(links.send_reminders, tenant) == 1
    frozen.move_to(NOW + 72 * HOUR)
    assert send_now(links.send_reminders, tenant) == 1
    sent.link.refresh_from_db()
    assert sent.link.reminders_sent == 2

    # 47 hours after the last reminder: still waiting, each reminder a line of the feed.
    frozen.move_to(NOW + (72 + 47) * HOUR)
    assert autopilot_follow.follow_up(tenant) == 0
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.SENT
    assert autopilot_follow.waiting_for(sent) == "Waiting for an answer: 4 days"
    assert [kind for kind, _text in lines(sent)] == ["waiting", "waiting"]
    assert lines(sent)[1][1] == "Reminded Grace Hopper of the booking link (2 of 2)"

    frozen.move_to(NOW + (72 + 48) * HOUR)
    assert autopilot_follow.follow_up(tenant) == 1
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.RETURNED
    assert sent.reason == "No answer after 2 reminders"
    assert lines(sent)[-1] == ("returned", "Back with you: no answer after 2 reminders")
    # Once is enough: the next turn adds nothing.
    assert autopilot_follow.follow_up(tenant) == 0
    assert len(lines(sent)) == 3


def test_a_link_that_expires_unused_goes_back_to_the_recruiter(frozen, sent, tenant):
    frozen.move_to(sent.link.expires_at + HOUR)
    assert autopilot_follow.follow_up(tenant) == 1
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.RETURNED
    assert sent.reason == "The booking link expired with no booking"


def test_a_closed_application_stops_the_entry_without_asking_anyone(frozen, sent, tenant):
    Application.objects.filter(pk=sent.application_id).update(status="REJECTED")
    assert autopilot_follow.follow_up(tenant) == 1
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.SKIPPED
    assert lines(sent) == [("skipped", "Stopped: the application was closed")]


def test_none_of_these_work_returns_the_entry_for_the_recruiters_one_click_booking(
    client, recruiter_client, sent, frozen
):
    # From the booking page's "None of these work?": the form for their times, on its link.
    page = client.get(url("page", sent.link), {"tz": "America/New_York"})
    assert reverse("availability_page", args=[links.token_for(sent.link)]) in page.content.decode()
    response = client.post(
        reverse("availability_page", args=[links.token_for(sent.link)]) + "?tz=America/New_York",
        {"day": ["2026-12-08"], "start": ["09:00"], "end": ["12:00"], "note": ""},
    )
    assert response.status_code == 302

    sent.refresh_from_db()
    assert sent.state == StageEntry.State.RETURNED
    assert sent.reason == autopilot_follow.TIMES_RECEIVED
    assert lines(sent)[-1] == (
        "returned",
        "Grace Hopper said none of the times work and sent the times they can do: "
        "book inside them",
    )
    asked = AvailabilityRequest.objects.get(link=sent.link)
    # The feed offers the recruiter's one click.
    feed = recruiter_client.get(reverse("autopilot_feed"), {"action": "on"})
    book_url = reverse("availability_book", args=[sent.application_id, asked.pk])
    assert book_url in feed.content.decode()

    # The recruiter books inside the times: the entry is booked.
    frozen.move_to(NOW + HOUR)
    found = availability.offer(asked)
    ranked, _single = availability.best(found)
    interview = availability.book(asked, found.choice_for(ranked[0], sent.application), user=None)
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.BOOKED and sent.interview == interview
    assert lines(sent)[-1][0] == "booked"


def test_the_candidates_cancellation_waits_for_them_again(client, sent, frozen):
    confirm(client, sent.link, "20261207T1500Z")
    sent.link.refresh_from_db()
    frozen.move_to(NOW + HOUR)
    reopened = links.cancel(sent.link, version=sent.link.version, reason="")
    assert reopened

    sent.refresh_from_db()
    assert sent.state == StageEntry.State.SENT and sent.interview is None
    assert lines(sent)[-1] == (
        "waiting",
        "Grace Hopper canceled: their booking link is open again",
    )
    # They book again: booked again.
    frozen.move_to(NOW + 2 * HOUR)
    sent.link.refresh_from_db()
    confirm(client, sent.link, "20261208T1500Z")
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.BOOKED
    assert lines(sent)[-1] == ("booked", "Booked: Tuesday 8 December, 10:00")


def test_after_an_autopilot_booking_feedback_and_the_debrief_run_as_for_any_other(
    client, sent, plan, frozen, tenant, send_now
):
    plan.debrief = True
    plan.save()
    confirm(client, sent.link, "20261203T1400Z")
    sent.refresh_from_db()
    interview = sent.interview
    assert sent.state == StageEntry.State.BOOKED
    # The debrief the plan asks for exists, waiting for its time.
    assert Debrief.objects.filter(interview=interview).exists()

    # After the interview, Ivy is asked for her feedback.
    frozen.move_to(interview.end_at + dt.timedelta(minutes=10))
    send_now(feedback.run_due, tenant)
    request = FeedbackRequest.objects.get(session__interview=interview)
    assert request.interviewer.name == "Ivy Chen"


def test_the_whole_loop_entered_sent_reminded_twice_and_back_in_the_queue_once(
    frozen, recruiter_client, tenant, application, plan, send_now
):
    """From the stage entry to the recruiter's queue through autopilot's own jobs: one
    link, one first email, two reminders, one line back with the recruiter."""
    plan.stage_status = application.status
    plan.autopilot = InterviewPlan.Autopilot.LINK
    plan.autopilot_delay_minutes = 60
    plan.autopilot_reasonable_hours = False
    plan.save()
    Application.objects.filter(pk=application.pk).update(stage_entered_at=NOW)
    application.refresh_from_db()
    entry = autopilot.stage_entered(application)
    assert entry.state == StageEntry.State.WAITING

    frozen.move_to(NOW + 61 * dt.timedelta(minutes=1))
    send_now(autopilot.run_due, tenant)
    send_now(autopilot.run_due, tenant)  # a second turn sends nothing more
    entry.refresh_from_db()
    assert entry.state == StageEntry.State.SENT
    assert BookingLink.objects.filter(application=application).count() == 1
    for hours in (50, 74):
        frozen.move_to(NOW + hours * HOUR)
        send_now(links.send_reminders, tenant)
        send_now(autopilot_follow.follow_up, tenant)
    frozen.move_to(NOW + (74 + 48) * HOUR)
    send_now(autopilot_follow.follow_up, tenant)
    send_now(autopilot_follow.follow_up, tenant)

    entry.refresh_from_db()
    assert entry.state == StageEntry.State.RETURNED
    subjects = [m.subject for m in mail.outbox if m.to == [application.candidate.email]]
    assert len(subjects) == 3
    assert sum(s.startswith("Reminder:") for s in subjects) == 2
    assert [kind for kind, _ in lines(entry)] == [
        "entered",
        "sent_link",
        "waiting",
        "waiting",
        "returned",
    ]
    feed = recruiter_client.get(reverse("autopilot_feed"), {"action": "on"})
    page = feed.content.decode()
    assert "Back with you: no answer after 2 reminders" in page
    assert reverse("schedule", args=[application.pk]) in page


def test_a_recruiters_cancellation_returns_the_entry_unless_the_application_closed(
    client, sent, recruiter, frozen
):
    confirm(client, sent.link, "20261207T1500Z")
    sent.refresh_from_db()
    frozen.move_to(NOW + HOUR)
    booking.cancel(sent.interview, reason="An interviewer can't make it", user=recruiter)
    sent.refresh_from_db()
    assert sent.state == StageEntry.State.RETURNED
    assert lines(sent)[-1] == ("returned", "Back with you: the interview was canceled")
