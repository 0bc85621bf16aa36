"""What a booking says it wrote, per connection (issue 26, "Say what happened, per
connection"): the recruiter's banner names what this tenant's ATS will really hold, and the
history has one entry per booking, its time with its zone, whoever booked. No Unified: the
interviewer has no calendar, and no operation is performed."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import strip_tags

from scheduling import booking, slots
from scheduling.models import Interview
from tests.candidates.links_helpers import url

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def override(recruiter_client, application, start="2026-12-03T14:00"):
    return recruiter_client.post(
        reverse("schedule", args=[application.pk]),
        {"override": "1", "start": start, "reason": "Agreed with Ivy by phone"},
    )


def banner(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def lever(ats, application):
    ats.integration_type, ats.integration_name = "lever", "Lever"
    ats.save()
    candidate = application.candidate
    candidate.email = "grace@hopper.example"
    candidate.save()
    return ats


def test_the_banner_says_a_note_goes_to_an_ats_known_to_refuse_interviews(
    frozen, recruiter_client, lever, application, plan
):
    lever.capabilities = {"interview_write": False}
    lever.save()

    response = override(recruiter_client, application)

    assert response.status_code == 302
    (said,) = banner(response)
    assert said == (
        "Booked Grace Hopper outside the offered times. In a moment: a note on the "
        "application in Lever (Lever does not accept interviews from Convene) and the "
        "confirmation email to grace@hopper.example. No calendar event for “Compiler "
        "Engineer screen”: no interviewer on it has a connected calendar."
    )


def test_the_banner_names_the_interview_for_an_ats_that_takes_them(
    frozen, recruiter_client, lever, application, plan
):
    # Before Lever has answered once, the banner does not promise what it cannot know.
    (said,) = banner(override(recruiter_client, application))
    assert (
        "the interview in Lever (or a note on the application, if Lever does not accept "
        "interviews from Convene) and the confirmation email" in said
    )
    assert "ATS interview" not in said
    Interview.objects.all().delete()
    # Once it took an interview, it takes them.
    lever.capabilities = {"interview_write": True}
    lever.save()
    said = banner(override(recruiter_client, application))[-1]
    assert "the interview in Lever and the confirmation email" in said


def test_the_banner_says_when_the_ats_holds_nothing_and_no_email_goes(
    frozen, recruiter_client, lever, application, plan
):
    lever.capabilities = {"interview_write": False, "activity_write": False}
    lever.save()
    application.candidate.email = ""
    application.candidate.save()

    (said,) = banner(override(recruiter_client, application))

    assert "Nothing is written to Lever: Lever accepts neither interviews nor notes" in said
    assert "No confirmation: Grace Hopper has no email address in the ATS." in said


def test_a_recruiters_booking_has_one_history_entry_with_its_zone(
    frozen, recruiter_client, tenant, lever, application, plan
):
    tenant.default_timezone = "Europe/Berlin"
    tenant.save()
    response = override(recruiter_client, application, start="2026-12-04T10:00+01:00")
    interview = Interview.objects.get(application=application)

    page = text(recruiter_client.get(response["Location"]))

    history = page[page.index("History") : page.index("Technical details")]
    assert history.count("Booked") == 1, history
    assert "Booked Grace Hopper for Fri 4 Dec 2026 10:00 Berlin time (Germany, UTC+1)" in history
    assert "a page to move or cancel" not in history
    assert tenant.audit_entries.filter(object_id=str(interview.pk)).count() == 1


def test_a_candidates_booking_has_one_history_entry_with_its_zone(
    link, client, recruiter_client, tenant
):
    tenant.default_timezone = "America/New_York"
    tenant.save()
    response = client.post(
        url("confirm", link),
        {
            "start": "20261203T1400Z",
            "tz": "Europe/Paris",
            "version": link.version,
            "action": "book",
        },
    )
    assert response.status_code == 302
    link.refresh_from_db()

    page = text(recruiter_client.get(reverse("interview_detail", args=[link.interview.pk])))

    history = page[page.index("History") : page.index("Technical details")]
    assert history.count("booked") + history.count("Booked") == 1, history
    assert (
        "Grace Hopper booked Thu 3 Dec 2026 09:00 New York time (United States, UTC−5) "
        "from their booking link" in history
    )


def test_history_times_follow_the_team_zone_not_the_server_or_the_reader(
    tenant, ats, application, ivy, frozen
):
    tenant.default_timezone = "Asia/Kolkata"
    tenant.save()
    start = dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Screen", start, start + dt.timedelta(hours=1), ((str(ivy.pk), "required", None),)
            ),
        )
    )
    interview = booking.book(application, None, choice)
    entry = tenant.audit_entries.get(action="interview.booked", object_id=str(interview.pk))
    assert entry.message == (
        "Booked Grace Hopper for Mon 7 Dec 2026 10:00 Kolkata time (India, UTC+5:30)"
    )
