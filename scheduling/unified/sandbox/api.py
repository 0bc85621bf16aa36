"""Unified's API as the sandbox answers it (docs/unified.md §1–§8).

Wire rules kept exactly: lists are bare JSON arrays; creates answer 200 with the object;
every JSON answer has `Content-Type: application/json`; numbers in query strings may be
floats (`limit=50.0`); list parameters may be repeated or comma-joined (`fields=id&fields=name`
or `fields=id,name`); unknown query parameters are ignored.

Choices where the reference says "unconfirmed" (each easy to change here):
  * Error bodies are `{"message": …, "status": …}` (§4).
  * Auth: `bearer <t>`, `Bearer <t>` and a bare `<t>` are accepted; anything else → 401.
  * An unknown id in the path → 404 (`{"message": "connection … not found"}`,
    `"AtsInterview … not found"`), and so is an unknown `calendar_id` on event and busy
    lists (as Google answers); an unknown id inside a request body → 400. A path of the
    wrong category for the connection (a calendar path on an ATS connection) → 400.
  * An operation the vendor lacks → 501 `"<sdkOperation> is not supported by <type>"`
    (integrations.py has the table); a field value it rejects → 400. An operation outside
    the connection's granted `permissions` → 401 (the docs' "no permission" status).
  * DELETE answers 200 with an empty body (§3, §14.5).
  * PUT and PATCH both merge the fields sent into the record (§1: partial updates allowed).
  * `limit` defaults to 100 and is capped at 100; `limit` < 1 or a non-number → 400. Unknown
    `sort`/`order` values → 400. `updated_gte` is inclusive and compares with `updated_at`,
    which every write moves to the sandbox clock (whole seconds).
  * Events: `expand=true` lists single events and occurrences of recurring series;
    without it, single events and the series themselves (with `recurrence`), as Google does
    by default. A calendar's events include the invitations its owner received (the
    event's `calendar_id` stays the organizer's calendar). `calendar_id` `primary` (or none)
    means the connection's primary calendar. Creating recurring events is not supported.
  * `status` filter on applications: the normalized enum value.
  * Busy blocks page like every list (`limit` 100 by default): a long window can have more.
"""

import hmac
import re

from . import ats, calendars, management
from .common import READ_OPS, Ctx, Resource, connection_for, emit, eq, generic_list, has, has_id
from .integrations import INTEGRATIONS
from .web import ApiError, empty_response, json_response

