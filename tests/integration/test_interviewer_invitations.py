"""Issue 6: when a calendar does not invite the interviewers itself, Convene emails each of
them their invitation with an .ics — and updates or withdraws it when the interview changes."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from scheduling.models import AuditEntry
from tests.live_world import free_days, monday_of, new_application, plan_people, slot_on

from .test_scheduling import book, drain
from .test_scheduling import ics_of as folded_ics_of

pytestmark = pytest.mark.sandbox


def ics_of(email):
    return folded_ics_of(email).replace("\r\n ", "")  # unfold long lines


def interviewer_emails(session_people):
    emails = {p.email for p in session_people}
    return [m for m in mail.outbox if set(m.to) <= emails]


def choose_convene(admin_member, conn):
    admin = Client()
    admin.force_login(admin_member)
    page = admin.get(reverse("connection_detail", args=[conn.pk]))
    assert "Google Calendar</strong>, as attendees of the event" in page.content.decode()
    response = admin.post(
        reverse("connection_invitations", args=[conn.pk]), {"invites": "convene"}, follow=True
    )
    assert "Convene emails the interviewers their invitations" in response.content.decode()
    assert "<strong>Convene</strong>: an email with a calendar file" in response.content.decode()
    return admin


def test_interviewers_get_their_own_invitation_when_the_calendar_sends_none(
    acme, panel_plan, recruiter_client, admin_member, django_capture_on_commit_callbacks
):
    choose_convene(admin_member, acme["calendar"])
    assert AuditEntry.objects.filter(action="connection.invitations").exists()
    # Two weekdays cleared for the panel: booked on the first, moved to the second.
    first_day, later_day = free_days(acme, plan_people(panel_plan), 2)
    application = new_application(acme)
    mail.outbox.clear()
    interview = book(recruiter_client, application, django_capture_on_commit_callbacks, first_day)

    sessions = list(interview.sessions.order_by("position"))
    people = {a.interviewer for s in sessions for a in s.attendees.filter(active=True)}
    invitations = interviewer_emails(people)
    expected = sum(s.attendees.filter(active=True).count() for s in sessions)
    assert len(invitations) == expected
    first = sessions[0]
    host = first.attendees.filter(active=True).first().interviewer
    (theirs,) = [m for m in invitations if m.to == [host.email] and first.title in m.subject]
    assert application.candidate.name in theirs.subject
    assert "does not send invitations" in theirs.body
    assert first.meeting_url in theirs.body  # written after the event got its video link
    ics = ics_of(theirs)
    assert "METHOD:REQUEST" in ics and f"UID:{first.pk}@convene" in ics
    assert "SEQUENCE:0" in ics and host.email in ics
    # The candidate's own confirmation still goes, once.
    assert len([m for m in mail.outbox if application.candidate.email in m.to]) == 1

    # A reschedule sends each of them the updated invitation, same UID, higher SEQUENCE.
    mail.outbox.clear()
    url = reverse("reschedule", args=[interview.pk])
    later = slot_on(recruiter_client, url, later_day, after=interview.end_at)
    week = monday_of(later_day)
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(url, {"start": later.start.isoformat(), "week": week.isoformat()})
    drain()
    interview.refresh_from_db()
    seated = {a.interviewer for s in interview.sessions.all() for a in s.attendees.all()}
    moved = [m for m in interviewer_emails(seated) if f"UID:{first.pk}@convene" in ics_of(m)]
    assert moved and all("SEQUENCE:1" in ics_of(m) for m in moved)
    assert all("METHOD:REQUEST" in ics_of(m) or "METHOD:CANCEL" in ics_of(m) for m in moved)

    # A cancel withdraws every invitation still standing.
    standing = sum(s.attendees.filter(active=True).count() for s in interview.sessions.all())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(
            reverse("interview_cancel", args=[interview.pk]),
            {"reason": "The role was put on hold.", "notify_candidate": "on"},
        )
    drain()
    withdrawn = interviewer_emails(seated)
    assert len(withdrawn) == standing
    assert withdrawn and all("METHOD:CANCEL" in ics_of(m) for m in withdrawn)
    assert all(m.subject.startswith("Canceled:") for m in withdrawn)


def test_a_calendar_that_invites_gets_no_extra_email(
    acme, panel_plan, panel_day, recruiter_client, django_capture_on_commit_callbacks
):
    application = new_application(acme)
    mail.outbox.clear()
    book(recruiter_client, application, django_capture_on_commit_callbacks, panel_day)
    assert [m.to for m in mail.outbox] == [[application.candidate.email]]


def test_only_admins_choose_who_invites(acme, recruiter_client):
    conn = acme["calendar"]
    response = recruiter_client.post(
        reverse("connection_invitations", args=[conn.pk]), {"invites": "convene"}
    )
    assert response.status_code in (302, 403, 404)
    conn.refresh_from_db()
    assert conn.can("invites")


def test_the_slot_picker_still_offers_times(
    acme, panel_plan, panel_day, recruiter_client, admin_member
):
    # Choosing Convene changes nothing about availability.
    choose_convene(admin_member, acme["calendar"])
    url = reverse("schedule", args=[new_application(acme).pk])
    assert slot_on(recruiter_client, url, panel_day)
