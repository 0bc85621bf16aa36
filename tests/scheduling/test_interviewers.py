import re

import pytest
from django.urls import reverse

from scheduling.forms import parse_ranges
from scheduling.models import Connection
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_parse_ranges_accepts_several_ranges_and_sorts_them():
    assert parse_ranges("13:00-17:00, 9:00–12:00") == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert parse_ranges("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9-5", "is not a range"),
        ("17:00-09:00", "end is not after the start"),
        ("09:00-12:00, 11:00-13:00", "overlap"),
        ("25:00-26:00", "not a time of day"),
    ],
)
def test_parse_ranges_refuses_nonsense_with_a_reason(text, message):
    from django import forms

    with pytest.raises(forms.ValidationError, match=message):
        parse_ranges(text)


def test_interviewer_list_shows_hours_and_calendar_state(recruiter_client, tenant):
    f.interviewer(tenant, "Ivy Chen", title="Staff Engineer")
    response = recruiter_client.get(reverse("interviewer_list"))
    html = response.content.decode()
    assert "Ivy Chen" in html and "Staff Engineer" in html
    assert "Mon–Fri 09:00–17:00" in html
    assert "no calendar" in html


def test_admin_edits_hours_zone_limits_and_calendar(admin_client_, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    cal = f.connection(
        tenant,
        Connection.Category.CALENDAR,
        calendars=[{"id": "ivy@acme.example", "name": "Ivy", "timezone": "", "is_primary": True}],
    )
    ivy.working_hours_exceptions = {"2026-12-31": [["09:00", "12:00"]], "2026-11-02": []}
    ivy.save()
    data = {
        "timezone": "Europe/London",
        # The weekly grid: Monday with a break, Wednesday and the weekend off.
        "from_0": "09:00",
        "until_0": "12:00",
        "from2_0": "13:00",
        "until2_0": "17:30",
        "from_1": "10:00",
        "until_1": "16:00",
        "from_3": "09:00",
        "until_3": "17:00",
        "from_4": "09:00",
        "until_4": "17:00",
        # Days off picked as dates; the half day kept, an old day off unticked.
        "keep_exceptions": ["2026-12-31"],
        "new_day_off": "2026-12-24",
        "max_interviews_per_day": "2",
        "max_interviews_per_week": "",
        "calendar": f"{cal.pk}|ivy@acme.example",
        "active": "on",
    }
    response = admin_client_.post(reverse("interviewer_detail", args=[ivy.pk]), data)
    assert response.status_code == 302
    ivy.refresh_from_db()
    assert ivy.timezone == "Europe/London"
    assert ivy.working_hours[0] == [["09:00", "12:00"], ["13:00", "17:30"]]
    assert ivy.working_hours[2] == []
    assert ivy.working_hours_exceptions == {"2026-12-24": [], "2026-12-31": [["09:00", "12:00"]]}
    assert ivy.max_interviews_per_day == 2 and ivy.max_interviews_per_week is None
    assert ivy.calendar_connection == cal and ivy.calendar_id == "ivy@acme.example"
    assert tenant.audit_entries.filter(action="interviewer.updated").exists()


def test_bad_hours_are_shown_beside_the_field_and_nothing_is_saved(admin_client_, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    response = admin_client_.post(
        reverse("interviewer_detail", args=[ivy.pk]),
        {
            "timezone": "Mars/Olympus",
            "from_0": "17:00",
            "until_0": "09:00",
            "from_1": "09:00",
            "new_day_off": "tomorrow",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end must be after the start" in html
    assert "Give both times, or neither." in html
    assert "Enter a valid date." in html
    assert "is not a known time zone" in html
    ivy.refresh_from_db()
    assert ivy.timezone == "America/New_York"
    assert ivy.working_hours[0] == [["09:00", "17:00"]]


def test_a_calendar_of_another_tenant_cannot_be_chosen(admin_client_, tenant, other_tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    theirs = f.connection(other_tenant, Connection.Category.CALENDAR)
    response = admin_client_.post(
        reverse("interviewer_detail", args=[ivy.pk]),
        {"timezone": "UTC", "calendar": f"{theirs.pk}|x@globex.example"},
    )
    assert response.status_code == 200
    ivy.refresh_from_db()
    assert ivy.calendar_connection is None


def test_recruiters_see_but_cannot_edit(recruiter_client, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    url = reverse("interviewer_detail", args=[ivy.pk])
    page = recruiter_client.get(url)
    assert b"Only an admin can change these" in page.content
    assert recruiter_client.post(url, {"timezone": "UTC"}).status_code == 404


def test_interviewer_of_another_tenant_is_a_404(outsider_client, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    assert outsider_client.get(reverse("interviewer_detail", args=[ivy.pk])).status_code == 404


def test_profile_shows_the_signed_in_persons_interviewer_record(client, tenant, recruiter):
    f.interviewer(tenant, "Rosa Recruiter", user=recruiter)
    client.force_login(recruiter)
    response = client.get(reverse("profile"))
    assert b"Connect your calendar" in response.content
    assert b"Mon\xe2\x80\x93Fri 09:00\xe2\x80\x9317:00" in response.content


def test_team_settings_change_interview_statuses(admin_client_, tenant):
    response = admin_client_.post(
        reverse("team_settings"),
        {
            "name": "Acme",
            "default_timezone": "Europe/Berlin",
            "interview_statuses": ["SCREENING", "THIRD_INTERVIEW"],
        },
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.interview_statuses == ["SCREENING", "THIRD_INTERVIEW"]
    assert tenant.default_timezone == "Europe/Berlin"


def test_zones_are_chosen_by_place_with_the_likely_ones_first(admin_client_, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen", timezone="US/Eastern")
    for url in (reverse("team_settings"), reverse("interviewer_detail", args=[ivy.pk])):
        html = admin_client_.get(url).content.decode()
        assert "data-zone-picker" in html
        assert '<optgroup label="Suggested">' in html
        # Labelled by place and offset, and found by its old name, as on the booking page.
        kolkata = re.search(
            r'<option value="Asia/Kolkata" data-terms="([^"]*)"[^>]*>([^<]*)<', html
        )
        assert "calcutta" in kolkata[1].split()
        assert kolkata[2].startswith("India — Kolkata (UTC+5:30), ")
    # A legacy name selects the zone it stands for.
    assert '<option value="America/New_York" selected' in html


def test_team_settings_are_for_admins_only(recruiter_client):
    assert recruiter_client.get(reverse("team_settings")).status_code == 403


def test_the_hours_are_a_grid_and_days_off_are_dates(admin_client_, tenant):
    ivy = f.interviewer(tenant, "Ivy Chen")
    html = admin_client_.get(reverse("interviewer_detail", args=[ivy.pk])).content.decode()
    assert 'type="time" name="from_0"' in html and 'value="09:00"' in html
    assert 'type="date" name="new_day_off"' in html
    assert "09:00-17:00" not in html and ": off" not in html


def test_interviewers_edit_their_own_hours_unless_an_admin_locked_them(client, tenant):
    from scheduling.models import Membership
    from tests.conftest import make_member

    user = make_member(tenant, "ivy@acme.example", Membership.Role.INTERVIEWER)
    ivy = f.interviewer(tenant, "Ivy Chen", user=user)
    client.force_login(user)
    page = client.get(reverse("profile"))
    assert "Save my availability" in page.content.decode()
    response = client.post(
        reverse("profile"),
        {"timezone": "Europe/Paris", "from_0": "08:00", "until_0": "12:00",
         "new_day_off": "2027-01-04", "new_day_off_until": "2027-01-05"},
    )  # fmt: skip
    assert response.status_code == 302
    ivy.refresh_from_db()
    assert ivy.timezone == "Europe/Paris"
    assert ivy.working_hours == [[["08:00", "12:00"]], [], [], [], [], [], []]
    assert ivy.working_hours_exceptions == {"2027-01-04": [], "2027-01-05": []}

    ivy.lock_timezone = ivy.lock_hours = ivy.lock_days_off = ivy.lock_caps = True
    ivy.save()
    assert (
        "An admin of Acme Robotics set your hours"
        in client.get(reverse("profile")).content.decode()
    )
    assert client.post(reverse("profile"), {"timezone": "UTC"}).status_code == 403
    ivy.refresh_from_db()
    assert ivy.timezone == "Europe/Paris"
