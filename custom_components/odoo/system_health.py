"""System health: whether Odoo answers, when it last accepted a push, how much waits."""

import asyncio
from typing import Any

from homeassistant.components import system_health
from homeassistant.core import HomeAssistant, callback

from .const import CONF_URL, DOMAIN


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the system health section."""
    register.async_register_info(system_health_info, f"/config/integrations/integration/{DOMAIN}")


async def _async_reach_all(hass: HomeAssistant, urls: list[str]) -> str | dict[str, str]:
    """Return "ok" when every paired Odoo answers, else the first failure."""
    results = await asyncio.gather(
        *(system_health.async_check_can_reach_url(hass, url) for url in urls)
    )
    return next((result for result in results if result != "ok"), "ok")


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Return the health of every loaded pairing, summed up."""
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    outboxes = [entry.runtime_data.outbox for entry in entries]
    pushes = [
        outbox.status.last_success for outbox in outboxes if outbox.status.last_success is not None
    ]
    return {
        "pairings": len(entries),
        "can_reach_server": _async_reach_all(hass, [entry.data[CONF_URL] for entry in entries]),
        "connected": sum(outbox.status.connected for outbox in outboxes),
        "last_successful_push": max(pushes).isoformat() if pushes else "-",
        "outbox_size": sum(outbox.pending for outbox in outboxes),
    }
