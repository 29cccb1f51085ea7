"""An area of a Home Assistant instance (HA's area registry)."""

from odoo import api, fields, models


class HaArea(models.Model):
    _name = "ha.area"
    _description = "Home Assistant Area"
    _order = "instance_id, name, id"

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    ha_area_id = fields.Char(string="Area ID", required=True, help="Home Assistant's area id.")
    name = fields.Char(required=True)
    active = fields.Boolean(default=True, help="Archived when removed in Home Assistant.")
    device_ids = fields.One2many("ha.device", "area_id", string="Devices")
    entity_ids = fields.One2many("ha.entity", "area_id", string="Entities")
    entity_count = fields.Integer(compute="_compute_entity_count")

    # The unique index below also serves every lookup and cascade by instance.
    _sql_constraints = [
        (
            "ha_area_id_unique",
            "UNIQUE(instance_id, ha_area_id)",
            "An area id is unique per Home Assistant instance.",
        ),
    ]

    def _compute_entity_count(self):
        counts = dict(
            self.env["ha.entity"]._read_group(
                [("area_id", "in", self.ids)], ["area_id"], ["__count"]
            )
        )
        for area in self:
            area.entity_count = counts.get(area, 0)

    @api.model
    def _ensure(self, instance, ha_area_ids):
        """Map HA area ids to records, creating placeholders for areas not seen yet.

        Registry events may name an area before the area's own event arrives (or in the same
        batch); the placeholder is completed when that event comes.
        """
        ha_area_ids = {ha_id for ha_id in ha_area_ids if ha_id}
        if not ha_area_ids:
            return {}
        areas = self.with_context(active_test=False).search(
            [("instance_id", "=", instance.id), ("ha_area_id", "in", list(ha_area_ids))]
        )
        known = {area.ha_area_id: area for area in areas}
        missing = sorted(ha_area_ids - known.keys())
        created = self.create(
            [{"instance_id": instance.id, "ha_area_id": ha_id, "name": ha_id} for ha_id in missing]
        )
        known.update({area.ha_area_id: area for area in created})
        return known

    @api.model
    def _apply_events(self, instance, events):
        """Apply area registry events in order; return every area they name, by HA id."""
        areas = self._ensure(instance, [event.area_id for event in events])
        for event in events:
            values = {"active": not event.removed}
            if event.name:
                values["name"] = event.name
            areas[event.area_id].write(values)
        return areas
