"""Snapshots (single and multi-part, on setup and on `odoo.resync`), streamed registry changes."""

import asyncio
import threading
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
)
from homeassistant.helpers import (
    device_registry as dr,
)
from homeassistant.helpers import (
    entity_registry as er,
)
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo import resync as resync_module
from custom_components.odoo.const import DOMAIN
from custom_components.odoo.snapshot import EncodedSnapshot, encode_snapshot

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo
from .test_outbox import outbox_of


async def test_large_snapshot_is_sent_in_numbered_parts(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """More items than a batch holds: parts share an id, are numbered, and hold everything."""
    for index in range(25):
        hass.states.async_set(f"sensor.s{index:02}", str(index))
    await setup_entry(hass, config_entry, max_batch=10)
    await wait_for(lambda: sum(1 for b in odoo.batches if b["snapshot"]) == 3)
    parts = [batch["snapshot"] for batch in odoo.batches]
    assert {part["id"] for part in parts} == {parts[0]["id"]}
    assert [(part["part"], part["parts"]) for part in parts] == [(1, 3), (2, 3), (3, 3)]
    states = {e["entity_id"] for b in odoo.batches for e in b["events"] if e["t"] == "state"}
    assert states == {f"sensor.s{index:02}" for index in range(25)}


async def test_resync_sends_registries_and_states(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """`odoo.resync` sends a complete snapshot: facts, registries, entities, then states."""
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))
    area = ar.async_get(hass).async_create("Kitchen")
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=config_entry.entry_id,
        identifiers={("demo", "bulb")},
        name="Bulb",
        manufacturer="Signify",
        model="LCA001",
    )
    entity = er.async_get(hass).async_get_or_create(
        "light", "demo", "bulb", device_id=device.id, original_name="Bulb"
    )
    hass.states.async_set(entity.entity_id, "on")
    before = len(odoo.batches)

    await hass.services.async_call(
        DOMAIN, "resync", {"config_entry_id": config_entry.entry_id}, blocking=True
    )

    await wait_for(lambda: any(b["snapshot"] for b in odoo.batches[before:]))
    (snapshot,) = [b for b in odoo.batches[before:] if b["snapshot"]]
    assert snapshot["snapshot"] is True
    kinds = [event["t"] for event in snapshot["events"]]
    order = ["system", "label", "floor", "area", "device", "entity", "state"]
    assert kinds == sorted(kinds, key=order.index)
    events = {
        (e["t"], e.get("entity_id") or e.get("device_id") or e.get("area_id")): e
        for e in snapshot["events"]
    }
    assert events[("area", area.id)]["name"] == "Kitchen"
    assert events[("device", device.id)]["manufacturer"] == "Signify"
    assert events[("entity", entity.entity_id)]["device_id"] == device.id
    assert events[("state", entity.entity_id)]["state"] == "on"
    own = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)
    }
    assert len(own) == 4
    assert not own & {e.get("entity_id") for e in snapshot["events"]}


async def test_registry_changes_stream_as_events(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Area, device and entity registry changes arrive as `area`/`device`/`entity` events."""
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))
    areas = ar.async_get(hass)
    area = areas.async_create("Garage")
    areas.async_update(area.id, name="Big garage")
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=config_entry.entry_id, identifiers={("demo", "door")}, name="Door"
    )
    entities = er.async_get(hass)
    entry = entities.async_get_or_create("cover", "demo", "door", device_id=device.id)
    entities.async_update_entity(entry.entity_id, area_id=area.id, name="Garage door")
    entities.async_remove(entry.entity_id)
    dr.async_get(hass).async_remove_device(device.id)
    areas.async_delete(area.id)
    await hass.async_block_till_done()

    await wait_for(lambda: any(e["t"] == "area" and e["removed"] for e in odoo.events))
    streamed = [e for e in odoo.events if e["t"] in ("area", "device", "entity")]
    area_events = [e for e in streamed if e["t"] == "area"]
    assert [(e.get("name"), e["removed"]) for e in area_events] == [
        ("Garage", False),
        ("Big garage", False),
        (None, True),
    ]
    entity_events = [e for e in streamed if e["t"] == "entity"]
    assert entity_events[-2]["name"] == "Garage door"
    assert entity_events[-2]["area_id"] == area.id
    assert entity_events[-1] == {"t": "entity", "entity_id": entry.entity_id, "removed": True}
    device_events = [e for e in streamed if e["t"] == "device" and e["device_id"] == device.id]
    assert device_events[0]["name"] == "Door"
    assert device_events[-1]["removed"] is True


async def test_services_refuse_unknown_entries(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A service call naming an entry that is not a loaded Odoo pairing is a validation error."""
    await setup_entry(hass, config_entry)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "flush", {"config_entry_id": "nope"}, blocking=True)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "resync", {"config_entry_id": config_entry.entry_id}, blocking=True
        )


