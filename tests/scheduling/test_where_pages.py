"""Where and how on the team's pages: an interviewer keeps their own meeting room link, the
plan editor warns of what will happen instead when a room is missing, the calendar's page says
what it can do for video, and only an admin may ask it again."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scheduling import booking, emails, slots
from scheduling.models import Interviewer, InterviewPlan, Membership
from tests import factories as f
from tests.conftest import make_member
from tests.scheduling.test_plans import post_data

pytestmark = pytest.mark.django_db

ROOM = "https://zoom.example/j/5550001234"


def google(tenant):
    return f.connection(
        tenant,
        category="calendar",
        integration_type="googlecalendar",
        integration_name="Google Calendar",
        capabilities={"conference": True, "conference_label": "Google Meet"},
    )


@pytest.fixture
def me(tenant, client):
    user = make_member(tenant, "ivy@acme.example", Membership.Role.INTERVIEWER)
    person = f.interviewer(tenant, "Ivy Chen", email="ivy@acme.example", user=user)
    client.force_login(user)
    return person


def test_an_interviewer_keeps_their_own_meeting_room_link_on_their_profile(client, me):
    page = client.get(reverse("profile"))
    assert "Your meeting room link" in page.content.decode()
    for bad, error in (
        ("http://zoom.example/j/1", "A meeting room link starts with https://."),
        ("javascript:alert(1)", "Paste the whole link, starting with https://."),
        ("zoom me", "Paste the whole link, starting with https://."),
    ):
        refused = client.post(reverse("profile"), {"meeting_room": "1", "meeting_room_url": bad})
        assert refused.status_code == 400
        assert error in refused.content.decode()
    me.refresh_from_db()
    assert me.meeting_room_url == ""
    saved = client.post(reverse("profile"), {"meeting_room": "1", "meeting_room_url": ROOM})
    assert saved.status_code == 302
    me.refresh_from_db()
    assert me.meeting_room_url == ROOM
    # Even when an admin set their hours: the room is theirs.
    Interviewer.objects.filter(pk=me.pk).update(
        lock_timezone=True, lock_hours=True, lock_days_off=True, lock_caps=True
    )
    saved = client.post(reverse("profile"), {"meeting_room": "1", "meeting_room_url": ""})
    assert saved.status_code == 302
    me.refresh_from_db()
    assert me.meeting_room_url == ""


@pytest.fixture
def people(tenant):
    cal = google(tenant)
    return [
        f.interviewer(tenant, name, calendar_connection=cal, calendar_id=f"{name[:2]}@acme.test")
        for name in ("Ann Lee", "Bo Kim", "Cy Diaz", "Di Roy")
    ]


def test_a_room_some_lack_saves_and_says_the_calendars_video_is_used_for_them(
    recruiter_client, tenant, people
):
    for person in people[1:]:
        person.meeting_room_url = ROOM
        person.save()
    data = post_data(people, location_kind="room")
    preview = recruiter_client.post(
        reverse("plan_new"), data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="plan-preview"
    )
    html = preview.content.decode()
    assert (
        "Ann Lee has no meeting room link on their profile: when they host, Google Meet "
        "from the calendar is used instead." in html
    )
    assert "The candidate reads: “Video call. The link comes with your confirmation.”" not in html
    saved = recruiter_client.post(reverse("plan_new"), data)
    assert saved.status_code == 302
    assert InterviewPlan.objects.get(tenant=tenant).location_kind == "room"


def test_a_video_plan_on_google_tells_the_candidate_meet_and_saves(
    recruiter_client, tenant, people
):
    data = post_data(people, location_kind="video")
    preview = recruiter_client.post(
        reverse("plan_new"), data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="plan-preview"
    )
    assert (
        "The candidate reads: “Google Meet video call. The link comes with your confirmation.”"
        in preview.content.decode()
    )
    assert recruiter_client.post(reverse("plan_new"), data).status_code == 302


def test_the_calendars_page_says_what_it_does_for_video_and_only_admins_ask_again(
    tenant, client, admin_member, recruiter
):
    cal = google(tenant)
    client.force_login(admin_member)
    page = client.get(reverse("connection_detail", args=[cal.pk]))
    assert "Google Meet links are added to interviews." in page.content.decode()
    client.force_login(recruiter)
    assert client.post(reverse("connection_check_meetings", args=[cal.pk])).status_code == 403
    assert client.get(reverse("connection_check_meetings", args=[cal.pk])).status_code in (
        403,
        405,
    )


def _phone_interview(tenant, name, candidate_phone):
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen")
    candidate = f.candidate(ats, name, email="chidi@x.example")
    candidate.phone = candidate_phone
    candidate.save()
    plan, _made = InterviewPlan.objects.get_or_create(
        tenant=tenant, name="Phone screen", location_kind=InterviewPlan.Location.PHONE
    )
    start = f.working_day(days_ahead=3 if candidate_phone else 4)
    return booking.book(
        f.application(ats, candidate),
        plan,
        slots.Choice(
            (
                slots.SessionChoice(
                    "Phone screen",
                    start,
                    start + dt.timedelta(minutes=30),
                    ((str(ivy.pk), "required", None),),
                ),
            )
        ),
    )


def test_a_recruiters_phone_booking_uses_the_ats_number_or_asks_the_candidate_for_one(
    tenant, admin_client_
):
    """A recruiter's booking: the candidate gave no number on a confirm page, so the ATS's is
    used; with none, the candidate is asked to send one (never told of a number they gave)
    and the recruiter reads what to do."""
    known = _phone_interview(tenant, "Chidi Harris", "+1 212 555 0100")
    emails.interview_to_candidate(known, "interview_confirmed")
    assert "Phone call: we call you on +1 212 555 0100" in mail.outbox[-1].body
    page = admin_client_.get(reverse("interview_detail", args=[known.pk])).content.decode()
    assert "Phone call: call Chidi Harris on +1 212 555 0100" in page

    unknown = _phone_interview(tenant, "Ada Obi", "")
    emails.interview_to_candidate(unknown, "interview_confirmed")
    body = mail.outbox[-1].body
    assert "We do not have your number yet: please write to us with the number to call" in body
    assert "the number you give when you book" not in body
    page = admin_client_.get(reverse("interview_detail", args=[unknown.pk])).content.decode()
    assert "No phone number for Ada Obi: they were asked to send one." in page
