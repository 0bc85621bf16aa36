"""ATS writes (docs/unified.md §5): what each body may set, what it must hold, and the
vendor-like side effects (stage names follow statuses, rejected_at/hired_at, cascades)."""

from .common import (
    ACTIVITY_TYPES,
    APPLICATION_STATUSES,
    EMAIL_TYPES,
    INTERVIEW_STATUSES,
    ORIGINS,
    PHONE_TYPES,
    RECOMMENDATIONS,
    check_bool,
    check_enum,
    check_instant,
    check_objects,
    check_str,
    check_str_list,
    eq,
    keep,
    require,
    require_employees,
)
from .web import ApiError

CANDIDATE_KEYS = [
    "name",
    "first_name",
    "last_name",
    "emails",
    "telephones",
    "title",
    "company_name",
    "company_id",
    "address",
    "image_url",
    "link_urls",
    "tags",
    "skills",
    "sources",
    "origin",
    "job_ids",
    "user_id",
    "user_ids",
    "external_identifier",
    "date_of_birth",
    "education",
    "experiences",
    "summary",
    "metadata",
]


def write_candidate(ctx, body, existing):
    doc = {**(existing or {}), **keep(body, CANDIDATE_KEYS)}
    check_str(doc, "name", "first_name", "last_name", "title", "company_name", "user_id")
    check_str_list(doc, "link_urls", "tags", "skills", "sources", "job_ids", "user_ids")
    check_objects(doc, "emails", "email")
    check_objects(doc, "telephones", "telephone")
    for item in doc.get("emails") or ():
        check_enum(item, "type", EMAIL_TYPES)
    for item in doc.get("telephones") or ():
        check_enum(item, "type", PHONE_TYPES)
    check_enum(doc, "origin", ORIGINS)
    check_instant(doc, "date_of_birth")
    for job_id in doc.get("job_ids") or ():
        require(ctx, "ats_job", job_id, "job_ids: job")
    if not doc.get("name") and (doc.get("first_name") or doc.get("last_name")):
        doc["name"] = " ".join(p for p in (doc.get("first_name"), doc.get("last_name")) if p)
    if existing is None:
        if not doc.get("name") and not doc.get("emails"):
            raise ApiError(400, "a candidate needs a name or an email")
        doc["id"] = ctx.new_id("candidate")
    return doc


def delete_candidate(ctx, existing):
    # The vendor deletes a person's applications with them.
    for app in ctx.store.query(ctx.cid, "ats_application", where=[eq("$.candidate_id")],
                               params=[existing["id"]]):  # fmt: skip
        ctx.store.delete(ctx.cid, "ats_application", app["id"])


def stage_names(ctx, job_id):
    """{normalized status: vendor stage name} for a job (per-job or global stages)."""
    stages = ctx.store.query(
        ctx.cid,
        "ats_applicationstatus",
        where=["json_extract(data, '$.job_id') = ? OR json_extract(data, '$.job_id') IS NULL"],
        params=[job_id],
    )
    return {s["status"]: s["original_status"] for s in stages}


def new_application(ctx, body):
    """A create: the candidate and the job must exist; the job joins the candidate's
    `job_ids` and the application starts in NEW unless the body says otherwise, as the
    vendors do when a recruiter adds a candidate to a pipeline by hand."""
    fields = keep(body, ["candidate_id", "job_id", "applied_at"])
    check_str(fields, "candidate_id", "job_id")
    check_instant(fields, "applied_at")
    for key in ("candidate_id", "job_id"):
        if not fields.get(key):
            raise ApiError(400, f"{key} is required")
    candidate = require(ctx, "ats_candidate", fields["candidate_id"], "candidate_id")
    require(ctx, "ats_job", fields["job_id"], "job_id")
    if fields["job_id"] not in (candidate.get("job_ids") or ()):
        joined = {**candidate, "job_ids": [*(candidate.get("job_ids") or ()), fields["job_id"]]}
        ctx.store.update(ctx.cid, "ats_candidate", joined)
    now = ctx.store.now()
    start = {"status": "NEW", "original_status": stage_names(ctx, fields["job_id"]).get("NEW")}
    return {
        "id": ctx.new_id("application"),
        **fields,
        "applied_at": fields.get("applied_at") or now,
        **{k: v for k, v in start.items() if v},
    }


def write_application(ctx, body, existing):
    changes = keep(
        body,
        [
            "status",
            "original_status",
            "original_substatus",
            "rejected_reason",
            "source",
            "user_id",
        ],
    )
    check_str(changes, *changes)
    if existing is None:
        existing = new_application(ctx, body)
    doc = {**existing, **changes}
    names = stage_names(ctx, existing["job_id"])
    # Which field the caller meant to change decides the move: a whole record sent back
    # with a new `status` keeps its old `original_status`, and the other way round.
    new_status = changes.get("status") not in (None, existing.get("status"))
    new_stage = changes.get("original_status") not in (None, existing.get("original_status"))
    if new_stage:
        # Move by the vendor's stage name: the status follows from the pipeline.
        by_name = {name.lower(): status for status, name in names.items()}
        status = by_name.get(changes["original_status"].lower())
        if status is None:
            raise ApiError(400, f"no stage named {changes['original_status']!r} for this job")
        if new_status and changes["status"] != status:
            raise ApiError(400, f"status {changes['status']} and stage {names[status]!r} disagree")
        doc["status"] = status
        doc["original_status"] = names[status]
    elif new_status:
        check_enum(changes, "status", APPLICATION_STATUSES)
        if changes["status"] in names:
            doc["original_status"] = names[changes["status"]]
    if doc.get("user_id"):
        require_employees(ctx, [doc["user_id"]], "user_id")
    now = ctx.store.now()
    if doc.get("status") != existing.get("status"):
        if doc["status"] in ("REJECTED", "DECLINED", "WITHDRAWN"):
            doc.setdefault("rejected_at", now)
        if doc["status"] == "HIRED":
            doc["hired_at"] = now
    return doc


