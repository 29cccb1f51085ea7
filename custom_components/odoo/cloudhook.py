"""Home Assistant Cloud: a cloudhook lets an Odoo outside the LAN reach the command webhook."""

import importlib
from contextlib import suppress
from types import ModuleType
from typing import cast

from homeassistant.core import HomeAssistant

CLOUD = "cloud"


def _loaded_cloud(hass: HomeAssistant) -> ModuleType | None:
    """Return Home Assistant Cloud's module when it is set up, else None.

    Imported only then: its requirements (speech, audio…) exist only where Cloud runs.
    """
    if CLOUD not in hass.config.components:
        return None
    return importlib.import_module(f"homeassistant.components.{CLOUD}")


async def async_create_command_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return a cloudhook URL for the webhook when Home Assistant Cloud can relay to it."""
    cloud = _loaded_cloud(hass)
    if cloud is None or not cloud.async_active_subscription(hass):
        return None
    try:
        return cast(str, await cloud.async_get_or_create_cloudhook(hass, webhook_id))
    except cloud.CloudNotAvailable:
        return None


async def async_delete_command_url(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the webhook's cloudhook, if Home Assistant Cloud still knows it."""
    if (cloud := _loaded_cloud(hass)) is not None:
        with suppress(cloud.CloudNotAvailable, ValueError):
            await cloud.async_delete_cloudhook(hass, webhook_id)
