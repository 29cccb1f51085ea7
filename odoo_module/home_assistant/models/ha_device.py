"""A device of a Home Assistant instance (HA's device registry)."""

from odoo import api, fields, models

from .. import compat
from .ha_area import label_set


# The unique index also serves every lookup and cascade by instance.
@compat.sql_constraints(
    (
        "ha_device_id_unique",
        "UNIQUE(instance_id, ha_device_id)",
        "A device id is unique per Home Assistant instance.",
    ),
)
class HaDevice(models.Model):
    _name = "ha.device"
    _inherit = ["ha.synced.mixin"]
    _description = "Home Assistant Device"
    _order = "instance_id, name, id"

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    ha_device_id = fields.Char(string="Device ID", required=True, help="Home Assistant's id.")
    name = fields.Char(required=True)
    manufacturer = fields.Char()
    model = fields.Char()
    model_id = fields.Char(string="Model ID", help="The manufacturer's model identifier.")
    serial_number = fields.Char()
    hw_version = fields.Char(string="Hardware Version")
    sw_version = fields.Char(string="Software Version")
    configuration_url = fields.Char(
        string="Configuration URL", help="The device's own configuration page, if it has one."
    )
    via_device_id = fields.Many2one(
        "ha.device",
        string="Connected Through",
        ondelete="set null",
        help="The device (a hub, a bridge) this device talks through.",
    )
    entry_type = fields.Selection(
        [("service", "Service")], help="Service: a web service rather than a physical device."
    )
    disabled = fields.Boolean(help="Disabled in Home Assistant's device registry.")
    label_ids = fields.Many2many(
        "ha.label", "ha_device_label_rel", "device_id", "label_id", string="Labels"
    )
    ha_page_url = fields.Char(
        string="Page in Home Assistant",
        compute="_compute_ha_page_url",
        help="The device's page in Home Assistant.",
    )
    area_id = fields.Many2one("ha.area", ondelete="set null", index=True)
    active = fields.Boolean(default=True, help="Archived when removed in Home Assistant.")
    entity_ids = fields.One2many("ha.entity", "device_id", string="Entities")
    entity_count = fields.Integer(compute="_compute_entity_count")

    @api.depends("instance_id.ha_url", "ha_device_id")
    def _compute_ha_page_url(self):
        for device in self:
            base = (device.instance_id.ha_url or "").rstrip("/")
            device.ha_page_url = (
                f"{base}/config/devices/device/{device.ha_device_id}" if base else False
            )

    def _compute_entity_count(self):
        counts = self.env["ha.entity"]._count_by("device_id", self)
        for device in self:
            device.entity_count = counts.get(device, 0)

    @api.model
    def _ensure(self, instance, ha_device_ids):
        """Map HA device ids to records, creating placeholders for devices not seen yet."""
        placeholders = {ha_id: {} for ha_id in ha_device_ids if ha_id}
        return self._upsert(instance, "ha_device_id", placeholders)

    @api.model
    def _apply_events(self, instance, events, areas, labels):
        """Apply device registry events (the last per device wins); return devices by HA id.

        `areas` maps HA area ids to records already resolved for this batch; it is extended
        with the areas the devices name. `labels` maps the label ids they name to records.
        """
        areas.update(self.env["ha.area"]._ensure(instance, [event.area_id for event in events]))
        # The devices they connect through first (placeholders when new), in one upsert.
        vias = self._ensure(instance, {event.via_device_id for event in events} - {None})
        values = {}
        for event in events:
            if event.removed:
                # A removal keeps what Odoo knows about the device, for its history.
                values[event.device_id] = {"active": False}
                continue
            values[event.device_id] = {
                "manufacturer": event.manufacturer,
                "model": event.model,
                "model_id": event.model_id,
                "serial_number": event.serial_number,
                "hw_version": event.hw_version,
                "sw_version": event.sw_version,
                "configuration_url": event.configuration_url,
                "via_device_id": vias[event.via_device_id].id if event.via_device_id else False,
                "entry_type": event.entry_type if event.entry_type == "service" else False,
                "disabled": event.disabled,
                "area_id": areas[event.area_id].id if event.area_id else False,
                "active": True,
            }
            if event.name:
                values[event.device_id]["name"] = event.name
            if event.labels is not None:
                values[event.device_id]["label_ids"] = label_set(labels, event.labels)
        return self._upsert(instance, "ha_device_id", values)
