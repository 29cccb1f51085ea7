"""Both real systems start on loopback and see each other's half of the project."""

from __future__ import annotations

from stack import HomeAssistant, OdooServer


def test_odoo_has_the_addon_installed(odoo: OdooServer) -> None:
    """The Odoo database has home_assistant installed and the admin may pair."""
    client = odoo.rpc()
    module = client.env["ir.module.module"].search_read(
        [("name", "=", "home_assistant")], ["state"]
    )
    assert module == [{"id": module[0]["id"], "state": "installed"}]
    assert client.env.user.has_group("home_assistant.group_home_assistant_manager")


def test_hass_offers_the_odoo_config_flow(hass: HomeAssistant) -> None:
    """Home Assistant loads this repository's integration and starts its config flow."""
    status, flow = hass.api("POST", "/api/config/config_entries/flow", {"handler": "odoo"})
    assert status == 200, flow
    assert flow["handler"] == "odoo"
    assert flow["type"] == "form"
    hass.api("DELETE", f"/api/config/config_entries/flow/{flow['flow_id']}")


def test_hass_runs_the_demo_helpers(hass: HomeAssistant) -> None:
    """The helper entities the end-to-end scenarios change are there."""
    status, state = hass.api("GET", "/api/states/input_boolean.coffee_machine")
    assert status == 200
    assert state["state"] in ("on", "off")
