"""Write-back: what the outbox's operations write to Unified, and the interview emails.

Each handler acts on the interview as it is when the operation runs, not as it was when the
operation was queued: the operations of one session's event (create, update, remove) all
bring the calendar to what the session is now — an event for an active interview, none for
a canceled one — and likewise for its ATS interview. So a cancel can never be undone by a
move's update that was still retrying, and an update that finds its event deleted puts it
back only while the interview stands. Every write is idempotent: a create whose answer was
lost first looks for what it may have created (the event carries the session's ref in its
notes, the ATS interview points at the event).

The handlers register themselves with the outbox (`@outbox.handles`, `@outbox.sends`);
docs/design.md has the order of the layers.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from . import emails, ics, load, outbox, where
from .gateway import note_capability, note_success, unified
from .lib import outside, zones
from .models import (
    CandidateInvitation,
    Connection,
    FeedbackRequest,
    Interview,
    Interviewer,
    InterviewSession,
    Operation,
)
from .outbox import Unwritable, unclear
from .unified import records
from .unified.errors import NotFoundError, NotSupportedError

Kind = Operation.Kind


# --- calendar events --------------------------------------------------------------------------


def event_notes(session):
    """The interviewers' description of the session's event (and of their own .ics): the
    plan's notes for them, who the candidate is with their profile in the ATS, the job,
    where feedback goes, and the ref that finds the event again. Internal: the candidate
    is not an attendee of this event (`Interview.candidate_invited_by`)."""
    interview = session.interview
    application = interview.application
    candidate = application.candidate
    notes = [interview.agenda] if interview.agenda else []
    about = [f"Candidate: {candidate.name}" + (f" <{candidate.email}>" if candidate.email else "")]
    if outside.web_url(candidate.web_url):
        ats = application.connection.integration_name or "the ATS"
        about.append(f"Profile in {ats}: {candidate.web_url}")
    if application.job:
        about.append(f"Job: {application.job.name}")
    notes.append("\n".join(about))
    notes.append(
        "Feedback: when the interview ends, Convene emails each interviewer a link to their "
        "scorecard (signed-in interviewers also find it under "
        f"{settings.SITE_URL}{reverse('my_feedback')})."
    )
    notes.append(f"Scheduled with Convene ({session.ref}).")
    return "\n\n".join(notes)


def shared_event_notes(session):
    """The description of an event the candidate attends with the interviewers: only what
    the candidate may read (as in their own invitation), and the ref."""
    interview = session.interview
    text = ics.candidate_notes(interview, [session], zones.zone(interview.candidate_zone_name))
    return f"{text}\n\nScheduled with Convene ({session.ref})."


def _event_record(session):
    interview = session.interview
    candidate = interview.application.candidate
    shared = interview.candidate_on_event
    attendees = []
    if shared and candidate.email:
        attendees.append(
            records.Attendee(email=candidate.email, name=candidate.name, required=True)
        )
    for attendee in session.attendees.filter(active=True).select_related("interviewer"):
        person = attendee.interviewer
        if person.email:
            attendees.append(
                records.Attendee(
                    email=person.email,
                    name=person.name,
                    user_id=person.ats_user_id or None,
                    required=attendee.role != attendee.Role.TRAINEE,
                )
            )
    location, wants_video = _event_place(session)
    return records.Event(
        calendar_id=session.calendar_id or None,
        subject=session.title,
        notes=shared_event_notes(session) if shared else event_notes(session),
        start_at=session.start_at,
        end_at=session.end_at,
        timezone="UTC",
        attendees=tuple(attendees),
        location=location,
        has_conference=True if wants_video else None,
        send_notifications=True,
    )


def _event_place(session):
    """(location, whether to ask the calendar for its video) of the session's event: the
    calendar's own video where the plan asks for it (or for a room no interviewer on the
    session has) and the calendar can add it; else the link, address or number in words
    (`where`)."""
    kind = session.interview.location_kind or where.VIDEO
    conn = session.calendar_connection
    own_room = where.host_room(session)[1] if kind == where.ROOM else ""
    wants_video = (
        kind in (where.VIDEO, where.ROOM)
        and not own_room
        and conn is not None
        and conn.can("conference")
    )
    if wants_video:
        return None, True
    return where.for_session(session, where.INTERVIEWER).location or None, False


def _remember_event(session, event):
    session.event_id = event.id or session.event_id
    session.event_seen_updated_at = event.updated_at
    if session.interview.location_kind == where.LINK:
        session.meeting_url = session.interview.location_detail
    session.save(update_fields=["event_id", "event_seen_updated_at", "meeting_url"])
    load.forget_convene_seats(session)
    if not learn_link(session, event):
        tell_link(session)  # another host's room, say, after a swap


# The candidate's emails that carry every session's link as it stands when sent.
TOLD_BY = ("interview_confirmed", "interview_rescheduled")


def learn_link(session, event):
    """The calendar's conference link of the session's event, as it comes back (the
    write-back's answer, a webhook, the reconcile): kept on the session, the calendar's
    video noted by name, and the candidate told (`tell_link`). True when it was new."""
    conference = next((c for c in event.conference if c.url), None)
    if conference is None or conference.url == session.meeting_url:
        return False
    session.meeting_url = conference.url
    type(session).objects.filter(pk=session.pk).update(meeting_url=conference.url)
    conn = session.calendar_connection
    if (
        conn is not None
        and conference.label
        and conn.capabilities.get("conference_label") != conference.label
    ):
        note_capability(conn, "conference", True)
        note_capability(conn, "conference_label", conference.label)
    tell_link(session)
    return True


def tell_link(session):
    """A follow-up email when the session's link is not the one the candidate's emails
    carried (the calendar made it after the confirmation went, or another host's room took
    over): unless an email on its way carries it, or Convene never told the candidate of
    the interview. `send_link` sends only what is new, so never twice."""
    interview = session.interview
    link = where.session_link(session)
    if not interview.is_active or not link or link == session.link_told:
        return False
    told = Operation.objects.filter(
        interview=interview,
        kind=Kind.SEND_EMAIL,
        payload__kind__in=[*TOLD_BY, "meeting_link"],
    )
    if told.filter(status__in=[Operation.Status.PENDING, Operation.Status.RUNNING]).exists():
        return False  # the email on its way carries the link
    if not told.exists():
        return False  # the candidate has not been told of this interview by Convene
    candidate = interview.application.candidate
    outbox.add(
        interview.tenant,
        Kind.SEND_EMAIL,
        interview=interview,
        payload={"kind": "meeting_link", "about": f"The video link to {candidate.name}"},
    )
    return True


def _find_event(client, conn, session, op):
    """The event an earlier attempt may have created: same calendar, same ref in its notes,
    around any of the times the attempts wrote (the interview may have moved since)."""
    return _find_by_ref(
        client, conn, session.calendar_id or None, session.ref, session.start_at,
        session.end_at, op,
    )  # fmt: skip


def _find_by_ref(client, conn, calendar_id, ref, start, end, op):
    """The standing event on the calendar whose notes carry `ref`, around [start, end) or
    any of the times `op` (and what it superseded) tried to write."""
    day = dt.timedelta(days=1)
    windows = {(start, end)} | {
        (dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b))
        for a, b in op.payload.get("tried", [])
    }
    for first, last in sorted(windows):
        for event in client.list_events(
            conn.unified_id, calendar_id=calendar_id, start_gte=first - day, end_lt=last + day
        ):
            if ref in (event.notes or "") and not event.is_canceled:
                return event
    return None


def _note_attempt(op, start, end):
    """Remember the times this attempt is about to write, before it writes them."""
    tried = op.payload.get("tried", [])
    window = [start.isoformat(), end.isoformat()]
    if window not in tried:
        op.payload = {**op.payload, "tried": [*tried, window]}
        Operation.objects.filter(pk=op.pk).update(payload=op.payload)


def _calendar_of(session):
    conn = session.calendar_connection
    if conn is None:
        raise Unwritable(
            "No interviewer on this session has a connected calendar, so there is nowhere "
            "to create the event. Connect a calendar for one of them and retry."
        )
    if not conn.is_active:
        raise Unwritable(f"The calendar connection {conn} is {conn.get_status_display().lower()}.")
    return conn


def _save_event(client, conn, event, *, event_id=None):
    """Create (or update) the event; a vendor that refuses conferences is remembered, and the
    event is written without one (the invitation then carries the plan's location)."""
    try:
        if event_id:
            return client.update_event(conn.unified_id, event_id, event)
        return client.create_event(conn.unified_id, event)
    except NotSupportedError:
        if not event.has_conference:
            raise
        note_capability(conn, "conference", False)
        plain = dataclasses.replace(event, has_conference=None)
        if event_id:
            return client.update_event(conn.unified_id, event_id, plain)
        return client.create_event(conn.unified_id, plain)


@outbox.handles(Kind.CREATE_EVENT, Kind.UPDATE_EVENT, Kind.CANCEL_EVENT)
def sync_event(op):
    """Bring the session's calendar event to what the session is now."""
    session = op.session
    if session.interview.is_active:
        return _put_event(op, session)
    return _remove_event(op, session)


def _put_event(op, session):
    conn = _calendar_of(session)
    client = unified()
    if not session.event_id and unclear(op):
        # An earlier attempt may have created it: adopt it, and bring it up to date if the
        # session moved since.
        found = _find_event(client, conn, session, op)
        if found is not None:
            _remember_event(session, found)
            note_success(conn)
            if (found.start_at, found.end_at) == (session.start_at, session.end_at):
                return {"event_id": found.id, "found_existing": True}
    recreated = False
    if session.event_id:
        _note_attempt(op, session.start_at, session.end_at)
        try:
            saved = _save_event(client, conn, _event_record(session), event_id=session.event_id)
        except NotFoundError:
            # Deleted in the calendar meanwhile: put it back, as the interview still stands.
            session.event_id = ""
            recreated = True
        else:
            _remember_event(session, saved)
            note_success(conn)
            return {"event_id": saved.id}
    _note_attempt(op, session.start_at, session.end_at)
    created = _save_event(client, conn, _event_record(session))
    _remember_event(session, created)
    note_success(conn)
    if session.ats_record == InterviewSession.AtsRecord.INTERVIEW:
        # The ATS interview went ahead while this failed: point it at the event now.
        outbox.add(op.tenant, Kind.UPDATE_ATS_INTERVIEW, interview=op.interview, session=session)
    return {"event_id": created.id, **({"recreated": True} if recreated else {})}


def _remove_event(op, session):
    """No event for a canceled interview: remove the one it has, or the one an unclear
    attempt may have created."""
    if not session.event_id:
        if not unclear(op) or session.calendar_connection is None:
            return {"skipped": True, "why": "there is no event"}
        found = _find_event(unified(), _calendar_of(session), session, op)
        if found is None:
            return {"skipped": True, "why": "there is no event"}
        session.event_id = found.id
    conn = _calendar_of(session)
    try:
        unified().remove_event(conn.unified_id, session.event_id)
    except NotFoundError:
        return {"event_id": session.event_id, "already_gone": True}
    note_success(conn)
    return {"event_id": session.event_id, "removed": True}


# --- the candidate's own calendar events ------------------------------------------------------


def candidate_day_ref(interview, index):
    """The marker in the notes of the interview's candidate-only event for its `index`-th
    day: not a session's ref, so the reconcile and the webhooks never take it for the
    interviewers' event (they find sessions by their events' ids), and a lost create is
    found again by it."""
    return f"{interview.candidate_ref}/{index + 1}"


def _candidate_event_record(interview, index, day, zone):
    """A candidate-only event for one day of the interview: the candidate alone invited,
    what they may read, the interviewers' meeting link (never a meeting of its own)."""
    candidate = interview.application.candidate
    notes = ics.candidate_notes(interview, day, zone)
    return records.Event(
        calendar_id=day[0].calendar_id or None,
        subject=ics.candidate_title(interview, interview.tenant.name),
        notes=f"{notes}\n\nScheduled with Convene ({candidate_day_ref(interview, index)}).",
        start_at=min(s.start_at for s in day),
        end_at=max(s.end_at for s in day),
        timezone="UTC",
        attendees=(records.Attendee(email=candidate.email, name=candidate.name, required=True),),
        location=ics.candidate_location(day) or None,
        send_notifications=True,
    )


def _remove_candidate_event(client, held):
    conn = Connection.objects.filter(pk=held["connection"]).first()
    if conn is None or not conn.is_active:
        return
    try:
        client.remove_event(conn.unified_id, held["id"])
    except NotFoundError:
        return
    note_success(conn)


@outbox.handles(Kind.SYNC_CANDIDATE_EVENTS)
def sync_candidate_events(op):
    """Bring the candidate-only events to what the interview is now: one per day of it on
    the candidate's clock (as the .ics has them), none once it is canceled or when the
    candidate is invited another way. Each day's event is updated in place (its id kept on
    the interview), so the candidate's calendar moves it rather than adding another."""
    interview = Interview.objects.select_related("tenant", "application__candidate").get(
        pk=op.interview_id
    )
    sessions = list(interview.sessions.select_related("calendar_connection"))
    zone = zones.zone(interview.candidate_zone_name)
    wanted = []
    if (
        interview.is_active
        and interview.candidate_invited_by == CandidateInvitation.CANDIDATE_EVENT
    ):
        wanted = ics.days(sessions, zone)
    held = list(interview.candidate_events or [])
    client = unified()
    written = []
    for index in range(max(len(wanted), len(held))):
        have = held[index] if index < len(held) else None
        if index >= len(wanted):
            if have:
                _remove_candidate_event(client, have)
            continue
        day = wanted[index]
        conn = _calendar_of(day[0])
        record = _candidate_event_record(interview, index, day, zone)
        _note_attempt(op, record.start_at, record.end_at)
        saved = None
        if (
            have
            and have["connection"] == str(conn.pk)
            and have["calendar_id"] == day[0].calendar_id
        ):
            try:
                saved = client.update_event(conn.unified_id, have["id"], record)
            except NotFoundError:
                saved = None  # deleted in the calendar: put it back, as the interview stands
        elif have:
            _remove_candidate_event(client, have)  # on another calendar now
        if saved is None and unclear(op):
            # An earlier attempt may have created it: adopt it (by its ref, never a session's).
            ref = f"({candidate_day_ref(interview, index)})"
            found = _find_by_ref(
                client, conn, record.calendar_id, ref, record.start_at, record.end_at, op
            )
            if found is not None:
                saved = client.update_event(conn.unified_id, found.id, record)
        if saved is None:
            saved = client.create_event(conn.unified_id, record)
        note_success(conn)
        entry = {"id": saved.id, "connection": str(conn.pk), "calendar_id": day[0].calendar_id}
        written.append(entry)
        # Kept as it goes: a failure at a later day leaves the earlier days known.
        kept = written + held[len(written) :]
        Interview.objects.filter(pk=interview.pk).update(candidate_events=kept)
    Interview.objects.filter(pk=interview.pk).update(candidate_events=written)
    return {
        "candidate_events": [e["id"] for e in written],
        "removed": max(len(held) - len(written), 0),
    }


# --- ATS interviews ---------------------------------------------------------------------------


def _ats_of(op):
    conn = op.interview.application.connection
    if not conn.is_active:
        raise Unwritable(f"The ATS connection {conn} is {conn.get_status_display().lower()}.")
    return conn


def ats_status(session):
    """The ATS status the session calls for now, or None while nothing has happened to it:
    CANCELED when the candidate did not attend, or every interviewer asked for feedback did
    not (Unified's AtsInterview has no "no-show" status: the session did not take place);
    else what its feedback calls for, AWAITING_FEEDBACK once requests went out and
    COMPLETE when all are in. Trainees' training feedback counts for none of it (the panel's
    is what the ATS waits for). Every update, whoever queues it, writes this, so none undoes
    another's."""
    if session.no_shows.filter(interviewer__isnull=True).exists():
        return "CANCELED"
    statuses = set(
        session.feedback_requests.filter(training=False).values_list("status", flat=True)
    )
    withdrawn = FeedbackRequest.Status.WITHDRAWN
    if statuses == {withdrawn}:
        return "CANCELED"
    statuses.discard(withdrawn)
    if not statuses:
        return None
    return "COMPLETE" if statuses == {FeedbackRequest.Status.SUBMITTED} else "AWAITING_FEEDBACK"


def _interview_record(session, status=None):
    status = status or ats_status(session) or "SCHEDULED"
    application = session.interview.application
    user_ids = [
        a.interviewer.ats_user_id
        for a in session.attendees.filter(active=True).select_related("interviewer")
        if a.interviewer.ats_user_id and a.role != a.Role.TRAINEE
    ]
    here = where.for_session(session, where.INTERVIEWER)
    return records.Interview(
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
        status=status,
        start_at=session.start_at,
        end_at=session.end_at,
        user_ids=tuple(user_ids),
        location=here.location or None,
        meeting_url=here.url or None,
        external_event_xref=session.event_id or None,
    )


def _when_for_people(start, end, zone_name):
    """A session's times as a person writes them in a note: on the team's clock, with the
    zone named ("Fri 4 Dec 2026, 10:00–10:45 London time (United Kingdom, UTC+0)")."""
    tz = zones.zone(zone_name)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = f"{local_start:%a} {local_start.day} {local_start:%b %Y}"
    end_text = f"{local_end:%H:%M}"
    if local_end.date() != local_start.date():
        end_text = f"{local_end:%a} {local_end.day} {local_end:%b}, {end_text}"
    return f"{day}, {local_start:%H:%M}–{end_text} {zones.describe(zone_name, start)}"


def _names(names):
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


# What follows a booking, a move or a cancellation, per connection (`what_follows`).
_EVENTS_FOLLOW = {
    "booked": "{events} in {vendors}",
    "moved": "{events} in {vendors} moving",
    "canceled": "{events} coming off {vendors}",
}
_ATS_FOLLOWS = {
    ("booked", "interview"): "the interview in {vendor}",
    ("moved", "interview"): "the interview in {vendor} moving",
    ("canceled", "interview"): "the interview in {vendor} canceled",
    ("booked", "activity"): "a note on the application in {vendor}",
    ("moved", "activity"): "a note on the application in {vendor} saying it moved",
    ("canceled", "activity"): "a note on the application in {vendor} saying it is canceled",
}
_EMAIL_FOLLOWS = {
    "booked": "the confirmation email to {email}",
    "moved": "the new time by email to {email}",
    "canceled": "the cancellation email to {email}",
}


def what_follows(interview, change="booked", *, email=True):
    """What the write-back is about to write for a booking ("booked"), a move ("moved") or
    a cancellation ("canceled"), per connection, in words (the recruiter's banner): "In a
    moment: the calendar event in Microsoft Outlook, a note on the application in Lever
    (Lever does not accept interviews from Convene) and the confirmation email to
    ada@example.com." What an ATS holds is what the session holds already, else what its
    connection knows so far (`Connection.ats_record_for_bookings`). `email=False` when the
    candidate is not written to."""
    sessions = list(interview.sessions.select_related("calendar_connection"))
    coming, apart = [], []
    vendors = sorted({s.calendar_connection.vendor for s in sessions if s.calendar_connection})
    if vendors:
        events = "the calendar events" if len(sessions) > 1 else "the calendar event"
        coming.append(_EVENTS_FOLLOW[change].format(events=events, vendors=_names(vendors)))
    homeless = [s.title for s in sessions if s.calendar_connection is None]
    if homeless and change == "booked":
        apart.append(
            f"No calendar event for {_names(f'“{t}”' for t in homeless)}: no interviewer on "
            "it has a connected calendar."
        )
    ats = interview.application.connection
    held = {s.ats_record for s in sessions} - {""}
    record = next(iter(held)) if len(held) == 1 else ats.ats_record_for_bookings()
    why = ats.ats_record_words(record)[1]
    if record == "unavailable":
        if change == "booked":
            apart.append(f"Nothing is written to {ats.vendor}: {why}.")
    else:
        follows = _ATS_FOLLOWS[change, record].format(vendor=ats.vendor)
        if change == "booked" and not held and not ats.knows("interview_write"):
            # Nothing written to this ATS yet: whether it takes interviews is not known.
            why = (
                f"or a note on the application, if {ats.vendor} does not accept interviews "
                "from Convene"
            )
        if len(sessions) > 1:  # one ATS interview, or one note, per session
            follows = follows.replace("the interview in", "the interviews in").replace(
                "a note on the application", "a note per session on the application"
            )
        coming.append(follows + (f" ({why})" if why else ""))
    candidate = interview.application.candidate
    if email and candidate.email:
        coming.append(_EMAIL_FOLLOWS[change].format(email=candidate.email))
    elif email and change == "booked":
        apart.append(f"No confirmation: {candidate} has no email address in the ATS.")
    text = f"In a moment: {_names(coming)}." if coming else ""
    return " ".join([text, *apart]).strip()


def _count(n, one, many):
    return f"{n} {one if n == 1 else many}"


def written_per_connection(tenant, since):
    """What each of the tenant's connections received of the sessions booked since `since`,
    in words (Sync problems): [("Lever", "4 sessions as notes on the candidates’ applications
    (Lever does not accept interviews from Convene)"), ("Microsoft Outlook", "4 calendar events"),
    ("Email", "4 sent")]. The counts are what the write-back recorded on each session, so
    they say what really happened."""
    sessions = InterviewSession.objects.filter(
        interview__tenant=tenant, interview__created_at__gte=since
    )
    shown = {
        "interview": ("session as an interview", "sessions as interviews"),
        "activity": (
            "session as a note on the candidate’s application",
            "sessions as notes on the candidates’ applications",
        ),
        "unavailable": ("session not recorded", "sessions not recorded"),
    }
    lines = []
    active = tenant.connections.filter(status="active").select_related("interviewer")
    for conn in active.order_by("category", "connected_at"):
        name = conn.vendor + (f" ({conn.interviewer.name}’s own)" if conn.interviewer else "")
        if conn.category == "ats":
            counts = dict(
                sessions.filter(interview__application__connection=conn)
                .values_list("ats_record")
                .annotate(n=Count("pk"))
            )
            parts = []
            for record, (one, many) in shown.items():
                if counts.get(record):
                    why = conn.ats_record_words(record)[1]
                    parts.append(_count(counts[record], one, many) + (f" ({why})" if why else ""))
            if not parts:
                what, why = conn.ats_record_words(conn.ats_record_for_bookings())
                parts.append(
                    f"nothing yet; a booking becomes {what}" + (f" ({why})" if why else "")
                )
            lines.append((name, "; ".join(parts)))
        else:
            events = sessions.filter(calendar_connection=conn).exclude(event_id="").count()
            lines.append((name, _count(events, "calendar event", "calendar events")))
    sent = Operation.objects.filter(
        tenant=tenant, kind=Kind.SEND_EMAIL, status=Operation.Status.DONE, done_at__gte=since
    ).count()
    lines.append(("Email", f"{sent} sent"))
    return lines


def note_ref(pk):
    """What Convene puts on the last line of a note it writes (for an operation, or for
    feedback), to find the note again after an unclear failure: short, and out of the prose
    ("Ref: cv-1a2b3c4d5e"). Unique enough within one application's notes, which is where it
    is looked for."""
    return f"Ref: cv-{pk.hex[:10]}"


def activity_marker(op):
    return note_ref(op.pk)


def _note(application, title, lines, ats_interview_id=""):
    """A note on the application in the ATS (its paragraphs `lines`), on the ATS interview
    when Convene holds one: every note Convene writes is made here."""
    return records.Activity(
        type="NOTE",
        title=title,
        description="\n\n".join(lines),
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
        interview_id=ats_interview_id or None,
    )


def _activity_record(session, title, op=None):
    """The note an ATS that takes no interviews gets: what, with whom and when (on the
    team's clock, its zone named), who booked it, as a recruiter would write it; the marker
    that finds it again on a last line of its own."""
    interview = session.interview
    application = interview.application
    people = _names(
        a.interviewer.name
        for a in session.attendees.filter(active=True)
        .select_related("interviewer")
        .order_by("interviewer__name")
    )
    when = _when_for_people(session.start_at, session.end_at, interview.tenant.default_timezone)
    lines = [f"{session.title}" + (f" with {people}" if people else "") + f": {when}."]
    if op is not None and op.kind == Kind.CREATE_ATS_INTERVIEW:
        if interview.source == interview.Source.CANDIDATE:
            lines.append("Booked by the candidate, from their booking link.")
        elif interview.created_by is not None:
            lines.append(f"Booked by {interview.created_by}.")
    if op is not None:
        lines.append(activity_marker(op))
    return _note(application, title, lines)


def _fallback_to_activity(client, conn, session, title, op=None):
    """The ATS takes no interviews: leave a note on the application instead, or, if it takes
    no notes either, record that the ATS holds nothing (the recruiter sees it).

    With `op`, the note carries the operation's marker, and a retry after an unclear failure
    first looks for the note an earlier attempt may have left (as for events)."""
    if not conn.can("activity_write"):
        return _nothing_in_ats(session)
    marker = activity_marker(op) if op is not None else ""
    if marker and unclear(op):
        # Notes written before the marker was shortened carry "convene-op:<id>".
        markers = (marker, f"convene-op:{op.pk}")
        application = session.interview.application
        for existing in client.list_activities(
            conn.unified_id, application_id=application.remote_id
        ):
            if any(m in (existing.description or "") for m in markers):
                _remember_activity(session, conn)
                return {"ats_record": "activity", "found_existing": True}
    try:
        client.create_activity(conn.unified_id, _activity_record(session, title, op))
    except NotSupportedError:
        note_capability(conn, "activity_write", False)
        return _nothing_in_ats(session)
    _remember_activity(session, conn)
    return {"ats_record": "activity"}


def _remember_activity(session, conn):
    session.ats_record = InterviewSession.AtsRecord.ACTIVITY
    session.save(update_fields=["ats_record"])
    note_success(conn)


def _nothing_in_ats(session):
    session.ats_record = InterviewSession.AtsRecord.UNAVAILABLE
    session.save(update_fields=["ats_record"])
    return {"ats_record": "unavailable"}


@outbox.handles(Kind.CREATE_ATS_INTERVIEW, Kind.UPDATE_ATS_INTERVIEW, Kind.CANCEL_ATS_INTERVIEW)
def sync_ats_interview(op):
    """Bring the session's ATS interview (or, for an ATS that takes none, its notes) to what
    the session is now."""
    session = op.session
    conn = _ats_of(op)
    if session.ats_record == InterviewSession.AtsRecord.UNAVAILABLE:
        return {"skipped": True, "why": "the ATS holds no interview for this session"}
    if session.ats_record == InterviewSession.AtsRecord.ACTIVITY:
        return _note_change(op, conn, session)
    if session.interview.is_active:
        if session.ats_record == InterviewSession.AtsRecord.INTERVIEW:
            return _update_ats_interview(op, conn, session)
        return _create_ats_interview(op, conn, session)
    if session.ats_record != InterviewSession.AtsRecord.INTERVIEW and unclear(op):
        # Canceled while an unclear create was under way: adopt what it made, to cancel it.
        found = _find_ats_interview(unified(), conn, session)
        if found is not None:
            _remember_ats_interview(session, conn, found, found=True)
    if session.ats_record == InterviewSession.AtsRecord.INTERVIEW and session.ats_interview_id:
        return _cancel_ats_interview(conn, session)
    return {"skipped": True, "why": "the interview was canceled before the ATS held it"}


def _note_change(op, conn, session):
    """An ATS that takes no interviews keeps a note per change; which note, the operation
    says (a create's was written when the interview was booked)."""
    title = {
        Kind.CREATE_ATS_INTERVIEW: "Interview scheduled by Convene",
        Kind.UPDATE_ATS_INTERVIEW: "Interview moved by Convene",
        Kind.CANCEL_ATS_INTERVIEW: "Interview canceled in Convene",
    }[op.kind]
    canceled = not session.interview.is_active
    if op.payload.get("status"):
        return {"skipped": True, "why": "a note has no status to change"}
    if op.kind == Kind.CREATE_ATS_INTERVIEW or canceled != (op.kind == Kind.CANCEL_ATS_INTERVIEW):
        return {"skipped": True, "why": "the ATS's note for this session says so already"}
    return _fallback_to_activity(unified(), conn, session, title, op)


def _find_ats_interview(client, conn, session):
    """The ATS interview an earlier attempt may have created: it points at the session's
    event, or (when the event could not be written) has no event and the session's times."""
    application = session.interview.application
    for existing in client.list_interviews(conn.unified_id, application_id=application.remote_id):
        same = (
            existing.external_event_xref == session.event_id
            if session.event_id
            else not existing.external_event_xref
            and (existing.start_at, existing.end_at) == (session.start_at, session.end_at)
        )
        if same:
            return existing
    return None


def _create_ats_interview(op, conn, session):
    client = unified()
    if not conn.can("interview_write"):
        return _fallback_to_activity(client, conn, session, "Interview scheduled by Convene", op)
    if unclear(op):
        # As for events: adopt what an earlier attempt created.
        existing = _find_ats_interview(client, conn, session)
        if existing is not None:
            _remember_ats_interview(session, conn, existing, found=True)
            return _update_ats_interview(op, conn, session, found=True)
    try:
        created = client.create_interview(conn.unified_id, _interview_record(session))
    except NotSupportedError:
        note_capability(conn, "interview_write", False)
        return _fallback_to_activity(client, conn, session, "Interview scheduled by Convene", op)
    return _remember_ats_interview(session, conn, created)


def _remember_ats_interview(session, conn, record, found=False):
    if not conn.knows("interview_write"):
        # The banner of the next booking says "the interview" without "or a note".
        note_capability(conn, "interview_write", True)
    session.ats_interview_id = record.id or ""
    session.ats_record = InterviewSession.AtsRecord.INTERVIEW
    session.ats_seen_updated_at = record.updated_at
    session.save(update_fields=["ats_interview_id", "ats_record", "ats_seen_updated_at"])
    load.forget_convene_seats(session)
    note_success(conn)
    return {"ats_interview_id": record.id, **({"found_existing": True} if found else {})}


def _update_ats_interview(op, conn, session, found=False):
    # The status is the one the session calls for now (`ats_status`), not the one queued: an
    # AWAITING_FEEDBACK retried after the last feedback came in must not undo COMPLETE.
    record = _interview_record(session)
    updated = unified().update_interview(conn.unified_id, session.ats_interview_id, record)
    session.ats_seen_updated_at = updated.updated_at
    session.save(update_fields=["ats_seen_updated_at"])
    note_success(conn)
    result = {"ats_interview_id": updated.id, **({"found_existing": True} if found else {})}
    return {**result, **({"status": record.status} if op.payload.get("status") else {})}


def _cancel_ats_interview(conn, session):
    client = unified()
    try:
        client.update_interview(
            conn.unified_id, session.ats_interview_id, _interview_record(session, "CANCELED")
        )
    except NotFoundError:
        return {"already_gone": True}
    except NotSupportedError:
        # Some ATSs let Unified read and delete interviews, not change them.
        try:
            client.remove_interview(conn.unified_id, session.ats_interview_id)
        except NotFoundError:
            return {"already_gone": True}
        note_success(conn)
        return {"removed": True}
    note_success(conn)
    return {"status": "CANCELED"}


# --- attendance -------------------------------------------------------------------------------


def _attendance_note(session, op):
    """The note on the application that says who did not attend the session (or that an
    earlier mark was cleared), as a recruiter would write it, with its marker."""
    interview = session.interview
    application = interview.application
    when = _when_for_people(session.start_at, session.end_at, interview.tenant.default_timezone)
    marks = list(session.no_shows.select_related("interviewer"))
    if any(m.is_candidate for m in marks):
        title, said = f"Candidate did not attend: {session.title}", "The candidate did not attend."
    elif marks:
        names = _names(m.interviewer.name for m in marks)
        title = f"Interviewer did not attend: {session.title}"
        said = f"{names} did not attend; the others held the interview."
    else:
        title = f"Attendance corrected: {session.title}"
        said = "Everyone attended: an earlier mark that someone did not was cleared in Convene."
    marked = next((m for m in marks if m.marked_by_label), None)
    lines = [f"{session.title}: {when}.", said]
    if marked is not None:
        lines.append(f"Marked in Convene by {marked.marked_by_label}.")
    lines.append(activity_marker(op))
    return _note(application, title, lines, session.ats_interview_id)


@outbox.handles(Kind.NOTE_ATTENDANCE)
def note_attendance(op):
    """A note on the application saying who did not attend the session (its ATS
    interview's status is `sync_ats_interview`'s): where the ATS takes notes."""
    session = op.session
    conn = _ats_of(op)
    if not conn.can("activity_write"):
        return {"skipped": True, "why": f"{conn.vendor} takes no notes from Convene"}
    client = unified()
    marker = activity_marker(op)
    if unclear(op):
        application = session.interview.application
        for existing in client.list_activities(
            conn.unified_id, application_id=application.remote_id
        ):
            if marker in (existing.description or ""):
                note_success(conn)
                return {"note": existing.id, "found_existing": True}
    try:
        note = client.create_activity(conn.unified_id, _attendance_note(session, op))
    except NotSupportedError:
        note_capability(conn, "activity_write", False)
        return {"skipped": True, "why": f"{conn.vendor} takes no notes from Convene"}
    note_success(conn)
    return {"note": note.id}


def attendance_follows(session):
    """What the write-back is about to write of the session's attendance, per what the ATS
    takes, in words (the recruiter's banner): "In a moment: the interview in Greenhouse
    marked canceled (Unified has no “no-show” status) and a note on the application in
    Greenhouse saying who did not attend." """
    conn = session.interview.application.connection
    vendor = conn.vendor
    coming = []
    if session.ats_record == InterviewSession.AtsRecord.INTERVIEW:
        status = ats_status(session) or "SCHEDULED"
        words = status.replace("_", " ").lower()
        if status == "CANCELED":
            words += " (it did not take place; the ATS has no “no-show” status)"
        coming.append(f"the interview in {vendor} marked {words}")
    if conn.can("activity_write"):
        coming.append(f"a note on the application in {vendor} saying who did not attend")
    if not coming:
        why = "it takes neither interviews nor notes from Convene"
        return f"Nothing is written to {vendor}: {why}."
    return f"In a moment: {_names(coming)}."


def attendance_written(session):
    """What the ATS holds of the session's attendance, in words, for the interview page:
    "Recorded in Greenhouse as canceled, with a note on the application" / "Added a note on
    the application in Lever" / "Being written to Greenhouse"; empty when nothing is owed."""
    ops = [
        op
        for op in Operation.objects.filter(
            session=session, kind__in=[Kind.NOTE_ATTENDANCE, Kind.UPDATE_ATS_INTERVIEW]
        ).order_by("-created_at")
        # The updates that carry a status (a no-show's, feedback's), not a move's.
        if op.kind == Kind.NOTE_ATTENDANCE or (op.payload or {}).get("status")
    ]
    if not any(op.kind == Kind.NOTE_ATTENDANCE for op in ops):
        return ""
    conn = session.interview.application.connection
    vendor = conn.vendor
    newest = {}
    for op in ops:
        newest.setdefault(op.kind, op)
    finished = (Operation.Status.DONE, Operation.Status.SKIPPED)
    unfinished = [op for op in newest.values() if op.status not in finished]
    if any(op.status == Operation.Status.FAILED for op in unfinished):
        return f"Not written to {vendor} yet: see “Not written yet” above."
    if unfinished:
        return f"Being written to {vendor}…"
    note = newest.get(Kind.NOTE_ATTENDANCE)
    noted = note is not None and note.status == Operation.Status.DONE
    noted = noted and not (note.result or {}).get("skipped")
    update = newest.get(Kind.UPDATE_ATS_INTERVIEW)
    status = (update.result or {}).get("status") if update is not None else None
    if status == "CANCELED":
        words = (
            f"Recorded in {vendor}: the interview as canceled ({vendor} has no “did not attend” "
            "that Convene can set)"
        )
        return words + (
            ", and a note on the application saying who did not attend." if noted else "."
        )
    if status:
        words = f"Recorded in {vendor}: the interview as {status.replace('_', ' ').lower()}"
        return words + (
            ", and a note on the application saying who did not attend." if noted else "."
        )
    if noted:
        return f"Added a note on the application in {vendor}."
    return f"Nothing written to {vendor}: it takes neither interviews nor notes from Convene."


# --- scorecards -------------------------------------------------------------------------------


def _scorecard_answer(row):
    rating = f"{row['rating']}/4 ({row['rating_label']})" if row["rating"] else "Not rated"
    return f"{rating}. {row['comment']}".strip() if row["comment"] else rating


def _scorecard_comment(feedback):
    return "\n\n".join(
        part for part in (feedback.note.strip(), f"Filed by Convene ({feedback.ref}).") if part
    )


def _scorecard_record(feedback):
    session = feedback.session
    application = feedback.interview.application
    has_interview = (
        session.ats_record == InterviewSession.AtsRecord.INTERVIEW and session.ats_interview_id
    )
    return records.Scorecard(
        interview_id=session.ats_interview_id if has_interview else None,
        application_id=application.remote_id,
        candidate_id=application.candidate.remote_id,
        job_id=application.job.remote_id if application.job else None,
        interviewer_id=feedback.interviewer.ats_user_id,
        recommendation=feedback.recommendation,
        comment=_scorecard_comment(feedback),
        questions=tuple(
            records.ScorecardQuestion(text=row["text"], answer=_scorecard_answer(row))
            for row in feedback.rows()
        ),
    )


def _scorecard_note(feedback):
    """The scorecard as a note on the application, for an ATS that takes no scorecards."""
    application = feedback.interview.application
    session = feedback.session
    when = _when_for_people(
        session.start_at, session.end_at, feedback.interview.tenant.default_timezone
    )
    lines = [
        f"{session.title}: {when}.",
        f"Recommendation: {feedback.get_recommendation_display()}.",
    ]
    lines += [f"{row['text']}: {_scorecard_answer(row)}" for row in feedback.rows()]
    if feedback.note.strip():
        lines.append(feedback.note.strip())
    lines.append(note_ref(feedback.pk))
    title = f"Interview feedback from {feedback.interviewer.name}"
    return _note(application, title, lines, feedback.session.ats_interview_id)


def _remember_filing(feedback, conn, kind, record_id="", found=False):
    feedback.ats_record = kind
    feedback.ats_record_id = record_id or ""
    feedback.save(update_fields=["ats_record", "ats_record_id"])
    if kind != FeedbackRequest.AtsRecord.UNAVAILABLE:
        note_success(conn)
    return {"ats_record": kind, "id": record_id, **({"found_existing": True} if found else {})}


def _scorecard_as_note(client, conn, feedback, unclear):
    """No scorecards in this ATS (or no ATS user for the interviewer): a note on the
    application instead, or, if it takes no notes either, nothing (the recruiter sees it)."""
    if not conn.can("activity_write"):
        return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.UNAVAILABLE)
    application = feedback.interview.application
    if unclear:
        for existing in client.list_activities(
            conn.unified_id, application_id=application.remote_id
        ):
            # Notes filed before the short ref carry the long one.
            description = existing.description or ""
            if note_ref(feedback.pk) in description or feedback.ref in description:
                return _remember_filing(
                    feedback, conn, FeedbackRequest.AtsRecord.ACTIVITY, existing.id, found=True
                )
    try:
        note = client.create_activity(conn.unified_id, _scorecard_note(feedback))
    except NotSupportedError:
        note_capability(conn, "activity_write", False)
        return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.UNAVAILABLE)
    return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.ACTIVITY, note.id)


