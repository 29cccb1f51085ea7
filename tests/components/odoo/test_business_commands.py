"""`fire_event`: Odoo fires `odoo_…` events that Home Assistant automations trigger on."""

from http import HTTPStatus
from typing import Any

import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import EventOrigin, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.odoo.const import CONF_USER_ID, EVENT_COMMAND_RECEIVED

from .conftest import JANE, Post, assert_error, command

RUSH_ORDER = {"order": "S00042", "amount": 1250.0}


async def test_an_odoo_event_triggers_an_automation(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """An automation with an event trigger switches an input_boolean when Odoo fires."""
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"rush": {}}})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {"trigger": "event", "event_type": "odoo_rush_order"},
                "actions": {
                    "action": "input_boolean.turn_on",
                    "target": {"entity_id": "input_boolean.rush"},
                },
            }
        },
    )
    fired = async_capture_events(hass, "odoo_rush_order")
    received = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    assert hass.states.get("input_boolean.rush").state == STATE_OFF

    response = await post(command("fire_event", event_type="odoo_rush_order", data=RUSH_ORDER))

    assert response.status == HTTPStatus.OK
    assert await response.json() == {"ok": True, "id": "c-fire_event"}
    await hass.async_block_till_done()
    assert hass.states.get("input_boolean.rush").state == STATE_ON
    (event,) = fired
    assert event.data == {**RUSH_ORDER, "odoo_user": JANE}
    assert event.origin is EventOrigin.remote
    assert event.context.user_id == config_entry.data[CONF_USER_ID]
    assert received[0].data["event_type"] == "odoo_rush_order"
    assert received[0].data["result"] == "ok"
    # The automation's action carries the same context: Home Assistant shows "Odoo" acted.
    assert hass.states.get("input_boolean.rush").context.parent_id == event.context.id


async def test_an_event_without_data_or_user_carries_neither(
    hass: HomeAssistant, post: Post
) -> None:
    """Data defaults to an empty object; `odoo_user` is added only when Odoo names a user."""
    fired = async_capture_events(hass, "odoo_ping")
    body = {"v": 1, "id": "c1", "type": "fire_event", "event_type": "odoo_ping"}

    response = await post(body)

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert [event.data for event in fired] == [{}]


async def test_odoo_user_in_the_data_cannot_impersonate(hass: HomeAssistant, post: Post) -> None:
    """The command's user wins over an `odoo_user` key Odoo's data may carry."""
    fired = async_capture_events(hass, "odoo_note")
    data = {"odoo_user": {"login": "admin", "name": "Administrator"}}

    await post(command("fire_event", event_type="odoo_note", data=data))

    await hass.async_block_till_done()
    assert fired[0].data["odoo_user"] == JANE


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"event_type": "rush_order"}, "odoo_"),
        ({"event_type": "odoo_"}, "odoo_"),
        ({"event_type": "odoo_Rush"}, "odoo_"),
        ({"event_type": "odoo_rush-order"}, "odoo_"),
        ({"event_type": "odoo_" + "x" * 60}, "odoo_"),
        ({"event_type": "state_changed"}, "odoo_"),
        ({"event_type": EVENT_COMMAND_RECEIVED}, "Home Assistant's own"),
        ({"event_type": 42}, "event_type"),
        ({}, "event_type"),
        ({"event_type": "odoo_x", "data": ["a"]}, "data"),
        ({"event_type": "odoo_x", "data": "text"}, "data"),
        ({"event_type": "odoo_x", "data": {"blob": "x" * 16_374}}, "data too large"),
        # 8 198 characters, but 16 385 bytes of UTF-8.
        ({"event_type": "odoo_x", "data": {"blob": "é" * 8_187}}, "data too large"),
    ],
)
async def test_refused_events_are_400_and_nothing_fires(
    hass: HomeAssistant, post: Post, fields: dict[str, Any], message: str
) -> None:
    """Outside the namespace, data that is no object or too large: 400 invalid, no event."""
    fired: list[Any] = []
    hass.bus.async_listen("*", lambda event: fired.append(event.event_type))

    response = await post(command("fire_event", **fields))

    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert message in (await response.json())["error"]["message"]
    await hass.async_block_till_done()
    assert fired.count(EVENT_COMMAND_RECEIVED) == 1
    assert not [
        name for name in fired if name.startswith("odoo_") and name != EVENT_COMMAND_RECEIVED
    ]


async def test_data_of_exactly_the_limit_is_fired(hass: HomeAssistant, post: Post) -> None:
    """Exactly 16 384 bytes of compact JSON is allowed."""
    fired = async_capture_events(hass, "odoo_big")
    data = {"blob": "x" * (16_384 - len('{"blob":""}'))}

    response = await post(command("fire_event", event_type="odoo_big", data=data))

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(fired) == 1
