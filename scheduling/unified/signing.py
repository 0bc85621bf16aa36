"""How Unified signs webhook deliveries: the one place that encodes the undocumented parts.

Documented (docs/unified.md §9.1): `sig256 = HMAC-SHA256(workspace secret, data + nonce)`,
legacy `sig` the same with SHA-1, both inside the JSON body.

NOT documented, chosen here as the most likely and kept in this module only, so the day a real
delivery is captured they can be corrected in one place:
  * `data` is serialized the way JavaScript's JSON.stringify does it: compact separators, keys
    in the order received, non-ASCII left as is (`serialize_data`);
  * the nonce is appended with no separator;
  * the key is the secret's UTF-8 bytes;
  * the digest is sent hex-encoded (`SIGNATURE_ENCODING`); the verifier also accepts base64.
The sandbox signs with exactly these functions.
"""

import base64
import hashlib
import hmac
import json

SIGNATURE_ENCODING = "hex"  # a project choice, not a Unified fact: see the module docstring


def serialize_data(data) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _digest(secret: str, data, nonce: str, algorithm) -> bytes:
    message = (serialize_data(data) + nonce).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, algorithm).digest()


def _encode(digest: bytes, encoding: str) -> str:
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")


def sign(secret: str, data, nonce: str, *, encoding: str = SIGNATURE_ENCODING) -> dict:
    """The signature fields Unified puts in a delivery body: {"sig256": …, "sig": …}."""
    return {
        "sig256": _encode(_digest(secret, data, nonce, hashlib.sha256), encoding),
        "sig": _encode(_digest(secret, data, nonce, hashlib.sha1), encoding),
    }


def signature_matches(secret: str, data, nonce: str, *, sig256=None, sig=None) -> bool:
    """True when `sig256` (or, only when it is absent, the legacy `sig`) matches, in either
    encoding. Comparisons are constant-time."""
    if sig256 is not None:
        provided, algorithm = sig256, hashlib.sha256
    elif sig is not None:
        provided, algorithm = sig, hashlib.sha1
    else:
        return False
    if not isinstance(provided, str):
        return False
    digest = _digest(secret, data, nonce, algorithm)
    provided_bytes = provided.encode("utf-8")
    matches = False
    for encoding in ("hex", "base64"):
        expected = _encode(digest, encoding).encode("utf-8")
        # Evaluate both: no early exit on the first encoding.
        matches |= hmac.compare_digest(expected, provided_bytes)
    return matches
