"""An entity of a Home Assistant instance, with its current state (newest wins)."""

import json
from collections import defaultdict

from odoo import api, fields, models

from .. import compat


# The unique index also serves every lookup and cascade by instance.
@compat.sql_constraints(
    (
        "entity_id_unique",
        "UNIQUE(instance_id, entity_id)",
        "An entity id is unique per Home Assistant instance.",
    ),
)
class HaEntity(models.Model):
    _name = "ha.entity"
    _inherit = ["ha.synced.mixin"]
    _description = "Home Assistant Entity"
    _order = "instance_id, domain, name, id"
    _rec_names_search = ["name", "entity_id"]

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    entity_id = fields.Char(string="Entity ID", required=True, help="e.g. light.kitchen")
    domain = fields.Char(
        compute="_compute_domain", store=True, index=True, help="e.g. light, sensor, switch"
    )
    name = fields.Char(help="Friendly name in Home Assistant.")
    state = fields.Char(help="Current state, empty when the entity left Home Assistant.")
    attributes = fields.Json(help="State attributes as Home Assistant reported them.")
    attributes_text = fields.Text(string="Attributes (JSON)", compute="_compute_attributes_text")
    # No fixed digits: the ORM would round readings to them (1e-7 A becomes 0); a double
    # precision column keeps sensor values of any magnitude as Home Assistant sent them.
    numeric_value = fields.Float(help="The state as a number, for sensors with numeric readings.")
    unit_of_measurement = fields.Char(string="Unit")
    device_class = fields.Char()
    icon = fields.Char()
    own_area_id = fields.Many2one(
        "ha.area", string="Entity Area", ondelete="set null", help="Area set on the entity itself."
    )
    area_id = fields.Many2one(
        "ha.area",
        compute="_compute_area_id",
        store=True,
        index=True,
        help="The entity's own area, else its device's area.",
    )
    floor_id = fields.Many2one(
        "ha.floor", related="area_id.floor_id", store=True, index=True, string="Floor"
    )
    device_id = fields.Many2one("ha.device", ondelete="set null", index=True)
    label_ids = fields.Many2many(
        "ha.label",
        "ha_entity_label_rel",
        "entity_id",
        "label_id",
        string="Labels",
        help="Home Assistant's labels of the entity.",
    )
    tag_ids = fields.Many2many(
        "ha.tag",
        "ha_entity_tag_rel",
        "entity_id",
        "tag_id",
        string="Tags",
        help="Odoo's own tags; never sent to Home Assistant.",
    )
    group_ids = fields.Many2many(
        "ha.entity.group",
        "ha_entity_group_rel",
        "entity_id",
        "group_id",
        string="Groups",
        help="Odoo's own entity groups.",
    )
    platform = fields.Char(help="Integration that provides the entity.")
    entity_category = fields.Char(help="config or diagnostic; empty for primary entities.")
    disabled = fields.Boolean(help="Disabled in Home Assistant's entity registry.")
    last_changed = fields.Datetime(help="When the state last changed.")
    last_updated = fields.Datetime(help="When the state or its attributes last changed.")
    available = fields.Boolean(help="Home Assistant reports a state other than unavailable.")
    record_history = fields.Boolean(default=True, help="Keep every state in the history.")
    active = fields.Boolean(default=True, help="Archived when the entity left Home Assistant.")
    history_ids = fields.One2many("ha.entity.history", "entity_id")

    def init(self):
        # Every push rewrites the current state of each entity it names, and none of the
        # columns it sets is indexed: with room left on the page the new version stays there
        # (HOT), adding no index entry. Full pages (the default) made 9 of 10 updates
        # cold; at 70 % they are 9 of 10 HOT and the batch's UPDATE takes 10 ms instead of
        # 25 (docs/performance.md, "Ingest: HOT updates of the current states").
        self.env.cr.execute("ALTER TABLE ha_entity SET (fillfactor = 70)")

    # Both stored computes below run on every new entity (1000 at once in a snapshot part):
    # assigning per group of equal values, not per record, halves their cost.

    @api.depends("entity_id")
    def _compute_domain(self):
        by_domain = defaultdict(list)
        for entity, entity_id in zip(self, self.mapped("entity_id"), strict=True):
            by_domain[entity_id.split(".", 1)[0] if entity_id else False].append(entity.id)
        for domain, ids in by_domain.items():
            self.browse(ids).domain = domain

    @api.depends("attributes")
    def _compute_attributes_text(self):
        for entity in self:
            entity.attributes_text = json.dumps(
                entity.attributes or {}, indent=2, sort_keys=True, ensure_ascii=False
            )

    @api.depends("own_area_id", "device_id.area_id")
    def _compute_area_id(self):
        by_area = defaultdict(list)
        for entity in self:
            by_area[entity.own_area_id or entity.device_id.area_id].append(entity.id)
        for area, ids in by_area.items():
            self.browse(ids).area_id = area

    @api.model
    def _count_by(self, field_name, records):
        """How many entities each of `records` has through the many2one `field_name`."""
        return dict(self._read_group([(field_name, "in", records.ids)], [field_name], ["__count"]))
