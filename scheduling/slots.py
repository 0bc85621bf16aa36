"""Finding times: from a plan, its people and their calendars to the engine's slots.

Busy blocks come from Unified for every interviewer the plan may use, fetched concurrently
(one thread per calendar) and cached briefly per calendar and day range; a calendar webhook
bumps that calendar's cache version, so a change made elsewhere is seen at once. Convene's
own bookings are added as holds from the database, so a time booked a second ago is never
offered, whatever the calendar shows yet.
"""

import collections
import concurrent.futures
import dataclasses
import datetime as dt
import itertools
import logging
from typing import NamedTuple

from django.core.cache import cache
from django.utils import timezone

from . import availability as engine
from . import load
from .gateway import note_failure, unified
from .lib import zones
from .lib.ratelimit import increment
from .models import Interviewer, SessionAttendee
from .unified.errors import UnifiedError

logger = logging.getLogger(__name__)

BUSY_CACHE_SECONDS = 120
MAX_FETCH_THREADS = 16
DAY = dt.timedelta(days=1)


class CalendarsUnavailable(Exception):
    """Some calendars could not be read, so free times cannot be trusted."""

    def __init__(self, failures):
        self.failures = failures  # [(interviewer, error text)]
        names = ", ".join(str(person) for person, _ in failures)
        super().__init__(f"Could not read the calendars of {names}.")


class PlanNotUsable(Exception):
    """The plan cannot be run as it stands (e.g. a pool lost its members)."""


class Seat(NamedTuple):
    """One person's seat on a session: who, as what (a SessionAttendee.Role), from which
    plan pool, and for which trainee (a Trainee's id, on a trainee's or their trainer's
    seat)."""

    pid: str
    role: str
    pool: int | None = None
    training: str | None = None


def seats_of(people):
    """People as Seats: (interviewer id, role, pool id[, trainee id]) tuples accepted."""
    return tuple(Seat(str(p[0]), *p[1:]) for p in people)


@dataclasses.dataclass(frozen=True)
class SessionChoice:
    """One session of a chosen slot: when, and who (Seats; plain (interviewer id, role,
    pool id) tuples are taken as Seats)."""

    title: str
    start: dt.datetime
    end: dt.datetime
    people: tuple[Seat, ...]
    key: str = ""  # the plan session's id, when it comes from a plan

    def __post_init__(self):
        object.__setattr__(self, "people", seats_of(self.people))


@dataclasses.dataclass(frozen=True)
class Choice:
    """A time for a whole interview, with its people: what booking writes."""

    sessions: tuple[SessionChoice, ...]

    @property
    def start(self):
        return min(s.start for s in self.sessions)

    @property
    def end(self):
        return max(s.end for s in self.sessions)

    @property
    def interviewer_ids(self):
        return sorted({seat.pid for s in self.sessions for seat in s.people})


@dataclasses.dataclass
class Offer:
    """What the engine offers for one application and window, with the people behind it."""

    slots: tuple
    empty_days: tuple
    people: dict  # interviewer id (str) → Interviewer
    plan: object
    no_calendar: list  # interviewers whose busy times Convene cannot see

    def choice_for(self, slot, application, *, swaps=None, keep=None):
        """The booking choice for an engine slot; `swaps` maps (session key, chosen id) to
        an alternate id the recruiter picked instead. `keep` ({session key: {interviewer
        id: (role, pool id)}}, a reschedule's current seats) keeps in each pool whoever
        sits in it now wherever they could take the seat at the new time."""
        swaps = swaps or {}
        keep = keep or {}
        sessions = {str(s.pk): s for s in self.plan.sessions.all()}
        pools = {str(s.pk): list(s.pools.all()) for s in sessions.values()}
        chosen = []
        for part in slot.sessions:
            plan_session = sessions[part.session]
            people = [Seat(pid, REQUIRED) for pid in _required_of(plan_session, part)]
            for pool, pick in zip(pools[part.session], part.pools, strict=False):
                picks = list(pick.chosen)
                if part.session in keep:
                    picks = _kept(pick, keep[part.session], pool.pk)
                for n, pid in enumerate(picks):
                    replacement = swaps.get((part.session, pid))
                    if replacement and (
                        replacement in pick.alternates or replacement in pick.chosen
                    ):
                        picks[n] = replacement
                trainer = pick.trainer
                if trainer is not None and trainer not in picks:
                    trainer = picks[0]  # the trainer was swapped: the newcomer shadows
                people += pool_seats(pool, picks, pick.trainee, trainer)
            title = plan_session.title_for(
                job=application.job.name if application.job else "",
                candidate=application.candidate.name,
                stage=application.stage_label,
            )
            chosen.append(
                SessionChoice(title, part.start, part.end, tuple(people), key=part.session)
            )
        return Choice(tuple(chosen))

    def slot_at(self, start):
        return next((s for s in self.slots if s.start == start), None)


