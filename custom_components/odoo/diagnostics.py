"""Diagnostics of a pairing: settings, outbox state and versions, with every secret redacted."""

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.util import dt as dt_util

from .const import (
    CONF_API_KEY,
    CONF_CLOUDHOOK_URL,
    CONF_HA_URL,
    CONF_ODOO_VERSION,
    CONF_PUSH_URL,
    CONF_SECRET,
    CONF_URL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    PROTOCOL_VERSION,
)
from .odoo_client import entry_transport
from .runtime import OdooConfigEntry

TO_REDACT = {CONF_API_KEY, CONF_SECRET, CONF_WEBHOOK_ID, CONF_USERNAME, CONF_CLOUDHOOK_URL}
URL_KEYS = (CONF_URL, CONF_HA_URL, CONF_PUSH_URL)


def _without_credentials(url: str) -> str:
    """Return a URL with any `user:password@` part redacted."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{REDACTED}@{host}"))


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OdooConfigEntry
) -> dict[str, Any]:
    """Return the pairing's diagnostics."""
    outbox = entry.runtime_data.outbox
    status = outbox.status
    entry_dict = async_redact_data(entry.as_dict(), TO_REDACT)
    data = entry_dict["data"]
    for key in URL_KEYS:
        if isinstance(data.get(key), str):
            data[key] = _without_credentials(data[key])
    entry_dict["unique_id"] = REDACTED
    oldest = outbox.oldest_pending()
    integration = await async_get_integration(hass, DOMAIN)
    return {
        "versions": {
            "home_assistant": HA_VERSION,
            "integration": str(integration.version),
            "protocol": PROTOCOL_VERSION,
            "odoo": entry.data.get(CONF_ODOO_VERSION),
            "rpc_transport": entry_transport(entry.data),
        },
        "entry": entry_dict,
        "outbox": {
            "pending": outbox.pending,
            "buffer_limit": outbox.buffer_limit,
            "oldest_pending_age_seconds": (
                round((dt_util.utcnow() - oldest).total_seconds(), 3) if oldest else None
            ),
            "connected": status.connected,
            "halted": status.halted,
            "backoff_attempt": status.backoff_attempt,
            "last_error": status.last_error,
            "events_sent": status.events_sent,
            "failed_pushes": status.failed_pushes,
            "dropped_events": status.dropped_events,
            "dead_letter_count": status.dead_letter_count,
            "dead_letters": list(status.dead_letters),
            "last_success": status.last_success.isoformat() if status.last_success else None,
        },
    }
