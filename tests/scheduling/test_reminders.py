"""Reminders before an interview: which is due when (the pure decision), what the periodic
job queues as the clock moves across the reminder times, what a move, a cancel, a worker
that was down and two workers at once do, and what the emails say."""

import contextlib
import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from candidates import links
from candidates.models import BookingLink
from scheduling import booking, outbox, periodic, reminders, slots
from scheduling.models import InterviewPlan, Operation, Reminder
from tests import factories as f

pytestmark = pytest.mark.django_db

H = 60  # minutes
TEAM = [24 * H, H]


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    # Nothing here may reach a sandbox someone runs on the default port.
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


# --- the decision, alone ------------------------------------------------------------------------

START = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC)
LONG_AGO = START - dt.timedelta(days=10)


def at(delta):
    return START - delta


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(dt.timedelta(hours=24, seconds=1)), None),  # before the first mark
        (at(dt.timedelta(hours=24)), 24 * H),  # on it
        (at(dt.timedelta(hours=5)), 24 * H),  # between the marks: still the 24-hour one
        (at(dt.timedelta(hours=1, seconds=1)), 24 * H),
        (at(dt.timedelta(hours=1)), H),  # the closer one takes over
        (at(dt.timedelta(minutes=1)), H),
        (START, None),  # started: nothing more
        (START + dt.timedelta(minutes=5), None),
    ],
)
def test_the_due_reminder_across_the_24_hour_and_1_hour_marks(now, expected):
    assert reminders.due(TEAM, START, LONG_AGO, now) == expected


def test_an_interview_booked_inside_the_window_gets_only_the_reminders_after_its_booking():
    """Booked 3 hours before: the confirmation just went out, so no 24-hour reminder; the
    1-hour one still comes."""
    booked = at(dt.timedelta(hours=3))
    assert reminders.due(TEAM, START, booked, booked) is None
    assert reminders.due(TEAM, START, booked, at(dt.timedelta(hours=2))) is None
    assert reminders.due(TEAM, START, booked, at(dt.timedelta(hours=1))) == H
    # Booked 30 minutes before: none at all.
    late = at(dt.timedelta(minutes=30))
    assert reminders.due(TEAM, START, late, at(dt.timedelta(minutes=10))) is None


def test_a_worker_that_was_down_sends_only_the_closest_reminder_still_before_the_start():
    # Down from before the 24-hour mark until 30 minutes before: the 1-hour one only.
    assert reminders.due(TEAM, START, LONG_AGO, at(dt.timedelta(minutes=30))) == H
    # Down until 2 hours before: the 24-hour one is late, but nothing closer is due yet.
    assert reminders.due(TEAM, START, LONG_AGO, at(dt.timedelta(hours=2))) == 24 * H
    marks = reminders.marks(TEAM, START, LONG_AGO, at(dt.timedelta(minutes=30)))
    assert [(m.minutes, m.state) for m in marks] == [(24 * H, "replaced"), (H, "due")]


