"""The HMAC request signature of docs/protocol.md §1, shared by the push client and the webhook."""

import base64
import hashlib
import hmac
import re
import secrets
import time
from enum import Enum

from .const import HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SIGNATURE_MAX_AGE

SIGNATURE_PREFIX = "v1="
# ASCII only: str.isdigit() also accepts "²" or "٣", which int() then refuses or reads.
# Twelve digits reach the year 33658; a longer header is garbage, never worth an int().
TIMESTAMP_PATTERN = re.compile(r"[0-9]{1,12}")
# The addon's bounds (NONCE_MIN_LENGTH, NONCE_MAX_LENGTH in its signing module).
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")


class Verdict(Enum):
    """What a signature check concluded."""

    VALID = "valid"
    # Correctly signed, but the timestamp is too far from this clock (clock skew).
    STALE = "stale"
    REFUSED = "refused"


def generate_secret() -> str:
    """Return a new pairing secret: 32 random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def generate_nonce() -> str:
    """Return a fresh URL-safe nonce of 22 characters."""
    return secrets.token_urlsafe(16)


def sign(secret: str, purpose: str, timestamp: int, nonce: str, body: bytes) -> str:
    """Return the `v1=<hex>` signature of a request body."""
    # The key is the secret's base64url text, not its decoded bytes (docs/protocol.md §1).
    message = f"v1\n{purpose}\n{timestamp}\n{nonce}\n".encode() + body
    digest = hmac.new(secret.encode("ascii"), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signed_headers(
    secret: str, purpose: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """Return the three signature headers for a request body."""
    timestamp = int(time.time() if now is None else now)
    nonce = generate_nonce()
    return {
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: sign(secret, purpose, timestamp, nonce, body),
    }


def verify(
    secret: str,
    purpose: str,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> Verdict:
    """Check that headers carry a well-formed, valid and fresh signature of the body.

    A request is called stale only when its signature is valid, so only someone holding the
    secret learns that the clocks differ. Replay protection (remembering accepted nonces) is
    the receiver's job.
    """
    if timestamp is None or nonce is None or signature is None:
        return Verdict.REFUSED
    if not TIMESTAMP_PATTERN.fullmatch(timestamp) or not NONCE_PATTERN.fullmatch(nonce):
        return Verdict.REFUSED
    expected = sign(secret, purpose, int(timestamp), nonce, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        return Verdict.REFUSED
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > SIGNATURE_MAX_AGE:
        return Verdict.STALE
    return Verdict.VALID
