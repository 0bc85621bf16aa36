"""Unified's own endpoints (docs/unified.md §8): connections, webhook subscriptions, the
workspace's integrations, and the Connect URL (connect.py)."""

import re
from dataclasses import dataclass
from typing import Any

from . import connect
from .common import (
    Resource,
    check_bool,
    check_str,
    connection_for,
    emit,
    eq,
    generic_list,
    instant_param,
    keep,
)
from .integrations import INTEGRATIONS, make_id
from .store import GLOBAL, format_instant
from .web import ApiError, empty_response, json_response

WEBHOOK_EVENTS = ("created", "updated", "deleted")


WEBHOOK_OBJECT_TYPES = [
    "ats_candidate",
    "ats_application",
    "ats_applicationstatus",
    "ats_interview",
    "ats_job",
    "ats_scorecard",
    "ats_activity",
    "hris_employee",
    "calendar_calendar",
    "calendar_event",
    "calendar_busy",
]


CONNECTION_RESOURCE = Resource(
    "unified", "connection", "unified_connection", "UnifiedConnection", "UnifiedConnections",
    frozenset({"list", "get", "update", "patch", "remove"}),
    filters={"external_xref": eq("$.external_xref"), "env": eq("$.environment")},
    search=("$.integration_name", "$.external_xref"), name_path="$.integration_name",
)  # fmt: skip


WEBHOOK_RESOURCE = Resource(
    "unified", "webhook", "unified_webhook", "UnifiedWebhook", "UnifiedWebhooks",
    frozenset({"list", "get", "create", "update", "patch", "remove"}),
    filters={
        "connection_id": eq("$.connection_id"), "object": eq("$.object_type"),
        "object_type": eq("$.object_type"), "integration_type": eq("$.integration_type"),
        "env": eq("$.environment"),
    },
    search=("$.hook_url",), name_path="$.object_type",
)  # fmt: skip


@dataclass
class GlobalCtx:
    sb: Any
    req: Any
    cid: str = GLOBAL


def unified_integration(sb, req):
    parts = req.path.strip("/").split("/")
    if req.method != "GET":
        raise ApiError(405, f"{req.method} is not allowed on {req.path}")
    if len(parts) == 4 and parts[2] == "workspace":
        if parts[3] != sb.workspace_id:
            raise ApiError(404, f"workspace {parts[3]} not found")
        wanted = set(req.args("categories"))
        return json_response(
            [
                integration.api_object(req.host_url)
                for integration in INTEGRATIONS.values()
                if not wanted or wanted & set(integration.categories)
            ]
        )
    if len(parts) == 5 and parts[2] == "auth":
        return connect.authorize(sb, req, parts[3], parts[4])
    raise ApiError(404, f"no such endpoint: {req.method} {req.path}")


def unified(sb, req):
    m = re.match(r"^/unified/(connection|webhook)(?:/([^/]+))?(/trigger)?/?$", req.path)
    if not m:
        raise ApiError(404, f"no such endpoint: {req.method} {req.path}")
    kind, record_id, trigger = m.groups()
    ctx = GlobalCtx(sb, req)
    fields = req.args("fields")
    if trigger:
        if req.method not in ("PUT", "PATCH", "POST"):
            raise ApiError(405, f"{req.method} is not allowed on {req.path}")
        return json_response(emit(trigger_webhook(sb, record_id)))
    if kind == "connection":
        return unified_connection(sb, req, ctx, record_id, fields)
    return unified_webhook(sb, req, ctx, record_id, fields)


def unified_connection(sb, req, ctx, record_id, fields):
    store = sb.store
    if record_id is None:
        if req.method != "GET":
            raise ApiError(405, f"{req.method} is not allowed on {req.path}")
        where, params = [], []
        categories = req.args("categories")
        if categories:
            marks = ", ".join("?" for _ in categories)
            where.append(
                f"EXISTS (SELECT 1 FROM json_each(data, '$.categories') WHERE value IN ({marks}))"  # noqa: S608  (only placeholders)
            )
            params += categories
        docs = generic_list(ctx, CONNECTION_RESOURCE, where, params)
        return json_response([emit(d, fields) for d in docs])
    connection = connection_for(sb, record_id)
    if req.method == "GET":
        return json_response(emit(connection, fields))
    if req.method in ("PUT", "PATCH"):
        body = req.json()
        changes = keep(body, ("external_xref", "is_paused"))
        check_str(changes, "external_xref")
        check_bool(changes, "is_paused")
        saved = store.update(GLOBAL, "unified_connection", {**connection, **changes})
        return json_response(emit(saved, fields))
    if req.method == "DELETE":
        # Deleting a connection deletes its webhooks (webhooks guide) and its data.
        for webhook in store.query(
            GLOBAL, "unified_webhook", where=[eq("$.connection_id")], params=[record_id]
        ):
            store.delete(GLOBAL, "unified_webhook", webhook["id"])
        store.delete(GLOBAL, "unified_connection", record_id)
        store.purge_connection(record_id)
        return empty_response()
    raise ApiError(405, f"{req.method} is not allowed on {req.path}")


def object_type_allowed(connection, object_type):
    category = object_type.split("_", 1)[0]
    categories = connection.get("categories") or []
    return category in categories or (category == "hris" and "ats" in categories)


