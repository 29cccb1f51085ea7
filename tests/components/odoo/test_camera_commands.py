"""The `camera_snapshot` command: stills of exported cameras, opt-in (issue 15)."""

import base64
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components import demo
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.odoo.const import CONF_ALLOW_CAMERA_SNAPSHOTS, EVENT_COMMAND_RECEIVED
from custom_components.odoo.logbook import describe_command

from .conftest import Post, assert_error, command

CAMERA = "camera.demo_camera"
PNG_CAMERA = "camera.demo_camera_png"
DEMO_IMAGES = Path(demo.__file__).parent


@pytest.fixture(autouse=True)
async def demo_cameras(hass: HomeAssistant) -> None:
    """Home Assistant's demo cameras, alone (their stills are the demo's image files)."""
    # The demo's dependency `conversation` reads the exposed entities `homeassistant` keeps.
    assert await async_setup_component(hass, "homeassistant", {})
    with patch.object(demo, "COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM", [Platform.CAMERA]):
        assert await async_setup_component(hass, demo.DOMAIN, {})
        await hass.async_block_till_done()
    assert hass.states.get(CAMERA) is not None


async def _allow(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    """Turn camera snapshots on (and set other options), and wait until applied."""
    hass.config_entries.async_update_entry(
        entry, options={CONF_ALLOW_CAMERA_SNAPSHOTS: True, **options}
    )
    await hass.async_block_till_done()


def _demo_images(extension: str) -> set[bytes]:
    """The bytes of the demo camera's four stills."""
    return {(DEMO_IMAGES / f"demo_{index}.{extension}").read_bytes() for index in range(4)}


async def test_snapshot_answers_the_image_bytes(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """Allowed: the still comes back as base64 with its content type, and is logged."""
    await _allow(hass, config_entry)
    fired = async_capture_events(hass, EVENT_COMMAND_RECEIVED)

    response = await post(command("camera_snapshot", entity_id=CAMERA))

    assert response.status == HTTPStatus.OK
    body = await response.json()
    image = base64.b64decode(body.pop("image"), validate=True)
    assert image in _demo_images("jpg")
    assert body == {
        "ok": True,
        "id": "c-camera_snapshot",
        "entity_id": CAMERA,
        "content_type": "image/jpg",
        "bytes": len(image),
    }
    response = await post(command("camera_snapshot", entity_id=PNG_CAMERA, width=64, height=48))
    body = await response.json()
    assert body["content_type"] == "image/png"
    assert base64.b64decode(body["image"]) in _demo_images("png")
    assert [(e.data["result"], e.data["target"]) for e in fired] == [
        ("ok", {"entity_id": [CAMERA]}),
        ("ok", {"entity_id": [PNG_CAMERA]}),
    ]
    assert describe_command(fired[0])["message"] == "fetched a camera snapshot via Odoo"


async def test_refused_while_the_option_is_off(hass: HomeAssistant, post: Post) -> None:
    """Off by default: 403 not_allowed naming the option, no image, the refusal recorded."""
    fired = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    response = await post(command("camera_snapshot", entity_id=CAMERA))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    body = await response.json()
    assert "Allow Odoo to fetch camera snapshots" in body["error"]["message"]
    assert "image" not in body
    assert [e.data["result"] for e in fired] == ["not_allowed"]


async def test_refused_outside_the_export(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """A camera the export filter leaves out is 403 not_allowed, however it is named."""
    await _allow(hass, config_entry, exclude_entities=[CAMERA])
    response = await post(command("camera_snapshot", entity_id=CAMERA))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    assert CAMERA in (await response.json())["error"]["message"]
    # The other camera is still exported.
    response = await post(command("camera_snapshot", entity_id=PNG_CAMERA))
    assert response.status == HTTPStatus.OK


async def test_too_large_a_still_is_refused(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """A still over the cap is 413 image_too_large, naming both sizes; no bytes are sent."""
    await _allow(hass, config_entry)
    with patch("custom_components.odoo.camera_commands.CAMERA_IMAGE_MAX_BYTES", 1024):
        response = await post(command("camera_snapshot", entity_id=CAMERA))
    await assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "image_too_large")
    body = await response.json()
    assert "at most 1024 bytes" in body["error"]["message"]
    assert "image" not in body


@pytest.mark.parametrize(
    "fields",
    [
        {"entity_id": "light.kitchen"},
        {"entity_id": "camera"},
        {},
        {"entity_id": CAMERA, "width": 0},
        {"entity_id": CAMERA, "height": 5000},
        {"entity_id": CAMERA, "width": "wide"},
    ],
)
async def test_invalid_commands_are_refused(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post, fields: dict[str, Any]
) -> None:
    """No camera entity, or a size out of 1..4096: 400 invalid."""
    await _allow(hass, config_entry)
    response = await post(command("camera_snapshot", **fields))
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")


async def test_a_camera_without_an_image_fails(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """An unknown or switched-off camera gives 500 service_failed with HA's reason."""
    await _allow(hass, config_entry)
    response = await post(command("camera_snapshot", entity_id="camera.nowhere"))
    await assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "service_failed")
    await hass.services.async_call("camera", "turn_off", {"entity_id": CAMERA}, blocking=True)
    response = await post(command("camera_snapshot", entity_id=CAMERA))
    await assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "service_failed")
    assert "Camera is off" in (await response.json())["error"]["message"]
