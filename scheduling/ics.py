"""Calendar files Convene attaches to its emails.

The candidate's: one event per interview (a loop of sessions is one block in the candidate's
calendar; the description lists the sessions). An interviewer's, sent only when their
calendar does not invite them itself: one event per session they sit on. Either way the UID
stays the same for the event's whole life and SEQUENCE rises with every change, so a
rescheduled or canceled interview updates the event already in the calendar instead of
adding a second one.
"""

import datetime as dt

import icalendar
from django.conf import settings
from django.utils import timezone


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


def interview_calendar(
    interview, *, sessions, candidate_name, candidate_email, organizer_name, zone
):
    """The .ics bytes for `interview` as it stands (canceled interviews give METHOD:CANCEL).
    `zone` (a ZoneInfo) is the candidate's, for the times written in the description."""
    canceled = not interview.is_active
    cal = _calendar(canceled)

    event = icalendar.Event()
    event.add("uid", interview.ics_uid)
    event.add("sequence", interview.ics_sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", interview.start_at.astimezone(dt.UTC))
    event.add("dtend", interview.end_at.astimezone(dt.UTC))
    title = sessions[0].title if len(sessions) == 1 else f"Interviews: {sessions[0].title}"
    event.add("summary", title)
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    lines = []
    for session in sessions:
        start, end = session.start_at.astimezone(zone), session.end_at.astimezone(zone)
        lines.append(f"{session.title}: {start:%a %d %b %H:%M}–{end:%H:%M} ({zone.key})")
        if session.meeting_url:
            lines.append(f"  Join: {session.meeting_url}")
    if interview.agenda:
        lines += ["", interview.agenda]
    event.add("description", "\n".join(lines))
    location = next((s.meeting_url for s in sessions if s.meeting_url), "") or (
        interview.location_detail
    )
    if location:
        event.add("location", location)
    event["organizer"] = _organizer(organizer_name)
    attendee = _address(candidate_email, candidate_name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("ACCEPTED")
    event.add("attendee", attendee)
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
    location = session.meeting_url or session.interview.location_detail
    if location:
        event.add("location", location)
    event["organizer"] = _organizer(organizer_name)
    attendee = _address(email, name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()