REQUIRED = SessionAttendee.Role.REQUIRED.value
POOL = SessionAttendee.Role.POOL.value
TRAINEE = SessionAttendee.Role.TRAINEE.value
TRAINEE_LEADS = SessionAttendee.Role.TRAINEE_LEADS.value
TRAINER = SessionAttendee.Role.TRAINER.value
# The seats of a pool's members (whom a pool seat may be swapped or kept for).
MEMBER_ROLES = (POOL, TRAINER)
# The seats of a program's trainees.
TRAINEE_ROLES = (TRAINEE, TRAINEE_LEADS)


def seatable_trainees(pool):
    """{interviewer id: Trainee}: whom a pool's program may seat now (`Trainee.is_seatable`),
    leaving out the pool's own members. Reads the prefetched program and trainees."""
    if pool.program_id is None or pool.program is None:
        return {}
    members = {p.pk for p in pool.members.all()}
    return {
        str(t.interviewer_id): t
        for t in pool.program.trainees.all()
        if t.is_seatable and t.interviewer_id not in members
    }


def pool_seats(pool, picks, trainee=None, trainer=None):
    """The Seats one pool gives a session: its picked members (`picks`, interviewer ids),
    and the trainee seated from its program (an interviewer id) if any. A trainee who
    shadows takes a seat of their own (TRAINEE); one who leads (reverse shadow) takes one of
    the pool's seats (TRAINEE_LEADS) while `trainer`, one of `picks`, shadows them (TRAINER).
    Both seats name the Trainee."""
    learner = seatable_trainees(pool).get(trainee) if trainee else None
    if trainee and learner is None:
        trainee = None  # enrolled no more since the search: the time stands without them
    training = str(learner.pk) if learner is not None else None
    leads = learner is not None and learner.leads
    if leads and trainer not in picks:
        trainer = picks[0] if picks else None
    seats = [
        Seat(pid, TRAINER, pool.pk, training)
        if leads and pid == trainer
        else Seat(pid, POOL, pool.pk)
        for pid in picks
    ]
    if trainee:
        seats.append(Seat(trainee, TRAINEE_LEADS if leads else TRAINEE, pool.pk, training))
    return seats


def _required_of(plan_session, part):
    required = {str(p.pk) for p in plan_session.required.all()}
    return [pid for pid in part.interviewers if pid in required]


# --- busy blocks ------------------------------------------------------------------------------


def _version_key(conn_unified_id, calendar_id):
    return f"busyver:{conn_unified_id}:{calendar_id}"


def invalidate_busy(conn_unified_id, calendar_id=None):
    """Forget cached busy blocks of one calendar (or of every calendar of a connection)."""
    # Exact under concurrency: two webhooks at once must leave two versions, not one.
    increment(_version_key(conn_unified_id, calendar_id or "*"))


def _cache_key(conn_unified_id, calendar_id, start, end):
    versions = cache.get_many(
        [_version_key(conn_unified_id, calendar_id), _version_key(conn_unified_id, "*")]
    )
    version = ".".join(str(v) for v in sorted(versions.values())) or "0"
    # "busy2": the blocks are kept in the engine's compact form (epoch seconds), not as the
    # datetimes an older release cached under "busy".
    return f"busy2:{conn_unified_id}:{calendar_id}:{version}:{start:%Y%m%d}:{end:%Y%m%d}"


