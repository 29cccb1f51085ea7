"""A device of a Home Assistant instance (HA's device registry)."""

from odoo import api, fields, models

from .. import compat


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
    sw_version = fields.Char(string="Software Version")
    area_id = fields.Many2one("ha.area", ondelete="set null", index=True)
    active = fields.Boolean(default=True, help="Archived when removed in Home Assistant.")
    entity_ids = fields.One2many("ha.entity", "device_id", string="Entities")
    entity_count = fields.Integer(compute="_compute_entity_count")

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
    def _apply_events(self, instance, events, areas):
        """Apply device registry events (the last per device wins); return devices by HA id.

        `areas` maps HA area ids to records already resolved for this batch; it is extended
        with the areas the devices name.
        """
        areas.update(self.env["ha.area"]._ensure(instance, [event.area_id for event in events]))
        values = {}
        for event in events:
            if event.removed:
                # A removal keeps what Odoo knows about the device, for its history.
                values[event.device_id] = {"active": False}
                continue
            values[event.device_id] = {
                "manufacturer": event.manufacturer,
                "model": event.model,
                "sw_version": event.sw_version,
                "area_id": areas[event.area_id].id if event.area_id else False,
                "active": not event.removed,
            }
            if event.name:
                values[event.device_id]["name"] = event.name
        return self._upsert(instance, "ha_device_id", values)