INTERVIEW_KEYS = [
    "application_id",
    "candidate_id",
    "job_id",
    "status",
    "start_at",
    "end_at",
    "user_ids",
    "location",
    "meeting_url",
    "external_event_xref",
    "metadata",
]


def write_interview(ctx, body, existing):
    doc = {**(existing or {}), **keep(body, INTERVIEW_KEYS)}
    check_str(doc, "application_id", "candidate_id", "job_id", "location", "meeting_url")
    check_str(doc, "external_event_xref")
    check_str_list(doc, "user_ids")
    if not doc.get("application_id"):
        raise ApiError(400, "application_id is required")
    app = require(ctx, "ats_application", doc["application_id"], "application_id")
    for key in ("candidate_id", "job_id"):
        if doc.get(key) and doc[key] != app[key]:
            raise ApiError(400, f"{key} {doc[key]} does not match application {app['id']}")
        doc[key] = app[key]
    has_times = doc.get("start_at") or doc.get("end_at")
    doc.setdefault("status", "SCHEDULED" if has_times else "NEEDS_SCHEDULING")
    check_enum(doc, "status", INTERVIEW_STATUSES)
    check_instant(doc, "start_at", "end_at")
    if doc["status"] in ("SCHEDULED", "AWAITING_FEEDBACK", "COMPLETE"):
        if not doc.get("start_at") or not doc.get("end_at"):
            raise ApiError(
                400, f"start_at and end_at are required for a {doc['status']} interview"
            )
        if not doc.get("user_ids"):
            raise ApiError(400, "user_ids (the interviewers) are required")
    if doc.get("start_at") and doc.get("end_at") and doc["end_at"] <= doc["start_at"]:
        raise ApiError(400, "end_at must be after start_at")
    require_employees(ctx, doc.get("user_ids"), "user_ids")
    if existing is None:
        doc = {"id": ctx.new_id("interview"), **doc}
    return doc


def write_scorecard(ctx, body, existing):
    doc = keep(
        body,
        [
            "application_id",
            "candidate_id",
            "job_id",
            "interview_id",
            "interviewer_id",
            "recommendation",
            "comment",
            "questions",
        ],
    )
    check_str(doc, "application_id", "interview_id", "interviewer_id", "comment")
    if doc.get("interview_id"):
        interview = require(ctx, "ats_interview", doc["interview_id"], "interview_id")
        for key in ("application_id", "candidate_id", "job_id"):
            doc.setdefault(key, interview.get(key))
    if not doc.get("application_id"):
        raise ApiError(400, "interview_id or application_id is required")
    app = require(ctx, "ats_application", doc["application_id"], "application_id")
    doc.setdefault("candidate_id", app["candidate_id"])
    doc.setdefault("job_id", app["job_id"])
    if not doc.get("interviewer_id"):
        raise ApiError(400, "interviewer_id is required")
    require_employees(ctx, [doc["interviewer_id"]], "interviewer_id")
    check_enum(doc, "recommendation", RECOMMENDATIONS)
    check_objects(doc, "questions", "text")
    return {"id": ctx.new_id("scorecard"), **doc}


def write_activity(ctx, body, existing):
    doc = keep(
        body,
        [
            "type",
            "sub_type",
            "title",
            "description",
            "is_private",
            "candidate_id",
            "application_id",
            "job_id",
            "interview_id",
            "document_ids",
            "user_ids",
            "from",
            "to",
            "cc",
            "bcc",
        ],
    )
    doc.setdefault("type", "NOTE")
    check_enum(doc, "type", ACTIVITY_TYPES)
    check_str(doc, "sub_type", "title", "description")
    check_bool(doc, "is_private")
    check_str_list(doc, "user_ids", "document_ids")
    for key in ("to", "cc", "bcc"):
        check_objects(doc, key, "email")
    if doc.get("from") is not None and (
        not isinstance(doc["from"], dict) or not isinstance(doc["from"].get("email"), str)
    ):
        raise ApiError(400, "from needs an 'email' string")
    if not doc.get("candidate_id") and not doc.get("application_id"):
        raise ApiError(400, "candidate_id or application_id is required")
    if doc.get("application_id"):
        app = require(ctx, "ats_application", doc["application_id"], "application_id")
        doc.setdefault("candidate_id", app["candidate_id"])
        doc.setdefault("job_id", app["job_id"])
    require(ctx, "ats_candidate", doc["candidate_id"], "candidate_id")
    if doc.get("interview_id"):
        require(ctx, "ats_interview", doc["interview_id"], "interview_id")
    require_employees(ctx, doc.get("user_ids"), "user_ids")
    return {"id": ctx.new_id("activity"), **doc}
