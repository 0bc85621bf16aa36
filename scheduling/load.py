"""Load: the interviews each interviewer sits in, whichever tool booked them.

This is the one home of "load is counted" (docs/design.md): the engine's pool choice and
caps (the holds `slots.find` gives it), the recruiter's override (`Tally`, which fills pool
seats as the engine does) and the reports all count through `convene_seats` and `ats_seats`.

What counts, each interview once:

- an active seat on an interview Convene booked (`SessionAttendee`);
- a seat the mirror found on an interview the ATS holds (`AtsSeat`: a person the ATS names,
  or an attendee of the calendar event the ATS interview points to), whoever booked it.
  The ATS interviews Convene wrote itself (one of its sessions has the same ATS interview
  id or the same event) get no seats: the mirror skips them (`convene_wrote`) and the
  write-back drops any found before it knew their ids (`forget_convene_seats`), so each
  interview counts once, as Convene's.

A seat counts on the local date and ISO week of its start in the interviewer's zone, as the
engine counts its holds (`availability.Hold`).
"""

import collections
import dataclasses
import datetime as dt

from django.db.models import Case, CharField, F, IntegerField, Value, When
from django.db.models.functions import Coalesce

from .lib import zones
from .models import AtsSeat, InterviewSession, SessionAttendee

CONVENE = "convene"
ATS = "ats"
# Holds reach this far around a search: the ISO week of any day in it.
AROUND = dt.timedelta(days=8)


@dataclasses.dataclass(frozen=True)
class Seat:
    """One person in one interview: when, and what it is (for explanations)."""

    interviewer_id: str
    start: dt.datetime
    end: dt.datetime
    label: str
    source: str  # CONVENE or ATS


def convene_seats(
    tenant=None, *, start, end, interviewer_ids=None, exclude_interview=None, starting=False
):
    """Active seats on Convene's interviews overlapping [start, end) (or, with `starting`,
    starting in it: the reports count a seat in the period it starts in)."""
    rows = SessionAttendee.objects.filter(active=True, start_at__lt=end)
    rows = rows.filter(start_at__gte=start) if starting else rows.filter(end_at__gt=start)
    if tenant is not None:
        # The tenant's interviewers sit only in the tenant's interviews (booking checks).
        rows = rows.filter(interviewer__tenant=tenant)
    if interviewer_ids is not None:
        rows = rows.filter(interviewer_id__in=list(interviewer_ids))
    if exclude_interview is not None:
        rows = rows.exclude(session__interview=exclude_interview)
    return rows.order_by()


def ats_seats(tenant=None, *, start, end, interviewer_ids=None, starting=False):
    """Seats on interviews the ATS holds overlapping [start, end) (or starting in it). The
    mirror writes none for the ATS interviews Convene wrote (`forget_convene_seats`)."""
    rows = AtsSeat.objects.filter(start_at__lt=end)
    rows = rows.filter(start_at__gte=start) if starting else rows.filter(end_at__gt=start)
    if tenant is not None:
        rows = rows.filter(tenant=tenant)
    if interviewer_ids is not None:
        rows = rows.filter(interviewer_id__in=list(interviewer_ids))
    return rows.order_by()


def convene_wrote(tenant, ats_interview_ids=(), event_ids=()):
    """The ATS interview ids and event ids, among those given, of the tenant's sessions:
    the ATS interviews Convene wrote itself (the mirror seats nobody in them)."""
    sessions = InterviewSession.objects.filter(interview__tenant=tenant)
    written = set(
        sessions.filter(ats_interview_id__in=[i for i in ats_interview_ids if i]).values_list(
            "ats_interview_id", flat=True
        )
    )
    events = set(
        sessions.filter(event_id__in=[e for e in event_ids if e]).values_list(
            "event_id", flat=True
        )
    )
    return written, events


def forget_convene_seats(session):
    """The session now knows its ATS interview and event: seats the mirror found on them
    before (a sync in between) are Convene's own interview, counted already."""
    tenant_id = session.interview.tenant_id
    if session.ats_interview_id:
        AtsSeat.objects.filter(
            tenant_id=tenant_id, ats_interview_id=session.ats_interview_id
        ).delete()
    if session.event_id:
        AtsSeat.objects.filter(tenant_id=tenant_id, event_id=session.event_id).delete()


