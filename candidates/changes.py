"""What the ATS changed, as its webhooks (or the reconcile) tell: the mirror follows, and an
application's new stage has consequences for its links and interviews (the mirror's writer
acts on a close, so a sync that brings the news first acts the same: sync.application_closed)."""

from scheduling.webhooks import ATS, handles

from .models import Application
from .sync import follow_events, follow_interviews, upsert_records


@handles("ats_candidate", "updated", "created")
def candidates_changed(conn, records, event, actor_label):
    upsert_records(conn, candidates=records)
    return [f"Updated {len(records)} candidate(s) in the mirror."]


@handles("ats_job", "updated", "created")
def jobs_changed(conn, records, event, actor_label):
    upsert_records(conn, jobs=records)
    return [f"Updated {len(records)} job(s) in the mirror."]


@handles("ats_application", "created", "updated")
def applications_changed(conn, records, event, actor_label):
    changes = upsert_records(conn, applications=records, actor_label=actor_label or ATS)
    applications = Application.objects.select_related("candidate", "tenant").in_bulk(
        [change.application_id for change in changes]
    )
    lines = []
    for change in changes:
        application = applications[change.application_id]
        if change.note:
            lines.append(change.note)
        elif change.after in application.tenant.interview_statuses:
            lines.append(
                f"{application.candidate} moved to {application.stage_label}: it now shows "
                "as needing scheduling."
            )
    return lines


def calendar_events_changed(sender, connection, events, event, **kwargs):
    """scheduling.signals.calendar_events_changed: events of ATS interviews in the mirror."""
    if connection.category != connection.Category.CALENDAR:
        return []
    return follow_events(connection, events, event)


def ats_interviews_changed(sender, connection, interviews, event, **kwargs):
    """scheduling.signals.ats_interviews_changed: the mirror's ATS interviews."""
    return follow_interviews(connection, interviews, event)