@pytest.fixture
def held_encoding(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], threading.Event]:
    """Hold snapshot encoding until the test releases it; record the encoding threads."""
    threads: list[int] = []
    release = threading.Event()

    def held(*args: Any) -> EncodedSnapshot:
        threads.append(threading.get_ident())
        assert release.wait(10)
        return encode_snapshot(*args)

    monkeypatch.setattr(resync_module, "encode_snapshot", held)
    return threads, release


async def _synced_then_held(
    hass: HomeAssistant, odoo: FakeOdoo, entry: MockConfigEntry, release: threading.Event
) -> None:
    """Set the entry up with encoding free until its first snapshot is in; hold it after."""
    release.set()
    await setup_entry(hass, entry)
    await wait_for(lambda: any(b["snapshot"] for b in odoo.batches))
    release.clear()


async def test_snapshot_is_encoded_off_the_loop_and_queued_where_it_was_taken(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    held_encoding: tuple[list[int], threading.Event],
) -> None:
    """A registry change made while a snapshot is encoded reaches Odoo after the snapshot."""
    threads, release = held_encoding
    registry = er.async_get(hass)
    lamp = registry.async_get_or_create("light", "demo", "lamp", original_name="Lamp")
    await _synced_then_held(hass, odoo, config_entry, release)
    before = len(odoo.batches)

    outbox = outbox_of(config_entry)
    outbox.async_request_snapshot()
    registry.async_update_entity(lamp.entity_id, name="Reading lamp")
    await wait_for(lambda: len(threads) == 2 and outbox.pending == 1)
    await asyncio.sleep(0.3)  # longer than the flush delay: the rename must still wait
    release.set()

    await wait_for(lambda: any(e.get("name") == "Reading lamp" for e in odoo.events))
    names = [
        (bool(b["snapshot"]), e["name"])
        for b in odoo.batches[before:]
        for e in b["events"]
        if e["t"] == "entity" and e["entity_id"] == lamp.entity_id
    ]
    assert names == [(True, "Lamp"), (False, "Reading lamp")]
    assert hass.loop_thread_id not in threads


async def test_a_snapshot_requested_while_one_is_encoded_replaces_it(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    held_encoding: tuple[list[int], threading.Event],
) -> None:
    """Two resyncs in a row queue one snapshot, with the newer states."""
    threads, release = held_encoding
    await _synced_then_held(hass, odoo, config_entry, release)
    outbox = outbox_of(config_entry)
    hass.states.async_set("sensor.power", "1")
    await hass.async_block_till_done()
    before = len(odoo.batches)

    outbox.async_request_snapshot()
    hass.states.async_set("sensor.power", "2")
    outbox.async_request_snapshot()
    await wait_for(lambda: len(threads) == 3)
    release.set()
    await hass.async_block_till_done()

    await wait_for(lambda: any(b["snapshot"] for b in odoo.batches[before:]))
    await hass.async_block_till_done()
    snapshots = [b for b in odoo.batches[before:] if b["snapshot"]]
    assert len(snapshots) == 1
    (power,) = [e for e in snapshots[0]["events"] if e.get("entity_id") == "sensor.power"]
    assert power["state"] == "2"
