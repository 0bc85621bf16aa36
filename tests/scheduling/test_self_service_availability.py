"""An interviewer sets their own zone, weekly hours, days off and limits on My profile;
an admin locks any of those per person ("Set by your admin"), and a POST that carries a
locked field is refused. Every change is in the audit log, and the recruiter's picker
follows it at its next search. No calendars: the engine works from hours alone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import AuditEntry, InterviewPlan, Membership, PlanSession
from tests import factories as f
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def kenji_user(tenant):
    return make_member(tenant, "kenji@acme.example", Membership.Role.INTERVIEWER)


@pytest.fixture
def kenji(tenant, kenji_user):
    return f.interviewer(
        tenant,
        "Kenji Sato",
        user=kenji_user,
        timezone="Asia/Tokyo",
        max_interviews_per_day=3,
        max_interviews_per_week=10,
    )


@pytest.fixture
def kenji_client(client, kenji_user, kenji):
    client.force_login(kenji_user)
    return client


def week_of_hours(start="09:00", end="17:00", days=range(5)):
    data = {}
    for i in days:
        data[f"from_{i}"], data[f"until_{i}"] = start, end
    return data


def my_form(kenji, **changes):
    """What the profile's form posts as it stands (every input a browser sends)."""
    data = {
        "timezone": kenji.timezone,
        "max_interviews_per_day": str(kenji.max_interviews_per_day or ""),
        "max_interviews_per_week": str(kenji.max_interviews_per_week or ""),
        **week_of_hours(),
        # The days off and other hours stay ticked.
        "keep_exceptions": list(kenji.working_hours_exceptions or {}),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- editing and locks -----------------------------------------------------------------------


def test_the_interviewer_sets_their_limits_and_the_audit_log_says_what_changed(
    kenji_client, kenji
):
    page = kenji_client.get(reverse("profile")).content.decode()
    assert 'name="max_interviews_per_day"' in page and "Set by your admin" not in page
    # Each time field names its column, so a phone shows each day as labelled times.
    assert 'data-label="From"' in page and 'data-label="Then from"' in page

    response = kenji_client.post(
        reverse("profile"),
        my_form(kenji, max_interviews_per_day="2", max_interviews_per_week="", from_0="10:00"),
    )

    assert response.status_code == 302
    kenji.refresh_from_db()
    assert (kenji.max_interviews_per_day, kenji.max_interviews_per_week) == (2, None)
    assert kenji.working_hours[0] == [["10:00", "17:00"]]
    entry = AuditEntry.objects.get(action="interviewer.updated", object_id=str(kenji.pk))
    assert entry.actor == kenji.user
    assert entry.data["changed"] == {
        "working hours": ["Mon–Fri 09:00–17:00", "Mon 10:00–17:00; Tue–Fri 09:00–17:00"],
        "limits": ["3 a day, 10 a week", "2 a day, no limit a week"],
    }
    assert "Kenji Sato changed their own availability: working hours" in entry.message


def test_bad_limits_are_shown_beside_the_field_and_nothing_is_saved(kenji_client, kenji):
    response = kenji_client.post(reverse("profile"), my_form(kenji, max_interviews_per_day="0"))
    assert response.status_code == 400
    assert "At least 1; leave it empty for no limit." in response.content.decode()
    kenji.refresh_from_db()
    assert kenji.max_interviews_per_day == 3


LOCKED = [
    ("lock_timezone", "timezone", "Europe/Paris", 'name="timezone"'),
    ("lock_hours", "from_0", "07:00", 'name="from_0"'),
    ("lock_days_off", "new_day_off", "2030-01-07", 'name="new_day_off"'),
    ("lock_caps", "max_interviews_per_day", "5", 'name="max_interviews_per_day"'),
]


@pytest.mark.parametrize(("lock", "field", "value", "input_html"), LOCKED)
def test_a_locked_field_shows_as_set_by_the_admin_and_a_post_of_it_is_refused(
    kenji_client, kenji, lock, field, value, input_html
):
    setattr(kenji, lock, True)
    kenji.working_hours_exceptions = {"2030-01-01": []}
    kenji.save()
    page = kenji_client.get(reverse("profile")).content.decode()
    assert "Set by your admin" in page
    assert input_html not in page
    # The other parts stay theirs to edit.
    for other_lock, _f, _v, other_input in LOCKED:
        if other_lock != lock:
            assert other_input in page

    before = {
        "timezone": kenji.timezone,
        "hours": kenji.working_hours,
        "off": kenji.working_hours_exceptions,
        "caps": (kenji.max_interviews_per_day, kenji.max_interviews_per_week),
    }
    # A crafted POST that carries the locked field: refused, nothing saved at all.
    honest = my_form(kenji)
    for name in {
        "lock_timezone": ["timezone"],
        "lock_hours": [k for k in honest if k[:4] in ("from", "unti")],
        "lock_caps": ["max_interviews_per_day", "max_interviews_per_week"],
        "lock_days_off": ["keep_exceptions"],
    }[lock]:
        honest.pop(name)
    tampered = {**honest, field: value, "max_interviews_per_week": "9"}
    if lock == "lock_caps":
        tampered.pop("max_interviews_per_week")
    refused = kenji_client.post(reverse("profile"), tampered)
    assert refused.status_code == 403
    kenji.refresh_from_db()
    assert before == {
        "timezone": kenji.timezone,
        "hours": kenji.working_hours,
        "off": kenji.working_hours_exceptions,
        "caps": (kenji.max_interviews_per_day, kenji.max_interviews_per_week),
    }

    # What the page posts (no locked input) saves the rest and keeps the locked part.
    if lock != "lock_caps":
        honest["max_interviews_per_week"] = "9"
    else:
        honest["from_0"] = "08:00"
    saved = kenji_client.post(reverse("profile"), honest)
    assert saved.status_code == 302
    kenji.refresh_from_db()
    assert kenji.timezone == before["timezone"]
    assert kenji.working_hours_exceptions == before["off"]  # the days off are never unticked
    if lock == "lock_caps":
        assert (kenji.max_interviews_per_day, kenji.max_interviews_per_week) == before["caps"]
        assert kenji.working_hours[0] == [["08:00", "17:00"]]
    else:
        assert kenji.max_interviews_per_week == 9
    if lock == "lock_hours":
        assert kenji.working_hours == before["hours"]


def test_the_admin_locks_fields_one_by_one_on_the_interviewers_page(admin_client_, kenji):
    page = admin_client_.get(reverse("interviewer_detail", args=[kenji.pk])).content.decode()
    assert "Only admins may change" in page
    data = {
        "timezone": "Asia/Tokyo",
        **week_of_hours(),
        "max_interviews_per_day": "3",
        "max_interviews_per_week": "10",
        "active": "on",
        "lock_hours": "on",
        "lock_caps": "on",
    }
    response = admin_client_.post(reverse("interviewer_detail", args=[kenji.pk]), data)
    assert response.status_code == 302
    kenji.refresh_from_db()
    assert (kenji.lock_timezone, kenji.lock_hours, kenji.lock_days_off, kenji.lock_caps) == (
        False,
        True,
        False,
        True,
    )


def test_a_recruiter_cannot_set_locks(recruiter_client, kenji):
    response = recruiter_client.post(
        reverse("interviewer_detail", args=[kenji.pk]), {"lock_hours": "on"}
    )
    assert response.status_code == 404
    kenji.refresh_from_db()
    assert not kenji.lock_hours


# --- the engine follows --------------------------------------------------------------------------


def tokyo_weekday(days_ahead):
    day = timezone.now().astimezone(TOKYO).date() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def offered_on(client, application, day):
    """The Tokyo start times ("HH:MM") the recruiter's picker offers on Tokyo's `day`: the
    picker's week from the day before, on the recruiter's (New York) clock, holds it all."""
    response = client.get(
        reverse("schedule", args=[application.pk]),
        {"week": (day - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    starts = [s.start.astimezone(TOKYO) for d in response.context["days"] for s in d["slots"]]
    return {f"{s:%H:%M}" for s in starts if s.date() == day}


def test_the_recruiters_picker_follows_the_hours_an_interviewer_sets_on_their_profile(
    kenji_client, client, tenant, recruiter, kenji
):
    plan = InterviewPlan.objects.create(tenant=tenant, name="Coding", horizon_days=30)
    PlanSession.objects.create(plan=plan, title_template="Coding").required.add(kenji)
    ats = f.connection(tenant)
    application = f.application(ats, f.candidate(ats, "Grace Hopper", timezone="Asia/Tokyo"))
    day = tokyo_weekday(4)
    recruiter_view = type(client)()
    recruiter_view.force_login(recruiter)

    before = offered_on(recruiter_view, application, day)
    assert "10:00" in before and "18:00" not in before

    # Kenji moves every weekday to the afternoon and evening, on his own page.
    hours = week_of_hours("13:00", "20:00")
    response = kenji_client.post(reverse("profile"), my_form(kenji, **hours))
    assert response.status_code == 302

    after = offered_on(recruiter_view, application, day)
    assert "10:00" not in after and "18:00" in after
    assert AuditEntry.objects.filter(
        action="interviewer.updated",
        message__contains="working hours Mon–Fri 09:00–17:00 → Mon–Fri 13:00–20:00",
    ).exists()

    # …and takes that day off: the picker offers nothing on it.
    kenji.refresh_from_db()
    kenji_client.post(reverse("profile"), my_form(kenji, **hours, new_day_off=day.isoformat()))
    assert offered_on(recruiter_view, application, day) == set()
