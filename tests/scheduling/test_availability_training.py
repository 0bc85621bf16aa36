"""The engine's seating of a training program's trainees (docs/design.md, "Training"):
shadowing adds a seat, reverse shadowing takes one and adds a trainer, trainees are balanced
by load, optional or required per pool, within caps, nobody twice in a session."""

import datetime as dt

import pytest

from scheduling.availability import POOL_EXHAUSTED, Plan, Pool, Session, find_slots

from .availability_helpers import busy, days, hold, local, minutes, person, single, wall_times

LONDON = "Europe/London"
MONDAY = dt.date(2026, 6, 1)


def at(hour, minute=0, date=MONDAY):
    return local(LONDON, date.year, date.month, date.day, hour, minute)


def first_session(result):
    return result.slots[0].sessions[0]


def test_a_shadowing_trainee_adds_a_seat_beside_the_k():
    plan = single(pools=(Pool(("cy", "dee"), k=1, trainees=("tim",)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("dee"), person("tim")])
    session = first_session(result)
    assert session.interviewers == ("cy",)
    assert session.trainees == ("tim",)
    choice = session.pools[0]
    assert (choice.chosen, choice.trainee, choice.leads, choice.trainer) == (
        ("cy",),
        "tim",
        False,
        None,
    )


def test_a_reverse_shadowing_trainee_takes_a_seat_and_a_member_shadows_them():
    plan = single(pools=(Pool(("cy", "dee", "eve"), k=2, leads=("kim",)),))
    people = [person("cy"), person("dee"), person("eve"), person("kim")]
    session = first_session(find_slots(days(LONDON, MONDAY), plan, people))
    choice = session.pools[0]
    # Two seats: one member interviews, the trainee leads the other, a member shadows them.
    assert choice.trainee == "kim" and choice.leads
    assert len(choice.chosen) == 2 and choice.trainer == choice.chosen[0]
    assert session.trainees == ("kim",)
    assert set(session.interviewers) == set(choice.chosen)


def test_the_trainee_with_the_lighter_load_is_seated():
    # Tim already has two interviews this week, Una none: Una shadows.
    tim = person(
        "tim",
        holds=(hold(at(9, date=dt.date(2026, 6, 2))), hold(at(11, date=dt.date(2026, 6, 3)))),
    )
    plan = single(pools=(Pool(("cy",), trainees=("tim", "una")),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim, person("una")])
    assert {slot.sessions[0].trainees for slot in result.slots} == {("una",)}
    # When Una cannot come, Tim takes the seat.
    una = person("una", busy=(busy(at(9), dt.timedelta(hours=8)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim, una])
    assert {slot.sessions[0].trainees for slot in result.slots} == {("tim",)}


def test_an_optional_trainee_who_cannot_come_leaves_the_time_offered_without_one():
    tim = person("tim", busy=(busy(at(9), dt.timedelta(hours=2)),))
    plan = single(pools=(Pool(("cy",), trainees=("tim",)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim])
    by_start = dict(zip(wall_times(result.slots, LONDON), result.slots, strict=True))
    assert by_start["09:00"].sessions[0].trainees == ()
    assert by_start["09:00"].sessions[0].pools[0].trainee is None
    assert by_start["11:00"].sessions[0].trainees == ("tim",)


def test_a_required_trainee_keeps_only_the_times_one_can_make():
    tim = person("tim", busy=(busy(at(9), dt.timedelta(hours=2)),))
    plan = single(pools=(Pool(("cy",), trainees=("tim",), trainee_required=True),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim])
    assert wall_times(result.slots, LONDON)[0] == "11:00"
    assert all(slot.sessions[0].trainees == ("tim",) for slot in result.slots)


def test_a_required_trainee_nobody_can_be_explains_the_day():
    tim = person("tim", name="Tim", busy=(busy(at(9), dt.timedelta(hours=8)),))
    plan = single(
        pools=(Pool(("cy",), trainees=("tim",), trainee_required=True, program="Coding"),)
    )
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim])
    assert result.slots == ()
    day = result.empty_days[0]
    assert day.code == POOL_EXHAUSTED
    assert "needs a trainee from “Coding”" in day.message and "Tim is busy" in day.message


def test_trainee_seats_respect_caps_and_count_in_load():
    # Tim may do one interview a day and has one: he is not seated; Una is.
    tim = person("tim", daily_cap=1, holds=(hold(at(16)),))
    plan = single(pools=(Pool(("cy",), trainees=("tim",)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim])
    assert all(slot.sessions[0].trainees == () for slot in result.slots)
    # A trainee with a cap of one sits in only one of two sessions of a visit.
    una = person("una", daily_cap=1)
    plan = Plan(
        sessions=(
            Session("a", minutes(60), pools=(Pool(("cy",), trainees=("una",)),)),
            Session("b", minutes(60), pools=(Pool(("dee",), trainees=("una",)),)),
        )
    )
    slot = find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("dee"), una]).slots[0]
    assert [s.trainees for s in slot.sessions] == [("una",), ()]
    # And the trainee's load counts in the slot's load like a member's.
    held = person("una", holds=(hold(at(9, date=dt.date(2026, 6, 2))),))
    plan = single(pools=(Pool(("cy",), trainees=("una",)),))
    slot = find_slots(days(LONDON, MONDAY), plan, [person("cy"), held]).slots[0]
    assert slot.load == (1, 0)


def test_nobody_is_seated_twice_in_a_session():
    # Two pools of one session name the same program: one trainee each at most, never the
    # same one twice.
    plan = single(
        pools=(
            Pool(("cy",), trainees=("tim",)),
            Pool(("dee",), trainees=("tim",)),
        )
    )
    session = first_session(
        find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("dee"), person("tim")])
    )
    assert session.trainees == ("tim",)
    assert [choice.trainee for choice in session.pools] == ["tim", None]
    # A required second trainee then cannot be found: such a time is not offered.
    plan = single(
        pools=(
            Pool(("cy",), trainees=("tim",), trainee_required=True),
            Pool(("dee",), trainees=("tim",), trainee_required=True),
        )
    )
    assert (
        find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("dee"), person("tim")]).slots
        == ()
    )


def test_plan_shapes_with_trainees_are_checked():
    with pytest.raises(ValueError, match="member and a trainee"):
        Pool(("cy",), leads=("cy",))
    with pytest.raises(ValueError, match="requires a trainee"):
        Pool(("cy",), trainee_required=True)
    with pytest.raises(ValueError, match="trainee too"):
        Session("s", minutes(60), required=("tim",), pools=(Pool(("cy",), trainees=("tim",)),))
