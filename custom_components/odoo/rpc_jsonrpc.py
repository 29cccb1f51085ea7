"""Odoo's JSON-RPC API (`/jsonrpc`) through odoorpc, in the executor: the transport of Odoo 18."""

import logging
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

import odoorpc
from homeassistant.core import HomeAssistant

from .const import TRANSPORT_JSONRPC
from .rpc import (
    PAIRING_MODEL,
    RPC_TIMEOUT,
    AddonNotInstalled,
    CannotConnect,
    InvalidAuth,
    NotHaAdmin,
    OdooCredentials,
    OdooRefused,
    PairingResult,
    UnknownDatabase,
    pairing_result,
)


def _hide_rpc_payloads(record: logging.LogRecord) -> bool:
    """Drop odoorpc's payload logs: they carry the login and API key in clear text."""
    return False


# odoorpc masks only a parameter named "password", not the positional credentials of /jsonrpc.
logging.getLogger("odoorpc.rpc.jsonrpclib").addFilter(_hide_rpc_payloads)
# What a connection failure looks like below odoorpc.
NETWORK_ERRORS = (URLError, OSError, ValueError)


def _error_name(err: odoorpc.error.RPCError) -> str:
    """Return the Python class name Odoo reported for a failed RPC."""
    info = err.info if isinstance(err.info, dict) else {}
    data = info.get("data")
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def _login(credentials: OdooCredentials) -> odoorpc.ODOO:
    """Connect, log in and classify the failure (blocking)."""
    parts = urlsplit(credentials.url)
    secure = parts.scheme == "https"
    try:
        odoo = odoorpc.ODOO(
            parts.hostname,
            protocol="jsonrpc+ssl" if secure else "jsonrpc",
            port=parts.port or (443 if secure else 80),
            timeout=RPC_TIMEOUT,
        )
    except (HTTPError, KeyError, TypeError, odoorpc.error.Error, *NETWORK_ERRORS) as err:
        raise CannotConnect from err
    try:
        odoo.login(credentials.database, credentials.username, credentials.api_key)
    except odoorpc.error.RPCError as err:
        name = _error_name(err)
        if "does not exist" in str(err) or name.endswith(("OperationalError", "KeyError")):
            raise UnknownDatabase from err
        raise InvalidAuth from err
    except NETWORK_ERRORS as err:
        raise CannotConnect from err
    return odoo


def _pair(credentials: OdooCredentials, values: dict[str, Any]) -> PairingResult:
    """Log in as the user and call `ha.instance.ha_pair(values)` (blocking)."""
    odoo = _login(credentials)
    try:
        if PAIRING_MODEL not in odoo.env:
            raise AddonNotInstalled
        result = odoo.env[PAIRING_MODEL].ha_pair(values)
    except odoorpc.error.RPCError as err:
        if _error_name(err).endswith("AccessError"):
            raise NotHaAdmin from err
        raise CannotConnect from err
    except NETWORK_ERRORS as err:
        raise CannotConnect from err
    return pairing_result(result)


def _unpair(credentials: OdooCredentials, uuid: str) -> None:
    """Log in as the user and call `ha.instance.ha_unpair(uuid)` (blocking)."""
    odoo = _login(credentials)
    try:
        odoo.env[PAIRING_MODEL].ha_unpair(uuid)
    except (odoorpc.error.RPCError, *NETWORK_ERRORS) as err:
        raise CannotConnect from err


def _execute(
    credentials: OdooCredentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
) -> Any:
    """Log in as the user and run `model.method(*args, **kwargs)` (blocking)."""
    odoo = _login(credentials)
    try:
        return odoo.execute_kw(model, method, args, kwargs)
    except odoorpc.error.RPCError as err:
        info = err.info if isinstance(err.info, dict) else {}
        data = info.get("data")
        message = str((data.get("message") if isinstance(data, dict) else None) or err)
        raise OdooRefused(_error_name(err), message[:500]) from err
    except NETWORK_ERRORS as err:
        raise CannotConnect from err


class JsonRpcClient:
    """`OdooRpc` over `/jsonrpc`: odoorpc logs in for each call, in Home Assistant's executor."""

    transport = TRANSPORT_JSONRPC

    def __init__(self, hass: HomeAssistant, credentials: OdooCredentials) -> None:
        """Remember where and as whom to call."""
        self._hass = hass
        self._credentials = credentials

    async def async_pair(self, values: dict[str, Any]) -> PairingResult:
        """Log in and call `ha.instance.ha_pair(values)`."""
        return await self._hass.async_add_executor_job(_pair, self._credentials, values)

    async def async_unpair(self, uuid: str) -> None:
        """Log in and call `ha.instance.ha_unpair(uuid)`."""
        await self._hass.async_add_executor_job(_unpair, self._credentials, uuid)

    async def async_call(
        self, model: str, method: str, ids: list[int], args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Run the method; JSON-RPC passes the record ids as the first positional argument."""
        positional = [ids, *args] if ids else args
        return await self._hass.async_add_executor_job(
            _execute, self._credentials, model, method, positional, kwargs
        )

    async def async_create(self, model: str, values: dict[str, Any]) -> int:
        """Create one record; Odoo answers its id (some versions wrap it in a list)."""
        created = await self.async_call(model, "create", [], [values], {})
        return int(created[0] if isinstance(created, list) else created)
