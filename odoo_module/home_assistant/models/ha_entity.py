"""An entity of a Home Assistant instance, with its current state (newest wins)."""

import json
from collections import defaultdict

from odoo import api, fields, models

from .. import compat
from ..current_state import write_changes
from ..push_schema import numeric_value
from .ha_area import label_set
from .ha_synced_mixin import split_many2many

UNAVAILABLE_STATE = "unavailable"
# What the bus carries per entity (`_compact_states`), in the order it is unpacked there.
COMPACT_FIELDS = [
    "entity_id",
    "state",
    "attributes",
    "available",
    "active",
    "area_id",
    "last_changed",
    "last_updated",
]


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

    # ------------------------------------------------------------------ ingest

    @api.model
    def _apply_events(self, instance, registry_events, state_events, devices, areas, labels):
        """Apply a batch's entity registry and state events; return the entities that changed.

        Per entity, the last registry event and the newest state (by `last_updated`) are
        merged into one create or write. New entities are created through the ORM; the
        changed ones are written set-based unless an Odoo automation on `ha.entity` could
        react to them, which then get an ORM write (`current_state.write_changes`). A
        state older than the entity's current one changes nothing but is still history,
        which goes in one bulk insert. `devices`, `areas` and `labels` map HA ids to records
        already resolved for this batch.
        """
        if not registry_events and not state_events:
            return self.browse()
        devices.update(
            self.env["ha.device"]._ensure(instance, [event.device_id for event in registry_events])
        )
        areas.update(
            self.env["ha.area"]._ensure(instance, [event.area_id for event in registry_events])
        )
        registry = {event.entity_id: event for event in registry_events}
        newest = {}
        for event in state_events:
            current = newest.get(event.entity_id)
            if current is None or event.last_updated >= current.last_updated:
                newest[event.entity_id] = event
        known = self._by_ha_id(instance, "entity_id", [*registry, *newest])

        changes_by_entity = {}
        to_create = []
        relations = defaultdict(dict)
        for entity_id in dict.fromkeys([*registry, *newest]):
            entity = known.get(entity_id)
            values = {}
            if entity_id in registry:
                values.update(
                    self._registry_values(registry[entity_id], entity, devices, areas, labels)
                )
            state = newest.get(entity_id)
            if state and (
                not entity or not entity.last_updated or state.last_updated > entity.last_updated
            ):
                values.update(self._state_values(state))
            if entity_id in registry and registry[entity_id].removed:
                values["active"] = False  # a state in the same batch does not revive it
            values = split_many2many(values, entity_id, relations)
            if entity:
                if changes := entity._changes(values):
                    changes_by_entity[entity] = changes
            elif values.get("active", True):
                to_create.append(
                    {"instance_id": instance.id, "entity_id": entity_id, "name": entity_id} | values
                )
        changed_ids = write_changes(self, changes_by_entity).ids
        created = self.create(to_create)
        known.update({entity.entity_id: entity for entity in created})
        for name, wanted in relations.items():
            relabelled = self._set_many2many(
                name,
                {
                    known[entity_id]: ids
                    for entity_id, ids in wanted.items()
                    if entity_id in known  # an entity leaving HA unseen is not created
                },
            )
            changed_ids += relabelled.ids
        self.env["ha.entity.history"]._insert_states(known, state_events)
        return self.browse(list(dict.fromkeys(changed_ids))) | created

    @api.model
    def _registry_values(self, event, entity, devices, areas, labels):
        """Field values from an entity registry event; a removal only archives the entity."""
        if event.removed:
            return {"active": False}
        values = {
            "device_id": devices[event.device_id].id if event.device_id else False,
            "own_area_id": areas[event.area_id].id if event.area_id else False,
            "platform": event.platform,
            "entity_category": event.entity_category,
            "disabled": event.disabled,
            "active": True,
        }
        if event.labels is not None:
            values["label_ids"] = label_set(labels, event.labels)
        # A state's friendly_name already includes the registry name and wins over it; the
        # registry name only names an entity that has no state yet.
        if event.name and not (entity and entity.last_updated):
            values["name"] = event.name
        return values

    @api.model
    def _state_values(self, event):
        """Field values of an entity at `event`; a null state archives the entity.

        Without attributes in the event, the attributes and what derives from them (name,
        unit, device class, icon) stay as they are.
        """
        if event.state is None:
            return {
                "state": False,
                "available": False,
                "active": False,
                "last_updated": event.last_updated,
            }
        values = {
            "state": event.state,
            # The ORM stores a missing Float as 0.0; history keeps the real NULL.
            "numeric_value": numeric_value(event.state) or 0.0,
            "last_changed": event.last_changed,
            "last_updated": event.last_updated,
            "available": event.state != UNAVAILABLE_STATE,
            "active": True,
        }
        attributes = event.attributes
        if attributes is not None:
            values.update(
                attributes=attributes,
                unit_of_measurement=_text(attributes.get("unit_of_measurement")),
                device_class=_text(attributes.get("device_class")),
                icon=_text(attributes.get("icon")),
            )
            name = _text(attributes.get("friendly_name"))
            if name:
                values["name"] = name
        return values

    @api.model
    def _archive_absent(self, instance, present_entity_ids):
        """Archive the active entities of `instance` a complete snapshot did not mention."""
        absent = self.search(
            [("instance_id", "=", instance.id), ("entity_id", "not in", list(present_entity_ids))]
        )
        absent.write({"active": False, "available": False})
        return absent

    def _compact_states(self):
        """The entities' current states as small dicts for the bus (the dashboard's input).

        The bus serializes the message at once, so the values are taken from the cache as
        they are (after one fetch of what is missing and the pending area computation):
        no recordset per area, no deep copy of the attributes. About 3 times cheaper than
        reading the record values, for the same message.
        """
        compat.recompute(self, ["area_id"])
        self.fetch(COMPACT_FIELDS)
        fields_ = [self._fields[name] for name in COMPACT_FIELDS]
        states = []
        for entity in self:
            entity_id, state, attributes, available, active, area_id, changed, updated = (
                compat.cached_value(entity, field, None) for field in fields_
            )
            states.append(
                {
                    "id": entity.id,
                    "entity_id": entity_id,
                    "state": state or None,
                    "attributes": attributes or {},
                    "numeric_value": numeric_value(state or None),
                    "available": bool(available),
                    "active": bool(active),
                    "area_id": area_id or None,
                    "last_changed": fields.Datetime.to_string(changed) or None,
                    "last_updated": fields.Datetime.to_string(updated) or None,
                }
            )
        return states


def _text(value):
    """An attribute as text for a Char field, or False when absent."""
    if value is None:
        return False
    return str(value)[:256]
