"""Builders of the wire events of docs/protocol.md §3 from Home Assistant states and registries."""

from datetime import datetime
from typing import Any

from homeassistant.core import State
from homeassistant.helpers import (
    area_registry as ar,
)
from homeassistant.helpers import (
    device_registry as dr,
)
from homeassistant.helpers import (
    entity_registry as er,
)

from .attributes import exported_attributes
from .const import DOMAIN

type WireEvent = dict[str, Any]


def state_event(state: State, include_attributes: bool) -> WireEvent:
    """Return the `state` event of a state; reads only immutable fields, so any thread may call."""
    event: WireEvent = {
        "t": "state",
        "entity_id": state.entity_id,
        "state": state.state,
        "last_changed": state.last_changed.isoformat(),
        "last_updated": state.last_updated.isoformat(),
        "context_id": state.context.id,
    }
    if include_attributes:
        event["attributes"] = exported_attributes(state)
    return event


def removed_state_event(entity_id: str, when: datetime) -> WireEvent:
    """Return the `state: null` event of an entity that left the state machine."""
    return {"t": "state", "entity_id": entity_id, "state": None, "last_updated": when.isoformat()}


def entity_event(entry: er.RegistryEntry) -> WireEvent:
    """Return the `entity` event of an entity registry entry."""
    return {
        "t": "entity",
        "entity_id": entry.entity_id,
        "name": entry.name or entry.original_name,
        "device_id": entry.device_id,
        "area_id": entry.area_id,
        "platform": entry.platform,
        "entity_category": entry.entity_category.value if entry.entity_category else None,
        "disabled": entry.disabled_by is not None,
        "removed": False,
    }


def removed_entity_event(entity_id: str) -> WireEvent:
    """Return the `entity` event of a removed registry entry."""
    return {"t": "entity", "entity_id": entity_id, "removed": True}


def device_event(device: dr.DeviceEntry | dr.ChildDeviceEntry) -> WireEvent:
    """Return the `device` event of a device registry entry."""
    # Child devices carry no hardware details of their own.
    details = device if isinstance(device, dr.DeviceEntry) else None
    return {
        "t": "device",
        "device_id": device.id,
        "name": device.name_by_user or device.name,
        "manufacturer": details.manufacturer if details else None,
        "model": details.model if details else None,
        "sw_version": details.sw_version if details else None,
        "area_id": device.area_id,
        "removed": False,
    }


def is_own_device(device: dr.DeviceEntry | dr.ChildDeviceEntry) -> bool:
    """Tell whether a device is this integration's own service device ("Odoo <database>")."""
    return any(domain == DOMAIN for domain, _ in device.identifiers)


def is_own_entity_entry(entry: er.RegistryEntry) -> bool:
    """Tell whether a registry entry is one of this integration's own entities.

    Figure sensors come and go while the outbox runs: their registry entry is created before
    the entity can mark itself as one of ours.
    """
    return entry.platform == DOMAIN


def removed_device_event(device_id: str) -> WireEvent:
    """Return the `device` event of a removed device."""
    return {"t": "device", "device_id": device_id, "removed": True}


def area_event(area: ar.AreaEntry) -> WireEvent:
    """Return the `area` event of an area."""
    return {"t": "area", "area_id": area.id, "name": area.name, "removed": False}


def removed_area_event(area_id: str) -> WireEvent:
    """Return the `area` event of a removed area."""
    return {"t": "area", "area_id": area_id, "removed": True}


# The field naming what an event describes; every other kind names an entity.
KEY_FIELDS = {"device": "device_id", "area": "area_id"}


def event_key(event: WireEvent) -> tuple[str, str]:
    """Return what an event describes; a newer event with the same key supersedes it."""
    kind = str(event["t"])
    return kind, str(event[KEY_FIELDS.get(kind, "entity_id")])


def event_reference(kind: str, key: str) -> WireEvent:
    """Return only what names an event (for one that cannot travel whole)."""
    return {"t": kind, KEY_FIELDS.get(kind, "entity_id"): key}
