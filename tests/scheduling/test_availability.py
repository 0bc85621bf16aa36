"""Example tests of the availability engine: one or more per rule and per explanation."""

import ast
import datetime as dt
import doctest
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import scheduling.availability
from scheduling.availability import (
    ANY_ORDER,
    BEYOND_HORIZON,
    CANDIDATE_HOURS,
    CANDIDATE_TIMES,
    DAILY_CAP,
    EXPLANATION_CODES,
    NO_COMMON_TIME,
    NO_ONE_WORKS,
    OUT_OF_HOURS,
    POOL_EXHAUSTED,
    REQUIRED_BUSY,
    WEEKLY_CAP,
    WITHIN_NOTICE,
    Busy,
    DateHours,
    Hold,
    Plan,
    Pool,
    PoolChoice,
    Search,
    Session,
    WorkingHours,
    clock,
    engine,
    explain,
    find_slots,
    intervals,
    records,
)
from tests.scheduling.availability_helpers import (
    HOUR,
    UTC,
    busy,
    days,
    hold,
    local,
    minutes,
    person,
    single,
    wall_times,
)

LONDON = "Europe/London"
MONDAY = dt.date(2026, 6, 1)  # London is on UTC+1
TUESDAY = dt.date(2026, 6, 2)
SATURDAY = dt.date(2026, 6, 6)


def at(hour, minute=0, date=MONDAY, zone=LONDON):
    return local(zone, date.year, date.month, date.day, hour, minute)


def quarter_hours(first: str, last: str) -> list[str]:
    """'09:00', '09:15', … up to `last` inclusive."""
    start = dt.datetime.strptime(first, "%H:%M")
    end = dt.datetime.strptime(last, "%H:%M")
    out = []
    while start <= end:
        out.append(start.strftime("%H:%M"))
        start += minutes(15)
    return out


def starts(result, zone=LONDON):
    return wall_times(result.slots, zone)


# --- the module ---------------------------------------------------------------------------


def test_docstring_examples_run():
    for module in (scheduling.availability, records, engine, explain, clock, intervals):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0, module.__name__
        assert failed == 0, module.__name__


def public_callables():
    """Every public function, class and method of the package and its modules."""
    for module in (records, engine, explain, clock, intervals):
        for name, value in vars(module).items():
            if name.startswith("_") or not callable(value):
                continue
            if getattr(value, "__module__", None) == module.__name__:
                yield f"{module.__name__}.{name}", value
                for attribute, member in vars(value).items() if isinstance(value, type) else ():
                    if attribute.startswith("_"):
                        continue
                    if isinstance(member, property):
                        member = member.fget
                    if isinstance(member, classmethod | staticmethod):
                        member = member.__func__
                    if callable(member):
                        yield f"{module.__name__}.{name}.{attribute}", member


def test_every_public_function_class_and_method_has_a_docstring_example():
    documented = dict(public_callables())
    assert "scheduling.availability.engine.find_slots" in documented
    missing = [name for name, value in documented.items() if ">>>" not in (value.__doc__ or "")]
    assert missing == []


