"""Where and how an interview happens, in words, for the person reading (docs/design.md: the
one home of "never promise what is not there").

Every page, email, calendar file and calendar event that says where a session is asks
`describe` (or `for_session` / `for_plan`, which gather its inputs from the rows): the
candidate's booking, confirm, "You're booked" and manage pages, their emails and .ics, the
interviewers' invitations and events, the recruiter's interview page. What a calendar can
add to an event is `video_of` (learned from Unified's answers: `connections.check_meetings`
and the write-back).

This module reads rows it is handed (sessions, interviews, plans, connections) by their
attributes and imports no model, so the models and the calendar files can use it.
"""

import urllib.parse
from dataclasses import dataclass

from .lib import outside

# The kinds of place a plan can choose (InterviewPlan.Location's values).
VIDEO = "video"  # the calendar provider's video (Google Meet, Microsoft Teams)
ROOM = "room"  # each interviewer's own meeting room link (Interviewer.meeting_room_url)
LINK = "link"  # one fixed link
OFFICE = "office"  # an address, with a map link and arrival notes
PHONE = "phone"  # we call the candidate on the number they give
CALL_US = "call_us"  # the candidate calls us on a number

KINDS = [
    (VIDEO, "Video call from the calendar"),
    (ROOM, "Video call in each interviewer’s own room"),
    (LINK, "Video call on one fixed link"),
    (OFFICE, "In the office"),
    (PHONE, "Phone: we call the candidate"),
    (CALL_US, "Phone: the candidate calls us"),
]
VIDEO_KINDS = (VIDEO, ROOM, LINK)

CANDIDATE = "candidate"
INTERVIEWER = "interviewer"  # the interviewers and the recruiter

# What a calendar can do for meetings: `video_of(conn)` gives the provider's video by name
# ("Google Meet"), CANNOT, or UNKNOWN while no answer from Unified has said.
CANNOT = ""
UNKNOWN = None

# The name Convene expects a vendor's video to have before Unified's answers confirm it
# (only used to name a link the calendar gave without a label).
PROVIDER_VIDEO = {"googlecalendar": "Google Meet", "microsoftoutlook": "Microsoft Teams"}


def video_of(conn):
    """The video the calendar connection adds to an event asked for one: its name ("Google
    Meet"), CANNOT ("") once Unified said it cannot, UNKNOWN (None) until an answer said."""
    if conn is None:
        return CANNOT
    capabilities = conn.capabilities or {}
    said = capabilities.get("conference")
    if said is False:
        return CANNOT
    if said is True:
        return (
            capabilities.get("conference_label")
            or PROVIDER_VIDEO.get(conn.integration_type)
            or "Video call"
        )
    return UNKNOWN


def video_together(videos):
    """One answer for several calendars (a plan's people may be on several): CANNOT if any
    cannot, UNKNOWN if any is not known (or there is no calendar yet), else the name they
    share (or "Video call")."""
    videos = list(videos)
    if not videos:
        return UNKNOWN
    if any(v == CANNOT for v in videos):
        return CANNOT
    if any(v is UNKNOWN for v in videos):
        return UNKNOWN
    names = set(videos)
    return names.pop() if len(names) == 1 else "Video call"


def connection_words(conn):
    """What a calendar connection does for interviews' video, for its page."""
    video = video_of(conn)
    if video:
        return f"{video} links are added to interviews."
    if video == CANNOT:
        return (
            f"{conn.vendor} cannot add video links: choose another kind of place for your "
            "plans (each interviewer’s own meeting room, a fixed link, the office or a phone "
            "call)."
        )
    return "Not checked yet whether this calendar can add video links."


def map_url(address):
    return "https://www.google.com/maps/search/?" + urllib.parse.urlencode(
        {"api": "1", "query": address}
    )


@dataclass(frozen=True)
class Where:
    """Where and how one session (or a plan's sessions) happens, for one reader."""

    kind: str
    summary: str  # one line: "Google Meet video call", "In person: 1 Main St"
    url: str = ""  # the link to join, once known
    pending: str = ""  # a link not known yet: when it comes
    address: str = ""
    map_url: str = ""
    notes: str = ""  # arrival notes, who calls whom
    phone: str = ""
    problem: str = ""  # for the team only: what cannot be done as the plan says

    @property
    def is_video(self):
        return self.kind in VIDEO_KINDS

    @property
    def location(self):
        """The text for a calendar event's LOCATION: the link, the address, the number."""
        return self.url or self.address or (self.summary if not self.is_video else "")

    @property
    def text(self):
        """Everything in plain text, one item per line (emails, .ics descriptions)."""
        lines = [self.summary]
        if self.url:
            lines.append(f"Join: {self.url}")
        if self.pending:
            lines.append(self.pending)
        if self.map_url:
            lines.append(f"Map: {self.map_url}")
        if self.notes:
            lines.append(self.notes)
        return "\n".join(lines)


