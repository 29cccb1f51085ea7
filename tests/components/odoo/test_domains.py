"""The domains the addon's new controls drive, on real Home Assistant entities: each service
refused while the allow-list leaves it out and performed once it is allowed; the services that
answer with data (todo items, forecasts) answer through the command."""

from http import HTTPStatus
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.odoo.const import CONF_ALLOWED_SERVICES, DEFAULT_ALLOWED_SERVICES

from .conftest import Post, assert_error, command, wait_for
from .fake_odoo import FakeOdoo

ALARM_CODE = "4711"


async def setup_entry_platforms(
    hass: HomeAssistant, domain: str, platforms: list[Platform]
) -> None:
    """Set up a demo-like integration's config entry with only `platforms`."""
    module = f"homeassistant.components.{domain}"
    target = (
        "COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM"
        if domain == "demo"
        else "COMPONENTS_WITH_DEMO_PLATFORM"
    )
    entry = MockConfigEntry(domain=domain)
    entry.add_to_hass(hass)
    with patch(f"{module}.{target}", platforms):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture
async def entities(hass: HomeAssistant) -> None:
    """Real entities of every new domain, set up before the pairing (its HTTP client freezes
    Home Assistant's router, which some of them still register views on)."""
    # The demo needs conversation, which needs Home Assistant's core integration.
    assert await async_setup_component(hass, "homeassistant", {})
    await setup_entry_platforms(
        hass, "demo", [Platform.SIREN, Platform.REMOTE, Platform.UPDATE, Platform.WEATHER]
    )
    await setup_entry_platforms(hass, "kitchen_sink", [Platform.LAWN_MOWER])
    assert await async_setup_component(
        hass,
        "alarm_control_panel",
        {
            "alarm_control_panel": {
                "platform": "manual",
                "name": "House",
                "code": ALARM_CODE,
                "code_arm_required": True,
                "arming_time": 0,
                "delay_time": 0,
            }
        },
    )
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "lights",
                "alias": "Lights",
                "triggers": [{"trigger": "event", "event_type": "never_fired"}],
                "actions": [{"event": "odoo_test_automation_ran"}],
            }
        },
    )
    todo = MockConfigEntry(domain="shopping_list")
    todo.add_to_hass(hass)
    assert await hass.config_entries.async_setup(todo.entry_id)
    await hass.async_block_till_done()


async def set_up(hass: HomeAssistant, domain: str, service: str, entity_id: str) -> None:
    """Bring an entity where the service changes something, through Home Assistant itself."""
    await hass.services.async_call(
        domain,
        service,
        {
            "entity_id": entity_id,
            **({"code": ALARM_CODE} if domain == "alarm_control_panel" else {}),
        },
        blocking=True,
    )


