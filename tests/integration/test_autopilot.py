"""Autopilot against the live sandbox: an application moved into a stage in the sandbox ATS
(by its own API) reaches Convene by a sync or a signed webhook, and the booking link's email
goes out only after the plan's delay (the tests' clock moved past it); each guardrail keeps
it from going; the queue's one click sends it."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates import autopilot, autopilot_follow, links
from candidates.models import Application, BookingLink, StageEntry
from scheduling import connections
from scheduling.models import InterviewPlan
from tests.live_world import drain, new_application, new_applications, settled, sync, wait_until

pytestmark = pytest.mark.sandbox

Rule = InterviewPlan.Autopilot
State = StageEntry.State


@pytest.fixture
def onsite(acme, tenant):
    """Autopilot sends the booking link an hour after an application enters any second
    interview stage, at any hour (the candidates' hours are the unit tests')."""
    return InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        stage_status="SECOND_INTERVIEW",
        autopilot=Rule.LINK,
        autopilot_delay_minutes=60,
        autopilot_reasonable_hours=False,
    )


def move_in_ats(acme, application, status="SECOND_INTERVIEW"):
    """Move the application in the sandbox ATS (its recruiter's doing, not Convene's)."""
    return acme["sandbox"].set_application_status(
        acme["ats"].unified_id, application.remote_id, status=status
    )


def entry_of(application):
    return StageEntry.objects.filter(application=application).order_by("-entered_at").first()


def emails_to(address):
    return [m for m in mail.outbox if address in m.to]


def after(minutes):
    """The tests' clock moved `minutes` ahead (ticking), as if that time had passed."""
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=True)


def test_a_move_by_sync_sends_the_link_after_the_delay(acme, onsite):
    application = new_application(acme, "FIRST_INTERVIEW")
    assert not StageEntry.objects.exists()  # no plan acts on the first interview stage
    move_in_ats(acme, application)
    sync(acme)
    entry = entry_of(application)
    assert entry is not None and entry.state == State.WAITING
    application.refresh_from_db()
    assert entry.entered_at == application.stage_entered_at
    assert entry.due_at == entry.entered_at + dt.timedelta(minutes=60)
    address = application.candidate.email

    with after(30):
        assert autopilot.run_due() == 0
        drain()
    assert emails_to(address) == []

    with after(61):
        assert autopilot.run_due() == 1
        assert autopilot.run_due() == 0  # the next turn finds it sent
        drain()
    (email,) = emails_to(address)
    link = BookingLink.objects.get(application=application)
    assert links.url_for(link) in email.body and link.plan == onsite
    entry.refresh_from_db()
    assert entry.state == State.SENT and entry.link == link
    # A sync that brings nothing new makes no second entry.
    sync(acme)
    assert StageEntry.objects.filter(application=application).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_move_by_webhook_sends_the_link_after_the_delay(acme, onsite, settings, live_server):
    application = new_application(acme, "FIRST_INTERVIEW")
    settings.SITE_URL = live_server.url
    connections.register_webhooks(acme["ats"])
    move_in_ats(acme, application)
    assert wait_until(lambda: entry_of(application) is not None), "no webhook moved it"
    settled()
    entry = entry_of(application)
    assert entry.state == State.WAITING
    with after(61):
        assert autopilot.run_due() == 1
        drain()
    (email,) = emails_to(application.candidate.email)
    assert links.url_for(BookingLink.objects.get(application=application)) in email.body


