"""Logbook: Odoo's commands read "Jane called light.turn_on via Odoo"."""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_COMMAND_RECEIVED

ACTIONS = {
    "resync": "requested a resync",
    "ping": "tested the connection",
    "history": "requested a history backfill",
    "figures": "updated the figures",
    "update_registry": "edited the name, area or labels",
    "camera_snapshot": "fetched a camera snapshot",
}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe `odoo_command_received` events."""
    async_describe_event(DOMAIN, EVENT_COMMAND_RECEIVED, describe_command)


@callback
def describe_command(event: Event) -> dict[str, Any]:
    """Name the Odoo user, what they asked for and, when refused, why."""
    data = event.data
    if data.get("type") == "fire_event":
        return describe_fired_event(data)
    if data.get("type") == "call_service":
        action = f"called {data.get('domain')}.{data.get('service')}"
    else:
        action = ACTIONS.get(str(data.get("type")), "sent a command")
    message = f"{action} via Odoo"
    if data.get("result") != "ok":
        message += f" (refused: {data.get('result')})"
    description = {
        LOGBOOK_ENTRY_NAME: data.get("user_name") or data.get("user_login") or "Odoo",
        LOGBOOK_ENTRY_MESSAGE: message,
    }
    entity_ids = (data.get("target") or {}).get("entity_id")
    if entity_ids:
        description[LOGBOOK_ENTRY_ENTITY_ID] = entity_ids[0]
    return description


def describe_fired_event(data: Mapping[str, Any]) -> dict[str, Any]:
    """Name the event Odoo fired (the event itself has no description) and the Odoo user."""
    fired = data.get("event_type") or "an event"
    user = data.get("user_name") or data.get("user_login")
    message = f"fired {fired} for {user}" if user else f"fired {fired}"
    if data.get("result") != "ok":
        message += f" (refused: {data.get('result')})"
    return {LOGBOOK_ENTRY_NAME: "Odoo", LOGBOOK_ENTRY_MESSAGE: message}
