"""Status entities, diagnostics and the options flow of a pairing."""

from datetime import timedelta

from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.odoo.diagnostics import async_get_config_entry_diagnostics
from custom_components.odoo.outbox import STATUS_INTERVAL

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo, ScriptedAnswer

CONNECTED = "binary_sensor.odoo_prod_connected"
OUTBOX_SIZE = "sensor.odoo_prod_outbox_size"
EVENTS_SENT = "sensor.odoo_prod_events_sent"
LAST_PUSH = "sensor.odoo_prod_last_successful_push"


async def test_status_entities_follow_the_outbox(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Four diagnostic entities on one service device, named by translation, kept current."""
    await setup_entry(hass, config_entry)
    await wait_for(lambda: hass.states.get(CONNECTED).state == STATE_ON)
    registry = er.async_get(hass)
    for entity_id in (CONNECTED, OUTBOX_SIZE, EVENTS_SENT, LAST_PUSH):
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.entity_category is EntityCategory.DIAGNOSTIC
        assert entry.has_entity_name
    device = dr.async_get(hass).async_get(registry.async_get(CONNECTED).device_id)
    assert device.name == "Odoo prod"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert hass.states.get(CONNECTED).attributes["friendly_name"] == "Odoo prod Connected"
    assert hass.states.get(LAST_PUSH).state not in ("unknown", "unavailable")

    sent_before = int(hass.states.get(EVENTS_SENT).state)
    for value in range(3):
        hass.states.async_set("sensor.tick", str(value))
    await wait_for(lambda: len(odoo.state_events("sensor.tick")) == 3)
    await wait_for(lambda: config_entry.runtime_data.outbox.pending == 0)
    # Counters refresh on a periodic tick, not on every push (the recorder would store each).
    assert int(hass.states.get(EVENTS_SENT).state) == sent_before
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=STATUS_INTERVAL + 1))
    assert int(hass.states.get(EVENTS_SENT).state) == sent_before + 3
    assert hass.states.get(OUTBOX_SIZE).state == "0"

    odoo.scripted.append(ScriptedAnswer(500, "server_error"))
    hass.states.async_set("sensor.tick", "boom")
    await wait_for(lambda: hass.states.get(CONNECTED).state == STATE_OFF)
    await wait_for(lambda: hass.states.get(CONNECTED).state == STATE_ON, seconds=5)
    exported = {event.get("entity_id") for event in odoo.events}
    assert not exported & {CONNECTED, OUTBOX_SIZE, EVENTS_SENT, LAST_PUSH}


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Diagnostics show the outbox and dead letters, never the key, secret or webhook id."""
    await setup_entry(hass, config_entry)
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    text = str(diagnostics)
    for secret in ("key-123", config_entry.data["secret"], config_entry.data["webhook_id"]):
        assert secret not in text
    assert diagnostics["outbox"]["dead_letters"] == []


async def test_options_flow_sets_filter_and_batching(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """The options form stores the filter and batching settings, which take effect at once."""
    await setup_entry(hass, config_entry)
    hass.states.async_set("light.a", "on")
    await wait_for(lambda: bool(odoo.state_events("light.a")))
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "include_domains": ["light"],
            "include_entities": [],
            "include_entity_globs": [],
            "exclude_domains": [],
            "exclude_entities": ["light.b"],
            "exclude_entity_globs": [],
            "flush_delay_ms": 50,
            "max_batch": 200,
            "heartbeat_interval": 60,
            "send_attributes": False,
            "buffer_limit": 50_000,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options["max_batch"] == 200
    assert config_entry.options["exclude_entities"] == ["light.b"]
    before = len(odoo.batches)
    hass.states.async_set("light.b", "on")
    hass.states.async_set("light.a", "off")
    hass.states.async_set("switch.c", "on")
    await wait_for(lambda: any(not b["snapshot"] for b in odoo.batches[before:] if b["events"]))
    live = [e for b in odoo.batches[before:] if not b["snapshot"] for e in b["events"]]
    assert [(e["entity_id"], e["state"]) for e in live] == [("light.a", "off")]
    assert "attributes" not in live[0]
    snapshot = next(b for b in odoo.batches[before:] if b["snapshot"])
    assert {e["entity_id"] for e in snapshot["events"] if e["t"] == "state"} == {"light.a"}
