import datetime as dt

import pytest
from django.core import mail

from scheduling import booking, emails, slots
from scheduling.models import InterviewPlan
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_candidates_email_shows_times_in_their_zone(tenant):
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen")
    app = f.application(ats, f.candidate(ats, "Kenji Sato", email="kenji@x.example"), f.job(ats))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    start = dt.datetime(2030, 3, 4, 0, 30, tzinfo=dt.UTC)  # 09:30 in Tokyo
    interview = booking.book(
        app,
        plan,
        f.one_session("Screen", start, [ivy]),
        candidate_timezone="Asia/Tokyo",
    )
    emails.interview_to_candidate(interview, "interview_confirmed")
    (message,) = mail.outbox
    assert "09:30" in message.subject and "Mon 4 Mar" in message.subject
    assert "09:30–10:30 Tokyo time (Japan, UTC+9)" in message.body
    assert "Hello Kenji" in message.body


def two_sessions(ivy, max_, first, second):
    def session(title, person, start):
        return slots.SessionChoice(
            title, start, start + dt.timedelta(hours=1), ((str(person.pk), "required", None),)
        )

    return slots.Choice((session("Coding", ivy, first), session("Technical panel", max_, second)))


def attachments(message):
    """The calendar files by name, their long lines unfolded (RFC 5545 folds at 75 octets)."""
    return {name: content.replace("\r\n ", "") for name, content, _type in message.attachments}


def test_a_loop_on_one_day_is_one_block_and_across_two_days_two(tenant):
    """The candidate's calendar: one event for a loop on one day (first start to last end);
    after the panel is moved to the next day, two events, never one through the night; when
    it comes back, the second day's event is canceled."""
    ats = f.connection(tenant)
    ivy, max_ = f.interviewer(tenant, "Ivy Chen"), f.interviewer(tenant, "Max Weber")
    app = f.application(ats, f.candidate(ats, "Kenji Sato", email="kenji@x.example"), f.job(ats))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Loop")
    start = dt.datetime(2030, 3, 4, 14, 0, tzinfo=dt.UTC)  # 09:00 in New York
    later = start + dt.timedelta(hours=1, minutes=15)
    interview = booking.book(app, plan, two_sessions(ivy, max_, start, later))

    emails.interview_to_candidate(interview, "interview_confirmed")
    files = attachments(mail.outbox[-1])
    assert list(files) == ["interview.ics"]
    block = files["interview.ics"]
    assert f"UID:{interview.ics_uid}" in block
    assert "DTSTART:20300304T140000Z" in block and "DTEND:20300304T161500Z" in block
    # Named for the candidate (the company and the job), the sessions listed inside.
    assert f"SUMMARY:Interview with Acme Robotics: {app.job.name}" in block
    assert "Coding: Mon 4 Mar" in block and "Technical panel: Mon 4 Mar" in block

    next_day = later + dt.timedelta(days=1)
    panel = interview.sessions.get(position=1)
    booking.change(interview, [booking.Move(panel, next_day, next_day + dt.timedelta(hours=1))],
                   by=booking.By.CALENDAR)  # fmt: skip
    booking.keep_as_is(interview)
    interview.refresh_from_db()
    emails.interview_to_candidate(interview, "interview_rescheduled")
    files = attachments(mail.outbox[-1])
    assert sorted(files) == ["interview-2.ics", "interview.ics"]
    assert "DTSTART:20300304T140000Z" in files["interview.ics"]
    assert "DTEND:20300304T150000Z" in files["interview.ics"]  # Coding alone on the first day
    assert f"UID:{interview.pk}-2@convene" in files["interview-2.ics"]
    assert "DTSTART:20300305T151500Z" in files["interview-2.ics"]
    assert "METHOD:REQUEST" in files["interview-2.ics"]

    booking.change(interview, [booking.Move(panel, later, later + dt.timedelta(hours=1))],
                   by=booking.By.RECRUITER)  # fmt: skip
    interview.refresh_from_db()
    emails.interview_to_candidate(interview, "interview_rescheduled")
    files = attachments(mail.outbox[-1])
    assert "DTEND:20300304T161500Z" in files["interview.ics"]  # one block again
    assert "METHOD:CANCEL" in files["interview-2.ics"]  # the second day's event goes
    interview.refresh_from_db()
    emails.interview_to_candidate(interview, "interview_rescheduled")
    assert list(attachments(mail.outbox[-1])) == ["interview.ics"]  # canceled once only
