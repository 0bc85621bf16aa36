"""Verifying Unified's webhook deliveries (docs/unified.md §9).

The signature sits inside the JSON body, so the body has to be parsed to find it; nothing
else of the payload is looked at until `signing.signature_matches` has passed. Parsing is
bounded (size, nesting depth): a stranger's bytes get a SignatureError, never an exception
of the parser. The
undocumented parts of the rule (how `data` is serialized, the digest encoding) live in
signing.py only.
"""

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


def verify_delivery(body: bytes, secret: str, *, max_bytes=1_000_000) -> WebhookDelivery:
    """The typed delivery in `body` once its signature checks out; SignatureError (with a
    short reason, fit for a log line) for anything else."""
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
    webhook_data = payload.get("webhook")
    if not isinstance(webhook_data, dict):
        raise SignatureError("webhook is missing")
    webhook = Webhook.from_api(webhook_data)
    record = RECORD_FOR_OBJECT_TYPE.get(webhook.object_type)
    if record is None:
        raise SignatureError(f"unknown object_type {webhook.object_type!r}")
    records = []
    for item in data:
        # What `data` holds for `deleted` events (whole records or bare ids) is unconfirmed
        # (§9); a bare id becomes a record with only its id.
        if isinstance(item, str):
            item = {"id": item}
        if isinstance(item, dict):
            records.append(record.from_api(item))
    external_xref = payload.get("external_xref")
    kind = payload.get("type")
    return WebhookDelivery(
        webhook=webhook,
        records=tuple(records),
        nonce=nonce,
        signature=sig256 if sig256 is not None else sig,
        type=kind if isinstance(kind, str) else None,
        external_xref=external_xref if isinstance(external_xref, str) else None,
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
    if isinstance(delivery, WebhookDelivery):
        nonce = delivery.nonce
    else:
        if isinstance(delivery, bytes | bytearray | str):
            delivery = json.loads(delivery)
        if not isinstance(delivery, Mapping):
            raise TypeError(f"expected a delivery or its JSON body, got {type(delivery).__name__}")
        nonce = delivery.get("nonce")
    return hashlib.sha256(f"nonce\n{nonce}".encode("utf-8", "surrogatepass")).hexdigest()
