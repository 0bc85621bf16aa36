"""Connections to Unified: starting Unified Connect, completing it, subscribing to their
webhooks, their calendars, and disconnecting. Views, tasks and the admin all go through
these functions (the client and connection health are in gateway.py)."""

import datetime as dt
import functools
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from . import where
from .gateway import note_capability, note_failure, note_success, unified
from .models import Connection, Interviewer, InterviewPlan, Membership, audit
from .signals import connection_connected
from .unified import connect, records
from .unified.errors import NotSupportedError, UnifiedError

logger = logging.getLogger(__name__)

# The permissions Convene asks for, per category (docs/unified.md §8.1).
SCOPES = {
    Connection.Category.ATS: (
        "ats_candidate_read",
        "ats_application_read",
        "ats_application_write",
        "ats_applicationstatus_read",
        "ats_job_read",
        "ats_interview_read",
        "ats_interview_write",
        "ats_scorecard_read",
        "ats_scorecard_write",
        # Read too: a note whose write went unanswered is looked for before writing again.
        "ats_activity_read",
        "ats_activity_write",
        "hris_employee_read",
        "webhook",
    ),
    Connection.Category.CALENDAR: (
        "calendar_calendar_read",
        "calendar_event_read",
        "calendar_event_write",
        "calendar_busy_read",
        "webhook",
    ),
}


class ConnectError(Exception):
    """The Connect round trip cannot be completed; the message is shown to the person."""


def available_integrations(category):
    """The workspace's integrations for one category, for the "Connect …" pickers."""
    return [
        integration
        for integration in unified().list_integrations(
            settings.UNIFIED_WORKSPACE_ID, categories=[category]
        )
        if category in integration.categories
    ]


def authorization_url(
    tenant, user, category, integration_type, *, interviewer=None, replaces=None
):
    """Where to send the browser to authorize `integration_type` for this tenant.

    `replaces` is a connection being re-authorized: the new Unified id then takes its place,
    so everything mirrored through it stays attached.
    """
    state = connect.sign_state(
        {
            "tenant": str(tenant.pk),
            "user": user.pk,
            "category": str(category),
            "interviewer": str(interviewer.pk) if interviewer else None,
            "replaces": str(replaces.pk) if replaces else None,
            "nonce": secrets.token_urlsafe(8),
        }
    )
    return connect.authorization_url(
        settings.UNIFIED_BASE_URL,
        settings.UNIFIED_WORKSPACE_ID,
        integration_type,
        success_redirect=settings.SITE_URL + reverse("connection_callback"),
        failure_redirect=settings.SITE_URL + reverse("connection_callback"),
        state=state,
        external_xref=str(tenant.pk),
        scopes=SCOPES[category],
        env=settings.UNIFIED_ENV if settings.UNIFIED_ENV != "Production" else None,
    )


def read_state_for(request_membership, user, state):
    """The signed state from the Connect redirect, checked against who is signed in.

    Raises ConnectError when the state is forged, expired, or was issued to another person
    or another tenant than the one the browser is in now.
    """
    try:
        payload = connect.read_state(state)
    except connect.BadState as exc:
        raise ConnectError(
            "This connection link is not valid (it was altered or has expired). "
            "Nothing was connected; please start again."
        ) from exc
    if payload.get("user") != user.pk:
        raise ConnectError("This connection was started by someone else. Nothing was connected.")
    membership = Membership.objects.filter(user=user, tenant_id=payload.get("tenant")).first()
    if membership is None:
        raise ConnectError("This connection belongs to a team you are not a member of.")
    if request_membership and str(request_membership.tenant_id) != payload.get("tenant"):
        raise ConnectError(
            "This connection was started in another team than the one you are in now. "
            "Switch team and start again."
        )
    if payload.get("category") not in Connection.Category.values:
        raise ConnectError("This connection link is not valid. Nothing was connected.")
    return payload, membership


def complete_connection(membership, user, payload, unified_id):
    """Store the connection Unified just created and start its first sync.

    The connection is confirmed with Unified first (integration, categories, permissions):
    an id in a URL alone proves nothing.
    """
    category = payload["category"]
    interviewer = None
    if payload.get("interviewer"):
        interviewer = Interviewer.objects.filter(
            tenant=membership.tenant, pk=payload["interviewer"]
        ).first()
        if interviewer is None:
            raise ConnectError("That interviewer no longer exists in this team.")
    if category == Connection.Category.ATS and not membership.is_admin:
        raise ConnectError("Only an admin of the team can connect its ATS.")
    if interviewer is None and not membership.is_admin:
        raise ConnectError("Only an admin can connect a company-wide calendar.")

    try:
        remote = unified().get_connection(unified_id)
    except UnifiedError as exc:
        raise ConnectError(f"Unified could not confirm the new connection: {exc}") from exc
    if category not in remote.categories:
        raise ConnectError(
            f"The connection Unified returned is not a {category.upper()} connection "
            f"(it offers {', '.join(remote.categories) or 'nothing'})."
        )
    if remote.external_xref and remote.external_xref != str(membership.tenant_id):
        raise ConnectError("That connection was made for another team.")

    with transaction.atomic():
        existing = Connection.objects.filter(unified_id=remote.id).first()
        if existing and existing.tenant_id != membership.tenant_id:
            raise ConnectError("That connection already belongs to another team.")
        if existing is None and payload.get("replaces"):
            existing = Connection.objects.filter(
                tenant=membership.tenant, pk=payload["replaces"], category=category
            ).first()
        conn = existing or Connection(tenant=membership.tenant)
        conn.unified_id = remote.id
        conn.category = category
        conn.integration_type = remote.integration_type or ""
        conn.integration_name = remote.integration_name or remote.integration_type or ""
        conn.permissions = list(remote.permissions)
        conn.interviewer = interviewer
        conn.connected_by = user
        conn.status = Connection.Status.ACTIVE
        conn.disconnected_at = None
        conn.last_error = ""
        conn.last_success_at = timezone.now()
        conn.save()
        audit(
            membership.tenant,
            "connection.connected",
            f"Connected {conn.integration_name} ({conn.get_category_display()})"
            + (f" for {interviewer}" if interviewer else ""),
            actor=user,
            obj=conn,
        )
    after_connect(conn, user)
    return conn


