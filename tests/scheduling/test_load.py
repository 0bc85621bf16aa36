"""Load counted from everything a person sits in: Convene's interviews, the ATS's (booked by
another tool or by hand) and the calendar events they point to, each interview once. The
engine's pool choice and caps, the override and the explanations all see the same count.
No calendars are connected, so the engine works from hours and these interviews alone."""

import datetime as dt

import pytest
import time_machine

from candidates.sync import write_seats
from scheduling import availability, booking, load, slots
from scheduling.models import AtsSeat, InterviewPlan, PlanPool, PlanSession
from tests import factories as f

pytestmark = pytest.mark.django_db

# A Tuesday; the searches look at Thursday 3 December, in New York.
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
THURSDAY = dt.datetime(2026, 12, 3, 5, tzinfo=dt.UTC)  # midnight in New York
ZONE = "America/New_York"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ats(tenant):
    return f.connection(tenant, integration_name="Greenhouse")


@pytest.fixture
def people(tenant):
    return {
        name.split()[0].lower(): f.interviewer(
            tenant, name, timezone=ZONE, ats_user_id=f"emp-{name.split()[0].lower()}"
        )
        for name in ("Ann Lee", "Bo Kim", "Cy Park")
    }


def pool_plan(tenant, members, **caps):
    for person in members:
        for field, value in caps.items():
            setattr(person, field, value)
        person.save()
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Screen", minimum_notice_hours=0, horizon_days=30
    )
    session = PlanSession.objects.create(plan=plan, title_template="Screen", duration_minutes=60)
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set(members)
    return plan


def required_plan(tenant, person, **caps):
    for field, value in caps.items():
        setattr(person, field, value)
    person.save()
    plan = InterviewPlan.objects.create(
        tenant=tenant, name="Chat", minimum_notice_hours=0, horizon_days=30
    )
    session = PlanSession.objects.create(plan=plan, title_template="Chat", duration_minutes=60)
    session.required.add(person)
    return plan


def ats_interview(ats, person_ids, start, *, candidate="Alan Turing", **fields):
    """An interview only the ATS knows (another tool booked it), and its seats."""
    application = f.application(ats, f.candidate(ats, candidate))
    interview = f.remote_interview(
        application, start_in=start - NOW, user_ids=list(person_ids), **fields
    )
    write_seats(ats.tenant, type(interview).objects.filter(pk=interview.pk))
    return interview


def thursday_offer(application, plan):
    return slots.find(
        application,
        plan,
        start=THURSDAY,
        end=THURSDAY + dt.timedelta(days=1),
        candidate_zone=ZONE,
    )


def picked(offer):
    return {
        pid for slot in offer.slots for s in slot.sessions for p in s.pools for pid in p.chosen
    }


def test_an_ats_only_interview_moves_the_pool_choice_to_the_lighter_person(tenant, ats, people):
    plan = pool_plan(tenant, [people["ann"], people["bo"]])
    application = f.application(ats, f.candidate(ats, "Grace Hopper"))
    before = picked(thursday_offer(application, plan))
    assert len(before) == 1  # one of them, by the tie-break
    busier = next(p for p in people.values() if str(p.pk) in before)
    other = next(p for p in (people["ann"], people["bo"]) if p != busier)

    # Another tool booked the one Convene picks into an interview on Wednesday.
    ats_interview(ats, [busier.ats_user_id], dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC))

    assert picked(thursday_offer(application, plan)) == {str(other.pk)}


def test_an_ats_only_interview_fills_a_daily_cap_and_the_day_says_which(tenant, ats, people):
    ann = people["ann"]
    plan = required_plan(tenant, ann, max_interviews_per_day=1)
    application = f.application(ats, f.candidate(ats, "Grace Hopper"))
    assert thursday_offer(application, plan).slots

    # 10:00 in New York on Thursday, booked by hand in the ATS.
    ats_interview(ats, [ann.ats_user_id], dt.datetime(2026, 12, 3, 15, tzinfo=dt.UTC))

    offer = thursday_offer(application, plan)
    assert not [s for s in offer.slots if s.start.astimezone(dt.UTC).day == 3]
    (day,) = [d for d in offer.empty_days if d.date == dt.date(2026, 12, 3)]
    assert day.code == availability.DAILY_CAP
    assert day.message == (
        "Ann Lee already has as many interviews on Thursday 3 December as the daily limit "
        "allows: 10:00 Alan Turing (in Greenhouse)."
    )


def test_a_weekly_cap_counts_the_ats_interviews_of_the_persons_own_week(tenant, ats, people):
    ann = people["ann"]
    plan = required_plan(tenant, ann, max_interviews_per_day=None, max_interviews_per_week=2)
    application = f.application(ats, f.candidate(ats, "Grace Hopper"))
    # Monday and Tuesday of that ISO week, and the Sunday before (another week in New York,
    # though already Monday in UTC at 02:00).
    ats_interview(ats, [ann.ats_user_id], dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC))
    assert thursday_offer(application, plan).slots
    ats_interview(
        ats, [ann.ats_user_id], dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC), candidate="Ada"
    )
    assert thursday_offer(application, plan).slots
    ats_interview(
        ats, [ann.ats_user_id], dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC), candidate="Edsger"
    )
    offer = thursday_offer(application, plan)
    assert not offer.slots
    assert offer.empty_days[0].code == availability.WEEKLY_CAP
    assert offer.empty_days[0].message.endswith(
        "allows: Mon 10:00 Alan Turing (in Greenhouse), Tue 10:00 Edsger (in Greenhouse)."
    )