def webhook_fields(body, existing):
    doc = {**(existing or {})}
    changes = keep(
        body,
        [
            "connection_id",
            "object_type",
            "event",
            "hook_url",
            "webhook_type",
            "interval",
            "fields",
            "filters",
            "page_max_limit",
            "is_paused",
            "environment",
        ],
    )
    check_str(changes, "connection_id", "object_type", "event", "hook_url", "fields")
    check_str(changes, "webhook_type", "environment")
    check_bool(changes, "is_paused")
    if existing is not None:
        if changes.get("webhook_type") not in (None, existing.get("webhook_type")):
            raise ApiError(400, "webhook_type cannot be changed after create")
        for key in ("connection_id", "object_type", "event"):
            if changes.get(key) not in (None, existing.get(key)):
                raise ApiError(400, f"{key} cannot be changed; create another webhook")
    doc.update(changes)
    for key in ("interval", "page_max_limit"):
        if doc.get(key) is not None:
            if isinstance(doc[key], bool) or not isinstance(doc[key], int | float):
                raise ApiError(400, f"{key} must be a number")
            doc[key] = int(doc[key])
    if doc.get("filters") is not None and (
        not isinstance(doc["filters"], dict)
        or not all(isinstance(v, str) for v in doc["filters"].values())
    ):
        raise ApiError(400, "filters must be an object of strings")
    hook_url = doc.get("hook_url") or ""
    if not re.match(r"^https?://[^\s/]+", hook_url):
        raise ApiError(400, "hook_url must be an http(s) URL")
    return doc


def unified_webhook(sb, req, ctx, record_id, fields):
    store = sb.store
    if record_id is None:
        if req.method == "GET":
            where, params = [], []
            if req.arg("is_healthy") in ("true", "false"):
                where.append("json_extract(data, '$.is_healthy') = ?")
                params.append(1 if req.arg("is_healthy") == "true" else 0)
            created_lte = instant_param(req, "created_lte")
            if created_lte:
                where.append("created_at <= ?")
                params.append(format_instant(created_lte))
            docs = generic_list(ctx, WEBHOOK_RESOURCE, where, params)
            return json_response([emit(d, fields) for d in docs])
        if req.method != "POST":
            raise ApiError(405, f"{req.method} is not allowed on {req.path}")
        doc = webhook_fields(req.json(), None)
        for key in ("connection_id", "object_type", "event"):
            if not doc.get(key):
                raise ApiError(400, f"{key} is required")
        connection = sb.store.get(GLOBAL, "unified_connection", doc["connection_id"])
        if connection is None:
            raise ApiError(400, f"connection {doc['connection_id']} not found")
        if doc["object_type"] not in WEBHOOK_OBJECT_TYPES or not object_type_allowed(
            connection, doc["object_type"]
        ):
            raise ApiError(
                400,
                f"object_type {doc['object_type']} is not supported by "
                f"{connection['integration_type']}",
            )
        if doc["event"] not in WEBHOOK_EVENTS:
            raise ApiError(400, "event must be one of created, updated, deleted")
        webhook_type = (doc.get("webhook_type") or "native").lower()
        if webhook_type not in ("native", "virtual"):
            raise ApiError(400, "webhook_type must be native or virtual")
        doc = {
            "id": make_id("hex24", f"webhook/{store.next_number('webhooks')}", 0),
            "workspace_id": sb.workspace_id,
            "integration_type": connection["integration_type"],
            **doc,
            "webhook_type": webhook_type,
            "environment": doc.get("environment") or "Production",
            "is_healthy": True,
            "is_paused": bool(doc.get("is_paused")),
            "checked_at": store.now(),
            "runs": [],
        }
        if webhook_type == "virtual":
            doc.setdefault("interval", 60)
        saved = store.insert(GLOBAL, "unified_webhook", doc)
        if req.flag("include_all"):
            sb.deliveries.replay(saved)
        return json_response(emit(saved, fields))
    webhook = store.get(GLOBAL, "unified_webhook", record_id)
    if webhook is None:
        raise ApiError(404, f"webhook {record_id} not found")
    if req.method == "GET":
        return json_response(emit(webhook, fields))
    if req.method in ("PUT", "PATCH"):
        doc = webhook_fields(req.json(), webhook)
        return json_response(emit(store.update(GLOBAL, "unified_webhook", doc), fields))
    if req.method == "DELETE":
        store.delete(GLOBAL, "unified_webhook", record_id)
        return empty_response()
    raise ApiError(405, f"{req.method} is not allowed on {req.path}")


def trigger_webhook(sb, webhook_id):
    """Run a webhook now, as a virtual one would on its next poll: deliver what changed
    since it last ran."""
    store = sb.store
    webhook = store.get(GLOBAL, "unified_webhook", webhook_id)
    if webhook is None:
        raise ApiError(404, f"webhook {webhook_id} not found")
    column = {"created": "created_at", "updated": "updated_at", "deleted": "deleted_at"}
    since = webhook.get("checked_at") or webhook["created_at"]
    docs = store.rows_since(
        webhook["connection_id"], webhook["object_type"], column[webhook["event"]], since
    )
    saved = store.update(GLOBAL, "unified_webhook", {**webhook, "checked_at": store.now()})
    if docs:
        sb.deliveries.deliver(saved, docs, "VIRTUAL")
    return saved