def after_connect(conn, user=None):
    """First work on a new connection: the calendar list and mapping here, the webhook
    subscriptions; the ATS mirror listens to `connection_connected` (candidates builds on
    scheduling, not the reverse)."""
    if conn.category == Connection.Category.CALENDAR:
        refresh_calendars(conn)
        check_meetings(conn)
    transaction.on_commit(functools.partial(register_connection_webhooks.enqueue, str(conn.pk)))
    connection_connected.send(sender=Connection, connection=conn, user=user)


def disconnect(conn, user):
    """Stop every call through this connection; mirrored history stays."""
    with transaction.atomic():
        Connection.objects.filter(pk=conn.pk).update(
            status=Connection.Status.DISCONNECTED, disconnected_at=timezone.now()
        )
        if conn.interviewer_id:
            Interviewer.objects.filter(calendar_connection=conn).update(
                calendar_connection=None, calendar_id=""
            )
        audit(
            conn.tenant,
            "connection.disconnected",
            f"Disconnected {conn.integration_name} ({conn.get_category_display()})",
            actor=user,
            obj=conn,
        )
    conn.refresh_from_db()


# --- webhook subscriptions -------------------------------------------------------------------

# (object_type, event) pairs Convene subscribes to, per category (docs/unified.md §8.2).
SUBSCRIPTIONS = {
    Connection.Category.CALENDAR: [
        ("calendar_event", "updated"),
        ("calendar_event", "deleted"),
    ],
    Connection.Category.ATS: [
        ("ats_interview", "updated"),
        ("ats_interview", "deleted"),
        ("ats_application", "created"),
        ("ats_application", "updated"),
        ("ats_candidate", "updated"),
        ("ats_job", "updated"),
    ],
}


def hook_url():
    return settings.SITE_URL + reverse("unified_webhook")


def register_webhooks(conn):
    """Make sure Unified delivers every change Convene follows for this connection.

    Idempotent: existing subscriptions (same object, event and URL) are kept. Returns the
    number created. A vendor that cannot deliver some object is noted, not fatal: the
    periodic reconcile covers what webhooks do not.
    """
    client = unified()
    url = hook_url()
    existing = {
        (w.object_type, w.event)
        for w in client.list_webhooks(connection_id=conn.unified_id)
        if w.hook_url == url and w.is_healthy is not False
    }
    created = 0
    problems = []
    for object_type, event in SUBSCRIPTIONS[conn.category]:
        if (object_type, event) in existing:
            continue
        try:
            client.create_webhook(
                records.Webhook(
                    connection_id=conn.unified_id,
                    object_type=object_type,
                    event=event,
                    hook_url=url,
                )
            )
            created += 1
        except UnifiedError as exc:
            if exc.retryable:
                raise
            problems.append(f"{object_type} {event}: {exc.message}")
    Connection.objects.filter(pk=conn.pk).update(webhooks_registered_at=timezone.now())
    if problems:
        logger.info("Webhooks not available for %s: %s", conn, "; ".join(problems))
    note_success(conn)
    return created


@task
def register_connection_webhooks(connection_pk):
    conn = Connection.objects.filter(pk=connection_pk, status=Connection.Status.ACTIVE).first()
    if conn is None:
        return
    try:
        register_webhooks(conn)
    except UnifiedError as exc:
        # The hourly job tries again; the reconcile covers the time in between.
        note_failure(conn, exc)


def register_all():
    """Register webhooks for every active connection."""
    created = sum(register_now(conn) or 0 for conn in active_connections())
    return f"{created} webhook subscriptions created" if created else None


def register_now(conn):
    """The periodic job, per connection: its subscriptions made whole again."""
    try:
        created = register_webhooks(conn)
    except UnifiedError as exc:
        # The next turn tries again; the reconcile covers the time in between.
        note_failure(conn, exc)
        return None
    return created or None


