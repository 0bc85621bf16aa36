"""Autopilot's rules and guardrails without Unified: when an entry is due, what a move makes,
what the job sends (through the recruiter's own paths) and each reason it does not."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from candidates import autopilot, availability, changes
from candidates.models import (
    AutopilotEvent,
    AvailabilityRequest,
    BookingLink,
    Candidate,
    StageEntry,
)
from scheduling import booking
from scheduling.models import AuditEntry, Interview, InterviewPlan, Operation, PlanSession
from scheduling.unified import records
from tests import factories as f

State = StageEntry.State
Rule = InterviewPlan.Autopilot
UTC = dt.UTC


# --- when an entry is due (pure) -------------------------------------------------------------


def _plan(delay=60, hours=True):
    return InterviewPlan(autopilot_delay_minutes=delay, autopilot_reasonable_hours=hours)


def _at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_due_after_the_delay_when_the_zone_is_unknown():
    entered = _at("2027-03-13T23:30:00")
    assert autopilot.due_at(entered, _plan(60), Candidate(timezone="")) == _at(
        "2027-03-14T00:30:00"
    )
    assert autopilot.due_at(entered, _plan(0), Candidate(timezone="")) == entered


def test_due_within_the_candidates_day_when_their_zone_is_known():
    tokyo = Candidate(timezone="Asia/Tokyo")
    # 08:30 in Tokyo + 1 hour: 09:30, inside their day.
    assert autopilot.due_at(_at("2027-03-13T23:30:00"), _plan(), tokyo) == _at(
        "2027-03-14T00:30:00"
    )
    # 20:30 in Tokyo + 1 hour: 21:30, so 08:00 the next morning (23:00 UTC).
    assert autopilot.due_at(_at("2027-03-13T11:30:00"), _plan(), tokyo) == _at(
        "2027-03-13T23:00:00"
    )
    # Across midnight: 23:45 + 1 hour is 00:45 the next day → 08:00 that day.
    assert autopilot.due_at(_at("2027-03-13T14:45:00"), _plan(), tokyo) == _at(
        "2027-03-13T23:00:00"
    )
    # The plan may send at any hour.
    assert autopilot.due_at(_at("2027-03-13T11:30:00"), _plan(hours=False), tokyo) == _at(
        "2027-03-13T12:30:00"
    )


def test_due_within_the_candidates_day_across_a_dst_change():
    # New York moves to summer time on Sunday 14 March 2027 at 02:00.
    ny = Candidate(timezone="America/New_York")
    # 00:30 EST + 1 hour = 01:30 EST → 08:00 EDT, which is 12:00 UTC (not 13:00).
    assert autopilot.due_at(_at("2027-03-14T05:30:00"), _plan(), ny) == _at("2027-03-14T12:00:00")
    # 19:30 EST on the Saturday + 1 hour = 20:30 → 08:00 EDT on the Sunday.
    assert autopilot.due_at(_at("2027-03-14T00:30:00"), _plan(), ny) == _at("2027-03-14T12:00:00")
    # Back in autumn: 7 November 2027, 08:00 EST is 13:00 UTC.
    assert autopilot.due_at(_at("2027-11-07T05:30:00"), _plan(), ny) == _at("2027-11-07T13:00:00")


def test_a_legacy_or_unknown_zone_name_is_handled():
    # Asia/Calcutta is Kolkata: 21:00 + 1 hour there is 22:00 → 08:00 the next day.
    assert autopilot.due_at(
        _at("2027-03-13T15:30:00"), _plan(), Candidate(timezone="Asia/Calcutta")
    ) == _at("2027-03-14T02:30:00")
    # A name that is no zone: the zone is not known, the delay alone counts.
    assert autopilot.due_at(
        _at("2027-03-13T11:30:00"), _plan(), Candidate(timezone="Mars/Olympus")
    ) == _at("2027-03-13T12:30:00")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def ats(tenant):
    conn = f.connection(tenant)
    conn.synced_until = timezone.now() - dt.timedelta(hours=1)
    conn.save(update_fields=["synced_until"])
    return conn


@pytest.fixture
def ivy(tenant):
    return f.interviewer(tenant, "Ivy Chen", timezone="America/New_York")


@pytest.fixture
def onsite(tenant, ivy):
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        stage_status="SECOND_INTERVIEW",
        autopilot=Rule.LINK,
        autopilot_delay_minutes=60,
        autopilot_reasonable_hours=False,
    )
    session = PlanSession.objects.create(plan=plan, title_template="{job} onsite")
    session.required.add(ivy)
    return plan


@pytest.fixture
def app(ats):
    job = f.job(ats, "Compiler Engineer")
    return f.application(ats, f.candidate(ats, "Ada Shah"), job, status="FIRST_INTERVIEW")


def move(app, status="SECOND_INTERVIEW", at=None):
    """The mirror's move: a new status and stage clock, then autopilot is told."""
    at = at or timezone.now()
    app.status, app.original_status, app.stage_entered_at = (
        status,
        status.replace("_", " ").title(),
        at,
    )
    app.save()
    return autopilot.stage_entered(app, now=at)


