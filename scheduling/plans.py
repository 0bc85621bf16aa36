"""Interview plans: saving them, and finding the one that applies to an application."""

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import availability, where
from .lib import outside, zones
from .models import (
    Connection,
    Interviewer,
    InterviewPlan,
    PlanPool,
    PlanSession,
    SessionAttendee,
    audit,
)

# Where the ATS's own stages come from: the mirror (candidates) registers its source when it
# loads, as the layers ask of upward effects (docs/design.md).
_stage_sources = []


def stage_source(fn):
    """Register `fn(tenant, job=None) -> [(status, name)]`, the ATS's stages."""
    _stage_sources.append(fn)
    return fn


def ats_stages(tenant, job=None):
    """The ATS's stages as the ATS names them, each once, in pipeline order: [(Unified's
    normalized status, the ATS's name)]; only `job`'s (and every job's) when given."""
    found = {}
    for source in _stage_sources:
        for status, name in source(tenant, job):
            found.setdefault((status, name.strip().casefold()), (status, name.strip()))
    return list(found.values())


def plan_for(application):
    """The most specific plan for the application's job and stage, or None.

    A plan names a stage by the ATS's own name (matched, ignoring case, against the
    application's stage as the ATS names it), or by Unified's normalized status alone (every
    ATS stage of that kind), or not at all. Job beats no job; then the ATS's stage name
    beats the normalized status, which beats every stage.
    """
    status, name = application.status, (application.original_status or "").strip()
    candidates = InterviewPlan.objects.filter(tenant=application.tenant).filter(
        Q(job=application.job) | Q(job__isnull=True),
        Q(stage_status=status) | Q(stage_status=""),
    )

    def fits(plan):
        return not plan.stage_name or plan.stage_name.strip().casefold() == name.casefold()

    def specificity(plan):
        return (plan.job_id is not None, bool(plan.stage_name), plan.stage_status != "")

    plans = sorted((p for p in candidates if fits(p)), key=specificity, reverse=True)
    return plans[0] if plans else None