def busy_versions(calendars):
    """The busy-cache versions of [(connection unified id, calendar id)], in order: a cache
    of anything computed from those calendars is current while these stay the same."""
    keys = list(
        dict.fromkeys(
            key
            for conn_id, calendar_id in calendars
            for key in (_version_key(conn_id, calendar_id), _version_key(conn_id, "*"))
        )
    )
    found = cache.get_many(keys)
    return tuple(found.get(key, 0) for key in keys)


def _fetch_busy(person, start, end):
    conn = person.calendar_connection
    blocks = unified().list_busy(
        conn.unified_id, calendar_id=person.calendar_id, start_gte=start, end_lt=end
    )
    # Converted once here, not before every search that reads the cache (docs/design.md).
    return engine.busy_times((b.start_at, b.end_at) for b in blocks if b.start_at and b.end_at)


def busy_blocks(people, start, end):
    """{interviewer id: ((start, end), …)} for the people with a working calendar, in the
    engine's compact form (epoch seconds, sorted by start: `availability.busy_times`).

    Whole UTC days around the window are asked for, so one cached answer serves every
    search that falls in it. Raises CalendarsUnavailable if any calendar cannot be read.
    """
    start = dt.datetime.combine(start.astimezone(dt.UTC).date() - DAY, dt.time(), dt.UTC)
    end = dt.datetime.combine(end.astimezone(dt.UTC).date() + 2 * DAY, dt.time(), dt.UTC)
    with_calendar = [p for p in people if p.has_calendar]
    keys = {
        str(p.pk): _cache_key(p.calendar_connection.unified_id, p.calendar_id, start, end)
        for p in with_calendar
    }
    cached = cache.get_many(keys.values())
    result = {pid: cached[key] for pid, key in keys.items() if key in cached}
    missing = [p for p in with_calendar if str(p.pk) not in result]
    failures = []
    if missing:
        workers = min(MAX_FETCH_THREADS, len(missing))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_fetch_busy, p, start, end): p for p in missing}
            for future in concurrent.futures.as_completed(futures):
                person = futures[future]
                try:
                    blocks = future.result()
                except UnifiedError as exc:
                    note_failure(person.calendar_connection, exc)
                    failures.append((person, str(exc)))
                    continue
                result[str(person.pk)] = blocks
                cache.set(keys[str(person.pk)], blocks, BUSY_CACHE_SECONDS)
    if failures:
        raise CalendarsUnavailable(sorted(failures, key=lambda f: f[0].name))
    return result


# --- engine inputs ----------------------------------------------------------------------------


def _hours(person):
    return person.engine_hours()


def engine_plan(plan, names=None):
    """The engine's Plan for an InterviewPlan, keyed by session and interviewer ids
    (`names`: {session id: title}, what explanations call the sessions).

    Inactive interviewers leave pools; a session left without anyone, or a pool left with
    fewer people than it must supply, makes the plan unusable (PlanNotUsable says which).
    """
    sessions = []
    for plan_session in plan.sessions.all():
        required = tuple(str(p.pk) for p in plan_session.required.all() if p.active)
        missing = [p for p in plan_session.required.all() if not p.active]
        if missing:
            raise PlanNotUsable(
                f"{missing[0]} is required in “{plan_session}” but is no longer an active "
                "interviewer. Edit the plan."
            )
        pools = []
        for pool in plan_session.pools.all():
            members = tuple(
                str(p.pk) for p in pool.members.all() if p.active and str(p.pk) not in required
            )
            if len(members) < pool.k:
                raise PlanNotUsable(
                    f"The pool of “{plan_session}” has {len(members)} active "
                    f"{'member' if len(members) == 1 else 'members'} but must supply {pool.k}. "
                    "Edit the plan."
                )
            learners = [
                (pid, trainee)
                for pid, trainee in seatable_trainees(pool).items()
                if pid not in required and pid not in members
            ]
            if pool.trainee_required and pool.program_id and not learners:
                raise PlanNotUsable(
                    f"Every interview of “{plan_session}” must have a trainee from "
                    f"“{pool.program}”, but it has no trainee who can be seated now. Enroll "
                    "one in Settings → Training, or make the trainee optional. Edit the plan."
                )
            pools.append(
                engine.Pool(
                    members=members,
                    k=pool.k,
                    trainees=tuple(pid for pid, t in learners if not t.leads),
                    leads=tuple(pid for pid, t in learners if t.leads),
                    trainee_required=pool.trainee_required and bool(learners),
                    program=pool.program.name if pool.program_id else "",
                )
            )
        if not required and not pools:
            raise PlanNotUsable(f"“{plan_session}” has no interviewers. Edit the plan.")
        sessions.append(
            engine.Session(
                key=str(plan_session.pk),
                duration=dt.timedelta(minutes=plan_session.duration_minutes),
                required=required,
                pools=tuple(pools),
                name=(names or {}).get(str(plan_session.pk))
                or plan_session.title_for(job="", candidate="", stage=""),
            )
        )
    if not sessions:
        raise PlanNotUsable("This plan has no sessions. Edit the plan.")
    return engine.Plan(
        sessions=tuple(sessions),
        order=engine.ANY_ORDER if plan.order == "any" else engine.FIXED_ORDER,
        break_between=dt.timedelta(minutes=plan.break_minutes),
    )