def later(minutes):
    return timezone.now() + dt.timedelta(minutes=minutes)


def link_emails():
    return Operation.objects.filter(payload__kind="booking_link")


# --- a move makes an entry --------------------------------------------------------------------


def test_a_move_into_the_plans_stage_waits_for_the_delay(app, onsite):
    entry = move(app)
    assert entry.state == State.WAITING and entry.action == Rule.LINK
    assert entry.due_at == entry.entered_at + dt.timedelta(minutes=60)
    (line,) = AutopilotEvent.objects.filter(entry=entry)
    assert line.kind == AutopilotEvent.Kind.ENTERED
    assert "Ada Shah moved to Second Interview" in line.text and "Onsite" in line.text
    assert "goes out " in line.text and "goes out now" not in line.text
    # Told twice of the same move: still one entry.
    assert autopilot.stage_entered(app) == entry
    assert StageEntry.objects.count() == 1


def test_without_a_wait_the_line_says_it_goes_out_now(app, onsite):
    onsite.autopilot_delay_minutes = 0
    onsite.save()
    entry = move(app)
    (line,) = AutopilotEvent.objects.filter(entry=entry)
    assert line.text.endswith("for the “Onsite” plan goes out now")


def test_a_queue_plan_queues_at_once_and_off_does_nothing(app, onsite):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    assert move(app).state == State.QUEUED
    onsite.autopilot = Rule.OFF
    onsite.save()
    assert move(app, "FIRST_INTERVIEW") is None  # no plan for that stage either
    assert move(app, at=later(1)) is None
    assert StageEntry.objects.count() == 1


def test_no_entry_outside_an_interview_stage(app, onsite, tenant):
    onsite.stage_status = ""
    onsite.save()
    assert move(app, "OFFER") is None
    assert move(app, "REJECTED") is None


def test_back_and_forth_is_one_entry_per_move_up_to_the_limit(app, onsite, tenant):
    tenant.autopilot_entries_per_application = 2
    tenant.save()
    first = move(app, at=later(-30))
    move(app, "FIRST_INTERVIEW", at=later(-20))
    second = move(app, at=later(-10))
    move(app, "FIRST_INTERVIEW", at=later(-5))
    third = move(app)
    assert [e.state for e in (first, second, third)] == [State.WAITING] * 2 + [State.SKIPPED]
    assert "more than 2 times" in third.reason
    # The earlier moves left the stage: they are not sent, the last is over the limit.
    assert autopilot.run_due(now=later(120)) == 0
    assert not BookingLink.objects.exists()
    first.refresh_from_db()
    assert first.state == State.SKIPPED and "left the stage" in first.reason


# --- sending ----------------------------------------------------------------------------------


def test_the_link_goes_after_the_delay_once(app, onsite):
    entry = move(app)
    assert autopilot.run_due(now=later(59)) == 0
    assert not BookingLink.objects.exists()
    assert autopilot.run_due(now=later(61)) == 1
    assert autopilot.run_due(now=later(62)) == 0  # the second turn finds it sent
    link = BookingLink.objects.get()
    assert (link.application, link.plan, link.created_by) == (app, onsite, None)
    assert link_emails().count() == 1
    entry.refresh_from_db()
    assert entry.state == State.SENT and entry.link == link and entry.sent_by is None
    texts = list(AutopilotEvent.objects.filter(entry=entry).values_list("text", flat=True))
    assert "Sent a booking link to Ada Shah for the “Onsite” plan" in texts
    # Audited with autopilot as the actor, the link's own entry too.
    who = {a.action: a.who for a in AuditEntry.objects.all()}
    assert who["autopilot.sent_link"] == "Autopilot" and who["link.created"] == "Autopilot"


