"""Odoo's web routes the integration calls before it has an API session: version, databases,
and the password check of JSON-2 pairing.

They are JSON-RPC routes of Odoo's `web` module (`type=json`), not the deprecated `/jsonrpc`,
and exist in 18.0 and 19.0. Odoo answers them with a `session_id` cookie; a session that keeps
no cookies carries them, so no Odoo web session lands in Home Assistant's shared cookie jar
(JSON-2 refuses a request that has both a session cookie and a database header).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .rpc import RPC_TIMEOUT, CannotConnect, OdooCredentials

TIMEOUT = aiohttp.ClientTimeout(total=RPC_TIMEOUT)


@dataclass(frozen=True, slots=True)
class ServerVersion:
    """What `/web/webclient/version_info` tells: the major series number and the version text."""

    series: int
    version: str


@asynccontextmanager
async def _cookieless_session(hass: HomeAssistant) -> AsyncIterator[aiohttp.ClientSession]:
    """Yield a session on Home Assistant's connection pool that keeps no cookies."""
    session = async_create_clientsession(
        hass, auto_cleanup=False, cookie_jar=aiohttp.DummyCookieJar()
    )
    try:
        yield session
    finally:
        session.detach()


async def _async_web_call(
    session: aiohttp.ClientSession, url: str, params: dict[str, Any], cookie: str | None = None
) -> tuple[dict[str, Any], aiohttp.ClientResponse]:
    """POST one JSON-RPC call to a web route; return Odoo's JSON answer and the response."""
    headers = {"Cookie": f"session_id={cookie}"} if cookie else None
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": None}
    try:
        async with session.post(url, json=body, headers=headers, timeout=TIMEOUT) as response:
            payload = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as err:
        raise CannotConnect from err
    if response.status != 200 or not isinstance(payload, dict):
        raise CannotConnect
    return payload, response


async def async_server_version(hass: HomeAssistant, url: str) -> ServerVersion:
    """Return the server's version, or raise CannotConnect when no Odoo answers at `url`."""
    async with _cookieless_session(hass) as session:
        payload, _ = await _async_web_call(session, f"{url}/web/webclient/version_info", {})
    result = payload.get("result")
    if not isinstance(result, dict):
        raise CannotConnect
    info = result.get("server_version_info")
    if not isinstance(info, list) or not info or not isinstance(info[0], int):
        raise CannotConnect
    return ServerVersion(series=info[0], version=str(result.get("server_version", info[0])))


async def async_list_databases(hass: HomeAssistant, url: str) -> list[str] | None:
    """Return the databases the server shows at this address, or None when it lists none."""
    async with _cookieless_session(hass) as session:
        payload, _ = await _async_web_call(session, f"{url}/web/database/list", {})
    # Odoo refuses the listing when `list_db = False`: the user types the name.
    databases = payload.get("result")
    if not isinstance(databases, list) or not databases:
        return None
    return [str(name) for name in databases]


async def async_is_password(hass: HomeAssistant, credentials: OdooCredentials) -> bool:
    """Tell whether the API key is in fact the user's password (Odoo's web login accepts it).

    A successful check leaves a logged-in web session in Odoo; it is logged out at once.
    """
    params = {
        "db": credentials.database,
        "login": credentials.username,
        "password": credentials.api_key,
    }
    async with _cookieless_session(hass) as session:
        payload, response = await _async_web_call(
            session, f"{credentials.url}/web/session/authenticate", params
        )
        if "result" not in payload:
            return False
        cookie = response.cookies.get("session_id")
        if cookie is not None:
            with suppress(CannotConnect):
                await _async_web_call(
                    session, f"{credentials.url}/web/session/destroy", {}, cookie.value
                )
    return True
