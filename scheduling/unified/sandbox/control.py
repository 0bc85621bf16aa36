"""The sandbox's own endpoints under /sandbox/ (no auth: a local dev tool), and the page.

Read and steer the sandbox:
  GET  /sandbox/info                     base URL, workspace, connections, seed, faults
  GET  /sandbox/faults · POST /sandbox/faults   read / change fault knobs (faults.py)
  POST /sandbox/reset                    reseed (JSON may set anchor_date, seed_size), drop
                                         webhooks, deliveries and stats, restore faults
  GET  /sandbox/stats · DELETE /sandbox/stats   Unified API request counts / zero them
  GET  /sandbox/deliveries[?webhook_id=&since_id=] · DELETE   the webhook delivery log
  POST /sandbox/wait-deliveries          wait until no delivery is queued (JSON: timeout)

Act as a person in the vendor's UI (each change fires the matching webhooks):
  POST /sandbox/events/{cid}/{event_id}/move      start_at (ISO), or date + time (local to
                                                  the event's zone); the duration is kept
  POST /sandbox/events/{cid}/{event_id}/edit      subject, notes, location, status, is_free
  POST /sandbox/events/{cid}/{event_id}/respond   email, status (ACCEPTED/REJECTED/TENTATIVE,
                                                  empty to clear)
  POST /sandbox/events/{cid}/{event_id}/cancel    status → CANCELED
  POST /sandbox/events/{cid}/{event_id}/delete
  POST /sandbox/applications/{cid}/{app_id}/status   status or original_status
  POST /sandbox/interviews/{cid}/{id}/move        start_at (ISO), or date + time (UTC): an
                                                  ATS interview moved in the vendor's own
                                                  page; the duration is kept
  POST /sandbox/interviews/{cid}                  (JSON) schedule an interview as a
                                                  recruiter does in the vendor's own page:
                                                  the fields of an API create, checked the
                                                  same way, also where Unified's API cannot
                                                  create one (Lever)
  POST /sandbox/candidates/{cid}                  (JSON) add a candidate, and
  POST /sandbox/applications/{cid}                (JSON) put one in a job's pipeline, as a
                                                  recruiter does in the ATS: the fields and
                                                  checks of an API create, whatever the
                                                  connection was granted
  POST /sandbox/calendars/{cid}/clear             emails, start_at, end_at: delete every
                                                  event in the window that is on those
                                                  people's calendars or invites them (a
                                                  free stretch a test can rely on)
  POST /sandbox/interviews/{cid}/clear            emails, start_at, end_at: delete every
                                                  ATS interview in the window naming those
                                                  people as interviewers
  POST /sandbox/records/{cid}/{object_type}/{id}     merge raw fields, unchecked (tests)
  POST /sandbox/records/{cid}/{object_type}/{id}/delete

Each takes JSON or an HTML form. JSON gets `{"record": …, "deliveries": [ids]}`; a form gets
a 303 back to its `next` page with a message saying how the webhook delivery went.
"""

import datetime as dt
import re

from . import ats, calendars, common, connect, events, pages
from .integrations import INTEGRATIONS
from .store import GLOBAL, format_instant, public
from .web import ApiError, Response, json_response, redirect, with_query

LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="{color}"/><text x="32" y="41" font-size="24"
font-family="sans-serif" font-weight="bold" fill="#fff" text-anchor="middle">{text}</text></svg>"""


def dispatch(sb, req):
    path = req.path
    if path == "/":
        return pages.home(sb, req)
    for pattern, methods, handler in ROUTES:
        m = re.fullmatch(pattern, path)
        if m:
            if req.method not in methods:
                raise ApiError(405, f"{req.method} is not allowed on {path}")
            return handler(sb, req, *m.groups())
    raise ApiError(404, f"no such sandbox page: {path}")


def info(sb, req):
    connections = sb.store.query(GLOBAL, "unified_connection")
    return json_response(
        {
            "base_url": req.host_url,
            "workspace_id": sb.workspace_id,
            "seed": sb.store.meta("seed"),
            "connections": [public(c) for c in connections],
            "faults": sb.faults.as_dict(),
        }
    )


def faults(sb, req):
    if req.method == "POST":
        body = req.payload()
        if body.get("clear"):
            sb.faults.reset()
        sb.faults.update({k: v for k, v in body.items() if k != "clear"})
        if req.is_form:
            return redirect(with_query(_next(req), {"msg": "Fault knobs updated."}), 303)
    return json_response(sb.faults.as_dict())


def reset(sb, req):
    body = req.payload()
    anchor = body.get("anchor_date")
    size = body.get("seed_size")
    try:
        anchor = dt.date.fromisoformat(anchor) if anchor else None
        size = int(size) if size not in (None, "") else None
    except (TypeError, ValueError):
        raise ApiError(400, "anchor_date must be YYYY-MM-DD and seed_size a number") from None
    sb.reset(anchor_date=anchor, seed_size=size)
    if req.is_form:
        return redirect(with_query(_next(req), {"msg": "Sandbox reset and reseeded."}), 303)
    return json_response({"ok": True, "seed": sb.store.meta("seed")})


def stats(sb, req):
    if req.method == "DELETE":
        sb.stats.clear()
    return json_response(sb.stats.as_dict())


def deliveries(sb, req):
    if req.method == "DELETE":
        sb.deliveries.clear()
        return json_response([])
    since = int(req.arg("since_id") or 0)
    return json_response(sb.deliveries.entries(webhook_id=req.arg("webhook_id"), since_id=since))


def wait_deliveries(sb, req):
    timeout = float(req.payload().get("timeout") or 10)
    return json_response({"idle": sb.deliveries.wait_idle(timeout)})


def logo(sb, req, integration_type):
    integration = INTEGRATIONS.get(integration_type)
    if integration is None:
        raise ApiError(404, "no such logo")
    text = "".join(w[0] for w in integration.name.split()[:2]).upper()
    body = LOGO.format(color=integration.color, text=text)
    return Response(200, body, [("Content-Type", "image/svg+xml")])


def consent(sb, req, workspace_id, integration_type):
    return connect.consent(sb, req, workspace_id, integration_type)


# --- acting on records ------------------------------------------------------------------------


def _ctx(sb, req, cid, category):
    connection = sb.store.get(GLOBAL, "unified_connection", cid)
    if connection is None:
        raise ApiError(404, f"connection {cid} not found")
    if category not in connection.get("categories", ()):
        raise ApiError(400, f"connection {cid} is not a {category} connection")
    return common.Ctx(sb, req, connection, INTEGRATIONS[connection["integration_type"]])


def _next(req):
    target = req.form().get("next", "/") if req.is_form else "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _finish(sb, req, before, record, message):
    """JSON: the record and the deliveries it queued. Form: back to the page, saying how
    the webhook deliveries went (waiting briefly for their first attempt)."""
    if not req.is_form:
        ids = [e["id"] for e in sb.deliveries.entries(since_id=before)]
        return json_response({"record": record, "deliveries": ids})
    entries = sb.deliveries.wait_attempted(before, timeout=3.0)
    if not entries:
        message += " No webhook is subscribed to this change."
    for entry in entries:
        attempt = entry["attempts"][-1] if entry["attempts"] else None
        outcome = (
            "still queued"
            if attempt is None
            else f"→ {attempt['status_code']}"
            if attempt["status_code"]
            else f"failed ({attempt['error']})"
        )
        message += (
            f" Webhook {entry['object_type']} {entry['event']} to {entry['hook_url']} "
            f"delivered {outcome}."
        )
    return redirect(with_query(_next(req), {"msg": message}), 303)


def _event(ctx, event_id):
    doc = ctx.get("calendar_event", event_id)
    if doc is None:
        raise ApiError(404, f"CalendarEvent {event_id} not found")
    return doc


def _update_event(ctx, event_id, changes):
    store = ctx.store
    with store.transaction():
        existing = _event(ctx, event_id)
        doc = calendars.write_event(ctx, changes, existing)
        saved = store.update(ctx.cid, "calendar_event", doc, span=calendars.event_span(ctx, doc))
    return saved


def event_action(sb, req, cid, event_id, action):
    ctx = _ctx(sb, req, cid, "calendar")
    body = req.payload()
    before = sb.deliveries.last_id
    existing = _event(ctx, event_id)
    subject = existing.get("subject") or "(no subject)"
    if action == "move":
        changes, where = _moved_times(existing, body)
        saved = _update_event(ctx, event_id, changes)
        message = f"Moved “{subject}” to {where}."
    elif action == "edit":
        changes = {
            k: v
            for k, v in body.items()
            if k in ("subject", "notes", "location", "status", "is_free") and v is not None
        }
        if isinstance(changes.get("is_free"), str):
            changes["is_free"] = changes["is_free"].lower() in ("1", "true", "on", "yes")
        saved = _update_event(ctx, event_id, changes)
        message = f"Updated “{saved.get('subject')}”."
    elif action == "respond":
        email = (body.get("email") or "").strip().lower()
        status = body.get("status") or None
        if status not in (None, *events.ATTENDEE_STATUSES):
            raise ApiError(400, "status must be ACCEPTED, REJECTED or TENTATIVE")
        attendees = [dict(a) for a in existing.get("attendees") or ()]
        found = False
        for attendee in attendees:
            if (attendee.get("email") or "").lower() == email:
                found = True
                attendee.pop("status", None)
                if status:
                    attendee["status"] = status
        if not found:
            raise ApiError(400, f"{email or 'that person'} is not an attendee of this event")
        saved = _update_event(ctx, event_id, {"attendees": attendees})
        message = f"{email} answered {status or 'nothing'} to “{subject}”."
    elif action == "cancel":
        saved = _update_event(ctx, event_id, {"status": "CANCELED"})
        message = f"Canceled “{subject}”."
    elif action == "delete":
        calendars.delete_event(ctx, existing)
        saved = sb.store.delete(cid, "calendar_event", event_id)
        message = f"Deleted “{subject}”."
    else:
        raise ApiError(404, f"no such action: {action}")
    return _finish(sb, req, before, public(saved), message)


def _moved_times(existing, body):
    tz = events.zone(existing.get("timezone"))
    if existing.get("is_all_day"):
        first = dt.date.fromisoformat(existing["start_at"][:10])
        after = dt.date.fromisoformat(existing["end_at"][:10])
        raw = body.get("date") or (body.get("start_at") or "")[:10]
        try:
            new_first = dt.date.fromisoformat(raw)
        except ValueError:
            raise ApiError(400, "date must be YYYY-MM-DD") from None
        new_after = new_first + (after - first)
        changes = {"start_at": new_first.isoformat(), "end_at": new_after.isoformat()}
        return changes, new_first.isoformat()
    start = events.parse_instant(existing["start_at"])
    length = events.parse_instant(existing["end_at"]) - start
    try:
        if body.get("start_at"):
            new_start = events.parse_instant(body["start_at"], tz)
        else:
            day = dt.date.fromisoformat(body.get("date") or "")
            hour, minute = (int(x) for x in (body.get("time") or "").split(":")[:2])
            new_start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    except (ValueError, TypeError):
        raise ApiError(
            400, "give start_at (ISO-8601) or date (YYYY-MM-DD) and time (HH:MM)"
        ) from None
    new_start = new_start.astimezone(dt.UTC)
    changes = {"start_at": format_instant(new_start), "end_at": format_instant(new_start + length)}
    local = new_start.astimezone(tz).strftime("%a %d %b %H:%M")
    return changes, f"{local} ({tz.key})"


def application_status(sb, req, cid, application_id):
    ctx = _ctx(sb, req, cid, "ats")
    body = req.payload()
    changes = {k: body[k] for k in ("status", "original_status") if body.get(k)}
    if not changes:
        raise ApiError(400, "give status or original_status")
    before = sb.deliveries.last_id
    store = sb.store
    with store.transaction():
        existing = ctx.get("ats_application", application_id)
        if existing is None:
            raise ApiError(404, f"AtsApplication {application_id} not found")
        doc = ats.write_application(ctx, changes, existing)
        saved = store.update(cid, "ats_application", doc)
    message = (
        f"Application {application_id} is now {saved['status']} ({saved['original_status']})."
    )
    return _finish(sb, req, before, public(saved), message)


def vendor_interview(sb, req, cid):
    """An interview scheduled in the vendor's own UI: Convene sees it as it sees any
    interview the recruiter made without it, even on a vendor whose API cannot create one."""
    ctx = _ctx(sb, req, cid, "ats")
    before = sb.deliveries.last_id
    doc = ats.write_interview(ctx, req.payload(), None)
    saved = sb.store.insert(cid, "ats_interview", doc)
    message = f"Scheduled interview {saved['id']} for application {saved['application_id']}."
    return _finish(sb, req, before, public(saved), message)


def move_ats_interview(sb, req, cid, interview_id):
    """A recruiter moves an interview in the ATS's own page (the calendar is not told: the
    ATS has no calendar of its own)."""
    ctx = _ctx(sb, req, cid, "ats")
    before = sb.deliveries.last_id
    store = sb.store
    with store.transaction():
        existing = ctx.get("ats_interview", interview_id)
        if existing is None:
            raise ApiError(404, f"AtsInterview {interview_id} not found")
        if not existing.get("start_at") or not existing.get("end_at"):
            raise ApiError(400, "this interview has no time to move")
        changes, where = _moved_times({**existing, "timezone": "UTC"}, req.payload())
        doc = ats.write_interview(ctx, changes, existing)
        saved = store.update(cid, "ats_interview", doc)
    return _finish(sb, req, before, public(saved), f"Moved interview {interview_id} to {where}.")


def vendor_record(sb, req, cid, object_type):
    """A candidate or an application added in the ATS's own UI: checked like an API create,
    announced by the same webhooks; Convene's granted permissions do not matter here."""
    writers = {"ats_candidate": ats.write_candidate, "ats_application": ats.write_application}
    ctx = _ctx(sb, req, cid, "ats")
    before = sb.deliveries.last_id
    doc = writers[object_type](ctx, req.payload(), None)
    saved = sb.store.insert(cid, object_type, doc)
    return _finish(sb, req, before, public(saved), f"Added {object_type} {saved['id']}.")