RESOURCES = {
    (r.category, r.name): r
    for r in (
        Resource(
            "ats",
            "candidate",
            "ats_candidate",
            "AtsCandidate",
            "AtsCandidates",
            frozenset({"list", "get", "create", "update", "patch", "remove"}),
            filters={"job_id": has("$.job_ids"), "company_id": eq("$.company_id")},
            write=ats.write_candidate,
            on_delete=ats.delete_candidate,
        ),
        Resource(
            "ats",
            "application",
            "ats_application",
            "AtsApplication",
            "AtsApplications",
            frozenset({"list", "get", "create", "update", "patch"}),
            filters={
                "candidate_id": eq("$.candidate_id"),
                "job_id": eq("$.job_id"),
                "company_id": eq("$.company_id"),
                "status": eq("$.status"),
                "user_id": eq("$.user_id"),
            },
            search=("$.original_status",),
            name_path="$.original_status",
            write=ats.write_application,
        ),
        Resource(
            "ats",
            "applicationstatus",
            "ats_applicationstatus",
            "AtsApplicationstatus",
            "AtsApplicationstatuses",
            frozenset({"list"}),
            # Global stages (no job_id) belong to every job.
            filters={
                "job_id": "json_extract(data, '$.job_id') = ? "
                "OR json_extract(data, '$.job_id') IS NULL"
            },
            search=("$.original_status",),
            name_path="$.original_status",
        ),
        Resource(
            "ats",
            "job",
            "ats_job",
            "AtsJob",
            "AtsJobs",
            frozenset({"list", "get"}),
            filters={
                "company_id": eq("$.company_id"),
                "status": eq("$.status"),
                "user_id": f"{has('$.recruiter_ids')} OR {has('$.hiring_manager_ids')}",
            },
            search=("$.name",),
        ),
        Resource(
            "ats",
            "interview",
            "ats_interview",
            "AtsInterview",
            "AtsInterviews",
            frozenset({"list", "get", "create", "update", "patch", "remove"}),
            filters={
                "application_id": eq("$.application_id"),
                "candidate_id": eq("$.candidate_id"),
                "job_id": eq("$.job_id"),
                "user_id": has("$.user_ids"),
            },
            search=("$.location",),
            name_path="$.start_at",
            write=ats.write_interview,
        ),
        Resource(
            "ats",
            "scorecard",
            "ats_scorecard",
            "AtsScorecard",
            "AtsScorecards",
            frozenset({"list", "get", "create"}),
            filters={
                "application_id": eq("$.application_id"),
                "candidate_id": eq("$.candidate_id"),
                "interview_id": eq("$.interview_id"),
                "job_id": eq("$.job_id"),
            },
            search=("$.comment",),
            name_path="$.recommendation",
            write=ats.write_scorecard,
        ),
        Resource(
            "ats",
            "activity",
            "ats_activity",
            "AtsActivity",
            "AtsActivities",
            frozenset({"list", "get", "create"}),
            filters={
                "application_id": eq("$.application_id"),
                "candidate_id": eq("$.candidate_id"),
                "interview_id": eq("$.interview_id"),
                "job_id": eq("$.job_id"),
                "type": eq("$.type"),
                "user_id": has("$.user_ids"),
                "document_id": has("$.document_ids"),
            },
            search=("$.title", "$.description"),
            name_path="$.title",
            write=ats.write_activity,
        ),
        Resource(
            "hris",
            "employee",
            "hris_employee",
            "HrisEmployee",
            "HrisEmployees",
            frozenset({"list", "get"}),
            filters={"group_id": has_id("$.groups"), "manager_id": eq("$.manager_id")},
        ),
        Resource(
            "calendar",
            "calendar",
            "calendar_calendar",
            "CalendarCalendar",
            "CalendarCalendars",
            frozenset({"list", "get"}),
            search=("$.name",),
        ),
        Resource(
            "calendar",
            "event",
            "calendar_event",
            "CalendarEvent",
            "CalendarEvents",
            frozenset({"list", "get", "create", "update", "patch", "remove"}),
            search=("$.subject", "$.notes"),
            name_path="$.subject",
            write=calendars.write_event,
            on_delete=calendars.delete_event,
            span=calendars.event_span,
            kind="single",
        ),
        Resource(
            "calendar",
            "busy",
            "calendar_busy",
            "CalendarBusy",
            "CalendarBusies",
            frozenset({"list"}),
        ),
    )
}


SPECIAL_LISTS = {"calendar_event": calendars.list_events, "calendar_busy": calendars.list_busy}


def handle_resource(sb, req, resource, ctx, op, record_id):
    fields = req.args("fields")
    store = sb.store
    if op == "list":
        special = SPECIAL_LISTS.get(resource.object_type)
        docs = special(ctx, resource) if special else generic_list(ctx, resource)
        return json_response([emit(d, fields) for d in docs])
    if op == "create":
        doc = resource.write(ctx, req.json(), None)
        span = resource.span(ctx, doc) if resource.span else (None, None)
        saved = store.insert(ctx.cid, resource.object_type, doc, span=span, kind=resource.kind)
        return json_response(emit(saved, fields))
    existing = ctx.get(resource.object_type, record_id)
    if existing is None:
        raise ApiError(404, f"{resource.sdk} {record_id} not found")
    if op == "get":
        return json_response(emit(existing, fields))
    if op in ("update", "patch"):
        body = req.json()
        # Read, merge and write under one lock: two updates never lose each other's fields.
        with store.transaction():
            existing = ctx.get(resource.object_type, record_id)
            if existing is None:
                raise ApiError(404, f"{resource.sdk} {record_id} not found")
            doc = resource.write(ctx, body, existing)
            span = resource.span(ctx, doc) if resource.span else None
            saved = store.update(ctx.cid, resource.object_type, doc, span=span)
        return json_response(emit(saved, fields))
    if op == "remove":
        if resource.on_delete:
            resource.on_delete(ctx, existing)
        store.delete(ctx.cid, resource.object_type, record_id)
        return empty_response()
    raise ApiError(405, "method not allowed")


