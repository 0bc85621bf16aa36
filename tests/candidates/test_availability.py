"""Availability requests as people use them: a recruiter asks, the candidate marks the times
they can do (here without JavaScript: rows of day + from/to), the recruiter books inside
them in one click. Ivy (New York, 09:00–17:00, no calendar) interviews; it is Tuesday 1
December 2026, 10:00 in New York."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from candidates import availability, links
from candidates.models import AvailabilityRequest, AvailabilityWindow, BookingLink
from scheduling import outbox
from scheduling.models import AuditEntry, Interview, Operation
from tests.candidates.links_helpers import NOW, make_link, url
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")


def text(response):
    html = response.content.decode().replace("<br>", " ")
    return " ".join(strip_tags(html).split())


def avail_url(link):
    return reverse("availability_page", args=[links.token_for(link)])


def rows(*given):
    data = {"day": [], "start": [], "end": []}
    for day, start, end in given:
        data["day"].append(day)
        data["start"].append(start)
        data["end"].append(end)
    return data


@pytest.fixture
def asked(frozen, recruiter_client, application, plan):
    """Rosa asks Grace for her times from the candidate page."""
    response = recruiter_client.post(reverse("availability_ask"), {"application": application.pk})
    assert response.status_code == 302
    return AvailabilityRequest.objects.get(application=application)


# --- parsing the rows (pure) ----------------------------------------------------------------


def _parse(*given, zone=SYDNEY, minutes=60):
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(21)]
    parsed = [availability.Row(*g) for g in given]
    return availability.parse(parsed, zone, days=days, minutes=minutes, now=NOW)


def test_rows_become_utc_windows_from_the_candidates_clock():
    windows, checked = _parse(("2026-12-08", "09:00", "12:00"), ("2026-12-09", "7 pm", "21:30"))
    assert [r.error for r in checked] == ["", ""]
    # Sydney is UTC+11 in December: 09:00 on the 8th is 22:00 UTC on the 7th.
    assert windows == [
        (dt.datetime(2026, 12, 7, 22, tzinfo=dt.UTC), dt.datetime(2026, 12, 8, 1, tzinfo=dt.UTC)),
        (
            dt.datetime(2026, 12, 9, 8, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 9, 10, 30, tzinfo=dt.UTC),
        ),
    ]


def test_overlapping_rows_merge_and_blank_rows_are_left_out():
    windows, _ = _parse(
        ("2026-12-08", "09:00", "11:00"), ("", "", ""), ("2026-12-08", "10:00", "12:00")
    )
    assert windows == [
        (dt.datetime(2026, 12, 7, 22, tzinfo=dt.UTC), dt.datetime(2026, 12, 8, 1, tzinfo=dt.UTC))
    ]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (("2027-02-01", "09:00", "12:00"), "Choose a day from the list."),
        (("2026-12-08", "9h61", "12:00"), "Give the start time as on a clock"),
        (("2026-12-08", "12:00", "09:00"), "The end is before the start."),
        (("2026-12-08", "09:00", "09:30"), "Too short for the interview: give at least 1 hour."),
        (("2026-12-02", "09:00", "12:00"), "Too soon: interviews need 24 hours’ notice."),
    ],
)
def test_a_wrong_row_is_told_beside_it_and_nothing_is_kept(row, error):
    windows, checked = _parse(("2026-12-08", "14:00", "16:00"), row)
    assert windows == []
    assert checked[0].error == ""
    assert checked[1].error.startswith(error)


def test_a_time_the_clocks_skip_is_refused_and_one_across_the_change_keeps_its_length():
    # New York springs forward at 02:00 on Sunday 14 March 2027: 02:30 does not exist.
    days = [dt.date(2027, 3, 14)]
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    bad = [availability.Row("2027-03-14", "02:30", "05:00")]
    assert availability.parse(bad, NEW_YORK, days=days, minutes=60, now=now)[0] == []
    assert "The clocks change that night" in bad[0].error
    good = [availability.Row("2027-03-14", "01:00", "04:00")]
    windows, _ = availability.parse(good, NEW_YORK, days=days, minutes=60, now=now)
    # 01:00 EST is 06:00 UTC; 04:00 EDT is 08:00 UTC: two real hours.
    assert windows == [
        (dt.datetime(2027, 3, 14, 6, tzinfo=dt.UTC), dt.datetime(2027, 3, 14, 8, tzinfo=dt.UTC))
    ]


# --- the candidate's page ---------------------------------------------------------------------


def test_the_request_is_emailed_and_its_link_opens_the_form_without_changing_anything(
    asked, client
):
    op = Operation.objects.get(payload__kind="availability_request")
    outbox.perform(op.pk)
    (email,) = mail.outbox
    assert "when can you interview for Compiler Engineer?" in email.subject
    assert availability.url_for(asked.link) in email.body

    # The booking link's address leads to the form too.
    page = client.get(url("page", asked.link), {"tz": "Australia/Sydney"})
    assert page.status_code == 302 and page["Location"].startswith(avail_url(asked.link))
    response = client.get(avail_url(asked.link), {"tz": "Australia/Sydney"})
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    body = text(response)
    assert "When can you do your interview for Compiler Engineer at Acme Robotics?" in body
    assert "Sydney" in body
    asked.refresh_from_db()
    assert asked.submitted_at is None and not asked.windows.exists()
    assert client.head(avail_url(asked.link)).status_code == 200


def test_the_candidate_sends_rows_without_javascript_and_can_change_them(asked, client):
    response = client.post(
        avail_url(asked.link),
        {
            "tz": "Australia/Sydney",
            "note": "Mornings are best",
            **rows(("2026-12-08", "09:00", "12:00")),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Thank you: we have your times." in text(page)
    asked.refresh_from_db()
    (window,) = asked.windows.all()
    assert window.start_at == dt.datetime(2026, 12, 7, 22, tzinfo=dt.UTC)
    assert window.zone_name == asked.zone_name == "Australia/Sydney"
    assert asked.note == "Mornings are best" and asked.submitted_at == NOW
    # The form shows them again on their clock, to change.
    assert 'value="09:00"' in page.content.decode()
    client.post(
        avail_url(asked.link),
        {"tz": "Australia/Sydney", **rows(("2026-12-09", "10:00", "13:00"))},
    )
    assert [w.start_at for w in AvailabilityWindow.objects.filter(request=asked)] == [
        dt.datetime(2026, 12, 8, 23, tzinfo=dt.UTC)
    ]
    # Kept on the application's history, on the team's clock with its zone named.
    entries = AuditEntry.objects.filter(action__startswith="availability.").order_by("id")
    assert [e.action for e in entries] == ["availability.received", "availability.changed"]
    assert "Mon 7 Dec 17:00–20:00 (America/New_York)" in entries[0].message
    # The recruiter who asked is told.
    assert Operation.objects.filter(payload__kind="availability_received").count() == 2


def test_errors_are_shown_beside_the_row_and_nothing_is_lost(asked, client):
    response = client.post(
        avail_url(asked.link),
        {
            "tz": "Australia/Sydney",
            "note": "Keep me",
            **rows(("2026-12-08", "09:00", "12:00"), ("2026-12-09", "12:00", "09:00")),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The end is before the start." in html
    assert 'class="avail-row has-error"' in html
    assert "Keep me" in html and 'value="12:00"' in html
    assert not AvailabilityWindow.objects.exists()
    empty = client.post(avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("", "", ""))})
    assert empty.status_code == 400 and "Add at least one time you can do" in text(empty)


def test_tampered_expired_revoked_and_used_links_get_plain_pages(asked, client, frozen, recruiter):
    token = links.token_for(asked.link)
    tampered = client.get(reverse("availability_page", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 404 and "This link is not valid" in text(tampered)

    revoked = make_link(asked.application, asked.link.plan, recruiter)  # revokes the request's
    gone = client.get(avail_url(asked.link))
    assert gone.status_code == 410 and "This link was withdrawn" in text(gone)
    assert gone["X-Robots-Tag"].startswith("noindex")

    request = AvailabilityRequest.objects.create(
        tenant=revoked.tenant, application=revoked.application, link=revoked, origin="recruiter"
    )
    frozen.move_to(revoked.expires_at + dt.timedelta(minutes=1))
    expired = client.post(avail_url(request.link), rows(("2026-12-08", "09:00", "12:00")))
    assert expired.status_code == 410 and "This link has expired" in text(expired)
    assert not request.windows.exists()


def test_a_used_request_sends_the_candidate_to_their_interview(asked, client, recruiter_client):
    client.post(
        avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("2026-12-08", "00:00", "03:00"))}
    )
    found = availability.offer(AvailabilityRequest.objects.get(pk=asked.pk))
    start = found.slots[0].start
    book = reverse("availability_book", args=[asked.application_id, asked.pk])
    recruiter_client.post(book, {"start": start.isoformat()})
    again = client.post(
        avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("2026-12-09", "00:00", "03:00"))}
    )
    assert again.status_code == 302 and url("page", asked.link) in again["Location"]
    assert asked.windows.get().start_at == dt.datetime(2026, 12, 7, 13, tzinfo=dt.UTC)
    booked = text(client.get(again["Location"]))
    assert "Monday 7 December" not in booked  # Sydney's clock: Tuesday 8 December
    assert "Tuesday 8 December" in booked


# --- "None of these work" on the booking page ------------------------------------------------


def test_none_of_these_work_leads_to_the_same_form_from_the_booking_link(frozen, client, link):
    page = client.get(url("page", link), {"tz": "Australia/Sydney"})
    assert "None of these work?" in text(page)
    assert avail_url(link) in page.content.decode()
    form = client.get(avail_url(link), {"tz": "Australia/Sydney"})
    assert form.status_code == 200
    assert "None of the times worked? Tell us when you can do your interview" in text(form)
    assert not AvailabilityRequest.objects.exists()  # a GET makes nothing

    client.post(
        avail_url(link), {"tz": "Australia/Sydney", **rows(("2026-12-08", "00:00", "03:00"))}
    )
    request = AvailabilityRequest.objects.get(link=link)
    assert request.origin == AvailabilityRequest.Origin.BOOKING_PAGE
    assert request.windows.count() == 1
    # The link still offers its times: the candidate may book one after all.
    assert client.get(url("page", link), {"tz": "Australia/Sydney"}).status_code == 200


def test_a_booking_page_with_nothing_free_points_to_the_form(frozen, client, link, ivy):
    ivy.working_hours = [[] for _ in range(7)]
    ivy.save()
    page = client.get(url("page", link), {"tz": "America/New_York"})
    body = text(page)
    assert "None of the days this link offers has a free time" in body
    assert "Tell us when you can" in body


# --- the recruiter's side ---------------------------------------------------------------------


def test_the_recruiter_sees_the_times_in_both_zones_and_books_inside_them_in_one_click(
    asked, client, recruiter_client, application
):
    # Sydney Tuesday 00:00–03:00 is Monday 08:00–11:00 in New York; Ivy works from 09:00.
    client.post(
        avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("2026-12-08", "00:00", "03:00"))}
    )

    candidate_page = recruiter_client.get(
        reverse("candidate_detail", args=[application.candidate_id])
    )
    assert "Availability received" in text(candidate_page)
    pipeline = recruiter_client.get(reverse("pipeline"), {"state": "any"})
    assert "Availability received" in text(pipeline)
    picker = recruiter_client.get(reverse("schedule", args=[application.pk]))
    assert "Grace sent the times they can do. Book inside their times" in text(picker)

    book = reverse("availability_book", args=[application.pk, asked.pk])
    page = recruiter_client.get(book)
    body = text(page)
    assert "Mon 7 Dec, 08:00–11:00" in body  # Rosa's clock (New York)
    assert "Tue 8 Dec, 00:00–03:00" in body  # Grace's clock (Sydney)
    html = page.content.decode()
    starts = [dt.datetime.fromisoformat(v) for v in _values(html, "start")]
    assert starts, body[:1000]
    window = (
        dt.datetime(2026, 12, 7, 13, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 16, tzinfo=dt.UTC),
    )
    assert all(window[0] <= s and s + dt.timedelta(hours=1) <= window[1] for s in starts)

    response = recruiter_client.post(book, {"start": starts[0].isoformat()})
    assert response.status_code == 302, text(response)[:500]
    interview = Interview.objects.get(application=application)
    assert interview.start_at == starts[0]
    assert interview.candidate_timezone == "Australia/Sydney"
    asked.refresh_from_db()
    asked.link.refresh_from_db()
    assert asked.used_at is not None and asked.interview == interview
    assert asked.link.state == BookingLink.State.BOOKED and asked.link.interview == interview
    # The usual confirmation, carrying the candidate's own page.
    op = Operation.objects.get(interview=interview, payload__kind="interview_confirmed")
    assert op.payload["extra"] == {"manage_url": links.url_for(asked.link)}
    # The application keeps what was asked and proposed, and what came of it.
    kept = text(recruiter_client.get(reverse("candidate_detail", args=[application.candidate_id])))
    assert "Times they proposed Booked inside them Asked by a recruiter" in kept
    assert "Mon 7 Dec, 08:00–11:00" in kept and "the interview booked inside them" in kept
    # A second click books nothing more.
    again = recruiter_client.post(book, {"start": starts[0].isoformat()})
    assert again.status_code == 409 and "already booked" in text(again)
    assert Interview.objects.filter(application=application).count() == 1


def test_nothing_inside_the_times_is_explained_for_them(
    asked, client, recruiter_client, application
):
    # Sydney Tuesday 10:00–12:00 is Monday 18:00–20:00 in New York: Ivy has stopped work.
    client.post(
        avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("2026-12-08", "10:00", "12:00"))}
    )
    page = recruiter_client.get(reverse("availability_book", args=[application.pk, asked.pk]))
    body = text(page)
    assert "Nothing fits inside Grace’s times" in body
    assert "during the candidate’s times on Tuesday 8 December" in body


def test_another_teams_request_is_not_found(asked, client, other_tenant):
    stranger = make_member(other_tenant, "eve@other.example")
    client.force_login(stranger)
    page = client.get(reverse("availability_book", args=[asked.application_id, asked.pk]))
    assert page.status_code == 404


def _values(html, name):
    return re.findall(rf'name="{name}" value="([^"]+)"', html)


def test_the_team_may_book_automatically_when_exactly_one_time_is_best(
    asked, client, tenant, recruiter
):
    tenant.availability_booking = tenant.AvailabilityBooking.AUTOMATIC
    tenant.save()
    # Sydney Tuesday 01:00–02:00 is Monday 09:00–10:00 in New York: one hour, one loop.
    response = client.post(
        avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("2026-12-08", "01:00", "02:00"))}
    )
    assert response.status_code == 302 and "done=booked" in response["Location"]
    interview = Interview.objects.get(application=asked.application)
    assert interview.start_at == dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC)
    assert interview.created_by == recruiter  # in the name of the recruiter who asked
    asked.refresh_from_db()
    assert asked.used_at is not None
    assert "You’re booked" in text(client.get(response["Location"]))


def test_several_equally_good_times_wait_for_a_recruiter(asked, client, tenant):
    tenant.availability_booking = tenant.AvailabilityBooking.AUTOMATIC
    tenant.save()
    response = client.post(
        avail_url(asked.link), {"tz": "Australia/Sydney", **rows(("2026-12-08", "01:00", "03:00"))}
    )
    assert "done=sent" in response["Location"]
    assert not Interview.objects.filter(application=asked.application).exists()


def test_junk_rows_get_words_never_a_500(asked, client):
    junk = ["", "x", "25:00", "-1", "9:99", "١٠:٠٠", "9" * 300, "2026-02-30", "\x00", "24:30"]
    data = {"tz": "Not/AZone", "note": "n" * 5000, "day": [], "start": [], "end": []}
    for n in range(120):
        data["day"].append(junk[n % len(junk)] or "2026-12-08")
        data["start"].append(junk[(n + 3) % len(junk)])
        data["end"].append(junk[(n + 5) % len(junk)])
    response = client.post(avail_url(asked.link), data)
    assert response.status_code in (400, 429)
    assert not AvailabilityWindow.objects.exists()