def test_the_link_goes_on_behalf_of_the_jobs_recruiter_who_then_hears_what_comes_back(
    app, onsite, tenant, recruiter
):
    # The ATS names two recruiters of the job; only Rosa signs in to Convene as a recruiter.
    rosa = f.interviewer(tenant, "Rosa Recruiter", user=recruiter)
    app.job.recruiters.add(f.interviewer(tenant, "Abe Absent"), rosa)
    onsite.autopilot = Rule.AVAILABILITY
    onsite.save()
    entry = move(app)
    assert autopilot.run_due(now=later(61)) == 1
    link = BookingLink.objects.get()
    assert link.created_by == recruiter
    entry.refresh_from_db()
    assert entry.sent_by is None  # autopilot sent it, in her name
    texts = list(AutopilotEvent.objects.filter(entry=entry).values_list("text", flat=True))
    assert any(t.endswith("on behalf of Rosa Recruiter") for t in texts)
    assert {a.who for a in AuditEntry.objects.filter(action="autopilot.sent_request")} == {
        "Autopilot"
    }
    # The candidate's times come back: Rosa is told.
    start = later(3 * 24 * 60).replace(minute=0, second=0, microsecond=0)
    availability.submit(
        link,
        [(start, start + dt.timedelta(hours=3))],
        note="",
        zone_name="America/New_York",
    )
    (told,) = Operation.objects.filter(payload__kind="availability_received")
    assert "Rosa Recruiter" in told.payload["about"]


def test_nobody_signs_in_for_the_job_so_the_link_has_no_sender(app, onsite, tenant):
    app.job.recruiters.add(f.interviewer(tenant, "Abe Absent"))
    move(app)
    assert autopilot.run_due(now=later(61)) == 1
    assert BookingLink.objects.get().created_by is None


def test_two_entries_of_two_applications_both_go(app, onsite, ats):
    other = f.application(ats, f.candidate(ats, "Ben Ode"), app.job)
    move(app)
    move(other)
    assert autopilot.run_due(now=later(61)) == 2
    assert autopilot.run_due(now=later(61)) == 0
    assert BookingLink.objects.count() == 2 and link_emails().count() == 2


def test_sending_the_same_entry_twice_sends_once(app, onsite):
    entry = move(app)
    autopilot._send(entry.pk, user=None, now=later(61))
    autopilot._send(entry.pk, user=None, now=later(61))
    assert BookingLink.objects.count() == 1 and link_emails().count() == 1


def test_an_availability_plan_asks_for_times(app, onsite):
    onsite.autopilot = Rule.AVAILABILITY
    onsite.save()
    entry = move(app)
    assert autopilot.run_due(now=later(61)) == 1
    entry.refresh_from_db()
    request = AvailabilityRequest.objects.get()
    assert entry.availability_request == request and entry.link == request.link
    assert Operation.objects.filter(payload__kind="availability_request").count() == 1
    assert AutopilotEvent.objects.filter(kind=AutopilotEvent.Kind.SENT_REQUEST).exists()


def test_a_queue_plan_queued_by_the_job_when_changed_after_the_entry(app, onsite):
    entry = move(app)
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    assert autopilot.run_due(now=later(61)) == 0
    entry.refresh_from_db()
    assert entry.state == State.QUEUED and not BookingLink.objects.exists()


# --- guardrails -------------------------------------------------------------------------------


def _skipped(entry, now=None):
    autopilot.run_due(now=now or later(61))
    entry.refresh_from_db()
    assert entry.state == State.SKIPPED, entry.state
    assert not link_emails().exists()
    line = AutopilotEvent.objects.get(entry=entry, kind=AutopilotEvent.Kind.SKIPPED)
    assert entry.reason in line.text
    return entry.reason


def test_not_sent_to_a_closed_application(app, onsite):
    entry = move(app)
    app.status = "REJECTED"
    app.save()  # closed without a move of the stage clock (as a manual fix would)
    assert "closed" in _skipped(entry)


def test_not_sent_without_a_usable_email(app, onsite):
    entry = move(app)
    Candidate.objects.filter(pk=app.candidate_id).update(email="", emails=["not an address"])
    assert _skipped(entry) == "Ada Shah has no usable email address in the ATS"


def test_not_sent_without_any_email(app, onsite):
    entry = move(app)
    Candidate.objects.filter(pk=app.candidate_id).update(email="", emails=[])
    assert _skipped(entry) == "Ada Shah has no email address in the ATS"


def test_not_sent_with_an_open_link_for_the_plan(app, onsite, recruiter):
    entry = move(app)
    autopilot.links.create_link(
        app,
        onsite,
        user=recruiter,
        window_start=dt.date.today(),
        window_end=dt.date.today() + dt.timedelta(days=9),
        expires_at=later(60 * 24 * 7),
        send=False,
    )
    assert "already has an open booking link for the “Onsite” plan" in _skipped(entry)
    assert BookingLink.objects.count() == 1


