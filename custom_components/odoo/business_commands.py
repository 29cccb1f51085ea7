"""The commands that bring Odoo's business into Home Assistant: `fire_event` and `figures`.

Neither calls a service, so the allow-list does not apply; each has its own bounds
(docs/protocol.md §4).
"""

from http import HTTPStatus

import probatio as vol
from homeassistant.core import EventOrigin
from homeassistant.helpers.json import json_bytes

from .commands import COMMANDS, CommandBody, CommandRequest, invalid, with_schema
from .const import EVENT_COMMAND_RECEIVED, EVENT_DATA_MAX_BYTES, EVENT_TYPE_PATTERN, FIGURES_MAX
from .figures import FIGURES_FIELDS, Figure


@COMMANDS.register("fire_event")
@with_schema(
    {
        vol.Required("event_type"): vol.All(
            str,
            vol.Match(
                EVENT_TYPE_PATTERN,
                msg="event_type must be odoo_ followed by 1 to 59 of a-z, 0-9 and _",
            ),
        ),
        vol.Optional("data", default={}): vol.Any(None, dict),
    }
)
async def _fire_event(
    request: CommandRequest, command: CommandBody
) -> tuple[HTTPStatus, CommandBody]:
    """Fire an `odoo_…` event on Home Assistant's bus, acting as the integration's user."""
    event_type: str = command["event_type"]
    if event_type == EVENT_COMMAND_RECEIVED:
        raise invalid(f"{EVENT_COMMAND_RECEIVED} is Home Assistant's own event.")
    data = command["data"] or {}
    if len(json_bytes(data)) > EVENT_DATA_MAX_BYTES:
        raise invalid(f"data too large: at most {EVENT_DATA_MAX_BYTES} bytes of JSON.")
    if user := command["user"]:
        data = {**data, "odoo_user": {"login": user.get("login"), "name": user.get("name")}}
    request.hass.bus.async_fire(event_type, data, EventOrigin.remote, request.context)
    return HTTPStatus.OK, {"ok": True, "id": command["id"]}


@COMMANDS.register("figures")
@with_schema(FIGURES_FIELDS)
async def _figures(request: CommandRequest, command: CommandBody) -> tuple[HTTPStatus, CommandBody]:
    """Add, update and, with `complete`, remove the pairing's figure sensors."""
    figures = [Figure(**figure) for figure in command["figures"]]
    book = request.entry.runtime_data.figures
    if book.count_after(figures, command["complete"]) > FIGURES_MAX:
        raise invalid(f"Home Assistant holds at most {FIGURES_MAX} figures per Odoo database.")
    await book.async_apply(figures, command["complete"])
    return HTTPStatus.OK, {"ok": True, "id": command["id"], "figures": len(book.figures)}
