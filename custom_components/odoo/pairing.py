"""Pairing as Home Assistant runs it (PROTOCOL.md §2): fresh secret, cloudhook, `ha_pair`.

Shared by the config flow (pair, re-authenticate, reconfigure) and the repair that pairs again.
"""

from typing import Any

from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant

from .cloudhook import async_create_command_url
from .const import CONF_CLOUDHOOK_URL, CONF_INSTANCE_ID, CONF_PUSH_URL, CONF_SECRET
from .odoo_client import (
    AddonNotInstalled,
    CannotConnect,
    InvalidAuth,
    InvalidUrl,
    NotHaAdmin,
    OdooError,
    UnknownDatabase,
    pair,
    pairing_values,
)
from .signing import generate_secret

# The translated error key of each pairing failure.
ERRORS: dict[type[OdooError], str] = {
    InvalidUrl: "invalid_url",
    CannotConnect: "cannot_connect",
    UnknownDatabase: "unknown_database",
    InvalidAuth: "invalid_auth",
    AddonNotInstalled: "addon_not_installed",
    NotHaAdmin: "not_ha_admin",
}


async def async_pair(
    hass: HomeAssistant,
    url: str,
    database: str,
    username: str,
    api_key: str,
    uuid: str,
    ha_url: str,
    webhook_id: str,
) -> tuple[dict[str, Any] | None, str]:
    """Call `ha.instance.ha_pair` as the user with a fresh secret.

    Return the entry data the pairing sets (secret, push URL, instance id, cloudhook URL),
    or None and the error key.
    """
    secret = generate_secret()
    command_url = await async_create_command_url(hass, webhook_id)
    values = pairing_values(
        uuid, hass.config.location_name, ha_url, webhook_id, secret, HA_VERSION, command_url
    )
    try:
        result = await hass.async_add_executor_job(pair, url, database, username, api_key, values)
    except OdooError as err:
        return None, ERRORS[type(err)]
    return {
        CONF_SECRET: secret,
        CONF_PUSH_URL: result.push_url,
        CONF_INSTANCE_ID: result.instance_id,
        CONF_CLOUDHOOK_URL: command_url,
    }, ""
