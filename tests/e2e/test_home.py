"""The whole home in Odoo, end to end: floors, areas on them, labels, a device with its
details and Home Assistant's own facts reach Odoo, follow renames and deletions, and a
label in the export filter moves an entity out of Odoo and back.

This module runs its own Home Assistant with a small custom integration that makes one
device with every detail a device registry entry holds (HA's demo devices carry only a
name), as a device maker's integration would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stack import HomeAssistant, OdooServer, wait_for

from .bridge import pair_new_instance, pair_through, running_hass, set_options

METER = "sensor.cellar_meter_energy"
DEVICE_MAKER = "bridge_test_device"
MANIFEST = {
    "domain": DEVICE_MAKER,
    "name": "Bridge test device",
    "codeowners": [],
    "config_flow": True,
    "documentation": "https://example.com",
    "iot_class": "local_polling",
    "requirements": [],
    "version": "1.0.0",
}
# A meter behind a gateway, registered the way a Zigbee or Modbus integration does it:
# devices belong to a config entry, which the integration imports from its YAML key.
INTEGRATION = '''"""A meter behind a gateway, with every device detail."""

from homeassistant.helpers import device_registry as dr

DOMAIN = "bridge_test_device"


async def async_setup(hass, config):
    if not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(DOMAIN, context={"source": "import"}, data={})
        )
    return True


async def async_setup_entry(hass, entry):
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, "gateway-1")},
        name="Meter gateway",
        manufacturer="Acme Metering",
        model="GW-1",
    )
    await hass.config_entries.async_forward_entry_setups(entry, ["sensor"])
    return True


async def async_unload_entry(hass, entry):
    return await hass.config_entries.async_unload_platforms(entry, ["sensor"])
'''
CONFIG_FLOW = '''"""Imported from YAML: one entry, no questions."""

from homeassistant.config_entries import ConfigFlow


class MeterFlow(ConfigFlow, domain="bridge_test_device"):
    VERSION = 1

    async def async_step_import(self, data):
        return self.async_create_entry(title="Cellar meter", data={})
'''
SENSOR = '''"""The meter's energy sensor; its device carries every detail."""

from homeassistant.components.sensor import SensorEntity
from homeassistant.helpers.device_registry import DeviceInfo


async def async_setup_entry(hass, entry, async_add_entities):
    async_add_entities([Meter()])


class Meter(SensorEntity):
    _attr_has_entity_name = True
    _attr_name = "Energy"
    _attr_unique_id = "cellar-meter-energy"
    _attr_native_value = 1234.5
    _attr_native_unit_of_measurement = "kWh"
    _attr_device_info = DeviceInfo(
        identifiers={("bridge_test_device", "meter-1")},
        name="Cellar meter",
        manufacturer="Acme Metering",
        model="EM-3",
        model_id="em3-eu",
        serial_number="SN-0042",
        hw_version="rev B",
        sw_version="4.2.1",
        configuration_url="http://192.168.1.50/",
        via_device=("bridge_test_device", "gateway-1"),
    )
