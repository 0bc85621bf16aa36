"""Debriefs: the panel's meeting after an interview whose plan asks for one.

When such an interview is booked (`signals.interview_booked`), a `Debrief` is made and the
outbox is asked to find its time ("debrief_time.find", after the commit: reading calendars
is no work for the booking's transaction). The time is the first one after the loop's last
session, within the plan's working days, when the whole panel can meet, found by the
interviews' own engine (`slots.find_for_panel`); the next two are kept as alternatives.
The recruiter confirms it on the interview page (`confirm`), or the plan books it at once.

A booked debrief is one calendar event on the organizer's calendar with the panel as
attendees ("debrief.sync", which brings the calendar to the debrief as it is: an event
while booked, none otherwise). It carries its own ref, so webhooks and the reconcile never
take it for a session's event; it is never written to the ATS, never sent to the candidate,
and is no interview in anyone's load (their calendars block its time anyway).

It follows the loop: a change of the interview (`signals.interview_changed`) finds its
time again, keeping a booked time that still suits everyone and still comes after the
loop, else moving it, else flagging the interview (`Flag.Kind.DEBRIEF`) and taking the
event off the calendars; a cancel (`signals.interview_canceled`) cancels it and removes
its event.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import outbox, signals, slots, writeback
from .gateway import note_success, unified
from .lib import zones
from .models import (
    Debrief,
    DebriefPanel,
    Flag,
    Interview,
    Interviewer,
    NoShow,
    Operation,
    SessionAttendee,
    audit,
)
from .outbox import Unwritable, unclear
from .unified import records
from .unified.errors import NotFoundError

Kind = Operation.Kind
WORKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday: the working days a debrief's window counts
ALTERNATIVES = 2  # other times shown beside the proposed one
# When nothing fits the window, the picker offers the panel's times this far past it.
PICKER_DAYS = 10
PICKER_TIMES = 8


class DebriefError(Exception):
    """The debrief cannot be booked so; the message says why, in words."""


# --- the rules: window, panel, first fit ------------------------------------------------------


def window(last_end, within_days, zone_name, workdays=WORKDAYS):
    """[start, end) in which the debrief should happen: from the end of the loop's last
    session to the end of the `within_days`-th working day after that session's day, on the
    team's clock (0: the same day). Working days are Monday to Friday."""
    zone = zones.zone(zone_name)
    day = last_end.astimezone(zone).date()
    left = within_days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() in workdays:
            left -= 1
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return last_end, end.astimezone(dt.UTC)


def panel_for(interview):
    """Who is asked to the interview's debrief: the plan's named people, or the job's hiring
    managers (as the ATS names them) and everyone who sits in the interview now (trainees,
    who shadow, aside); active interviewers of the team only, by name."""
    plan = interview.plan
    if plan is not None and plan.debrief_panel == DebriefPanel.NAMED:
        people = plan.debrief_people.filter(active=True, tenant=interview.tenant)
        return list(people.order_by("name"))
    seated = SessionAttendee.objects.filter(session__interview=interview, active=True).exclude(
        role=SessionAttendee.Role.TRAINEE
    )
    ids = set(seated.values_list("interviewer_id", flat=True))
    job = interview.application.job
    if job is not None:
        ids |= set(job.hiring_managers.values_list("pk", flat=True))
    people = Interviewer.objects.filter(pk__in=ids, active=True, tenant=interview.tenant)
    return list(people.order_by("name"))


def first_fits(slot_starts, duration, count):
    """The first `count` starts (in order) that do not overlap one another: the proposal
    and its alternatives are different meetings, not the same one a quarter later."""
    chosen = []
    for start in slot_starts:
        if not chosen or start >= chosen[-1] + duration:
            chosen.append(start)
        if len(chosen) == count:
            break
    return chosen


def spread(starts, zone_name, per_day=3, count=PICKER_TIMES):
    """At most `per_day` of the starts on each day (team's clock), `count` in all: the
    picker shows several days rather than one afternoon in quarter hours."""
    zone = zones.zone(zone_name)
    days = {}
    chosen = []
    for start in starts:
        day = start.astimezone(zone).date()
        if days.get(day, 0) < per_day:
            days[day] = days.get(day, 0) + 1
            chosen.append(start)
        if len(chosen) == count:
            break
    return chosen