def test_engine_imports_only_the_standard_library():
    # Pure means no Django, no HTTP client: every import is the standard library or the
    # package itself.
    package = Path(scheduling.availability.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", (path.name, name)


# --- one person -----------------------------------------------------------------------------


def test_nine_to_five_hour_long_interviews_start_every_quarter_hour_until_four():
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann")])
    assert starts(result) == quarter_hours("09:00", "16:00")
    assert len(result.slots) == 29
    first = result.slots[0]
    assert first.start == at(9) and first.end == at(10)
    assert first.sessions[0].session == "interview"
    assert first.sessions[0].interviewers == ("ann",)


def test_slots_are_aware_utc_datetimes():
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann")])
    assert result.slots[0].start.tzinfo is UTC
    assert result.slots[0].sessions[0].end.tzinfo is UTC


def test_busy_block_removes_overlapping_starts():
    ann = person("ann", busy=(busy(at(11), HOUR),))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert starts(result) == quarter_hours("09:00", "10:00") + quarter_hours("12:00", "16:00")


def test_free_busy_block_does_not_block():
    ann = person("ann", busy=(busy(at(11), HOUR, free=True),))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert len(result.slots) == 29


def test_all_day_block_blocks_the_whole_date_in_the_persons_zone():
    # Sydney's Tuesday 2 June runs 14:00 UTC Monday to 14:00 UTC Tuesday.
    sydney = "Australia/Sydney"
    ann = person("ann", zone=sydney, busy=(Busy.whole_days(TUESDAY, TUESDAY + dt.timedelta(1)),))
    result = find_slots(days(sydney, MONDAY, 3), single("ann"), [ann])
    dates = {
        slot.start.astimezone(dt.timezone(dt.timedelta(hours=10))).date() for slot in result.slots
    }
    assert dates == {MONDAY, TUESDAY + dt.timedelta(1)}
    assert [(day.date, day.code) for day in result.empty_days] == [(TUESDAY, REQUIRED_BUSY)]


def test_all_day_block_can_span_several_dates():
    ann = person("ann", busy=(Busy.whole_days(MONDAY, MONDAY + dt.timedelta(3)),))
    result = find_slots(days(LONDON, MONDAY, 4), single("ann"), [ann])
    assert {slot.start.date() for slot in result.slots} == {MONDAY + dt.timedelta(3)}


def test_free_all_day_block_does_not_block():
    ann = person("ann", busy=(Busy.whole_days(MONDAY, TUESDAY, free=True),))
    assert len(find_slots(days(LONDON, MONDAY), single("ann"), [ann]).slots) == 29


def test_hold_blocks_its_time():
    ann = person("ann", holds=(hold(at(9), minutes(30)),))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert starts(result)[0] == "09:30"


def test_busy_blocks_are_read_as_instants_whatever_their_zone():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    ann = person("ann", busy=(busy(at(11).astimezone(tokyo), HOUR),))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert "10:15" not in starts(result) and "12:00" in starts(result)


def test_buffers_keep_time_clear_before_and_after_the_interview():
    ann = person(
        "ann",
        busy=(busy(at(12), HOUR),),
        buffer_before=minutes(15),
        buffer_after=minutes(30),
    )
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    # Before the block: the interview plus 30 minutes after must end by 12:00.
    # After the block: 15 minutes before the interview must start at 13:00 or later.
    assert starts(result) == quarter_hours("09:00", "10:30") + quarter_hours("13:15", "16:00")


def test_buffers_between_two_interviews_use_the_larger_one():
    # A hold is one of our interviews: its own buffer after counts, not only the proposal's
    # buffer before.
    ann = person(
        "ann", holds=(hold(at(9), HOUR),), buffer_before=minutes(0), buffer_after=minutes(30)
    )
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert starts(result)[0] == "10:30"


def test_buffers_may_fall_outside_working_hours():
    ann = person("ann", buffer_before=minutes(30), buffer_after=minutes(30))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert starts(result) == quarter_hours("09:00", "16:00")


def test_several_ranges_on_one_weekday():
    ranges = ((dt.time(9), dt.time(11)), (dt.time(14), dt.time(15, 30)))
    hours = WorkingHours(weekly=(ranges,) * 5 + ((), ()))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann", hours=hours)])
    assert starts(result) == quarter_hours("09:00", "10:00") + quarter_hours("14:00", "14:30")


def test_date_exception_replaces_the_weekly_hours():
    special = DateHours(MONDAY, ((dt.time(13), dt.time(15)),))
    hours = WorkingHours.daily(dt.time(9), dt.time(17), exceptions=(special,))
    result = find_slots(days(LONDON, MONDAY, 2), single("ann"), [person("ann", hours=hours)])
    monday = [s for s in result.slots if s.start.date() == MONDAY]
    assert wall_times(monday, LONDON) == quarter_hours("13:00", "14:00")
    assert len(result.slots) == 5 + 29


def test_date_exception_can_be_a_day_off():
    hours = WorkingHours.daily(dt.time(9), dt.time(17), exceptions=(DateHours(MONDAY),))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann", hours=hours)])
    assert result.slots == ()
    # Ann is the only person on the plan, so nobody works that day.
    assert result.empty_days[0].code == NO_ONE_WORKS


def test_working_hours_can_end_at_midnight():
    hours = WorkingHours.daily(dt.time(22), dt.time(0))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann", hours=hours)])
    assert starts(result) == quarter_hours("22:00", "23:00")


def test_whole_day_range():
    hours = WorkingHours.daily(dt.time(0), dt.time(0))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann", hours=hours)])
    assert len(result.slots) == 24 * 4 - 3


def test_slots_stay_inside_the_search_window():
    search = Search(start=at(10, 10), end=at(12, 30), now=at(8), candidate_zone=LONDON)
    result = find_slots(search, single("ann"), [person("ann")])
    assert starts(result) == quarter_hours("10:15", "11:30")


def test_starts_are_aligned_on_the_candidates_clock():
    # Kolkata is UTC+5:30: hourly starts on the candidate's clock are at :30 in London.
    search = days("Asia/Kolkata", MONDAY, step=HOUR)
    result = find_slots(search, single("ann"), [person("ann")])
    assert starts(result) == ["09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"]
    assert wall_times(result.slots, "Asia/Kolkata")[0] == "14:00"


def test_step_of_thirty_minutes():
    result = find_slots(days(LONDON, MONDAY, step=minutes(30)), single("ann"), [person("ann")])
    assert len(result.slots) == 15


# --- notice and horizon ---------------------------------------------------------------------


def test_minimum_notice_excludes_starts_too_soon():
    search = days(LONDON, MONDAY, now=at(8), min_notice=dt.timedelta(hours=4))
    result = find_slots(search, single("ann"), [person("ann")])
    assert starts(result)[0] == "12:00"


def test_horizon_excludes_starts_too_far_ahead():
    search = days(LONDON, MONDAY, 2, now=at(8), horizon=dt.timedelta(hours=25, minutes=30))
    result = find_slots(search, single("ann"), [person("ann")])
    tuesday = [slot for slot in result.slots if slot.start >= at(0, 0, TUESDAY)]
    assert wall_times(tuesday, LONDON) == ["09:00", "09:15", "09:30"]
    assert len(result.slots) == 29 + 3


# --- caps and load --------------------------------------------------------------------------


def test_daily_cap_reached_by_holds_closes_the_day():
    ann = person(
        "ann", daily_cap=2, holds=(hold(at(9)), hold(at(15, 0, TUESDAY - dt.timedelta(1))))
    )
    result = find_slots(days(LONDON, MONDAY, 2), single("ann"), [ann])
    assert {slot.start.date() for slot in result.slots} == {TUESDAY}
    assert result.empty_days[0].code == DAILY_CAP


def test_daily_cap_with_room_left_allows_one_more():
    ann = person("ann", daily_cap=2, holds=(hold(at(9)),))
    result = find_slots(days(LONDON, MONDAY), single("ann"), [ann])
    assert starts(result)[0] == "10:00"


def test_weekly_cap_counts_holds_anywhere_in_the_iso_week():
    # Holds on the Monday fill the week: Wednesday has no room, the next Monday does.
    ann = person("ann", weekly_cap=2, holds=(hold(at(9)), hold(at(11))))
    wednesday = MONDAY + dt.timedelta(2)
    result = find_slots(days(LONDON, wednesday, 6), single("ann"), [ann])
    assert {slot.start.date() for slot in result.slots} == {MONDAY + dt.timedelta(7)}
    codes = [d.code for d in result.empty_days]
    assert codes == [WEEKLY_CAP, WEEKLY_CAP, WEEKLY_CAP, NO_ONE_WORKS, NO_ONE_WORKS]


def test_daily_cap_counts_the_date_in_the_persons_own_zone():
    # 23:30 Monday in London is 08:30 Tuesday in Tokyo: it fills Tokyo's Tuesday.
    tokyo = "Asia/Tokyo"
    bo = person("bo", zone=tokyo, daily_cap=1, holds=(hold(at(23, 30), minutes(30)),))
    result = find_slots(days(tokyo, TUESDAY, 2), single("bo"), [bo])
    assert {
        slot.start.astimezone(dt.timezone(dt.timedelta(hours=9))).date() for slot in result.slots
    } == {TUESDAY + dt.timedelta(1)}


def test_caps_count_all_of_a_persons_sessions_in_one_visit():
    plan = Plan(
        sessions=(
            Session("one", HOUR, required=("ann",)),
            Session("two", HOUR, required=("ann", "bob")),
        )
    )
    people = [person("ann", daily_cap=1), person("bob")]
    assert find_slots(days(LONDON, MONDAY), plan, people).slots == ()
    people = [person("ann", daily_cap=2), person("bob")]
    assert len(find_slots(days(LONDON, MONDAY), plan, people).slots) == 25


def test_zero_cap_means_no_interviews():
    result = find_slots(days(LONDON, MONDAY), single("ann"), [person("ann", daily_cap=0)])
    assert result.slots == ()
    assert result.empty_days[0].code == DAILY_CAP


# --- panels and pools -----------------------------------------------------------------------


def test_all_required_people_must_be_free():
    ann = person("ann", busy=(busy(at(9), dt.timedelta(hours=3)),))
    bob = person("bob", busy=(busy(at(14), dt.timedelta(hours=3)),))
    result = find_slots(days(LONDON, MONDAY), single("ann", "bob"), [ann, bob])
    assert starts(result) == quarter_hours("12:00", "13:00")
    assert result.slots[0].sessions[0].interviewers == ("ann", "bob")


def test_required_people_in_different_zones_share_their_overlap():
    ann = person("ann")
    bo = person("bo", zone="America/New_York")  # 09:00 in New York is 14:00 in London
    result = find_slots(days(LONDON, MONDAY), single("ann", "bo"), [ann, bo])
    assert starts(result) == quarter_hours("14:00", "16:00")


def test_pool_picks_the_member_with_fewest_interviews_that_week():
    cy = person("cy", holds=(hold(at(9, 0, MONDAY + dt.timedelta(3))),))  # Thursday
    dee = person("dee")
    result = find_slots(days(LONDON, MONDAY), single(pools=(Pool(("cy", "dee")),)), [cy, dee])
    assert result.slots[0].sessions[0].interviewers == ("dee",)


def test_pool_picks_by_week_then_day():
    # cy: one in the week, on this day; dee: one in the week, on another day; eve: two.
    cy = person("cy", holds=(hold(at(16)),))
    dee = person("dee", holds=(hold(at(9, 0, TUESDAY)),))
    eve = person("eve", holds=(hold(at(9, 0, TUESDAY)), hold(at(11, 0, TUESDAY))))
    plan = single(pools=(Pool(("eve", "cy", "dee")),))
    result = find_slots(days(LONDON, MONDAY), plan, [cy, dee, eve])
    assert result.slots[0].sessions[0].pools == (PoolChoice(("dee",), ("cy", "eve")),)


def test_pool_ties_are_broken_by_key():
    plan = single(pools=(Pool(("zed", "amy", "max")),))
    people = [person("zed"), person("amy"), person("max")]
    result = find_slots(days(LONDON, MONDAY), plan, people)
    assert result.slots[0].sessions[0].pools == (PoolChoice(("amy",), ("max", "zed")),)


def test_pool_supplies_k_of_n():
    plan = single("ann", pools=(Pool(("cy", "dee", "eve"), k=2),))
    eve = person("eve", busy=(busy(at(9), dt.timedelta(hours=8)),))
    result = find_slots(
        days(LONDON, MONDAY), plan, [person("ann"), person("cy"), person("dee"), eve]
    )
    session = result.slots[0].sessions[0]
    assert session.interviewers == ("ann", "cy", "dee")
    assert session.pools == (PoolChoice(("cy", "dee"), ()),)


def test_pool_offers_times_when_enough_members_are_free_whoever_they_are():
    cy = person("cy", busy=(busy(at(9), dt.timedelta(hours=4)),))
    dee = person("dee", busy=(busy(at(13), dt.timedelta(hours=4)),))
    result = find_slots(days(LONDON, MONDAY), single(pools=(Pool(("cy", "dee")),)), [cy, dee])
    # Nobody has the hour across 13:00: 12:15, 12:30 and 12:45 are missing.
    assert starts(result) == quarter_hours("09:00", "12:00") + quarter_hours("13:00", "16:00")
    picked = {slot.sessions[0].interviewers for slot in result.slots}
    assert picked == {("cy",), ("dee",)}


def test_alternates_are_only_members_who_could_take_the_seat():
    dee = person("dee", busy=(busy(at(9)),))
    plan = single(pools=(Pool(("cy", "dee", "eve")),))
    eve = person("eve", holds=(hold(at(15, 0, TUESDAY)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), dee, eve])
    assert result.slots[0].sessions[0].pools == (PoolChoice(("cy",), ("eve",)),)


def test_alternates_respect_caps():
    eve = person("eve", daily_cap=1, holds=(hold(at(16)),))
    plan = single(pools=(Pool(("cy", "eve")),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), eve])
    assert result.slots[0].sessions[0].pools == (PoolChoice(("cy",), ()),)