def test_the_override_fills_the_pool_seat_counting_ats_interviews(tenant, ats, people):
    plan = pool_plan(tenant, [people["ann"], people["bo"]])
    application = f.application(ats, f.candidate(ats, "Grace Hopper"))
    at = dt.datetime(2026, 12, 3, 14, tzinfo=dt.UTC)
    first = slots.manual_choice(application, plan, at).sessions[0].people[0][0]
    busier = next(p for p in people.values() if str(p.pk) == first)
    ats_interview(ats, [busier.ats_user_id], dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC))
    second = slots.manual_choice(application, plan, at).sessions[0].people[0][0]
    assert second != first


def test_convenes_own_interview_in_the_ats_counts_once(tenant, ats, people):
    ann = people["ann"]
    plan = required_plan(tenant, ann)
    start = dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC)
    choice = slots.Choice(
        (
            slots.SessionChoice(
                "Chat", start, start + dt.timedelta(hours=1), ((str(ann.pk), "required", None),)
            ),
        )
    )
    interview = booking.book(f.application(ats, f.candidate(ats, "Grace Hopper")), plan, choice)
    session = interview.sessions.get()
    # A sync found the ATS interview and the event before the write-back noted their ids.
    early = ats_interview(ats, [ann.ats_user_id], start, remote_id="ats-1")
    also = ats_interview(
        ats, [ann.ats_user_id], start, candidate="Ada", external_event_xref="event-1"
    )
    assert AtsSeat.objects.filter(remote_interview__in=[early, also]).count() == 2
    # The write-back notes them (writeback._remember_event / _remember_ats_interview).
    session.ats_interview_id, session.event_id = "ats-1", "event-1"
    session.save()
    load.forget_convene_seats(session)
    assert not AtsSeat.objects.exists()
    # Later syncs seat nobody in them either.
    write_seats(tenant, type(early).objects.filter(pk__in=[early.pk, also.pk]))
    assert not AtsSeat.objects.exists()

    seats = load.seats([ann.pk], start - dt.timedelta(days=1), start + dt.timedelta(days=1))
    assert [(s.source, s.label) for s in seats[str(ann.pk)]] == [
        ("convene", "Grace Hopper (booked in Convene)")
    ]


def test_seats_follow_the_calendar_event_the_ats_interview_points_to(tenant, ats, people):
    ann, bo, cy = people["ann"], people["bo"], people["cy"]
    moved = dt.datetime(2026, 12, 3, 18, tzinfo=dt.UTC)
    interview = ats_interview(
        ats,
        [ann.ats_user_id, cy.ats_user_id],
        dt.datetime(2026, 12, 3, 15, tzinfo=dt.UTC),
        external_event_xref="evt-9",
        event_status="CONFIRMED",
        event_start_at=moved,
        event_end_at=moved + dt.timedelta(minutes=45),
        event_attendees=[
            # The recruiter who sent it (an interviewer elsewhere), not counted.
            {"email": bo.email.upper(), "user_id": "", "status": "ACCEPTED", "organizer": True},
            # Cy is named by the ATS but declined: not there.
            {"email": cy.email, "user_id": "", "status": "REJECTED", "organizer": False},
            {"email": "someone@else.example", "user_id": "", "status": "", "organizer": False},
        ],
    )
    dee = f.interviewer(tenant, "Dee Ray", timezone=ZONE, ats_user_id="emp-dee")
    interview.event_attendees.append(
        {"email": "", "user_id": "emp-dee", "status": "TENTATIVE", "organizer": False}
    )
    interview.save()
    write_seats(tenant, type(interview).objects.filter(pk=interview.pk))

    seats = {(s.interviewer.name, s.via, s.start_at, s.end_at) for s in AtsSeat.objects.all()}
    assert seats == {
        ("Ann Lee", "ats", moved, moved + dt.timedelta(minutes=45)),
        ("Dee Ray", "calendar", moved, moved + dt.timedelta(minutes=45)),
    }
    found = load.seats([dee.pk], moved - dt.timedelta(hours=1), moved + dt.timedelta(hours=1))
    assert found[str(dee.pk)][0].label == "Alan Turing (in Greenhouse, from its calendar event)"

    interview.event_status = "CANCELED"
    interview.save()
    write_seats(tenant, type(interview).objects.filter(pk=interview.pk))
    assert not AtsSeat.objects.exists()


@pytest.mark.parametrize("status", ["CANCELED", "NEEDS_SCHEDULING"])
def test_ats_interviews_that_do_not_take_place_have_no_seats(tenant, ats, people, status):
    ats_interview(ats, [people["ann"].ats_user_id], NOW + dt.timedelta(days=1), status=status)
    assert not AtsSeat.objects.exists()


def test_another_tenants_seats_are_not_counted(tenant, other_tenant, ats, people):
    theirs = f.connection(other_tenant)
    stranger = f.interviewer(other_tenant, "Otto", ats_user_id="emp-otto")
    ats_interview(theirs, [stranger.ats_user_id], NOW + dt.timedelta(days=1))
    assert load.ats_seats(tenant, start=NOW, end=NOW + dt.timedelta(days=2)).count() == 0
    assert load.ats_seats(other_tenant, start=NOW, end=NOW + dt.timedelta(days=2)).count() == 1
