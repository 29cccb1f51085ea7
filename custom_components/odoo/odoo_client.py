"""Where and how to reach Odoo: the server's URL, the RPC transport its series takes, and the
`ha_pair` values (docs/protocol.md §2). The signed push itself is `push_client.py`."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from homeassistant.core import HomeAssistant

from .const import (
    CONF_TRANSPORT,
    JSON2_FIRST_SERIES,
    PROTOCOL_VERSION,
    TRANSPORT_JSON2,
    TRANSPORT_JSONRPC,
)
from .rpc import InvalidUrl, OdooCredentials, OdooRpc
from .rpc_json2 import Json2Client
from .rpc_jsonrpc import JsonRpcClient


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