def test_trainee_shadows_when_free():
    plan = single(pools=(Pool(("cy",), trainees=("tim",)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("tim")])
    session = result.slots[0].sessions[0]
    assert session.interviewers == ("cy",)
    assert session.trainees == ("tim",)


def test_optional_trainee_is_left_out_when_busy():
    tim = person("tim", busy=(busy(at(9), dt.timedelta(hours=2)),))
    plan = single(pools=(Pool(("cy",), trainees=("tim",)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim])
    assert len(result.slots) == 29
    by_start = {
        wall: slot.sessions[0].trainees
        for wall, slot in zip(starts(result), result.slots, strict=True)
    }
    assert by_start["09:00"] == () and by_start["11:00"] == ("tim",)


def test_required_trainee_removes_times_they_cannot_make():
    tim = person("tim", busy=(busy(at(9), dt.timedelta(hours=2)),))
    plan = single(pools=(Pool(("cy",), trainees=("tim",), trainee_required=True),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), tim])
    assert starts(result) == quarter_hours("11:00", "16:00")
    assert all(slot.sessions[0].trainees == ("tim",) for slot in result.slots)


def test_trainee_fills_no_seat_and_respects_their_cap():
    tim = person("tim", daily_cap=1, holds=(hold(at(16)),))
    plan = single(pools=(Pool(("cy", "dee"), k=2, trainees=("tim",)),))
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("dee"), tim])
    session = result.slots[0].sessions[0]
    assert session.interviewers == ("cy", "dee")
    assert session.trainees == ()


