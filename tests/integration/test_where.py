"""Issue 26, where and how, against the live sandbox: Convene asks each calendar what it can
do for meetings, the plan editor refuses a video an Outlook calendar cannot make, a Google
booking's Meet link reaches the candidate once (in the confirmation, or in a follow-up when
the calendar made it later), and an interviewer's own room link reaches the candidate's
email, the calendar file and the event in the sandbox calendar."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scheduling import connections, outbox, plans, where
from scheduling.models import (
    Connection,
    Interview,
    InterviewPlan,
    Operation,
    PlanSession,
)
from scheduling.unified.client import UnifiedClient
from tests import factories as f
from tests.live_world import drain, free_days, monday_of, new_application, slot_on

pytestmark = pytest.mark.sandbox

ROOM = "https://zoom.example/j/5550001234"


def api(sandbox):
    return UnifiedClient(sandbox.base_url, sandbox.token)


def ics_of(email):
    content = email.attachments[0][1]
    return content.decode() if isinstance(content, bytes) else content


@pytest.fixture
def outlook(live_unified, tenant):
    """The tenant's calendar is the sandbox's Outlook (Globex's): it refuses conferences."""
    conn = Connection.objects.create(
        tenant=tenant,
        category="calendar",
        integration_type="microsoftoutlook",
        integration_name="Microsoft Outlook",
        unified_id=live_unified.globex_calendar,
    )
    connections.refresh_calendars(conn)
    return conn


def plan_post(person, kind, detail=""):
    """The plan editor's form as a recruiter fills it: one hour with `person`."""
    return {
        "name": "Screen",
        "job": "",
        "stage_status": "",
        "order": "fixed",
        "break_minutes": "0",
        "location_kind": kind,
        "location_detail": detail,
        "location_notes": "",
        "agenda": "",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "minimum_notice_hours": "24",
        "horizon_days": "14",
        "slot_step_minutes": "15",
        "show_interviewer_names": "on",
        "scorecard": "",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "8",
        "sessions-0-title_template": "{job} screen",
        "sessions-0-duration_minutes": "60",
        "sessions-0-required": [str(person.pk)],
        "sessions-0-pool_k": "0",
    }


def probes_left(sandbox, conn):
    now = dt.datetime.now(dt.UTC)
    events = api(sandbox).list_events(
        conn.unified_id,
        calendar_id=conn.calendars[0]["id"],
        start_gte=now - dt.timedelta(days=3),
        end_lt=now,
    )
    return [e for e in events if e.subject == connections.PROBE_SUBJECT]


def test_outlook_is_asked_and_cannot_add_video_so_no_plan_may_promise_it(
    outlook, live_unified, tenant, recruiter, admin_client_
):
    assert connections.check_meetings(outlook) == where.CANNOT
    outlook.refresh_from_db()
    assert outlook.capabilities["conference"] is False
    assert probes_left(live_unified, outlook) == []  # it refused: nothing was created

    page = admin_client_.get(reverse("connection_detail", args=[outlook.pk]))
    assert "Microsoft Outlook cannot add video links: choose another kind of place" in (
        page.content.decode()
    )

    # The plan editor refuses a video the calendar cannot make, beside the field, and says
    # what to choose instead; nothing is saved.
    person = f.interviewer(
        tenant,
        "Ola Nordmann",
        calendar_connection=outlook,
        calendar_id=outlook.calendars[0]["id"],
    )
    response = admin_client_.post(reverse("plan_new"), plan_post(person, "video"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Microsoft Outlook cannot add video links to events" in text
    assert (
        "Choose each interviewer’s own meeting room, a fixed link, the office or a phone" in text
    )
    assert not InterviewPlan.objects.filter(tenant=tenant).exists()

    # Their own room: refused while they have none, saved once they do.
    response = admin_client_.post(reverse("plan_new"), plan_post(person, "room"))
    assert "Ola Nordmann has no meeting room link on their profile" in response.content.decode()
    person.meeting_room_url = ROOM
    person.save()
    response = admin_client_.post(reverse("plan_new"), plan_post(person, "room"))
    assert response.status_code == 302
    plan = InterviewPlan.objects.get(tenant=tenant)
    assert plans.plan_where(plan).pending == "The link comes with your confirmation."

    # The starter plan does not promise video either.
    plan.delete()
    person.meeting_room_url = ""
    person.save()
    starter = plans.create_starter_plan(tenant, recruiter)
    assert starter.plan.location_kind == where.PHONE
    assert "your calendar cannot add video links, so it is a phone call for now" in (
        starter.summary
    )


def test_google_is_asked_and_adds_meet_links_and_its_check_leaves_nothing(acme, admin_client_):
    calendar = acme["calendar"]
    assert connections.check_meetings(calendar) == "Google Meet"
    assert probes_left(acme["sandbox"], calendar) == []  # created, then removed at once
    page = admin_client_.get(reverse("connection_detail", args=[calendar.pk]))
    assert "Google Meet links are added to interviews." in page.content.decode()


@pytest.fixture
def one_hour(acme, tenant):
    """An hour with Maya, wherever the test says."""
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Screen", minimum_notice_hours=24, horizon_days=30
    )
    session = PlanSession.objects.create(
        plan=plan, position=0, title_template="{job} screen", duration_minutes=60
    )
    maya = next(p for p in acme["people"].values() if p.name.startswith("Maya"))
    session.required.add(maya)
    return plan, maya


def book(acme, recruiter_client, plan, person, capture):
    application = new_application(acme)
    day = free_days(acme, [person])[0]
    url = reverse("schedule", args=[application.pk])
    slot = slot_on(recruiter_client, url, day)
    return application, url, slot, monday_of(day)


def test_a_google_booking_gives_the_candidate_its_meet_link_once(
    acme, one_hour, recruiter, recruiter_client, django_capture_on_commit_callbacks
):
    plan, maya = one_hour
    calendar = acme["calendar"]
    connections.check_meetings(calendar)
    application, url, slot, week = book(
        acme, recruiter_client, plan, maya, django_capture_on_commit_callbacks
    )
    # The calendar needs reconnecting as the recruiter books: the event cannot be written
    # yet, and the confirmation goes without its link, saying when it comes.
    Connection.objects.filter(pk=calendar.pk).update(status="needs_reconnect")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(url, {"start": slot.start.isoformat(), "week": week.isoformat()})
    drain()
    interview = Interview.objects.get(application=application)
    session = interview.sessions.get()
    assert not session.event_id
    (confirmation,) = mail.outbox
    assert "Google Meet video call" in confirmation.body
    assert "The link comes by email as soon as the calendar creates it." in confirmation.body
    assert "meet.sandbox.test" not in confirmation.body

    # Reconnected, the event goes in with its Meet link, and the link follows by email.
    Connection.objects.filter(pk=calendar.pk).update(status="active")
    failed = Operation.objects.get(session=session, kind="event.create", status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry(failed, recruiter)
    drain()
    session.refresh_from_db()
    event = api(acme["sandbox"]).get_event(calendar.unified_id, session.event_id)
    link = event.conference[0].url
    assert link.startswith("https://meet.sandbox.test/") and session.meeting_url == link
    (follow_up,) = [m for m in mail.outbox if m.subject.startswith("The video link")]
    assert follow_up.to == [application.candidate.email]
    assert f"Join: {link}" in follow_up.body
    assert link in follow_up.alternatives[0].content

    # Never twice: the same link seen again (a webhook, the reconcile) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        outbox.add(
            interview.tenant, "email.send", interview=interview, payload={"kind": "meeting_link"}
        )
    drain()
    assert len([m for m in mail.outbox if m.subject.startswith("The video link")]) == 1
    # The candidate's page has it too.
    assert where.for_session(session, where.CANDIDATE).url == link


def test_a_google_booking_carries_its_meet_link_in_the_confirmation(
    acme, one_hour, recruiter_client, django_capture_on_commit_callbacks
):
    plan, maya = one_hour
    application, url, slot, week = book(
        acme, recruiter_client, plan, maya, django_capture_on_commit_callbacks
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(url, {"start": slot.start.isoformat(), "week": week.isoformat()})
    drain()
    session = Interview.objects.get(application=application).sessions.get()
    assert session.meeting_url.startswith("https://meet.sandbox.test/")
    (confirmation,) = mail.outbox
    assert f"Join: {session.meeting_url}" in confirmation.body
    assert f"LOCATION:{session.meeting_url}" in ics_of(confirmation)
    assert session.link_told == session.meeting_url
    # Learned from the answer: the connection now names its video.
    acme["calendar"].refresh_from_db()
    assert where.video_of(acme["calendar"]) == "Google Meet"


def test_an_interviewers_room_reaches_the_candidates_email_and_the_calendar_event(
    acme, one_hour, recruiter_client, django_capture_on_commit_callbacks
):
    plan, maya = one_hour
    plan.location_kind = where.ROOM
    plan.save()
    maya.meeting_room_url = ROOM
    maya.save()
    application, url, slot, week = book(
        acme, recruiter_client, plan, maya, django_capture_on_commit_callbacks
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(url, {"start": slot.start.isoformat(), "week": week.isoformat()})
    drain()
    interview = Interview.objects.get(application=application)
    session = interview.sessions.get()
    (confirmation,) = mail.outbox
    assert f"Video call in {maya.name}’s meeting room" in confirmation.body
    assert f"Join: {ROOM}" in confirmation.body
    assert f"LOCATION:{ROOM}" in ics_of(confirmation)
    client = api(acme["sandbox"])
    event = client.get_event(acme["calendar"].unified_id, session.event_id)
    assert event.location == ROOM
    assert not event.conference  # no Meet link besides the room
    ats = client.get_interview(acme["ats"].unified_id, session.ats_interview_id)
    assert ats.meeting_url == ROOM
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    assert f"Video call in {maya.name}’s meeting room" in page.content.decode()
    assert ROOM in page.content.decode()

    # The room changes (another host after a swap, or a new room): once the event is
    # rewritten, it and the candidate have the new link, once.
    new_room = "https://zoom.example/j/5550009999"
    maya.meeting_room_url = new_room
    maya.save()
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.add(interview.tenant, "event.update", interview=interview, session=session)
        drain()
    (follow_up,) = mail.outbox
    assert follow_up.subject.startswith("The video link")
    assert f"Join: {new_room}" in follow_up.body and ROOM not in follow_up.body
    assert client.get_event(acme["calendar"].unified_id, session.event_id).location == new_room
