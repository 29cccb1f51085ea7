"""Talking to Odoo: JSON-RPC pairing with odoorpc, and the signed HTTP push (PROTOCOL.md §2, §3)."""

import logging
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

import aiohttp
import odoorpc
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .const import PROTOCOL_VERSION, PURPOSE_PUSH, PUSH_TIMEOUT
from .signing import signed_headers

RPC_TIMEOUT = 20


def _hide_rpc_payloads(record: logging.LogRecord) -> bool:
    """Drop odoorpc's payload logs: they carry the login and API key in clear text."""
    return False


# odoorpc masks only a parameter named "password", not the positional credentials of /jsonrpc.
logging.getLogger("odoorpc.rpc.jsonrpclib").addFilter(_hide_rpc_payloads)
PAIRING_MODEL = "ha.instance"


class OdooError(Exception):
    """Base class of the errors a pairing attempt reports to the user."""


class InvalidUrl(OdooError):
    """The URL is not an http(s) URL of a server root."""


class CannotConnect(OdooError):
    """The server cannot be reached or is not an Odoo server."""


class UnknownDatabase(OdooError):
    """The database does not exist on the server."""


class InvalidAuth(OdooError):
    """The login or API key is wrong."""


class AddonNotInstalled(OdooError):
    """The Home Assistant addon is not installed in the database."""


class NotHaAdmin(OdooError):
    """The user is not in the group Home Assistant / Administrator."""


@dataclass(frozen=True, slots=True)
class PairingResult:
    """What Odoo answers to `ha.instance.ha_pair`."""

    instance_id: int
    push_url: str
    odoo_version: str


def normalize_url(url: str) -> str:
    """Return the server root URL as `scheme://host[:port]`, or raise InvalidUrl."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidUrl
    # odoorpc talks to the server root; Odoo behind a sub-path is not reachable through it.
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


def _connect(url: str) -> odoorpc.ODOO:
    """Open an odoorpc connection (blocking); it asks the server for its version."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    try:
        return odoorpc.ODOO(
            parts.hostname,
            protocol="jsonrpc+ssl" if secure else "jsonrpc",
            port=port,
            timeout=RPC_TIMEOUT,
        )
    except (URLError, HTTPError, OSError, ValueError, KeyError, TypeError) as err:
        raise CannotConnect from err
    except odoorpc.error.Error as err:
        raise CannotConnect from err


def list_databases(url: str) -> list[str] | None:
    """Return the server's databases, or None when it does not list them (blocking)."""
    odoo = _connect(url)
    try:
        databases = odoo.db.list()
    except odoorpc.error.RPCError:
        # Odoo refuses the listing when `list_db = False`: the user types the name.
        return None
    except (URLError, OSError, ValueError) as err:
        raise CannotConnect from err
    return [str(name) for name in databases] if isinstance(databases, list) else None


def _error_name(err: odoorpc.error.RPCError) -> str:
    """Return the Python class name Odoo reported for a failed RPC."""
    info = err.info if isinstance(err.info, dict) else {}
    data = info.get("data")
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def _login(url: str, database: str, username: str, api_key: str) -> odoorpc.ODOO:
    """Log in with odoorpc and classify the failure (blocking)."""
    odoo = _connect(url)
    try:
        odoo.login(database, username, api_key)
    except odoorpc.error.RPCError as err:
        name = _error_name(err)
        if "does not exist" in str(err) or name.endswith(("OperationalError", "KeyError")):
            raise UnknownDatabase from err
        raise InvalidAuth from err
    except (URLError, OSError, ValueError) as err:
        raise CannotConnect from err
    return odoo


def pair(
    url: str, database: str, username: str, api_key: str, values: dict[str, Any]
) -> PairingResult:
    """Log in as the user and call `ha.instance.ha_pair(values)` (blocking)."""
    odoo = _login(url, database, username, api_key)
    try:
        if PAIRING_MODEL not in odoo.env:
            raise AddonNotInstalled
        result = odoo.env[PAIRING_MODEL].ha_pair(values)
    except odoorpc.error.RPCError as err:
        if _error_name(err).endswith("AccessError"):
            raise NotHaAdmin from err
        raise CannotConnect from err
    except (URLError, OSError, ValueError) as err:
        raise CannotConnect from err
    if not isinstance(result, dict) or not result.get("push_url"):
        raise CannotConnect
    return PairingResult(
        instance_id=int(result["instance_id"]),
        push_url=str(result["push_url"]),
        odoo_version=str(result.get("odoo_version", "")),
    )


class OdooRefused(OdooError):
    """Odoo ran a method call and raised; `name` is Odoo's exception class."""

    def __init__(self, name: str, message: str) -> None:
        """Remember Odoo's exception class and message."""
        super().__init__(message)
        self.name = name
        self.message = message


# Odoo's exceptions for a call the user got wrong (as opposed to a server failure).
USER_ERRORS = ("UserError", "ValidationError", "AccessError", "MissingError", "RedirectWarning")


def call_method(
    url: str,
    database: str,
    username: str,
    api_key: str,
    model: str,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any],
) -> Any:
    """Log in as the paired user and run `model.method(*args, **kwargs)` (blocking)."""
    odoo = _login(url, database, username, api_key)
    try:
        return odoo.execute_kw(model, method, args, kwargs)
    except odoorpc.error.RPCError as err:
        info = err.info if isinstance(err.info, dict) else {}
        data = info.get("data")
        message = str((data.get("message") if isinstance(data, dict) else None) or err)
        raise OdooRefused(_error_name(err), message[:500]) from err
    except (URLError, OSError, ValueError) as err:
        raise CannotConnect from err


def unpair(url: str, database: str, username: str, api_key: str, uuid: str) -> None:
    """Log in as the user and call `ha.instance.ha_unpair(uuid)` (blocking)."""
    odoo = _login(url, database, username, api_key)
    try:
        odoo.env[PAIRING_MODEL].ha_unpair(uuid)
    except (odoorpc.error.RPCError, URLError, OSError) as err:
        raise CannotConnect from err


def pairing_values(
    uuid: str,
    name: str,
    ha_url: str,
    webhook_id: str,
    secret: str,
    ha_version: str,
    command_url: str | None = None,
) -> dict[str, Any]:
    """Build the `ha_pair` argument of PROTOCOL.md §2.

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
