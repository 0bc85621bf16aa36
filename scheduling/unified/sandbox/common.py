"""What every Unified endpoint of the sandbox shares: request parsing, checks of request
bodies, the resource description, and the list query with §2's parameters."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import events
from .integrations import make_id
from .store import GLOBAL, format_instant, public
from .web import ApiError

UTC = dt.UTC
MAX_LIMIT = 100
READ_OPS = ("list", "get")

# Enums of docs/unified.md §5, kept here rather than borrowed from Convene's records.py: the
# sandbox stands for Unified, and must not inherit a mistake of the code it tests.
APPLICATION_STATUSES = (
    *("NEW", "REVIEWING", "SCREENING", "SUBMITTED"),
    *("FIRST_INTERVIEW", "SECOND_INTERVIEW", "THIRD_INTERVIEW", "BACKGROUND_CHECK"),
    *("OFFERED", "ACCEPTED", "HIRED", "REJECTED", "DECLINED", "WITHDRAWN"),
)
INTERVIEW_STATUSES = ("SCHEDULED", "AWAITING_FEEDBACK", "COMPLETE", "CANCELED", "NEEDS_SCHEDULING")
RECOMMENDATIONS = ("DEFINITELY_NO", "NO", "YES", "STRONG_YES")
ACTIVITY_TYPES = ("NOTE", "TASK", "EMAIL")
ORIGINS = ("AGENCY", "APPLIED", "INTERNAL", "REFERRED", "SOURCED", "UNIVERSITY")
EMAIL_TYPES = ("WORK", "HOME", "OTHER")
PHONE_TYPES = ("WORK", "HOME", "OTHER", "FAX", "MOBILE")


def parse_number(req, name, default):
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        # The SDK sends numbers as floats: `limit=50.0`.
        number = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a number, got {raw!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ApiError(400, f"{name} must be a number, got {raw!r}")
    return int(number)


def page_params(req):
    limit = parse_number(req, "limit", MAX_LIMIT)
    offset = parse_number(req, "offset", 0)
    if limit < 1:
        raise ApiError(400, "limit must be at least 1")
    if offset < 0:
        raise ApiError(400, "offset must not be negative")
    return min(limit, MAX_LIMIT), offset


def instant_param(req, name):
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return events.parse_instant(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an ISO-8601 date-time, got {raw!r}") from None


def emit(doc, fields=()):
    """The object as Unified sends it: private keys dropped, `fields` applied (id kept)."""
    out = public(doc)
    if fields:
        wanted = {"id", *fields}
        out = {k: v for k, v in out.items() if k in wanted}
    return out


# SQL conditions over a document's JSON. `path` is always a constant of this package, never
# request input; values travel as parameters.


def eq(path):
    return f"json_extract(data, '{path}') = ?"


def has(path):
    return f"EXISTS (SELECT 1 FROM json_each(data, '{path}') WHERE value = ?)"  # noqa: S608


def has_id(path):
    return (
        f"EXISTS (SELECT 1 FROM json_each(data, '{path}') "  # noqa: S608
        "WHERE json_extract(value, '$.id') = ?)"
    )


@dataclass
class Ctx:
    sb: Any
    req: Any
    connection: dict
    integration: Any

    @property
    def cid(self):
        return self.connection["id"]

    @property
    def store(self):
        return self.sb.store

    def new_id(self, kind):
        number = self.store.next_number()
        # 500,000,000 above the seed's numbers: created ids never meet seeded ones.
        return make_id(
            self.integration.id_style, f"{self.cid}/{kind}/{number}", 500_000_000 + number
        )

    def get(self, object_type, record_id):
        return self.store.get(self.cid, object_type, record_id) if record_id else None


@dataclass(frozen=True)
class Resource:
    category: str
    name: str
    object_type: str
    sdk: str
    plural: str
    ops: frozenset
    filters: dict = field(default_factory=dict)
    search: tuple = ("$.name", "$.emails")
    name_path: str = "$.name"
    write: Callable | None = None
    on_delete: Callable | None = None
    span: Callable | None = None
    kind: str | None = None

    def operation_name(self, op):
        return {
            "list": f"list{self.plural}",
            "get": f"get{self.sdk}",
            "create": f"create{self.sdk}",
            "update": f"update{self.sdk}",
            "patch": f"patch{self.sdk}",
            "remove": f"remove{self.sdk}",
        }[op]


def keep(body, keys):
    return {k: body[k] for k in keys if k in body}


def check_str(doc, *keys):
    for key in keys:
        if doc.get(key) is not None and not isinstance(doc[key], str):
            raise ApiError(400, f"{key} must be a string")


def check_bool(doc, *keys):
    for key in keys:
        if doc.get(key) is not None and not isinstance(doc[key], bool):
            raise ApiError(400, f"{key} must be a boolean")


def check_str_list(doc, *keys):
    for key in keys:
        value = doc.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise ApiError(400, f"{key} must be a list of strings")


def check_enum(doc, key, allowed):
    if doc.get(key) is not None and doc[key] not in allowed:
        raise ApiError(400, f"{key} must be one of {', '.join(allowed)}; got {doc[key]!r}")


def check_instant(doc, *keys):
    for key in keys:
        if doc.get(key) is not None:
            try:
                doc[key] = format_instant(events.parse_instant(doc[key]))
            except (ValueError, TypeError):
                raise ApiError(400, f"{key} must be an ISO-8601 date-time") from None


def check_objects(doc, key, required):
    value = doc.get(key)
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ApiError(400, f"{key} must be a list of objects")
    for item in value:
        if not isinstance(item.get(required), str) or not item[required]:
            raise ApiError(400, f"each of {key} needs a {required!r} string")


def require_employees(ctx, ids, key):
    for employee_id in ids or ():
        if ctx.get("hris_employee", employee_id) is None:
            raise ApiError(400, f"{key}: employee {employee_id} not found")


def require(ctx, object_type, record_id, key):
    if not isinstance(record_id, str) or ctx.get(object_type, record_id) is None:
        raise ApiError(400, f"{key} {record_id!r} not found")
    return ctx.get(object_type, record_id)


SORTS = {"updated_at": "updated_at", "created_at": "created_at"}


def generic_list(ctx_or_store, resource, where=(), params=(), *, default_order="seq", cid=None):
    """One page of a list, with the common parameters of §2 applied."""
    ctx = ctx_or_store
    req = ctx.req
    store = ctx.sb.store
    cid = ctx.cid if cid is None else cid
    where, params = list(where), list(params)
    for param, condition in resource.filters.items():
        value = req.arg(param)
        if value not in (None, ""):
            where.append(condition)
            params += [value] * condition.count("?")
    updated_gte = instant_param(req, "updated_gte")
    if updated_gte:
        where.append("updated_at >= ?")
        params.append(format_instant(updated_gte))
    text = (req.arg("query") or "").strip().lower()
    if text:
        where.append(
            " OR ".join(f"lower(json_extract(data, '{path}')) LIKE ?" for path in resource.search)
        )
        params += [f"%{text}%"] * len(resource.search)
    order = default_order
    sort, direction = req.arg("sort"), (req.arg("order") or "asc").lower()
    if direction not in ("asc", "desc"):
        raise ApiError(400, "order must be asc or desc")
    if sort:
        if sort == "name":
            column = f"json_extract(data, '{resource.name_path}') COLLATE NOCASE"
        elif sort in SORTS:
            column = SORTS[sort]
        else:
            raise ApiError(400, "sort must be one of name, updated_at, created_at")
        order = f"{column} {direction.upper()}, seq {direction.upper()}"
    elif direction == "desc":
        order = ", ".join(f"{part.strip()} DESC" for part in default_order.split(","))
    limit, offset = page_params(req)
    return store.query(
        cid, resource.object_type, where=where, params=params, order=order, limit=limit,
        offset=offset,
    )  # fmt: skip


def connection_for(sb, cid):
    connection = sb.store.get(GLOBAL, "unified_connection", cid)
    if connection is None:
        raise ApiError(404, f"connection {cid} not found")
    return connection