def test_not_sent_with_an_active_interview_for_the_plan(app, onsite, ivy, recruiter):
    entry = move(app)
    start = f.working_day(days_ahead=5)
    booking.book(app, onsite, f.one_session("Onsite", start, required=[ivy]), user=recruiter)
    assert Interview.objects.active().count() == 1
    assert "already has an interview for the “Onsite” plan" in _skipped(entry)


def test_not_sent_when_the_application_left_the_stage(app, onsite):
    entry = move(app)
    move(app, "FIRST_INTERVIEW", at=later(30))
    assert _skipped(entry, later(61)) == "Ada Shah left the stage before it was sent"


def test_not_sent_when_autopilot_was_turned_off(app, onsite):
    entry = move(app)
    onsite.autopilot = Rule.OFF
    onsite.save()
    assert _skipped(entry) == "autopilot was turned off for the “Onsite” plan"


def test_a_paused_plans_entry_waits_and_goes_after_the_resume(app, onsite, recruiter):
    entry = move(app)
    autopilot.set_paused(onsite, True, user=recruiter)
    assert autopilot.run_due(now=later(61)) == 0
    entry.refresh_from_db()
    assert entry.state == State.WAITING
    autopilot.set_paused(onsite, False, user=recruiter)
    assert autopilot.run_due(now=later(180)) == 1
    kinds = list(AutopilotEvent.objects.order_by("at").values_list("kind", flat=True))
    assert kinds[-3:] == ["paused", "resumed", "sent_link"]
    assert AuditEntry.objects.get(action="autopilot.paused").actor == recruiter


def test_a_paused_plans_entry_that_left_the_stage_is_not_sent_after_the_resume(
    app, onsite, recruiter
):
    entry = move(app)
    autopilot.set_paused(onsite, True, user=recruiter)
    move(app, "FIRST_INTERVIEW", at=later(90))
    autopilot.set_paused(onsite, False, user=recruiter)
    assert "left the stage" in _skipped(entry, later(120))


# --- the daily cap ----------------------------------------------------------------------------


def test_the_daily_cap_holds_the_rest_until_the_next_day(app, onsite, ats, tenant):
    tenant.autopilot_daily_cap = 1
    tenant.save()
    other = f.application(ats, f.candidate(ats, "Ben Ode"), app.job)
    move(app)
    held_entry = move(other, at=later(1))
    now = later(62)
    assert autopilot.run_due(now=now) == 1
    held_entry.refresh_from_db()
    assert held_entry.state == State.HELD
    assert held_entry.reason == "today's cap of 1 sends reached"
    assert autopilot.cap_reached(tenant, now) and autopilot.held(tenant) == 1
    # The next day on the team's clock (New York): it goes.
    zone = autopilot.zones.zone(tenant.default_timezone)
    midnight = dt.datetime.combine(
        timezone.localtime(now, zone).date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone
    )
    assert held_entry.due_at == midnight
    assert autopilot.run_due(now=midnight - dt.timedelta(minutes=1)) == 0
    assert autopilot.run_due(now=midnight + dt.timedelta(minutes=1)) == 1
    held_entry.refresh_from_db()
    assert held_entry.state == State.SENT
    # One "held" line, not one per turn.
    assert AutopilotEvent.objects.filter(kind="held").count() == 1


def test_a_cap_of_zero_sends_nothing(app, onsite, tenant):
    tenant.autopilot_daily_cap = 0
    tenant.save()
    entry = move(app)
    assert autopilot.run_due(now=later(61)) == 0
    entry.refresh_from_db()
    assert entry.state == State.HELD and not BookingLink.objects.exists()


# --- the queue's one click --------------------------------------------------------------------


def test_the_one_click_sends_with_the_same_guardrails(app, onsite, recruiter, ats):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    entry = move(app)
    assert autopilot.queue(app.tenant) == [entry]
    sent = autopilot.send_now(entry, user=recruiter)
    assert sent.state == State.SENT and sent.sent_by == recruiter
    assert BookingLink.objects.get().created_by == recruiter
    assert autopilot.queue(app.tenant) == []
    with pytest.raises(autopilot.NotSent):
        autopilot.send_now(entry, user=recruiter)
    assert link_emails().count() == 1
    # Another queued application whose candidate has no email: skipped, with the reason.
    other = f.application(ats, f.candidate(ats, "Ben Ode", email=""), app.job)
    entry2 = move(other)
    assert autopilot.send_now(entry2, user=recruiter).state == State.SKIPPED
    assert AuditEntry.objects.filter(action="autopilot.skipped", actor=recruiter).exists()