def _plan_with_people(plan):
    return (
        type(plan)
        .objects.prefetch_related(
            "sessions__required",
            "sessions__pools__members",
            "sessions__pools__program__trainees__interviewer",
        )
        .get(pk=plan.pk)
    )


def _id(value):
    return str(value) if value is not None else None


def _overlaps(busy, start, end):
    """Whether busy times (the engine's compact form, as `busy_blocks` gives them) overlap
    [start, end)."""
    first, last = start.timestamp(), end.timestamp()
    return any(a < last and b > first for a, b in busy)


def _carve(blocks, holes):
    """Busy blocks with the holes taken out (an interview's own events, when it moves); both
    in epoch seconds."""
    for hole_start, hole_end in holes:
        carved = []
        for a, b in blocks:
            if b <= hole_start or a >= hole_end:
                carved.append((a, b))
                continue
            if a < hole_start:
                carved.append((a, hole_start))
            if b > hole_end:
                carved.append((hole_end, b))
        blocks = carved
    return blocks


def own_times(interview):
    """{interviewer id: [(start, end)]}: where the interview's own sessions put its people,
    which their calendars show as busy and a move must not count against it."""
    times = collections.defaultdict(list)
    rows = SessionAttendee.objects.filter(session__interview=interview, active=True)
    for pid, start, end in rows.values_list(
        "interviewer_id", "session__start_at", "session__end_at"
    ):
        times[str(pid)].append((start, end))
    return times


def find(
    application,
    plan,
    *,
    start,
    end,
    candidate_zone,
    now=None,
    exclude_interview=None,
    limit=None,
    step=None,
    min_notice=None,
    horizon=None,
    candidate_hours=None,
    candidate_windows=None,
):
    """Offer times for `application` under `plan` between `start` and `end`.

    With `exclude_interview` (a reschedule), that interview's own holds and the calendar
    time its events take do not count: it may move to a time overlapping where it is.
    `step`, `min_notice` and `horizon` override the plan's. `candidate_hours` (from
    `candidate_hours_for`) keeps or marks the times within the candidate's hours;
    `candidate_windows` ((start, end) pairs: the times the candidate proposed) keeps only
    times wholly inside one of them."""
    now = now or timezone.now()
    plan = _plan_with_people(plan)
    spec = engine_plan(
        plan,
        names={
            str(s.pk): s.title_for(
                job=application.job.name if application.job else "",
                candidate=application.candidate.name,
                stage=application.stage_label,
            )
            for s in plan.sessions.all()
        },
    )
    ids = spec.people()
    people = {
        str(p.pk): p
        for p in Interviewer.objects.filter(pk__in=ids).select_related("calendar_connection")
    }
    busy = busy_blocks(people.values(), start, end)
    if exclude_interview is not None:
        own = {pid: engine.busy_times(t) for pid, t in own_times(exclude_interview).items()}
        busy = {pid: tuple(_carve(blocks, own.get(pid, ()))) for pid, blocks in busy.items()}
    # Everything they sit in, whichever tool booked it, blocks its time and counts toward
    # their caps and load (scheduling.load).
    seats = load.seats(
        ids, start - load.AROUND, end + load.AROUND, exclude_interview=exclude_interview
    )
    holds = {
        pid: tuple(engine.Hold(seat.start, seat.end, label=seat.label) for seat in rows)
        for pid, rows in seats.items()
    }

    interviewers = _engine_people(
        people,
        busy,
        holds,
        buffer_before=dt.timedelta(minutes=plan.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=plan.buffer_after_minutes),
    )
    search = engine.Search(
        start=start,
        end=end,
        now=now,
        candidate_zone=candidate_zone,
        step=step or dt.timedelta(minutes=plan.slot_step_minutes),
        min_notice=(
            dt.timedelta(hours=plan.minimum_notice_hours) if min_notice is None else min_notice
        ),
        horizon=dt.timedelta(days=plan.horizon_days) if horizon is None else horizon,
        limit=limit,
        candidate_hours=candidate_hours,
        candidate_windows=tuple(candidate_windows) if candidate_windows is not None else None,
    )
    result = engine.find_slots(search, spec, interviewers)
    return Offer(
        slots=result.slots,
        empty_days=result.empty_days,
        people=people,
        plan=plan,
        no_calendar=sorted(
            (p for p in people.values() if not p.has_calendar), key=lambda p: p.name
        ),
    )


