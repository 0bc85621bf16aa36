"""Calendar files Convene attaches to its emails.

The candidate's, their one invitation when Convene sends it (`Interview.candidate_invited_by`
says who does): one event per day of the interview on the candidate's clock (a loop of
sessions on one day is one block in their calendar, the description listing the sessions; a
loop the recruiter kept across two days is two blocks, never one block through the night).
The first day's event has the interview's UID, later days' UIDs add "-2", "-3"…; a day that
no longer has a session gets its cancellation. An interviewer's, sent only when their
calendar does not invite them itself: one event per session they sit on. Either way a UID
stays the same for the event's whole life and SEQUENCE rises with every change, so a
rescheduled or canceled interview updates the event already in the calendar instead of
adding a second one. The candidate's holds only what the candidate may read
(`candidate_notes`): a title naming the company and the job, their times, first names when
the plan shows them, how to join; never the plan's notes for interviewers nor anyone's
address but theirs.
"""

import datetime as dt

import icalendar
from django.conf import settings
from django.utils import timezone

from . import where
from .lib import zones


def _address(email, name=None):
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = icalendar.vText(name)
    return address


def _calendar(canceled):
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Convene//Interview scheduling//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if canceled else "REQUEST")
    return cal


def _organizer(organizer_name):
    sender = settings.DEFAULT_FROM_EMAIL
    sender_email = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return _address(sender_email, organizer_name)


def days(sessions, zone):
    """The sessions grouped by their day on the candidate's clock (`zone`), in time order:
    one calendar block each."""
    blocks = {}
    for session in sorted(sessions, key=lambda s: (s.start_at, s.position)):
        blocks.setdefault(session.start_at.astimezone(zone).date(), []).append(session)
    return list(blocks.values())


def block_uid(interview, index):
    """The UID of the interview's `index`-th day (0: the interview's own UID)."""
    return interview.ics_uid if index == 0 else f"{interview.pk}-{index + 1}@convene"


def candidate_title(interview, organizer_name):
    """The candidate's name for their interview: "Interview with Acme: Senior Engineer"."""
    job = interview.application.job
    return f"Interview with {organizer_name}" + (f": {job.name}" if job else "")


def first_names(session):
    """The first names of the session's people, when its plan shows them to the candidate;
    never an address (the candidate's invitation lists no one else)."""
    plan = session.interview.plan
    if plan is None or not plan.show_interviewer_names:
        return []
    return sorted(
        a.interviewer.name.split(" ")[0]
        for a in session.attendees.filter(active=True).select_related("interviewer")
        if a.interviewer.name
    )


def candidate_location(sessions):
    """Where the interview happens, as the candidate's invitation's LOCATION says: the
    first session's link, address or number that is known (`where`, their words)."""
    places = (where.for_session(s, where.CANDIDATE).location for s in sessions)
    return next((place for place in places if place), "")


def candidate_notes(interview, sessions, zone):
    """What the candidate reads of `sessions` (their invitation's description, or the
    shared event's when they are its attendee): each session's time on their clock (`zone`),
    who (first names, when the plan shows them) and how to join. Nothing meant for the
    interviewers: not the plan's notes, not their addresses."""
    lines = []
    for session in sessions:
        start, end = session.start_at.astimezone(zone), session.end_at.astimezone(zone)
        day = f"{start:%a} {start.day} {start:%b}"
        lines.append(
            f"{session.title}: {day} {start:%H:%M}–{end:%H:%M} "
            f"{zones.describe(zone.key, session.start_at)}"
        )
        names = first_names(session)
        if names:
            lines.append(f"  With {', '.join(names)}")
        place = where.for_session(session, where.CANDIDATE)
        lines += [f"  {line}" for line in place.text.splitlines()]
    return "\n".join(lines)


def _block_event(interview, index, sessions, zone, organizer_name, attendee, canceled):
    event = icalendar.Event()
    event.add("uid", block_uid(interview, index))
    event.add("sequence", interview.ics_sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    if sessions:
        event.add("dtstart", min(s.start_at for s in sessions).astimezone(dt.UTC))
        event.add("dtend", max(s.end_at for s in sessions).astimezone(dt.UTC))
    else:  # a day that no longer has a session: its cancellation needs a time of some sort
        event.add("dtstart", interview.start_at.astimezone(dt.UTC))
        event.add("dtend", interview.end_at.astimezone(dt.UTC))
    event.add("summary", candidate_title(interview, organizer_name))
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    event.add("description", candidate_notes(interview, sessions, zone))
    location = candidate_location(sessions)
    if location:
        event.add("location", location)
    event["organizer"] = _organizer(organizer_name)
    event.add("attendee", attendee)
    return event


def interview_calendars(
    interview, *, sessions, candidate_name, candidate_email, organizer_name, zone, sent_days=1
):
    """The candidate's calendar files for `interview` as it stands: [(uid, method, bytes)],
    one per day of the loop (a canceled interview cancels them all), plus a cancellation for
    each day sent before (`sent_days` of them) that no longer has a session. `zone` (a
    ZoneInfo) is the candidate's: it decides the days and the times in the descriptions."""
    attendee = _address(candidate_email, candidate_name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("ACCEPTED")
    blocks = days(sessions, zone)
    files = []
    for index in range(max(len(blocks), sent_days, 1)):
        day = blocks[index] if index < len(blocks) else []
        canceled = not interview.is_active or not day
        cal = _calendar(canceled)
        cal.add_component(
            _block_event(interview, index, day, zone, organizer_name, attendee, canceled)
        )
        files.append((block_uid(interview, index), "CANCEL" if canceled else "REQUEST", cal))
    return [(uid, method, cal.to_ical()) for uid, method, cal in files]


def interview_calendar(interview, **kwargs):
    """One downloadable file with every day of the interview (METHOD:PUBLISH when there are
    several, which a calendar imports as they are; the single day's invitation otherwise)."""
    files = interview_calendars(interview, **kwargs)
    if len(files) == 1:
        return files[0][2]
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Convene//Interview scheduling//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for _uid, _method, content in files:
        for event in icalendar.Calendar.from_ical(content).walk("VEVENT"):
            cal.add_component(event)
    return cal.to_ical()


def session_calendar(session, *, email, name, organizer_name, canceled, sequence, notes):
    """The .ics bytes for one session as an interviewer sees it: their own invitation when
    their calendar provider does not send one. `notes` is the event's description."""
    cal = _calendar(canceled)
    event = icalendar.Event()
    event.add("uid", f"{session.pk}@convene")
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", session.start_at.astimezone(dt.UTC))
    event.add("dtend", session.end_at.astimezone(dt.UTC))
    event.add("summary", session.title)
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    event.add("description", notes)
    location = where.for_session(session, where.INTERVIEWER).location
    if location:
        event.add("location", location)
    event["organizer"] = _organizer(organizer_name)
    attendee = _address(email, name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()