# --- loops ----------------------------------------------------------------------------------


def loop(*sessions, **fields):
    return Plan(sessions=tuple(sessions), **fields)


def test_loop_runs_its_sessions_back_to_back_in_order():
    plan = loop(
        Session("intro", minutes(30), required=("ann",)),
        Session("tech", HOUR, required=("bob",)),
    )
    result = find_slots(days(LONDON, MONDAY), plan, [person("ann"), person("bob")])
    first = result.slots[0]
    assert [(s.session, s.start, s.end) for s in first.sessions] == [
        ("intro", at(9), at(9, 30)),
        ("tech", at(9, 30), at(10, 30)),
    ]
    assert (first.start, first.end) == (at(9), at(10, 30))
    assert starts(result)[-1] == "15:30"


def test_loop_break_between_sessions():
    plan = loop(
        Session("intro", minutes(30), required=("ann",)),
        Session("tech", HOUR, required=("bob",)),
        break_between=minutes(15),
    )
    result = find_slots(days(LONDON, MONDAY), plan, [person("ann"), person("bob")])
    assert result.slots[0].sessions[1].start == at(9, 45)
    assert result.slots[-1].end == at(17)


def test_fixed_order_is_kept_even_when_another_would_fit():
    ann = person("ann", hours=WorkingHours.daily(dt.time(13), dt.time(17)))
    bob = person("bob", hours=WorkingHours.daily(dt.time(9), dt.time(13)))
    plan = loop(Session("a", HOUR, required=("ann",)), Session("b", HOUR, required=("bob",)))
    assert find_slots(days(LONDON, MONDAY), plan, [ann, bob]).slots == ()


def test_any_order_finds_the_order_that_fits():
    ann = person("ann", hours=WorkingHours.daily(dt.time(13), dt.time(17)))
    bob = person("bob", hours=WorkingHours.daily(dt.time(9), dt.time(13)))
    plan = loop(
        Session("a", HOUR, required=("ann",)),
        Session("b", HOUR, required=("bob",)),
        order=ANY_ORDER,
    )
    result = find_slots(days(LONDON, MONDAY), plan, [ann, bob])
    assert len(result.slots) == 1
    assert [s.session for s in result.slots[0].sessions] == ["b", "a"]
    assert result.slots[0].start == at(12)


