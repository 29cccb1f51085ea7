"""How a verified push changes entities: registry and state events, archiving, bus rows.

Called by `ingest.ingest_batch`; the entity's fields and computes stay in ha_entity.py.
"""

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


class HaEntityIngest(models.Model):
    _inherit = "ha.entity"  # pylint: disable=consider-merging-classes-inherited

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
