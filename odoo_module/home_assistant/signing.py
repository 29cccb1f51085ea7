"""The wire protocol's constants and its HMAC signing scheme (PROTOCOL.md §1), in one place.

Everything on the Odoo side that knows a header name, a limit or how a signature is built
imports it from here, so the contract is never re-typed.
"""

import hashlib
import hmac
import secrets
import time

PROTOCOL_VERSION = 1
SIGNATURE_SCHEME = "v1"

PURPOSE_PUSH = "push"
PURPOSE_COMMAND = "command"

HEADER_TIMESTAMP = "X-Bridge-Timestamp"
HEADER_NONCE = "X-Bridge-Nonce"
HEADER_SIGNATURE = "X-Bridge-Signature"

# A signed request is accepted within this many seconds of the receiver's clock, and its
# nonce is remembered at least that long so it can never be replayed inside the window.
TIMESTAMP_WINDOW_SECONDS = 300
NONCE_MIN_LENGTH = 16
NONCE_MAX_LENGTH = 128
NONCE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

# Size limits of a push (PROTOCOL §3): raw body as received and after gzip decoding.
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_DECODED_BYTES = 16 * 1024 * 1024
# HA sends at most 1000 events per batch; anything far beyond is refused as too large so
# that HA splits it instead of Odoo holding one huge transaction.
MAX_EVENTS_PER_BATCH = 5000

PUSH_ROUTE = "/home_assistant/push/<string:instance_uuid>"
PUSH_PATH = "/home_assistant/push/{uuid}"

# Commands (PROTOCOL §4): posted to the pairing's `command_url` when it has one, else here
# under `ha_url`. Never gzipped (HA decompresses before the handler sees the signed bytes).
COMMAND_PATH = "/api/webhook/{webhook_id}"
MAX_COMMAND_BYTES = 1024 * 1024

# The `history` command's bounds (both halves enforce them; Home Assistant answers 400
# `invalid` beyond them, Odoo refuses before sending).
MAX_HISTORY_ENTITIES = 100
MAX_HISTORY_DAYS = 31

# The `fire_event` command's bounds: events live in the `odoo_` namespace, and their data
# encodes (compact JSON) to at most this many bytes.
EVENT_TYPE_PATTERN = r"^odoo_[a-z0-9_]{1,59}$"
# Home Assistant's own audit event of every command: never Odoo's to fire.
RESERVED_EVENT_TYPE = "odoo_command_received"
MAX_EVENT_DATA_BYTES = 16 * 1024

# The `figures` command's bounds (every figure of an instance, at most this many).
MAX_FIGURES = 200
FIGURE_KEY_PATTERN = r"^[a-z0-9_]{1,64}$"
MAX_FIGURE_NAME_LENGTH = 128
MAX_FIGURE_UNIT_LENGTH = 32
FIGURE_ICON_PATTERN = r"^mdi:[a-z0-9-]{1,64}$"
FIGURE_STATE_CLASSES = ("measurement", "total", "total_increasing")

# The `camera_snapshot` command's bounds: the still's bytes (before base64) Home Assistant
# sends at most, and the width and height Odoo may ask for.
MAX_CAMERA_IMAGE_BYTES = 2 * 1024 * 1024
MAX_CAMERA_IMAGE_PIXELS = 4096

# Error codes (`error.code` of an answer): docs/protocol.md §4, "Error codes".
CODE_UNAUTHORIZED = "unauthorized"
# Refused only because the timestamp is outside the window: the answer's `error` also
# carries `server_time`, the receiver's clock in Unix seconds, so the sender can name the skew.
CODE_STALE_TIMESTAMP = "stale_timestamp"
CODE_BAD_REQUEST = "bad_request"
CODE_UNSUPPORTED_VERSION = "unsupported_version"
CODE_LENGTH_REQUIRED = "length_required"
CODE_TOO_LARGE = "too_large"
CODE_INSTANCE_REMOVED = "instance_removed"
# What Home Assistant answers to a command.
CODE_INVALID = "invalid"
CODE_NOT_ALLOWED = "not_allowed"
CODE_UNKNOWN_SERVICE = "unknown_service"
CODE_TOO_MANY_REQUESTS = "too_many_requests"
CODE_SERVICE_FAILED = "service_failed"
CODE_TIMEOUT = "timeout"
CODE_IMAGE_TOO_LARGE = "image_too_large"
ERROR_CODES = (
    CODE_UNAUTHORIZED,
    CODE_STALE_TIMESTAMP,
    CODE_BAD_REQUEST,
    CODE_UNSUPPORTED_VERSION,
    CODE_LENGTH_REQUIRED,
    CODE_TOO_LARGE,
    CODE_INSTANCE_REMOVED,
    CODE_INVALID,
    CODE_NOT_ALLOWED,
    CODE_UNKNOWN_SERVICE,
    CODE_TOO_MANY_REQUESTS,
    CODE_SERVICE_FAILED,
    CODE_TIMEOUT,
    CODE_IMAGE_TOO_LARGE,
)


def string_to_sign(purpose: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """Return the exact bytes that are signed: four header lines followed by the raw body."""
    head = f"{SIGNATURE_SCHEME}\n{purpose}\n{timestamp}\n{nonce}\n"
    return head.encode("ascii") + body


def sign(secret: str, purpose: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Return the `X-Bridge-Signature` header value for a request.

    The key is the secret's base64url *text* as ASCII bytes, not the decoded bytes.
    """
    digest = hmac.new(
        secret.encode("ascii"),
        string_to_sign(purpose, timestamp, nonce, body),
        hashlib.sha256,
    ).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def signed_headers(secret: str, purpose: str, body: bytes) -> dict[str, str]:
    """Return the three signature headers of a request sent now with a fresh nonce."""
    timestamp = str(int(time.time()))
    nonce = secrets.token_urlsafe(24)
    return {
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: sign(secret, purpose, timestamp, nonce, body),
    }


def verify(
    secret: str, purpose: str, timestamp: str, nonce: str, body: bytes, signature: str
) -> bool:
    """Tell whether `signature` was made with `secret` for this request, in constant time."""
    expected = sign(secret, purpose, timestamp, nonce, body)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace"))


def parse_timestamp(value: str | None) -> int | None:
    """Return the header's Unix seconds, or None when it is missing or not a plain integer."""
    if not value or len(value) > 12 or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def is_valid_nonce(value: str | None) -> bool:
    """Tell whether a nonce header has the length and URL-safe alphabet the protocol requires."""
    return (
        value is not None
        and NONCE_MIN_LENGTH <= len(value) <= NONCE_MAX_LENGTH
        and set(value) <= NONCE_CHARACTERS
    )


def is_valid_signature_header(value: str | None) -> bool:
    """Tell whether a signature header is `v1=` followed by 64 lowercase hex digits."""
    prefix = f"{SIGNATURE_SCHEME}="
    if not value or not value.startswith(prefix):
        return False
    digest = value[len(prefix) :]
    return len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
