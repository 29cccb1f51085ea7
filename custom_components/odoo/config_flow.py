"""Config flow for the Odoo integration."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .const import DOMAIN


class OdooConfigFlow(ConfigFlow, domain=DOMAIN):
    """Pair Home Assistant with an Odoo database."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the Odoo server."""
        return self.async_show_form(step_id="user")
