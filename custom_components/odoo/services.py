"""Services `odoo.resync` (push a full snapshot) and `odoo.flush` (push and save now)."""

from collections.abc import Callable

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import ATTR_CONFIG_ENTRY_ID, DOMAIN, SERVICE_FLUSH, SERVICE_RESYNC
from .outbox import Outbox

SERVICE_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})


def _target_outboxes(hass: HomeAssistant, call: ServiceCall) -> list[Outbox]:
    """Return the outboxes a call targets: one entry's, or every loaded entry's."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is not None:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_entry",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"title": entry.title},
            )
        entries = [entry]
    else:
        entries = hass.config_entries.async_loaded_entries(DOMAIN)
    return [entry.runtime_data.outbox for entry in entries]


def _service_handler(
    hass: HomeAssistant, action: Callable[[Outbox], None]
) -> Callable[[ServiceCall], None]:
    """Build a handler applying `action` to the targeted outboxes."""

    @callback
    def handle(call: ServiceCall) -> None:
        """Apply the action."""
        for outbox in _target_outboxes(hass, call):
            action(outbox)

    return handle


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_RESYNC,
        _service_handler(hass, Outbox.async_request_snapshot),
        schema=SERVICE_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_FLUSH,
        _service_handler(hass, Outbox.async_request_flush),
        schema=SERVICE_SCHEMA,
    )
