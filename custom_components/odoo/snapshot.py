"""Full snapshots: references taken on the event loop, events built and encoded in the executor.

Building and encoding the events of 10 000 entities costs 100 to 180 ms of CPU on the 2-core
reference machine; on the event loop that would stall every other integration. States and
registry entries are immutable, so the loop only copies references to them and a worker
thread does the rest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr
from homeassistant.helpers.json import json_bytes

from .events import (
    WireEvent,
    area_event,
    device_event,
    entity_event,
    floor_event,
    is_own_device,
    is_own_entity_entry,
    label_event,
    state_event,
)


@dataclass(frozen=True, slots=True)
class SnapshotSources:
    """Everything a snapshot describes, as it was at one moment."""

    labels: list[lr.LabelEntry]
    floors: list[fr.FloorEntry]
    areas: list[ar.AreaEntry]
    devices: list[dr.DeviceEntry | dr.ChildDeviceEntry]
    entities: list[er.RegistryEntry]
    states: list[State]
    # Home Assistant's facts, gathered asynchronously once the rest is captured.
    system: WireEvent | None = None


@callback
def capture_snapshot(hass: HomeAssistant) -> SnapshotSources:
    """Take the current states and registry entries (references only: cheap, loop-safe)."""
    devices = dr.async_get(hass)
    return SnapshotSources(
        labels=list(lr.async_get(hass).async_list_labels()),
        floors=list(fr.async_get(hass).async_list_floors()),
        areas=list(ar.async_get(hass).async_list_areas()),
        devices=[*devices.devices, *devices.child_devices],
        entities=list(er.async_get(hass).entities.values()),
        states=hass.states.async_all(),
    )


class EncodedSnapshot(NamedTuple):
    """A snapshot's encoded events, and those JSON cannot hold (with orjson's reason)."""

    events: list[bytes]
    unencodable: list[tuple[WireEvent, TypeError]]


def encode_snapshot(
    sources: SnapshotSources, exported: Callable[[str], bool], include_attributes: bool
) -> EncodedSnapshot:
    """Return the encoded events of a snapshot: system facts and registries, then states.

    Reads only immutable objects, so it runs in the executor.
    """
    events = [sources.system] if sources.system else []
    events.extend(label_event(label) for label in sources.labels)
    events.extend(floor_event(floor) for floor in sources.floors)
    events.extend(area_event(area) for area in sources.areas)
    events.extend(device_event(device) for device in sources.devices if not is_own_device(device))
    events.extend(
        entity_event(entry)
        for entry in sources.entities
        if exported(entry.entity_id) and not is_own_entity_entry(entry)
    )
    events.extend(
        state_event(state, include_attributes)
        for state in sources.states
        if exported(state.entity_id)
    )
    snapshot = EncodedSnapshot([], [])
    for event in events:
        try:
            snapshot.events.append(json_bytes(event))
        except TypeError as err:  # orjson's JSONEncodeError
            snapshot.unencodable.append((event, err))
    return snapshot
