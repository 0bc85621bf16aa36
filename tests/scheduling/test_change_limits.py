"""Changes within limits, as rules: the reasons (lib.reasons), what the candidate may still
change (Interview.candidate_changes: the plan's cut-off and limit, else the team's), the
changes kept as data by booking.change and booking.cancel, and the candidate's reminder
asking the same rule."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.utils import timezone

from scheduling import booking, reminders
from scheduling.lib import reasons
from scheduling.models import InterviewChange
from tests.scheduling.test_reminders import _plan, book, moved, perform_reminders

pytestmark = pytest.mark.django_db


# --- the reasons ------------------------------------------------------------------------------


def test_a_list_has_codes_from_its_labels_and_other_last():
    assert reasons.choices(["A conflict came up", "Feeling unwell", "a conflict came up!"]) == [
        ("a-conflict-came-up", "A conflict came up"),
        ("feeling-unwell", "Feeling unwell"),
        ("other", "Other"),
    ]


@pytest.mark.parametrize(
    ("code", "text", "expected", "error"),
    [
        ("", "", reasons.Reason(), ""),
        ("feeling-unwell", "", reasons.Reason("feeling-unwell", "Feeling unwell"), ""),
        ("feeling-unwell", " flu ", reasons.Reason("feeling-unwell", "Feeling unwell", "flu"), ""),
        ("other", "My  train", reasons.Reason("other", "Other", "My train"), ""),
        ("other", "  ", reasons.Reason(), "Say why in a few words"),
        ("", "Just words", reasons.Reason("other", "Other", "Just words"), ""),
        # A label the list no longer has (or a client posting words): kept as words.
        ("Hiring freeze", "", reasons.Reason("other", "Other", "Hiring freeze"), ""),
    ],
)
def test_a_posted_reason_becomes_data_or_an_error_in_words(code, text, expected, error):
    reason, problem = reasons.chosen(["Feeling unwell"], code, text)
    assert reason == expected
    assert problem.startswith(error) if error else problem == ""


def test_a_required_reason_refuses_none_but_takes_words_alone():
    assert reasons.chosen(["Sick"], "", "", required=True)[1] == reasons.REQUIRED
    assert reasons.chosen(["Sick"], "", "My words", required=True) == (
        reasons.Reason("other", "Other", "My words"),
        "",
    )


def test_a_reason_reads_as_its_label_with_the_words_after_it():
    assert reasons.Reason("feeling-unwell", "Feeling unwell").words == "Feeling unwell"
    assert reasons.Reason("feeling-unwell", "Feeling unwell", "flu").words == "Feeling unwell: flu"
    assert reasons.Reason("other", "Other", "My train").words == "My train"
    assert reasons.Reason.of("The event was deleted").words == "The event was deleted"
    assert reasons.Reason.of("The event was deleted").code == ""


def test_a_teams_list_is_one_reason_a_line():
    assert reasons.parse_list("Sick\n\n  sick \nOther\nA  new clash") == (
        ["Sick", "A new clash"],
        "",
    )
    assert reasons.parse_list("!!!")[1].startswith("“!!!” has no letters")
    assert "too long" in reasons.parse_list("x" * 90)[1]
    assert "At most 12" in reasons.parse_list("\n".join(f"R{i}" for i in range(13)))[1]


# --- what the candidate may still change ------------------------------------------------------


def test_the_plans_cut_off_and_limit_override_the_teams(tenant):
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    now = timezone.now()
    allowed = interview.candidate_changes(now)
    assert (allowed.cancel, allowed.reschedule, allowed.limit, allowed.cutoff_hours) == (
        True,
        True,
        2,
        24,
    )
    assert allowed.deadline == start - dt.timedelta(hours=24)

    plan = interview.plan
    plan.candidate_change_cutoff_hours, plan.candidate_reschedule_limit = 0, 0
    plan.save()
    allowed = interview.candidate_changes(now)
    assert allowed.deadline == start and allowed.cancel and not allowed.reschedule
    assert allowed.moved_words == "0 times"

    plan.candidate_change_cutoff_hours = None  # the team's again
    plan.save()
    tenant.candidate_change_cutoff_hours = 200
    tenant.save()
    interview.refresh_from_db()
    allowed = interview.candidate_changes(now)
    assert allowed.why == "cutoff" and not allowed.cancel and not allowed.reschedule


def test_only_the_candidates_own_moves_count_toward_the_limit(tenant):
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    booking.reschedule(interview, moved(interview, dt.timedelta(hours=1)), by=booking.By.RECRUITER)
    booking.reschedule(interview, moved(interview, dt.timedelta(hours=1)), by=booking.By.CALENDAR)
    assert interview.candidate_changes(timezone.now()).moved == 0
    for _ in range(2):
        booking.reschedule(
            interview,
            moved(interview, dt.timedelta(hours=1)),
            by=booking.By.CANDIDATE,
            reason=reasons.Reason("a-conflict-came-up", "A conflict came up"),
        )
    allowed = interview.candidate_changes(timezone.now())
    assert (allowed.moved, allowed.moved_words, allowed.reschedule, allowed.cancel) == (
        2,
        "twice",
        False,
        True,
    )
    kept = list(InterviewChange.objects.values_list("by", "reason_code", "reason_label"))
    assert kept == [
        ("recruiter", "", ""),
        ("calendar", "", ""),
        ("candidate", "a-conflict-came-up", "A conflict came up"),
        ("candidate", "a-conflict-came-up", "A conflict came up"),
    ]


def test_a_swap_or_the_demo_is_no_reschedule(tenant):
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    booking.reschedule(interview, moved(interview, -dt.timedelta(days=6)), by=booking.By.DEMO)
    assert not interview.changes.exists()


def test_a_cancel_keeps_its_reason_as_data_and_the_history_reads_well(tenant):
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    booking.cancel(
        interview,
        reason=reasons.Reason("no-longer-interested", "No longer interested", "Chose a startup"),
        by=booking.By.CANDIDATE,
        actor_label="Candidate",
    )
    interview.refresh_from_db()
    assert interview.cancel_reason == "No longer interested: Chose a startup"
    change = interview.changes.get()
    assert (change.kind, change.by, change.reason_code) == (
        "canceled",
        "candidate",
        "no-longer-interested",
    )
    assert interview.candidate_changes(timezone.now()).why == "canceled"


def test_the_reminder_asks_the_plans_cut_off(tenant):
    plan = _plan(tenant)
    plan.candidate_change_cutoff_hours = 48
    plan.save()
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    book(tenant, start, plan=plan)
    # 24 hours before: inside the plan's 48, though the team's is 24.
    with time_machine.travel(start - dt.timedelta(hours=24), tick=False):
        reminders.queue_due(tenant)
        perform_reminders()
    body = next(m for m in mail.outbox if m.to == ["kenji@candidates.example"]).body
    assert "It is now too late to reschedule or cancel online." in body


def test_past_the_limit_the_reminder_offers_the_page_to_cancel_or_ask(tenant):
    plan = _plan(tenant)
    plan.candidate_reschedule_limit, plan.candidate_change_cutoff_hours = 0, 12
    plan.save()
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    book(tenant, start, plan=plan)
    with time_machine.travel(start - dt.timedelta(hours=24), tick=False):
        reminders.queue_due(tenant)
        perform_reminders()
    body = next(m for m in mail.outbox if m.to == ["kenji@candidates.example"]).body
    assert "To cancel, or to see whom to ask for another time, open your booking page by" in body
    assert "To reschedule or cancel" not in body


def test_the_migration_counts_the_moves_made_before_changes_were_data(tenant):
    migration = importlib.import_module("scheduling.migrations.0020_change_limits")
    start = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    interview = book(tenant, start)
    booking.reschedule(interview, moved(interview, dt.timedelta(hours=1)), by=booking.By.CANDIDATE)
    booking.reschedule(interview, moved(interview, dt.timedelta(hours=1)), by=booking.By.CALENDAR)
    booking.cancel(interview, reason="Hiring freeze", by=booking.By.RECRUITER)
    InterviewChange.objects.all().delete()  # as before the migration

    migration.changes_from_history(apps, None)

    kept = list(interview.changes.values_list("kind", "by", "reason_code", "reason_text"))
    assert kept == [
        ("rescheduled", "candidate", "", ""),
        ("rescheduled", "calendar", "", ""),
        ("canceled", "recruiter", "", "Hiring freeze"),
    ]
    assert interview.candidate_changes(timezone.now()).moved == 1
