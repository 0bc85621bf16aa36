"""Issue 8 against the live sandbox and a live Convene: a change made in the sandbox's
calendar reaches Convene by a signed webhook within seconds, and the reconcile catches the
same change when no webhook comes."""

import datetime as dt
import time

import pytest
from django.core import mail

from scheduling import connections, webhooks
from scheduling.models import Interview, WebhookDelivery
from scheduling.unified.client import UnifiedClient
from scheduling.unified.errors import NotFoundError
from tests.live_world import drain, monday_of, new_application, settled, slot_on, wait_until

pytestmark = pytest.mark.sandbox


def book_one(acme, recruiter_client, application, day):
    """The application's panel booked on `day`, a day the test cleared for the panel."""
    from django.urls import reverse

    url = reverse("schedule", args=[application.pk])
    slot = slot_on(recruiter_client, url, day)
    week = monday_of(day).isoformat()
    recruiter_client.post(url, {"start": slot.start.isoformat(), "week": week})
    drain()
    interview = Interview.objects.get(application=application)
    assert all(s.event_id for s in interview.sessions.all())
    return interview


@pytest.fixture
def application(acme):
    return new_application(acme)


@pytest.fixture
def followed(acme, application, panel_day, settings, live_server):
    """Convene served live, its webhooks registered with the sandbox once the test's world is
    made (its application, the panel's cleared day): what Convene follows starts with the
    booking."""
    settings.SITE_URL = live_server.url
    for conn in (acme["ats"], acme["calendar"]):
        assert connections.register_webhooks(conn) == len(connections.SUBSCRIPTIONS[conn.category])
    # Registering twice creates nothing new.
    assert connections.register_webhooks(acme["calendar"]) == 0
    return acme


@pytest.mark.django_db(transaction=True)
def test_moving_the_event_in_the_sandbox_moves_the_interview_and_the_ats_within_seconds(
    followed, panel_plan, application, panel_day, recruiter_client
):
    acme = followed
    interview = book_one(acme, recruiter_client, application, panel_day)
    # The last session half an hour later: a longer break, and the loop still fits together.
    session = interview.sessions.order_by("start_at").last()
    new_start = session.start_at + dt.timedelta(minutes=30)
    mail.outbox.clear()
    started = time.monotonic()
    acme["sandbox"].move_event(
        acme["calendar"].unified_id, session.event_id, new_start.isoformat()
    )

    assert wait_until(lambda: interview.sessions.get(pk=session.pk).start_at == new_start)
    followed_in = time.monotonic() - started
    settled()
    drain()
    client = UnifiedClient(acme["sandbox"].base_url, acme["sandbox"].token)
    ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
    assert ats.start_at == new_start
    assert any("New time" in m.subject for m in mail.outbox)
    assert WebhookDelivery.objects.filter(object_type="calendar_event", status="processed")
    assert followed_in < 10


@pytest.mark.django_db(transaction=True)
def test_deleting_the_event_in_the_sandbox_cancels_and_emails_the_candidate(
    followed, panel_plan, application, panel_day, recruiter_client
):
    acme = followed
    interview = book_one(acme, recruiter_client, application, panel_day)
    session = interview.sessions.order_by("position").first()
    mail.outbox.clear()
    acme["sandbox"].delete_event(acme["calendar"].unified_id, session.event_id)

    assert wait_until(lambda: Interview.objects.get(pk=interview.pk).status == "canceled")
    settled()
    drain()
    client = UnifiedClient(acme["sandbox"].base_url, acme["sandbox"].token)
    for other in interview.sessions.all():
        ats = client.get_interview(acme["ats"].unified_id, other.ats_interview_id)
        assert ats.status == "CANCELED"
        if other.event_id:
            with pytest.raises(NotFoundError):
                client.get_event(acme["calendar"].unified_id, other.event_id)
    candidate_email = interview.application.candidate.email
    assert any(candidate_email in m.to and "canceled" in m.subject for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_the_reconcile_catches_a_move_and_a_deletion_that_no_webhook_announced(
    acme, panel_plan, application, panel_day, recruiter_client
):
    interview = book_one(acme, recruiter_client, application, panel_day)
    sessions = list(interview.sessions.order_by("position"))
    moved_to = sessions[0].start_at + dt.timedelta(minutes=45)
    acme["sandbox"].move_event(
        acme["calendar"].unified_id, sessions[0].event_id, moved_to.isoformat()
    )

    lines = webhooks.reconcile()
    assert any("moved in the calendar" in line for line in lines)
    assert interview.sessions.get(pk=sessions[0].pk).start_at == moved_to

    acme["sandbox"].delete_event(acme["calendar"].unified_id, sessions[0].event_id)
    webhooks.reconcile()
    assert Interview.objects.get(pk=interview.pk).status == "canceled"