def test_a_24_hour_reminder_is_24_real_hours_before_across_a_change_of_clocks():
    """Berlin's clocks go forward on Sunday 28 March 2027 at 02:00: an interview at 10:00
    that Sunday is reminded at 09:00 on Saturday's clock, 24 real hours before (a wall-clock
    reminder would come an hour late)."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    start = dt.datetime(2027, 3, 28, 10, 0, tzinfo=berlin)
    known = start - dt.timedelta(days=5)
    mark = dt.datetime(2027, 3, 27, 9, 0, tzinfo=berlin)
    # (Python subtracts two times of one zone by their wall clocks: 25 hours "apart".)
    assert start.astimezone(dt.UTC) - mark.astimezone(dt.UTC) == dt.timedelta(hours=24)
    wall_clock_mark = dt.datetime(2027, 3, 27, 10, 0, tzinfo=berlin)
    assert reminders.due(TEAM, start, known, wall_clock_mark) == 24 * H
    assert reminders.due(TEAM, start, known, mark - dt.timedelta(seconds=1)) is None
    assert reminders.due(TEAM, start, known, mark) == 24 * H
    # New York falls back on Sunday 7 November 2027: Monday's 09:00 interview is reminded
    # at 09:00 on Sunday, Sunday's 10:00 one at 11:00 on Saturday's clock.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    sunday = dt.datetime(2027, 11, 7, 10, 0, tzinfo=new_york)
    saturday_11 = dt.datetime(2027, 11, 6, 11, 0, tzinfo=new_york)
    assert reminders.due(TEAM, sunday, known, saturday_11 - dt.timedelta(seconds=1)) is None
    assert reminders.due(TEAM, sunday, known, saturday_11) == 24 * H


# --- the job, with the clock moving -------------------------------------------------------------


def _plan(tenant, **fields):
    return InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        location_kind=InterviewPlan.Location.OFFICE,
        location_detail="Torstraße 1, 10119 Berlin",
        agenda="Ask about the payments migration.",
        **fields,
    )


def book(tenant, start, *, zone="Asia/Tokyo", plan=None, email="kenji@candidates.example"):
    """A two-session loop at `start` (Coding with Ivy in Berlin, then Values with Max in
    New York), for Kenji, who reads it in `zone`."""
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen", timezone="Europe/Berlin", email="ivy@acme.example")
    max_ = f.interviewer(tenant, "Max Weber", timezone="America/New_York", email="max@a.example")
    app = f.application(
        ats, f.candidate(ats, "Kenji Sato", email=email), f.job(ats, "Backend Engineer")
    )
    return booking.book(
        app, plan or _plan(tenant), loop(start, ivy, max_), candidate_timezone=zone
    )


def loop(start, ivy, max_):
    def session(title, person, begin):
        return slots.SessionChoice(
            title, begin, begin + dt.timedelta(hours=1), ((str(person.pk), "required", None),)
        )

    later = start + dt.timedelta(hours=1, minutes=15)
    return slots.Choice((session("Coding", ivy, start), session("Values", max_, later)))


def moved(interview, by):
    """The interview's loop `by` later, with the same people."""
    sessions = list(interview.sessions.order_by("position"))
    return slots.Choice(
        tuple(
            slots.SessionChoice(
                s.title,
                s.start_at + by,
                s.end_at + by,
                tuple(
                    (str(a.interviewer_id), a.role, None) for a in s.attendees.filter(active=True)
                ),
            )
            for s in sessions
        )
    )


def queued(interview=None):
    """The reminders queued so far, as (to, minutes before)."""
    rows = Reminder.objects.all() if interview is None else interview.reminders.all()
    return sorted(
        ("candidate" if r.for_candidate else r.interviewer.name.split()[0], r.minutes_before)
        for r in rows
    )


def perform_reminders():
    """Send the queued reminder emails now, as the worker would; returns the operations."""
    ops = Operation.objects.filter(
        kind=Operation.Kind.SEND_EMAIL,
        status="pending",
        payload__kind__in=[reminders.CANDIDATE_EMAIL, reminders.INTERVIEWER_EMAIL],
    )
    return [outbox.perform(op.pk) for op in ops]


def travel(when):
    return time_machine.travel(when, tick=False)


def soon(days=3):
    """A start a few days from now, on the minute."""
    return (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)


