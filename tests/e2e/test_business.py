"""Odoo's business driving Home Assistant, end to end with a real hass and a real Odoo.

An Odoo automation rule with the "Home Assistant" action fires an `odoo_…` event when a
record is created; an HA automation triggered by it switches an input_boolean. An Odoo
figure counting those records is an HA sensor that follows each new record within seconds.

This module runs its own Home Assistant, which carries the automation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stack import HomeAssistant, OdooServer, wait_for

from .bridge import pair_new_instance, pair_through, running_hass

LIGHT = "input_boolean.rush_light"
AUTOMATION = r"""input_boolean:
  rush_light:
    name: Rush light
automation:
  - alias: Rush order lights the warehouse
    triggers:
      - trigger: event
        event_type: odoo_rush_order
    actions:
      - action: input_boolean.turn_on
        target:
          entity_id: input_boolean.rush_light
"""
PREFIX = "Rush order"


@pytest.fixture(scope="module")
def odoo(second_odoo: OdooServer) -> OdooServer:
    """The second Odoo database: this module pairs a Home Assistant of its own (conftest)."""
    return second_odoo


@pytest.fixture(scope="module")
def hass_b(work_dir: Path) -> Iterator[HomeAssistant]:
    """A Home Assistant of this module, with the automation that reacts to Odoo."""
    with running_hass(work_dir / "ha-business", extra_config=AUTOMATION) as server:
        yield server


@pytest.fixture(scope="module")
def instance_b(hass_b: HomeAssistant, odoo: OdooServer) -> dict[str, Any]:
    """hass_b paired with the session's Odoo, its light in Odoo; returns the instance row."""
    env = odoo.rpc().env
    _, instance = pair_new_instance(odoo, lambda: pair_through(hass_b, odoo, odoo.url))
    instance_id = instance["id"]
    wait_for(
        lambda: env["ha.entity"].search_count(
            [("instance_id", "=", instance_id), ("entity_id", "=", LIGHT)]
        ),
        120,
        "the rush light in Odoo",
    )
    return {"id": instance_id}


def ha_state(hass: HomeAssistant, entity_id: str) -> str | None:
    """The entity's state in HA, or None when HA has no such entity."""
    status, state = hass.api("GET", f"/api/states/{entity_id}")
    return state["state"] if status == 200 else None


def figure_sensors(hass: HomeAssistant) -> dict[str, str]:
    """The figure sensors HA holds: entity id → state."""
    status, states = hass.api("GET", "/api/states")
    assert status == 200, states
    return {
        state["entity_id"]: state["state"]
        for state in states
        if state["entity_id"].startswith("sensor.odoo_figures_")
    }


def figure_value(hass: HomeAssistant, sensor: str) -> float | None:
    """The figure sensor's value, or None while HA has none."""
    state = figure_sensors(hass).get(sensor)
    try:
        return float(state) if state is not None else None
    except ValueError:
        return None


def test_an_odoo_automation_fires_an_event_that_an_ha_automation_acts_on(
    hass_b: HomeAssistant, odoo: OdooServer, instance_b: dict[str, Any]
) -> None:
    env = odoo.rpc().env
    partner_model = env["ir.model"].search([("model", "=", "res.partner")])[0]
    env["base.automation"].create(
        {
            "name": "Rush orders light the warehouse",
            "model_id": partner_model,
            "trigger": "on_create",
            "filter_domain": repr([("name", "=like", f"{PREFIX}%")]),
            "action_server_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Tell Home Assistant",
                        "model_id": partner_model,
                        "state": "home_assistant",
                        "ha_instance_id": instance_b["id"],
                        "ha_command_kind": "event",
                        "ha_event_type": "odoo_rush_order",
                        "ha_data": '{"order": "{{ object.name }}"}',
                    },
                )
            ],
        }
    )
    assert ha_state(hass_b, LIGHT) == "off"

    env["res.partner"].create({"name": f"{PREFIX} S00042"})

    wait_for(lambda: ha_state(hass_b, LIGHT) == "on", 30, "the automation to switch the light")
    (command,) = env["ha.command"].search_read(
        [("instance_id", "=", instance_b["id"]), ("command_type", "=", "fire_event")],
        ["state", "data", "http_status"],
    )
    assert (command["state"], command["http_status"]) == ("ok", 200), command
    assert command["data"]["order"] == f"{PREFIX} S00042", command


def test_an_odoo_figure_is_an_ha_sensor_that_follows_the_records(
    hass_b: HomeAssistant, odoo: OdooServer, instance_b: dict[str, Any]
) -> None:
    env = odoo.rpc().env
    partner_model = env["ir.model"].search([("model", "=", "res.partner")])[0]
    counted = env["res.partner"].search_count([("name", "=like", f"{PREFIX}%")])
    figure_id = env["ha.figure"].create(
        {
            "name": "Rush orders",
            "instance_id": instance_b["id"],
            "model_id": partner_model,
            "domain": repr([("name", "=like", f"{PREFIX}%")]),
            "aggregate": "count",
            "icon": "mdi:truck-fast",
            "state_class": "measurement",
        }
    )
    sensor = "sensor.odoo_figures_rush_orders"
    wait_for(lambda: figure_value(hass_b, sensor) == counted, 60, "the figure's sensor in HA")

    created = time.monotonic()
    env["res.partner"].create({"name": f"{PREFIX} S00043"})
    wait_for(
        lambda: figure_value(hass_b, sensor) == counted + 1, 30, "the sensor to follow the record"
    )
    print(f"\nfigure followed a new record in {time.monotonic() - created:.1f} s")

    env["ha.figure"].browse(figure_id).unlink()
    wait_for(lambda: sensor not in figure_sensors(hass_b), 30, "the sensor to leave HA")
