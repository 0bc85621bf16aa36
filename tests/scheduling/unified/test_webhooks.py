"""Webhook deliveries: signed ones verify and become records; anything else is refused."""

import base64
import hashlib
import hmac
import json

import pytest

from scheduling.unified import signing
from scheduling.unified.errors import SignatureError
from scheduling.unified.records import Event, Interview
from scheduling.unified.webhooks import delivery_id, verify_delivery

SECRET = "whsec_3f9a1c0b7e"
CAL = "65f1c2a9b3e4d5f6a7b8c9d0"
NONCE = "b0c7e1f2a9d84c3e"
# Keys deliberately out of alphabetical order, and non-ASCII: the signature covers both.
DATA = [
    {
        "id": "evt_0a1b2c",
        "subject": "Entretien : Zoë Ünal",
        "start_at": "2024-06-04T14:00:00Z",
        "end_at": "2024-06-04T15:00:00Z",
        "calendar_id": "primary",
        "updated_at": "2024-06-03T08:12:09Z",
    }
]
WEBHOOK = {
    "id": "wh_31",
    "connection_id": CAL,
    "object_type": "calendar_event",
    "event": "updated",
    "hook_url": "https://convene.example.com/unified/webhook",
}


def by_hand(algorithm, data=DATA, nonce=NONCE, secret=SECRET):
    """The documented rule, written out independently of signing.py."""
    message = json.dumps(data, separators=(",", ":"), ensure_ascii=False) + nonce
    return hmac.new(secret.encode(), message.encode(), algorithm).digest()


def body(**overrides):
    payload = {
        "data": DATA,
        "webhook": WEBHOOK,
        "nonce": NONCE,
        "sig256": by_hand(hashlib.sha256).hex(),
        "type": "NATIVE",
        "external_xref": "tenant-1",
    }
    payload.update(overrides)
    payload = {k: v for k, v in payload.items() if v is not None}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def test_a_signed_delivery_becomes_typed_records():
    delivery = verify_delivery(body(), SECRET)

    assert delivery.connection_id == CAL
    assert (delivery.object_type, delivery.event) == ("calendar_event", "updated")
    assert delivery.nonce == NONCE
    assert delivery.type == "NATIVE"
    assert delivery.external_xref == "tenant-1"
    [event] = delivery.records
    assert isinstance(event, Event)
    assert event.subject == "Entretien : Zoë Ünal"
    assert event.raw == DATA[0]


@pytest.mark.parametrize(
    "signature",
    [
        {"sig256": by_hand(hashlib.sha256).hex()},
        {"sig256": base64.b64encode(by_hand(hashlib.sha256)).decode()},
        {"sig": by_hand(hashlib.sha1).hex(), "sig256": None},
        {"sig": base64.b64encode(by_hand(hashlib.sha1)).decode(), "sig256": None},
        signing.sign(SECRET, DATA, NONCE),
    ],
    ids=["sig256-hex", "sig256-base64", "legacy-sig-hex", "legacy-sig-base64", "sandbox"],
)
def test_accepts_sig256_and_legacy_sig_in_hex_or_base64(signature):
    assert verify_delivery(body(**signature), SECRET).records[0].id == "evt_0a1b2c"


def test_the_legacy_sig_is_ignored_when_sig256_is_present():
    good_sig, bad_sig256 = by_hand(hashlib.sha1).hex(), "00" * 32
    with pytest.raises(SignatureError, match="does not match"):
        verify_delivery(body(sig=good_sig, sig256=bad_sig256), SECRET)


def test_interview_deliveries_become_interviews():
    data = [{"id": "int_55aa01", "status": "CANCELED", "user_ids": ["emp_104"]}]
    raw = body(
        data=data,
        webhook={**WEBHOOK, "object_type": "ats_interview"},
        sig256=by_hand(hashlib.sha256, data=data).hex(),
    )
    [interview] = verify_delivery(raw, SECRET).records
    assert isinstance(interview, Interview)
    assert interview.status == "CANCELED"


def test_bare_ids_in_data_become_records_with_only_an_id():
    data = ["evt_gone_1"]
    raw = body(
        data=data,
        webhook={**WEBHOOK, "event": "deleted"},
        sig256=by_hand(hashlib.sha256, data=data).hex(),
    )
    [event] = verify_delivery(raw, SECRET).records
    assert isinstance(event, Event)
    assert event.id == "evt_gone_1"


