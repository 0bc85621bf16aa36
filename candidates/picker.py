"""The recruiter's week picker: seven days from the day asked for (today at the earliest),
the times the engine offers on them, and, for the time chosen, who would attend with each
person's clock and load, and what a reschedule would change and why.

One view renders it whole or as the `#slot-week` fragment (HTMX); every control is a link
or a form, so it works without JavaScript too.
"""

import dataclasses
import datetime as dt

from django.utils import timezone

from scheduling import slots
from scheduling.lib import outside, zones
from scheduling.models import Interviewer

DAYS = 7


def first_day(request, zone):
    """The first day shown: `?week=YYYY-MM-DD` (any plausible day), never before today."""
    today = timezone.localtime(timezone.now(), zone).date()
    day = outside.date_from(request.GET.get("week") or request.POST.get("week")) or today
    return max(day, today)


def parse_start(value):
    """An aware start time from a form or URL (ISO 8601), or None: naive, malformed or out of
    range (lib.outside.plausible)."""
    try:
        start = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return outside.plausible(start)


def current_seats(interview):
    """A reschedule's seats by plan session: {plan session id: {interviewer id: (role,
    pool id)}} (sessions that no longer know their plan session are left out)."""
    if interview is None:
        return {}
    seats = {}
    for session in interview.sessions.prefetch_related("attendees"):
        if session.plan_session_id:
            seats[str(session.plan_session_id)] = {
                str(a.interviewer_id): (a.role, a.pool_id)
                for a in session.attendees.all()
                if a.active
            }
    return seats


def with_person(slot, pid):
    """Whether `pid` attends the slot or could take a pool seat in it; the swaps that
    seat them, {(session key, chosen id): pid}, when they are an alternate."""
    swaps = {}
    for part in slot.sessions:
        if pid in part.interviewers or pid in part.trainees:
            return True, {}
        for pick in part.pools:
            if pid in pick.alternates and pick.chosen:
                swaps[(part.session, pick.chosen[-1])] = pid
                return True, swaps
    return False, {}


@dataclasses.dataclass
class Seat:
    person: Interviewer
    role: str
    local: str  # "09:00–10:00 New York"
    week: int  # interviews in the week around the time (this one left out)
    day: int
    alternates: list  # [(Interviewer, week load)] who could take this pool seat instead
    swap_field: str = ""  # the alternates' select: "swap:<session key>:<interviewer id>"


def _local(person, start, end):
    """ "09:00–10:00 New York": a time on the person's own clock."""
    tz = zones.zone(person.timezone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{a:%H:%M}–{b:%H:%M} {zones.city(tz.key)}"


def detail(offer, slot, application, *, interview=None, swaps=None, keep=None):
    """What the chosen time means: its sessions with each person's clock and load, and
    (rescheduling) who changes and why. Returns (sessions, changes, choice)."""
    choice = offer.choice_for(slot, application, swaps=swaps, keep=keep)
    people = offer.people
    loads = slots.loads(people.values(), slot.start, exclude_interview=interview)
    parts = {part.session: part for part in slot.sessions}
    pools = {str(s.pk): [p.pk for p in s.pools.all()] for s in offer.plan.sessions.all()}
    shown = []
    for chosen in choice.sessions:
        part = parts[chosen.key]
        picks = dict(zip(pools[chosen.key], part.pools, strict=False))
        seated = {seat.pid for seat in chosen.people}
        seats = []
        for pid, role, pool, _training in chosen.people:
            person = people[pid]
            week, day = loads.get(pid, (0, 0))
            pick = picks.get(pool)
            options = []
            if role in slots.MEMBER_ROLES and pick is not None:
                options = [
                    (people[alt], loads.get(alt, (0, 0))[0])
                    for alt in (*pick.chosen, *pick.alternates)
                    if alt not in seated and alt in people
                ]
            seats.append(
                Seat(
                    person=person,
                    role=role,
                    local=_local(person, chosen.start, chosen.end),
                    week=week,
                    day=day,
                    alternates=options,
                    swap_field=f"swap:{chosen.key}:{pid}",
                )
            )
        shown.append(
            {"title": chosen.title, "start": chosen.start, "end": chosen.end, "seats": seats}
        )
    return shown, changes(choice, keep or {}, people, interview), choice


def changes(choice, keep, people, interview):
    """What a reschedule to `choice` changes in people, and why, as sentences; [] for a
    new booking or when the same people sit."""
    if interview is None:
        return []
    said = []
    for chosen in choice.sessions:
        before = keep.get(chosen.key)
        if before is None:
            continue
        now = [seat.pid for seat in chosen.people]
        left = [pid for pid in before if pid not in now]
        joined = [people[pid].name for pid in now if pid not in before and pid in people]
        gone = {str(p.pk): p for p in Interviewer.objects.filter(pk__in=left)}
        for pid in left:
            person = gone.get(pid)
            if person is None:
                continue
            why = slots.unavailable_reason(
                person, chosen.start, chosen.end, exclude_interview=interview
            )
            if not why:
                why = (
                    "left out by the plan now"
                    if pid not in people
                    else "not needed: the pool’s other members fit this time"
                )
            instead = f", {_and(joined)} instead" if joined else ""
            said.append(f"{person.name} leaves “{chosen.title}” ({why}){instead}.")
            joined = []
        if joined:
            said.append(
                f"{_and(joined)} {'joins' if len(joined) == 1 else 'join'} “{chosen.title}”."
            )
    return said


def _and(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