def _engine_people(people, busy, holds, *, buffer_before, buffer_after, caps=True):
    """The engine's Interviewers: {id: Interviewer} with their busy times and holds.
    `caps`: whether their interview limits apply (not to a meeting that is no interview)."""
    return [
        engine.Interviewer(
            key=pid,
            zone=person.timezone,
            hours=_hours(person),
            busy_times=busy.get(pid, ()),
            holds=tuple(holds.get(pid, ())),
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            daily_cap=person.max_interviews_per_day if caps else None,
            weekly_cap=person.max_interviews_per_week if caps else None,
            name=person.name,
        )
        for pid, person in people.items()
    ]


def find_for_panel(
    people, duration, *, start, end, zone_name, now=None, own=(), step=None, name="Debrief"
):
    """When all of `people` (Interviewers) can meet for `duration` between `start` and
    `end`, without a candidate: the engine's Availability of a one-session plan that
    requires them all, in their working hours, clear of their calendars and of every
    interview they sit in. Starts fall on the quarter hour of `zone_name`'s clock; their
    interview limits do not apply (a meeting of the panel is no interview). `own`: times
    [(start, end)] the meeting itself holds in their calendars now (it may move over them).
    Raises CalendarsUnavailable as `find` does."""
    now = now or timezone.now()
    people = {str(p.pk): p for p in people}
    busy = busy_blocks(people.values(), start, end)
    if own:
        holes = engine.busy_times(own)
        busy = {pid: tuple(_carve(blocks, holes)) for pid, blocks in busy.items()}
    seats = load.seats(list(people), start - load.AROUND, end + load.AROUND)
    holds = {
        pid: tuple(engine.Hold(seat.start, seat.end, label=seat.label) for seat in rows)
        for pid, rows in seats.items()
    }
    interviewers = _engine_people(
        people,
        busy,
        holds,
        buffer_before=dt.timedelta(0),
        buffer_after=dt.timedelta(0),
        caps=False,
    )
    spec = engine.Plan(
        sessions=(
            engine.Session(key="panel", duration=duration, required=tuple(people), name=name),
        )
    )
    search = engine.Search(
        start=start,
        end=end,
        now=now,
        candidate_zone=zones.name_or(zone_name),
        step=step or dt.timedelta(minutes=15),
    )
    return engine.find_slots(search, spec, interviewers)


def candidate_hours_for(plan, zone_name, *, strict):
    """The engine's candidate hours for a plan (its own, else its team's) in the
    candidate's zone: `strict` for the candidate's booking page, not for the recruiter."""
    start, end, days = plan.candidate_hours()
    hours = engine.WorkingHours.daily(start, end, days=tuple(sorted(set(days))))
    return engine.CandidateHours(zones.name_or(zone_name), hours, strict)


