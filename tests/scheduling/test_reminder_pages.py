"""Reminders on the pages: the team's times (settings page and admin, errors beside the
field), the plan's switch and notes, and the interview page's lines in the viewer's zone."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from scheduling import reminders
from scheduling.admin import TenantAdminForm
from scheduling.models import InterviewPlan
from tests.scheduling.test_plans import people, post_data  # noqa: F401 (a fixture)
from tests.scheduling.test_reminders import book, perform_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def team_data(**changes):
    return {
        "name": "Acme Robotics",
        "default_timezone": "Europe/Berlin",
        "interview_statuses": ["FIRST_INTERVIEW"],
        **changes,
    }


def test_the_team_sets_its_reminder_times_in_words(admin_client_, tenant):
    page = admin_client_.get(reverse("team_settings"))
    assert "Reminders before interviews" in text(page)
    html = page.content.decode()
    assert 'value="24 hours, 1 hour"' in html and 'value="1 hour"' in html
    response = admin_client_.post(
        reverse("team_settings"),
        team_data(
            candidate_reminder_minutes="2 days, 3h and 30 min",
            interviewer_reminder_minutes="",
        ),
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.candidate_reminder_minutes == [2 * 24 * 60, 180, 30]
    assert tenant.interviewer_reminder_minutes == []
    html = admin_client_.get(reverse("team_settings")).content.decode()
    assert 'value="2 days, 3 hours, 30 minutes"' in html


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        (
            "tomorrow",
            "“tomorrow” is not a length of time: write hours or minutes, like “24 hours, "
            "1 hour” or “30 minutes”.",
        ),
        ("24 hours, 1 minute", "“1 minute” is too short: at least 5 minutes."),
        ("3 weeks", "“3 weeks” is too long: at most 14 days."),
        ("1h, 2h, 3h, 4h, 5h", "At most four reminders: people stop reading them."),
    ],
)
def test_reminder_times_that_cannot_be_used_are_refused_beside_the_field(
    admin_client_, tenant, typed, error
):
    response = admin_client_.post(
        reverse("team_settings"), team_data(candidate_reminder_minutes=typed)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["candidate_reminder_minutes"] == [error]
    assert 'id="id_candidate_reminder_minutes_error"' in response.content.decode()
    # Said at the top too: the field may be below the fold when the page comes back.
    assert "Nothing was saved: 1 setting below needs a change (marked in red)." in (
        response.content.decode()
    )
    tenant.refresh_from_db()
    assert tenant.candidate_reminder_minutes == [24 * 60, 60]


def test_a_post_from_another_part_of_the_settings_keeps_the_reminder_times(admin_client_, tenant):
    tenant.candidate_reminder_minutes = [120]
    tenant.save()
    assert admin_client_.post(reverse("team_settings"), team_data()).status_code == 302
    tenant.refresh_from_db()
    assert tenant.candidate_reminder_minutes == [120]


def test_the_admin_edits_the_times_in_the_same_words(admin_client, tenant):
    page = admin_client.get(reverse("admin:scheduling_tenant_change", args=[tenant.pk]))
    assert page.status_code == 200
    assert 'value="24 hours, 1 hour"' in page.content.decode()
    form = TenantAdminForm(instance=tenant)
    data = {name: form[name].value() for name in form.fields}
    data.update(candidate_reminder_minutes="12 hours", interviewer_reminder_minutes="nope")
    data = {k: v for k, v in data.items() if v is not None}
    bound = TenantAdminForm(data, instance=tenant)
    assert not bound.is_valid()
    assert list(bound.errors) == ["interviewer_reminder_minutes"]
    assert bound.cleaned_data["candidate_reminder_minutes"] == [720]


def test_the_plan_editor_turns_the_candidates_reminders_off_and_keeps_notes(
    recruiter_client,
    tenant,
    people,  # noqa: F811
):
    page = recruiter_client.get(reverse("plan_new"))
    assert "The team’s reminders: 24 hours, 1 hour before" in text(page)
    data = post_data(people, agenda="Use the systems-design scorecard.")
    data.pop("candidate_reminders", None)  # the box left unticked
    assert recruiter_client.post(reverse("plan_new"), data).status_code == 302
    plan = InterviewPlan.objects.get(tenant=tenant)
    assert plan.candidate_reminders is False
    assert plan.agenda == "Use the systems-design scorecard."
    data["candidate_reminders"] = "on"
    response = recruiter_client.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.candidate_reminders is True


def test_the_interview_page_says_which_reminders_went_out_and_which_are_to_come(
    recruiter_client, recruiter, tenant
):
    recruiter.timezone = "Asia/Kolkata"
    recruiter.save()
    start = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    url = reverse("interview_detail", args=[interview.pk])
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")

    def said(when):
        local = when.astimezone(kolkata)
        return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"

    page = text(recruiter_client.get(url))
    assert "Reminders" in page
    # The team's 24 hours' cut-off: the day-before reminder goes while changes are open.
    day_before = start - dt.timedelta(hours=25)
    line = (
        f"Scheduled To Kenji Sato (candidate), 24 hours before: goes out {said(day_before)}, "
        "an hour before changes online close, so its link still works."
    )
    assert line in page
    hour_before = start - dt.timedelta(hours=1)
    assert f"To Ivy Chen (Coding), 1 hour before: goes out {said(hour_before)}." in page
    assert "To Max Weber (Values), 1 hour before" in page
    assert "Times are Kolkata time (India, UTC+5:30)." in page

    with time_machine.travel(day_before, tick=False):
        reminders.queue_due(tenant)
        perform_reminders()
    with time_machine.travel(day_before + dt.timedelta(minutes=5), tick=False):
        page = text(recruiter_client.get(url))
    assert f"Sent To Kenji Sato (candidate), 24 hours before: sent {said(day_before)}." in page
    assert f"To Kenji Sato (candidate), 1 hour before: goes out {said(hour_before)}." in page

    admin_lines = [
        f"To {line.to}, {line.before} before: {line.state}"
        for line in reminders.for_interview(interview).candidate
    ]
    assert admin_lines == [
        "To Kenji Sato, 24 hours before: sent",
        "To Kenji Sato, 1 hour before: planned",
    ]


def test_the_interview_admin_lists_its_reminders(admin_client, tenant):
    start = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    with time_machine.travel(start - dt.timedelta(hours=24), tick=False):
        reminders.queue_due(tenant)
        perform_reminders()
    page = admin_client.get(reverse("admin:scheduling_interview_change", args=[interview.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "To Kenji Sato, 24 hours before: sent" in html
    assert "To Kenji Sato, 1 hour before: planned" in html
    listing = admin_client.get(reverse("admin:scheduling_reminder_changelist"))
    assert "Kenji Sato (candidate)" in listing.content.decode()
