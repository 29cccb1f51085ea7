"""Diagnostics of a pairing: settings and outbox state, secrets redacted."""

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from . import OdooConfigEntry
from .const import CONF_API_KEY, CONF_SECRET, CONF_USERNAME, CONF_WEBHOOK_ID

TO_REDACT = {CONF_API_KEY, CONF_SECRET, CONF_WEBHOOK_ID, CONF_USERNAME}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OdooConfigEntry
) -> dict[str, Any]:
    """Return the pairing's diagnostics."""
    outbox = entry.runtime_data.outbox
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "outbox": {
            "pending": outbox.pending,
            "connected": outbox.connected,
            "halted": outbox.halted,
            "events_sent": outbox.events_sent,
            "failed_pushes": outbox.failed_pushes,
            "dropped_events": outbox.dropped_events,
            "dead_letter_count": outbox.dead_letter_count,
            "dead_letters": list(outbox.dead_letters),
            "last_success": outbox.last_success.isoformat() if outbox.last_success else None,
        },
    }
