"""docs/protocol.md §1: both test vectors, and what verification refuses."""

import hashlib
import hmac

import pytest

from custom_components.odoo.const import PURPOSE_COMMAND, PURPOSE_PUSH
from custom_components.odoo.signing import Verdict, generate_secret, sign, signed_headers, verify

SECRET = "S2V5LWZvci10ZXN0LXZlY3RvcnMtb25seS0zMmJ5dGVz"
TIMESTAMP = 1764352800
PUSH_BODY = (
    b'{"v":1,"batch_id":"b1","seq":1,"sent_at":"2025-11-28T18:00:00+00:00",'
    b'"snapshot":false,"events":[]}'
)
COMMAND_BODY = b'{"v":1,"id":"c1","type":"ping"}'


def test_push_vector() -> None:
    """The push test vector of docs/protocol.md §1 is reproduced."""
    assert sign(SECRET, PURPOSE_PUSH, TIMESTAMP, "bm9uY2UtMDAwMDAwMDE", PUSH_BODY) == (
        "v1=3d490d0d27dc3144f144f634c39ff6c42d935fef34dd1b53e084d14e776690f6"
    )


def test_command_vector() -> None:
    """The command test vector of docs/protocol.md §1 is reproduced."""
    assert sign(SECRET, PURPOSE_COMMAND, TIMESTAMP, "bm9uY2UtMDAwMDAwMDI", COMMAND_BODY) == (
        "v1=1c243a59d7b581ad77abb936eb6e23e69774faa65eca25f1a67d9fc2aeed0652"
    )


def test_secret_is_32_bytes_base64url_without_padding() -> None:
    """A generated secret is 43 URL-safe characters and differs every time."""
    secret = generate_secret()
    assert len(secret) == 43
    assert "=" not in secret
    assert all(char.isalnum() or char in "-_" for char in secret)
    assert secret != generate_secret()


def test_signed_headers_verify() -> None:
    """Headers produced for a body verify against that body and purpose only."""
    headers = signed_headers(SECRET, PURPOSE_PUSH, PUSH_BODY, now=TIMESTAMP)
    args = (
        headers["X-Bridge-Timestamp"],
        headers["X-Bridge-Nonce"],
        headers["X-Bridge-Signature"],
    )
    assert verify(SECRET, PURPOSE_PUSH, *args, PUSH_BODY, now=TIMESTAMP + 10) is Verdict.VALID
    refused = Verdict.REFUSED
    assert verify(SECRET, PURPOSE_COMMAND, *args, PUSH_BODY, now=TIMESTAMP) is refused
    assert verify(SECRET, PURPOSE_PUSH, *args, PUSH_BODY + b" ", now=TIMESTAMP) is refused
    assert verify(generate_secret(), PURPOSE_PUSH, *args, PUSH_BODY, now=TIMESTAMP) is refused


@pytest.mark.parametrize(
    ("timestamp", "nonce", "signature", "now"),
    [
        (None, "bm9uY2UtMDAwMDAwMDI", "v1=00", TIMESTAMP),
        ("1764352800", None, "v1=00", TIMESTAMP),
        ("1764352800", "bm9uY2UtMDAwMDAwMDI", None, TIMESTAMP),
        ("not-a-number", "bm9uY2UtMDAwMDAwMDI", "v1=00", TIMESTAMP),
        ("1764352800", "short", "v1=00", TIMESTAMP),
        ("1764352800", "has space in the nonce", "v1=00", TIMESTAMP),
        ("1764352800", "bm9uY2UtMDAwMDAwMDI", "v1=ü", TIMESTAMP),
        ("1764352800", "n" * 129, "v1=00", TIMESTAMP),
    ],
)
def test_malformed_headers_are_refused(
    timestamp: str | None, nonce: str | None, signature: str | None, now: int
) -> None:
    """Missing or malformed headers never verify."""
    verdict = verify(SECRET, PURPOSE_COMMAND, timestamp, nonce, signature, COMMAND_BODY, now=now)
    assert verdict is Verdict.REFUSED


@pytest.mark.parametrize(
    "timestamp",
    [
        "²",  # str.isdigit() is true, int() raises
        "١٧٦٤٣٥٢٨٠٠",  # Arabic-Indic digits: int() reads them as 1764352800
        "9" * 5000,  # int() of thousands of digits: slow, then refused by Python itself
        "1764352800\n",
        " 1764352800",
        "+1764352800",
        "",
    ],
    ids=["superscript", "arabic", "5000_digits", "newline", "blank", "plus", "empty"],
)
def test_only_a_short_run_of_ascii_digits_is_a_timestamp(timestamp: str) -> None:
    """A timestamp header that is not 1 to 12 ASCII digits is refused, never an exception,
    even when its signature was computed over that very text."""
    nonce = "bm9uY2UtMDAwMDAwMDI"
    message = f"v1\ncommand\n{timestamp}\n{nonce}\n".encode() + COMMAND_BODY
    signature = "v1=" + hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    verdict = verify(SECRET, PURPOSE_COMMAND, timestamp, nonce, signature, COMMAND_BODY, TIMESTAMP)
    assert verdict is Verdict.REFUSED


@pytest.mark.parametrize("skew", [-301, 301])
def test_stale_timestamp_is_refused(skew: int) -> None:
    """A correct signature more than 300 s away from the clock is stale, not valid."""
    nonce = "bm9uY2UtMDAwMDAwMDI"
    signature = sign(SECRET, PURPOSE_COMMAND, TIMESTAMP, nonce, COMMAND_BODY)
    fresh = verify(
        SECRET, PURPOSE_COMMAND, str(TIMESTAMP), nonce, signature, COMMAND_BODY, TIMESTAMP + 300
    )
    assert fresh is Verdict.VALID
    stale = verify(
        SECRET, PURPOSE_COMMAND, str(TIMESTAMP), nonce, signature, COMMAND_BODY, TIMESTAMP + skew
    )
    assert stale is Verdict.STALE


def test_a_stale_timestamp_with_a_wrong_signature_is_only_refused() -> None:
    """Only a correct signature learns that the clocks differ."""
    nonce = "bm9uY2UtMDAwMDAwMDI"
    verdict = verify(
        SECRET, PURPOSE_COMMAND, str(TIMESTAMP), nonce, "v1=00", COMMAND_BODY, TIMESTAMP + 3600
    )
    assert verdict is Verdict.REFUSED
