"""Trust at the edges, end to end with a real Home Assistant and a real Odoo: commands reach
only what HA exports, no token leaves HA, one state HA cannot encode never stops the stream.

This module runs its own Home Assistant: it excludes an entity from the export and carries a
template sensor whose attributes JSON cannot hold, neither of which other tests expect.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import odoorpc
import pytest
import requests
from stack import HomeAssistant, OdooServer, signed_headers, wait_for

from .bridge import json_body, pair_new_instance, pair_through, running_hass

COFFEE = "input_boolean.coffee_machine"
SETPOINT = "input_number.boiler_setpoint"
VAULT = "input_boolean.vault_door"  # in the registry, in the vault, labelled safe; not exported
KETTLE = "input_boolean.kitchen_kettle"  # in the registry and the kitchen; exported
CAMERA = "camera.front_door"
UNENCODABLE = "sensor.unencodable"
TOKEN = "0123456789abcdef0123456789abcdef"
CAMERA_ATTRIBUTES = {
    "access_token": TOKEN,
    "entity_picture": f"/api/camera_proxy/{CAMERA}?token={TOKEN}",
    "friendly_name": "Front door",
    "brand": "Acme",
}
# A real template entity whose attributes orjson refuses: an int of 65 bits and a lone
# surrogate (Jinja decodes the escape). YAML single quotes keep the backslash for Jinja.
TEMPLATES = r"""template:
  - sensor:
      - name: Unencodable
        unique_id: unencodable
        state: "{{ states('input_number.boiler_setpoint') }}"
        attributes:
          huge: "{{ 2 ** 64 }}"
          lone: '{{ "\ud800" }}'
"""


@pytest.fixture(scope="module")
def hass_t(work_dir: Path) -> Iterator[HomeAssistant]:
    """A Home Assistant of this module, with the unencodable template sensor."""
    with running_hass(work_dir / "ha-trust", extra_config=TEMPLATES) as server:
        yield server


def odoo_entity(odoo: OdooServer, instance_id: int, entity_id: str) -> dict[str, Any] | None:
    """The ha.entity row of this module's instance, or None."""
    rows = (
        odoo.rpc()
        .env["ha.entity"]
        .search_read(
            [("instance_id", "=", instance_id), ("entity_id", "=", entity_id)],
            ["state", "attributes", "last_updated"],
        )
    )
    return rows[0] if rows else None


@pytest.fixture(scope="module")
def paired_t(hass_t: HomeAssistant, odoo: OdooServer) -> dict[str, Any]:
    """hass_t paired with the session's Odoo; a kitchen and a vault (cellar floor, label
    "safe") each with a helper in the registry, the vault's excluded from the export.

    Returns the instance row (secret and webhook id included) and the id of the
    integration's own service device.
    """
    status, _ = hass_t.api(
        "POST", f"/api/states/{CAMERA}", {"state": "idle", "attributes": CAMERA_ATTRIBUTES}
    )
    assert status in (200, 201)
    _, row = pair_new_instance(odoo, lambda: pair_through(hass_t, odoo, odoo.url))
    wait_for(lambda: odoo_entity(odoo, row["id"], COFFEE), 120, "the trust instance's snapshot")
    (areas,) = hass_t.websocket_calls({"type": "config/area_registry/list"})
    # Onboarding creates a kitchen (and a living room, a bedroom) in most versions.
    kitchen = (
        []
        if any(area["area_id"] == "kitchen" for area in areas)
        else [{"type": "config/area_registry/create", "name": "Kitchen"}]
    )
    hass_t.websocket_calls(
        {"type": "input_boolean/create", "name": "Vault door"},
        {"type": "input_boolean/create", "name": "Kitchen kettle"},
        {"type": "config/floor_registry/create", "name": "Cellar"},
        {"type": "config/area_registry/create", "name": "Vault", "floor_id": "cellar"},
        *kitchen,
        {"type": "config/label_registry/create", "name": "Safe"},
        {
            "type": "config/entity_registry/update",
            "entity_id": VAULT,
            "area_id": "vault",
            "labels": ["safe"],
        },
        {"type": "config/entity_registry/update", "entity_id": KETTLE, "area_id": "kitchen"},
    )
    (devices,) = hass_t.websocket_calls({"type": "config/device_registry/list"})
    (own_device,) = [d for d in devices if any(i[0] == "odoo" for i in d["identifiers"])]
    status, entries = hass_t.api("GET", "/api/config/config_entries/entry?domain=odoo")
    assert status == 200, entries
    (entry,) = entries
    status, flow = hass_t.api(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry["entry_id"]}
    )
    assert status == 200, flow
    status, result = hass_t.api(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        {"exclude_entities": [VAULT]},
    )
    assert status == 200, result
    assert result["type"] == "create_entry", result
    wait_for(lambda: odoo_entity(odoo, row["id"], KETTLE), 60, "the kettle in Odoo")
    return {**row, "own_device_id": own_device["id"]}