def _find_scorecard(client, conn, feedback, record):
    """The scorecard an earlier attempt may have created: same interviewer, our ref."""
    if record.interview_id:
        found = client.list_scorecards(conn.unified_id, interview_id=record.interview_id)
    else:
        found = client.list_scorecards(conn.unified_id, application_id=record.application_id)
    for existing in found:
        if existing.interviewer_id == record.interviewer_id and feedback.ref in (
            existing.comment or ""
        ):
            return existing
    return None


@outbox.handles(Kind.CREATE_SCORECARD)
def create_scorecard(op):
    feedback = FeedbackRequest.objects.select_related(
        "interviewer",
        "session",
        "interview__application__candidate",
        "interview__application__job",
        "trainee__program",
    ).get(pk=op.payload["feedback_request"])
    if feedback.ats_record:
        return {"ats_record": feedback.ats_record, "already_done": True}
    if not feedback.goes_to_ats:
        return {"skipped": True, "why": "training feedback stays in Convene"}
    conn = _ats_of(op)
    client = unified()
    # An earlier attempt may have created it and lost the answer.
    doubtful = unclear(op)
    if not conn.can("scorecard_write") or not feedback.interviewer.ats_user_id:
        return _scorecard_as_note(client, conn, feedback, doubtful)
    record = _scorecard_record(feedback)
    if doubtful:
        existing = _find_scorecard(client, conn, feedback, record)
        if existing is not None:
            return _remember_filing(
                feedback, conn, FeedbackRequest.AtsRecord.SCORECARD, existing.id, found=True
            )
    try:
        created = client.create_scorecard(conn.unified_id, record)
    except NotSupportedError:
        note_capability(conn, "scorecard_write", False)
        return _scorecard_as_note(client, conn, feedback, doubtful)
    return _remember_filing(feedback, conn, FeedbackRequest.AtsRecord.SCORECARD, created.id)