def tampered():
    payload = json.loads(body())
    payload["data"][0]["start_at"] = "2024-06-05T14:00:00Z"
    return json.dumps(payload).encode()


def reordered():
    payload = json.loads(body())
    payload["data"] = [dict(sorted(payload["data"][0].items()))]
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("raw", "secret", "reason"),
    [
        (tampered(), SECRET, "does not match"),
        (reordered(), SECRET, "does not match"),
        (body(nonce="another-nonce"), SECRET, "does not match"),
        (body(), "a-different-secret", "does not match"),
        (body(), "", "no webhook secret"),
        (body(sig256="not-a-signature"), SECRET, "does not match"),
        (body(sig256=12345), SECRET, "does not match"),
        (body(nonce=None), SECRET, "nonce"),
        (body(nonce=""), SECRET, "nonce"),
        (body(nonce=7), SECRET, "nonce"),
        (body(sig256=None), SECRET, "signature is missing"),
        (body(data=None), SECRET, "data"),
        (body(data={"id": "evt_0a1b2c"}), SECRET, "data"),
        (b"not json at all", SECRET, "not JSON"),
        (b'{"data": [NaN], "nonce": "n", "sig256": "x"}', SECRET, "not JSON"),
        (b"\xff\xfe{}", SECRET, "not UTF-8"),
        (b"[1, 2, 3]", SECRET, "not a JSON object"),
        ("a str, not bytes", SECRET, "bytes"),
    ],
    ids=[
        "tampered-data",
        "reordered-keys",
        "tampered-nonce",
        "wrong-secret",
        "no-secret",
        "garbage-signature",
        "signature-not-a-string",
        "missing-nonce",
        "empty-nonce",
        "nonce-not-a-string",
        "missing-signature",
        "missing-data",
        "data-not-a-list",
        "not-json",
        "nan",
        "not-utf8",
        "not-an-object",
        "not-bytes",
    ],
)
def test_refuses_anything_not_signed_by_unified(raw, secret, reason):
    with pytest.raises(SignatureError, match=reason):
        verify_delivery(raw, secret)


def test_refuses_an_oversized_body_before_parsing_it():
    padding = "x" * 2_000
    with pytest.raises(SignatureError, match="too large"):
        verify_delivery(body(padding=padding), SECRET, max_bytes=1_000)
    assert verify_delivery(body(padding=padding), SECRET, max_bytes=10_000)


def test_a_lone_surrogate_in_data_is_a_mismatch_not_a_crash():
    raw = body().replace(b"Entretien", rb"\ud800Entretien")
    with pytest.raises(SignatureError, match="does not match"):
        verify_delivery(raw, SECRET)


def test_an_unknown_object_type_is_refused_after_verification():
    with pytest.raises(SignatureError, match="object_type"):
        verify_delivery(body(webhook={**WEBHOOK, "object_type": "crm_deal"}), SECRET)


def test_delivery_id_is_stable_and_the_same_from_body_or_delivery():
    raw = body()
    delivery = verify_delivery(raw, SECRET)
    assert delivery_id(delivery) == delivery_id(raw) == delivery_id(json.loads(raw))
    assert len(delivery_id(delivery)) == 64


def test_delivery_id_differs_between_deliveries():
    other_nonce = "9d2e4f6a8b0c1e3f"
    other = body(nonce=other_nonce, sig256=by_hand(hashlib.sha256, nonce=other_nonce).hex())
    assert delivery_id(body()) != delivery_id(other)


def test_delivery_id_ignores_what_the_signature_does_not_cover():
    """A replay is the same delivery whatever its signature's encoding, with the legacy `sig`
    instead of `sig256`, or with another label in the unsigned `webhook` part."""
    digest = by_hand(hashlib.sha256)
    variants = [
        body(sig256=base64.b64encode(digest).decode()),
        body(sig256=None, sig=by_hand(hashlib.sha1).hex()),
        body(webhook={**WEBHOOK, "event": "deleted"}),
    ]
    for variant in variants:
        assert delivery_id(verify_delivery(variant, SECRET)) == delivery_id(body())
