"""Pairing as Home Assistant runs it (docs/protocol.md §2): the server's version picks the
transport, then a fresh secret, the cloudhook, `ha_pair`, and a first push to prove the push URL.

Shared by the config flow (pair, re-authenticate, reconfigure) and the repair that pairs again.
"""

import logging
from typing import Any

from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant

from .cloudhook import async_create_command_url
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_ODOO_VERSION,
    CONF_PUSH_URL,
    CONF_SECRET,
    CONF_TRANSPORT,
)
from .odoo_client import pairing_values, push_url_at, rpc_client, transport_for
from .odoo_web import async_server_version
from .push_client import PushClient, heartbeat_body
from .retry import describe_failure
from .rpc import OdooCredentials, OdooError
from .signing import generate_secret

_LOGGER = logging.getLogger(__name__)


class CannotPush(OdooError):
    """Odoo accepted the pairing but refused or never answered the first push."""

    translation_key = "cannot_push"

    def __init__(self, push_url: str, reason: str) -> None:
        """Remember the URL tried and what went wrong there."""
        super().__init__(f"{push_url}: {reason}")
        self.push_url = push_url
        self.reason = reason

    @property
    def placeholders(self) -> dict[str, str]:
        """Name the URL tried and the failure."""
        return {"push_url": self.push_url, "push_error": self.reason}


async def async_pair(
    hass: HomeAssistant,
    credentials: OdooCredentials,
    uuid: str,
    ha_url: str,
    webhook_id: str,
) -> dict[str, Any]:
    """Call `ha.instance.ha_pair` as the user with a fresh secret, then push a first heartbeat.

    Return the entry data the pairing sets (secret, push URL, cloudhook URL,
    Odoo's version and the transport), or raise the OdooError to show.
    """
    server = await async_server_version(hass, credentials.url)
    transport = transport_for(server.series)
    secret = generate_secret()
    command_url = await async_create_command_url(hass, webhook_id)
    values = pairing_values(
        uuid, hass.config.location_name, ha_url, webhook_id, secret, HA_VERSION, command_url
    )
    result = await rpc_client(hass, transport, credentials).async_pair(values)
    push_url = push_url_at(credentials.url, result.push_url)
    client = PushClient(hass, push_url, secret, credentials.database)
    answer = await client.async_push(heartbeat_body(), gzipped=False)
    if answer.status != 200:
        reason = describe_failure(answer)
        _LOGGER.warning("Paired with Odoo, but the first push to %s failed: %s", push_url, reason)
        raise CannotPush(push_url, reason)
    return {
        CONF_SECRET: secret,
        CONF_PUSH_URL: push_url,
        CONF_CLOUDHOOK_URL: command_url,
        CONF_ODOO_VERSION: server.version,
        CONF_TRANSPORT: transport,
    }
