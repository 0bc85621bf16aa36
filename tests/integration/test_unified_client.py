"""Convene's Unified client against the live sandbox over HTTP: the same calls it makes to
Unified, differing only in base URL and token."""

import contextlib
import datetime as dt
import json
import uuid

import pytest

from scheduling.unified import records, webhooks
from scheduling.unified.client import UnifiedClient
from scheduling.unified.errors import (
    NotFoundError,
    NotSupportedError,
    RetryableError,
    SignatureError,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture
def client(sandbox):
    # More retries than production: 30 % of calls fail here, several in a row now and then.
    return UnifiedClient(sandbox.base_url, sandbox.token, max_retries=8, backoff_base=0.01)


def some_calendar(client, sandbox):
    """Maya Chen's calendar: one of the seed's fixed people, whose Google calendar id is her
    address whatever the day."""
    return client.get_calendar(sandbox.acme_calendar, "maya.chen@acme.example")


def new_applications(client, sandbox, count, status="FIRST_INTERVIEW"):
    """`count` new applications in `status` in the Acme ATS, read back through the client."""
    made = [sandbox.create_application(sandbox.acme_ats, status=status) for _ in range(count)]
    return [client.get_application(sandbox.acme_ats, app["id"]) for _, app in made]


def create_once(create, look_up):
    """Create a record the way the outbox does. The client does not retry a POST whose
    answer was lost (a 5xx after sending): the record may exist, so look for it before
    trying again."""
    for _ in range(10):
        try:
            return create()
        except RetryableError:
            found = look_up()
            if found:
                assert len(found) == 1, found
                return found[0]
    raise AssertionError("could not create the record")


def create_event_once(client, cid, event, marker):
    def look_up():
        window = dict(
            calendar_id=event.calendar_id,
            start_gte=event.start_at - dt.timedelta(days=1),
            end_lt=event.end_at + dt.timedelta(days=1),
        )
        return [e for e in client.list_events(cid, **window) if marker in (e.notes or "")]

    return create_once(lambda: client.create_event(cid, event), look_up)


def create_interview_once(client, cid, interview):
    def look_up():
        listed = client.list_interviews(cid, application_id=interview.application_id)
        return [i for i in listed if i.external_event_xref == interview.external_event_xref]

    return create_once(lambda: client.create_interview(cid, interview), look_up)


def remove_once(remove):
    """A DELETE that landed but lost its answer is retried and then answers 404: gone
    either way, as the outbox treats it."""
    with contextlib.suppress(NotFoundError):
        remove()


def test_lists_page_through_every_record(client, sandbox):
    everyone = list(client.list_candidates(sandbox.acme_ats))
    paged = list(client.list_candidates(sandbox.acme_ats, limit=7))
    assert len(everyone) > 7 * 3
    assert [c.id for c in paged] == [c.id for c in everyone]
    assert all(isinstance(c, records.Candidate) for c in paged)
    applications = list(client.list_applications(sandbox.acme_ats, limit=10))
    statuses = {a.status for a in applications}
    assert {"SCREENING", "FIRST_INTERVIEW", "HIRED", "REJECTED"} <= statuses


def test_events_are_created_read_updated_and_removed(client, sandbox):
    calendar = some_calendar(client, sandbox)
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=9), dt.time(15), dt.UTC)
    marker = f"convene-test:{uuid.uuid4()}"
    created = client.create_event(
        sandbox.acme_calendar,
        records.Event(
            calendar_id=calendar.id,
            subject="Interview: Ada",
            notes=marker,
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            attendees=(records.Attendee(email="ada@candidates.example", required=True),),
            has_conference=True,
        ),
    )
    assert created.id and created.conference and created.conference[0].url

    read = client.get_event(sandbox.acme_calendar, created.id)
    assert read.subject == "Interview: Ada" and read.start_at == start

    moved = client.update_event(
        sandbox.acme_calendar,
        created.id,
        records.Event(
            subject="Interview: Ada (moved)",
            start_at=start + dt.timedelta(hours=2),
            end_at=start + dt.timedelta(hours=3),
        ),
    )
    assert moved.subject == "Interview: Ada (moved)"
    assert client.get_event(sandbox.acme_calendar, created.id).start_at == start + dt.timedelta(
        hours=2
    )
    busy = client.list_busy(
        sandbox.acme_calendar,
        calendar_id=calendar.id,
        start_gte=start,
        end_lt=start + dt.timedelta(hours=4),
    )
    assert any(b.start_at <= start + dt.timedelta(hours=2) < b.end_at for b in busy)

    client.remove_event(sandbox.acme_calendar, created.id)
    with pytest.raises(NotFoundError):
        client.get_event(sandbox.acme_calendar, created.id)


def test_interviews_are_created_updated_and_removed(client, sandbox):
    (application,) = new_applications(client, sandbox, 1)
    employees = list(client.list_employees(sandbox.acme_ats))
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=8), dt.time(14), dt.UTC)
    created = client.create_interview(
        sandbox.acme_ats,
        records.Interview(
            application_id=application.id,
            candidate_id=application.candidate_id,
            job_id=application.job_id,
            status="SCHEDULED",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            user_ids=(employees[0].id,),
            external_event_xref="ev-123",
        ),
    )
    listed = list(client.list_interviews(sandbox.acme_ats, application_id=application.id))
    assert created.id in [i.id for i in listed]
    updated = client.update_interview(
        sandbox.acme_ats, created.id, records.Interview(status="CANCELED")
    )
    assert updated.status == "CANCELED" and updated.external_event_xref == "ev-123"
    client.remove_interview(sandbox.acme_ats, created.id)
    with pytest.raises(NotFoundError):
        client.get_interview(sandbox.acme_ats, created.id)