def test_any_order_offers_each_start_once_in_the_given_order_when_loads_tie():
    plan = loop(
        Session("a", HOUR, required=("ann",)),
        Session("b", HOUR, required=("bob",)),
        order=ANY_ORDER,
    )
    result = find_slots(days(LONDON, MONDAY), plan, [person("ann"), person("bob")])
    assert len(result.slots) == 25
    assert all([s.session for s in slot.sessions] == ["a", "b"] for slot in result.slots)


def test_any_order_prefers_the_order_with_lighter_load():
    # At 09:00 in the given order, session a is at 09:00 when only dee (two holds) is free;
    # the other order puts it at 10:00, when cy (no holds) is.
    cy = person("cy", hours=WorkingHours.daily(dt.time(10), dt.time(11)))
    dee = person("dee", holds=(hold(at(9, 0, TUESDAY)), hold(at(11, 0, TUESDAY))))
    plan = loop(
        Session("a", HOUR, pools=(Pool(("cy", "dee")),)),
        Session("b", HOUR, required=("ann",)),
        order=ANY_ORDER,
    )
    result = find_slots(days(LONDON, MONDAY), plan, [cy, dee, person("ann")])
    slot = result.slots[0]
    assert slot.start == at(9)
    assert [(s.session, s.interviewers) for s in slot.sessions] == [
        ("b", ("ann",)),
        ("a", ("cy",)),
    ]


def test_loop_stays_within_one_candidate_date():
    hours = WorkingHours.daily(dt.time(0), dt.time(0), days=tuple(range(7)))
    plan = loop(Session("a", HOUR, required=("ann",)), Session("b", HOUR, required=("ann",)))
    result = find_slots(days(LONDON, MONDAY, 2), plan, [person("ann", hours=hours)])
    london = ZoneInfo(LONDON)
    for slot in result.slots:
        last_second = slot.end - dt.timedelta(seconds=1)
        assert slot.start.astimezone(london).date() == last_second.astimezone(london).date()
    last_monday = [s for s in result.slots if s.start < at(0, 0, TUESDAY)][-1]
    assert last_monday.end == at(0, 0, TUESDAY)


def test_a_single_interview_may_run_past_the_candidates_midnight():
    search = days("UTC", MONDAY, 2, step=HOUR)
    ann = person("ann", zone="Asia/Tokyo", hours=WorkingHours.daily(dt.time(8), dt.time(10)))
    result = find_slots(search, single("ann", length=90), [ann])
    # 08:00 on Tuesday in Tokyo is 23:00 UTC on the Monday; the interview ends on Tuesday.
    assert [slot.start for slot in result.slots] == [dt.datetime(2026, 6, 1, 23, tzinfo=UTC)]


def test_one_person_may_sit_in_two_sessions_of_a_loop():
    plan = loop(
        Session("a", HOUR, required=("ann",)),
        Session("b", HOUR, required=("ann", "bob")),
    )
    result = find_slots(days(LONDON, MONDAY), plan, [person("ann"), person("bob")])
    assert [s.interviewers for s in result.slots[0].sessions] == [("ann",), ("ann", "bob")]


def test_pool_load_counts_the_visits_earlier_sessions():
    plan = loop(
        Session("a", HOUR, pools=(Pool(("cy", "dee")),)),
        Session("b", HOUR, pools=(Pool(("cy", "dee")),)),
    )
    result = find_slots(days(LONDON, MONDAY), plan, [person("cy"), person("dee")])
    assert [s.interviewers for s in result.slots[0].sessions] == [("cy",), ("dee",)]


def test_required_people_count_toward_caps_before_pool_seats_are_filled():
    # cy has the lighter week, but room for one interview only, and must attend session b:
    # session a must take dee.
    cy = person("cy", daily_cap=2, holds=(hold(at(16)),))
    dee = person("dee", holds=(hold(at(9, 0, TUESDAY)), hold(at(11, 0, TUESDAY))))
    plan = loop(
        Session("a", HOUR, pools=(Pool(("cy", "dee")),)),
        Session("b", HOUR, required=("cy",)),
    )
    result = find_slots(days(LONDON, MONDAY), plan, [cy, dee])
    assert result.slots
    assert [s.interviewers for s in result.slots[0].sessions] == [("dee",), ("cy",)]
    assert result.slots[0].sessions[0].pools == (PoolChoice(("dee",), ()),)


def test_pool_picks_back_up_when_a_cap_would_break_later():
    # cy is lighter and taken for session a first, but has room for one interview only and
    # is session b's only possible member: the search backs up and gives session a to dee.
    cy = person("cy", daily_cap=2, holds=(hold(at(16)),))
    dee = person("dee", holds=(hold(at(9, 0, TUESDAY)), hold(at(11, 0, TUESDAY))))
    plan = loop(
        Session("a", HOUR, pools=(Pool(("cy", "dee")),)),
        Session("b", HOUR, pools=(Pool(("cy",)),)),
    )
    result = find_slots(days(LONDON, MONDAY), plan, [cy, dee])
    assert [s.interviewers for s in result.slots[0].sessions] == [("dee",), ("cy",)]
    # Swapping cy into session a would leave session b without anyone: not an alternate.
    assert result.slots[0].sessions[0].pools == (PoolChoice(("dee",), ()),)


