"""The candidate's zone, known and shown: the recruiter's picker shows both clocks and asks
before booking outside the candidate's hours; the candidate and interview pages show both;
the candidate's emails are in their zone; the booking page learns the zone, opens on the
first week with a time and writes times as the candidate's locale does. Ivy (New York,
09:00–17:00, no calendar) interviews; it is Tuesday 1 December 2026, 10:00 in New York."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from candidates.models import Candidate, LinkVisit
from scheduling import emails
from scheduling.models import AuditEntry, Interview, Operation
from tests.candidates.links_helpers import url

pytestmark = pytest.mark.django_db

LA = "America/Los_Angeles"


def text(response):
    return " ".join(strip_tags(response.content.decode().replace("<br>", " ")).split())


@pytest.fixture
def la_application(application):
    application.candidate.note_zone(LA, Candidate.ZoneSource.RECRUITER)
    return application


def picker(client, application, week="2026-12-07"):
    return client.get(reverse("schedule", args=[application.pk]), {"week": week})


# --- the recruiter's picker -----------------------------------------------------------------


def test_the_picker_shows_both_zones_and_marks_times_outside_the_candidates_hours(
    recruiter_client, la_application, plan, frozen
):
    response = picker(recruiter_client, la_application)
    page = text(response)
    assert "Times on your clock: New York time (United States, UTC−5)" in page
    assert "Grace’s clock: Los Angeles time (United States, UTC−8) (set by a recruiter" in page
    monday = next(d for d in response.context["days"] if d["date"] == dt.date(2026, 12, 7))
    first, last = monday["slots"][0], monday["slots"][-1]
    # 09:00 in New York is 06:00 in Los Angeles: outside 08:00–20:00 there; 11:00 is inside.
    assert first.outside_candidate_hours
    assert not next(s for s in monday["slots"] if s.start.hour == 16).outside_candidate_hours
    assert not last.outside_candidate_hours
    html = response.content.decode()
    # Each time says the candidate's clock to a screen reader, and is marked when outside.
    assert re.search(r'class="time outside"[^>]*>09:00<span class="visually-hidden">, 06:00 '
                     r"for Grace, outside their hours", html)  # fmt: skip
    # The time chosen shows both clocks and asks before booking outside their hours.
    chosen = recruiter_client.get(
        reverse("schedule", args=[la_application.pk]),
        {"week": "2026-12-07", "at": first.start.isoformat()},
    )
    shown = text(chosen)
    assert "Monday 7 December, 09:00–10:00 06:00–07:00 for Grace" in shown
    assert "Outside Grace’s hours (08:00–20:00, Monday to Friday" in shown
    assert 'name="outside_ok" value="1" required' in chosen.content.decode()


def test_booking_outside_the_candidates_hours_asks_first_then_books_in_their_zone(
    recruiter_client, la_application, plan, frozen, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    start = dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC)  # 09:00 New York, 06:00 Los Angeles
    target = reverse("schedule", args=[la_application.pk])
    data = {"start": start.isoformat(), "week": "2026-12-07"}

    refused = recruiter_client.post(target, data)
    assert refused.status_code == 400
    assert "06:00 is outside Grace’s hours (08:00–20:00, Monday to Friday" in text(refused)
    assert not Interview.objects.exists()

    booked = recruiter_client.post(target, {**data, "outside_ok": "1"})
    assert booked.status_code == 302
    interview = Interview.objects.get()
    assert interview.candidate_timezone == LA and interview.candidate_zone_name == LA
    op = Operation.objects.get(interview=interview, payload__kind="interview_confirmed")
    emails.interview_to_candidate(interview, "interview_confirmed", **op.payload["extra"])
    (email,) = mail.outbox
    assert "Monday 7 December 2026, 06:00–07:00 Los Angeles time (United States, UTC−8)" in (
        email.body
    )
    assert email.subject.endswith("Mon 7 Dec, 06:00 Los Angeles time")

    detail = text(recruiter_client.get(reverse("interview_detail", args=[interview.pk])))
    assert "Monday 7 December 2026, 09:00–10:00 New York time (United States, UTC−5)" in detail
    assert "For Grace" in detail
    assert (
        "Monday 7 December 2026, 06:00–07:00 Los Angeles time (United States, UTC−8)"
        " · set by a recruiter" in detail
    )


def test_the_picker_never_offers_a_week_wholly_in_the_past(
    recruiter_client, application, plan, frozen
):
    this_week = recruiter_client.get(reverse("schedule", args=[application.pk]))
    # Seven days from today (Tuesday 1 December): no past day, so no "too soon" for one.
    assert this_week.context["days"][0]["date"] == dt.date(2026, 12, 1)
    assert len(this_week.context["days"]) == 7
    assert "Earlier" not in text(this_week)
    older = picker(recruiter_client, application, week="2026-11-02")
    assert older.context["week"] == dt.date(2026, 12, 1)
    assert "Earlier" in text(picker(recruiter_client, application, week="2026-12-07"))


def test_an_unknown_zone_is_said_and_the_teams_hours_are_used(
    recruiter_client, application, plan, frozen
):
    page = text(picker(recruiter_client, application))
    assert "Grace’s zone is not known yet, so their hours are taken on the team’s clock" in page


# --- the candidate page ---------------------------------------------------------------------


def test_the_recruiter_sets_the_zone_on_the_candidate_page(recruiter_client, application):
    candidate = application.candidate
    page = recruiter_client.get(reverse("candidate_detail", args=[candidate.pk]))
    assert "Not known yet" in text(page)
    assert 'name="timezone" data-zone-picker' in page.content.decode()

    response = recruiter_client.post(
        reverse("candidate_zone", args=[candidate.pk]), {"timezone": "Asia/Calcutta"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.timezone, candidate.timezone_source) == ("Asia/Kolkata", "recruiter")
    entry = AuditEntry.objects.get(action="candidate.zone_set")
    assert entry.message == "Set Grace Hopper’s time zone to India — Kolkata (Asia/Kolkata)"
    page = text(recruiter_client.get(reverse("candidate_detail", args=[candidate.pk])))
    assert re.search(r"India — Kolkata \(UTC\+5:30\), \d\d:\d\d now Set by a recruiter", page)

    bad = recruiter_client.post(
        reverse("candidate_zone", args=[candidate.pk]), {"timezone": "Mars/Base"}, follow=True
    )
    assert "Choose a time zone from the list." in text(bad)


def test_another_teams_candidate_zone_cannot_be_set(outsider_client, application):
    response = outsider_client.post(
        reverse("candidate_zone", args=[application.candidate.pk]), {"timezone": LA}
    )
    assert response.status_code == 404


# --- the booking page -------------------------------------------------------------------------


def test_the_booking_page_learns_the_browsers_zone_without_counting_a_second_visit(
    client, link, application
):
    client.get(url("page", link))  # the first paint's script reopens it in the browser's zone
    client.get(url("page", link), {"tz": "Asia/Calcutta", "detected": "1"})
    candidate = Candidate.objects.get(pk=application.candidate_id)
    assert (candidate.timezone, candidate.timezone_source) == ("Asia/Kolkata", "booking")
    link.refresh_from_db()
    assert link.open_count == 1 and LinkVisit.objects.count() == 1
    # A week link carrying the zone stores nothing; a pick in the picker does.
    client.get(url("page", link), {"tz": "Europe/Paris", "week": "2026-12-07"})
    candidate.refresh_from_db()
    assert candidate.timezone == "Asia/Kolkata"
    client.get(url("page", link), {"tz": "Europe/Paris", "pick": "1"})
    candidate.refresh_from_db()
    assert candidate.timezone == "Europe/Paris"


def test_a_detected_zone_does_not_undo_the_recruiters(client, link, la_application):
    client.get(url("page", link), {"tz": "Asia/Tokyo", "detected": "1"})
    candidate = Candidate.objects.get(pk=la_application.candidate_id)
    assert (candidate.timezone, candidate.timezone_source) == (LA, "recruiter")


def test_the_page_opens_on_the_first_week_with_a_time(client, link, ivy):
    # Ivy is away the whole first week of the window.
    ivy.working_hours_exceptions = {f"2026-12-0{d}": [] for d in range(2, 7)}
    ivy.save()
    response = client.get(url("page", link), {"tz": "America/New_York"})
    page = text(response)
    assert "Week of 7 December" in page
    assert "Nothing is free before then. Earliest: Monday 7 December." in page
    assert "Earlier" in page  # the empty week stays one click away
    asked = text(client.get(url("page", link), {"tz": "America/New_York", "week": "2026-12-02"}))
    assert "Week of 30 November" in asked and "Earliest" not in asked


def test_times_follow_the_candidates_locale(client, link):
    twelve = client.get(
        url("page", link), {"tz": "America/New_York"}, headers={"Accept-Language": "en-US"}
    )
    assert re.findall(r'class="time" href="[^"]*">([^<]+)<', twelve.content.decode())[:2] == [
        "10:00\xa0am",
        "10:15\xa0am",
    ]
    twenty_four = client.get(
        url("page", link), {"tz": "America/New_York"}, headers={"Accept-Language": "en-GB"}
    )
    assert re.findall(r'class="time" href="[^"]*">([^<]+)<', twenty_four.content.decode())[:2] == [
        "10:00",
        "10:15",
    ]


def test_a_day_outside_the_candidates_days_is_left_out_and_the_reason_is_theirs(
    client, link, ivy, plan
):
    # Ivy works weekends too; the candidate's days are Monday to Friday.
    ivy.working_hours = [[["09:00", "17:00"]]] * 7
    ivy.save()
    page = text(client.get(url("page", link), {"tz": "America/New_York", "week": "2026-12-07"}))
    assert "Saturday 12 December" not in page
    # A candidate in Kolkata: Ivy's 09:00 is 19:30 there, so an hour never fits by 20:00.
    kolkata = text(client.get(url("page", link), {"tz": "Asia/Kolkata", "week": "2026-12-07"}))
    assert "No free times during your day." in kolkata
    assert "Showing times within 08:00–20:00, Monday to Friday, your time." in kolkata


def test_the_plans_own_candidate_hours_win_over_the_teams(client, link, plan, tenant):
    plan.candidate_hours_start, plan.candidate_hours_end = dt.time(12), dt.time(14)
    plan.candidate_days = [0, 1, 2, 3, 4]
    plan.save()
    tenant.candidate_hours_start = dt.time(6)
    tenant.save()
    response = client.get(url("page", link), {"tz": "America/New_York", "week": "2026-12-07"})
    times = re.findall(r'class="time" href="[^"]*">([0-9:]+)<', response.content.decode())
    assert times and min(times) == "12:00" and max(times) == "13:00"


def test_a_plan_without_own_hours_follows_the_team(client, link, tenant):
    tenant.candidate_hours_start, tenant.candidate_hours_end = dt.time(13), dt.time(15)
    tenant.save()
    response = client.get(url("page", link), {"tz": "America/New_York", "week": "2026-12-07"})
    times = re.findall(r'class="time" href="[^"]*">([0-9:]+)<', response.content.decode())
    assert times and min(times) == "13:00" and max(times) == "14:00"


def test_a_link_with_no_time_in_the_candidates_day_says_to_get_in_touch(client, link):
    # Ivy's 09:00 in New York is 19:30 in Kolkata: an hour never ends by 20:00 there.
    page = text(client.get(url("page", link), {"tz": "Asia/Kolkata"}))
    assert (
        "None of the days this link offers has a free time within your hours. Tell us when you "
        "can, and we will book a time inside yours." in page
    )
    assert "Try the next week" not in page
