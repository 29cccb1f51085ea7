"""Builders of the wire events of docs/protocol.md §3 from Home Assistant states and registries."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

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
from homeassistant.helpers import (
    floor_registry as fr,
)
from homeassistant.helpers import (
    label_registry as lr,
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


def removed_registry_event(kind: str, item_id: str) -> WireEvent:
    """Return the event of a removed registry item: its kind (`entity`, `device`, `area`,
    `label`, `floor`), its `<kind>_id` and `removed: true`."""
    return {"t": kind, f"{kind}_id": item_id, "removed": True}


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
        "labels": sorted(entry.labels),
        "removed": False,
    }


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
        "model_id": details.model_id if details else None,
        "serial_number": details.serial_number if details else None,
        "hw_version": details.hw_version if details else None,
        "sw_version": details.sw_version if details else None,
        "configuration_url": safe_url(details.configuration_url) if details else None,
        "via_device_id": details.via_device_id if details else None,
        "entry_type": details.entry_type.value if details and details.entry_type else None,
        "disabled": device.disabled_by is not None,
        "area_id": device.area_id,
        "labels": sorted(device.labels),
        "removed": False,
    }


def safe_url(url: str | None) -> str | None:
    """Return an http(s) URL without user info as it is, anything else as None.

    A configuration URL may hold credentials (`http://admin:pw@host/`) or point inside
    Home Assistant (`homeassistant://…`); neither belongs in Odoo.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url)
        has_user_info = parts.username is not None or parts.password is not None
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or has_user_info:
        return None
    return url


def is_own_device(device: dr.DeviceEntry | dr.ChildDeviceEntry) -> bool:
    """Tell whether a device is this integration's own service device ("Odoo <database>")."""
    return any(domain == DOMAIN for domain, _ in device.identifiers)


def is_own_entity_entry(entry: er.RegistryEntry) -> bool:
    """Tell whether a registry entry is one of this integration's own entities.

    Figure sensors come and go while the outbox runs: their registry entry is created before
    the entity can mark itself as one of ours.
    """
    return entry.platform == DOMAIN


def area_event(area: ar.AreaEntry) -> WireEvent:
    """Return the `area` event of an area."""
    return {
        "t": "area",
        "area_id": area.id,
        "name": area.name,
        "floor_id": area.floor_id,
        "icon": area.icon,
        "labels": sorted(area.labels),
        "removed": False,
    }


def label_event(label: lr.LabelEntry) -> WireEvent:
    """Return the `label` event of a label."""
    return {
        "t": "label",
        "label_id": label.label_id,
        "name": label.name,
        "color": label.color,
        "icon": label.icon,
        "description": label.description,
        "removed": False,
    }


def floor_event(floor: fr.FloorEntry) -> WireEvent:
    """Return the `floor` event of a floor."""
    return {
        "t": "floor",
        "floor_id": floor.floor_id,
        "name": floor.name,
        "level": floor.level,
        "icon": floor.icon,
        "removed": False,
    }


# The field naming what an event describes; every other kind names an entity.
KEY_FIELDS = {
    "device": "device_id",
    "area": "area_id",
    "label": "label_id",
    "floor": "floor_id",
}
# Kinds there is one of per instance: they name nothing.
SINGLE_KINDS = frozenset({"system"})


def event_key(event: WireEvent) -> tuple[str, str]:
    """Return what an event describes; a newer event with the same key supersedes it."""
    kind = str(event["t"])
    if kind in SINGLE_KINDS:
        return kind, kind
    return kind, str(event[KEY_FIELDS.get(kind, "entity_id")])


def event_reference(kind: str, key: str) -> WireEvent:
    """Return only what names an event (for one that cannot travel whole)."""
    if kind in SINGLE_KINDS:
        return {"t": kind}
    return {"t": kind, KEY_FIELDS.get(kind, "entity_id"): key}
