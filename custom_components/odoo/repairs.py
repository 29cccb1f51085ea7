"""Repairs: the fix flow that pairs again after Odoo removed the pairing (HTTP 410)."""

import logging
from typing import Any

import probatio as vol
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant

from .const import CONF_HA_URL, CONF_HA_UUID, CONF_WEBHOOK_ID
from .pairing import async_pair
from .rpc import OdooCredentials, OdooError
from .runtime import OdooConfigEntry

_LOGGER = logging.getLogger(__name__)


class PairAgainFlow(RepairsFlow):
    """One step: pair again with the stored credentials; Odoo re-attaches the history."""

    def __init__(self, entry: OdooConfigEntry) -> None:
        """Remember the pairing to renew."""
        self._entry = entry

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Explain, then pair again and reload the entry."""
        entry = self._entry
        errors: dict[str, str] = {}
        placeholders = {"title": entry.title}
        if user_input is not None:
            data = entry.data
            try:
                pairing = await async_pair(
                    self.hass,
                    OdooCredentials.from_entry_data(data),
                    data[CONF_HA_UUID],
                    data[CONF_HA_URL],
                    data[CONF_WEBHOOK_ID],
                )
            except OdooError as err:
                errors["base"] = err.translation_key
                placeholders |= err.placeholders
            except Exception:
                _LOGGER.exception("Unexpected error while pairing with Odoo again")
                errors["base"] = "unknown"
            else:
                # The entry's update listener reloads it: setting up again clears the issue
                # and restarts pushing.
                self.hass.config_entries.async_update_entry(entry, data={**data, **pairing})
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=placeholders,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Return the fix flow of an issue raised by this integration."""
    entry_id = str((data or {}).get("entry_id"))
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None:
        raise ValueError(f"No Odoo entry for issue {issue_id}")
    return PairAgainFlow(entry)
