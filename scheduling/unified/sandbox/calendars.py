"""Calendar endpoints (docs/unified.md §7): event writes, event lists and busy blocks.
The time rules and the busy computation live in events.py."""

import json

from . import events
from .common import (
    check_bool,
    check_enum,
    check_objects,
    check_str,
    check_str_list,
    eq,
    generic_list,
    instant_param,
    keep,
    page_params,
)
from .store import format_instant, public
from .web import ApiError


def resolve_calendar(ctx, calendar_id, *, status=400):
    if not calendar_id or calendar_id == "primary":
        calendar_id = ctx.connection.get("_primary_calendar_id")
    calendar = ctx.get("calendar_calendar", calendar_id)
    if calendar is None:
        raise ApiError(status, f"calendar {calendar_id} not found")
    return calendar


EVENT_KEYS = [
    "calendar_id",
    "subject",
    "notes",
    "start_at",
    "end_at",
    "timezone",
    "is_all_day",
    "is_free",
    "is_private",
    "status",
    "location",
    "attendees",
    "has_conference",
    "conference",
    "send_notifications",
    "room_ids",
]


def write_event(ctx, body, existing):
    if existing is None and body.get("recurrence"):
        raise ApiError(400, "creating recurring events is not supported by the sandbox")
    changes = keep(body, EVENT_KEYS)
    doc = {**(existing or {}), **changes}
    calendar = resolve_calendar(ctx, doc.get("calendar_id"))
    doc["calendar_id"] = calendar["id"]
    check_str(doc, "subject", "notes", "location", "timezone")
    check_bool(doc, "is_all_day", "is_free", "is_private", "has_conference")
    check_bool(doc, "send_notifications")
    check_str_list(doc, "room_ids")
    doc.setdefault("status", "CONFIRMED")
    check_enum(doc, "status", events.EVENT_STATUSES)
    if doc.get("timezone") and not events.is_zone(doc["timezone"]):
        raise ApiError(400, f"unknown time zone {doc['timezone']!r}")
    doc.setdefault("timezone", calendar["timezone"])
    if "start_at" in changes or "end_at" in changes or "is_all_day" in changes:
        if existing is not None and "is_all_day" not in changes:
            # A new time given as a date-time turns an all-day event into a timed one.
            doc.pop("is_all_day", None)
        try:
            events.normalize_times(doc, events.zone(doc["timezone"]))
        except ValueError as error:
            raise ApiError(400, str(error)) from None
    elif existing is None:
        raise ApiError(400, "start_at is required")
    try:
        if "attendees" in doc:
            doc["attendees"] = events.clean_attendees(doc["attendees"])
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    if existing is None:
        doc = {"id": ctx.new_id("event"), **doc}
        doc["organizer"] = {"email": calendar["_owner_email"], "name": calendar["_owner_name"]}
        host = ctx.integration.web_host
        doc["web_url"] = (
            f"https://{host}/event?eid={doc['id']}"
            if ctx.integration.type == "googlecalendar"
            else f"https://{host}/calendar/item/{doc['id']}"
        )
    doc.setdefault("is_free", False)
    doc.setdefault("is_private", False)
    if changes.get("has_conference") is True:
        if not ctx.integration.conference_label:
            raise ApiError(400, f"conference is not supported by {ctx.integration.type}")
        if not doc.get("conference"):
            doc["conference"] = events.google_meet(f"{ctx.cid}/{doc['id']}")
    elif changes.get("has_conference") is False:
        doc.pop("conference", None)
    if "conference" in changes:
        check_objects(doc, "conference", "url")
        doc["has_conference"] = bool(doc.get("conference"))
    return doc


def event_span(ctx, doc):
    calendar = ctx.get("calendar_calendar", doc["calendar_id"]) or {}
    return events.span_columns(doc, events.zone(calendar.get("timezone")))


