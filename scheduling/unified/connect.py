"""Unified Connect (docs/unified.md §10): the authorization URL a tenant admin is sent
to, the signed `state` that comes back with the new connection id, and reading that redirect.

Flow: sign_state → authorization_url → the browser visits the vendor → Unified redirects to
success_redirect with `id` and `state` (or to failure_redirect with `error`) → read_callback
→ read_state → UnifiedClient.get_connection(id) to confirm categories and permissions.
"""

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.core import signing

STATE_SALT = "convene.connect"
STATE_MAX_AGE = 30 * 60  # seconds: long enough to sign in at a vendor, short enough to not linger


class BadState(Exception):
    """The `state` on a Connect redirect cannot be trusted: `reason` is "missing",
    "tampered", "expired" or "malformed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ConnectCallback:
    """What Unified put on the redirect back: `connection_id` on success, `error` on failure
    or cancel. Neither is trusted until `state` has been read with read_state."""

    connection_id: str | None
    state: str | None
    error: str | None


def authorization_url(
    base_url: str,
    workspace_id: str,
    integration_type: str,
    *,
    success_redirect: str,
    failure_redirect: str,
    state: str,
    external_xref: str | None = None,
    scopes: Iterable[str] = (),
    env: str | None = None,
    redirect: bool = True,
) -> str:
    """The URL to send the admin's browser to (no auth header: it is public).

    Whether Unified keeps a query string already on the redirect URLs is unconfirmed (§14.13),
    so pass redirect URLs without one and carry everything in `state`.
    """
    if isinstance(scopes, str):
        scopes = (scopes,)
    params = {
        "success_redirect": success_redirect,
        "failure_redirect": failure_redirect,
        "state": state,
        "external_xref": external_xref,
        # Unified's own Connect widget sends scopes as one comma-joined value.
        "scopes": ",".join(scopes) or None,
        "env": env,
        # redirect=1 sends the browser straight to the vendor; without it Unified answers with
        # the vendor URL as text/plain.
        "redirect": "1" if redirect else None,
    }
    query = urlencode([(k, v) for k, v in params.items() if v is not None])
    path = f"/unified/integration/auth/{quote(workspace_id, safe='')}/"
    return f"{base_url.rstrip('/')}{path}{quote(integration_type, safe='')}?{query}"


def sign_state(payload: dict, *, salt: str = STATE_SALT) -> str:
    """A signed, timestamped `state` for the round trip through Unified. A random `nonce` is
    added when the payload has none, so the caller can also refuse a replayed state."""
    payload = dict(payload)
    if not payload.get("nonce"):
        payload["nonce"] = secrets.token_urlsafe(16)
    return signing.dumps(payload, salt=salt, compress=False)


def read_state(state: str, *, max_age: int = STATE_MAX_AGE, salt: str = STATE_SALT) -> dict:
    """The payload given to sign_state, or BadState saying why not."""
    if not isinstance(state, str) or not state:
        raise BadState("missing")
    try:
        payload = signing.loads(state, salt=salt, max_age=max_age)
    except signing.SignatureExpired:  # a subclass of BadSignature: catch it first
        raise BadState("expired") from None
    except signing.BadSignature:
        raise BadState("tampered") from None
    if not isinstance(payload, dict) or not payload.get("nonce"):
        raise BadState("malformed")
    return payload


def read_callback(query: Mapping[str, str]) -> ConnectCallback:
    """The connection id, state and error from the redirect's query (request.GET)."""

    def value(name):
        text = query.get(name)
        return (text.strip() or None) if isinstance(text, str) else None

    return ConnectCallback(connection_id=value("id"), state=value("state"), error=value("error"))