def describe(
    kind,
    *,
    reader,
    detail="",
    notes="",
    video=UNKNOWN,
    url="",
    host="",
    phone="",
    candidate_name="",
    booked=True,
    rooms=False,
    calendar_name="",
):
    """Where and how, in words, for `reader` (CANDIDATE or INTERVIEWER).

    `detail` is the plan's link, address or number; `notes` its arrival notes; `video` what
    the calendar can do (`video_of`); `url` the link the session has now (the calendar's
    conference link, the host's room, the fixed link); `host` whose room it is; `phone` the
    number the candidate gave; `booked` False on the booking page, before any event exists;
    `rooms` (before booking) that everyone who may host has a meeting room link.
    """
    candidate = reader == CANDIDATE
    url = url if outside.is_web_url(url) else ""
    if kind == OFFICE:
        address = detail.strip()
        return Where(
            kind,
            f"In person: {address}" if address else "In person, at the office",
            address=address,
            map_url=map_url(address) if address else "",
            notes=notes.strip(),
        )
    if kind == PHONE:
        if candidate:
            if phone:
                summary = f"Phone call: we call you on {phone}"
            elif booked:
                # Booked by the team, with no number from the candidate nor the ATS: never
                # "the number you give when you book", which they had no chance to give.
                summary = (
                    "Phone call: we call you. We do not have your number yet: please write "
                    "to us with the number to call"
                )
            else:
                summary = "Phone call: we call you on the number you give when you book"
            return Where(kind, summary, phone=phone, notes=notes.strip())
        who = candidate_name or "the candidate"
        summary = f"Phone call: call {who} on {phone}" if phone else f"Phone call: call {who}"
        problem = (
            ""
            if phone or not booked
            else f"No phone number for {who}: they were asked to send one. Add it to their "
            "profile in the ATS and Convene uses it."
        )
        return Where(kind, summary, phone=phone, notes=notes.strip(), problem=problem)
    if kind == CALL_US:
        number = detail.strip()
        summary = (
            f"Phone call: call us on {number}"
            if candidate
            else f"Phone call: {candidate_name or 'the candidate'} calls {number}"
        )
        return Where(kind, summary, phone=number, notes=notes.strip())
    if kind == LINK:
        return Where(kind, "Video call", url=url or (detail if outside.is_web_url(detail) else ""))
    if kind == ROOM and url:
        summary = f"Video call in {host}’s meeting room" if host else "Video call"
        return Where(kind, summary, url=url)
    if kind == ROOM and not booked and rooms:
        return Where(kind, "Video call", pending="The link comes with your confirmation.")
    # The calendar's own video: for a plan whose host has no room of their own, too.
    name = video or "Video call"
    summary = name if name == "Video call" else f"{name} video call"
    if url:
        return Where(kind, summary, url=url)
    if video == CANNOT:
        problem = (
            f"{calendar_name or 'This calendar'} cannot add video links, so there is no link "
            "yet: send the candidate one, or choose another place in the plan."
        )
        if kind == ROOM:
            problem = (
                f"No interviewer on this session has a meeting room link on their profile, "
                f"and {calendar_name or 'the calendar'} cannot add video links: send the "
                "candidate a link, or add a room link to a profile."
            )
        pending = (
            "The team sends you the link before the interview."
            if candidate
            else "No video link yet."
        )
        return Where(kind, "Video call", pending=pending, problem=problem if booked else "")
    if not booked:
        return Where(kind, summary, pending="The link comes with your confirmation.")
    pending = (
        "The link comes by email as soon as the calendar creates it."
        if candidate
        else "The link comes once the calendar creates the event."
    )
    return Where(kind, summary, pending=pending)


# --- from the rows -------------------------------------------------------------------------


def host_room(session):
    """(name, link) of the session's meeting room: its organizer's when they have one, else
    the first of its active interviewers with one; ("", "") when none has."""
    people = [a.interviewer for a in session.attendees.all() if a.active]
    organizer = session.organizer if session.organizer_id else None
    if organizer is not None and any(p.pk == organizer.pk for p in people):
        people.insert(0, organizer)
    for person in people:
        room = getattr(person, "meeting_room_url", "")
        if outside.is_web_url(room):
            return person.name, room
    return "", ""


def session_link(session):
    """The link this session has now: the calendar's conference link, the host's room, or
    the plan's fixed link; "" when none is known."""
    interview = session.interview
    if interview.location_kind == LINK:
        return interview.location_detail
    if interview.location_kind == ROOM:
        _name, room = host_room(session)
        if room:
            return room
    if interview.location_kind in (VIDEO, ROOM):
        return session.meeting_url
    return ""


def for_session(session, reader):
    interview = session.interview
    host = ""
    if interview.location_kind == ROOM:
        host, _room = host_room(session)
    conn = session.calendar_connection if session.calendar_connection_id else None
    return describe(
        interview.location_kind or VIDEO,
        reader=reader,
        detail=interview.location_detail,
        notes=interview.location_notes,
        video=video_of(conn),
        url=session_link(session),
        host=host,
        # The number they gave when they booked, else the ATS's (a recruiter's booking).
        phone=interview.candidate_phone or interview.application.candidate.phone,
        candidate_name=interview.application.candidate.name,
        calendar_name=str(conn) if conn is not None else "",
    )


def for_plan(plan, reader, *, video=UNKNOWN, rooms=False):
    """The plan's place before booking (the booking page): `video` is what its people's
    calendars can do and `rooms` whether they all have a meeting room (`plans.plan_where`
    gathers both)."""
    return describe(
        plan.location_kind,
        reader=reader,
        detail=plan.location_detail,
        notes=plan.location_notes,
        video=video,
        rooms=rooms,
        booked=False,
    )
