"""The booking service: the race rule, conflicts, and what a booking writes."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from scheduling import availability as engine
from scheduling import booking, slots
from scheduling.models import (
    Flag,
    Interview,
    InterviewPlan,
    Operation,
    PlanPool,
    PlanSession,
    SessionAttendee,
)
from tests import factories as f


def choice_for(person, start, minutes=60):
    return slots.Choice(
        sessions=(
            slots.SessionChoice(
                title="Interview",
                start=start,
                end=start + dt.timedelta(minutes=minutes),
                people=((str(person.pk), "required", None),),
            ),
        )
    )


@pytest.fixture
def world(tenant):
    ats = f.connection(tenant)
    ivy = f.interviewer(tenant, "Ivy Chen")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen", buffer_after_minutes=15)
    apps = [f.application(ats, f.candidate(ats, f"Candidate {n}")) for n in range(2)]
    start = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    return {"ivy": ivy, "plan": plan, "apps": apps, "start": start}


@pytest.mark.django_db
def test_a_booking_writes_sessions_attendees_and_its_operations(world):
    interview = booking.book(
        world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"])
    )
    assert interview.status == "scheduled" and interview.stage_status == "FIRST_INTERVIEW"
    session = interview.sessions.get()
    assert list(session.attendees.values_list("interviewer", flat=True)) == [world["ivy"].pk]
    kinds = sorted(interview.operations.values_list("kind", flat=True))
    # Ivy has no calendar to invite her, so she gets an email of her own beside the candidate.
    assert kinds == ["ats_interview.create", "email.send", "email.send", "event.create"]
    ats_op = interview.operations.get(kind="ats_interview.create")
    assert ats_op.depends_on.kind == "event.create"


@pytest.mark.django_db
def test_an_overlapping_booking_of_the_same_person_is_refused(world):
    booking.book(world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"]))
    with pytest.raises(booking.SlotTaken, match="Ivy Chen is no longer free"):
        booking.book(
            world["apps"][1],
            world["plan"],
            choice_for(world["ivy"], world["start"] + dt.timedelta(minutes=30)),
        )
    # The plan's 15-minute buffer after counts too.
    with pytest.raises(booking.SlotTaken):
        booking.book(
            world["apps"][1],
            world["plan"],
            choice_for(world["ivy"], world["start"] + dt.timedelta(minutes=70)),
        )
    booking.book(
        world["apps"][1],
        world["plan"],
        choice_for(world["ivy"], world["start"] + dt.timedelta(minutes=75)),
    )


@pytest.mark.django_db
def test_an_override_books_inside_buffers_but_never_over_another_interview(world, recruiter):
    booking.book(world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"]))
    with pytest.raises(booking.SlotTaken):
        booking.book(
            world["apps"][1],
            world["plan"],
            choice_for(world["ivy"], world["start"]),
            override_reason="Ivy agreed",
        )
    interview = booking.book(
        world["apps"][1],
        world["plan"],
        choice_for(world["ivy"], world["start"] + dt.timedelta(minutes=60)),
        user=recruiter,
        override_reason="Ivy agreed to go straight on",
    )
    assert interview.override_reason == "Ivy agreed to go straight on"
    entry = interview.tenant.audit_entries.get(
        action="interview.booked", object_id=str(interview.pk)
    )
    assert "availability overridden: Ivy agreed" in entry.message and entry.actor == recruiter


@pytest.mark.django_db
def test_a_second_interview_for_the_same_stage_is_refused(world):
    booking.book(world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"]))
    other = f.interviewer(world["ivy"].tenant, "Bo Kim")
    with pytest.raises(booking.BookingError, match="already has an upcoming interview"):
        booking.book(world["apps"][0], world["plan"], choice_for(other, world["start"]))


@pytest.mark.django_db
def test_cancel_frees_the_time_and_queues_removal(world):
    interview = booking.book(
        world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"])
    )
    booking.cancel(interview, reason="Candidate withdrew")
    assert not SessionAttendee.objects.filter(active=True).exists()
    cancel_op = interview.operations.filter(kind="event.cancel").get()
    # The create that had not run yet is superseded: the cancel does what the interview
    # needs now (no event), so nothing is created and nothing is left behind.
    create = interview.operations.get(kind="event.create")
    assert create.status == "skipped" and create.result["by"] == str(cancel_op.pk)
    assert cancel_op.status == "pending" and cancel_op.depends_on is None
    booking.book(world["apps"][1], world["plan"], choice_for(world["ivy"], world["start"]))


def race(book, arguments, refused):
    """Call book(argument) for each argument at once, one thread each, released together.
    Returns "booked" or the refusal's message per attempt."""
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def attempt(argument):
        try:
            barrier.wait(timeout=5)
            book(argument)
            outcomes.append("booked")
        except refused as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(arg,)) for arg in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_recruiters_racing_for_one_slot_get_one_booking(world, settings):
    """The database decides, not the timing: IMMEDIATE transactions on SQLite, row locks and
    an exclusion constraint on PostgreSQL."""
    # Commits are real here: keep the write-back queued instead of running it.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    outcomes = race(
        lambda app: booking.book(app, world["plan"], choice_for(world["ivy"], world["start"])),
        world["apps"],
        booking.SlotTaken,
    )
    assert sorted(outcomes, key=len) == [
        "booked",
        "That time was just taken (Ivy Chen is no longer free). Here are fresh times.",
    ]
    assert Interview.objects.count() == 1
    assert SessionAttendee.objects.filter(active=True).count() == 1
    assert Operation.objects.filter(kind="event.create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_recruiters_booking_one_candidate_at_once_get_one_interview(world, settings):
    """Different interviewers, so no interviewer lock or exclusion constraint meets: the
    application itself must be what the second booking waits for."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    bo = f.interviewer(world["ivy"].tenant, "Bo Kim")
    application = world["apps"][0]
    outcomes = race(
        lambda person: booking.book(
            application, world["plan"], choice_for(person, world["start"])
        ),
        (world["ivy"], bo),
        booking.BookingError,
    )
    assert sorted(outcomes, key=len) == [
        "booked",
        "This candidate already has an upcoming interview for this stage: reschedule it instead.",
    ]
    assert Interview.objects.filter(application=application).count() == 1


def loop_for(person, start, shift=dt.timedelta()):
    """Two back-to-back sessions, both with `person`, moved by `shift`."""
    return slots.Choice(
        sessions=tuple(
            slots.SessionChoice(
                title=f"Part {n}",
                start=start + shift + dt.timedelta(hours=n),
                end=start + shift + dt.timedelta(hours=n + 1),
                people=((str(person.pk), "required", None),),
            )
            for n in range(2)
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_loop_with_one_person_in_two_sessions_can_be_moved(world, settings):
    """Ann sits 10–11 and 11–12; moved by 30 minutes, the first session briefly overlaps the
    second before the second moves too. Only the end result must be free of overlaps."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ann = f.interviewer(world["ivy"].tenant, "Ann Lee")
    interview = booking.book(world["apps"][0], None, loop_for(ann, world["start"]))

    booking.reschedule(interview, loop_for(ann, world["start"], dt.timedelta(minutes=30)))

    times = sorted(SessionAttendee.objects.filter(active=True).values_list("start_at", flat=True))
    assert times == [
        world["start"] + dt.timedelta(minutes=30),
        world["start"] + dt.timedelta(minutes=90),
    ]
    entry = interview.tenant.audit_entries.get(action="interview.rescheduled")
    assert entry.message.startswith("Moved the interview from ")
    # Read later, in other zones: it names its own (the team's).
    assert "New York time (United States, UTC−" in entry.message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's constraint")
@pytest.mark.django_db(transaction=True)
def test_a_move_onto_a_time_taken_meanwhile_is_just_taken(world, settings, monkeypatch):
    """Should the check before the writes miss a clash (as in a race), the database's own
    check, deferred to the end of the move, still refuses it as "just taken"."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ann = f.interviewer(world["ivy"].tenant, "Ann Lee")
    interview = booking.book(world["apps"][0], None, loop_for(ann, world["start"]))
    later = world["start"] + dt.timedelta(hours=5)
    booking.book(world["apps"][1], None, choice_for(ann, later))
    monkeypatch.setattr(booking, "_refuse_conflicts", lambda *args, **kwargs: None)

    with pytest.raises(booking.SlotTaken, match="That time was just taken"):
        booking.reschedule(interview, loop_for(ann, later))
    interview.refresh_from_db()
    assert interview.start_at == world["start"]


@pytest.mark.django_db
def test_a_swap_invites_the_newcomer_and_releases_the_one_swapped_out(world, tenant, mailoutbox):
    """On a calendar that sends no invitations, Convene emails both of them a calendar file."""
    cal = f.connection(tenant, "calendar", capabilities={"invites": False})
    for person in (world["ivy"],):
        person.calendar_connection, person.calendar_id = cal, "ivy"
        person.email = "ivy@acme.example"
        person.save()
    max_ = f.interviewer(tenant, "Max Weber", email="max@acme.example")
    interview = booking.book(
        world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"])
    )
    session = interview.sessions.get()
    assert [op.payload["interviewer"] for op in _invitations(interview)] == [str(world["ivy"].pk)]
    Operation.objects.update(status="done")

    booking.swap_attendee(session, session.attendees.get(), max_)
    ops = list(_invitations(interview).filter(status="pending"))
    assert {(op.payload["interviewer"], op.payload["canceled"]) for op in ops} == {
        (str(max_.pk), False),
        (str(world["ivy"].pk), True),
    }
    Operation.objects.filter(kind="event.update").update(status="done")
    for op in ops:
        booking.outbox.perform(op.pk)
    by_person = {m.to[0]: m for m in mailoutbox}
    assert "METHOD:REQUEST" in str(by_person["max@acme.example"].attachments[0][1])
    released = by_person["ivy@acme.example"]
    assert released.subject.startswith("Canceled:")
    assert "METHOD:CANCEL" in str(released.attachments[0][1])
    assert "SEQUENCE:1" in str(released.attachments[0][1])  # outranks her invitation

    # Swapped back in, her new invitation outranks the release she was sent.
    mailoutbox.clear()
    Operation.objects.update(status="done")
    booking.swap_attendee(session, session.attendees.get(active=True), world["ivy"])
    Operation.objects.filter(kind="event.update").update(status="done")
    for op in _invitations(interview).filter(status="pending"):
        booking.outbox.perform(op.pk)
    by_person = {m.to[0]: str(m.attachments[0][1]) for m in mailoutbox}
    assert "METHOD:REQUEST" in by_person["ivy@acme.example"]
    assert "SEQUENCE:2" in by_person["ivy@acme.example"]
    assert "METHOD:CANCEL" in by_person["max@acme.example"]
    assert "SEQUENCE:2" in by_person["max@acme.example"]


@pytest.mark.django_db
def test_a_swap_settles_the_decline_and_keeps_other_flags(world, tenant):
    max_ = f.interviewer(tenant, "Max Weber", email="max@acme.example")
    interview = booking.book(
        world["apps"][0], world["plan"], choice_for(world["ivy"], world["start"])
    )
    rejected = "The application was moved to Rejected in the ATS. Cancel this interview?"
    session = interview.sessions.get()
    interview.raise_flag(Flag.Kind.APPLICATION_CLOSED, rejected)
    interview.raise_flag(
        Flag.Kind.DECLINED,
        f"{world['ivy'].name} declined “Screen”.",
        session=session,
        interviewer=world["ivy"],
    )

    booking.swap_attendee(session, session.attendees.get(), max_)
    assert interview.flag_text == rejected


@pytest.fixture
def pair_pool(world, tenant):
    """A plan whose session takes two of Ann, Bo and Cy, and a slot that picked Ann and Bo
    with Cy as the alternate."""
    ann, bo, cy = (f.interviewer(tenant, name) for name in ("Ann Lee", "Bo Kim", "Cy Diaz"))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Pair", stage_status="ONSITE")
    part = PlanSession.objects.create(plan=plan, title_template="Pair")
    pool = PlanPool.objects.create(session=part, k=2)
    pool.members.set([ann, bo, cy])
    start = world["start"]
    slot = engine.Slot(
        start,
        start + dt.timedelta(hours=1),
        (
            engine.SessionSlot(
                str(part.pk),
                start,
                start + dt.timedelta(hours=1),
                (str(ann.pk), str(bo.pk)),
                (),
                (engine.PoolChoice((str(ann.pk), str(bo.pk)), (str(cy.pk),)),),
            ),
        ),
    )
    offer = slots.Offer((slot,), (), {}, plan, [])
    return {"people": (ann, bo, cy), "plan": plan, "part": part, "slot": slot, "offer": offer}


@pytest.mark.django_db
def test_a_swap_that_seats_one_person_twice_is_refused(world, pair_pool):
    ann, bo, cy = pair_pool["people"]
    key = str(pair_pool["part"].pk)
    choice = pair_pool["offer"].choice_for(
        pair_pool["slot"],
        world["apps"][0],
        swaps={(key, str(ann.pk)): str(cy.pk), (key, str(bo.pk)): str(cy.pk)},
    )
    with pytest.raises(booking.BookingError, match="Cy Diaz is in two seats of “Pair”"):
        booking.book(world["apps"][0], pair_pool["plan"], choice)
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_the_swap_form_answers_a_mangled_replacement_with_a_message(
    world, pair_pool, recruiter_client
):
    ann = pair_pool["people"][0]
    choice = pair_pool["offer"].choice_for(pair_pool["slot"], world["apps"][0])
    interview = booking.book(world["apps"][0], pair_pool["plan"], choice)
    attendee = SessionAttendee.objects.get(interviewer=ann)
    swap = reverse("interview_swap", args=[interview.pk, attendee.pk])
    for value in ("not-a-uuid", "", str(uuid.uuid4())):
        response = recruiter_client.post(swap, {"replacement": value}, follow=True)
        assert response.status_code == 200
        assert "Choose one of the people who are free then." in response.content.decode()
    assert SessionAttendee.objects.get(pk=attendee.pk).active


@pytest.mark.django_db
def test_a_swap_to_someone_deactivated_meanwhile_is_refused(world, pair_pool):
    """The form offered Cy; by the time it is sent, Cy left the team."""
    ann, bo, cy = pair_pool["people"]
    choice = pair_pool["offer"].choice_for(pair_pool["slot"], world["apps"][0])
    interview = booking.book(world["apps"][0], pair_pool["plan"], choice)
    session = interview.sessions.get()
    attendee = session.attendees.get(interviewer=ann)
    cy.active = False
    cy.save()
    with pytest.raises(booking.BookingError, match="Cy Diaz is not an active interviewer"):
        booking.swap_attendee(session, attendee, cy)
    assert set(seated := booking.seated(session)) == {ann.pk, bo.pk}, seated


@pytest.mark.django_db
def test_a_seat_swapped_twice_at_once_is_swapped_once(world, pair_pool, tenant):
    """Two recruiters swap Ann out from the same page: the second finds her seat gone."""
    ann, bo, cy = pair_pool["people"]
    di = f.interviewer(tenant, "Di Roy")
    choice = pair_pool["offer"].choice_for(pair_pool["slot"], world["apps"][0])
    interview = booking.book(world["apps"][0], pair_pool["plan"], choice)
    session = interview.sessions.get()
    attendee = session.attendees.get(interviewer=ann)
    booking.swap_attendee(session, attendee, cy)
    with pytest.raises(booking.BookingError, match="changed meanwhile"):
        booking.swap_attendee(session, attendee, di)
    assert set(booking.seated(session)) == {bo.pk, cy.pk}


def _invitations(interview):
    return interview.operations.filter(
        kind="email.send", payload__kind="interviewer_invitation"
    ).order_by("created_at")