def loads(people, at, *, exclude_interview=None):
    """{interviewer id: (interviews in the week, interviews on the day)} around `at` on each
    person's clock, as `load.Tally` counts them (Convene's and the ATS's); a reschedule
    leaves out the interview it moves."""
    people = list(people)
    tally = load.Tally(people, at)
    if exclude_interview is not None:
        own = SessionAttendee.objects.filter(
            session__interview=exclude_interview, active=True, interviewer__in=people
        ).values_list("interviewer_id", "start_at")
        for pid, when in own:
            tally.counts.subtract(tally._keys(str(pid), when))
    return {str(p.pk): tally.rank(str(p.pk), at)[:2] for p in people}


def unavailable_reason(person, start, end, *, exclude_interview=None, counted=None):
    """Why `person` cannot sit on [start, end), in words ("busy then"), or "" when they
    can: not working then, another of Convene's interviews, their calendar, or their
    daily or weekly limit. `exclude_interview` (a reschedule, a swap) does not count
    against them; `counted` is their (week, day) load when known."""
    if not person.active:
        return "no longer an active interviewer"
    if not within_hours(person, start, end):
        return "not working then"
    held = load.seats([person.pk], start, end, exclude_interview=exclude_interview)
    if held.get(str(person.pk)):
        return f"in another interview then ({held[str(person.pk)][0].label})"
    try:
        busy = busy_blocks([person], start, end).get(str(person.pk), ())
    except CalendarsUnavailable:
        busy = ()
    if exclude_interview is not None:
        own = engine.busy_times(own_times(exclude_interview).get(str(person.pk), ()))
        busy = _carve(busy, own)
    if _overlaps(busy, start, end):
        return "busy in their calendar then"
    week, day = (
        counted or loads([person], start, exclude_interview=exclude_interview)[str(person.pk)]
    )
    if person.max_interviews_per_day is not None and day >= person.max_interviews_per_day:
        return f"at their limit of {person.max_interviews_per_day} interviews that day"
    if person.max_interviews_per_week is not None and week >= person.max_interviews_per_week:
        return f"at their limit of {person.max_interviews_per_week} interviews that week"
    return ""


def manual_choice(application, plan, start):
    """A choice for a time the recruiter typed (an availability override): the plan's
    sessions back to back from `start` (with its breaks), the required people, and each
    pool's members picked as the engine picks them, lightest load first."""
    plan_sessions = list(
        plan.sessions.prefetch_related(
            "required", "pools__members", "pools__program__trainees__interviewer"
        )
    )
    tally = load.Tally(
        {
            p
            for s in plan_sessions
            for pool in s.pools.all()
            for p in [
                *pool.members.all(),
                *(t.interviewer for t in seatable_trainees(pool).values()),
            ]
        },
        start,
    )
    sessions = []
    at = start
    for plan_session in plan_sessions:
        end = at + dt.timedelta(minutes=plan_session.duration_minutes)
        people = [Seat(str(p.pk), REQUIRED) for p in plan_session.required.all() if p.active]
        for pool in plan_session.pools.all():
            on = {seat.pid for seat in people}
            members = sorted(
                (p for p in pool.members.all() if p.active and str(p.pk) not in on),
                key=lambda p: tally.rank(str(p.pk), at),
            )
            picked = [str(p.pk) for p in members[: pool.k]]
            for pid in picked:
                tally.add(pid, at)
            # The lightest of the program's trainees not on the session already.
            learners = sorted(
                (pid for pid in seatable_trainees(pool) if pid not in on and pid not in picked),
                key=lambda pid: tally.rank(pid, at),
            )
            trainee = learners[0] if learners else None
            if trainee is not None:
                tally.add(trainee, at)
            people += pool_seats(pool, picked, trainee, picked[0] if picked else None)
        if not people:
            raise PlanNotUsable(f"“{plan_session}” has no active interviewers.")
        title = plan_session.title_for(
            job=application.job.name if application.job else "",
            candidate=application.candidate.name,
            stage=application.stage_label,
        )
        sessions.append(SessionChoice(title, at, end, tuple(people), key=str(plan_session.pk)))
        at = end + dt.timedelta(minutes=plan.break_minutes)
    if not sessions:
        raise PlanNotUsable("The plan has no sessions.")
    return Choice(tuple(sessions))


