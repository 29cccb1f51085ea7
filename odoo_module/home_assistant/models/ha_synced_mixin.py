"""Shared behaviour of records mirrored from Home Assistant's registries and states."""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from .. import compat

_MISSING = object()


class HaSyncedMixin(models.AbstractModel):
    _name = "ha.synced.mixin"
    _description = "Home Assistant Mirrored Record"

    @api.model
    def _by_ha_id(self, instance, key_field, ha_ids):
        """Existing records (archived ones included) of `instance`, by their HA id."""
        # Ordered by id: the models' default orders start with `instance_id`, which joins
        # ha_instance to sort by its name, for a lookup whose order does not matter.
        records = self.with_context(active_test=False).search(
            [("instance_id", "=", instance.id), (key_field, "in", list(ha_ids))], order="id"
        )
        # One read of the key over the recordset instead of one per record: 3 ms per
        # 1000 records, the size of a snapshot part.
        return dict(zip(records.mapped(key_field), records, strict=True))

    @api.model
    def _upsert(self, instance, key_field, values_by_ha_id):
        """Create or update records from field values keyed by HA id, in bulk.

        New records are named after their HA id until an event gives them a name. A
        many2many is given as a frozenset of ids and set for all records at once
        (`_set_many2many`). Returns every record named in `values_by_ha_id`, by HA id.
        """
        records = self._by_ha_id(instance, key_field, values_by_ha_id)
        to_create = []
        relations = defaultdict(dict)
        for ha_id, event_values in values_by_ha_id.items():
            values = split_many2many(event_values, ha_id, relations)
            if ha_id in records:
                records[ha_id]._write_changes(values)
            else:
                defaults = {"instance_id": instance.id, key_field: ha_id, "name": ha_id}
                to_create.append(defaults | values)
        records.update({record[key_field]: record for record in self.create(to_create)})
        for name, wanted in relations.items():
            self._set_many2many(name, {records[ha_id]: ids for ha_id, ids in wanted.items()})
        return records

    @api.model
    def _set_many2many(self, field_name, wanted):
        """Make many2many `field_name` of each record hold its ids in `wanted`; return the
        records that changed.

        At most three statements whatever the number of records (a read, a DELETE and an
        INSERT), where an ORM write costs two per record: a snapshot part carries a label
        list for each of its thousand entities. No automation watches these relations.
        """
        if not wanted:
            return self.browse()
        field = self._fields[field_name]
        table = SQL.identifier(field.relation)
        own, other = SQL.identifier(field.column1), SQL.identifier(field.column2)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT %s, %s FROM %s WHERE %s = ANY(%s)",
                own,
                other,
                table,
                own,
                [record.id for record in wanted],
            )
        )
        current = defaultdict(set)
        for record_id, other_id in self.env.cr.fetchall():
            current[record_id].add(other_id)
        stale, missing, changed = [], [], []
        for record, other_ids in wanted.items():
            have = current[record.id]
            if have != other_ids:
                changed.append(record.id)
                stale += [SQL("(%s, %s)", record.id, other_id) for other_id in have - other_ids]
                missing += [SQL("(%s, %s)", record.id, other_id) for other_id in other_ids - have]
        if stale:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE (%s, %s) IN (%s)",
                    table,
                    own,
                    other,
                    SQL(", ").join(stale),
                )
            )
        if missing:
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
                    table,
                    own,
                    other,
                    SQL(", ").join(missing),
                )
            )
        if changed:
            self.browse(changed).invalidate_recordset([field_name])
            self.env[field.comodel_name].invalidate_model()
        return self.browse(changed)

    def _write_changes(self, values):
        """Write only the values that differ from the record's current ones; tell if any did."""
        changes = self._changes(values)
        if changes:
            self.write(changes)
        return bool(changes)

    def _changes(self, values):
        """The `values` that differ from the record's current ones.

        Most updates change a state and its timestamps only; leaving the other fields out
        keeps the write cheap and lets automations see what really changed.
        """
        self.ensure_one()
        return {name: value for name, value in values.items() if self._current_value(name) != value}

    def _current_value(self, name):
        """The record's value of field `name` for comparison: an id for relations.

        Read from the cache once the record is fetched (one query for the whole batch in
        `_by_ha_id`): the record value would build a recordset for a relation and deep-copy
        a Json value, which the comparison needs neither. An absent value compares as False,
        as the record value does. Saved about 30 % of `_write_changes` on a 1000-event batch
        over 200 entities (cProfile, 12 fields compared per entity).
        """
        field = self._fields[name]
        value = compat.cached_value(self, field, _MISSING)
        if value is _MISSING or field.compute:  # not fetched yet, or maybe to recompute
            value = self[name]
            return value.id if isinstance(value, models.BaseModel) else value
        if value is None and field.type != "json":
            return False
        return value


def split_many2many(values, ha_id, relations):
    """`values` without its many2many frozensets, which go to `relations[field][ha_id]`."""
    plain = {}
    for name, value in values.items():
        if isinstance(value, frozenset):
            relations[name][ha_id] = value
        else:
            plain[name] = value
    return plain
