"""Odoo's own tags on Home Assistant entities: organisation that never goes to HA."""

from odoo import fields, models

from .. import compat


@compat.sql_constraints(
    ("name_unique", "UNIQUE(company_id, name)", "A tag name is used once per company."),
)
class HaTag(models.Model):
    _name = "ha.tag"
    _description = "Home Assistant Entity Tag"
    _order = "name, id"

    name = fields.Char(required=True)
    color = fields.Integer(string="Colour")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    entity_ids = fields.Many2many(
        "ha.entity", "ha_entity_tag_rel", "tag_id", "entity_id", string="Entities"
    )