def swap_candidates(session, attendee):
    """Whom a recruiter may consider for `attendee`'s seat: for a trainee's seat the other
    trainees of the program at the same stage who may be seated; for a pool member's seat
    (a trainer's too) the other active members of its pool; for a seat of no pool
    (required, added) every active interviewer of the team; never someone on the session
    already."""
    on_session = set(session.attendees.filter(active=True).values_list("interviewer", flat=True))
    if attendee.role in TRAINEE_ROLES and attendee.training is not None:
        trainee = attendee.training
        same_stage = trainee.program.trainees.filter(stage=trainee.stage)
        ids = [t.interviewer_id for t in same_stage.select_related("interviewer") if t.is_seatable]
        people = Interviewer.objects.filter(pk__in=ids)
    elif attendee.pool_id is not None and attendee.pool is not None:
        people = attendee.pool.members.filter(active=True)
    else:
        people = Interviewer.objects.filter(tenant_id=session.interview.tenant_id, active=True)
    return [
        p
        for p in people.select_related("calendar_connection").order_by("name")
        if p.pk not in on_session
    ]


def eligible_swaps(session, attendee):
    """Who could take `attendee`'s seat on `session` (`swap_candidates`): working then,
    not held by another interview of Convene's and not busy in their calendar (when it can
    be read)."""
    members = swap_candidates(session, attendee)
    members = [p for p in members if within_hours(p, session.start_at, session.end_at)]
    held = load.seats([p.pk for p in members], session.start_at, session.end_at)
    members = [p for p in members if str(p.pk) not in held]
    try:
        busy = busy_blocks(members, session.start_at, session.end_at)
    except CalendarsUnavailable:
        busy = {}
    return [
        p
        for p in members
        if not _overlaps(busy.get(str(p.pk), ()), session.start_at, session.end_at)
    ]


