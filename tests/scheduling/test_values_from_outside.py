"""What the ATS and the calendars send is checked before it is believed: only http(s) web
addresses become links (on pages and in emails), and only one usable email address is
stored as a candidate's or an interviewer's address; anything else is dropped with the
reason logged, or shown as unusable — never a `javascript:` link, never an outbox that
fails forever on a bad address."""

import logging

import pytest
import responses
from django.core import mail
from django.urls import reverse

from candidates import links, sync
from candidates.models import Candidate, SyncRun
from scheduling import emails, outbox
from scheduling.lib import outside
from scheduling.unified import records
from tests import factories as f
from tests.candidates.test_sync import FakeATS
from tests.scheduling.test_writeback import BASE, CAL_ID, book, event_json, setup  # noqa: F401

pytestmark = pytest.mark.django_db

SCRIPT = "javascript:alert(document.cookie)"


@pytest.mark.parametrize(
    "url",
    [
        SCRIPT,
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/path",
        "https://",
        "https://meet.example/a b",
        "https://meet.example/\nx",
        "mailto:someone@example.com",
    ],
)
def test_only_http_and_https_addresses_naming_a_host_are_web_addresses(url):
    assert outside.web_url(url) == ""
    assert not outside.is_web_url(url)


def test_web_addresses_pass_as_they_are():
    assert outside.web_url(" https://meet.example/abc?x=1 ") == "https://meet.example/abc?x=1"
    assert outside.web_url("http://ats.example/c/1") == "http://ats.example/c/1"


@pytest.mark.parametrize(
    "address",
    ["a@x.example, b@y.example", "a@x.example b@y.example", "Grace <g@x.example>", "g@", "", "x"],
)
def test_one_usable_address_or_nothing(address):
    assert outside.email_address(address) == ""


def test_a_dropped_address_is_logged_with_its_reason(caplog):
    with caplog.at_level(logging.WARNING, logger="scheduling.lib.outside"):
        record = records.Candidate.from_api({"id": "c1", "web_url": SCRIPT})
    assert record.web_url is None
    assert "not http or https" in caplog.text and "candidate c1" in caplog.text


# --- the calendar's conference link -----------------------------------------------------------


@responses.activate
def test_a_javascript_conference_link_from_the_calendar_is_never_stored(setup, caplog):  # noqa: F811
    interview, ops = book(setup)
    responses.post(
        f"{BASE}/calendar/{CAL_ID}/event", json=event_json(conference=[{"url": SCRIPT}])
    )
    with caplog.at_level(logging.WARNING):
        outbox.perform(ops["event.create"].pk)
    session = interview.sessions.get()
    assert session.event_id == "ev1"
    assert session.meeting_url == ""
    assert "conference link" in caplog.text


def test_a_stored_script_link_is_never_a_link_on_the_page_nor_in_any_email(
    setup,  # noqa: F811
    recruiter_client,
):
    """A row written before links were checked: the page and the emails show no link (the
    Where row says the link is still to come, as for no link at all)."""
    interview, _ops = book(setup)
    interview.sessions.update(meeting_url=SCRIPT)
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    assert page.status_code == 200
    assert b"javascript" not in page.content

    emails.interview_to_candidate(interview, "interview_rescheduled")
    session = interview.sessions.get()
    emails.session_to_interviewer(
        session, setup["ivy"], canceled=False, sequence=1, notes="Screen"
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        html = message.alternatives[0].content
        assert "javascript" not in message.body
        assert "javascript" not in html


# --- the ATS's candidates ---------------------------------------------------------------------


def candidate_record(**fields):
    return records.Candidate.from_api({"id": "cand-x", "name": "Ada Lovelace", **fields})


def test_a_javascript_web_url_from_the_ats_is_not_stored_nor_linked(tenant, recruiter_client):
    ats = f.connection(tenant)
    sync.run_sync(
        sync.start_sync(ats, kind=SyncRun.Kind.INCREMENTAL).pk,
        client=FakeATS(candidates=[candidate_record(web_url=SCRIPT)]),
    )
    candidate = Candidate.objects.get(remote_id="cand-x")
    assert candidate.web_url == ""
    # A row from before the check: still no link.
    Candidate.objects.filter(pk=candidate.pk).update(web_url=SCRIPT)
    page = recruiter_client.get(reverse("candidate_detail", args=[candidate.pk]))
    assert b"javascript" not in page.content


def test_two_addresses_in_one_field_are_stored_as_unusable_with_the_reason_shown(
    tenant, recruiter_client
):
    ats = f.connection(tenant)
    run = sync.run_sync(
        sync.start_sync(ats, kind=SyncRun.Kind.INCREMENTAL).pk,
        client=FakeATS(
            candidates=[candidate_record(emails=[{"email": "a@x.example, b@y.example"}])]
        ),
    )
    candidate = Candidate.objects.get(remote_id="cand-x")
    assert candidate.email == ""
    assert candidate.emails == ["a@x.example, b@y.example"]
    assert any("not one Convene can send to" in w for w in run.warnings)

    page = recruiter_client.get(reverse("candidate_detail", args=[candidate.pk]))
    assert b"Not an email address Convene can send to" in page.content
    assert b'href="mailto:a@x.example, b@y.example"' not in page.content

    application = f.application(ats, candidate)
    (recipient,) = links.recipients([application])
    assert recipient.skip == "no usable email address in the ATS"


def test_the_first_usable_address_is_the_candidates(tenant):
    ats = f.connection(tenant)
    sync.run_sync(
        sync.start_sync(ats, kind=SyncRun.Kind.INCREMENTAL).pk,
        client=FakeATS(
            candidates=[
                candidate_record(
                    emails=[{"email": "a@x.example, b@y.example"}, {"email": "ada@z.example"}]
                )
            ]
        ),
    )
    assert Candidate.objects.get(remote_id="cand-x").email == "ada@z.example"


def test_an_unusable_stored_address_fails_its_email_at_once_with_the_reason(
    setup,  # noqa: F811
    recruiter_client,
):
    """An address stored before the check: the outbox stops the first time, saying why,
    instead of retrying an SMTP refusal for hours."""
    candidate = setup["app"].candidate
    Candidate.objects.filter(pk=candidate.pk).update(email="a@x.example, b@y.example")
    interview, _ops = book(setup)
    interview.operations.exclude(kind="email.send").update(status="done")
    op = outbox.perform(interview.operations.get(kind="email.send").pk)
    assert op.status == "failed" and op.attempts == 1
    assert "not an email address Convene can send to" in op.last_error
    assert not mail.outbox
    page = recruiter_client.get(reverse("problems"))
    assert b"not an email address Convene can send to" in page.content


def test_the_interview_page_says_why_the_candidate_got_no_confirmation(
    setup,  # noqa: F811
    recruiter_client,
):
    candidate = setup["app"].candidate
    Candidate.objects.filter(pk=candidate.pk).update(email="", emails=["a@x.example, b@y.example"])
    interview, _ops = book(setup)
    interview.operations.exclude(kind="email.send").update(status="done")
    op = outbox.perform(interview.operations.get(kind="email.send").pk)
    assert op.status == "skipped"
    page = recruiter_client.get(reverse("interview_detail", args=[interview.pk]))
    html = page.content.decode()
    assert "email address for the candidate is not one Convene can send to" in html
    assert "Not sent" in html
