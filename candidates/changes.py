"""What the ATS changed, as its webhooks (or the reconcile) tell: the mirror follows, and an
application's new stage has consequences for its links and interviews."""

from django.db import transaction
from django.utils import timezone

from scheduling.models import Interview, audit
from scheduling.webhooks import ATS, handles

from . import links
from .models import Application, BookingLink
from .sync import upsert_records

CLOSED_STATUSES = {"REJECTED", "DECLINED", "WITHDRAWN", "HIRED"}
CLOSED_FLAG = "The application was moved to "


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
    actor_label = actor_label or ATS
    before = dict(
        Application.objects.filter(
            connection=conn, remote_id__in=[r.id for r in records if r.id]
        ).values_list("remote_id", "status")
    )
    upsert_records(conn, applications=records)
    lines = []
    for record in records:
        if not record.id or before.get(record.id) == record.status:
            continue
        application = (
            Application.objects.filter(connection=conn, remote_id=record.id)
            .select_related("candidate", "tenant")
            .first()
        )
        if application is None:
            continue
        if record.status in CLOSED_STATUSES:
            lines.append(application_closed(application, actor_label))
        elif record.status in application.tenant.interview_statuses:
            lines.append(
                f"{application.candidate} moved to {application.stage_label}: it now shows "
                "as needing scheduling."
            )
    return [line for line in lines if line]


def application_closed(application, actor_label):
    """Rejected, withdrawn, declined or hired: open booking links stop working at once; the
    upcoming interviews are flagged for the recruiter to cancel (they confirm: a candidate
    rejected by mistake in the ATS keeps their interview until someone decides)."""
    with transaction.atomic():
        revoked = 0
        for link in BookingLink.objects.filter(
            application=application, state=BookingLink.State.OPEN
        ):
            links.revoke(link, why=f"the application is {application.status.lower()} in the ATS")
            revoked += 1
        upcoming = Interview.objects.active().filter(
            application=application, end_at__gt=timezone.now()
        )
        flag = f"{CLOSED_FLAG}{application.stage_label} in the ATS. Cancel this interview?"
        flagged = 0
        # Row by row: each interview keeps the other matters flagged on it (a decline, …).
        for interview in upcoming.select_for_update():
            interview.set_flag(flag, replaces=CLOSED_FLAG)
            interview.save(update_fields=["flag", "updated_at"])
            flagged += 1
        message = (
            f"{application.candidate}'s application is now {application.stage_label} in the "
            f"ATS: revoked {revoked} open booking link(s) and flagged {flagged} upcoming "
            "interview(s) for the recruiter to confirm their cancellation."
        )
        audit(
            application.tenant,
            "application.closed",
            message,
            actor_label=actor_label,
            obj=application,
        )
    return message