'''


def write_device_maker(config_dir: Path) -> None:
    """The custom integration that registers the gateway and the meter."""
    folder = config_dir / "custom_components" / DEVICE_MAKER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(MANIFEST))
    (folder / "__init__.py").write_text(INTEGRATION)
    (folder / "config_flow.py").write_text(CONFIG_FLOW)
    (folder / "sensor.py").write_text(SENSOR)


@pytest.fixture(scope="module")
def odoo(second_odoo: OdooServer) -> OdooServer:
    """The second Odoo database: this module pairs a Home Assistant of its own (conftest)."""
    return second_odoo


@pytest.fixture(scope="module")
def hass_h(work_dir: Path) -> Iterator[HomeAssistant]:
    """A Home Assistant of this module, with the meter."""
    config_dir = work_dir / "ha-home"
    write_device_maker(config_dir)
    with running_hass(config_dir, extra_config=f"{DEVICE_MAKER}:\n") as server:
        yield server


@pytest.fixture(scope="module")
def instance_h(hass_h: HomeAssistant, odoo: OdooServer) -> int:
    """hass_h paired with the session's Odoo, the meter in Odoo; returns the instance id."""
    _, instance = pair_new_instance(odoo, lambda: pair_through(hass_h, odoo, odoo.url))
    wait_for(lambda: odoo_entity(odoo, instance["id"], METER), 120, "the meter in Odoo")
    return int(instance["id"])


def odoo_rows(
    odoo: OdooServer, model: str, domain: list[Any], fields: list[str]
) -> list[dict[str, Any]]:
    """Rows of `model`, archived ones included."""
    return list(odoo.rpc().env[model].with_context(active_test=False).search_read(domain, fields))


def odoo_entity(odoo: OdooServer, instance_id: int, entity_id: str) -> dict[str, Any] | None:
    """The meter's (or another entity's) ha.entity row of this instance, or None."""
    rows = odoo_rows(
        odoo,
        "ha.entity",
        [("instance_id", "=", instance_id), ("entity_id", "=", entity_id)],
        ["active", "state", "label_ids", "device_id", "area_id"],
    )
    return rows[0] if rows else None


def one(odoo: OdooServer, model: str, instance_id: int, key: str, value: str, fields: list[str]):
    """The row of `model` of this instance whose HA id `key` is `value`, or None."""
    rows = odoo_rows(odoo, model, [("instance_id", "=", instance_id), (key, "=", value)], fields)
    return rows[0] if rows else None


def test_floors_areas_labels_and_device_details_follow_home_assistant(
    hass_h: HomeAssistant, odoo: OdooServer, instance_h: int
) -> None:
    (devices,) = hass_h.websocket_calls({"type": "config/device_registry/list"})
    (meter,) = [d for d in devices if [DEVICE_MAKER, "meter-1"] in d["identifiers"]]
    hass_h.websocket_calls(
        {"type": "config/floor_registry/create", "name": "Cellar", "level": -1},
        {"type": "config/area_registry/create", "name": "Vault", "floor_id": "cellar"},
        {
            "type": "config/label_registry/create",
            "name": "Safe",
            "color": "red",
            "icon": "mdi:lock",
        },
        {
            "type": "config/device_registry/update",
            "device_id": meter["id"],
            "area_id": "vault",
            "labels": ["safe"],
        },
    )

    def device() -> dict[str, Any] | None:
        return one(
            odoo,
            "ha.device",
            instance_h,
            "ha_device_id",
            meter["id"],
            ["manufacturer", "model", "model_id", "serial_number", "hw_version", "sw_version",
             "configuration_url", "via_device_id", "area_id", "label_ids", "active"],
        )  # fmt: skip

    wait_for(lambda: (device() or {}).get("label_ids"), 30, "the meter's label in Odoo")
    details = device()
    assert details is not None
    assert (details["manufacturer"], details["model"], details["model_id"]) == (
        "Acme Metering",
        "EM-3",
        "em3-eu",
    )
    assert (details["serial_number"], details["hw_version"], details["sw_version"]) == (
        "SN-0042",
        "rev B",
        "4.2.1",
    )
    assert details["configuration_url"] == "http://192.168.1.50/"
    assert details["via_device_id"], "the gateway the meter connects through"
    floor = one(odoo, "ha.floor", instance_h, "ha_floor_id", "cellar", ["name", "level", "active"])
    assert (floor["name"], floor["level"], floor["active"]) == ("Cellar", -1, True)
    area = one(odoo, "ha.area", instance_h, "ha_area_id", "vault", ["name", "floor_id", "active"])
    assert area["floor_id"][0] == floor["id"]
    assert details["area_id"][0] == area["id"]
    label = one(odoo, "ha.label", instance_h, "ha_label_id", "safe", ["name", "color", "icon"])
    assert (label["name"], label["color"], label["icon"]) == ("Safe", "red", "mdi:lock")
    assert details["label_ids"] == [label["id"]]
    facts = (
        odoo.rpc()
        .env["ha.instance"]
        .read([instance_h], ["time_zone", "unit_system", "location_name", "python_version"])[0]
    )
    assert (facts["time_zone"], facts["unit_system"], facts["location_name"]) == (
        "UTC",
        "metric",
        "Demo Building",
    )
    assert facts["python_version"].startswith("3.")

    hass_h.websocket_calls(
        {"type": "config/floor_registry/update", "floor_id": "cellar", "name": "Basement"},
        {"type": "config/area_registry/update", "area_id": "vault", "name": "Strong room"},
        {"type": "config/label_registry/update", "label_id": "safe", "name": "Secure",
         "color": "indigo"},
    )  # fmt: skip
    wait_for(
        lambda: one(odoo, "ha.label", instance_h, "ha_label_id", "safe", ["name"])["name"]
        == "Secure",
        30,
        "the renamed label in Odoo",
    )
    assert one(odoo, "ha.floor", instance_h, "ha_floor_id", "cellar", ["name"])["name"] == (
        "Basement"
    )
    assert one(odoo, "ha.area", instance_h, "ha_area_id", "vault", ["name"])["name"] == (
        "Strong room"
    )
    assert one(odoo, "ha.label", instance_h, "ha_label_id", "safe", ["color"])["color"] == "indigo"

    hass_h.websocket_calls(
        {"type": "config/label_registry/delete", "label_id": "safe"},
        {"type": "config/area_registry/delete", "area_id": "vault"},
        {"type": "config/floor_registry/delete", "floor_id": "cellar"},
    )
    wait_for(
        lambda: not one(odoo, "ha.floor", instance_h, "ha_floor_id", "cellar", ["active"])[
            "active"
        ],
        30,
        "the floor archived in Odoo",
    )
    assert not one(odoo, "ha.label", instance_h, "ha_label_id", "safe", ["active"])["active"]
    assert not one(odoo, "ha.area", instance_h, "ha_area_id", "vault", ["active"])["active"]
    wait_for(lambda: not device()["label_ids"], 30, "the meter without its label")
    assert not device()["area_id"]


def test_a_label_in_the_export_filter_moves_an_entity_out_of_odoo_and_back(
    hass_h: HomeAssistant, odoo: OdooServer, instance_h: int
) -> None:
    hass_h.websocket_calls(
        {"type": "config/label_registry/create", "name": "Private"},
        {"type": "config/entity_registry/update", "entity_id": METER, "labels": ["private"]},
    )
    status, entries = hass_h.api("GET", "/api/config/config_entries/entry?domain=odoo")
    assert status == 200, entries
    (entry_id,) = [entry["entry_id"] for entry in entries]
    set_options(hass_h, entry_id, {"exclude_labels": ["private"]})
    wait_for(
        lambda: not odoo_entity(odoo, instance_h, METER)["active"], 30, "the meter out of Odoo"
    )

    set_options(hass_h, entry_id, {"exclude_labels": []})
    wait_for(lambda: odoo_entity(odoo, instance_h, METER)["active"], 30, "the meter back in Odoo")
    assert odoo_entity(odoo, instance_h, METER)["state"] == "1234.5"