def test_a_hopeless_visit_is_given_up_at_once():
    # Four sessions each need 3 of the same 11 people, who may do one interview a day: 12
    # seats, 11 people. Without counting, every way of filling the first three sessions is
    # tried at every start (92,400 each), which takes about half a minute.
    keys = tuple(f"p{n}" for n in range(11))
    people = [person(key, daily_cap=1) for key in keys]
    plan = loop(*(Session(f"s{n}", HOUR, pools=(Pool(keys, k=3),)) for n in range(4)))
    result = find_slots(days(LONDON, MONDAY), plan, people)
    assert result.slots == ()
    assert explanation(result).code == NO_COMMON_TIME


def test_limit_keeps_the_lightest_options_in_time_order():
    # cy is lighter on Tuesday (no hold): the best three are Tuesday's first starts.
    cy = person("cy", holds=(hold(at(16, 30)),))
    search = days(LONDON, MONDAY, 2, limit=3)
    result = find_slots(search, single(pools=(Pool(("cy",)),)), [cy])
    assert [slot.start for slot in result.slots] == [
        at(9, 0, TUESDAY),
        at(9, 15, TUESDAY),
        at(9, 30, TUESDAY),
    ]


def test_limit_does_not_explain_days_that_had_slots():
    search = days(LONDON, MONDAY, 2, limit=1)
    result = find_slots(search, single("ann"), [person("ann")])
    assert len(result.slots) == 1
    assert result.empty_days == ()


# --- determinism ----------------------------------------------------------------------------


def test_same_input_gives_same_output_whatever_the_order_of_people_and_blocks():
    blocks = (busy(at(10)), busy(at(13), minutes(30)), busy(at(9), minutes(15)))
    people = [
        person("ann", busy=blocks),
        person("cy"),
        person("dee", busy=blocks[::-1]),
        person("eve", holds=(hold(at(16)),)),
    ]
    plan = loop(
        Session("a", HOUR, required=("ann",), pools=(Pool(("cy", "dee", "eve")),)),
        Session("b", minutes(45), pools=(Pool(("cy", "dee", "eve"), k=2),)),
        order=ANY_ORDER,
    )
    search = days(LONDON, MONDAY, 7)
    first = find_slots(search, plan, people)
    assert find_slots(search, plan, people) == first
    shuffled = [person("ann", busy=blocks[::-1]), people[3], person("dee", busy=blocks), people[1]]
    assert find_slots(search, plan, shuffled) == first


# --- explanations ---------------------------------------------------------------------------


def explanation(result, date=MONDAY):
    (found,) = [day for day in result.empty_days if day.date == date]
    return found


def test_explanation_codes_are_listed_in_priority_order():
    assert EXPLANATION_CODES == (
        BEYOND_HORIZON,
        WITHIN_NOTICE,
        CANDIDATE_TIMES,
        CANDIDATE_HOURS,
        NO_ONE_WORKS,
        OUT_OF_HOURS,
        DAILY_CAP,
        WEEKLY_CAP,
        REQUIRED_BUSY,
        POOL_EXHAUSTED,
        NO_COMMON_TIME,
    )


def test_every_date_without_a_slot_is_explained_once():
    result = find_slots(days(LONDON, MONDAY, 7), single("ann"), [person("ann")])
    assert [(d.date, d.code) for d in result.empty_days] == [
        (SATURDAY, NO_ONE_WORKS),
        (SATURDAY + dt.timedelta(1), NO_ONE_WORKS),
    ]


def test_explains_a_day_beyond_the_horizon():
    search = days(
        LONDON, MONDAY, 2, now=at(12, 0, MONDAY - dt.timedelta(1)), horizon=dt.timedelta(days=1)
    )
    day = explanation(find_slots(search, single("ann"), [person("ann")]), TUESDAY)
    assert day.code == BEYOND_HORIZON
    assert (
        day.message
        == "Tuesday 2 June is too far ahead: interviews are booked at most 1 day ahead."
    )
    assert day.people == ()


def test_explains_a_day_within_the_minimum_notice():
    search = days(LONDON, MONDAY, 2, now=at(8), min_notice=dt.timedelta(hours=24))
    result = find_slots(search, single("ann"), [person("ann")])
    day = explanation(result)
    assert day.code == WITHIN_NOTICE
    assert day.message == "Monday 1 June is too soon: interviews need 1 day’s notice."
    assert starts(result)[0] == "09:00"  # Tuesday


def test_notice_that_cuts_the_only_free_time_is_the_reason():
    # Ann is free only 09:00-11:00; the notice runs to 10:30, so the morning is lost.
    ann = person("ann", busy=(busy(at(11), dt.timedelta(hours=6)),))
    search = days(LONDON, MONDAY, now=at(8, 30), min_notice=dt.timedelta(hours=2))
    day = explanation(find_slots(search, single("ann"), [ann]))
    assert day.code == WITHIN_NOTICE


def test_a_passed_day_is_explained_as_passed():
    search = days(LONDON, MONDAY, now=at(20))
    day = explanation(find_slots(search, single("ann"), [person("ann")]))
    assert (day.code, day.message) == (WITHIN_NOTICE, "Monday 1 June has already passed.")


def test_explains_a_day_no_one_works():
    result = find_slots(
        days(LONDON, SATURDAY), single("ann", "bob"), [person("ann"), person("bob")]
    )
    day = explanation(result, SATURDAY)
    assert day.code == NO_ONE_WORKS
    assert day.message == "No one on this plan works on Saturday 6 June."
    assert day.people == ("ann", "bob")