def delete_event(ctx, existing):
    if existing.get("recurrence") and not existing.get("recurring_event_id"):
        for occurrence in ctx.store.query(
            ctx.cid, "calendar_event", where=[eq("$.recurring_event_id")], params=[existing["id"]]
        ):
            ctx.store.delete(ctx.cid, "calendar_event", occurrence["id"])


def invited_condition(calendar):
    """SQL: events on a calendar, or inviting its owner (declined invitations included,
    as Google lists them). Exact in SQL, so pages are never short of `limit`."""
    email = (calendar.get("_owner_email") or "").lower()
    invited = (
        "EXISTS (SELECT 1 FROM json_each(data, '$.attendees') "
        "WHERE lower(json_extract(value, '$.email')) = ?)"
    )
    return f"{eq('$.calendar_id')} OR {invited}", [calendar["id"], email]


def list_events(ctx, resource):
    req = ctx.req
    where, params = [], []
    if req.arg("calendar_id"):
        calendar = resolve_calendar(ctx, req.arg("calendar_id"), status=404)
        condition, args = invited_condition(calendar)
        where.append(condition)
        params += args
    start, end = instant_param(req, "start_gte"), instant_param(req, "end_lt")
    if start:
        where.append("span_end > ?")
        params.append(format_instant(start))
    if end:
        where.append("span_start < ?")
        params.append(format_instant(end))
    where.append("kind != ?")
    params.append("series" if req.flag("expand") else "occurrence")
    return generic_list(ctx, resource, where, params, default_order="span_start, seq")


def busy_user(ctx, user_id):
    """The work addresses of the HRIS employee `user_id` names (§7's busy filter)."""
    employee = ctx.store.find("hris_employee", user_id)
    if employee is None:
        raise ApiError(400, f"user_id: employee {user_id} not found")
    return {(e.get("email") or "").lower() for e in employee.get("emails") or ()} - {""}


def involves(doc, user_id, emails):
    """Whether an event is on the employee's own calendar or invites them."""
    if (doc.get("organizer") or {}).get("email", "").lower() in emails:
        return True
    return any(
        a.get("user_id") == user_id or (a.get("email") or "").lower() in emails
        for a in doc.get("attendees") or ()
    )


def list_busy(ctx, resource):
    req = ctx.req
    user_id = req.arg("user_id")
    emails = busy_user(ctx, user_id) if user_id else None
    calendar_id = req.arg("calendar_id")
    if emails and not calendar_id:
        # An employee's busy time without a calendar is their own calendar's.
        owned = ctx.store.query(
            ctx.cid,
            "calendar_calendar",
            where=[
                "lower(json_extract(data, '$._owner_email')) IN (SELECT value FROM json_each(?))"
            ],
            params=[json.dumps(sorted(emails))],
            limit=1,
        )
        if not owned:
            raise ApiError(404, f"employee {user_id} has no calendar on this connection")
        calendar_id = owned[0]["id"]
    calendar = resolve_calendar(ctx, calendar_id, status=404)
    start, end = instant_param(req, "start_gte"), instant_param(req, "end_lt")
    if start is None or end is None:
        raise ApiError(400, "start_gte and end_lt are required")
    if end <= start:
        raise ApiError(400, "end_lt must be after start_gte")
    condition, args = invited_condition(calendar)
    # Stored spans of all-day events are in their own calendar's zone: widen by a day.
    docs = ctx.store.query(
        ctx.cid,
        "calendar_event",
        where=[condition, "kind != 'series'", "span_end > ?", "span_start < ?"],
        params=[*args, format_instant(start - events.DAY), format_instant(end + events.DAY)],
    )
    docs = [public(d) for d in docs]
    if emails is not None:
        owner = (calendar.get("_owner_email") or "").lower()
        if owner not in emails:
            docs = [d for d in docs if involves(d, user_id, emails)]
    blocks = events.busy_blocks(
        docs,
        calendar_id=calendar["id"],
        owner_email=calendar.get("_owner_email"),
        tz=events.zone(calendar.get("timezone")),
        start=start,
        end=end,
    )
    limit, offset = page_params(req)
    return blocks[offset : offset + limit]