def test_the_one_click_is_refused_while_the_plan_is_paused(app, onsite, recruiter):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    entry = move(app)
    autopilot.set_paused(onsite, True, user=recruiter)
    with pytest.raises(autopilot.NotSent, match="paused"):
        autopilot.send_now(entry, user=recruiter)
    entry.refresh_from_db()
    assert entry.state == State.QUEUED
    assert mail.outbox == []


def test_the_queue_leaves_out_applications_that_moved_on(app, onsite, recruiter):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    move(app)
    move(app, "FIRST_INTERVIEW", at=later(5))
    assert autopilot.queue(app.tenant) == []


# --- the mirror tells autopilot ---------------------------------------------------------------


def _record(remote_id, candidate_remote_id, status, minutes_ago=0):
    updated = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return records.Application.from_api(
        {
            "id": remote_id,
            "candidate_id": candidate_remote_id,
            "status": status,
            "updated_at": updated.isoformat(),
        }
    )


def test_a_webhooks_move_is_one_entry_and_a_repeat_delivery_none(app, onsite, ats):
    delivery = [_record(app.remote_id, app.candidate.remote_id, "SECOND_INTERVIEW")]
    changes.applications_changed(ats, delivery, "updated", "")
    changes.applications_changed(ats, delivery, "updated", "")  # delivered twice
    (entry,) = StageEntry.objects.filter(application=app)
    app.refresh_from_db()
    assert entry.entered_at == app.stage_entered_at and entry.state == State.WAITING
    # Moved out and in again: a second entry, the first no longer in its stage.
    later_move = [_record(app.remote_id, app.candidate.remote_id, "FIRST_INTERVIEW")]
    changes.applications_changed(ats, later_move, "updated", "")
    again = [_record(app.remote_id, app.candidate.remote_id, "SECOND_INTERVIEW")]
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5), tick=True):
        changes.applications_changed(ats, again, "updated", "")
    assert StageEntry.objects.filter(application=app).count() == 2


def test_the_first_sync_imports_and_moves_nothing(onsite, ats):
    candidate = f.candidate(ats, "Ben Ode")
    ats.synced_until = None
    ats.save(update_fields=["synced_until"])
    changes.applications_changed(
        ats, [_record("first-seen", candidate.remote_id, "SECOND_INTERVIEW", 60)], "created", ""
    )
    assert not StageEntry.objects.exists()
    # Once the ATS was read, a new application in the stage is a move into it.
    ats.synced_until = timezone.now()
    ats.save(update_fields=["synced_until"])
    changes.applications_changed(
        ats, [_record("created-since", candidate.remote_id, "SECOND_INTERVIEW")], "created", ""
    )
    assert StageEntry.objects.get().application.remote_id == "created-since"


def test_the_queue_leaves_out_an_application_a_recruiter_sent_a_link_by_hand(
    app, onsite, recruiter
):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    entry = move(app)
    assert autopilot.queue(app.tenant) == [entry]
    autopilot.links.create_link(
        app,
        onsite,
        user=recruiter,
        window_start=dt.date.today(),
        window_end=dt.date.today() + dt.timedelta(days=9),
        expires_at=later(60 * 24 * 7),
        send=False,
    )
    assert autopilot.queue(app.tenant) == []


def test_entries_given_back_show_with_their_reason_until_booked(app, onsite, ivy, recruiter):
    entry = move(app)
    StageEntry.objects.filter(pk=entry.pk).update(
        state=State.RETURNED, reason="no answer after 2 reminders"
    )
    (back,) = autopilot.returned(app.tenant)
    assert back.reason == "no answer after 2 reminders"
    booking.book(
        app,
        onsite,
        f.one_session("Onsite", f.working_day(days_ahead=5), required=[ivy]),
        user=recruiter,
    )
    assert autopilot.returned(app.tenant) == []


def test_a_recruiters_own_booking_of_a_queued_entry_is_theirs_in_the_feed_and_history(
    app, onsite, ivy, recruiter
):
    onsite.autopilot = Rule.QUEUE
    onsite.save()
    entry = move(app)
    assert entry.state == State.QUEUED
    start = f.working_day(days_ahead=5)
    interview = booking.book(
        app, onsite, f.one_session("Onsite", start, required=[ivy]), user=recruiter
    )
    entry.refresh_from_db()
    assert entry.state == State.BOOKED and entry.interview == interview
    (line,) = AutopilotEvent.objects.filter(entry=entry, kind=AutopilotEvent.Kind.BOOKED)
    assert line.text.startswith("Booked by Rosa Recruiter: ")
    # The booking is in the audit log once, under Rosa; autopilot does not claim it.
    assert not AuditEntry.objects.filter(action="autopilot.booked").exists()
    assert AuditEntry.objects.filter(actor=recruiter, action__startswith="interview.").exists()