def ha_state(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    """The entity's state object from HA's REST API."""
    status, state = hass.api("GET", f"/api/states/{entity_id}")
    assert status == 200, state
    return dict(state)


def send_command(
    hass: HomeAssistant, paired: dict[str, Any], target: dict[str, Any], data: dict[str, Any]
) -> requests.Response:
    """POST input_boolean.turn_on to HA's webhook, signed as Odoo signs it."""
    body = json_body(
        {
            "v": 1,
            "id": uuid.uuid4().hex,
            "type": "call_service",
            "domain": "input_boolean",
            "service": "turn_on",
            "target": target,
            "data": data,
            "user": {"login": "admin", "name": "Administrator"},
        }
    )
    headers = {"Content-Type": "application/json"}
    headers |= signed_headers(paired["secret"], "command", body)
    return requests.post(
        f"{hass.url}/api/webhook/{paired['webhook_id']}", data=body, headers=headers, timeout=30
    )


@pytest.mark.parametrize(
    ("target", "data"),
    [
        ({"entity_id": [VAULT]}, {}),
        ({}, {"entity_id": VAULT}),
        ({"entity_id": [COFFEE]}, {"area_id": "vault"}),
        ({"device_id": "<own device>"}, {}),
        ({"area_id": "vault"}, {}),
        ({"floor_id": "cellar"}, {}),
        ({"label_id": "safe"}, {}),
        ({"entity_id": "all"}, {}),
        ({"area_id": "attic"}, {}),
    ],
    ids=[
        "entity_id",
        "data_entity_id",
        "data_area_id",
        "device_id",
        "area_id",
        "floor_id",
        "label_id",
        "all",
        "unknown_area",
    ],
)
def test_export_limits_what_a_command_reaches(
    paired_t: dict[str, Any],
    hass_t: HomeAssistant,
    target: dict[str, Any],
    data: dict[str, Any],
) -> None:
    """A signed command reaching an entity outside the export, in any target form, is 403
    not_allowed and switches nothing on (before the fix: 200, and the vault door on)."""
    if target.get("device_id") == "<own device>":
        target = {"device_id": paired_t["own_device_id"]}
    before = {entity_id: ha_state(hass_t, entity_id) for entity_id in (VAULT, COFFEE)}
    response = send_command(hass_t, paired_t, target, data)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "not_allowed"
    for entity_id, state in before.items():
        after = ha_state(hass_t, entity_id)
        assert (after["state"], after["last_updated"]) == (state["state"], state["last_updated"])


def test_export_lets_a_command_reach_an_exported_area(
    paired_t: dict[str, Any], hass_t: HomeAssistant, odoo: OdooServer
) -> None:
    """An area whose entities are all exported is reached, and the change comes back."""
    response = send_command(hass_t, paired_t, {"area_id": "kitchen"}, {})
    assert response.status_code == 200, response.text
    assert ha_state(hass_t, KETTLE)["state"] == "on"
    assert ha_state(hass_t, VAULT)["state"] == "off"
    wait_for(
        lambda: (odoo_entity(odoo, paired_t["id"], KETTLE) or {}).get("state") == "on",
        30,
        "the kettle on in Odoo",
    )


def test_export_limits_odoo_call_service_too(
    paired_t: dict[str, Any], hass_t: HomeAssistant, odoo: OdooServer
) -> None:
    """Odoo's own call_service putting the excluded entity in `data`: refused, HA unchanged,
    the refusal in Odoo's audit log."""
    client = odoo.rpc()
    instance = client.env["ha.instance"].browse(paired_t["id"])
    before = ha_state(hass_t, VAULT)
    with pytest.raises(odoorpc.error.RPCError):
        instance.call_service("input_boolean", "turn_on", {}, {"entity_id": VAULT})
    after = ha_state(hass_t, VAULT)
    assert (after["state"], after["last_updated"]) == (before["state"], before["last_updated"])
    rows = client.env["ha.command"].search_read(
        [("instance_id", "=", paired_t["id"])], ["state"], order="id desc", limit=1
    )
    assert rows[0]["state"] == "error"


def test_no_token_leaves_home_assistant(
    paired_t: dict[str, Any], hass_t: HomeAssistant, odoo: OdooServer
) -> None:
    """The camera's token and tokenised picture reach Odoo neither in the snapshot nor live;
    the input_boolean's unrecorded `editable` stays in HA too."""
    kept = {"friendly_name": "Front door", "brand": "Acme"}
    assert (odoo_entity(odoo, paired_t["id"], CAMERA) or {}).get("attributes") == kept
    status, _ = hass_t.api(
        "POST", f"/api/states/{CAMERA}", {"state": "streaming", "attributes": CAMERA_ATTRIBUTES}
    )
    assert status in (200, 201)
    wait_for(
        lambda: (odoo_entity(odoo, paired_t["id"], CAMERA) or {}).get("state") == "streaming",
        30,
        "the camera's live state in Odoo",
    )
    assert (odoo_entity(odoo, paired_t["id"], CAMERA) or {}).get("attributes") == kept
    assert "editable" in ha_state(hass_t, COFFEE)["attributes"]
    coffee = odoo_entity(odoo, paired_t["id"], COFFEE)
    assert coffee is not None
    assert "editable" not in coffee["attributes"]


def latest_batch_id(odoo: OdooServer, instance_id: int) -> int:
    """The id of the instance's newest ha.push.batch row."""
    rows = (
        odoo.rpc()
        .env["ha.push.batch"]
        .search_read([("instance_id", "=", instance_id)], ["id"], order="id desc", limit=1)
    )
    return int(rows[0]["id"]) if rows else 0


def test_a_state_home_assistant_cannot_encode_never_stops_the_stream(
    paired_t: dict[str, Any], hass_t: HomeAssistant, odoo: OdooServer
) -> None:
    """The template sensor (int of 65 bits, lone surrogate) is set aside at every change and
    in every snapshot; the setpoint that drives it, later changes and a resync all arrive."""
    instance_id = paired_t["id"]
    # Its registry entry (an `entity` event) travels; no state of it ever does.
    assert not (odoo_entity(odoo, instance_id, UNENCODABLE) or {}).get("state")
    status, _ = hass_t.api(
        "POST", "/api/services/input_number/set_value", {"entity_id": SETPOINT, "value": 61.5}
    )
    assert status == 200
    wait_for(
        lambda: (odoo_entity(odoo, instance_id, SETPOINT) or {}).get("state") == "61.5",
        30,
        "the setpoint in Odoo",
    )
    last_batch = latest_batch_id(odoo, instance_id)
    status, _ = hass_t.api("POST", "/api/services/odoo/resync", {})
    assert status == 200

    def snapshot_arrived() -> bool:
        rows = (
            odoo.rpc()
            .env["ha.push.batch"]
            .search_read(
                [("instance_id", "=", instance_id), ("id", ">", last_batch)], ["event_count"]
            )
        )
        return any(row["event_count"] >= 5 for row in rows)

    wait_for(snapshot_arrived, 60, "a snapshot after the resync")
    status, _ = hass_t.api("POST", "/api/services/input_boolean/toggle", {"entity_id": COFFEE})
    assert status == 200
    expected = ha_state(hass_t, COFFEE)["state"]
    wait_for(
        lambda: (odoo_entity(odoo, instance_id, COFFEE) or {}).get("state") == expected,
        30,
        "a later change in Odoo",
    )
    assert not (odoo_entity(odoo, instance_id, UNENCODABLE) or {}).get("state")
    log = (hass_t.config_dir / "hass.log").read_text("utf-8", "replace")
    assert log.count(f"The state event of {UNENCODABLE} cannot be encoded as JSON") == 1
    assert "custom_components/odoo/" not in log, "a traceback from the integration"
