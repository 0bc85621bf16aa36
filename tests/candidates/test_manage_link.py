"""Every confirmation carries the candidate's own page (to see, move or cancel), whoever
booked: a recruiter's booking gets a booked link made for it, owned by the recruiter."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from candidates import links
from candidates.models import BookingLink
from scheduling import booking, emails, slots

pytestmark = pytest.mark.django_db


def test_a_recruiters_booking_confirms_with_the_candidates_own_page(
    application, plan, ivy, recruiter, frozen
):
    start = dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Screen", start, start + dt.timedelta(hours=1), ((str(ivy.pk), "required", None),)
            ),
        )
    )
    interview = booking.book(application, plan, choice, user=recruiter)
    emails.interview_to_candidate(interview, "interview_confirmed")
    link = BookingLink.objects.get(interview=interview)
    assert link.state == BookingLink.State.BOOKED and link.created_by == recruiter
    assert link.window_end >= start.date() and link.expires_at >= timezone.now()
    (email,) = mail.outbox
    assert f"To reschedule or cancel: {links.url_for(link)}" in email.body
    # The same page again for the next email: one link per interview.
    emails.interview_to_candidate(interview, "interview_rescheduled")
    assert BookingLink.objects.filter(interview=interview).count() == 1
    assert links.url_for(link) in mail.outbox[1].body
    assert links.can_change(link)