def _clear_window(req):
    """(emails, start, end) of a clear request, checked."""
    body = req.payload()
    emails = body.get("emails")
    if not isinstance(emails, list) or not emails or not all(isinstance(e, str) for e in emails):
        raise ApiError(400, "emails must be a non-empty list of addresses")
    try:
        start = events.parse_instant(body.get("start_at"))
        end = events.parse_instant(body.get("end_at"))
    except ValueError:
        raise ApiError(400, "start_at and end_at must be ISO-8601 instants") from None
    if end <= start:
        raise ApiError(400, "end_at must be after start_at")
    return {e.strip().lower() for e in emails}, start, end


def clear_calendars(sb, req, cid):
    """Free whole stretches of time: each deleted event fires its webhooks, as a person
    deleting them one by one would. A recurring series keeps its other occurrences."""
    ctx = _ctx(sb, req, cid, "calendar")
    wanted, start, end = _clear_window(req)
    calendar_ids = {
        c["id"]
        for c in sb.store.query(cid, "calendar_calendar")
        if (c.get("_owner_email") or "").lower() in wanted
    }
    before = sb.deliveries.last_id
    # All-day spans are stored in their calendar's zone: look a day wider, then check.
    candidates = sb.store.query(
        cid,
        "calendar_event",
        where=["kind != 'series'", "span_end > ?", "span_start < ?"],
        params=[format_instant(start - events.DAY), format_instant(end + events.DAY)],
    )
    removed = []
    for doc in candidates:
        attendees = {(a.get("email") or "").lower() for a in doc.get("attendees") or ()}
        if doc.get("calendar_id") not in calendar_ids and not attendees & wanted:
            continue
        calendar = ctx.get("calendar_calendar", doc["calendar_id"]) or {}
        first, last = events.event_span(doc, events.zone(calendar.get("timezone")))
        # An all-day event blocks a local day in the zone of whoever is asked about: any
        # zone's day that touches the window counts.
        slack = events.DAY if doc.get("is_all_day") else dt.timedelta(0)
        if last + slack <= start or first - slack >= end:
            continue
        sb.store.delete(cid, "calendar_event", doc["id"])
        removed.append(doc["id"])
    ids = [e["id"] for e in sb.deliveries.entries(since_id=before)]
    return json_response({"removed": removed, "deliveries": ids})


