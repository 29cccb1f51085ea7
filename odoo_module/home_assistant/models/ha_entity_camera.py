"""A camera's still image, fetched from Home Assistant on demand (`camera_snapshot`, §4)."""

from odoo import models
from odoo.exceptions import UserError, ValidationError

from ..camera_still import decode_still
from ..signing import MAX_CAMERA_IMAGE_PIXELS


class HaEntityCamera(models.Model):
    _inherit = "ha.entity"  # pylint: disable=consider-merging-classes-inherited

    def camera_snapshot(self, width=None, height=None):
        """Fetch this camera's current still from Home Assistant, as the current user.

        The dashboard's and the form's entry point (`orm.call` on one record), open to every
        user who can read the entity; Home Assistant answers only when its administrator
        allows camera snapshots and the camera is exported. Returns `{"ok": True,
        "command_id", "latency_ms", "content_type", "bytes", "data_url"}`: the image as a
        `data:` URL, never an address on Home Assistant. The audit log keeps the command
        and the image's size, not the image.
        """
        self.ensure_one()
        self.check_access("read")
        if self.domain != "camera":
            raise UserError(
                self.env._("%s is no camera: only cameras have snapshots.", self.entity_id)
            )
        payload = {"entity_id": self.entity_id}
        for name, value in (("width", width), ("height", height)):
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 1 <= value <= MAX_CAMERA_IMAGE_PIXELS
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s must be a whole number of pixels from 1 to %(most)s.",
                        name=name,
                        most=MAX_CAMERA_IMAGE_PIXELS,
                    )
                )
            payload[name] = value
        if not self.active or not self.available:
            raise UserError(
                self.env._(
                    "%s is unavailable in Home Assistant; try again when it is back.",
                    self.name or self.entity_id,
                )
            )
        result = self.env["ha.command"]._send(self.instance_id, "camera_snapshot", payload)
        try:
            still = decode_still(result["answer"])
        except ValueError as error:
            raise UserError(
                self.env._(
                    "Home Assistant sent no image Odoo can show for %(camera)s: %(reason)s.",
                    camera=self.name or self.entity_id,
                    reason=str(error),
                )
            ) from error
        return {
            "ok": True,
            "command_id": result["command_id"],
            "latency_ms": result["latency_ms"],
            "content_type": still.content_type,
            "bytes": still.size,
            "data_url": still.data_url,
        }