def _why(empty_days):
    """Why no day of the window suits the panel, in words, a line per day."""
    # The engine's sentences name their day ("Ivy Chen is not working long enough on
    # Monday 14 December …").
    lines = [day.message for day in empty_days]
    return "\n".join(lines) or "No working time of the whole panel falls in the window."


def _search(debrief, panel, start, end, now, step=None):
    """The engine's answer for the panel between start and end (not before now), the
    debrief's own booked time not counted against it; starts on the quarter hour unless
    `step` says otherwise."""
    start = max(start, now)
    if end <= start:
        return None
    return slots.find_for_panel(
        panel,
        dt.timedelta(minutes=debrief.duration_minutes),
        start=start,
        end=end,
        zone_name=debrief.tenant.default_timezone,
        now=now,
        own=[(debrief.start_at, debrief.end_at)] if debrief.event_id else (),
        step=step,
    )


# --- following the interview (signals) ---------------------------------------------------------


def _queue_find(debrief, why):
    outbox.add(
        debrief.tenant, Kind.FIND_DEBRIEF, interview=debrief.interview, payload={"why": why}
    )


def _on_booked(sender, interview, **kwargs):
    plan = interview.plan
    if plan is None or not plan.debrief:
        return
    debrief = Debrief.objects.create(
        tenant=interview.tenant,
        interview=interview,
        duration_minutes=plan.debrief_minutes,
        within_days=plan.debrief_within_days,
        auto_book=plan.debrief_auto_book,
    )
    debrief.panel.set(panel_for(interview))
    _queue_find(debrief, "booked")


def _on_changed(sender, interview, **kwargs):
    debrief = Debrief.objects.filter(interview=interview).exclude(status="canceled").first()
    if debrief is not None:
        _queue_find(debrief, "moved" if kwargs.get("retimed") else "people changed")


def _on_canceled(sender, interview, **kwargs):
    debrief = Debrief.objects.filter(interview=interview).exclude(status="canceled").first()
    if debrief is not None:
        _cancel(debrief)


def _cancel(debrief, why=""):
    debrief.status = Debrief.Status.CANCELED
    debrief.alternatives = []
    debrief.why = why
    debrief.save(update_fields=["status", "alternatives", "why", "updated_at"])
    debrief.interview.clear_flags(Flag.Kind.DEBRIEF)
    outbox.add(debrief.tenant, Kind.SYNC_DEBRIEF, interview=debrief.interview)


def _on_attendance(sender, interview, **kwargs):
    """A candidate who did not attend a session leaves the panel nothing to decide: the
    debrief is canceled (its event removed), saying why; clearing that mark looks for its
    time again."""
    debrief = Debrief.objects.filter(interview=interview).first()
    if debrief is None or not interview.is_active:
        return
    absent = (
        NoShow.objects.filter(interview=interview, interviewer__isnull=True)
        .select_related("session")
        .order_by("session__start_at")
        .first()
    )
    if absent is not None and debrief.status != Debrief.Status.CANCELED:
        name = interview.application.candidate.greeting_name
        _cancel(debrief, f"Not needed: {name} did not attend “{absent.session.title}”.")
    elif absent is None and debrief.status == Debrief.Status.CANCELED:
        debrief.status = Debrief.Status.FINDING
        debrief.why = ""
        debrief.save(update_fields=["status", "why", "updated_at"])
        _queue_find(debrief, "attendance corrected")


def connect():
    """Listen to the interview's owner (called from AppConfig.ready)."""
    signals.interview_booked.connect(_on_booked, dispatch_uid="debrief-booked")
    signals.interview_changed.connect(_on_changed, dispatch_uid="debrief-changed")
    signals.interview_canceled.connect(_on_canceled, dispatch_uid="debrief-canceled")
    signals.attendance_changed.connect(_on_attendance, dispatch_uid="debrief-attendance")


