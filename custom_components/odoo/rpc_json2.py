"""Odoo's JSON-2 API (`POST /json/2/<model>/<method>`): the transport of Odoo 19 and later.

Each call carries the API key as a bearer token and the database in `X-Odoo-Database`; the
body holds the method's arguments by name (`ids` for the records). Odoo answers the result as
JSON, an error as an HTTP status with its exception as JSON. Odoo 19 deprecates `/jsonrpc`
and logs a warning for every call to it; this client never calls it.
"""

from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import HEADER_ODOO_DATABASE, TRANSPORT_JSON2
from .odoo_web import async_is_password
from .rpc import (
    PAIRING_MODEL,
    RPC_TIMEOUT,
    AddonNotInstalled,
    ApiKeyRequired,
    ArgumentsByName,
    CannotConnect,
    InvalidAuth,
    NotHaAdmin,
    OdooCredentials,
    OdooRefused,
    PairingResult,
    UnknownDatabase,
    pairing_result,
)


class Json2Client:
    """`OdooRpc` over JSON-2, through Home Assistant's shared aiohttp session."""

    transport = TRANSPORT_JSON2

    def __init__(self, hass: HomeAssistant, credentials: OdooCredentials) -> None:
        """Remember where and as whom to call."""
        self._hass = hass
        self._credentials = credentials
        self._session = async_get_clientsession(hass)
        self._timeout = aiohttp.ClientTimeout(total=RPC_TIMEOUT)

    async def _async_request(self, model: str, method: str, arguments: dict[str, Any]) -> Any:
        """Call one method and return its result; raise the OdooError its failure means."""
        credentials = self._credentials
        headers = {
            "Authorization": f"bearer {credentials.api_key}",
            HEADER_ODOO_DATABASE: credentials.database,
        }
        try:
            async with self._session.post(
                f"{credentials.url}/json/2/{model}/{method}",
                json=arguments,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                status = response.status
                if status == 200:
                    return await response.json(content_type=None)
                error = await _error_body(response)
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise CannotConnect from err
        if status == 401:
            raise InvalidAuth
        if error is None:
            # Odoo answers a database it does not have (or serve here) with its HTML 404 page.
            raise UnknownDatabase if status == 404 else CannotConnect
        raise OdooRefused(*error)

    async def _async_check_login(self) -> None:
        """Check that the API key belongs to the login; tell a password from a wrong key."""
        try:
            context = await self._async_request("res.users", "context_get", {})
        except InvalidAuth as err:
            if await async_is_password(self._hass, self._credentials):
                raise ApiKeyRequired from err
            raise
        uid = context.get("uid") if isinstance(context, dict) else None
        users = await self._async_request("res.users", "read", {"ids": [uid], "fields": ["login"]})
        login = users[0].get("login") if isinstance(users, list) and users else None
        if str(login).casefold() != self._credentials.username.strip().casefold():
            raise InvalidAuth

    async def async_pair(self, values: dict[str, Any]) -> PairingResult:
        """Check the login and call `ha.instance.ha_pair(values)`."""
        try:
            await self._async_check_login()
            result = await self._async_request(PAIRING_MODEL, "ha_pair", {"values": values})
        except OdooRefused as err:
            if err.name.endswith("NotFound"):
                raise AddonNotInstalled from err
            if err.name.endswith("AccessError"):
                raise NotHaAdmin from err
            raise CannotConnect from err
        return pairing_result(result)

    async def async_unpair(self, uuid: str) -> None:
        """Call `ha.instance.ha_unpair(uuid)`."""
        try:
            await self._async_request(PAIRING_MODEL, "ha_unpair", {"uuid": uuid})
        except OdooRefused as err:
            raise CannotConnect from err

    async def async_call(
        self, model: str, method: str, ids: list[int], args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Run the method with its arguments by name; positional ones cannot be sent."""
        if args:
            raise ArgumentsByName
        return await self._async_request(model, method, {**kwargs, "ids": ids} if ids else kwargs)

    async def async_create(self, model: str, values: dict[str, Any]) -> int:
        """Create one record; JSON-2 answers the list of the new ids."""
        created = await self.async_call(model, "create", [], [], {"vals_list": [values]})
        if not isinstance(created, list) or not created:
            raise CannotConnect
        return int(created[0])


async def _error_body(response: aiohttp.ClientResponse) -> tuple[str, str] | None:
    """Return the exception name and message of a JSON-2 error answer, if it is one."""
    try:
        payload = await response.json(content_type=None)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
        return None
    return payload["name"], str(payload.get("message", ""))[:500]
