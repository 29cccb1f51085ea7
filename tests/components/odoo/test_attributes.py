"""Attributes that never leave Home Assistant: credentials and what the recorder leaves out."""

import re
from pathlib import Path

from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.entity import StateInfo
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.attributes import ODOO_READS, exported_attributes

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo

ADDON = Path(__file__).parents[3] / "odoo_module" / "home_assistant"
TOKEN = "0123456789abcdef0123456789abcdef"
CAMERA_ATTRIBUTES = {
    "access_token": TOKEN,
    "entity_picture": f"/api/camera_proxy/camera.door?token={TOKEN}",
    "friendly_name": "Door",
    "brand": "Acme",
}
CAMERA_INFO = StateInfo(unrecorded_attributes=frozenset({"access_token", "entity_picture"}))


def test_credentials_never_leave_even_without_state_info() -> None:
    """A state set through the REST API (no state_info) still loses its tokens."""
    state = State(
        "media_player.tv",
        "playing",
        {
            "access_token": TOKEN,
            "entity_picture": f"/api/media_player_proxy/media_player.tv?token={TOKEN}&cache=1",
            "entity_picture_local": f"/api/media_player_proxy/media_player.tv?token={TOKEN}",
            "volume_level": 0.4,
        },
    )
    assert exported_attributes(state) == {"volume_level": 0.4}


def test_a_picture_without_a_token_stays() -> None:
    """An external picture URL grants nothing: it is sent."""
    state = State("person.ann", "home", {"entity_picture": "https://example.com/ann.png"})
    assert exported_attributes(state) == {"entity_picture": "https://example.com/ann.png"}


def test_unrecorded_attributes_stay_but_what_odoo_reads_goes() -> None:
    """The entity's unrecorded attributes are left out, except those Odoo's controls read."""
    info = StateInfo(unrecorded_attributes=frozenset({"brightness", "effect_list", "editable"}))
    state = State(
        "light.desk",
        "on",
        {"brightness": 180, "effect_list": ["rainbow"], "editable": True, "friendly_name": "D"},
        state_info=info,
    )
    assert exported_attributes(state) == {
        "brightness": 180,
        "effect_list": ["rainbow"],
        "friendly_name": "D",
    }


def test_match_all_keeps_only_what_the_recorder_and_odoo_keep() -> None:
    """An entity leaving out everything (MATCH_ALL) keeps unit, device class, name, state class."""
    state = State(
        "sensor.meter",
        "3",
        {
            "unit_of_measurement": "kWh",
            "device_class": "energy",
            "state_class": "total",
            "friendly_name": "Meter",
            "serial": "AB-1234",
            "access_token": TOKEN,
        },
        state_info=StateInfo(unrecorded_attributes=frozenset({MATCH_ALL})),
    )
    assert exported_attributes(state) == {
        "unit_of_measurement": "kWh",
        "device_class": "energy",
        "state_class": "total",
        "friendly_name": "Meter",
    }


def test_a_plain_state_keeps_its_attributes_object() -> None:
    """No unrecorded attribute and no token: nothing is copied (the sender's hot path)."""
    state = State("sensor.t", "21", {"unit_of_measurement": "°C"})
    assert exported_attributes(state) is state.attributes


def _attributes_the_addon_reads() -> set[str]:
    """Return every state attribute the addon's dashboard and command checks read."""
    names: set[str] = set()
    dashboard = ADDON / "static" / "src" / "dashboard"
    for source in [*dashboard.rglob("*.js"), *dashboard.rglob("*.xml")]:
        text = source.read_text("utf-8")
        names |= set(re.findall(r"\b(?:attributes|shown)\.([a-z_]+)\b", text))
    services = (ADDON / "entity_services.py").read_text("utf-8")
    names |= set(re.findall(r'attribute_choice\("([a-z_]+)"\)', services))
    for pair in re.findall(r'in_attribute_range\(\s*"([a-z_]+)",\s*"([a-z_]+)"', services):
        names |= set(pair)
    names |= set(re.findall(r'attributes\.get\("([a-z_]+)"\)', services))
    names |= set(re.findall(r'_attribute_number\(attributes, "([a-z_]+)"', services))
    model = (ADDON / "models" / "ha_entity.py").read_text("utf-8")
    names |= set(re.findall(r'attributes\.get\("([a-z_]+)"\)', model))
    # JavaScript's own members, and the state the card puts beside the attributes.
    return names - {"get", "items", "state"}


def test_every_attribute_odoo_reads_is_kept_and_no_credential_is() -> None:
    """One truth for both halves: what Odoo reads is never left out, credentials always are."""
    read = _attributes_the_addon_reads()
    assert {"options", "hvac_modes", "brightness", "min", "max"} <= read
    assert read <= ODOO_READS
    assert not {"access_token", "entity_picture", "entity_picture_local"} & ODOO_READS


async def test_live_states_and_snapshots_carry_no_credentials(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A camera-like state (set before setup, then changed) reaches Odoo without its token,
    in the snapshot and live; a real input_boolean loses its unrecorded `editable`."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"pump": {"name": "Pump"}}}
    )
    hass.states.async_set("camera.door", "idle", CAMERA_ATTRIBUTES, state_info=CAMERA_INFO)
    await setup_entry(hass, config_entry)
    await wait_for(lambda: "camera.door" in odoo.states)
    hass.states.async_set("camera.door", "streaming", CAMERA_ATTRIBUTES)
    await wait_for(lambda: len(odoo.state_events("camera.door")) == 2)
    snapshot, live = odoo.state_events("camera.door")
    assert snapshot["attributes"] == {"friendly_name": "Door", "brand": "Acme"}
    assert live["attributes"] == {"friendly_name": "Door", "brand": "Acme"}
    pump = hass.states.get("input_boolean.pump")
    assert pump is not None
    assert "editable" in pump.attributes
    assert odoo.states["input_boolean.pump"]["attributes"] == {"friendly_name": "Pump"}