def test_a_vendor_that_takes_no_interviews_says_so(client, sandbox):
    application = next(iter(client.list_applications(sandbox.globex_ats)))
    with pytest.raises(NotSupportedError):
        client.create_interview(
            sandbox.globex_ats, records.Interview(application_id=application.id)
        )


def test_everything_still_works_with_30_percent_429_and_500(client, sandbox):
    applications = new_applications(client, sandbox, 3)  # made before the faults start
    sandbox.set_faults(rate_429=0.15, rate_500=0.15, retry_after=0, fail_after_write=0.1)
    everyone = list(client.list_candidates(sandbox.acme_ats, limit=10))
    assert len(everyone) >= 80

    # Calendar events: create, update, remove one, list across pages.
    calendar = some_calendar(client, sandbox)
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=10), dt.time(16), dt.UTC)
    markers = [f"convene-test:{uuid.uuid4()}" for _ in range(5)]
    created = [
        create_event_once(
            client,
            sandbox.acme_calendar,
            records.Event(
                calendar_id=calendar.id,
                subject=f"Faulty {n}",
                notes=marker,
                start_at=start + dt.timedelta(hours=n),
                end_at=start + dt.timedelta(hours=n, minutes=30),
            ),
            marker,
        )
        for n, marker in enumerate(markers)
    ]
    for event in created:
        client.update_event(sandbox.acme_calendar, event.id, records.Event(subject="Renamed"))
    remove_once(lambda: client.remove_event(sandbox.acme_calendar, created[0].id))
    window = dict(
        calendar_id=calendar.id,
        start_gte=start - dt.timedelta(days=1),
        end_lt=start + dt.timedelta(days=1),
    )
    events = list(client.list_events(sandbox.acme_calendar, limit=2, **window))

    # ATS interviews: create, update, remove one, list across pages.
    employee = next(iter(client.list_employees(sandbox.acme_ats)))
    interviews = [
        create_interview_once(
            client,
            sandbox.acme_ats,
            records.Interview(
                application_id=application.id,
                candidate_id=application.candidate_id,
                job_id=application.job_id,
                status="SCHEDULED",
                start_at=start + dt.timedelta(days=1, hours=n),
                end_at=start + dt.timedelta(days=1, hours=n + 1),
                user_ids=(employee.id,),
                external_event_xref=marker,
            ),
        )
        for n, (application, marker) in enumerate(zip(applications, markers, strict=False))
    ]
    for interview in interviews:
        client.update_interview(
            sandbox.acme_ats, interview.id, records.Interview(location="Room 4")
        )
    remove_once(lambda: client.remove_interview(sandbox.acme_ats, interviews[0].id))
    listed = list(client.list_interviews(sandbox.acme_ats, limit=3))
    stats = sandbox.stats()
    sandbox.clear_faults()

    # The faults really happened: without them this test would prove nothing.
    assert stats["statuses"].get("429", 0) >= 1, stats["statuses"]
    assert stats["statuses"].get("500", 0) >= 1, stats["statuses"]
    # Exactly one event per marker, the removed one gone: a lost answer never became a
    # second event, and every page was read.
    ours = [e for e in events if any(m in (e.notes or "") for m in markers)]
    assert sorted(e.notes for e in ours) == sorted(markers[1:])
    assert {e.subject for e in ours} == {"Renamed"}
    with pytest.raises(NotFoundError):
        client.get_event(sandbox.acme_calendar, created[0].id)
    # Likewise one interview per application, updated, the removed one gone.
    mine = [i for i in listed if i.external_event_xref in markers]
    assert sorted(i.id for i in mine) == sorted(i.id for i in interviews[1:])
    assert {i.location for i in mine} == {"Room 4"}
    with pytest.raises(NotFoundError):
        client.get_interview(sandbox.acme_ats, interviews[0].id)


def test_a_signed_webhook_from_the_sandbox_verifies_and_a_tampered_one_does_not(
    client, sandbox, receiver
):
    # An event of the test's own, made before anyone listens: the one change delivered is
    # the move.
    calendar = some_calendar(client, sandbox)
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=9), dt.time(15), dt.UTC)
    made = sandbox.create_event(sandbox.acme_calendar, calendar.id, start, subject="Design review")
    event = client.get_event(sandbox.acme_calendar, made["id"])
    assert event.start_at == start
    client.create_webhook(
        records.Webhook(
            connection_id=sandbox.acme_calendar,
            object_type="calendar_event",
            event="updated",
            hook_url=receiver.url,
        )
    )
    sandbox.move_event(
        sandbox.acme_calendar, event.id, (event.start_at + dt.timedelta(hours=1)).isoformat()
    )
    raw = receiver.wait_for(1)[0] and receiver.raw[0]

    delivery = webhooks.verify_delivery(raw, sandbox.webhook_secret)
    assert delivery.object_type == "calendar_event" and delivery.event == "updated"
    assert delivery.records[0].id == event.id
    assert delivery.records[0].start_at == event.start_at + dt.timedelta(hours=1)

    body = json.loads(raw)
    body["data"][0]["start_at"] = "2030-01-01T00:00:00Z"
    with pytest.raises(SignatureError):
        webhooks.verify_delivery(json.dumps(body).encode(), sandbox.webhook_secret)
    with pytest.raises(SignatureError):
        webhooks.verify_delivery(raw, "not-the-workspace-secret")
