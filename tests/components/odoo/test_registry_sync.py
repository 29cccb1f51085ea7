"""Labels, floors, areas and device details: streamed registry changes and snapshots (issue 14)."""

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.const import DOMAIN
from custom_components.odoo.events import safe_url

from .conftest import first_snapshot, setup_entry, wait_for
from .fake_odoo import FakeOdoo


def _of(odoo: FakeOdoo, kind: str, key: str) -> list[dict[str, Any]]:
    """Return the streamed events of one kind naming one item, oldest first."""
    return [e for e in odoo.events if e["t"] == kind and e.get(f"{kind}_id") == key]


async def _started(hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry) -> None:
    """Set up the pairing and wait for its first snapshot."""
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))


async def test_label_lifecycle_streams(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Creating, renaming, recolouring and deleting a label each send a `label` event."""
    await _started(hass, odoo, config_entry)
    labels = lr.async_get(hass)
    label = labels.async_create("Safe", color="red", icon="mdi:lock", description="Locked")
    labels.async_update(label.label_id, name="Very safe")
    labels.async_update(label.label_id, color="#112233")
    labels.async_delete(label.label_id)
    await hass.async_block_till_done()

    await wait_for(lambda: any(e["removed"] for e in _of(odoo, "label", label.label_id)))
    events = _of(odoo, "label", label.label_id)
    assert events[0] == {
        "t": "label",
        "label_id": label.label_id,
        "name": "Safe",
        "color": "red",
        "icon": "mdi:lock",
        "description": "Locked",
        "removed": False,
    }
    assert [(e.get("name"), e.get("color"), e["removed"]) for e in events[1:]] == [
        ("Very safe", "red", False),
        ("Very safe", "#112233", False),
        (None, None, True),
    ]


async def test_deleting_a_label_updates_its_carriers(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A deleted label leaves the entity, device and area that carried it: each is re-sent."""
    await _started(hass, odoo, config_entry)
    label = lr.async_get(hass).async_create("Safe")
    area = ar.async_get(hass).async_create("Vault", labels={label.label_id})
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=config_entry.entry_id, identifiers={("demo", "safe")}, name="Safe"
    )
    dr.async_get(hass).async_update_device(device.id, labels={label.label_id})
    entry = er.async_get(hass).async_get_or_create("lock", "demo", "safe")
    er.async_get(hass).async_update_entity(entry.entity_id, labels={label.label_id})
    await hass.async_block_till_done()
    await wait_for(lambda: bool(_of(odoo, "entity", entry.entity_id)))
    assert _of(odoo, "entity", entry.entity_id)[-1]["labels"] == [label.label_id]
    assert _of(odoo, "area", area.id)[-1]["labels"] == [label.label_id]

    lr.async_get(hass).async_delete(label.label_id)
    await hass.async_block_till_done()

    await wait_for(lambda: _of(odoo, "entity", entry.entity_id)[-1]["labels"] == [])
    assert _of(odoo, "device", device.id)[-1]["labels"] == []
    assert _of(odoo, "area", area.id)[-1]["labels"] == []
    assert _of(odoo, "label", label.label_id)[-1]["removed"] is True


