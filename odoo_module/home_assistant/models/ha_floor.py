"""A floor of a Home Assistant instance (HA's floor registry); areas lie on floors."""

from odoo import api, fields, models

from .. import compat


@compat.sql_constraints(
    (
        "ha_floor_id_unique",
        "UNIQUE(instance_id, ha_floor_id)",
        "A floor id is unique per Home Assistant instance.",
    ),
)
class HaFloor(models.Model):
    _name = "ha.floor"
    _inherit = ["ha.synced.mixin"]
    _description = "Home Assistant Floor"
    _order = "instance_id, level, name, id"

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    ha_floor_id = fields.Char(string="Floor ID", required=True, help="Home Assistant's floor id.")
    name = fields.Char(required=True)
    level = fields.Integer(
        help="0 the ground floor (also when Home Assistant sets none), negative below it."
    )
    icon = fields.Char(help="An mdi: icon name.")
    active = fields.Boolean(default=True, help="Archived when removed in Home Assistant.")
    area_ids = fields.One2many("ha.area", "floor_id", string="Areas")

    @api.model
    def _apply_events(self, instance, events, named_ids):
        """Apply floor events (the last per floor wins) and create placeholders for floors
        areas name (`named_ids`); return every one of them by HA id."""
        values = {ha_id: {} for ha_id in named_ids}
        removed = set()
        for event in events:
            if event.removed:
                values[event.floor_id] = {"active": False}
                removed.add(event.floor_id)
                continue
            removed.discard(event.floor_id)
            values[event.floor_id] = {
                "level": event.level or 0,
                "icon": event.icon or False,
                "active": True,
            }
            if event.name:
                values[event.floor_id]["name"] = event.name
        floors = self._upsert(instance, "ha_floor_id", values)
        self.browse([floors[ha_id].id for ha_id in removed])._detach()
        return floors

    @api.model
    def _archive_absent(self, instance, present_floor_ids):
        """Archive the floors of `instance` a complete snapshot did not list."""
        absent = self.search(
            [("instance_id", "=", instance.id), ("ha_floor_id", "not in", list(present_floor_ids))]
        )
        absent.write({"active": False})
        absent._detach()

    def _detach(self):
        """Take archived floors off their areas: Odoo never shows an archived floor."""
        if self:
            areas = self.env["ha.area"].with_context(active_test=False)
            areas.search([("floor_id", "in", self.ids)]).floor_id = False
