"""An area of a Home Assistant instance (HA's area registry)."""

from odoo import api, fields, models

from .. import compat


# The unique index also serves every lookup and cascade by instance.
@compat.sql_constraints(
    (
        "ha_area_id_unique",
        "UNIQUE(instance_id, ha_area_id)",
        "An area id is unique per Home Assistant instance.",
    ),
)
class HaArea(models.Model):
    _name = "ha.area"
    _inherit = ["ha.synced.mixin"]
    _description = "Home Assistant Area"
    _order = "instance_id, name, id"

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    ha_area_id = fields.Char(string="Area ID", required=True, help="Home Assistant's area id.")
    name = fields.Char(required=True)
    floor_id = fields.Many2one("ha.floor", ondelete="set null", index=True)
    icon = fields.Char(help="An mdi: icon name.")
    label_ids = fields.Many2many(
        "ha.label", "ha_area_label_rel", "area_id", "label_id", string="Labels"
    )
    active = fields.Boolean(default=True, help="Archived when removed in Home Assistant.")
    device_ids = fields.One2many("ha.device", "area_id", string="Devices")
    entity_ids = fields.One2many("ha.entity", "area_id", string="Entities")
    entity_count = fields.Integer(compute="_compute_entity_count")

    def _compute_entity_count(self):
        counts = self.env["ha.entity"]._count_by("area_id", self)
        for area in self:
            area.entity_count = counts.get(area, 0)

    @api.model
    def _ensure(self, instance, ha_area_ids):
        """Map HA area ids to records, creating placeholders for areas not seen yet.

        Registry events may name an area before the area's own event arrives (or in the same
        batch); the placeholder is completed when that event comes.
        """
        placeholders = {ha_id: {} for ha_id in ha_area_ids if ha_id}
        return self._upsert(instance, "ha_area_id", placeholders)

    @api.model
    def _apply_events(self, instance, events, floors, labels):
        """Apply area registry events (the last per area wins); return the areas by HA id.

        `floors` and `labels` map the HA ids the events name to records resolved already.
        """
        values = {}
        for event in events:
            values[event.area_id] = {"active": not event.removed}
            if event.removed:
                continue
            values[event.area_id].update(
                floor_id=floors[event.floor_id].id if event.floor_id else False,
                icon=event.icon or False,
            )
            if event.name:
                values[event.area_id]["name"] = event.name
            if event.labels is not None:
                values[event.area_id]["label_ids"] = label_set(labels, event.labels)
        return self._upsert(instance, "ha_area_id", values)


def label_set(labels, label_ids):
    """The records' ids of HA label ids, as ingest compares many2many values."""
    return frozenset(labels[label_id].id for label_id in label_ids)
