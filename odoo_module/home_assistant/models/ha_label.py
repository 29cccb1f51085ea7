"""A label of a Home Assistant instance (HA's label registry), with HA's colour and icon."""

from odoo import Command, api, fields, models

from .. import compat

# HA's label colour names, by the nearest colour of Odoo's tag palette (`color` 0-11).
HA_COLOR_TO_ODOO = {
    "red": 1,
    "pink": 9,
    "purple": 11,
    "deep-purple": 5,
    "indigo": 8,
    "blue": 4,
    "light-blue": 4,
    "cyan": 4,
    "teal": 7,
    "green": 10,
    "light-green": 10,
    "lime": 10,
    "yellow": 3,
    "amber": 3,
    "orange": 2,
    "deep-orange": 2,
    "brown": 6,
    "primary": 8,
    "accent": 9,
}


@compat.sql_constraints(
    (
        "ha_label_id_unique",
        "UNIQUE(instance_id, ha_label_id)",
        "A label id is unique per Home Assistant instance.",
    ),
)
class HaLabel(models.Model):
    _name = "ha.label"
    _inherit = ["ha.synced.mixin"]
    _description = "Home Assistant Label"
    _order = "instance_id, name, id"

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    ha_label_id = fields.Char(string="Label ID", required=True, help="Home Assistant's label id.")
    name = fields.Char(required=True)
    color = fields.Char(
        string="Home Assistant Colour",
        help="The colour as Home Assistant stores it: a name such as red, or #rrggbb.",
    )
    color_index = fields.Integer(
        string="Colour",
        compute="_compute_color_index",
        store=True,
        help="The nearest colour of Odoo's palette, for tags.",
    )
    icon = fields.Char(help="An mdi: icon name.")
    description = fields.Char()
    active = fields.Boolean(default=True, help="Archived when removed in Home Assistant.")
    entity_ids = fields.Many2many(
        "ha.entity", "ha_entity_label_rel", "label_id", "entity_id", string="Entities"
    )
    device_ids = fields.Many2many(
        "ha.device", "ha_device_label_rel", "label_id", "device_id", string="Devices"
    )
    area_ids = fields.Many2many(
        "ha.area", "ha_area_label_rel", "label_id", "area_id", string="Areas"
    )

    @api.depends("color")
    def _compute_color_index(self):
        for label in self:
            label.color_index = HA_COLOR_TO_ODOO.get(label.color or "", 0)

    @api.model
    def _apply_events(self, instance, events, named_ids):
        """Apply label events (the last per label wins) and create placeholders for labels
        other events name (`named_ids`); return every one of them by HA id."""
        values = {ha_id: {} for ha_id in named_ids}
        removed = set()
        for event in events:
            if event.removed:
                values[event.label_id] = {"active": False}
                removed.add(event.label_id)
                continue
            removed.discard(event.label_id)
            values[event.label_id] = {
                "color": event.color or False,
                "icon": event.icon or False,
                "description": event.description or False,
                "active": True,
            }
            if event.name:
                values[event.label_id]["name"] = event.name
        labels = self._upsert(instance, "ha_label_id", values)
        self.browse([labels[ha_id].id for ha_id in removed])._detach()
        return labels

    @api.model
    def _archive_absent(self, instance, present_label_ids):
        """Archive the labels of `instance` a complete snapshot did not list."""
        absent = self.search(
            [("instance_id", "=", instance.id), ("ha_label_id", "not in", list(present_label_ids))]
        )
        absent.write({"active": False})
        absent._detach()

    def _detach(self):
        """Take archived labels off the items that carried them: Odoo never shows them."""
        if self:
            clear = [Command.clear()]
            self.write({"entity_ids": clear, "device_ids": clear, "area_ids": clear})
