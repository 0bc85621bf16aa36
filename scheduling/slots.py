"""Finding times: from a plan, its people and their calendars to the engine's slots.

Busy blocks come from Unified for every interviewer the plan may use, fetched concurrently
(one thread per calendar) and cached briefly per calendar and day range; a calendar webhook
bumps that calendar's cache version, so a change made elsewhere is seen at once. Convene's
own bookings are added as holds from the database, so a time booked a second ago is never
offered, whatever the calendar shows yet.
"""

import concurrent.futures
import dataclasses
import datetime as dt
import logging
import zoneinfo

from django.core.cache import cache
from django.utils import timezone

from . import availability as engine
from .booking import Choice, SessionChoice
from .connections import note_failure, unified
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


@dataclasses.dataclass
class Offer:
    """What the engine offers for one application and window, with the people behind it."""

    slots: tuple
    empty_days: tuple
    people: dict  # interviewer id (str) → Interviewer
    plan: object
    no_calendar: list  # interviewers whose busy times Convene cannot see

    def choice_for(self, slot, application, *, swaps=None):
        """The booking choice for an engine slot; `swaps` maps (session key, chosen id) to
        an alternate id the recruiter picked instead."""
        swaps = swaps or {}
        sessions = {str(s.pk): s for s in self.plan.sessions.all()}
        pools = {str(s.pk): list(s.pools.all()) for s in sessions.values()}
        chosen = []
        for part in slot.sessions:
            plan_session = sessions[part.session]
            people = [(pid, "required", None) for pid in _required_of(plan_session, part)]
            for pool, pick in zip(pools[part.session], part.pools, strict=False):
                for pid in pick.chosen:
                    replacement = swaps.get((part.session, pid))
                    if replacement and replacement in pick.alternates:
                        pid = replacement
                    people.append((pid, "pool", pool.pk))
            people += [(pid, "trainee", None) for pid in part.trainees]
            title = plan_session.title_for(
                job=application.job.name if application.job else "",
                candidate=application.candidate.name,
                stage=application.stage_label,
            )
            chosen.append(SessionChoice(title, part.start, part.end, tuple(people)))
        return Choice(tuple(chosen))

    def slot_at(self, start):
        return next((s for s in self.slots if s.start == start), None)


def _required_of(plan_session, part):
    required = {str(p.pk) for p in plan_session.required.all()}
    return [pid for pid in part.interviewers if pid in required]


# --- busy blocks ------------------------------------------------------------------------------


def _version_key(conn_unified_id, calendar_id):
    return f"busyver:{conn_unified_id}:{calendar_id}"


def invalidate_busy(conn_unified_id, calendar_id=None):
    """Forget cached busy blocks of one calendar (or of every calendar of a connection)."""
    for key in (_version_key(conn_unified_id, calendar_id or "*"),):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, None)


def _cache_key(conn_unified_id, calendar_id, start, end):
    versions = cache.get_many(
        [_version_key(conn_unified_id, calendar_id), _version_key(conn_unified_id, "*")]
    )
    version = ".".join(str(v) for v in sorted(versions.values())) or "0"
    return f"busy:{conn_unified_id}:{calendar_id}:{version}:{start:%Y%m%d}:{end:%Y%m%d}"


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
    return [(b.start_at, b.end_at) for b in blocks if b.start_at and b.end_at]


def busy_blocks(people, start, end):
    """{interviewer id: [(start, end), …]} for the people with a working calendar.

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
    def ranges(pairs):
        return tuple(
            (dt.time.fromisoformat(a), dt.time(0) if b == "24:00" else dt.time.fromisoformat(b))
            for a, b in pairs
        )

    weekly = tuple(ranges(day) for day in (person.working_hours or [[]] * 7))
    exceptions = tuple(
        engine.DateHours(dt.date.fromisoformat(day), ranges(pairs))
        for day, pairs in sorted((person.working_hours_exceptions or {}).items())
    )
    return engine.WorkingHours(weekly=weekly, exceptions=exceptions)


def engine_plan(plan):
    """The engine's Plan for an InterviewPlan, keyed by session and interviewer ids.

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
            trainee = str(pool.trainee_id) if pool.trainee_id and pool.trainee.active else None
            if trainee in members or trainee in required:
                trainee = None
            pools.append(engine.Pool(members=members, k=pool.k, trainee=trainee))
        if not required and not pools:
            raise PlanNotUsable(f"“{plan_session}” has no interviewers. Edit the plan.")
        sessions.append(
            engine.Session(
                key=str(plan_session.pk),
                duration=dt.timedelta(minutes=plan_session.duration_minutes),
                required=required,
                pools=tuple(pools),
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
            "sessions__required", "sessions__pools__members", "sessions__pools__trainee"
        )
        .get(pk=plan.pk)
    )


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
):
    """Offer times for `application` under `plan` between `start` and `end`."""
    now = now or timezone.now()
    plan = _plan_with_people(plan)
    spec = engine_plan(plan)
    ids = spec.people()
    people = {
        str(p.pk): p
        for p in Interviewer.objects.filter(pk__in=ids).select_related("calendar_connection")
    }
    busy = busy_blocks(people.values(), start, end)
    holds = {}
    week = dt.timedelta(days=8)
    rows = SessionAttendee.objects.filter(
        active=True, interviewer_id__in=ids, start_at__lt=end + week, end_at__gt=start - week
    )
    if exclude_interview is not None:
        rows = rows.exclude(session__interview=exclude_interview)
    for pid, hold_start, hold_end in rows.values_list("interviewer_id", "start_at", "end_at"):
        holds.setdefault(str(pid), []).append(engine.Hold(hold_start, hold_end))

    buffer_before = dt.timedelta(minutes=plan.buffer_before_minutes)
    buffer_after = dt.timedelta(minutes=plan.buffer_after_minutes)
    interviewers = [
        engine.Interviewer(
            key=pid,
            zone=person.timezone,
            hours=_hours(person),
            busy=tuple(engine.Busy(a, b) for a, b in busy.get(pid, ())),
            holds=tuple(holds.get(pid, ())),
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            daily_cap=person.max_interviews_per_day,
            weekly_cap=person.max_interviews_per_week,
            name=person.name,
        )
        for pid, person in people.items()
    ]
    search = engine.Search(
        start=start,
        end=end,
        now=now,
        candidate_zone=candidate_zone,
        step=dt.timedelta(minutes=plan.slot_step_minutes),
        min_notice=dt.timedelta(hours=plan.minimum_notice_hours),
        horizon=dt.timedelta(days=plan.horizon_days),
        limit=limit,
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


def zone_of(name):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def within_hours(person, start, end):
    """Whether [start, end) lies inside one of the person's working ranges on their clock."""
    zone = zone_of(person.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end.date() != local_start.date() and local_end.time() != dt.time(0):
        return False
    for range_start, range_end in _hours(person).ranges_on(local_start.date()):
        closes = range_end if range_end != dt.time(0) else dt.time.max
        ends = local_end.time() if local_end.time() != dt.time(0) else dt.time.max
        if range_start <= local_start.time() and ends <= closes:
            return True
    return False
