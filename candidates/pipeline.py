"""The recruiter's pipeline: which applications need scheduling, and where each one stands.

The scheduling state is computed in the query (Exists subqueries on indexed columns), so the
dashboard can filter, sort and count by it in a constant number of queries, and it is never
stale: an interview that just ended turns "scheduled" into "feedback due" on its own.
"""

import re

from django.db import connection
from django.db.models import CharField, Q
from django.db.models.expressions import RawSQL

from scheduling import plans
from scheduling.models import Connection, FeedbackRequest, Interview, NoShow
from scheduling.unified.records import INTERVIEW_STATUSES

from .models import Application, BookingLink, RemoteInterview, Stage

NEEDS_SCHEDULING = "needs_scheduling"
SCHEDULED = "scheduled"
FEEDBACK_DUE = "feedback_due"
NO_SHOW = "no_show"
INTERVIEWED = "interviewed"
LINK_OPENED = "link_opened"
LINK_SENT = "link_sent"
LINK_EXPIRED = "link_expired"
NOT_IN_INTERVIEW_STAGE = ""

STATE_LABELS = {
    NEEDS_SCHEDULING: "Needs scheduling",
    SCHEDULED: "Scheduled",
    FEEDBACK_DUE: "Feedback due",
    NO_SHOW: "Candidate did not attend",
    INTERVIEWED: "Interviewed",
    LINK_OPENED: "Link opened",
    LINK_SENT: "Link sent",
    LINK_EXPIRED: "Link expired",
    NOT_IN_INTERVIEW_STAGE: "—",
}
STATE_BADGES = {
    NEEDS_SCHEDULING: "warn",
    SCHEDULED: "ok",
    FEEDBACK_DUE: "bad",
    NO_SHOW: "bad",
    INTERVIEWED: "muted",
    LINK_OPENED: "",
    LINK_SENT: "",
    LINK_EXPIRED: "bad",
    NOT_IN_INTERVIEW_STAGE: "muted",
}


# The state as one SQL expression over the application row (`app`). Django compiles the same
# logic written with Exists() in about 10 ms — fifteen times what the database takes to run
# it, twice per page — so it is written once here; the ORM only adds its parameters.
# Portable: SQLite and PostgreSQL alike. The instants and the tenant's statuses are
# parameters; table names and enum values come from the models and this module (`_literal`).
_STATE_SQL = """
CASE
 WHEN EXISTS (SELECT 1 FROM {remote} r WHERE r.application_id = {app}.id
              AND r.removed_at IS NULL AND r.status <> {r_canceled} AND r.start_at > %s)
   OR EXISTS (SELECT 1 FROM {interview} i WHERE i.application_id = {app}.id
              AND i.status = {i_scheduled} AND i.end_at > %s)
 THEN {scheduled}
 WHEN EXISTS (SELECT 1 FROM {interview} i JOIN {no_show} n ON n.interview_id = i.id
              WHERE i.application_id = {app}.id AND i.status = {i_scheduled}
              AND i.stage_status = {app}.status AND n.interviewer_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM {interview} j
                              WHERE j.application_id = {app}.id AND j.status = {i_scheduled}
                              AND j.start_at > i.start_at))
 THEN {no_show_state}
 WHEN EXISTS (SELECT 1 FROM {remote} r WHERE r.application_id = {app}.id
              AND r.removed_at IS NULL AND r.status NOT IN ({r_canceled}, {r_complete})
              AND r.start_at >= {app}.stage_entered_at AND r.start_at <= %s)
   OR EXISTS (SELECT 1 FROM {feedback} f JOIN {interview} i ON f.interview_id = i.id
              WHERE i.application_id = {app}.id AND i.status = {i_scheduled}
              AND i.stage_status = {app}.status AND i.end_at <= %s
              AND f.status NOT IN ({f_submitted}, {f_withdrawn}) AND NOT f.training)
 THEN {feedback_due}
 WHEN EXISTS (SELECT 1 FROM {remote} r WHERE r.application_id = {app}.id
              AND r.removed_at IS NULL AND r.status = {r_complete}
              AND r.start_at >= {app}.stage_entered_at)
   OR EXISTS (SELECT 1 FROM {interview} i WHERE i.application_id = {app}.id
              AND i.status = {i_scheduled} AND i.end_at <= %s
              AND i.stage_status = {app}.status)
 THEN {interviewed}
 WHEN {app}.status IN ({statuses}) THEN
  CASE
   WHEN EXISTS ({links} AND l.expires_at > %s AND l.open_count > 0) THEN {link_opened}
   WHEN EXISTS ({links} AND l.expires_at > %s) THEN {link_sent}
   WHEN EXISTS ({links}) THEN {link_expired}
   ELSE {needs_scheduling}
  END
 ELSE {not_in_stage}
END"""
# Open links sent in the current stage: one left open from an earlier stage is stale.
_OPEN_LINKS_SQL = (
    "SELECT 1 FROM {link} l WHERE l.application_id = {app}.id AND l.state = {l_open} "
    "AND ({app}.stage_entered_at IS NULL OR l.created_at >= {app}.stage_entered_at)"
)


