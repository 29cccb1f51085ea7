"""Sending one signed command to Home Assistant's webhook and reading its answer (PROTOCOL §4).

No ORM here: `send_command` takes the URL, the secret and the command, and returns a
`CommandAnswer` that says what happened in the protocol's terms. Whatever Home Assistant
or the network does, it returns an answer and never raises; messages never contain the URL
(a webhook or cloudhook URL is a credential) nor the secret.
"""

import dataclasses
import json
import math
import time
from dataclasses import dataclass

import requests

from .push_schema import decode_json
from .signing import (
    CODE_STALE_TIMESTAMP,
    CODE_TIMEOUT,
    HEADER_TIMESTAMP,
    PURPOSE_COMMAND,
    signed_headers,
)

# Home Assistant answers 504 after 10 s; reading waits a little longer for that answer.
CONNECT_TIMEOUT_SECONDS = 3.05
READ_TIMEOUT_SECONDS = 12
MAX_ANSWER_BYTES = 4 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
# A larger clock difference is no clock's: it would not fit the audit log's integer either.
MAX_CLOCK_OFFSET_SECONDS = 2**31 - 1

# Odoo's own codes for outcomes Home Assistant could not name.
CODE_UNREACHABLE = "unreachable"
CODE_BAD_ANSWER = "bad_answer"


@dataclass(frozen=True)
class CommandAnswer:
    """The outcome of one command: `ok`, else an error `code` (HA's or Odoo's) and message.

    `clock_offset_seconds` is Home Assistant's clock minus Odoo's when it refused the
    command's timestamp as stale and said what time it was.
    """

    ok: bool
    http_status: int | None
    body: dict | None
    code: str | None
    message: str | None
    latency_ms: int
    clock_offset_seconds: int | None = None


def encode_command(command):
    """The command's exact bytes on the wire; raises ValueError when it is not JSON data."""
    try:
        return json.dumps(
            command, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode()
    except (TypeError, ValueError) as error:
        raise ValueError(str(error)) from error


def send_command(url, secret, body, timeout=None):
    """POST the encoded command `body`, signed with purpose `command`; return the answer.

    `timeout` is the (connect, read) pair of seconds `requests` waits, by default the
    command timeouts above.
    """
    headers = {"Content-Type": "application/json", **signed_headers(secret, PURPOSE_COMMAND, body)}
    started = time.monotonic()
    try:
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=timeout or (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = _read_capped(response)
            status = response.status_code
    except requests.exceptions.ConnectTimeout:
        return _failure(CODE_UNREACHABLE, "connect timeout", started)
    except requests.exceptions.Timeout:
        return _failure(CODE_TIMEOUT, "no answer in time", started)
    except requests.exceptions.RequestException as error:
        # The exception's text holds the URL: only its kind is kept.
        return _failure(CODE_UNREACHABLE, type(error).__name__, started)
    answer = classify_answer(status, raw, _elapsed_ms(started))
    if answer.code == CODE_STALE_TIMESTAMP:
        offset = clock_offset(answer.body, int(headers[HEADER_TIMESTAMP]))
        answer = dataclasses.replace(answer, clock_offset_seconds=offset)
    return answer


def classify_answer(status, raw, latency_ms):
    """Turn Home Assistant's status and raw body into a `CommandAnswer`.

    Success needs a JSON object with `"ok": true`: HA core answers an unknown webhook id
    with an empty 200, which must not pass for success. A body the audit log could not
    store is no answer of the integration either (`bad_answer`).
    """
    body = None
    if raw:
        try:
            # Strictly, as a push: the answer is stored in the audit log's jsonb, which
            # refuses NaN, infinities, NUL and lone surrogates.
            body = decode_json(raw)
        except ValueError:
            body = None
    if not isinstance(body, dict):
        return CommandAnswer(False, status, None, CODE_BAD_ANSWER, None, latency_ms)
    if status in (200, 202) and body.get("ok") is True:
        return CommandAnswer(True, status, body, None, None, latency_ms)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message") if isinstance(error.get("message"), str) else None
    if status < 400 or not code:
        return CommandAnswer(False, status, body, CODE_BAD_ANSWER, message, latency_ms)
    return CommandAnswer(False, status, body, code[:64], message and message[:2000], latency_ms)


def clock_offset(body, signed_at):
    """Home Assistant's clock minus Odoo's, from the `server_time` of a `stale_timestamp` answer.

    None when the answer names no usable time (an integration older than this answer).
    """
    server_time = body["error"].get("server_time")
    if isinstance(server_time, bool) or not isinstance(server_time, int | float):
        return None
    if not math.isfinite(server_time):
        return None
    offset = round(server_time - signed_at)
    return offset if abs(offset) <= MAX_CLOCK_OFFSET_SECONDS else None


def _read_capped(response):
    """The answer's body, or None when it is larger than any answer Home Assistant sends."""
    chunks = []
    size = 0
    for chunk in response.iter_content(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _failure(code, message, started):
    return CommandAnswer(False, None, None, code, message, _elapsed_ms(started))


def _elapsed_ms(started):
    return round((time.monotonic() - started) * 1000)
