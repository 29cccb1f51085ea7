"""Talking to Odoo: the server's URL, which RPC transport it takes, and the signed HTTP push
(docs/protocol.md §2, §3)."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .batch import Batch, encode_batch
from .const import (
    CONF_TRANSPORT,
    JSON2_FIRST_SERIES,
    PROTOCOL_VERSION,
    PURPOSE_PUSH,
    PUSH_TIMEOUT,
    TRANSPORT_JSON2,
    TRANSPORT_JSONRPC,
)
from .rpc import InvalidUrl, OdooCredentials, OdooRpc
from .rpc_json2 import Json2Client
from .rpc_jsonrpc import JsonRpcClient
from .signing import signed_headers


def normalize_url(url: str) -> str:
    """Return the server root URL as `scheme://host[:port]`, or raise InvalidUrl."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidUrl
    # odoorpc (Odoo 18) talks to the server root: Odoo behind a sub-path is out of its reach.
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidUrl
    try:
        port = parts.port
    except ValueError as err:
        raise InvalidUrl from err
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def transport_for(series: int) -> str:
    """Return the transport a server series takes: JSON-2 from Odoo 19 on, else JSON-RPC."""
    return TRANSPORT_JSON2 if series >= JSON2_FIRST_SERIES else TRANSPORT_JSONRPC


def rpc_client(hass: HomeAssistant, transport: str, credentials: OdooCredentials) -> OdooRpc:
    """Return the client of a transport."""
    if transport == TRANSPORT_JSON2:
        return Json2Client(hass, credentials)
    return JsonRpcClient(hass, credentials)


def entry_transport(data: Mapping[str, Any]) -> str:
    """Return a paired entry's transport; one paired before transports were stored is 18.0's."""
    return str(data.get(CONF_TRANSPORT, TRANSPORT_JSONRPC))


def entry_rpc_client(hass: HomeAssistant, data: Mapping[str, Any]) -> OdooRpc:
    """Return the client of a paired entry."""
    return rpc_client(hass, entry_transport(data), OdooCredentials.from_entry_data(data))


def push_url_at(url: str, push_url: str) -> str:
    """Return where to push: the Odoo URL the user gave, with only the path Odoo answered.

    Odoo builds `push_url` from its `web.base.url`, which names `http://localhost:8069` until
    an administrator logs in through a browser, and the public host behind a proxy.
    """
    return url + urlsplit(push_url).path


def pairing_values(
    uuid: str,
    name: str,
    ha_url: str,
    webhook_id: str,
    secret: str,
    ha_version: str,
    command_url: str | None = None,
) -> dict[str, Any]:
    """Build the `ha_pair` argument of docs/protocol.md §2.

    `command_url`, an extension Odoo may ignore, is the absolute URL of the command webhook
    when it is not `{ha_url}/api/webhook/<webhook_id>` (a Home Assistant Cloud cloudhook).
    """
    values: dict[str, Any] = {
        "uuid": uuid,
        "name": name,
        "ha_url": ha_url,
        "webhook_id": webhook_id,
        "secret": secret,
        "ha_version": ha_version,
        "protocol": PROTOCOL_VERSION,
    }
    if command_url is not None:
        values["command_url"] = command_url
    return values


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

    def __init__(self, hass: HomeAssistant, push_url: str, secret: str) -> None:
        """Remember where and how to push."""
        self._session = async_get_clientsession(hass)
        self._push_url = push_url
        self._secret = secret
        self._timeout = aiohttp.ClientTimeout(total=PUSH_TIMEOUT)

    @property
    def push_url(self) -> str:
        """Return the URL pushes go to."""
        return self._push_url

    async def async_push(self, body: bytes, gzipped: bool) -> PushAnswer:
        """Send one batch body and classify Odoo's answer."""
        headers = signed_headers(self._secret, PURPOSE_PUSH, body)
        headers["Content-Type"] = "application/json"
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
