"""Verifying Unified's webhook deliveries (docs/unified.md §9).

The signature sits inside the JSON body, so the body has to be parsed to find it; nothing
else of the payload is looked at until `signing.signature_matches` has passed. Parsing is
bounded (size, nesting depth): a stranger's bytes get a SignatureError, never an exception
of the parser. The
undocumented parts of the rule (how `data` is serialized, the digest encoding) live in
signing.py only.
"""

import dataclasses
import hashlib
import json
from collections.abc import Mapping

from . import signing
from .errors import SignatureError
from .records import RECORD_FOR_OBJECT_TYPE, Webhook, WebhookDelivery

# How deep a delivery's JSON may nest. Unified's records nest a handful of levels (a record,
# its attendees, their fields); anything far deeper is no delivery of theirs, and left
# unbounded it would exhaust Python's recursion (`[` × 30,000 was a 500 with a traceback).
MAX_DEPTH = 64


def _refuse_constant(name):
    # NaN and Infinity are not JSON; JavaScript would never have signed them.
    raise ValueError(f"{name} is not JSON")


def _parse(body: bytes, max_bytes: int) -> dict:
    if not isinstance(body, bytes | bytearray):
        raise SignatureError("body must be bytes")
    if len(body) > max_bytes:
        raise SignatureError("body too large")
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("body is not UTF-8") from None
    try:
        # json keeps keys in the order received, which the signed serialization depends on.
        payload = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise SignatureError("body nests too deeply") from None
    except ValueError:
        raise SignatureError("body is not JSON") from None
    if not isinstance(payload, dict):
        raise SignatureError("body is not a JSON object")
    if _depth(payload) > MAX_DEPTH:
        raise SignatureError("body nests too deeply")
    return payload


def _depth(value):
    """How deep `value` nests (a scalar is 0), walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in item)
    return deepest


@dataclasses.dataclass(frozen=True)
class Envelope:
    """A verified delivery before its records are typed: what the receiver stores."""

    connection_id: str | None
    object_type: str
    event: str | None
    type: str | None
    nonce: str
    items: list  # the records as Unified sent them (a bare id becomes {"id": …})
    webhook: dict  # the subscription, as sent
    signature: str | None = None
    external_xref: str | None = None


def verify_envelope(body: bytes, secret: str, *, max_bytes=1_000_000) -> Envelope:
    """The delivery in `body` once its signature checks out, its records left as the JSON
    objects Unified sent; SignatureError (with a short reason, fit for a log line) for
    anything else, including an object type Convene has no record for."""
    if not secret:
        raise SignatureError("no webhook secret configured")
    payload = _parse(body, max_bytes)
    data, nonce = payload.get("data"), payload.get("nonce")
    sig256, sig = payload.get("sig256"), payload.get("sig")
    if not isinstance(data, list):
        raise SignatureError("data is missing or not a list")
    if not isinstance(nonce, str) or not nonce:
        raise SignatureError("nonce is missing")
    if sig256 is None and sig is None:
        raise SignatureError("signature is missing")
    try:
        matches = signing.signature_matches(secret, data, nonce, sig256=sig256, sig=sig)
    except UnicodeEncodeError:  # a lone surrogate in data cannot have been signed as UTF-8
        matches = False
    if not matches:
        raise SignatureError("signature does not match")

    # Verified: from here on the payload is Unified's.
    webhook = payload.get("webhook")
    if not isinstance(webhook, dict):
        raise SignatureError("webhook is missing")
    object_type = webhook.get("object_type")
    if object_type not in RECORD_FOR_OBJECT_TYPE:
        raise SignatureError(f"unknown object_type {object_type!r}")
    # What `data` holds for `deleted` events (whole records or bare ids) is unconfirmed
    # (§9); a bare id becomes a record with only its id.
    items = [
        {"id": item} if isinstance(item, str) else item
        for item in data
        if isinstance(item, str | dict)
    ]
    kind, external_xref, event = payload.get("type"), payload.get("external_xref"), None
    if isinstance(webhook.get("event"), str):
        event = webhook["event"]
    connection_id = webhook.get("connection_id")
    return Envelope(
        connection_id=connection_id if isinstance(connection_id, str) else None,
        object_type=object_type,
        event=event,
        type=kind if isinstance(kind, str) else None,
        nonce=nonce,
        items=items,
        webhook=webhook,
        signature=sig256 if sig256 is not None else sig,
        external_xref=external_xref if isinstance(external_xref, str) else None,
    )


def verify_delivery(body: bytes, secret: str, *, max_bytes=1_000_000) -> WebhookDelivery:
    """The typed delivery in `body` once its signature checks out (`verify_envelope`);
    SignatureError for anything else."""
    envelope = verify_envelope(body, secret, max_bytes=max_bytes)
    webhook = Webhook.from_api(envelope.webhook)
    record = RECORD_FOR_OBJECT_TYPE[envelope.object_type]
    return WebhookDelivery(
        webhook=webhook,
        records=tuple(record.from_api(item) for item in envelope.items),
        nonce=envelope.nonce,
        signature=envelope.signature,
        type=envelope.type,
        external_xref=envelope.external_xref,
    )


def delivery_id(delivery) -> str:
    """A stable key to drop duplicate deliveries: Unified sends no delivery id, so this is a
    sha256 of the nonce. Takes a WebhookDelivery, the parsed body, or the raw body.

    The nonce is the only thing that both identifies a delivery and is covered by the
    signature: the signature text is not (the same digest verifies as hex or base64, and
    `sig` stands in when `sig256` is dropped), nor is the `webhook` part (connection, object
    type, event). A key built from those would let a re-encoded or relabelled copy of a real
    delivery through as new. The secret is the workspace's, so this is unique per workspace.
    Whether Unified keeps the nonce when it retries a delivery is unconfirmed, so processing
    must stay idempotent anyway (records carry `updated_at`)."""
    if isinstance(delivery, WebhookDelivery | Envelope):
        nonce = delivery.nonce
    else:
        if isinstance(delivery, bytes | bytearray | str):
            delivery = json.loads(delivery)
        if not isinstance(delivery, Mapping):
            raise TypeError(f"expected a delivery or its JSON body, got {type(delivery).__name__}")
        nonce = delivery.get("nonce")
    return hashlib.sha256(f"nonce\n{nonce}".encode("utf-8", "surrogatepass")).hexdigest()