async def test_floor_lifecycle_and_areas_on_it(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Floors stream; an area names its floor, and loses it when the floor is deleted."""
    await _started(hass, odoo, config_entry)
    floors = fr.async_get(hass)
    floor = floors.async_create("Cellar", level=-1, icon="mdi:home-floor-negative-1")
    floors.async_update(floor.floor_id, name="Basement")
    area = ar.async_get(hass).async_create("Vault", floor_id=floor.floor_id, icon="mdi:safe")
    floors.async_delete(floor.floor_id)
    await hass.async_block_till_done()

    await wait_for(lambda: any(e["removed"] for e in _of(odoo, "floor", floor.floor_id)))
    events = _of(odoo, "floor", floor.floor_id)
    assert events[0] == {
        "t": "floor",
        "floor_id": floor.floor_id,
        "name": "Cellar",
        "level": -1,
        "icon": "mdi:home-floor-negative-1",
        "removed": False,
    }
    assert [(e.get("name"), e["removed"]) for e in events[1:]] == [
        ("Basement", False),
        (None, True),
    ]
    await wait_for(lambda: _of(odoo, "area", area.id)[-1]["floor_id"] is None)
    assert _of(odoo, "area", area.id)[0] == {
        "t": "area",
        "area_id": area.id,
        "name": "Vault",
        "floor_id": floor.floor_id,
        "icon": "mdi:safe",
        "labels": [],
        "removed": False,
    }


async def test_device_details(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A device event carries its details; its configuration URL only when safe."""
    await _started(hass, odoo, config_entry)
    devices = dr.async_get(hass)
    hub = devices.async_get_or_create(
        config_entry_id=config_entry.entry_id,
        identifiers={("demo", "hub")},
        name="Hub",
        entry_type=dr.DeviceEntryType.SERVICE,
        configuration_url="http://admin:secret@192.168.1.2/",
    )
    bulb = devices.async_get_or_create(
        config_entry_id=config_entry.entry_id,
        identifiers={("demo", "bulb")},
        name="Hue bulb",
        manufacturer="Signify",
        model="LCA001",
        model_id="9290022166",
        serial_number="ABC123",
        hw_version="1.0",
        sw_version="1.2",
        configuration_url="http://192.168.1.20/",
        via_device_id=hub.id,
    )
    devices.async_update_device(bulb.id, disabled_by=dr.DeviceEntryDisabler.USER)
    await hass.async_block_till_done()

    await wait_for(lambda: any(e["disabled"] for e in _of(odoo, "device", bulb.id)))
    assert _of(odoo, "device", bulb.id)[-1] == {
        "t": "device",
        "device_id": bulb.id,
        "name": "Hue bulb",
        "manufacturer": "Signify",
        "model": "LCA001",
        "model_id": "9290022166",
        "serial_number": "ABC123",
        "hw_version": "1.0",
        "sw_version": "1.2",
        "configuration_url": "http://192.168.1.20/",
        "via_device_id": hub.id,
        "entry_type": None,
        "disabled": True,
        "area_id": None,
        "labels": [],
        "removed": False,
    }
    hub_event = _of(odoo, "device", hub.id)[-1]
    assert hub_event["entry_type"] == "service"
    assert hub_event["configuration_url"] is None
    assert "secret" not in str(odoo.events)


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("http://192.168.1.20/", True),
        ("https://hub.local:8443/setup", True),
        ("http://user@hub.local/", False),
        ("https://:pw@hub.local/", False),
        ("homeassistant://config/zha", False),
        ("javascript:alert(1)", False),
        ("http://[::1", False),
        ("", False),
        (None, False),
    ],
)
def test_configuration_url_is_sent_only_when_safe(url: str | None, sent: bool) -> None:
    """Only an http(s) URL without user info travels."""
    assert safe_url(url) == (url if sent else None)


async def test_snapshot_carries_labels_floors_and_details(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A snapshot starts with labels and floors, then areas on floors, devices, entities."""
    demo = MockConfigEntry(domain="demo")
    demo.add_to_hass(hass)
    label = lr.async_get(hass).async_create("Safe", color="indigo")
    floor = fr.async_get(hass).async_create("Cellar", level=-1)
    area = ar.async_get(hass).async_create(
        "Vault", floor_id=floor.floor_id, labels={label.label_id}
    )
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=demo.entry_id,
        identifiers={("demo", "safe")},
        name="Safe",
        serial_number="S1",
    )
    dr.async_get(hass).async_update_device(device.id, area_id=area.id, labels={label.label_id})
    entry = er.async_get(hass).async_get_or_create("lock", "demo", "safe", device_id=device.id)
    er.async_get(hass).async_update_entity(entry.entity_id, labels={label.label_id})
    hass.states.async_set(entry.entity_id, "locked")

    await setup_entry(hass, config_entry)
    snapshot = await first_snapshot(odoo)
    kinds = [event["t"] for event in snapshot["events"]]
    order = ["system", "label", "floor", "area", "device", "entity", "state"]
    assert kinds == sorted(kinds, key=order.index)
    events = {(e["t"], e.get(f"{e['t']}_id") or e.get("entity_id")): e for e in snapshot["events"]}
    assert events[("label", label.label_id)]["color"] == "indigo"
    assert events[("floor", floor.floor_id)]["level"] == -1
    assert events[("area", area.id)]["floor_id"] == floor.floor_id
    assert events[("area", area.id)]["labels"] == [label.label_id]
    assert events[("device", device.id)]["serial_number"] == "S1"
    assert events[("device", device.id)]["labels"] == [label.label_id]
    assert events[("entity", entry.entity_id)]["labels"] == [label.label_id]
    assert not any(e["t"] == "device" and e["name"].startswith("Odoo") for e in snapshot["events"])
    assert DOMAIN not in {e.get("platform") for e in snapshot["events"]}