def active_connections():
    """Every connection Convene follows: what the per-connection periodic jobs go over."""
    return Connection.objects.filter(status=Connection.Status.ACTIVE).order_by("connected_at")


# --- calendars ----------------------------------------------------------------------------


def refresh_calendars(conn):
    """List the connection's calendars and link interviewers to them.

    Company-wide connections link every interviewer whose email names a calendar (Google and
    Microsoft name a person's primary calendar after their address); a personal connection
    links its interviewer to their primary calendar.
    """
    try:
        calendars = list(unified().list_calendars(conn.unified_id))
    except UnifiedError as exc:
        note_failure(conn, exc)
        raise
    note_success(conn)
    conn.calendars = [
        {
            "id": c.id,
            "name": c.name or c.id,
            "timezone": c.timezone or "",
            "is_primary": bool(c.is_primary),
        }
        for c in calendars
        if c.id
    ]
    conn.save(update_fields=["calendars"])
    link_interviewers_to_calendars(conn)
    return conn.calendars


PROBE_SUBJECT = "Convene: checking whether this calendar adds video links (removed at once)"


def check_meetings(conn):
    """Learn what the calendar can do for meetings by asking it (docs/unified.md, "What a
    calendar can do for meetings"): a private, free, 15-minute event yesterday, with no
    attendees and no notifications, asked for a conference, then removed. A link in the
    answer names the calendar's video ("Google Meet"); a refusal, or an answer without one,
    means it cannot. Returns `where.video_of(conn)`; a failing call leaves it unknown."""
    if conn.category != Connection.Category.CALENDAR or not conn.is_active:
        return where.video_of(conn)
    calendar = next((c for c in conn.calendars if c.get("is_primary")), None) or (
        conn.calendars[0] if conn.calendars else None
    )
    if calendar is None:
        return where.video_of(conn)
    start = (timezone.now() - dt.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    probe = records.Event(
        calendar_id=calendar["id"],
        subject=PROBE_SUBJECT,
        start_at=start,
        end_at=start + dt.timedelta(minutes=15),
        timezone="UTC",
        is_free=True,
        is_private=True,
        has_conference=True,
        send_notifications=False,
    )
    client = unified()
    try:
        created = client.create_event(conn.unified_id, probe)
    except NotSupportedError:
        note_capability(conn, "conference", False)
        note_success(conn)
        return where.video_of(conn)
    except UnifiedError as exc:
        logger.warning("Could not check %s for video links: %s", conn, exc)
        return where.video_of(conn)
    conference = next((c for c in created.conference if c.url), None)
    note_capability(conn, "conference", conference is not None)
    if conference is not None:
        note_capability(
            conn,
            "conference_label",
            conference.label or where.PROVIDER_VIDEO.get(conn.integration_type, ""),
        )
    if created.id:
        try:
            client.remove_event(conn.unified_id, created.id)
        except UnifiedError as exc:
            logger.warning("Could not remove the video check event from %s: %s", conn, exc)
    note_success(conn)
    return where.video_of(conn)


def link_interviewers_to_calendars(conn):
    """Link interviewers who have no calendar yet to this connection's matching calendar."""
    if conn.category != Connection.Category.CALENDAR or not conn.is_active:
        return 0
    if conn.interviewer_id:
        primary = next((c for c in conn.calendars if c["is_primary"]), None) or (
            conn.calendars[0] if conn.calendars else None
        )
        if primary is None:
            return 0
        return Interviewer.objects.filter(pk=conn.interviewer_id).update(
            calendar_connection=conn, calendar_id=primary["id"]
        )
    by_key = {}
    for calendar in conn.calendars:
        for key in (calendar["id"], calendar["name"]):
            if key and "@" in key:
                by_key.setdefault(key.lower(), calendar["id"])
    linked = 0
    unlinked = Interviewer.objects.filter(tenant=conn.tenant, calendar_connection__isnull=True)
    for interviewer in unlinked.exclude(email=""):
        calendar_id = by_key.get(interviewer.email.lower())
        if calendar_id:
            interviewer.calendar_connection = conn
            interviewer.calendar_id = calendar_id
            interviewer.save(update_fields=["calendar_connection", "calendar_id", "updated_at"])
            linked += 1
    return linked


def company_calendar_connections(tenant):
    return Connection.objects.filter(
        tenant=tenant,
        category=Connection.Category.CALENDAR,
        status=Connection.Status.ACTIVE,
        interviewer__isnull=True,
    )


def setup_steps(tenant):
    """Where the team is in getting started: {"ats", "calendar", "plan": done?, "next": the
    first step not done ("ats", "calendar", "plan") or ""}."""
    live = Connection.objects.filter(tenant=tenant).exclude(status=Connection.Status.DISCONNECTED)
    steps = {
        "ats": live.filter(category=Connection.Category.ATS).exists(),
        "calendar": live.filter(category=Connection.Category.CALENDAR).exists(),
        "plan": InterviewPlan.objects.filter(tenant=tenant).exists(),
    }
    steps["next"] = next((step for step in ("ats", "calendar", "plan") if not steps[step]), "")
    return steps
