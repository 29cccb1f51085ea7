"""The HMAC request signature of PROTOCOL.md §1, shared by the push client and the webhook."""

import base64
import hashlib
import hmac
import secrets
import time

from .const import HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, SIGNATURE_MAX_AGE

SIGNATURE_PREFIX = "v1="


def generate_secret() -> str:
    """Return a new pairing secret: 32 random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def generate_nonce() -> str:
    """Return a fresh URL-safe nonce of 22 characters."""
    return secrets.token_urlsafe(16)


def sign(secret: str, purpose: str, timestamp: int, nonce: str, body: bytes) -> str:
    """Return the `v1=<hex>` signature of a request body."""
    # The key is the secret's base64url text, not its decoded bytes (PROTOCOL.md §1).
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
) -> bool:
    """Tell whether headers carry a fresh, well-formed and valid signature of the body.

    Replay protection (remembering accepted nonces) is the receiver's job.
    """
    if timestamp is None or nonce is None or signature is None:
        return False
    if not timestamp.isdigit() or len(nonce) < 16 or not nonce.isascii():
        return False
    if not all(char.isalnum() or char in "-_" for char in nonce):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    expected = sign(secret, purpose, int(timestamp), nonce, body)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace"))
