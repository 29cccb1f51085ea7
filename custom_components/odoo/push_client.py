"""The signed HTTP push to Odoo (docs/protocol.md §1, §3) on Home Assistant's aiohttp session.

It only sends and classifies; what an answer leads to is `retry.outcome`.
"""

import secrets
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .batch import Batch, encode_batch
from .const import HEADER_ODOO_DATABASE, PURPOSE_PUSH, PUSH_TIMEOUT
from .signing import signed_headers


def heartbeat_body() -> bytes:
    """Return the body of a heartbeat outside the outbox's sequence (`seq` 0 counts no gap)."""
    return encode_batch(Batch(secrets.token_hex(16), 0, False, []))


@dataclass(frozen=True, slots=True)
class PushAnswer:
    """Odoo's answer to one push; `status` is None when no HTTP answer came back."""

    status: int | None
    retry_after: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    # Odoo's clock (Unix seconds), given with a `stale_timestamp` refusal.
    server_time: int | None = None


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a `Retry-After` header asks to wait (delta or HTTP date)."""
    if not value:
        return None
    seconds = value.strip()
    # ASCII digits only: "²".isdigit() is true, and float() then raises.
    if seconds.isascii() and seconds.isdigit():
        return float(seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt_util.utcnow()).total_seconds())


class PushClient:
    """POSTs signed batches to Odoo's push URL with Home Assistant's shared aiohttp session."""

    def __init__(self, hass: HomeAssistant, push_url: str, secret: str, database: str) -> None:
        """Remember where, to which database and how to push."""
        self._session = async_get_clientsession(hass)
        self._push_url = push_url
        self._secret = secret
        self._database = database
        self._timeout = aiohttp.ClientTimeout(total=PUSH_TIMEOUT)

    @property
    def push_url(self) -> str:
        """Return the URL pushes go to."""
        return self._push_url

    async def async_push(self, body: bytes, gzipped: bool) -> PushAnswer:
        """Send one batch body and classify Odoo's answer."""
        headers = signed_headers(self._secret, PURPOSE_PUSH, body)
        headers["Content-Type"] = "application/json"
        # Odoo 19 picks the database from this header instead of listing every database of
        # a `--db-filter` server on each push (a new PostgreSQL connection, ≈ 10 % of a
        # push), and so also reaches a database the filter shares with others. Odoo 18
        # ignores it. Not signed: it only chooses where the signature is checked.
        headers[HEADER_ODOO_DATABASE] = self._database
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        try:
            async with self._session.post(
                self._push_url, data=body, headers=headers, timeout=self._timeout
            ) as response:
                error_code, error_message, server_time = await _read_error(response)
                return PushAnswer(
                    status=response.status,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    error_code=error_code,
                    error_message=error_message,
                    server_time=server_time,
                )
        except (aiohttp.ClientError, TimeoutError) as err:
            return PushAnswer(status=None, error_message=type(err).__name__)


async def _read_error(
    response: aiohttp.ClientResponse,
) -> tuple[str | None, str | None, int | None]:
    """Return the error code, message and server time of a failed answer's JSON body."""
    if response.status == HTTPStatus.OK:
        return None, None, None
    try:
        payload = await response.json(content_type=None)
    except (aiohttp.ClientError, ValueError):
        return None, None, None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None, None, None
    server_time = error.get("server_time")
    return (
        str(error.get("code", "")) or None,
        str(error.get("message", ""))[:300] or None,
        server_time if type(server_time) is int else None,
    )