# (domain, service, entity, data, what Home Assistant does first, the state after).
CASES: list[tuple[str, str, str, dict[str, Any], tuple[str, str] | None, str]] = [
    (
        "alarm_control_panel",
        "alarm_arm_home",
        "alarm_control_panel.house",
        {"code": ALARM_CODE},
        None,
        "armed_home",
    ),
    (
        "alarm_control_panel",
        "alarm_arm_away",
        "alarm_control_panel.house",
        {"code": ALARM_CODE},
        None,
        "armed_away",
    ),
    (
        "alarm_control_panel",
        "alarm_arm_night",
        "alarm_control_panel.house",
        {"code": ALARM_CODE},
        None,
        "armed_night",
    ),
    (
        "alarm_control_panel",
        "alarm_arm_vacation",
        "alarm_control_panel.house",
        {"code": ALARM_CODE},
        None,
        "armed_vacation",
    ),
    (
        "alarm_control_panel",
        "alarm_disarm",
        "alarm_control_panel.house",
        {"code": ALARM_CODE},
        ("alarm_control_panel", "alarm_arm_away"),
        "disarmed",
    ),
    (
        "siren",
        "turn_on",
        "siren.siren_with_all_features",
        {"tone": "fire", "volume_level": 0.5, "duration": 5},
        ("siren", "turn_off"),
        "on",
    ),
    ("siren", "turn_off", "siren.siren_with_all_features", {}, None, "off"),
    ("siren", "toggle", "siren.siren", {}, None, "off"),
    ("remote", "turn_on", "remote.remote_one", {}, None, "on"),
    ("remote", "turn_off", "remote.remote_two", {}, None, "off"),
    ("remote", "toggle", "remote.remote_two", {}, None, "off"),
    (
        "remote",
        "send_command",
        "remote.remote_two",
        {"command": ["up", "ok"], "num_repeats": 2, "delay_secs": 0},
        None,
        "on",
    ),
    ("lawn_mower", "start_mowing", "lawn_mower.mower_can_do_all", {}, None, "mowing"),
    (
        "lawn_mower",
        "pause",
        "lawn_mower.mower_can_do_all",
        {},
        ("lawn_mower", "start_mowing"),
        "paused",
    ),
    ("lawn_mower", "dock", "lawn_mower.mower_can_dock", {}, None, "docked"),
    ("automation", "turn_off", "automation.lights", {"stop_actions": True}, None, "off"),
    ("automation", "turn_on", "automation.lights", {}, ("automation", "turn_off"), "on"),
    ("todo", "add_item", "todo.shopping_list", {"item": "Milk"}, None, "1"),
]
NEW_SERVICES = sorted(
    {f"{domain}.{service}" for domain, service, *_ in CASES}
    | {
        "automation.trigger",
        "todo.get_items",
        "todo.update_item",
        "todo.remove_item",
        "weather.get_forecasts",
    }
)


def call(
    domain: str, service: str, entity_id: str, data: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """The call_service command the addon sends for one entity."""
    return command(
        "call_service",
        domain=domain,
        service=service,
        target={"entity_id": [entity_id]},
        data=data,
        **fields,
    )


def test_every_new_service_is_allowed_by_default() -> None:
    """The addon offers these controls: a fresh pairing lets Odoo call them."""
    assert set(NEW_SERVICES) <= set(DEFAULT_ALLOWED_SERVICES)


@pytest.mark.parametrize(
    ("domain", "service", "entity_id", "data", "before", "after"),
    CASES,
    ids=[f"{c[0]}.{c[1]}" for c in CASES],
)
async def test_an_allowed_service_is_performed(
    hass: HomeAssistant,
    entities: None,
    post: Post,
    domain: str,
    service: str,
    entity_id: str,
    data: dict[str, Any],
    before: tuple[str, str] | None,
    after: str,
) -> None:
    """With the default allow-list the call reaches the real entity and changes its state."""
    if before:
        await set_up(hass, *before, entity_id)
    response = await post(call(domain, service, entity_id, data))
    assert response.status == HTTPStatus.OK, await response.text()
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == after
    if service == "send_command":
        assert state.attributes["last_command_sent"] == "ok"


@pytest.mark.parametrize("name", NEW_SERVICES)
async def test_a_service_left_out_of_the_allow_list_is_refused(
    hass: HomeAssistant, entities: None, post: Post, config_entry: MockConfigEntry, name: str
) -> None:
    """Without its entry in the allow-list the call is refused 403 and the entity is untouched."""
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            **config_entry.options,
            CONF_ALLOWED_SERVICES: [entry for entry in DEFAULT_ALLOWED_SERVICES if entry != name],
        },
    )
    domain, service = name.split(".")
    entity_id = {
        "automation": "automation.lights",
        "todo": "todo.shopping_list",
        "weather": "weather.demo_weather_north",
    }.get(domain) or next(case[2] for case in CASES if case[0] == domain and case[1] == service)
    states = {state.entity_id: state.as_dict() for state in hass.states.async_all()}
    response = await post(call(domain, service, entity_id, {}))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).as_dict() == states[entity_id]


