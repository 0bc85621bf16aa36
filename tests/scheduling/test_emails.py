"""Candidate emails show times on the candidate's clock."""

import datetime as dt

import pytest
from django.core import mail

from scheduling import emails
from scheduling.models import Interview, InterviewSession
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_interview_emails_show_times_in_the_candidates_zone_not_utc(tenant):
    ats = f.connection(tenant)
    application = f.application(ats, f.candidate(ats, "Grace Hopper"))
    start = dt.datetime(2026, 12, 3, 14, tzinfo=dt.UTC)
    interview = Interview.objects.create(
        tenant=tenant,
        application=application,
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        candidate_timezone="Europe/Paris",
    )
    InterviewSession.objects.create(
        interview=interview, title="Screen", start_at=start, end_at=start + dt.timedelta(hours=1)
    )

    emails.interview_to_candidate(interview, "interview_confirmed")

    (email,) = mail.outbox
    assert "Thursday 3 December 2026, 15:00–16:00 Paris time (France, UTC+1)" in email.body
    assert "15:00–16:00 Paris time (France, UTC+1)" in email.alternatives[0][0]
    assert email.subject.endswith("Thu 3 Dec, 15:00 Paris time")