def test_explains_a_required_person_out_of_hours():
    hours = WorkingHours.daily(dt.time(9), dt.time(17), exceptions=(DateHours(MONDAY),))
    ann = person("ann", hours=hours, name="Ann Lee")
    result = find_slots(days(LONDON, MONDAY), single("ann", "bob"), [ann, person("bob")])
    day = explanation(result)
    assert day.code == OUT_OF_HOURS
    assert day.people == ("ann",)
    assert day.message == (
        "Ann Lee is not working long enough on Monday 1 June (day off or outside hours)."
    )


def test_working_less_than_the_session_is_out_of_hours():
    hours = WorkingHours.daily(dt.time(9), dt.time(9, 45))
    day = explanation(
        find_slots(days(LONDON, MONDAY), single("ann"), [person("ann", hours=hours)])
    )
    assert day.code == OUT_OF_HOURS


def test_explains_a_daily_cap_reached_naming_the_interviews_that_filled_it():
    held = (
        Hold(at(9), at(10), label="Grace Hopper (booked in Convene)"),
        Hold(at(13), at(14), label="Alan Turing (in Greenhouse)"),
        Hold(at(9, 0, TUESDAY), at(10, 0, TUESDAY), label="another day"),
    )
    ann = person("ann", name="Ann", daily_cap=2, holds=held)
    day = explanation(find_slots(days(LONDON, MONDAY), single("ann"), [ann]))
    assert day.code == DAILY_CAP
    assert day.people == ("ann",)
    assert day.message == (
        "Ann already has as many interviews on Monday 1 June as the daily limit allows: "
        "09:00 Grace Hopper (booked in Convene), 13:00 Alan Turing (in Greenhouse)."
    )


def test_a_cap_of_zero_names_no_interviews():
    ann = person("ann", name="Ann", daily_cap=0)
    day = explanation(find_slots(days(LONDON, MONDAY), single("ann"), [ann]))
    assert day.message == (
        "Ann already has as many interviews on Monday 1 June as the daily limit allows."
    )


def test_explains_a_weekly_cap_reached_naming_the_interviews_that_filled_it():
    held = (Hold(at(9, 0, TUESDAY), at(10, 0, TUESDAY), label="Alan Turing (in Greenhouse)"),)
    ann = person("ann", name="Ann", weekly_cap=1, holds=held)
    day = explanation(find_slots(days(LONDON, MONDAY), single("ann"), [ann]))
    assert day.code == WEEKLY_CAP
    assert day.message == (
        "Ann already has as many interviews that week as the weekly limit allows: "
        "Tue 09:00 Alan Turing (in Greenhouse)."
    )


def test_a_full_cap_is_reported_even_when_the_person_is_also_busy():
    # Clearing Ann's calendar would not help: her cap would still stop the day.
    ann = person("ann", daily_cap=1, holds=(hold(at(8)),), busy=(busy(at(9), 8 * HOUR),))
    day = explanation(find_slots(days(LONDON, MONDAY), single("ann"), [ann]))
    assert day.code == DAILY_CAP


def test_explains_required_people_busy_all_day():
    ann = person("ann", name="Ann", busy=(busy(at(9), dt.timedelta(hours=8)),))
    bob = person("bob", name="Bob", busy=(Busy.whole_days(MONDAY, TUESDAY),))
    day = explanation(
        find_slots(days(LONDON, MONDAY), single("ann", "bob", "cy"), [ann, bob, person("cy")])
    )
    assert day.code == REQUIRED_BUSY
    assert day.people == ("ann", "bob")
    assert day.message == "Ann and Bob are busy all through working hours on Monday 1 June."


def test_busy_with_gaps_too_short_counts_as_busy():
    ann = person("ann", busy=(busy(at(9), minutes(450)),))  # free 16:30-17:00 only
    assert (
        explanation(find_slots(days(LONDON, MONDAY), single("ann"), [ann])).code == REQUIRED_BUSY
    )


def test_explains_a_pool_that_ran_out():
    cy = person("cy", name="Cy", busy=(busy(at(9), dt.timedelta(hours=8)),))
    dee = person(
        "dee", name="Dee", daily_cap=1, holds=(Hold(at(8), at(9), label="Ada (in Lever)"),)
    )
    eve = person("eve", name="Eve")
    plan = single("ann", pools=(Pool(("cy", "dee", "eve"), k=2),))
    day = explanation(find_slots(days(LONDON, MONDAY), plan, [person("ann"), cy, dee, eve]))
    assert day.code == POOL_EXHAUSTED
    assert day.people == ("cy", "dee")
    assert day.message == (
        "“interview” needs 2 interviewers from its pool on Monday 1 June, but only 1 can "
        "come: Cy is busy; Dee is at their daily limit with 08:00 Ada (in Lever)."
    )


def test_explains_people_free_at_different_times():
    ann = person("ann", busy=(busy(at(9), dt.timedelta(hours=4)),))
    bob = person("bob", busy=(busy(at(13), dt.timedelta(hours=4)),))
    day = explanation(find_slots(days(LONDON, MONDAY), single("ann", "bob"), [ann, bob]))
    assert day.code == NO_COMMON_TIME
    assert day.people == ("ann", "bob")
    assert day.message == (
        "ann and bob each have free time on Monday 1 June, but never the same 60 minutes "
        "for “interview”."
    )