@transaction.atomic
def save_plan(form, formset, user):
    """Save the plan and replace its sessions with the formset's, in order."""
    created = (
        form.instance.pk is None or not InterviewPlan.objects.filter(pk=form.instance.pk).exists()
    )
    plan = form.save()
    plan.sessions.all().delete()
    position = 0
    for session_form in formset.forms:
        data = getattr(session_form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        session = PlanSession.objects.create(
            plan=plan,
            position=position,
            title_template=data["title_template"],
            duration_minutes=data["duration_minutes"],
        )
        session.required.set(data["required"])
        for found in session_form.pools():
            pool = PlanPool.objects.create(
                session=session,
                name=found["name"],
                k=found["k"],
                program=found["program"],
                trainee_required=found["trainee_required"],
            )
            pool.members.set(found["members"])
        position += 1
    audit(
        plan.tenant,
        "plan.created" if created else "plan.updated",
        f"{'Created' if created else 'Updated'} the interview plan “{plan}”",
        actor=user,
        obj=plan,
    )
    return plan


STARTER_POOL = 5  # a handful: enough to spread the load, few enough to check by eye
NEIGHBOUR_HOURS = 3  # "near the team": at most this far from its zone's UTC offset
STARTER_MINUTES = 60


@dataclasses.dataclass
class Starter:
    """What `create_starter_plan` did: the plan (None when it made none) and why, in words."""

    plan: object
    summary: str


def _days_within_candidate_hours(person, tenant, monday):
    """On how many of a week's candidate days the person's working hours hold a whole
    starter interview inside the candidates' hours (the team's, on the team's clock): the
    engine's own rule, on the person's hours alone."""
    zone = zones.name_or(tenant.default_timezone)
    start, end, days = (
        tenant.candidate_hours_start,
        tenant.candidate_hours_end,
        tenant.candidate_days,
    )
    hours = availability.WorkingHours.daily(start, end, days=tuple(sorted(set(days))))
    first = dt.datetime.combine(monday, dt.time(), zones.zone(zone))
    search = availability.Search(
        start=first,
        end=first + dt.timedelta(days=7),
        now=first - dt.timedelta(days=1),
        candidate_zone=zone,
        candidate_hours=availability.CandidateHours(zone, hours),
    )
    session = availability.Session(
        "starter", dt.timedelta(minutes=STARTER_MINUTES), required=(str(person.pk),)
    )
    found = availability.find_slots(
        search,
        availability.Plan(sessions=(session,)),
        [
            availability.Interviewer(
                str(person.pk), zones.name_or(person.timezone), person.engine_hours()
            )
        ],
    )
    return len({slot.start.astimezone(zones.zone(zone)).date() for slot in found.slots})


def _offset_hours(name, now):
    offset = now.astimezone(zones.zone(name)).utcoffset()
    return offset.total_seconds() / 3600


def _load(people, now):
    """Interviews each person has in the coming two weeks (lighter first in the pool)."""
    counts = dict(
        SessionAttendee.objects.filter(
            active=True,
            interviewer__in=people,
            start_at__gte=now,
            start_at__lt=now + dt.timedelta(days=14),
        )
        .values_list("interviewer")
        .annotate(n=Count("id"))
    )
    return {p.pk: counts.get(p.pk, 0) for p in people}


def _names(people):
    names = [p.name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@transaction.atomic
def video_for(tenant, people=()):
    """What the calendars of these people (any of whom may hold a session's event) can do
    for video (`where.video_together`); without people, the team's calendars."""
    conns = {p.calendar_connection_id: p.calendar_connection for p in people if p.has_calendar}
    if not conns:
        conns = {
            c.pk: c
            for c in Connection.objects.filter(
                tenant=tenant,
                category=Connection.Category.CALENDAR,
                status=Connection.Status.ACTIVE,
            )
        }
    return where.video_together(where.video_of(c) for c in conns.values())


def plan_people(plan):
    """Everyone who may sit on one of the plan's sessions (required and pool members)."""
    people = {}
    for session in plan.sessions.prefetch_related("required", "pools__members"):
        for person in session.required.all():
            people[person.pk] = person
        for pool in session.pools.all():
            for person in pool.members.all():
                people[person.pk] = person
    return list(people.values())


def plan_where(plan, reader=where.CANDIDATE):
    """The plan's place in words before booking (the booking and confirm pages), with what
    its people's calendars and profiles can deliver."""
    people = [p for p in plan_people(plan) if p.active]
    rooms = bool(people) and all(outside.is_web_url(p.meeting_room_url) for p in people)
    return where.for_plan(plan, reader, video=video_for(plan.tenant, people), rooms=rooms)


def starter_place(tenant, chosen):
    """(kind, why) the starter plan meets in: the calendar's video where it makes one, else
    the interviewers' own rooms when they all have one, else a phone call to the candidate
    (never a video it cannot make)."""
    video = video_for(tenant, chosen)
    if video != where.CANNOT:
        return where.VIDEO, ""
    calendars = "your calendar cannot add video links"
    if chosen and all(p.meeting_room_url for p in chosen):
        return where.ROOM, f"{calendars}, so it meets in each interviewer’s own meeting room"
    return where.PHONE, (
        f"{calendars}, so it is a phone call for now: give your interviewers a meeting room "
        "link on their profile, or a fixed link, and change the plan’s place"
    )


def create_starter_plan(tenant, user, now=None):
    """A default plan to start from: an hour with one of a handful of interviewers who can
    meet candidates within the team's candidate hours and work in or near the team's zone,
    the best placed and least loaded first. Refused when the team already has a default
    plan. Returns a Starter saying what it did (or why it made nothing)."""
    now = now or timezone.now()
    if InterviewPlan.objects.filter(tenant=tenant, job__isnull=True, stage_status="").exists():
        return Starter(None, "The team already has a default plan: edit that one.")
    active = list(
        Interviewer.objects.filter(tenant=tenant, active=True).select_related(
            "calendar_connection"
        )
    )
    if not active:
        return Starter(None, "There are no interviewers yet: they come with the ATS sync.")
    with_calendar = [p for p in active if p.has_calendar]
    pool_from = with_calendar or active
    team_zone = zones.name_or(tenant.default_timezone)
    team_offset = _offset_hours(team_zone, now)
    local_today = now.astimezone(zones.zone(team_zone)).date()
    monday = local_today + dt.timedelta(days=7 - local_today.weekday())
    far, unfit, fit = [], [], []
    for person in pool_from:
        distance = abs(_offset_hours(zones.name_or(person.timezone), now) - team_offset)
        if distance > NEIGHBOUR_HOURS:
            far.append(person)
            continue
        days = _days_within_candidate_hours(person, tenant, monday)
        if days == 0:
            unfit.append(person)
        else:
            fit.append((distance, -days, person))
    load = _load([p for *_rest, p in fit], now)
    fit.sort(key=lambda each: (each[0], each[1], load[each[2].pk], each[2].name))
    chosen = [p for *_rest, p in fit[:STARTER_POOL]]
    place = zones.city(team_zone)
    hours = tenant.candidate_hours_text
    left_out = []
    if far:
        cities = sorted({zones.city(zones.name_or(p.timezone)) for p in far})
        left_out.append(f"{len(far)} whose zones are too far from {place}’s ({', '.join(cities)})")
    if unfit:
        left_out.append(f"{len(unfit)} whose working hours never meet candidates’ hours")
    if len(active) > len(pool_from):
        left_out.append(f"{len(active) - len(pool_from)} without a connected calendar")
    if len(fit) > len(chosen):
        left_out.append(
            f"{len(fit) - len(chosen)} more who would fit (a pool of {STARTER_POOL} is "
            "enough; add them if you like)"
        )
    if not chosen:
        return Starter(
            None,
            f"No starter plan was made: no interviewer works in or near {place} within the "
            f"candidates’ hours ({hours}). Create a plan of your own.",
        )
    kind, place_why = starter_place(tenant, chosen)
    plan = InterviewPlan.objects.create(
        tenant=tenant,
        name="Default interview",
        location_kind=kind,
        agenda="A conversation about the role and the candidate's experience.",
        scorecard_questions=["Relevant experience", "Communication", "Motivation"],
    )
    session = PlanSession.objects.create(
        plan=plan, position=0, title_template="{job} interview", duration_minutes=STARTER_MINUTES
    )
    pool = PlanPool.objects.create(session=session, k=1)
    pool.members.set(chosen)
    summary = (
        f"Made “{plan.name}”: one hour with one of {_names(chosen)}, who work in or near "
        f"{place} and can meet candidates within their hours ({hours})."
        + (f" Left out: {'; '.join(left_out)}." if left_out else "")
        + (f" Where: {place_why}." if place_why else "")
    )
    audit(tenant, "plan.created", summary, actor=user, obj=plan)
    return Starter(plan, summary)