# --- finding the time (the outbox) -------------------------------------------------------------


def _organizer(interview):
    """Whose calendar holds the debrief: the first session's organizer, as for the loop."""
    session = (
        interview.sessions.filter(calendar_connection__isnull=False)
        .select_related("organizer", "calendar_connection")
        .order_by("start_at")
        .first()
    )
    if session is None:
        return None, None, ""
    return session.organizer, session.calendar_connection, session.calendar_id


def _when(value, zone_name):
    """A debrief's time for the history, on the team's clock with the zone in words, as the
    booking's own entry names it: "Tue 8 Dec, 13:00 New York time (United States, UTC−5)"."""
    local = value.astimezone(zones.zone(zone_name))
    named = zones.describe(zone_name, value)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {named}"


@outbox.handles(Kind.FIND_DEBRIEF)
def find_time(op):
    """Find the debrief's time after the interview as it is now; book it when the plan says
    so or when it was booked already (a loop that moved), else propose it."""
    debrief = Debrief.objects.select_related("tenant", "interview").get(interview=op.interview)
    interview = debrief.interview
    if not interview.is_active or debrief.status == Debrief.Status.CANCELED:
        return {"skipped": True, "why": "the debrief was canceled"}
    panel = panel_for(interview)
    if not panel:
        raise Unwritable("The debrief has nobody to ask: the plan names no active interviewer.")
    now = timezone.now()
    start, end = window(interview.end_at, debrief.within_days, debrief.tenant.default_timezone)
    found = _search(debrief, panel, start, end, now)
    duration = dt.timedelta(minutes=debrief.duration_minutes)
    starts = [s.start for s in found.slots] if found else []
    keep = debrief.is_booked and debrief.start_at in starts
    if keep:
        times = [debrief.start_at, *first_fits([s for s in starts if s != debrief.start_at],
                                               duration, ALTERNATIVES)]  # fmt: skip
    else:
        times = first_fits(starts, duration, 1 + ALTERNATIVES)
    picker = []
    if not times:
        # Nothing in the window: the panel's next times after it, for the recruiter to pick.
        _, later = window(end, PICKER_DAYS, debrief.tenant.default_timezone)
        more = _search(debrief, panel, max(start, end - duration), later, now)
        picker = spread(
            first_fits([s.start for s in more.slots] if more else [], duration, 10 * PICKER_TIMES),
            debrief.tenant.default_timezone,
        )
    organizer, conn, calendar_id = _organizer(interview)
    with transaction.atomic():
        debrief = Debrief.objects.select_for_update().get(pk=debrief.pk)
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        if not interview.is_active or debrief.status == Debrief.Status.CANCELED:
            return {"skipped": True, "why": "the interview was canceled"}
        was_booked, old = debrief.is_booked, (debrief.start_at, debrief.end_at)
        old_panel = set(debrief.panel.values_list("pk", flat=True))
        debrief.panel.set(panel)
        debrief.window_end = end
        debrief.organizer, debrief.calendar_connection = organizer, conn
        debrief.calendar_id = calendar_id or ""
        if times:
            debrief.start_at, debrief.end_at = times[0], times[0] + duration
            debrief.alternatives = [t.isoformat() for t in times[1:]]
            debrief.why = ""
            debrief.status = (
                Debrief.Status.BOOKED
                if was_booked or debrief.auto_book
                else Debrief.Status.PROPOSED
            )
        else:
            debrief.status = Debrief.Status.NEEDS_TIME
            debrief.alternatives = [t.isoformat() for t in picker]
            debrief.why = "The window has passed." if found is None else _why(found.empty_days)
        debrief.save()
        zone = debrief.tenant.default_timezone
        if debrief.is_booked:
            interview.clear_flags(Flag.Kind.DEBRIEF)
            moved = was_booked and old != (debrief.start_at, debrief.end_at)
            if not was_booked or moved or old_panel != {p.pk for p in panel}:
                outbox.add(debrief.tenant, Kind.SYNC_DEBRIEF, interview=interview)
            if not was_booked or moved:
                audit(
                    debrief.tenant,
                    "debrief.booked",
                    ("Moved the debrief to " if moved else "Booked the debrief for ")
                    + _when(debrief.start_at, zone),
                    obj=interview,
                )
        elif was_booked:
            interview.raise_flag(
                Flag.Kind.DEBRIEF,
                f"The interview moved and no time {debrief.no_time_words} suits the "
                "whole debrief panel: its event was taken off the calendars. Choose a time "
                "in the Debrief card.",
            )
            outbox.add(debrief.tenant, Kind.SYNC_DEBRIEF, interview=interview)
    return {
        "status": debrief.status,
        "start": debrief.start_at.isoformat() if debrief.start_at and times else "",
    }


