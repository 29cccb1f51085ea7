"""The `update_registry` command: Odoo renames, re-areas and labels exported entities and devices.

Opt-in (`allow_registry_edits`, off by default) and limited to what is exported: an entity
outside the export, or a device none of whose entities is exported, is refused. Home
Assistant's registry events then bring the result back to Odoo like any other change.
"""

from http import HTTPStatus
from typing import Any

import probatio as vol
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import label_registry as lr

from .commands import (
    COMMANDS,
    CommandBody,
    CommandRequest,
    invalid,
    not_allowed,
    require_option,
    validated,
)
from .const import CONF_ALLOW_REGISTRY_EDITS
from .export_filter import entities_of_device

EDITS = ("name", "area_id", "labels")

SCHEMA = vol.Schema(
    {
        vol.Optional("entity_id"): cv.entity_id,
        vol.Optional("device_id"): cv.string,
        vol.Optional("name"): vol.Any(None, vol.All(cv.string, vol.Length(min=1, max=255))),
        vol.Optional("area_id"): vol.Any(None, cv.string),
        vol.Optional("labels"): vol.All([cv.string], vol.Length(max=100)),
    },
    extra=vol.ALLOW_EXTRA,
)


@COMMANDS.register("update_registry")
async def _update_registry(
    request: CommandRequest, command: CommandBody
) -> tuple[HTTPStatus, CommandBody]:
    """Apply a name, area or labels edit to one entity or device registry entry."""
    require_option(
        request,
        CONF_ALLOW_REGISTRY_EDITS,
        "Odoo may not edit Home Assistant's registries; turn on “Allow Odoo to rename and "
        "re-area” in the options of the Odoo integration in Home Assistant.",
    )
    command = validated(SCHEMA, command)
    if ("entity_id" in command) == ("device_id" in command):
        raise invalid("Name exactly one of entity_id or device_id.")
    changes: dict[str, Any] = {key: command[key] for key in EDITS if key in command}
    if not changes:
        raise invalid("Name at least one of name, area_id or labels to change.")
    _check_known(request, changes)
    if "labels" in changes:
        changes["labels"] = set(changes["labels"])
    if "entity_id" in command:
        _update_entity(request, command["entity_id"], changes)
    else:
        _update_device(request, command["device_id"], changes)
    return HTTPStatus.OK, {"ok": True, "id": command["id"]}


def _check_known(request: CommandRequest, changes: dict[str, Any]) -> None:
    """Refuse an area or label Home Assistant does not know."""
    area_id = changes.get("area_id")
    if area_id is not None and ar.async_get(request.hass).async_get_area(area_id) is None:
        raise invalid(f"Home Assistant has no area {area_id}.")
    labels = lr.async_get(request.hass)
    if unknown := sorted(
        label for label in changes.get("labels", ()) if labels.async_get_label(label) is None
    ):
        raise invalid(f"Home Assistant has no label {', '.join(unknown)}.")


def _update_entity(request: CommandRequest, entity_id: str, changes: dict[str, Any]) -> None:
    """Edit an exported entity's registry entry."""
    if not request.outbox.is_exported_entity(entity_id):
        raise not_allowed(f"{entity_id} is not exported to Odoo.")
    entities = er.async_get(request.hass)
    if entities.async_get(entity_id) is None:
        raise invalid(f"{entity_id} has no registry entry, so it cannot be edited.")
    entities.async_update_entity(entity_id, **changes)


def _update_device(request: CommandRequest, device_id: str, changes: dict[str, Any]) -> None:
    """Edit a device one of whose entities is exported; its name is the user's name for it."""
    if dr.async_get(request.hass).async_get(device_id) is None:
        raise invalid(f"Home Assistant has no device {device_id}.")
    if not any(
        request.outbox.is_exported_entity(entity_id)
        for entity_id in entities_of_device(request.hass, device_id)
    ):
        raise not_allowed(f"No entity of device {device_id} is exported to Odoo.")
    if "name" in changes:
        changes["name_by_user"] = changes.pop("name")
    dr.async_get(request.hass).async_update_device(device_id, **changes)
