"""Issue 26, two invitations kept apart: a candidate on a phone in Sydney books the Acme panel
(Greenhouse + Google) from their link; what they received (Django's mail) is compared with
what the interviewers' events in the sandbox calendar hold, with each of the team's choices."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidates import links
from scheduling.models import CandidateInvitation, Interview
from tests.e2e.conftest import PHONE, drain
from tests.integration.test_scheduling import ics_of, sandbox_client
from tests.live_world import link_far_away

AGENDA = "Dig into the cache design; her screen answers on SQL were thin."


@pytest.fixture
def sydney_phone(new_context):
    context = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        timezone_id="Australia/Sydney",
        locale="en-AU",
    )
    return context.new_page()


@pytest.fixture
def sydney_link(acme, panel_plan, recruiter, live_server, settings, outbox_waits):
    """A link to the sandbox panel over two weekdays cleared for its people, as Sydney reads
    them (a New York afternoon is the next morning there); the plan has notes for the
    interviewers."""
    settings.SITE_URL = live_server.url
    panel_plan.agenda = AGENDA
    return link_far_away(acme, panel_plan, recruiter, "Australia/Sydney")


def book_first_time(page, link):
    page.goto(f"/book/{links.token_for(link)}/")
    expect(page.locator("#slot-week .zone-name")).to_contain_text("Sydney time")
    page.locator("a.time").first.click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You’re booked")
    drain()
    return Interview.objects.get(application=link.application)


def interviewers_events(acme, interview):
    api = sandbox_client(acme["sandbox"])
    return [
        api.get_event(acme["calendar"].unified_id, s.event_id)
        for s in interview.sessions.order_by("position")
    ]


def candidates_mail(interview):
    return [m for m in mail.outbox if interview.application.candidate.email in m.to]


def test_a_candidate_in_sydney_gets_one_invitation_and_never_the_interviewers_notes(
    sydney_phone, sydney_link, acme
):
    page = sydney_phone
    interview = book_first_time(page, sydney_link)
    candidate = interview.application.candidate
    expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()

    # The interviewers' events: theirs, with their notes; the candidate is not on them.
    for event in interviewers_events(acme, interview):
        assert candidate.email not in {a.email for a in event.attendees}
        assert AGENDA in event.notes and f"Candidate: {candidate.name}" in event.notes

    # What the candidate received: one email with one calendar file, written for them.
    (confirmation,) = candidates_mail(interview)
    assert len(confirmation.attachments) == 1
    ics = ics_of(confirmation).replace("\r\n ", "")
    assert f"SUMMARY:Interview with Acme Robotics: {interview.application.job.name}" in ics
    assert "Sydney time (Australia" in ics.replace("\r\n ", "") and "METHOD:REQUEST" in ics
    assert "cache design" not in ics and "cache design" not in confirmation.body
    people = {a.interviewer.email for s in interview.sessions.all() for a in s.attendees.all()}
    assert not any(email in ics for email in people)
    assert "Sydney time (Australia, UTC+1" in confirmation.body  # +10 or +11 with DST

    # The file on their page is the same invitation (same UID), not a second one.
    download = page.request.get(
        page.get_by_role("link", name="Add to calendar").get_attribute("href")
    )
    assert f"UID:{interview.ics_uid}" in download.text()


def test_as_the_events_attendee_the_candidate_gets_the_calendars_invitation_only(
    sydney_phone, sydney_link, acme
):
    tenant = acme["ats"].tenant
    tenant.candidate_invitation = CandidateInvitation.ATTENDEE
    tenant.save()
    page = sydney_phone
    interview = book_first_time(page, sydney_link)
    candidate = interview.application.candidate
    expect(page.get_by_text("Your calendar invitation comes in a separate email")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar")).to_have_count(0)

    for event in interviewers_events(acme, interview):
        assert candidate.email in {a.email for a in event.attendees}
        assert AGENDA not in event.notes and "Candidate:" not in event.notes
    (confirmation,) = candidates_mail(interview)
    assert confirmation.attachments == []
    assert "separate email from Google Calendar" in confirmation.body


def test_with_a_candidate_only_event_the_candidate_gets_the_calendars_invitation_only(
    sydney_phone, sydney_link, acme
):
    tenant = acme["ats"].tenant
    tenant.candidate_invitation = CandidateInvitation.CANDIDATE_EVENT
    tenant.save()
    page = sydney_phone
    interview = book_first_time(page, sydney_link)
    candidate = interview.application.candidate
    expect(page.get_by_text("Your calendar invitation comes in a separate email")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar")).to_have_count(0)

    for event in interviewers_events(acme, interview):
        assert candidate.email not in {a.email for a in event.attendees}
        assert AGENDA in event.notes
    interview.refresh_from_db()
    (held,) = interview.candidate_events  # the panel's day, on Sydney's clock
    own = sandbox_client(acme["sandbox"]).get_event(acme["calendar"].unified_id, held["id"])
    assert [a.email for a in own.attendees] == [candidate.email]
    assert AGENDA not in own.notes and "Sydney time (Australia, UTC+1" in own.notes
    (confirmation,) = candidates_mail(interview)
    assert confirmation.attachments == []
