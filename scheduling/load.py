"""Load: the interviews each interviewer sits in, whichever tool booked them.

This is the one home of "load is counted" (docs/design.md): the engine's pool choice and
caps (the holds `slots.find` gives it), the recruiter's override (`Tally`, which fills pool
seats as the engine does) and the reports all count through `convene_seats` and `ats_seats`.

What counts, each interview once:

- an active seat on an interview Convene booked (`SessionAttendee`);
- a seat the mirror found on an interview the ATS holds (`AtsSeat`: a person the ATS names,
  or an attendee of the calendar event the ATS interview points to), whoever booked it,
  unless Convene wrote that ATS interview itself (one of its sessions has the same ATS
  interview id or the same event): that interview is counted once, as Convene's.

A seat counts on the local date and ISO week of its start in the interviewer's zone, as the
engine counts its holds (`availability.Hold`).
"""

import collections
import dataclasses
import datetime as dt

from django.db.models import CharField, Exists, F, IntegerField, OuterRef, UUIDField, Value
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


def convene_seats(tenant=None, *, start, end, interviewer_ids=None, exclude_interview=None):
    """Active seats on Convene's interviews overlapping [start, end)."""
    rows = SessionAttendee.objects.filter(active=True, start_at__lt=end, end_at__gt=start)
    if tenant is not None:
        rows = rows.filter(session__interview__tenant=tenant)
    if interviewer_ids is not None:
        rows = rows.filter(interviewer_id__in=list(interviewer_ids))
    if exclude_interview is not None:
        rows = rows.exclude(session__interview=exclude_interview)
    return rows.order_by()


def ats_seats(tenant=None, *, start, end, interviewer_ids=None):
    """Seats on interviews the ATS holds overlapping [start, end), less those of the ATS
    interviews Convene wrote (counted as Convene's)."""
    rows = AtsSeat.objects.filter(start_at__lt=end, end_at__gt=start)
    if tenant is not None:
        rows = rows.filter(tenant=tenant)
    if interviewer_ids is not None:
        rows = rows.filter(interviewer_id__in=list(interviewer_ids))
    sessions = InterviewSession.objects.filter(interview__tenant=OuterRef("tenant"))
    written = Exists(
        sessions.filter(ats_interview_id=OuterRef("ats_interview_id")).exclude(ats_interview_id="")
    )
    same_event = Exists(sessions.filter(event_id=OuterRef("event_id")).exclude(event_id=""))
    return rows.exclude(written).exclude(same_event).order_by()


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


# The columns every seat has in `union`: who, when, in which zone, and what it belongs to
# (Convene's interview, or the mirror's ATS interview; the application; Convene's plan).
COLUMNS = (
    "interviewer_id",
    "zone",
    "start_at",
    "end_at",
    "source",
    "interview_id",
    "remote_interview_id",
    "application_id",
    "plan_id",
)


def union(convene, ats):
    """(sql, params) of one SELECT of every seat of the two querysets (as `convene_seats`
    and `ats_seats` return them, perhaps narrowed further) with the `COLUMNS`, for
    aggregating in the database."""
    convene = convene.values(
        "interviewer_id",
        seat_zone=F("interviewer__timezone"),
        seat_start=F("start_at"),
        seat_end=F("end_at"),
        seat_source=Value(CONVENE, output_field=CharField()),
        seat_interview=F("session__interview_id"),
        seat_remote=Value(None, output_field=IntegerField()),
        seat_application=F("session__interview__application_id"),
        seat_plan=F("session__interview__plan_id"),
    )
    ats = ats.values(
        "interviewer_id",
        seat_zone=F("interviewer__timezone"),
        seat_start=F("start_at"),
        seat_end=F("end_at"),
        seat_source=Value(ATS, output_field=CharField()),
        seat_interview=Value(None, output_field=UUIDField()),
        seat_remote=F("remote_interview_id"),
        seat_application=F("remote_interview__application_id"),
        seat_plan=Value(None, output_field=UUIDField()),
    )
    sql, params = convene.union(ats, all=True).order_by().query.sql_with_params()
    aliases = (
        "interviewer_id",
        "seat_zone",
        "seat_start",
        "seat_end",
        "seat_source",
        "seat_interview",
        "seat_remote",
        "seat_application",
        "seat_plan",
    )
    names = ", ".join(
        f"seats_union.{alias} AS {name}" for alias, name in zip(aliases, COLUMNS, strict=True)
    )
    # Only the ORM's own SQL and the fixed names above go into the text.
    return f"SELECT {names} FROM ({sql}) seats_union", params  # noqa: S608


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

    def rank(self, pid, at):
        """(interviews in the week, interviews on the day, key): lightest first."""
        week, day = self._keys(pid, at)
        return (self.counts[week], self.counts[day], pid)
