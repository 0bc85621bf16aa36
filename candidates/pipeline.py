"""The recruiter's pipeline: which applications need scheduling, and where each one stands.

The scheduling state is computed in the query (Exists subqueries on indexed columns), so the
dashboard can filter, sort and count by it in a constant number of queries, and it is never
stale: an interview that just ended turns "scheduled" into "feedback due" on its own.
"""

from django.db.models import Case, Exists, OuterRef, Q, Value, When

from scheduling.models import Connection, FeedbackRequest, Interview

from .models import Application, BookingLink, RemoteInterview

NEEDS_SCHEDULING = "needs_scheduling"
SCHEDULED = "scheduled"
FEEDBACK_DUE = "feedback_due"
INTERVIEWED = "interviewed"
LINK_OPENED = "link_opened"
LINK_SENT = "link_sent"
LINK_EXPIRED = "link_expired"
NOT_IN_INTERVIEW_STAGE = ""

STATE_LABELS = {
    NEEDS_SCHEDULING: "Needs scheduling",
    SCHEDULED: "Scheduled",
    FEEDBACK_DUE: "Feedback due",
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
    INTERVIEWED: "muted",
    LINK_OPENED: "",
    LINK_SENT: "",
    LINK_EXPIRED: "bad",
    NOT_IN_INTERVIEW_STAGE: "muted",
}


def _in_current_stage():
    """Interviews that belong to the application's current stage: those that started after
    the application entered it (upcoming ones always do)."""
    return Q(start_at__gte=OuterRef("stage_entered_at"))


def with_scheduling_state(queryset, tenant, now):
    """Annotate `scheduling_state` on applications, for `tenant`'s interview statuses:

    scheduled      an interview is coming up;
    feedback due   an interview of the current stage ended and its feedback is not in (the
                   ATS's word for it, or Convene's own requests that are still missing);
    interviewed    an interview of the current stage is complete;
    link opened    in an interview stage, its open booking link (sent in this stage) was
                   opened but not used yet;
    link sent      … the link was not opened yet;
    link expired   … the link expired unused;
    needs scheduling  in an interview stage with none of the above;
    ""             not in an interview stage.
    """
    remote = RemoteInterview.objects.filter(
        application=OuterRef("pk"), removed_at__isnull=True
    ).exclude(status="CANCELED")
    ours = Interview.objects.filter(application=OuterRef("pk"), status=Interview.Status.SCHEDULED)
    upcoming = Exists(remote.filter(start_at__gt=now)) | Exists(ours.filter(end_at__gt=now))
    # Feedback Convene asked for on one of its own interviews of this stage, still missing.
    missing_feedback = FeedbackRequest.objects.filter(
        interview__application=OuterRef("pk"),
        interview__status=Interview.Status.SCHEDULED,
        interview__stage_status=OuterRef("status"),
        interview__end_at__lte=now,
    ).exclude(status=FeedbackRequest.Status.SUBMITTED)
    awaiting = Exists(
        remote.filter(_in_current_stage(), start_at__lte=now).exclude(status="COMPLETE")
    ) | Exists(missing_feedback)
    done = Exists(remote.filter(_in_current_stage(), status="COMPLETE")) | Exists(
        ours.filter(end_at__lte=now, stage_status=OuterRef("status"))
    )
    # Links sent in the current stage only: one left open from an earlier stage is stale.
    open_links = BookingLink.objects.filter(
        application=OuterRef("pk"), state=BookingLink.State.OPEN
    ).filter(
        Q(created_at__gte=OuterRef("stage_entered_at"))
        | Q(application__stage_entered_at__isnull=True)
    )
    in_stage = Q(status__in=tenant.interview_statuses)
    return queryset.annotate(
        scheduling_state=Case(
            When(upcoming, then=Value(SCHEDULED)),
            When(awaiting, then=Value(FEEDBACK_DUE)),
            When(done, then=Value(INTERVIEWED)),
            When(
                in_stage & Exists(open_links.filter(expires_at__gt=now, open_count__gt=0)),
                then=Value(LINK_OPENED),
            ),
            When(in_stage & Exists(open_links.filter(expires_at__gt=now)), then=Value(LINK_SENT)),
            When(in_stage & Exists(open_links), then=Value(LINK_EXPIRED)),
            When(in_stage, then=Value(NEEDS_SCHEDULING)),
            default=Value(NOT_IN_INTERVIEW_STAGE),
        )
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
            "job__id",
            "job__name",
        )
    )
    return with_scheduling_state(queryset, tenant, now)