def test_each_guardrail_keeps_the_link_from_going(acme, onsite, recruiter):
    sent, left, closed, has_link = new_applications(acme, ["FIRST_INTERVIEW"] * 4)
    no_email = new_application(acme, "FIRST_INTERVIEW", email="")
    moved = [sent, left, closed, has_link, no_email]
    for application in moved:
        move_in_ats(acme, application)
    sync(acme)
    assert all(entry_of(a).state == State.WAITING for a in moved)
    # Within the hour: one moved back (a mistake undone), one rejected, one sent a link by a
    # recruiter; one has no address in the ATS at all.
    move_in_ats(acme, left, "FIRST_INTERVIEW")
    move_in_ats(acme, closed, "REJECTED")
    sync(acme)
    has_link = Application.objects.select_related("candidate", "tenant").get(pk=has_link.pk)
    first, last = links.default_window(onsite, has_link.tenant)
    links.send_links(
        [has_link],
        plan=onsite,
        user=recruiter,
        window_start=first,
        window_end=last,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    drain()
    mail.outbox.clear()

    with after(61):
        assert autopilot.run_due() == 1
        drain()
    assert [m.to for m in mail.outbox] == [[sent.candidate.email]]
    reasons = {a.candidate.name: entry_of(a).reason for a in (left, closed, has_link, no_email)}
    assert reasons[left.candidate.name].endswith("left the stage before it was sent")
    assert "closed" in reasons[closed.candidate.name]
    has_link_reason = reasons[has_link.candidate.name]
    assert "already has an open booking link for the “Onsite” plan" in has_link_reason
    assert "has no email address in the ATS" in reasons[no_email.candidate.name]
    assert all(entry_of(a).state == State.SKIPPED for a in (left, closed, has_link, no_email))
    # The first entry of the one moved back stays not sent; moving it in again is a new
    # entry, sent after its own hour.
    move_in_ats(acme, left)
    sync(acme)
    assert StageEntry.objects.filter(application=left).count() == 2
    with after(125):
        assert autopilot.run_due() == 1
        drain()
    assert len(emails_to(left.candidate.email)) == 1


def test_the_queues_one_click_sends_the_link(acme, onsite, recruiter_client, recruiter):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    application = new_application(acme, "FIRST_INTERVIEW")
    move_in_ats(acme, application)
    sync(acme)
    entry = entry_of(application)
    assert entry.state == State.QUEUED
    assert autopilot.run_due() == 0  # nothing goes by itself
    page = recruiter_client.get(reverse("pipeline")).content.decode()
    assert "ready to send" in page and application.candidate.name in page
    response = recruiter_client.post(
        reverse("autopilot_send", args=[entry.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert f"Sent {application.candidate.name} a booking link" in response.content.decode()
    drain()
    (email,) = emails_to(application.candidate.email)
    link = BookingLink.objects.get(application=application)
    assert link.created_by == recruiter and links.url_for(link) in email.body


def test_no_answer_after_two_reminders_comes_back_to_the_recruiter(acme, onsite, recruiter_client):
    """The follow-through on the live sandbox: the link autopilot sent is reminded twice by
    email; no booking two days after the second, and the application is back with the
    recruiter on the Pipeline and in the Autopilot feed, saying why."""
    application = new_application(acme, "FIRST_INTERVIEW")
    move_in_ats(acme, application)
    sync(acme)
    entry = entry_of(application)
    address = application.candidate.email
    hours = application.tenant.link_reminder_hours
    with after(61):
        assert autopilot.run_due() == 1
        drain()
    with after(61 + hours * 60):
        assert links.send_reminders() == 1
        drain()
    with after(61 + 2 * hours * 60):
        assert links.send_reminders() == 1
        drain()
        assert autopilot_follow.follow_up() == 0  # still waiting for an answer
    assert len(emails_to(address)) == 3  # the link and its two reminders
    with after(61 + 3 * hours * 60 + 5):
        assert autopilot_follow.follow_up() == 1
        entry.refresh_from_db()
        assert entry.state == State.RETURNED and entry.reason == "No answer after 2 reminders"
        pipeline = recruiter_client.get(reverse("pipeline")).content.decode()
        feed = recruiter_client.get(reverse("autopilot_feed")).content.decode()
    assert "Back with you" in pipeline and application.candidate.name in pipeline
    assert "Back with you: no answer after 2 reminders" in feed
    assert reverse("candidate_detail", args=[application.candidate_id]) in feed
    assert len(emails_to(address)) == 3  # nothing more is sent to the candidate
