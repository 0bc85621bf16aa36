"""The candidate's pages, as a candidate uses them: open the link, pick a time, confirm,
come back to reschedule or cancel. Ivy (New York, 09:00–17:00, no calendar) interviews;
it is Tuesday 1 December 2026, 10:00 in New York, and the link offers 2–15 December."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils.html import strip_tags

from candidates import links
from candidates.models import Application, BookingLink, LinkVisit
from scheduling import booking, emails, outbox, slots
from scheduling.lib import zones
from scheduling.models import Interview, InterviewPlan, Operation, PlanSession
from tests import factories as f
from tests.candidates.links_helpers import NOW, make_link, url

pytestmark = pytest.mark.django_db


def text(response):
    html = response.content.decode().replace("<br>", " ")
    return " ".join(strip_tags(html).split())


def times_on(response, day):
    """The times offered on `day` ("Wednesday 2 December") in a page or fragment."""
    html = response.content.decode()
    section = html.split(f"<h3>{day}</h3>", 1)[1].split("</section>", 1)[0]
    return re.findall(r'class="time" href="[^"]*">([0-9:]+)<', section)


def confirm(client, link, start, tz="America/New_York", address="127.0.0.1", **data):
    values = {"start": start, "tz": tz, "version": link.version, "action": "book", **data}
    return client.post(url("confirm", link), values, REMOTE_ADDR=address)


def book_first(client, link, tz="America/New_York", start="20261207T1500Z"):
    """Book Monday 7 December, 10:00 in New York (a week ahead: well before the cut-off)."""
    response = confirm(client, link, start, tz)
    assert response.status_code == 302, text(response)[:500]
    link.refresh_from_db()
    return start, link.interview


# --- the page -------------------------------------------------------------------------------


def test_the_page_greets_the_candidate_and_shows_times_in_their_zone(client, link):
    response = client.get(url("page", link), {"tz": "Europe/London"})

    assert response.status_code == 200
    page = text(response)
    assert "Hello Grace" in page
    assert "Compiler Engineer" in page and "Acme Robotics" in page
    assert "1 hour" in page and "Video call" in page
    assert "Times in London time (United Kingdom, UTC+0)" in page
    # Ivy works 09:00–17:00 in New York, 14:00–22:00 in London; 24 hours' notice; the
    # candidate's hours end at 20:00.
    assert times_on(response, "Wednesday 2 December")[:2] == ["15:00", "15:15"]
    assert times_on(response, "Thursday 3 December")[0] == "14:00"
    assert times_on(response, "Thursday 3 December")[-1] == "19:00"
    assert "Showing times within 08:00–20:00, Monday to Friday, your time." in page
    assert "Saturday 5 December" not in page  # a day no one works is left out
    assert re.search(
        r'value="Europe/London" data-terms="[^"]*" selected', response.content.decode()
    )


def test_without_a_zone_the_page_uses_the_candidates_then_the_teams(client, link, application):
    response = client.get(url("page", link), {"tz": "Not/AZone"})
    # The team's zone is not known to be the candidate's: every time is shown, with a
    # word on how to see those that suit them.
    assert "Times in New York time (United States, UTC−5)" in text(response)
    assert "Choose your time zone above to see the times that suit you." in text(response)
    assert times_on(response, "Thursday 3 December")[0] == "09:00"
    application.candidate.timezone = "America/Los_Angeles"
    application.candidate.save()
    response = client.get(url("page", link))
    assert "Times in Los Angeles time (United States, UTC−8)" in text(response)
    # Ivy's 09:00–17:00 in New York is 06:00–14:00 in Los Angeles: from 08:00 there.
    thursday = times_on(response, "Thursday 3 December")
    assert (thursday[0], thursday[-1]) == ("08:00", "13:00")


def test_public_pages_are_not_indexed_cached_or_referred(client, link):
    for response in (
        client.get(url("page", link)),
        client.get(url("page", link), headers={"HX-Request": "true"}),
        client.head(url("page", link)),
        client.get(url("page", link)[:-5] + "xxxx/"),
    ):
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "private, no-store"
    assert (
        '<meta name="robots" content="noindex, nofollow">'
        in client.get(url("page", link)).content.decode()
    )


def test_get_and_head_never_change_what_the_link_may_do(client, link, monkeypatch):
    def no_unified(*args, **kwargs):
        raise AssertionError("HEAD must not look for times")

    monkeypatch.setattr(slots, "find", no_unified)
    head = client.head(url("page", link), headers={"User-Agent": "SafeLinks scanner"})
    assert head.status_code == 200 and head.content == b""
    monkeypatch.undo()
    client.get(url("page", link))
    client.get(url("page", link), headers={"HX-Request": "true"})  # a fragment: no visit
    client.get(url("confirm", link), {"start": "20261203T1400Z"})
    client.get(url("cancel", link))

    link.refresh_from_db()
    assert (link.state, link.version, link.interview) == (BookingLink.State.OPEN, 0, None)
    assert link.open_count == 1 and link.first_opened_at == NOW  # the GET; HEAD is a scanner
    visits = list(LinkVisit.objects.filter(link=link).order_by("at", "id"))
    assert [v.method for v in visits] == ["HEAD", "GET"]
    assert visits[0].user_agent == "SafeLinks scanner" and visits[0].network == "127.0.0.0/24"
    assert not Interview.objects.exists()


def test_a_scanners_head_is_recorded_but_the_link_shows_as_sent_not_opened(client, link, tenant):
    from candidates.pipeline import applications_for

    client.head(url("page", link), headers={"User-Agent": "SafeLinks scanner"})

    link.refresh_from_db()
    assert (link.open_count, link.first_opened_at, link.last_opened_at) == (0, None, None)
    assert LinkVisit.objects.get(link=link).method == "HEAD"
    state = applications_for(tenant, NOW).get(pk=link.application_id).scheduling_state
    assert state == "link_sent"
    client.get(url("page", link))
    state = applications_for(tenant, NOW).get(pk=link.application_id).scheduling_state
    assert state == "link_opened"


def test_the_week_is_an_htmx_fragment_served_from_the_cache(
    client, link, monkeypatch, django_assert_num_queries
):
    calls = []
    real = slots.find

    def counting(*args, **kwargs):
        calls.append(kwargs["start"])
        return real(*args, **kwargs)

    monkeypatch.setattr(slots, "find", counting)
    params = {"tz": "Europe/London", "week": "2026-12-07"}
    first = client.get(url("page", link), params, headers={"HX-Request": "true"})
    html = first.content.decode()
    assert html.lstrip().startswith('<section id="slot-week"')
    assert "<html" not in html and "Hello Grace" not in html
    assert "Week of 7 December" in html
    with django_assert_num_queries(1):  # the link's row; no visit is recorded
        second = client.get(url("page", link), params, headers={"HX-Request": "true"})
    assert second.content == first.content and len(calls) == 1
    # A change to anyone's interviews ends the cached week.
    links._bump_holds()
    client.get(url("page", link), params, headers={"HX-Request": "true"})
    assert len(calls) == 2


def test_weeks_page_through_the_window_only(client, link):
    first = client.get(url("page", link))
    assert "Week of 30 November" in text(first) and "Earlier" not in text(first)
    second = client.get(url("page", link), {"week": "2026-12-07"})
    assert "Earlier" in text(second) and "Later" in text(second)
    last = client.get(url("page", link), {"week": "2026-12-14"})
    assert "Tuesday 15 December" in text(last) and "Wednesday 16 December" not in text(last)
    assert "Later" not in text(last)
    outside = client.get(url("page", link), {"week": "2027-01-04"})
    assert "Week of 30 November" in text(outside)


# --- links that cannot be used ----------------------------------------------------------------


def test_tampered_and_unknown_links_say_not_valid_without_naming_anyone(client, link):
    token = links.token_for(link)
    tampered = client.get(f"/book/{token[:-2]}xx/")
    unknown_token = links._signer.sign("8a3f0d1e-1111-4222-8333-444455556666")
    unknown = client.get(f"/book/{unknown_token}/")
    for response in (tampered, unknown):
        assert response.status_code == 404
        assert "This link is not valid" in text(response)
        assert "Acme" not in text(response) and "rosa@" not in text(response)


def test_an_expired_link_says_so_and_who_to_ask(client, link, frozen):
    frozen.shift(dt.timedelta(days=7))
    response = client.get(url("page", link))
    assert response.status_code == 410
    assert "This link has expired" in text(response)
    assert "Acme Robotics" in text(response) and "rosa@acme.example" in text(response)
    assert client.post(url("confirm", link), {"start": "20261209T1400Z"}).status_code == 410


def test_a_revoked_link_says_it_was_withdrawn(client, link, recruiter):
    links.revoke(link, user=recruiter)
    for response in (client.get(url("page", link)), client.get(url("confirm", link))):
        assert response.status_code == 410
        assert "This link was withdrawn" in text(response)
        assert "rosa@acme.example" in text(response)


def test_unified_down_is_a_503_with_try_again_never_a_stack_trace(client, link, monkeypatch):
    def down(*args, **kwargs):
        raise slots.CalendarsUnavailable([("Ivy Chen", "503 from Unified")])

    monkeypatch.setattr(slots, "find", down)
    for response in (
        client.get(url("page", link)),
        client.get(url("page", link), headers={"HX-Request": "true"}),
        client.get(url("confirm", link), {"start": "20261203T1400Z"}),
    ):
        assert response.status_code == 503
        assert "We can’t show times right now" in response.content.decode()
        assert "Ivy" not in response.content.decode()


# --- choosing and booking ---------------------------------------------------------------------


def test_choosing_a_time_asks_for_confirmation_with_first_names(client, link, plan):
    response = client.get(url("confirm", link), {"start": "20261203T1400Z", "tz": "Europe/Paris"})
    assert response.status_code == 200
    assert "Confirm Thu 3 Dec 15:00–16:00?" in text(response)
    assert "With Ivy." in text(response) and "Chen" not in text(response)
    plan.show_interviewer_names = False
    plan.save()
    response = client.get(url("confirm", link), {"start": "20261203T1400Z", "tz": "Europe/Paris"})
    assert "Ivy" not in text(response)


def test_an_interview_may_end_after_the_candidates_midnight(client, link):
    # A plan whose candidate hours are the whole day, every day.
    link.plan.candidate_hours_start = link.plan.candidate_hours_end = dt.time(0)
    link.plan.candidate_days = list(range(7))
    link.plan.save()
    week = client.get(url("page", link), {"tz": "Asia/Tokyo", "week": "2026-11-30"})
    thursday = times_on(week, "Thursday 3 December")
    assert thursday[-4:] == ["23:00", "23:15", "23:30", "23:45"]
    assert "23:45" in times_on(week, "Friday 4 December")  # the week's last day too
    response = client.get(url("confirm", link), {"start": "20261203T1445Z", "tz": "Asia/Tokyo"})
    assert response.status_code == 200
    assert "Confirm Thu 3 Dec 23:45–00:45?" in text(response)


def test_booking_books_the_whole_interview_through_the_booking_service(client, link):
    response = confirm(client, link, "20261203T1400Z", "Europe/Paris")

    assert response.status_code == 302
    assert response["Location"] == url("page", link) + "?tz=Europe/Paris&done=booked"
    link.refresh_from_db()
    interview = link.interview
    assert link.state == BookingLink.State.BOOKED and link.version == 1
    assert link.booked_at == NOW
    assert interview.source == Interview.Source.CANDIDATE
    assert interview.start_at == dt.datetime(2026, 12, 3, 14, tzinfo=dt.UTC)
    assert interview.candidate_timezone == "Europe/Paris"
    assert interview.application.candidate.timezone == "Europe/Paris"
    assert interview.sessions.get().title == "Compiler Engineer screen"
    # The confirmation email carries the link to come back to.
    op = Operation.objects.get(
        interview=interview, kind=Operation.Kind.SEND_EMAIL, payload__kind="interview_confirmed"
    )
    assert op.payload["extra"] == {"manage_url": links.url_for(link)}
    emails.interview_to_candidate(interview, "interview_confirmed", **op.payload["extra"])
    (email,) = mail.outbox
    assert links.url_for(link) in email.body
    assert "15:00–16:00 Paris time (France, UTC+1)" in email.body

    page = client.get(response["Location"])
    assert "You’re booked" in text(page)
    assert "Thursday 3 December 2026 15:00–16:00 Paris time (France, UTC+1)" in text(page)
    assert "Add to calendar" in text(page) and 'class="time"' not in page.content.decode()


@pytest.mark.parametrize("mode", ["book", "reschedule"])
def test_a_closed_application_books_nothing_from_its_link(client, link, application, mode):
    if mode == "reschedule":
        book_first(client, link)
    Application.objects.filter(pk=application.pk).update(status="WITHDRAWN")
    before = list(Interview.objects.values_list("start_at", flat=True))

    response = confirm(client, link, "20261203T1400Z", action=mode)

    assert response.status_code == 409
    assert "This application is no longer open" in text(response)
    assert "Please contact the recruiter" in text(response)
    assert list(Interview.objects.values_list("start_at", flat=True)) == before


def test_an_application_closed_during_the_booking_books_nothing(client, link, monkeypatch):
    real = links._refuse_closed

    def closed_meanwhile(link_):
        Application.objects.filter(pk=link_.application_id).update(status="REJECTED")
        real(link_)

    monkeypatch.setattr(links, "_refuse_closed", closed_meanwhile)
    response = confirm(client, link, "20261203T1400Z")
    assert response.status_code == 409 and "no longer open" in text(response)
    link.refresh_from_db()
    assert link.state == BookingLink.State.OPEN and not Interview.objects.exists()


@pytest.mark.parametrize(
    "start",
    [
        "20261222T1500Z",  # a week after the window (2–15 December) ends
        "20261201T1500Z",  # the day before it starts
        "20261202T0430Z",  # 2 December in UTC, still 1 December in New York
    ],
)
def test_a_time_outside_the_window_is_refused_with_fresh_times(client, link, start):
    shown = client.get(url("confirm", link), {"start": start, "tz": "America/New_York"})
    posted = confirm(client, link, start)

    for response in (shown, posted):
        assert response.status_code == 400
        assert "not one this link offers" in text(response)
        assert 'class="time"' in response.content.decode()  # the times it does offer
    link.refresh_from_db()
    assert link.state == BookingLink.State.OPEN and not Interview.objects.exists()


def test_a_time_beyond_the_plans_horizon_is_refused(client, application, plan, recruiter, frozen):
    plan.horizon_days = 10
    plan.save()
    long_link = make_link(application, plan, recruiter, length=40)

    response = confirm(client, long_link, "20261214T1500Z")  # 13 days ahead

    assert response.status_code == 400 and "not one this link offers" in text(response)
    assert not Interview.objects.exists()
    assert confirm(client, long_link, "20261207T1500Z").status_code == 302


def test_a_used_link_shows_its_booking_and_never_books_twice(client, link):
    start, _interview = book_first(client, link)
    again = confirm(client, link, start, version=0)
    assert again.status_code == 409
    assert "out of date" in text(again) and "Add to calendar" in text(again)
    fresh = confirm(client, link, start, version=1)  # the current version, but a booking
    assert fresh.status_code == 409
    assert Interview.objects.count() == 1
    page = client.get(url("page", link))
    assert page.status_code == 200 and "Your interview for Compiler Engineer" in text(page)


def test_two_candidates_racing_for_one_slot_get_one_booking_and_fresh_times(
    client, link, ats, plan, recruiter
):
    other = make_link(f.application(ats, f.candidate(ats, "Alan Turing")), plan, recruiter)
    start = "20261203T1400Z"
    assert client.get(url("confirm", other), {"start": start}).status_code == 200  # Alan looks
    assert confirm(client, link, start).status_code == 302  # Grace books

    response = confirm(client, other, start)  # Alan's confirmation, from his stale page

    assert response.status_code == 409
    assert "that time was just taken" in text(response)
    thursday = times_on(response, "Thursday 3 December")
    assert "09:00" not in thursday and "09:45" not in thursday  # Grace's 09:00–10:00
    assert thursday[0] == "10:00"
    other.refresh_from_db()
    assert other.state == BookingLink.State.OPEN and other.version == 0
    assert Interview.objects.count() == 1


def test_a_slot_taken_inside_the_booking_transaction_rolls_the_link_back(
    client, link, ats, plan, recruiter, monkeypatch
):
    other = make_link(f.application(ats, f.candidate(ats, "Alan Turing")), plan, recruiter)
    zone = zones.zone("America/New_York")
    stale = links.offer_on(other, zone, dt.date(2026, 12, 3))  # before Grace books
    confirm(client, link, "20261203T1400Z")
    monkeypatch.setattr(links, "offer_on", lambda *args, **kwargs: stale)

    response = confirm(client, other, "20261203T1400Z")

    assert response.status_code == 409 and "just taken" in text(response)
    other.refresh_from_db()
    assert (other.state, other.version) == (BookingLink.State.OPEN, 0)


def test_the_sixth_attempt_in_a_minute_is_refused(client, link, frozen):
    for _ in range(5):
        assert confirm(client, link, "20261203T1400Z", version=7).status_code == 409
    response = confirm(client, link, "20261203T1400Z")
    assert response.status_code == 429
    assert "Too many attempts" in text(response) and response["Retry-After"] == "60"
    assert not Interview.objects.exists()
    frozen.shift(dt.timedelta(minutes=1))
    assert confirm(client, link, "20261203T1400Z").status_code == 302


def test_attempts_are_limited_per_address_across_links(
    client, link, ats, plan, recruiter, monkeypatch
):
    monkeypatch.setattr(links, "ATTEMPTS_PER_ADDRESS", 3)
    other = make_link(f.application(ats, f.candidate(ats, "Alan Turing")), plan, recruiter)
    for _ in range(3):
        confirm(client, link, "20261203T1400Z", version=7)
    assert confirm(client, other, "20261203T1400Z").status_code == 429
    assert confirm(client, other, "20261203T1400Z", address="10.0.0.9").status_code != 429


def post_via_proxy(client, link, forwarded):
    values = {"start": "20261203T1400Z", "tz": "UTC", "version": 7, "action": "book"}
    return client.post(
        url("confirm", link),
        values,
        REMOTE_ADDR="10.0.0.2",  # the TLS proxy
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_trusted_proxy_each_candidate_has_their_own_limit(
    client, link, ats, plan, recruiter, monkeypatch, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(links, "ATTEMPTS_PER_ADDRESS", 3)
    monkeypatch.setattr(links, "ATTEMPTS_PER_LINK", 10)
    other = make_link(f.application(ats, f.candidate(ats, "Alan Turing")), plan, recruiter)
    for _ in range(3):
        assert post_via_proxy(client, link, "203.0.113.5").status_code == 409
    # What the client itself wrote in the header (left of the proxy's entry) changes nothing.
    assert post_via_proxy(client, link, "192.0.2.1, 203.0.113.5").status_code == 429
    assert post_via_proxy(client, other, "198.51.100.7").status_code != 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(
    client, link, monkeypatch, settings
):
    assert settings.TRUSTED_PROXY_COUNT == 0
    monkeypatch.setattr(links, "ATTEMPTS_PER_ADDRESS", 2)
    monkeypatch.setattr(links, "ATTEMPTS_PER_LINK", 10)
    for forwarded in ("203.0.113.5", "198.51.100.7"):
        assert post_via_proxy(client, link, forwarded).status_code == 409
    assert post_via_proxy(client, link, "192.0.2.1").status_code == 429


def test_visits_behind_a_proxy_record_the_candidates_network(client, link, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(url("page", link), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    client.get(url("page", link), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not an address")
    assert [v.network for v in LinkVisit.objects.order_by("id")] == [
        "203.0.113.0/24",
        "10.0.0.0/24",
    ]


def test_the_confirmation_page_is_rate_limited_before_it_searches(client, link, monkeypatch):
    monkeypatch.setattr(links, "SEARCHES_PER_LINK", 2)
    searches = []
    real = links.offer_on
    monkeypatch.setattr(links, "offer_on", lambda *a, **k: searches.append(1) or real(*a, **k))
    for _ in range(2):
        assert client.get(url("confirm", link), {"start": "20261203T1400Z"}).status_code == 200
    response = client.get(url("confirm", link), {"start": "20261203T1400Z"})
    assert response.status_code == 429 and "Too many attempts" in text(response)
    assert len(searches) == 2


def test_the_calendar_file_has_the_interviews_uid_and_sequence(client, link):
    assert client.get(url("ics", link)).status_code == 404
    _start, interview = book_first(client, link)
    response = client.get(url("ics", link))
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="interview.ics"' in response["Content-Disposition"]
    body = response.content.decode()
    assert f"UID:{interview.ics_uid}" in body and "SEQUENCE:0" in body


# --- after booking: reschedule, cancel ------------------------------------------------------


def test_rescheduling_moves_the_same_interview(client, link):
    _start, interview = book_first(client, link)
    picker = client.get(url("reschedule", link), {"tz": "America/New_York"})
    assert picker.status_code == 200 and "Choose a new time" in text(picker)
    ask = client.get(url("confirm", link), {"start": "20261204T1600Z"})
    assert "Move your interview?" in text(ask) and "Fri 4 Dec 11:00–12:00" in text(ask)

    response = confirm(client, link, "20261204T1600Z", version=1, action="reschedule")

    assert response.status_code == 302 and response["Location"].endswith("done=moved")
    link.refresh_from_db()
    moved = Interview.objects.get()
    assert moved.pk == interview.pk and link.interview_id == interview.pk
    assert moved.start_at == dt.datetime(2026, 12, 4, 16, tzinfo=dt.UTC)
    assert moved.ics_sequence == 1 and link.version == 2
    op = Operation.objects.get(
        kind=Operation.Kind.SEND_EMAIL, payload__kind="interview_rescheduled"
    )
    assert op.payload["extra"] == {"manage_url": links.url_for(link)}
    assert "SEQUENCE:1" in client.get(url("ics", link)).content.decode()


def test_cancelling_asks_why_tells_the_recruiter_and_reopens_the_link(
    client, link, django_capture_on_commit_callbacks
):
    _start, interview = book_first(client, link)
    form = client.get(url("cancel", link))
    assert "Why are you canceling?" in text(form)
    # "Other" needs words.
    assert client.post(url("cancel", link), {"version": 1, "reason": "other"}).status_code == 400

    response = client.post(
        url("cancel", link), {"version": 1, "reason": "other", "reason_text": "I took a job."}
    )

    assert response.status_code == 302 and response["Location"].endswith("done=canceled")
    interview.refresh_from_db()
    link.refresh_from_db()
    assert interview.status == "canceled" and interview.cancel_reason == "I took a job."
    assert link.state == BookingLink.State.OPEN and link.version == 2
    cancel_email = Operation.objects.get(
        kind=Operation.Kind.SEND_EMAIL, payload__kind="interview_canceled"
    )
    assert cancel_email.payload["extra"]["rebook_url"] == links.url_for(link)
    tell = Operation.objects.get(
        kind=Operation.Kind.SEND_EMAIL, payload__kind="candidate_canceled"
    )
    assert tell.payload["reason"] == "I took a job."
    outbox.perform(tell.pk)
    (email,) = mail.outbox
    assert email.to == ["rosa@acme.example"]
    assert "Grace Hopper canceled" in email.subject and "I took a job." in email.body
    assert "pick a new time" in email.body

    page = client.get(response["Location"])
    assert "Your interview is canceled." in text(page)
    assert "You can pick a new time below" in text(page)
    assert times_on(page, "Thursday 3 December")
    # … and booking again from the same link works.
    assert confirm(client, link, "20261208T1500Z", version=2).status_code == 302
    assert Interview.objects.filter(status="scheduled").count() == 1


def test_after_the_cut_off_the_page_says_how_to_reach_the_recruiter(client, link, frozen):
    _start, interview = book_first(client, link)
    frozen.move_to(interview.start_at - dt.timedelta(hours=23))
    page = client.get(url("page", link))
    assert "can no longer be changed here" in text(page) and "rosa@acme.example" in text(page)
    assert "Choose another time" not in text(page)
    assert client.get(url("cancel", link)).status_code == 200  # the booked page
    refused = client.post(url("cancel", link), {"version": 1, "reason": "ill"})
    assert refused.status_code == 409
    moved = confirm(client, link, "20261204T1600Z", version=1, action="reschedule")
    assert moved.status_code == 409
    interview.refresh_from_db()
    assert interview.is_active and interview.start_at == dt.datetime(
        2026, 12, 7, 15, tzinfo=dt.UTC
    )


def test_a_recruiters_cancellation_does_not_reopen_the_link(client, link, recruiter):
    _start, interview = book_first(client, link)
    booking.cancel(interview, reason="Role on hold", user=recruiter)
    page = client.get(url("page", link))
    assert "was canceled" in text(page) and "Role on hold" not in text(page)
    assert 'class="time"' not in page.content.decode()
    assert confirm(client, link, "20261207T1500Z", version=1).status_code == 409
    link.refresh_from_db()
    assert link.state == BookingLink.State.BOOKED


def test_a_loop_is_booked_whole_from_one_start(client, link, plan, tenant):
    max_ = f.interviewer(tenant, "Max Planck", timezone="America/New_York")
    values = PlanSession.objects.create(
        plan=plan, position=1, title_template="Values", duration_minutes=45
    )
    values.required.add(max_)
    plan.break_minutes = 15
    plan.save()
    page = client.get(url("page", link))
    assert "2 hours, in 2 parts" in text(page)
    ask = client.get(url("confirm", link), {"start": "20261203T1400Z"})
    assert "Confirm Thu 3 Dec 09:00–11:00?" in text(ask)
    assert "09:00–10:00 Compiler Engineer screen with Ivy" in text(ask)
    assert "10:15–11:00 Values with Max" in text(ask)

    confirm(client, link, "20261203T1400Z")

    interview = Interview.objects.get()
    assert [(s.title, s.attendees.get().interviewer.name) for s in interview.sessions.all()] == [
        ("Compiler Engineer screen", "Ivy Chen"),
        ("Values", "Max Planck"),
    ]
    booked = client.get(url("page", link))
    assert "10:15–11:00 Values with Max" in text(booked)


def test_an_office_interview_says_where(client, link, plan):
    plan.location_kind = InterviewPlan.Location.OFFICE
    plan.location_detail = "12 Main St, Brooklyn"
    plan.save()
    assert "In person: 12 Main St, Brooklyn" in text(client.get(url("page", link)))


# --- time zones across a daylight-saving change ---------------------------------------------


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # London's clocks go forward on Sunday 28 March 2027: 09:00 stays 09:00 there …
        ("Europe/London", ["09:00", "16:00"], ["09:00", "16:00"]),
        # … and New York (already on summer time since 14 March) sees it an hour earlier
        # (05:00–12:00, then 04:00–11:00), from 08:00 its candidates' hours allow.
        ("America/New_York", ["08:00", "12:00"], ["08:00", "11:00"]),
    ],
)
def test_times_follow_a_daylight_saving_change_in_the_window(
    client, tenant, ats, recruiter, zone, before, after
):
    lena = f.interviewer(tenant, "Lena Berg", timezone="Europe/London")
    plan = InterviewPlan.objects.create(tenant=tenant, name="London", minimum_notice_hours=0)
    PlanSession.objects.create(plan=plan, title_template="Chat", duration_minutes=60)
    plan.sessions.get().required.add(lena)
    with time_machine.travel(dt.datetime(2027, 3, 22, 6, tzinfo=dt.UTC), tick=False):
        link = make_link(
            f.application(ats), plan, recruiter, start=dt.date(2027, 3, 24), length=10
        )
        first = client.get(url("page", link), {"tz": zone})
        second = client.get(url("page", link), {"tz": zone, "week": "2027-03-29"})

    friday = times_on(first, "Friday 26 March")
    monday = times_on(second, "Monday 29 March")
    assert [friday[0], friday[-1]] == before
    assert [monday[0], monday[-1]] == after
    # The same wall-clock hour in London is a different instant on each side of the change.
    assert f"start=20270326T{'09' if zone == 'Europe/London' else '12'}00Z" in (
        first.content.decode()
    )
    assert f"start=20270329T{'08' if zone == 'Europe/London' else '12'}00Z" in (
        second.content.decode()
    )


# --- CSRF under Referrer-Policy: no-referrer --------------------------------------------------


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "null"},  # what browsers send under the page's no-referrer policy
        {"secure": True},  # HTTPS without Origin or Referer
    ],
)
def test_the_confirmation_form_posts_under_no_referrer_with_its_token(link, headers):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(url("confirm", link), {"start": "20261203T1400Z"})
    data = {
        "start": "20261203T1400Z",
        "version": 0,
        "action": "book",
        "csrfmiddlewaretoken": csrf_token(page),
    }
    assert client.post(url("confirm", link), data, **headers).status_code == 302


def test_posts_without_the_token_or_from_another_site_are_refused(link):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(url("confirm", link), {"start": "20261203T1400Z"})
    data = {"start": "20261203T1400Z", "version": 0, "action": "book"}
    assert client.post(url("confirm", link), data, HTTP_ORIGIN="null").status_code == 403
    data["csrfmiddlewaretoken"] = csrf_token(page)
    evil = client.post(url("confirm", link), data, HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403
    assert not Interview.objects.exists()


# --- where and how ----------------------------------------------------------------------------


def test_a_phone_interview_asks_the_number_and_every_word_after_says_who_calls(client, link, plan):
    plan.location_kind = InterviewPlan.Location.PHONE
    plan.save()
    page = text(client.get(url("page", link), {"tz": "Europe/Paris"}))
    assert "Phone call: we call you on the number you give when you book" in page
    asked = client.get(url("confirm", link), {"start": "20261203T1400Z", "tz": "Europe/Paris"})
    assert "The number we call you on" in text(asked)

    # No number, or not a number: said beside the field, nothing booked.
    for typed, problem in (
        ("", "Give the number we should call you on."),
        ("call me maybe", "This does not look like a phone number"),
    ):
        refused = confirm(client, link, "20261203T1400Z", "Europe/Paris", phone=typed)
        assert refused.status_code == 400
        assert problem in text(refused)
        link.refresh_from_db()
        assert link.state == BookingLink.State.OPEN

    booked = confirm(client, link, "20261203T1400Z", "Europe/Paris", phone="+33 6 12 34 56 78")
    assert booked.status_code == 302
    link.refresh_from_db()
    interview = link.interview
    assert interview.candidate_phone == "+33 6 12 34 56 78"
    assert "Phone call: we call you on +33 6 12 34 56 78" in text(client.get(booked["Location"]))
    emails.interview_to_candidate(interview, "interview_confirmed")
    (email,) = mail.outbox
    assert "Phone call: we call you on +33 6 12 34 56 78" in email.body
    assert "LOCATION:Phone call: we call you on +33 6 12 34 56 78" in (
        str(email.attachments[0][1])
    )


def test_an_office_interview_gives_the_address_a_map_and_the_arrival_notes(client, link, plan):
    plan.location_kind = InterviewPlan.Location.OFFICE
    plan.location_detail = "350 Fifth Avenue, New York"
    plan.location_notes = "Ask for Ivy at the front desk, 21st floor."
    plan.save()
    page = client.get(url("page", link), {"tz": "Europe/Paris"})
    assert "In person: 350 Fifth Avenue, New York" in text(page)
    assert "https://www.google.com/maps/search/?api=1&amp;query=350+Fifth+Avenue" in (
        page.content.decode()
    )
    _start, interview = book_first(client, link)
    emails.interview_to_candidate(interview, "interview_confirmed")
    (email,) = mail.outbox
    assert "In person: 350 Fifth Avenue, New York" in email.body
    assert "Ask for Ivy at the front desk, 21st floor." in email.body
    assert "Map: https://www.google.com/maps/search/?api=1&query=350+Fifth+Avenue" in email.body
    assert "LOCATION:350 Fifth Avenue\\, New York" in str(email.attachments[0][1])