def refind(debrief):
    """ "Look again": the recruiter asks Convene for the debrief's time anew."""
    _queue_find(debrief, "asked again")


# --- confirming (the recruiter) ----------------------------------------------------------------


def busy_words(debrief, start, end):
    """Who of the panel cannot meet at [start, end), in words ("Ann Lee: busy in their
    calendar then"), or "" when everyone can."""
    by_reason = {}
    own = (debrief.start_at, debrief.end_at) if debrief.event_id else None
    for person in debrief.panel.order_by("name"):
        if own and own[0] <= start and end <= own[1]:
            continue  # the debrief's own time
        why = slots.unavailable_reason(person, start, end)
        if why and not why.startswith("at their limit"):
            by_reason.setdefault(why, []).append(person.name)
    return "; ".join(
        f"{_and(names)} {'is' if len(names) == 1 else 'are'} {why}"
        for why, names in by_reason.items()
    )


def _and(names):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def confirm(debrief, start, *, user=None, anyway=False):
    """Book the debrief at `start` (the proposal, an alternative or a time the recruiter
    picked): checked against the panel's calendars by the same engine first (DebriefError
    naming who is busy, unless `anyway`)."""
    interview = debrief.interview
    if not interview.is_active:
        raise DebriefError("The interview was canceled, so there is no debrief to book.")
    if start < interview.end_at:
        raise DebriefError("A debrief comes after the interview’s last session ends.")
    if start < timezone.now():
        raise DebriefError("That time has passed: choose a later one.")
    # To the minute: the recruiter may have typed 13:10.
    start = start.replace(second=0, microsecond=0)
    end = start + dt.timedelta(minutes=debrief.duration_minutes)
    minute = dt.timedelta(minutes=1)
    found = _search(debrief, list(debrief.panel.all()), start, end, timezone.now(), step=minute)
    fits = found is not None and any(s.start == start for s in found.slots)
    if not fits and not anyway:
        raise DebriefError(
            "Not everyone on the panel can meet then: "
            + (busy_words(debrief, start, end) or "someone is busy or not working then")
            + "."
        )
    with transaction.atomic():
        debrief = Debrief.objects.select_for_update().get(pk=debrief.pk)
        if debrief.status == Debrief.Status.CANCELED:
            raise DebriefError("The interview was canceled, so there is no debrief to book.")
        debrief.status = Debrief.Status.BOOKED
        debrief.start_at, debrief.end_at = start, end
        debrief.alternatives = []
        debrief.why = ""
        debrief.booked_by = user if user is not None and user.is_authenticated else None
        debrief.save()
        interview.clear_flags(Flag.Kind.DEBRIEF)
        outbox.add(debrief.tenant, Kind.SYNC_DEBRIEF, interview=interview)
        zone = debrief.tenant.default_timezone
        audit(
            debrief.tenant,
            "debrief.booked",
            f"Booked the debrief for {_when(start, zone)}",
            actor=user,
            obj=interview,
        )
    return debrief


# --- the calendar event (the outbox) -----------------------------------------------------------


def feedback_url(interview):
    """The recruiter's page of the interview's collected feedback."""
    return f"{settings.SITE_URL}{reverse('interview_detail', args=[interview.pk])}#feedback"