def seats(interviewer_ids, start, end, *, exclude_interview=None):
    """{interviewer id (str): [Seat, …]} for everything they sit in overlapping [start, end),
    labelled with the candidate and where it was booked."""
    found = collections.defaultdict(list)
    convene = convene_seats(
        start=start, end=end, interviewer_ids=interviewer_ids, exclude_interview=exclude_interview
    ).values_list(
        "interviewer_id", "start_at", "end_at", "session__interview__application__candidate__name"
    )
    for pid, seat_start, seat_end, candidate in convene:
        label = f"{candidate} (booked in Convene)"
        found[str(pid)].append(Seat(str(pid), seat_start, seat_end, label, CONVENE))
    ats = (
        ats_seats(start=start, end=end, interviewer_ids=interviewer_ids)
        .annotate(
            candidate=Coalesce(
                "remote_interview__candidate__name",
                "remote_interview__application__candidate__name",
            )
        )
        .values_list(
            "interviewer_id",
            "start_at",
            "end_at",
            "via",
            "candidate",
            "remote_interview__connection__integration_name",
        )
    )
    for pid, seat_start, seat_end, via, candidate, ats_name in ats:
        where = ats_name or "the ATS"
        label = f"{candidate or 'a candidate'} (in {where}"
        label += ", from its calendar event)" if via == AtsSeat.Via.CALENDAR else ")"
        found[str(pid)].append(Seat(str(pid), seat_start, seat_end, label, ATS))
    for rows in found.values():
        rows.sort(key=lambda seat: (seat.start, seat.label))
    return dict(found)


def union(convene, ats, *, counted=(None, None)):
    """(sql, params) of one SELECT of every seat of the two querysets (as `convene_seats`
    and `ats_seats` return them, perhaps narrowed further), for aggregating in the
    database: `interviewer_id`, `zone` (theirs), `start_at`, `source` (CONVENE or ATS) and
    `counted` (1 where the Q objects in `counted`, one per queryset, hold; 1 everywhere by
    default; a False Q-less entry counts nothing)."""
    columns = []
    for queryset, source, when in ((convene, CONVENE, counted[0]), (ats, ATS, counted[1])):
        if when is None:
            flag = Value(1, output_field=IntegerField())
        elif when is False:
            flag = Value(0, output_field=IntegerField())
        else:
            flag = Case(When(when, then=Value(1)), default=Value(0), output_field=IntegerField())
        columns.append(
            queryset.values(
                "interviewer_id",
                seat_zone=F("interviewer__timezone"),
                seat_start=F("start_at"),
                seat_source=Value(source, output_field=CharField()),
                seat_counted=flag,
            )
        )
    sql, params = columns[0].union(columns[1], all=True).order_by().query.sql_with_params()
    names = (
        "u.interviewer_id AS interviewer_id, u.seat_zone AS zone, u.seat_start AS start_at, "
        "u.seat_source AS source, u.seat_counted AS counted"
    )
    # Only the ORM's own SQL and the fixed names above go into the text.
    return f"SELECT {names} FROM ({sql}) u", params  # noqa: S608


class Tally:
    """Seats per person per local date and ISO week around `start`, to fill pool seats by
    hand (an override) the way the engine fills them: lightest week, then day, first."""

    def __init__(self, people, start):
        self.zones = {str(p.pk): zones.zone(p.timezone) for p in people}
        self.counts = collections.Counter()
        found = seats([p.pk for p in people], start - AROUND, start + AROUND)
        for pid, rows in found.items():
            for seat in rows:
                self.add(pid, seat.start)

    def _keys(self, pid, at):
        day = at.astimezone(self.zones.get(pid, dt.UTC)).date()
        return (pid, "week", tuple(day.isocalendar())[:2]), (pid, "day", day)

    def add(self, pid, at):
        self.counts.update(self._keys(pid, at))

    def week(self, pid, at):
        """(interviews in the ISO week of `at` on the person's clock, [(date, interviews)]
        for its seven days, Monday first): what the caps are measured against."""
        day = at.astimezone(self.zones.get(pid, dt.UTC)).date()
        monday = day - dt.timedelta(days=day.weekday())
        days = [monday + dt.timedelta(days=i) for i in range(7)]
        week = (pid, "week", tuple(day.isocalendar())[:2])
        return self.counts[week], [(d, self.counts[(pid, "day", d)]) for d in days]

    def rank(self, pid, at):
        """(interviews in the week, interviews on the day, key): lightest first."""
        week, day = self._keys(pid, at)
        return (self.counts[week], self.counts[day], pid)