@pytest.mark.parametrize("service", ["install", "skip"])
async def test_update_services_stay_refused_even_when_allowed(
    hass: HomeAssistant, entities: None, post: Post, config_entry: MockConfigEntry, service: str
) -> None:
    """Home Assistant lets only its administrators install or skip updates, and the
    integration's user is none: allowed or not, they answer 403 and nothing is installed.
    That is why neither half offers them (the addon shows updates read-only)."""
    assert not {"update.install", "update.skip"} & set(DEFAULT_ALLOWED_SERVICES)
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_ALLOWED_SERVICES: ["update.*"]}
    )
    response = await post(call("update", service, "update.demo_add_on", {}))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    assert hass.states.get("update.demo_add_on").state == "on"


async def test_a_wrong_alarm_code_is_refused_and_the_panel_stays(
    hass: HomeAssistant, entities: None, post: Post
) -> None:
    """The panel's own check answers 400 `invalid`; the message does not repeat the code."""
    response = await post(
        call("alarm_control_panel", "alarm_arm_away", "alarm_control_panel.house", {"code": "0000"})
    )
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert "0000" not in (await response.json())["error"]["message"]
    assert hass.states.get("alarm_control_panel.house").state == "disarmed"


async def test_automation_trigger_runs_its_actions(
    hass: HomeAssistant, entities: None, post: Post
) -> None:
    """automation.trigger runs the actions, skipping its condition when asked."""
    ran = async_capture_events(hass, "odoo_test_automation_ran")
    response = await post(
        call("automation", "trigger", "automation.lights", {"skip_condition": True})
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(ran) == 1


async def test_todo_items_come_back_through_the_command_answer(
    hass: HomeAssistant, entities: None, post: Post
) -> None:
    """Add, complete, list and remove items of a real todo list; get_items answers the items."""
    target = "todo.shopping_list"
    for service, data in [
        ("add_item", {"item": "Milk"}),
        ("add_item", {"item": "Bread"}),
        ("update_item", {"item": "Milk", "status": "completed"}),
        ("remove_item", {"item": ["Bread"]}),
    ]:
        response = await post(call("todo", service, target, data))
        assert response.status == HTTPStatus.OK, await response.text()
    response = await post(call("todo", "get_items", target, {}, return_response=True))
    assert response.status == HTTPStatus.OK
    answer = await response.json()
    items = answer["response"][target]["items"]
    assert [(item["summary"], item["status"]) for item in items] == [("Milk", "completed")]
    response = await post(
        call("todo", "get_items", target, {"status": ["needs_action"]}, return_response=True)
    )
    assert (await response.json())["response"] == {target: {"items": []}}


async def test_a_response_service_without_return_response_is_invalid(
    entities: None, post: Post
) -> None:
    """get_items only answers with data: asked without `return_response` it is 400 `invalid`."""
    response = await post(call("todo", "get_items", "todo.shopping_list", {}))
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")


@pytest.mark.parametrize("kind", ["daily", "hourly"])
async def test_the_forecast_comes_back_through_the_command_answer(
    entities: None, post: Post, kind: str
) -> None:
    """weather.get_forecasts answers the demo weather's forecast of the asked type."""
    target = "weather.demo_weather_north"
    response = await post(
        call("weather", "get_forecasts", target, {"type": kind}, return_response=True)
    )
    assert response.status == HTTPStatus.OK
    forecast = (await response.json())["response"][target]["forecast"]
    assert forecast
    assert {"datetime", "condition", "temperature"} <= set(forecast[0])


async def test_the_attributes_the_controls_read_reach_odoo(
    entities: None, post: Post, odoo: FakeOdoo
) -> None:
    """The recorder leaves out an alarm panel's code format and a siren's tones; Odoo needs
    them to ask for a code and offer the tones, so they are pushed."""
    await wait_for(lambda: "siren.siren_with_all_features" in odoo.states)
    alarm = odoo.states["alarm_control_panel.house"]["attributes"]
    assert (alarm["code_format"], alarm["code_arm_required"]) == ("number", True)
    siren = odoo.states["siren.siren_with_all_features"]["attributes"]
    assert siren["available_tones"] == ["fire", "alarm"]
    assert siren["supported_features"] == 31