def clear_interviews(sb, req, cid):
    """Free whole stretches of time in the ATS: delete every interview overlapping the
    window that names one of these people (by their employee's email) as an interviewer,
    as a recruiter deleting them one by one would (each fires its webhook)."""
    _ctx(sb, req, cid, "ats")
    wanted, start, end = _clear_window(req)
    employees = {
        e["id"]
        for e in sb.store.query(cid, "hris_employee")
        if {(m.get("email") or "").lower() for m in e.get("emails") or ()} & wanted
    }
    before = sb.deliveries.last_id
    removed = []
    for doc in sb.store.query(cid, "ats_interview"):
        if not employees & set(doc.get("user_ids") or ()):
            continue
        if not doc.get("start_at") or not doc.get("end_at"):
            continue
        first = events.parse_instant(doc["start_at"])
        last = events.parse_instant(doc["end_at"])
        if last <= start or first >= end:
            continue
        sb.store.delete(cid, "ats_interview", doc["id"])
        removed.append(doc["id"])
    ids = [e["id"] for e in sb.deliveries.entries(since_id=before)]
    return json_response({"removed": removed, "deliveries": ids})


def raw_record(sb, req, cid, object_type, record_id, delete):
    """Unchecked edits for tests that need states the API would refuse."""
    store = sb.store
    before = sb.deliveries.last_id
    if delete:
        saved = store.delete(cid, object_type, record_id)
        if saved is None:
            raise ApiError(404, f"{object_type} {record_id} not found")
        return _finish(sb, req, before, public(saved), "Deleted.")
    changes = req.payload()
    with store.transaction():
        existing = store.get(cid, object_type, record_id)
        if existing is None:
            raise ApiError(404, f"{object_type} {record_id} not found")
        saved = store.update(cid, object_type, {**existing, **changes, "id": record_id})
    return _finish(sb, req, before, public(saved), "Updated.")


