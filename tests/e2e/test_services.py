"""Home Assistant's odoo.* services against a real Odoo: records created and methods run."""

from __future__ import annotations

from typing import Any

from stack import HomeAssistant, OdooServer


def call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> tuple[int, Any]:
    """Call an odoo.* service through HA's REST API and return its response."""
    return hass.api("POST", f"/api/services/odoo/{service}?return_response", data)


def test_create_record_makes_the_record_in_odoo(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """odoo.create_record creates the record as the paired user and returns its id."""
    status, body = call(
        hass,
        "create_record",
        {"model": "res.partner", "values": {"name": "Freezer vendor (e2e)"}},
    )
    assert status == 200, body
    record_id = body["service_response"]["id"]
    partner = odoo.rpc().env["res.partner"].read([record_id], ["name"])
    assert partner[0]["name"] == "Freezer vendor (e2e)"


def test_call_method_returns_odoos_answer(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """odoo.call_method runs a model method and hands Odoo's result to HA."""
    status, body = call(
        hass,
        "call_method",
        {
            "model": "res.users",
            "method": "search_read",
            # By name: Odoo 19's JSON-2 takes no positional arguments, Odoo 18 takes both.
            "kwargs": {"domain": [["login", "=", "admin"]], "fields": ["login"]},
        },
    )
    assert status == 200, body
    assert [row["login"] for row in body["service_response"]["result"]] == ["admin"]


def test_odoo_refusal_is_a_clear_error(
    paired: dict[str, Any], hass: HomeAssistant, odoo: OdooServer
) -> None:
    """A record Odoo refuses (a required field missing) comes back as an error, not a crash."""
    status, body = call(hass, "create_record", {"model": "res.partner", "values": {}})
    assert status == 400, body
    assert "odoo" in str(body).lower() or "name" in str(body).lower()