def event_notes(debrief):
    interview = debrief.interview
    application = interview.application
    lines = [
        f"The panel's debrief of {application.candidate.name}"
        + (f" for {application.job.name}" if application.job else "")
        + ": decide together. The candidate is not invited.",
        f"Feedback collected: {feedback_url(interview)}",
        f"Scheduled with Convene ({debrief.ref}).",
    ]
    return "\n\n".join(lines)


def event_title(debrief):
    application = debrief.interview.application
    job = f" ({application.job.name})" if application.job else ""
    return f"Debrief: {application.candidate.name}{job}"


def _event_record(debrief):
    conn = debrief.calendar_connection
    attendees = tuple(
        records.Attendee(email=p.email, name=p.name, user_id=p.ats_user_id or None, required=True)
        for p in debrief.panel.all()
        if p.email
    )
    return records.Event(
        calendar_id=debrief.calendar_id or None,
        subject=event_title(debrief),
        notes=event_notes(debrief),
        start_at=debrief.start_at,
        end_at=debrief.end_at,
        timezone="UTC",
        attendees=attendees,
        has_conference=True if conn is not None and conn.can("conference") else None,
        send_notifications=True,
    )


def _calendar_of(debrief):
    conn = debrief.calendar_connection
    if conn is None:
        raise Unwritable(
            "No one on the interview has a connected calendar, so there is nowhere to put "
            "the debrief. Connect a calendar and retry."
        )
    if not conn.is_active:
        raise Unwritable(f"The calendar connection {conn} is {conn.get_status_display().lower()}.")
    return conn


@outbox.handles(Kind.SYNC_DEBRIEF)
def sync_event(op):
    """Bring the debrief's calendar event to what the debrief is now: an event while booked
    (created, or moved and its attendees updated), none otherwise."""
    debrief = Debrief.objects.select_related(
        "calendar_connection", "interview__application__candidate", "interview__application__job"
    ).get(interview=op.interview)
    if debrief.is_booked and debrief.interview.is_active:
        return _put_event(op, debrief)
    return _remove_event(op, debrief)


def _remember(debrief, event):
    debrief.event_id = event.id or debrief.event_id
    Debrief.objects.filter(pk=debrief.pk).update(event_id=debrief.event_id)


def _put_event(op, debrief):
    conn = _calendar_of(debrief)
    client = unified()
    if not debrief.event_id and unclear(op):
        found = writeback._find_by_ref(
            client, conn, debrief.calendar_id or None, debrief.ref, debrief.start_at,
            debrief.end_at, op,
        )  # fmt: skip
        if found is not None:
            _remember(debrief, found)
    writeback._note_attempt(op, debrief.start_at, debrief.end_at)
    record = _event_record(debrief)
    if debrief.event_id:
        try:
            saved = writeback._save_event(client, conn, record, event_id=debrief.event_id)
        except NotFoundError:
            debrief.event_id = ""  # deleted in the calendar: put it back while booked
        else:
            _remember(debrief, saved)
            note_success(conn)
            return {"event_id": saved.id}
    created = writeback._save_event(client, conn, record)
    _remember(debrief, created)
    note_success(conn)
    return {"event_id": created.id}


def _remove_event(op, debrief):
    if not debrief.event_id:
        return {"skipped": True, "why": "there is no event"}
    conn = _calendar_of(debrief)
    event_id = debrief.event_id
    try:
        unified().remove_event(conn.unified_id, event_id)
    except NotFoundError:
        pass
    else:
        note_success(conn)
    Debrief.objects.filter(pk=debrief.pk).update(event_id="")
    return {"event_id": event_id, "removed": True}


# --- the interview page ------------------------------------------------------------------------


def for_interview(interview):
    """The Debrief card's facts, or None when the plan asks for none."""
    debrief = (
        Debrief.objects.filter(interview=interview)
        .select_related("organizer", "booked_by")
        .prefetch_related("panel")
        .first()
    )
    if debrief is None:
        return None
    times = [dt.datetime.fromisoformat(t) for t in debrief.alternatives]
    return {
        "debrief": debrief,
        "panel": list(debrief.panel.all()),
        "times": times,
        "why": debrief.why.splitlines(),
        "duration": debrief.duration_minutes,
    }
