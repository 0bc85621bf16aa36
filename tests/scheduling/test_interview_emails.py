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
        slots.Choice(
            (
                slots.SessionChoice(
                    "Screen",
                    start,
                    start + dt.timedelta(hours=1),
                    ((str(ivy.pk), "required", None),),
                ),
            )
        ),
        candidate_timezone="Asia/Tokyo",
    )
    emails.interview_to_candidate(interview, "interview_confirmed")
    (message,) = mail.outbox
    assert "09:30" in message.subject and "Mon 4 Mar" in message.subject
    assert "09:30–10:30 Tokyo time (Japan, UTC+9)" in message.body
    assert "Hello Kenji" in message.body
