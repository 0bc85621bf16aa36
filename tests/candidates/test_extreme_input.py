"""Malformed and extreme input found by probing a production-like instance: each used to be
a 500; each now gets a page (or a 404) saying what is wrong, and changes nothing. (The signed
delivery dated before year 1 is in tests/scheduling/test_webhooks.py.)"""

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import BookingLink
from scheduling.lib import zones
from scheduling.models import Interview
from tests.candidates.links_helpers import url

pytestmark = pytest.mark.django_db


def test_connect_start_with_a_replaces_that_is_no_id_is_a_404(admin_client_):
    start = reverse("connection_start", args=["ats", "greenhouse"])
    assert admin_client_.get(f"{start}?replaces=not-a-uuid").status_code == 404


def test_a_malformed_swap_field_is_ignored_and_the_booking_goes_ahead(
    recruiter_client, application, plan, frozen
):
    response = recruiter_client.post(
        reverse("schedule", args=[application.pk]),
        {
            "start": "2026-12-03T14:00:00+00:00",  # Thursday 09:00 in New York: free
            "week": "2026-11-30",
            "swap:": "x",
            "swap:only-one-part": "x",
            "swap": "x",
        },
    )
    assert response.status_code == 302
    assert Interview.objects.filter(application=application).count() == 1


@pytest.mark.parametrize("start", ["00010101T0000Z", "99991231T2359Z", "99991231T2359"])
def test_a_booking_links_confirm_page_with_a_start_at_the_ends_of_time_shows_the_times(
    client, link, start
):
    for tz in ("America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"):
        response = client.get(url("confirm", link), {"start": start, "tz": tz}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith(url("page", link))
        label = zones.describe(tz, timezone.now())
        assert f'Times in <strong class="zone-name">{label}</strong>' in response.content.decode()
    posted = client.post(
        url("confirm", link), {"start": start, "action": "book", "version": link.version}
    )
    assert posted.status_code == 302
    assert not Interview.objects.exists()


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "9999-W52-7"])
def test_the_pickers_week_at_the_ends_of_time_starts_today(
    recruiter_client, client, application, link, week
):
    picker = recruiter_client.get(reverse("schedule", args=[application.pk]), {"week": week})
    assert picker.status_code == 200
    today = timezone.localtime(timezone.now(), zones.zone(application.tenant.default_timezone))
    assert picker.context["week"] == today.date()  # the picker starts today, never earlier
    for name in ("page", "reschedule"):
        assert client.get(url(name, link), {"week": week}).status_code in (200, 302)


def test_an_override_at_the_end_of_time_is_refused_beside_the_field(
    recruiter_client, application, plan, frozen
):
    response = recruiter_client.post(
        reverse("schedule", args=[application.pk]),
        {"override": "1", "start": "9999-12-31T23:30", "reason": "Typo in the year"},
    )
    assert response.status_code == 400
    assert "Choose a time within two years of today." in response.content.decode()
    assert not Interview.objects.exists()


def test_booking_links_for_days_at_the_end_of_time_are_refused_beside_the_field(
    recruiter_client, application, plan, frozen
):
    """A link for 9999-12-31 would give its candidate a 500 on every open."""
    response = recruiter_client.post(
        reverse("links_send"),
        {
            "application": application.pk,
            "plan": plan.pk,
            "window_start": "9999-12-31",
            "window_end": "9999-12-31",
            "expiry_days": "3",
            "send": "1",
        },
    )
    assert response.status_code == 400
    assert "The first day is more than a year away." in response.content.decode()
    assert not BookingLink.objects.exists()


@pytest.mark.parametrize("name", ["interviewer_list", "outbox", "pipeline"])
def test_a_search_with_a_nul_character_finds_nothing_odd(recruiter_client, name):
    """PostgreSQL's text cannot hold NUL: `?q=%00` was a 500 there (make test-postgres)."""
    response = recruiter_client.get(reverse(name), {"q": "grace\x00"})
    assert response.status_code == 200