def calendar_page(sb, req, cid):
    return pages.calendar_page(sb, req, _ctx(sb, req, cid, "calendar"))


def ats_page(sb, req, cid):
    return pages.ats_page(sb, req, _ctx(sb, req, cid, "ats"))


SEG = r"([^/]+)"
ROUTES = [
    (r"/sandbox/info", ("GET",), info),
    (r"/sandbox/faults", ("GET", "POST"), faults),
    (r"/sandbox/reset", ("POST",), reset),
    (r"/sandbox/stats", ("GET", "DELETE"), stats),
    (r"/sandbox/deliveries", ("GET", "DELETE"), deliveries),
    (r"/sandbox/wait-deliveries", ("POST",), wait_deliveries),
    (r"/sandbox/logo/([a-z]+)\.svg", ("GET",), logo),
    (rf"/sandbox/connect/{SEG}/{SEG}", ("GET", "POST"), consent),
    (
        rf"/sandbox/events/{SEG}/{SEG}/(move|edit|respond|cancel|delete)",
        ("POST",),
        event_action,
    ),
    (rf"/sandbox/applications/{SEG}/{SEG}/status", ("POST",), application_status),
    (rf"/sandbox/interviews/{SEG}", ("POST",), vendor_interview),
    (rf"/sandbox/interviews/{SEG}/{SEG}/move", ("POST",), move_ats_interview),
    (rf"/sandbox/calendars/{SEG}/clear", ("POST",), clear_calendars),
    (rf"/sandbox/interviews/{SEG}/clear", ("POST",), clear_interviews),
    (
        rf"/sandbox/candidates/{SEG}",
        ("POST",),
        lambda sb, req, cid: vendor_record(sb, req, cid, "ats_candidate"),
    ),
    (
        rf"/sandbox/applications/{SEG}",
        ("POST",),
        lambda sb, req, cid: vendor_record(sb, req, cid, "ats_application"),
    ),
    (
        rf"/sandbox/records/{SEG}/([a-z_]+)/{SEG}",
        ("POST",),
        lambda sb, req, cid, t, rid: raw_record(sb, req, cid, t, rid, False),
    ),
    (
        rf"/sandbox/records/{SEG}/([a-z_]+)/{SEG}/delete",
        ("POST",),
        lambda sb, req, cid, t, rid: raw_record(sb, req, cid, t, rid, True),
    ),
    (rf"/sandbox/calendar/{SEG}", ("GET",), calendar_page),
    (rf"/sandbox/ats/{SEG}", ("GET",), ats_page),
]