def _literal(value):
    """A code-defined enum value as an SQL string literal (never anyone's input)."""
    if not re.fullmatch(r"[A-Za-z_]*", value):
        raise ValueError(f"not an enum value: {value!r}")
    return f"'{value}'"


def _ats_status(name):
    """One of Unified's AtsInterview statuses, as the mirror stores them."""
    if name not in INTERVIEW_STATUSES:
        raise ValueError(f"{name} is not an AtsInterview status")
    return name


def _state_sql(statuses):
    app = Application._meta.db_table
    tables = {
        "app": app,
        "remote": RemoteInterview._meta.db_table,
        "interview": Interview._meta.db_table,
        "feedback": FeedbackRequest._meta.db_table,
        "no_show": NoShow._meta.db_table,
        "link": BookingLink._meta.db_table,
    }
    values = {
        name: _literal(value)
        for name, value in {
            "r_canceled": _ats_status("CANCELED"),
            "r_complete": _ats_status("COMPLETE"),
            "i_scheduled": Interview.Status.SCHEDULED,
            "f_submitted": FeedbackRequest.Status.SUBMITTED,
            "f_withdrawn": FeedbackRequest.Status.WITHDRAWN,
            "no_show_state": NO_SHOW,
            "l_open": BookingLink.State.OPEN,
            "scheduled": SCHEDULED,
            "feedback_due": FEEDBACK_DUE,
            "interviewed": INTERVIEWED,
            "link_opened": LINK_OPENED,
            "link_sent": LINK_SENT,
            "link_expired": LINK_EXPIRED,
            "needs_scheduling": NEEDS_SCHEDULING,
            "not_in_stage": NOT_IN_INTERVIEW_STAGE,
        }.items()
    }
    return _STATE_SQL.format(
        **tables,
        **values,
        links=_OPEN_LINKS_SQL.format(**tables, **values),
        statuses=", ".join(["%s"] * len(statuses)) if statuses else "NULL",
    )


def with_scheduling_state(queryset, tenant, now):
    """Annotate `scheduling_state` on applications, for `tenant`'s interview statuses:

    scheduled      an interview is coming up (Convene's, or one the ATS holds);
    feedback due   an interview of the current stage ended and its feedback is not in (the
                   ATS's word for it, or Convene's own requests that are still missing);
    interviewed    an interview of the current stage is complete;
    link opened    in an interview stage, its open booking link (sent in this stage) was
                   opened but not used yet;
    link sent      … the link was not opened yet;
    link expired   … the link expired unused;
    needs scheduling  in an interview stage with none of the above;
    ""             not in an interview stage.

    An interview belongs to the current stage when it started after the application entered
    it (upcoming ones always do); Convene's own carry the stage they were booked for.
    """
    statuses = list(tenant.interview_statuses)
    moment = connection.ops.adapt_datetimefield_value(now)
    params = [moment] * 5 + statuses + [moment, moment]
    return queryset.annotate(
        # Only table names from the models and %s placeholders go into the text.
        scheduling_state=RawSQL(_state_sql(statuses), params, output_field=CharField()),  # noqa: S611
    )


def applications_for(tenant, now):
    """Present applications of present candidates, with job and candidate, and their state."""
    queryset = (
        Application.objects.filter(
            tenant=tenant, removed_at__isnull=True, candidate__removed_at__isnull=True
        )
        # A disconnected ATS keeps its history (candidate pages) but is no longer work.
        .exclude(connection__status=Connection.Status.DISCONNECTED)
        .select_related("candidate", "job")
        .only(
            "id",
            "status",
            "original_status",
            "stage_entered_at",
            "remote_updated_at",
            "applied_at",
            "candidate__id",
            "candidate__name",
            "candidate__email",
            "candidate__emails",
            "job__id",
            "job__name",
        )
    )
    return with_scheduling_state(queryset, tenant, now)


@plans.stage_source
def mirrored_stages(tenant, job=None):
    """The ATS's stages from the mirror, in the ATS's order, then any stage name the
    applications carry that the ATS did not list (an ATS that lists no stages)."""
    live = ~Q(connection__status=Connection.Status.DISCONNECTED)
    stages = Stage.objects.present().filter(live, tenant=tenant)
    applications = Application.objects.present().filter(live, tenant=tenant)
    if job is not None:
        stages = stages.filter(Q(job=job) | Q(job__isnull=True))
        applications = applications.filter(job=job)
    pairs = list(stages.order_by("position", "id").values_list("status", "original_status"))
    pairs += sorted(
        applications.exclude(original_status="")
        .values_list("status", "original_status")
        .distinct()
    )
    return [(status, name or status) for status, name in pairs if status]