def within_hours(person, start, end):
    """Whether [start, end) lies inside one of the person's working ranges on their clock."""
    zone = zones.zone(person.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end.date() != local_start.date() and local_end.time() != dt.time(0):
        return False
    for range_start, range_end in _hours(person).ranges_on(local_start.date()):
        closes = range_end if range_end != dt.time(0) else dt.time.max
        ends = local_end.time() if local_end.time() != dt.time(0) else dt.time.max
        if range_start <= local_start.time() and ends <= closes:
            return True
    return False


# --- a loop around one session that moved ---------------------------------------------------


def _layout_offsets(plan, pinned_position):
    """For each order the plan allows: how long before the visit's start the pinned session
    starts, and the order (positions)."""
    durations = [s.duration_minutes for s in plan.sessions.all()]
    gap = plan.break_minutes
    positions = list(range(len(durations)))
    orders = [positions]
    if plan.order == "any":
        orders = [list(order) for order in itertools.permutations(positions)]
    for order in orders:
        offset = 0
        for position in order:
            if position == pinned_position:
                yield dt.timedelta(minutes=offset), tuple(order)
                break
            offset += durations[position] + gap


def loop_around(interview, session, *, now=None):
    """The plan's nearest whole loop that keeps `session` where it is now (its time and its
    people): the other sessions placed around it as the plan orders them, with people who
    are free then (the same people wherever they are). None when no loop fits.

    The engine is asked for each visit start that puts the session at its time, ignoring
    the interview's own holds and events, without notice or horizon (the session is there
    already)."""
    plan = interview.plan
    if plan is None:
        return None
    plan = _plan_with_people(plan)
    plan_sessions = list(plan.sessions.all())
    sessions = list(interview.sessions.order_by("position"))
    if len(plan_sessions) != len(sessions) or session.position >= len(plan_sessions):
        return None
    pinned_key = str(plan_sessions[session.position].pk)
    zone = interview.candidate_zone_name
    current = {s.position: s for s in sessions}
    seats = {
        s.position: {
            str(a.interviewer_id): (a.role, a.pool_id, _id(a.training_id))
            for a in s.attendees.filter(active=True)
        }
        for s in sessions
    }
    # The search window must hold the whole visit (the engine clips people's time to it).
    length = dt.timedelta(
        minutes=sum(s.duration_minutes for s in plan_sessions)
        + plan.break_minutes * (len(plan_sessions) - 1)
    )
    best = None
    for offset, _order in _layout_offsets(plan, session.position):
        visit = session.start_at - offset
        offer = find(
            interview.application,
            plan,
            start=visit,
            end=visit + length + dt.timedelta(minutes=1),
            candidate_zone=zone,
            now=now,
            exclude_interview=interview,
            step=dt.timedelta(minutes=1),
            min_notice=dt.timedelta(0),
            horizon=dt.timedelta(days=3660),
        )
        for slot in offer.slots:
            parts = {part.session: part for part in slot.sessions}
            if slot.start != visit or parts[pinned_key].start != session.start_at:
                continue
            distance = sum(
                abs((parts[str(ps.pk)].start - current[n].start_at).total_seconds())
                for n, ps in enumerate(plan_sessions)
            )
            if best is None or distance < best[0]:
                best = (distance, slot, offer)
    if best is None:
        return None
    _distance, slot, offer = best
    by_key = {c.key: c for c in offer.choice_for(slot, interview.application).sessions}
    kept = []
    for n, plan_session in enumerate(plan_sessions):
        chosen = by_key[str(plan_session.pk)]
        if n == session.position:
            people = tuple((pid, *seat) for pid, seat in seats[n].items())
            kept.append(dataclasses.replace(chosen, people=people))
            continue
        part = next(p for p in slot.sessions if p.session == str(plan_session.pk))
        kept.append(_keep_people(chosen, seats[n], part, list(plan_session.pools.all())))
    return Choice(tuple(kept))


def who_is_busy_around(interview, session):
    """Why the rest of the interview does not fit around `session` where it is now, in
    words: who of the people on the other sessions cannot sit where the plan's order would
    put those sessions, and why ("Sofía Díaz is busy in their calendar then")."""
    plan = interview.plan
    if plan is None:
        return "the interview has no plan to fit it to."
    plan = _plan_with_people(plan)
    plan_sessions = list(plan.sessions.all())
    sessions = {s.position: s for s in interview.sessions.all()}
    said = {}
    for offset, order in _layout_offsets(plan, session.position):
        at = session.start_at - offset
        for position in order:
            length = dt.timedelta(minutes=plan_sessions[position].duration_minutes)
            other = sessions.get(position)
            if other is not None and position != session.position:
                for attendee in other.attendees.filter(active=True).select_related("interviewer"):
                    person = attendee.interviewer
                    why = unavailable_reason(person, at, at + length, exclude_interview=interview)
                    if why:
                        said.setdefault(person.name, why)
            at += length + dt.timedelta(minutes=plan.break_minutes)
    if not said:
        return "the plan’s order, breaks and the candidate’s day leave no room."
    return "; ".join(f"{name} is {why}" for name, why in said.items()) + "."


def _kept(pick, seated, pool_pk):
    """A pool's picks at a new time, keeping whoever sits in the pool now (`seated`:
    {interviewer id: (role, pool id)}) when they could take the seat then (they are among
    the engine's picks or alternates); the engine's picks fill the other seats."""
    could = {*pick.chosen, *pick.alternates}
    stay = [
        pid
        for pid, (role, p, *_) in seated.items()
        if p == pool_pk and role in MEMBER_ROLES and pid in could
    ]
    stay = stay[: len(pick.chosen)]
    rest = [pid for pid in pick.chosen if pid not in stay][: len(pick.chosen) - len(stay)]
    return [*stay, *rest]


def _keep_people(chosen, seated, part, pools):
    """The engine's people for a session, except that a pool keeps whoever sits in it now
    when they could take the seat then (they are among the engine's picks or alternates)."""
    people = [seat for seat in chosen.people if seat.pool is None]
    for pool, pick in zip(pools, part.pools, strict=False):
        picks = _kept(pick, seated, pool.pk)
        trainer = pick.trainer
        if trainer is not None and trainer not in picks:
            trainer = picks[0]
        people += pool_seats(pool, picks, pick.trainee, trainer)
    return dataclasses.replace(chosen, people=tuple(people))