OPERATIONS = {
    ("GET", False): "list",
    ("GET", True): "get",
    ("POST", False): "create",
    ("PUT", True): "update",
    ("PATCH", True): "patch",
    ("DELETE", True): "remove",
}


def authenticate(sb, req):
    header = (req.header("Authorization") or "").strip()
    if not header:
        raise ApiError(401, "missing Authorization header (expected 'bearer <API token>')")
    scheme, _, rest = header.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" and rest.strip() else header
    if not hmac.compare_digest(token.encode("utf-8"), sb.token.encode("utf-8")):
        raise ApiError(401, "invalid API token")


OBJECT_ROUTE = re.compile(r"^/(ats|hris|calendar)/([^/]+)/([a-z]+)(?:/([^/]+))?/?$")


def route_name(path):
    """`GET /calendar/{connection_id}/busy`-style template of a path, for the stats."""
    m = OBJECT_ROUTE.match(path)
    if m:
        return f"/{m[1]}/{{connection_id}}/{m[3]}" + ("/{id}" if m[4] else "")
    m = re.match(r"^/unified/(connection|webhook)(/[^/]+)?(/trigger)?/?$", path)
    if m:
        return f"/unified/{m[1]}" + ("/{id}" if m[2] else "") + (m[3] or "")
    m = re.match(r"^/unified/integration/(workspace|auth)/", path)
    if m:
        return f"/unified/integration/{m[1]}/…"
    return path


def dispatch(sb, req):
    path = req.path
    if path.startswith("/unified/integration/"):
        return management.unified_integration(sb, req)
    authenticate(sb, req)
    if path.startswith("/unified/"):
        return management.unified(sb, req)
    m = OBJECT_ROUTE.match(path)
    if not m:
        raise ApiError(404, f"no such endpoint: {req.method} {path}")
    category, cid, name, record_id = m.groups()
    resource = RESOURCES.get((category, name))
    if resource is None:
        raise ApiError(404, f"no such endpoint: {req.method} {path}")
    connection = connection_for(sb, cid)
    integration = INTEGRATIONS[connection["integration_type"]]
    categories = connection.get("categories") or []
    # HRIS employees of an ATS are reached through the ATS connection (§6).
    allowed = category in categories or (category == "hris" and "ats" in categories)
    if not allowed:
        raise ApiError(
            400,
            f"connection {cid} is a {integration.type} ({', '.join(categories)}) connection; "
            f"{category} endpoints are not available on it",
        )
    op = OPERATIONS.get((req.method, record_id is not None))
    if op is None:
        raise ApiError(405, f"{req.method} is not allowed on {path}")
    operation = resource.operation_name(op)
    if op not in resource.ops or operation in integration.unsupported:
        raise ApiError(501, f"{operation} is not supported by {integration.type}")
    permission = f"{resource.object_type}_{'read' if op in READ_OPS else 'write'}"
    if permission not in (connection.get("permissions") or ()):
        raise ApiError(401, f"connection {cid} has not been granted {permission}")
    ctx = Ctx(sb, req, connection, integration)
    return handle_resource(sb, req, resource, ctx, op, record_id)
