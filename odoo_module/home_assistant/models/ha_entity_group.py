"""A group of Home Assistant entities defined in Odoo (no round trip to HA)."""

from odoo import fields, models


class HaEntityGroup(models.Model):
    _name = "ha.entity.group"
    _description = "Home Assistant Entity Group"
    _order = "name, id"

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    entity_ids = fields.Many2many(
        "ha.entity", "ha_entity_group_rel", "group_id", "entity_id", string="Entities"
    )