# --- email ------------------------------------------------------------------------------------


@outbox.sends("interview_confirmed", "interview_rescheduled", "interview_canceled")
def send_to_candidate(op):
    kind = op.payload["kind"]
    interview = op.interview
    if kind != "interview_canceled" and not interview.is_active:
        return {"skipped": True, "why": "the interview was canceled since"}
    sent = emails.interview_to_candidate(interview, kind, **op.payload.get("extra", {}))
    if sent is None:
        return _unsent(interview)
    if kind in TOLD_BY:
        _told(interview.sessions.all())
    return {"sent_email": str(sent.pk)}


def _unsent(interview):
    if interview.application.candidate.emails:
        why = "the ATS's email address for the candidate is not one Convene can send to"
        return {"skipped": True, "unsent": True, "why": why}
    return {"skipped": True, "unsent": True, "why": "the candidate has no email address"}


def _told(sessions):
    """Remember the link each session's email carried: a follow-up is for a new one."""
    for session in sessions:
        link = where.session_link(session)
        if link != session.link_told:
            session.link_told = link
            session.save(update_fields=["link_told"])


@outbox.sends("meeting_link")
def send_link(op):
    """The video links the candidate was not given yet (the calendar made them after the
    confirmation went): only those, and never one they have."""
    interview = op.interview
    if not interview.is_active:
        return {"skipped": True, "why": "the interview was canceled since"}
    sessions = [
        s
        for s in interview.sessions.select_related("calendar_connection", "organizer")
        if where.session_link(s) and where.session_link(s) != s.link_told
    ]
    if not sessions:
        return {"skipped": True, "why": "the candidate has every link already"}
    sent = emails.links_to_candidate(interview, sessions)
    if sent is None:
        return _unsent(interview)
    _told(sessions)
    return {"sent_email": str(sent.pk)}


@outbox.sends("interviewer_invitation")
def send_invitation(op):
    """An interviewer's own invitation (or cancellation) for a session whose calendar does
    not invite its attendees (booking.invite_interviewers queues it)."""
    person = Interviewer.objects.filter(tenant=op.tenant, pk=op.payload["interviewer"]).first()
    if person is None or not person.email:
        return {"skipped": True, "unsent": True, "why": "the interviewer has no email address"}
    canceled = op.payload.get("canceled", False)
    if not canceled:
        seated = op.session.attendees.filter(active=True, interviewer=person).exists()
        if not op.interview.is_active or not seated:
            return {"skipped": True, "why": "they no longer sit on this session"}
    sent = emails.session_to_interviewer(
        op.session,
        person,
        canceled=canceled,
        # Whatever released the seat (a swap, a move, a cancellation) raised the sequence.
        sequence=op.interview.ics_sequence,
        notes=event_notes(op.session),
    )
    return {"sent_email": str(sent.pk)}
