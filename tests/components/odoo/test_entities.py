"""Status entities of a pairing kept current, and the options flow."""

from datetime import timedelta

from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.odoo.status_updates import STATUS_INTERVAL

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
