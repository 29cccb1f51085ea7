"""The `camera_snapshot` command: a still image of an exported camera, in the signed answer.

Opt-in (`allow_camera_snapshots`, off by default) and limited to exported cameras. Odoo
gets the image bytes themselves, never a camera proxy URL nor its access token, so nothing
that would let a browser reach Home Assistant leaves it.
"""

import base64
from http import HTTPStatus
from typing import TYPE_CHECKING

import probatio as vol
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv

from .commands import (
    COMMANDS,
    CommandBody,
    CommandRefused,
    CommandRequest,
    invalid,
    not_allowed,
    require_option,
    validated,
)
from .const import (
    CAMERA_IMAGE_MAX_BYTES,
    CAMERA_IMAGE_MAX_PIXELS,
    COMMAND_TIMEOUT,
    CONF_ALLOW_CAMERA_SNAPSHOTS,
    ERROR_IMAGE_TOO_LARGE,
    ERROR_SERVICE_FAILED,
)

if TYPE_CHECKING:
    from homeassistant.components.camera import Image

CAMERA_DOMAIN = "camera"
PIXELS = vol.All(int, vol.Range(min=1, max=CAMERA_IMAGE_MAX_PIXELS))

SCHEMA = vol.Schema(
    {
        vol.Required("entity_id"): cv.entity_domain(CAMERA_DOMAIN),
        vol.Optional("width"): PIXELS,
        vol.Optional("height"): PIXELS,
    },
    extra=vol.ALLOW_EXTRA,
)


@COMMANDS.register("camera_snapshot")
async def _camera_snapshot(
    request: CommandRequest, command: CommandBody
) -> tuple[HTTPStatus, CommandBody]:
    """Answer with a still of one exported camera: base64 bytes and their content type."""
    require_option(
        request,
        CONF_ALLOW_CAMERA_SNAPSHOTS,
        "Odoo may not fetch camera images; turn on “Allow Odoo to fetch camera snapshots” "
        "in the options of the Odoo integration in Home Assistant.",
    )
    command = validated(SCHEMA, command)
    entity_id: str = command["entity_id"]
    if not request.outbox.is_exported_entity(entity_id):
        raise not_allowed(f"{entity_id} is not exported to Odoo.")
    image = await _async_image(request, entity_id, command.get("width"), command.get("height"))
    if len(image.content) > CAMERA_IMAGE_MAX_BYTES:
        raise CommandRefused(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            ERROR_IMAGE_TOO_LARGE,
            f"The still of {entity_id} is {len(image.content)} bytes; Odoo takes at most "
            f"{CAMERA_IMAGE_MAX_BYTES} bytes. Ask for a smaller width and height.",
        )
    return HTTPStatus.OK, {
        "ok": True,
        "id": command["id"],
        "entity_id": entity_id,
        "content_type": image.content_type,
        "bytes": len(image.content),
        "image": base64.b64encode(image.content).decode("ascii"),
    }


async def _async_image(
    request: CommandRequest, entity_id: str, width: int | None, height: int | None
) -> Image:
    """Return the camera's still, or the refusal of a camera that has none to give."""
    if CAMERA_DOMAIN not in request.hass.config.components:
        raise invalid(f"Home Assistant has no camera {entity_id}.")
    # Imported once the camera component is loaded, so it is already in memory: the
    # integration does not load the camera and stream stack for pairings without cameras.
    from homeassistant.components.camera import async_get_image  # noqa: PLC0415

    try:
        return await async_get_image(
            request.hass, entity_id, timeout=int(COMMAND_TIMEOUT), width=width, height=height
        )
    except HomeAssistantError as err:
        # "Camera not found", "Camera is off", "Unable to get image".
        raise CommandRefused(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            ERROR_SERVICE_FAILED,
            f"{entity_id} gave no image: {err}",
        ) from err
