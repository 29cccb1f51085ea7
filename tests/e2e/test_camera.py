"""A camera still from a real Home Assistant into a real Odoo, without tokens (issue 15).

This module runs its own Home Assistant with HA's demo integration, whose demo camera
cycles through four still images. Odoo fetches one through the signed `camera_snapshot`
command once the HA administrator allows it in the integration's options.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from stack import HomeAssistant, OdooServer, wait_for

from .bridge import pair_new_instance, pair_through, running_hass, set_options

CAMERA = "camera.demo_camera"
# The demo camera shows its four stills in turn, one per request.
DEMO_STILLS = 4


@pytest.fixture(scope="module")
def hass_c(work_dir: Path) -> Iterator[HomeAssistant]:
    """A Home Assistant of this module, with HA's demo devices (the demo camera among them)."""
    with running_hass(work_dir / "ha-camera", extra_config="demo:\n") as server:
        yield server


@pytest.fixture(scope="module")
def instance_c(hass_c: HomeAssistant, odoo: OdooServer) -> dict[str, Any]:
    """hass_c paired with the session's Odoo, its demo camera in Odoo; the instance and entry."""
    env = odoo.rpc().env
    _, instance = pair_new_instance(odoo, lambda: pair_through(hass_c, odoo, odoo.url))
    wait_for(
        lambda: env["ha.entity"].search_count(
            [("instance_id", "=", instance["id"]), ("entity_id", "=", CAMERA)]
        ),
        120,
        "the demo camera in Odoo",
    )
    status, entries = hass_c.api("GET", "/api/config/config_entries/entry?domain=odoo")
    assert status == 200, entries
    (entry,) = entries
    return {"id": instance["id"], "entry_id": entry["entry_id"]}


def demo_stills(hass: HomeAssistant) -> set[bytes]:
    """The demo camera's stills, as HA's own camera proxy serves them to its owner."""
    stills = set()
    for _ in range(DEMO_STILLS):
        request = urllib.request.Request(
            f"{hass.url}/api/camera_proxy/{CAMERA}",
            headers={"Authorization": f"Bearer {hass.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            stills.add(response.read())
    return stills


def test_odoo_shows_the_demo_cameras_still_once_home_assistant_allows_it(
    hass_c: HomeAssistant, odoo: OdooServer, instance_c: dict[str, Any]
) -> None:
    """Refused while the option is off; then a data: URL of one of the demo camera's stills,
    and no token or camera proxy address anywhere in Odoo's record or audit log."""
    env = odoo.rpc().env
    (camera_id,) = env["ha.entity"].search(
        [("instance_id", "=", instance_c["id"]), ("entity_id", "=", CAMERA)]
    )
    camera = env["ha.entity"].browse(camera_id)

    with pytest.raises(odoorpc.error.RPCError) as refused:
        camera.camera_snapshot()
    assert "Allow Odoo to fetch camera snapshots" in str(refused.value)

    set_options(hass_c, instance_c["entry_id"], {"allow_camera_snapshots": True})
    result = camera.camera_snapshot()

    prefix = "data:image/jpeg;base64,"
    assert result["data_url"].startswith(prefix)
    still = base64.b64decode(result["data_url"][len(prefix) :], validate=True)
    assert still[:3] == b"\xff\xd8\xff", "a JPEG"
    assert result["bytes"] == len(still)
    assert still in demo_stills(hass_c)

    attributes = json.dumps(camera.read(["attributes"])[0]["attributes"])
    audit = env["ha.command"].search_read(
        [("instance_id", "=", instance_c["id"]), ("command_type", "=", "camera_snapshot")],
        ["state", "error_code", "answer"],
        order="id",
    )
    assert [(row["state"], row["error_code"]) for row in audit] == [
        ("error", "not_allowed"),
        ("ok", False),
    ]
    assert "image" not in audit[1]["answer"]
    assert audit[1]["answer"]["bytes"] == len(still)
    for text in (attributes, json.dumps(audit)):
        for forbidden in ("access_token", "token=", "camera_proxy", hass_c.url):
            assert forbidden not in text
