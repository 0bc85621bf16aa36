"""The way out to Unified: the client for the current settings, and what each call teaches
Convene about a connection's health and its vendor's abilities.

Every service that calls Unified goes through `unified()` and reports the outcome with
`note_success` / `note_failure`, so a connection's page shows the last error and an expired
authorization turns the connection into "needs reconnecting" whoever met it.
"""

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Connection
from .unified.client import UnifiedClient
from .unified.errors import AuthenticationError

logger = logging.getLogger(__name__)


@functools.cache
def _client(_configuration):
    return UnifiedClient.from_settings()


def unified():
    """The Unified client for the current settings (one pooled session per configuration,
    so tests that point the settings at a live sandbox get a client for it)."""
    return _client(
        (
            settings.UNIFIED_BASE_URL,
            settings.UNIFIED_API_TOKEN,
            settings.UNIFIED_CONNECT_TIMEOUT,
            settings.UNIFIED_READ_TIMEOUT,
            settings.UNIFIED_ENV,
        )
    )


def note_success(conn):
    Connection.objects.filter(pk=conn.pk).update(last_success_at=timezone.now())


def note_failure(conn, exc):
    """Remember the last error; an authentication failure means "needs reconnecting"."""
    fields = {"last_error": str(exc)[:2000], "last_error_at": timezone.now()}
    if isinstance(exc, AuthenticationError):
        fields["status"] = Connection.Status.NEEDS_RECONNECT
    Connection.objects.filter(pk=conn.pk).exclude(status=Connection.Status.DISCONNECTED).update(
        **fields
    )
    logger.warning("Unified call through %s failed: %s", conn.unified_id, exc)


def note_capability(conn, capability, supported):
    """Remember what the vendor refused (e.g. interview writes), so it is not asked again."""
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=conn.pk)
        locked.capabilities = {**locked.capabilities, capability: supported}
        locked.save(update_fields=["capabilities"])
    conn.capabilities = locked.capabilities
