"""Self-scheduling links: their tokens, sending, revoking, visits and reminders.

The token is the link's id signed with a salt used for nothing else (Django's signing, an
HMAC checked in constant time). It carries no personal data and never changes; what the link
may do comes from its row, so revoking or expiring a link needs no token bookkeeping, and a
tampered token is told apart from one that was revoked or expired.
"""

import datetime as dt
import functools
import ipaddress
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from scheduling import emails
from scheduling.models import audit

from .models import BookingLink, LinkVisit

SALT = "convene.booking-link"
_signer = signing.Signer(salt=SALT, sep=".")


class LinkError(Exception):
    """Why a link cannot be used: `kind` is tampered, unknown, expired or revoked."""

    def __init__(self, kind, link=None):
        super().__init__(kind)
        self.kind = kind
        self.link = link


def token_for(link):
    return _signer.sign(str(link.pk))


def url_for(link):
    return settings.SITE_URL + reverse("booking_page", args=[token_for(link)])


def resolve(token, *, now=None, allow_expired=False):
    """The link a token names, or LinkError saying what is wrong with it."""
    try:
        link_id = uuid.UUID(_signer.unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise LinkError("tampered") from exc
    link = (
        BookingLink.objects.select_related(
            "tenant", "application__candidate", "application__job", "plan", "interview"
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise LinkError("unknown")
    if link.state == BookingLink.State.REVOKED:
        raise LinkError("revoked", link)
    if not allow_expired and link.is_expired(now or timezone.now()):
        raise LinkError("expired", link)
    return link


# --- sending ----------------------------------------------------------------------------------


def _render(template, values):
    """The tenant's own email text with {placeholders}; unknown ones are left as written."""

    class Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    return template.format_map(Keep(values))


def email_text(link):
    """(subject, body) of the booking email for `link`, from the tenant's template."""
    tenant = link.tenant
    candidate = link.application.candidate
    zone = emails.zone(candidate.timezone or tenant.default_timezone)
    values = {
        "first_name": candidate.greeting_name,
        "name": candidate.name,
        "job": link.application.job.name if link.application.job else "the open",
        "company": tenant.name,
        "link": url_for(link),
        "expires": timezone.localtime(link.expires_at, zone).strftime("%A %-d %B, %H:%M %Z"),
    }
    return _render(tenant.link_email_subject, values), _render(tenant.link_email_body, values)


def create_link(application, plan, *, user, window_start, window_end, expires_at, send=True):
    """Create a link (revoking the application's earlier open ones) and email it."""
    candidate = application.candidate
    if not candidate.email:
        raise ValueError(f"{candidate} has no email address in the ATS.")
    with transaction.atomic():
        for old in BookingLink.objects.filter(
            application=application, state=BookingLink.State.OPEN
        ):
            revoke(old, user=user, why="a new link was sent")
        link = BookingLink.objects.create(
            tenant=application.tenant,
            application=application,
            plan=plan,
            sent_to=candidate.email,
            created_by=user,
            window_start=window_start,
            window_end=window_end,
            expires_at=expires_at,
        )
        audit(
            application.tenant,
            "link.created",
            f"Sent {candidate} a self-scheduling link for {plan}",
            actor=user,
            obj=link,
        )
        if send:
            transaction.on_commit(functools.partial(send_link_email.enqueue, str(link.pk)))
    return link


@task
def send_link_email(link_id, reminder=False):
    link = BookingLink.objects.select_related(
        "tenant", "application__candidate", "application__job"
    ).get(pk=link_id)
    if link.state != BookingLink.State.OPEN:
        return
    subject, body = email_text(link)
    if reminder:
        subject = f"Reminder: {subject}"
    emails.send(
        "booking_link",
        tenant=link.tenant,
        to=[link.sent_to],
        context={"subject": subject, "text": body, "url": url_for(link)},
        obj=link,
    )
    now = timezone.now()
    fields = {"sent_at": F("sent_at")} if link.sent_at else {"sent_at": now}
    if reminder:
        fields.update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now)
    BookingLink.objects.filter(pk=link.pk).update(**fields)


def resend(link, *, user):
    if link.state != BookingLink.State.OPEN:
        raise ValueError("Only an open link can be sent again.")
    audit(link.tenant, "link.resent", "Sent the booking link again", actor=user, obj=link)
    transaction.on_commit(functools.partial(send_link_email.enqueue, str(link.pk)))


def revoke(link, *, user=None, why=""):
    """Stop the link working; an interview it booked stays (cancel that separately)."""
    updated = BookingLink.objects.filter(pk=link.pk, version=link.version).update(
        state=BookingLink.State.REVOKED, revoked_at=timezone.now(), version=F("version") + 1
    )
    if updated:
        audit(
            link.tenant,
            "link.revoked",
            "Revoked the booking link" + (f": {why}" if why else ""),
            actor=user,
            obj=link,
        )
    link.refresh_from_db()
    return link


def send_reminders(now=None):
    """Remind candidates whose link is open and unbooked after the tenant's delay, at most
    once a day and at most twice in all. Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    links = BookingLink.objects.filter(
        state=BookingLink.State.OPEN,
        expires_at__gt=now + dt.timedelta(hours=2),
        sent_at__isnull=False,
        reminders_sent__lt=2,
        tenant__link_reminder_hours__gt=0,
    ).select_related("tenant")
    for link in links:
        due = link.sent_at + dt.timedelta(hours=link.tenant.link_reminder_hours)
        if now < due:
            continue
        if link.last_reminded_at and now - link.last_reminded_at < dt.timedelta(days=1):
            continue
        claimed = BookingLink.objects.filter(
            pk=link.pk, last_reminded_at=link.last_reminded_at
        ).update(last_reminded_at=now)
        if claimed:
            send_link_email.enqueue(str(link.pk), reminder=True)
            queued += 1
    return queued


# --- visits and rate limits -------------------------------------------------------------------


def _network(ip):
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def record_visit(link, request):
    """Count an opening of the page (GET or HEAD); never changes what the link may do."""
    now = timezone.now()
    LinkVisit.objects.create(
        link=link,
        method=request.method,
        network=_network(request.META.get("REMOTE_ADDR")),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
    BookingLink.objects.filter(pk=link.pk).update(
        open_count=F("open_count") + 1,
        last_opened_at=now,
        first_opened_at=link.first_opened_at or now,
    )


def allow(key, limit, per_seconds=60):
    """A fixed-window rate limit in the cache: True while `key` stays under `limit`."""
    window = int(timezone.now().timestamp() // per_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, per_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, per_seconds + 5)
        count = 1
    return count <= limit
