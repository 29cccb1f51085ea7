"""Odoo controls Home Assistant: a command leaves Odoo, HA acts, the new state comes back."""

from __future__ import annotations

from typing import Any

import odoorpc
import pytest
from stack import HomeAssistant, OdooServer, wait_for

COFFEE = "input_boolean.coffee_machine"
SETPOINT = "input_number.boiler_setpoint"


def ha_state(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    """The entity's state object from HA's REST API."""
    status, state = hass.api("GET", f"/api/states/{entity_id}")
    assert status == 200, state
    return dict(state)


def odoo_state(client: Any, paired: dict[str, Any], entity_id: str) -> str | None:
    """The entity's current state as Odoo holds it for the session's instance."""
    rows = client.env["ha.entity"].search_read(
        [("instance_id", "=", paired["instance_id"]), ("entity_id", "=", entity_id)], ["state"]
    )
    return rows[0]["state"] if rows else None


def entity(client: Any, paired: dict[str, Any], entity_id: str) -> Any:
    """The session instance's ha.entity record, once the snapshot brought it."""
    ids = wait_for(
        lambda: client.env["ha.entity"].search(
            [("instance_id", "=", paired["instance_id"]), ("entity_id", "=", entity_id)]
        ),
        30,
        f"{entity_id} in Odoo",
    )
    return client.env["ha.entity"].browse(ids[0])


def set_in_ha(
    hass: HomeAssistant, client: Any, paired: dict[str, Any], service: str, data: dict
) -> None:
    """Change an entity from HA's side and wait until Odoo has heard of it."""
    status, _ = hass.api("POST", f"/api/services/{service}", data)
    assert status == 200
    expected = ha_state(hass, data["entity_id"])["state"]
    wait_for(lambda: odoo_state(client, paired, data["entity_id"]) == expected, 30, "Odoo in sync")


def latest_command(client: Any, paired: dict[str, Any]) -> dict[str, Any]:
    """The newest row of Odoo's command audit log for the session's instance."""
    rows = client.env["ha.command"].search_read(
        [("instance_id", "=", paired["instance_id"])],
        ["state", "service"],
        order="id desc",
        limit=1,
    )
    assert rows
    return dict(rows[0])


def test_odoo_turns_an_input_boolean_on(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """Odoo turns the coffee machine on: HA's state changes, by the integration's user,
    and the new state is pushed back to Odoo."""
    client = odoo.rpc()
    coffee = entity(client, paired, COFFEE)
    set_in_ha(hass, client, paired, "input_boolean/turn_off", {"entity_id": COFFEE})
    result = coffee.call_entity_service("turn_on", None)
    assert result["ok"] is True
    state = ha_state(hass, COFFEE)
    assert state["state"] == "on"
    assert state["context"]["user_id"], "the change must be attributed to an HA user"
    wait_for(lambda: odoo_state(client, paired, COFFEE) == "on", 30, "the new state back in Odoo")
    assert latest_command(client, paired)["state"] == "ok"


def test_odoo_sets_an_input_number(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """Odoo sets the boiler setpoint; the value arrives in HA and comes back to Odoo."""
    client = odoo.rpc()
    setpoint = entity(client, paired, SETPOINT)
    setpoint.call_entity_service("set_value", {"value": 55.5})
    assert float(ha_state(hass, SETPOINT)["state"]) == 55.5
    wait_for(lambda: odoo_state(client, paired, SETPOINT) == "55.5", 30, "55.5 back in Odoo")


def test_out_of_range_value_is_refused_in_odoo(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """A value outside the input_number's min/max is refused by Odoo before anything is sent."""
    client = odoo.rpc()
    setpoint = entity(client, paired, SETPOINT)
    before = ha_state(hass, SETPOINT)["last_updated"]
    with pytest.raises(odoorpc.error.RPCError):
        setpoint.call_entity_service("set_value", {"value": 500})
    assert ha_state(hass, SETPOINT)["last_updated"] == before


def test_refused_service_leaves_ha_unchanged_and_odoo_shows_why(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """HA refuses a service outside its allow-list: nothing changes in HA, Odoo raises a
    clear error and the audit log records the refusal."""
    client = odoo.rpc()
    entity(client, paired, COFFEE)
    set_in_ha(hass, client, paired, "input_boolean/turn_on", {"entity_id": COFFEE})
    instance = client.env["ha.instance"].browse(paired["instance_id"])
    with pytest.raises(odoorpc.error.RPCError) as refused:
        instance.call_service("homeassistant", "turn_off", {"entity_id": [COFFEE]}, {})
    assert "allow" in str(refused.value).lower()
    assert ha_state(hass, COFFEE)["state"] == "on"
    command = latest_command(client, paired)
    assert command["state"] == "error"
    assert command["service"] == "turn_off"