def test_the_clock_moving_across_the_marks_queues_exactly_the_reminders_due(tenant):
    start = soon()
    interview = book(tenant, start)
    values_start = start + dt.timedelta(hours=1, minutes=15)
    assert reminders.queue_due(tenant) == 0

    # The day-before reminder would come as the 24-hour cut-off closes changes: it goes an
    # hour before, while its link to move or cancel still works.
    with travel(start - dt.timedelta(hours=25, seconds=1)):
        assert reminders.queue_due(tenant) == 0
    with travel(start - dt.timedelta(hours=25)):
        assert reminders.queue_due(tenant) == 1
        assert reminders.queue_due(tenant) == 0  # never twice
    assert queued() == [("candidate", 24 * H)]
    with travel(start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 2  # the candidate's last, Ivy's session
        assert reminders.queue_due(tenant) == 0
    with travel(values_start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 1  # Max's session
    assert queued() == [("Ivy", H), ("Max", H), ("candidate", H), ("candidate", 24 * H)]
    with travel(start + dt.timedelta(hours=3)):
        assert reminders.queue_due(tenant) == 0
    reminder = interview.reminders.get(interviewer=None, minutes_before=24 * H)
    assert reminder.for_start_at == start and reminder.due_at == start - dt.timedelta(hours=25)


def test_the_team_and_the_plan_decide_who_is_reminded_and_when(tenant):
    tenant.candidate_reminder_minutes = [2 * 24 * H]
    tenant.interviewer_reminder_minutes = []
    tenant.save()
    start = soon(days=5)
    book(tenant, start, plan=_plan(tenant, candidate_reminders=False))
    with travel(start - dt.timedelta(minutes=30)):
        assert reminders.queue_due(tenant) == 0  # the plan turns the candidate's off
    InterviewPlan.objects.update(candidate_reminders=True)
    with travel(start - dt.timedelta(days=2)):
        assert reminders.queue_due(tenant) == 1
    assert queued() == [("candidate", 2 * 24 * H)]


def test_a_candidate_without_email_and_an_interviewer_who_declined_get_none(tenant):
    start = soon()
    interview = book(tenant, start, email="")
    interview.sessions.get(title="Coding").attendees.update(response="REJECTED")
    with travel(start + dt.timedelta(hours=1, minutes=15) - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 1
    assert queued() == [("Max", H)]
    overview = reminders.for_interview(interview)
    assert overview.candidate_none == "Kenji Sato has no email address, so gets no reminders."


def test_a_booking_inside_the_window_gets_no_24_hour_reminder(tenant):
    start = soon(days=0) + dt.timedelta(hours=3)
    interview = book(tenant, start)
    assert reminders.queue_due(tenant) == 0
    with travel(start - dt.timedelta(hours=2)):
        assert reminders.queue_due(tenant) == 0
    with travel(start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 2
    assert queued() == [("Ivy", H), ("candidate", H)]
    lines = reminders.for_interview(interview).candidate
    assert [(line.minutes, line.state) for line in lines] == [(24 * H, "not_sent"), (H, "sending")]
    assert lines[0].why == (
        "the interview was booked after this reminder’s time; the confirmation went out instead"
    )


def test_a_move_reschedules_the_reminders_and_the_old_one_never_fires(tenant):
    start = soon()
    interview = book(tenant, start)
    with travel(start - dt.timedelta(hours=24)):
        assert reminders.queue_due(tenant) == 1
        # Moved two days later before the worker got to the reminder.
        booking.reschedule(interview, moved(interview, dt.timedelta(days=2)), reason="Clash")
        (op,) = perform_reminders()
    assert op.status == "skipped"
    assert op.result["why"] == "the interview moved: its reminders follow the new time"
    assert not [m for m in mail.outbox if "Reminder" in m.subject]
    new_start = start + dt.timedelta(days=2)
    with travel(start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 0  # nothing for the old time
    with travel(new_start - dt.timedelta(hours=24)):
        assert reminders.queue_due(tenant) == 1
        (op,) = perform_reminders()
    assert op.status == "done"
    new = interview.reminders.get(for_start_at=new_start)
    assert new.minutes_before == 24 * H


def test_a_move_to_a_time_3_hours_away_sends_no_24_hour_reminder_for_it(tenant):
    start = soon()
    interview = book(tenant, start)
    with travel(start - dt.timedelta(hours=30)):
        # Brought forward to 3 hours from now.
        booking.reschedule(
            interview, moved(interview, dt.timedelta(hours=-27)), reason="Earlier suits"
        )
        assert reminders.queue_due(tenant) == 0
    new_start = start - dt.timedelta(hours=27)
    with travel(new_start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 2
    assert queued() == [("Ivy", H), ("candidate", H)]


def test_a_cancel_drops_the_reminders_queued_and_to_come(tenant):
    start = soon()
    interview = book(tenant, start)
    with travel(start - dt.timedelta(hours=24)):
        assert reminders.queue_due(tenant) == 1
        booking.cancel(interview, reason="Position filled")
        (op,) = perform_reminders()
    assert op.status == "skipped" and op.result["why"] == "the interview was canceled"
    with travel(start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 0
    assert not [m for m in mail.outbox if "Reminder" in m.subject]
    interview.refresh_from_db()
    lines = reminders.for_interview(interview).candidate
    assert [(line.minutes, line.state, line.why) for line in lines] == [
        (24 * H, "not_sent", "the interview was canceled")
    ]


def test_a_worker_down_across_both_marks_sends_only_the_closest_and_not_after_the_start(tenant):
    start = soon()
    interview = book(tenant, start)
    with travel(start - dt.timedelta(minutes=20)):
        assert reminders.queue_due(tenant) == 2  # the candidate's 1-hour one, and Ivy's
    assert queued() == [("Ivy", H), ("candidate", H)]
    lines = reminders.for_interview(interview, start - dt.timedelta(minutes=20)).candidate
    assert [(line.minutes, line.state) for line in lines] == [(24 * H, "not_sent"), (H, "sending")]
    # The outbox was slow too: by the time it gets there the session has started.
    with travel(start + dt.timedelta(minutes=1)):
        ops = perform_reminders()
    assert {op.result["why"] for op in ops} == {"the interview had already started"}
    assert not mail.outbox or not [m for m in mail.outbox if "Reminder" in m.subject]


def test_a_late_24_hour_reminder_still_queued_when_the_1_hour_one_comes_is_replaced(tenant):
    start = soon()
    book(tenant, start)
    with travel(start - dt.timedelta(hours=24)):
        reminders.queue_due(tenant)
    with travel(start - dt.timedelta(minutes=50)):
        reminders.queue_due(tenant)
        results = {
            (op.payload["about"], op.status, op.result.get("why")) for op in perform_reminders()
        }
    assert (
        "Reminder to Kenji Sato, 24 hours before",
        "skipped",
        "the 1 hour reminder replaced it",
    ) in results
    assert ("Reminder to Kenji Sato, 1 hour before", "done", None) in results


def test_two_workers_at_once_queue_one_reminder(tenant, monkeypatch):
    """Both read "not queued yet"; the database lets one write it."""
    start = soon()
    book(tenant, start)
    first_queue = reminders._queue
    others = []

    def queue_after_another_worker(*args):
        if not others:
            others.append(first_queue(*args))  # the other worker wins the race
        return first_queue(*args)

    monkeypatch.setattr(reminders, "_queue", queue_after_another_worker)
    with travel(start - dt.timedelta(hours=24)):
        assert reminders.queue_due(tenant) == 0
    assert others == [1]
    assert queued() == [("candidate", 24 * H)]
    assert Operation.objects.filter(payload__kind=reminders.CANDIDATE_EMAIL).count() == 1


def test_the_database_refuses_a_second_row_of_one_reminder(tenant):
    start = soon()
    interview = book(tenant, start)
    session = interview.sessions.get(title="Coding")
    ivy = session.attendees.get().interviewer
    key = {"tenant": tenant, "interview": interview, "minutes_before": H}
    Reminder.objects.create(**key, for_start_at=start, due_at=start)
    Reminder.objects.create(
        **key, session=session, interviewer=ivy, for_start_at=start, due_at=start
    )
    for extra in ({}, {"session": session, "interviewer": ivy}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Reminder.objects.create(**key, **extra, for_start_at=start, due_at=start)


def test_the_periodic_job_is_registered_per_tenant(tenant):
    job = periodic.JOBS["interview reminders"]
    assert job.every == 60 and job.per is not None
    start = soon()
    book(tenant, start)
    with travel(start - dt.timedelta(hours=24)):
        assert job.run(tenant) == "queued 1 reminders"
        assert job.run(tenant) is None


# --- what the emails say ------------------------------------------------------------------------


def test_the_candidates_reminder_has_their_zone_the_itinerary_where_and_their_page(tenant):
    tenant.candidate_change_cutoff_hours = 12
    tenant.save()
    start = soon(days=4)
    interview = book(tenant, start, zone="Asia/Tokyo")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    with travel(start - dt.timedelta(hours=24)):
        reminders.queue_due(tenant)
        (op,) = perform_reminders()
    assert op.status == "done", op.last_error
    (message,) = mail.outbox
    local = start.astimezone(tokyo)
    assert message.to == ["kenji@candidates.example"]
    assert message.subject == (
        f"Reminder: your interview with {tenant.name}, {local:%a} {local.day} {local:%b}, "
        f"{local:%H:%M} Tokyo time"
    )
    body = message.body
    assert "Hello Kenji" in body
    values_at = (start + dt.timedelta(hours=1, minutes=15)).astimezone(tokyo)
    assert f"- Coding: {local:%A} {local.day} {local:%B %Y}, {local:%H:%M}–" in body
    assert (
        f"- Values: {values_at:%A} {values_at.day} {values_at:%B %Y}, {values_at:%H:%M}–" in body
    )
    assert "Tokyo time (Japan, UTC+9)" in body
    assert "In person: Torstraße 1, 10119 Berlin" in body
    link = BookingLink.objects.get(interview=interview)  # made for the recruiter's booking
    assert "To reschedule or cancel, open your booking page by" in body
    assert links.url_for(link) in body
    deadline = (start - dt.timedelta(hours=tenant.candidate_change_cutoff_hours)).astimezone(tokyo)
    assert f"{deadline:%A} {deadline.day} {deadline:%B}, {deadline:%H:%M} (Tokyo time)" in body
    assert "payments migration" not in body  # the interviewers' notes are theirs
    html = message.alternatives[0][0]
    assert "open your booking page</a>" in html and "Torstraße 1" in html


def test_with_the_teams_defaults_the_day_before_reminder_still_lets_them_change_it(tenant):
    # 24 hours' reminder, 24 hours' cut-off: sent at the cut-off, it could only say "too
    # late". It goes an hour before instead, with the page they can still use.
    assert tenant.candidate_change_cutoff_hours == 24
    start = soon()
    interview = book(tenant, start)
    with travel(start - dt.timedelta(hours=25)):
        assert reminders.queue_due(tenant) == 1
        perform_reminders()
    (message,) = [m for m in mail.outbox if m.to == ["kenji@candidates.example"]]
    assert "To reschedule or cancel, open your booking page by" in message.body
    assert "too late" not in message.body
    (line,) = reminders.for_interview(interview, now=start - dt.timedelta(hours=25)).candidate[:1]
    assert (line.minutes, line.state) == (24 * H, "sent")


def test_a_loop_over_two_days_reminds_the_candidate_before_each_day(tenant):
    tenant.interviewer_reminder_minutes = []
    tenant.save()
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen", timezone="Europe/Berlin")
    app = f.application(ats, f.candidate(ats, "Kenji Sato", email="kenji@candidates.example"))
    first = soon()
    second = first + dt.timedelta(days=1)  # the same hour the next day, in Tokyo too
    choice = slots.Choice(
        tuple(
            slots.SessionChoice(
                title, at, at + dt.timedelta(hours=1), ((str(ivy.pk), "required", None),)
            )
            for title, at in (("Coding", first), ("Values", second))
        )
    )
    interview = booking.book(app, _plan(tenant), choice, candidate_timezone="Asia/Tokyo")
    assert [day for day, _after in reminders.candidate_days(interview)] == [first, second]

    with travel(first - dt.timedelta(hours=25)):
        assert reminders.queue_due(tenant) == 1  # the first day's, before changes close
    with travel(first - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 1
    # The second day's 24 hours before is the first day's interview: none then.
    with travel(first):
        assert reminders.queue_due(tenant) == 0
    with travel(second - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 1
        perform_reminders()
    assert queued() == [("candidate", H), ("candidate", H), ("candidate", 24 * H)]
    tokyo = second.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    subjects = [m.subject for m in mail.outbox]
    assert subjects[-1].endswith(f"{tokyo:%a} {tokyo.day} {tokyo:%b}, {tokyo:%H:%M} Tokyo time")
    day2_reminder = interview.reminders.get(for_start_at=second)
    assert day2_reminder.operation.status == "done"  # not taken for a moved interview's

    lines = reminders.for_interview(interview, now=first - dt.timedelta(hours=2)).candidate
    said = [(line.session, line.minutes, line.state, line.why) for line in lines]
    day2 = f"candidate, {tokyo:%a} {tokyo.day} {tokyo:%b}"
    assert (day2, 24 * H, "not_sent", reminders._MARK_WHY["day_before"]) in said
    assert (day2, H, "sent", "") in said


def test_a_cut_off_that_leaves_the_day_before_open_keeps_the_reminder_at_its_time(tenant):
    tenant.candidate_change_cutoff_hours = 12
    tenant.save()
    later = soon(days=5)
    book(tenant, later)
    with travel(later - dt.timedelta(hours=24, seconds=1)):
        assert reminders.queue_due(tenant) == 0
    with travel(later - dt.timedelta(hours=24)):
        assert reminders.queue_due(tenant) == 1


def test_past_the_cut_off_the_reminder_says_changes_are_no_longer_possible_online(tenant):
    start = soon()
    book(tenant, start)
    with travel(start - dt.timedelta(hours=1)):
        reminders.queue_due(tenant)
        perform_reminders()
    candidate_mail = next(m for m in mail.outbox if m.to == ["kenji@candidates.example"])
    assert "It is now too late to reschedule or cancel online." in candidate_mail.body
    assert "your booking page says how to reach us: http" in candidate_mail.body
    assert "To reschedule or cancel, open" not in candidate_mail.body


def test_the_interviewers_reminder_is_short_in_their_zone_with_the_plans_notes(tenant):
    start = soon()
    book(tenant, start)
    values_start = start + dt.timedelta(hours=1, minutes=15)
    with travel(values_start - dt.timedelta(hours=1)):
        reminders.queue_due(tenant)
        perform_reminders()
    (message,) = [m for m in mail.outbox if m.to == ["max@a.example"]]
    local = values_start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert message.subject == (
        f"Reminder: Values with Kenji Sato, {local:%a} {local.day} {local:%b} {local:%H:%M}"
    )
    body = message.body
    assert "you are interviewing Kenji Sato for Backend Engineer" in body
    assert f"- Values: {local:%A} {local.day} {local:%B %Y}, {local:%H:%M}–" in body
    assert "New York time" in body
    assert "Coding" not in body  # their session only
    assert "Notes for the interviewers:\nAsk about the payments migration." in body
    assert "In person: Torstraße 1, 10119 Berlin" in body


def test_a_swapped_out_interviewers_queued_reminder_is_skipped(tenant):
    start = soon()
    interview = book(tenant, start)
    with travel(start - dt.timedelta(hours=1)):
        reminders.queue_due(tenant)
        session = interview.sessions.get(title="Coding")
        session.attendees.update(active=False)
        ops = perform_reminders()
    whys = {op.payload["about"]: op.result.get("why") for op in ops}
    assert whys["Reminder to Ivy Chen, 1 hour before"] == "Ivy Chen is no longer on this session"


def test_a_session_moved_in_the_calendar_moves_its_interviewers_reminder_only(tenant):
    start = soon()
    interview = book(tenant, start)
    values = interview.sessions.get(title="Values")
    values_start = values.start_at
    with travel(values_start - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 1  # Max's (the candidate's came earlier)
        later = values_start + dt.timedelta(hours=2)
        booking.change(
            interview,
            [booking.Move(values, later, later + dt.timedelta(hours=1))],
            by=booking.By.CALENDAR,
        )
        whys = {op.payload["about"]: op.result.get("why") for op in perform_reminders()}
    why = "the session moved: its reminders follow the new time"
    assert whys == {"Reminder to Max Weber, 1 hour before": why}
    with travel(later - dt.timedelta(hours=1)):
        assert reminders.queue_due(tenant) == 1
        (op,) = perform_reminders()
    assert op.status == "done"
    local = later.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert mail.outbox[-1].subject.endswith(f"{local:%H:%M}")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # SQLite's IMMEDIATE transactions already take turns; the in-memory test database
    # answers a second connection "table is locked" instead of waiting.
    reason="PostgreSQL only (make test-postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_in_two_threads_queue_one_reminder(tenant, settings, monkeypatch):
    """Both read "not queued yet" before either writes: the unique key lets one through."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    start = soon()
    book(tenant, start)
    barrier = threading.Barrier(2)
    decide = reminders.due

    def decide_then_wait(*args):
        chosen = decide(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return chosen

    monkeypatch.setattr(reminders, "due", decide_then_wait)
    counts, errors = [], []

    def worker():
        try:
            counts.append(reminders.queue_due(tenant))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with travel(start - dt.timedelta(hours=24)):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert sorted(counts) == [0, 1]
    assert queued() == [("candidate", 24 * H)]