def test_explains_sessions_that_do_not_fit_together():
    ann = person("ann", hours=WorkingHours.daily(dt.time(13), dt.time(17)))
    bob = person("bob", hours=WorkingHours.daily(dt.time(9), dt.time(13)))
    plan = loop(Session("a", HOUR, required=("ann",)), Session("b", HOUR, required=("bob",)))
    day = explanation(find_slots(days(LONDON, MONDAY), plan, [ann, bob]))
    assert day.code == NO_COMMON_TIME
    assert day.people == ("ann", "bob")
    assert "do not fit one after another in a single visit" in day.message


def test_out_of_hours_is_reported_before_busy_and_caps():
    off = WorkingHours.daily(dt.time(9), dt.time(17), exceptions=(DateHours(MONDAY),))
    people = [
        person("ann", hours=off),
        person("bob", busy=(busy(at(9), dt.timedelta(hours=8)),)),
        person("cy", daily_cap=0),
    ]
    day = explanation(find_slots(days(LONDON, MONDAY), single("ann", "bob", "cy"), people))
    assert (day.code, day.people) == (OUT_OF_HOURS, ("ann",))


def test_cap_is_reported_before_busy():
    people = [person("bob", busy=(busy(at(9), dt.timedelta(hours=8)),)), person("cy", daily_cap=0)]
    day = explanation(find_slots(days(LONDON, MONDAY), single("bob", "cy"), people))
    assert (day.code, day.people) == (DAILY_CAP, ("cy",))


def test_notice_is_reported_before_people():
    search = days(LONDON, SATURDAY, now=at(12, 0, SATURDAY), min_notice=dt.timedelta(days=2))
    day = explanation(find_slots(search, single("ann"), [person("ann")]), SATURDAY)
    assert day.code == WITHIN_NOTICE


# --- validation -----------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        Busy(dt.datetime(2026, 6, 1, 9), dt.datetime(2026, 6, 1, 10))
    with pytest.raises(ValueError, match="aware"):
        Search(start=dt.datetime(2026, 6, 1), end=at(12), now=at(9))


def test_search_must_end_after_it_starts():
    with pytest.raises(ValueError, match="ends before"):
        Search(start=at(12), end=at(12), now=at(9))


def test_step_must_divide_a_day_in_whole_minutes():
    with pytest.raises(ValueError, match="step"):
        Search(start=at(9), end=at(12), now=at(9), step=minutes(7))
    with pytest.raises(ValueError, match="step"):
        Search(start=at(9), end=at(12), now=at(9), step=dt.timedelta(seconds=90))


def test_unknown_zone_is_refused():
    with pytest.raises(Exception, match="Mars"):
        person("ann", zone="Mars/Olympus")


def test_interviewers_must_be_given_once_and_all():
    with pytest.raises(ValueError, match="twice"):
        find_slots(days(LONDON, MONDAY), single("ann"), [person("ann"), person("ann")])
    with pytest.raises(ValueError, match="bob"):
        find_slots(days(LONDON, MONDAY), single("ann", "bob"), [person("ann")])


def test_people_not_on_the_plan_are_ignored():
    result = find_slots(
        days(LONDON, MONDAY), single("ann"), [person("ann"), person("zed", daily_cap=0)]
    )
    assert len(result.slots) == 29


def test_plan_shapes_are_checked():
    with pytest.raises(ValueError, match="cannot supply"):
        Pool(("cy",), k=2)
    with pytest.raises(ValueError, match="trainee"):
        Pool(("cy",), trainees=("cy",))
    with pytest.raises(ValueError, match="twice"):
        Session("s", HOUR, required=("cy",), pools=(Pool(("cy", "dee")),))
    with pytest.raises(ValueError, match="no interviewers"):
        Session("s", HOUR)
    with pytest.raises(ValueError, match="no duration"):
        Session("s", dt.timedelta(0), required=("cy",))
    with pytest.raises(ValueError, match="share a key"):
        Plan(sessions=(Session("s", HOUR, required=("a",)), Session("s", HOUR, required=("b",))))
    with pytest.raises(ValueError, match="order"):
        Plan(sessions=(Session("s", HOUR, required=("a",)),), order="random")


def test_working_hours_shapes_are_checked():
    with pytest.raises(ValueError, match="seven"):
        WorkingHours(weekly=((),) * 5)
    with pytest.raises(ValueError, match="within one day"):
        WorkingHours.daily(dt.time(17), dt.time(9))
    with pytest.raises(TypeError, match="tuples"):
        WorkingHours(weekly=[[(dt.time(9), dt.time(17))]] * 5 + [[], []])
    with pytest.raises(ValueError, match="two exceptions"):
        WorkingHours.daily(
            dt.time(9), dt.time(17), exceptions=(DateHours(MONDAY), DateHours(MONDAY))
        )


def test_hold_and_interviewer_values_are_checked():
    with pytest.raises(ValueError, match="aware"):
        Hold(dt.datetime(2026, 6, 1, 9), at(10))
    with pytest.raises(ValueError, match="longer than a day"):
        person("ann", buffer_before=dt.timedelta(days=2))
    with pytest.raises(ValueError, match="negative"):
        person("ann", daily_cap=-1)
