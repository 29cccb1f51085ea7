"""Writing the current states of a batch's changed entities, set-based where nothing can tell.

One ORM `write` per entity cost about 40 % of a 1 000-event batch and grew with the number of
distinct entities. What an ORM write does beyond the UPDATE is kept here for the records that
skip it: `write_date`/`write_uid`, the cache, the dependent stored fields (`modified`) and the
figures' hook (`_note_figure_change`). What cannot be reproduced, base_automation's patched
`write`, decides which records still take the ORM path: those a write-triggered automation
rule can match.
"""

import json
from collections import defaultdict
from datetime import datetime

from odoo.addons.base_automation.models.base_automation import WRITE_TRIGGERS
from odoo.tools import SQL

from . import compat

# What a state event changes on a known entity (`ha.entity._state_values`). None of them is
# a relation or `active` (archiving reaches `active_test` searches and goes through the ORM),
# and no stored field of the addon is computed from them.
SET_BASED_FIELDS = frozenset(
    {
        "state",
        "numeric_value",
        "last_changed",
        "last_updated",
        "available",
        "attributes",
        "unit_of_measurement",
        "device_class",
        "icon",
        "name",
    }
)


def write_changes(model, changes_by_record):
    """Write each record's `changes` (only values that differ); return the written records.

    Records whose changes are all in `SET_BASED_FIELDS` and that no automation rule can
    match are written with one UPDATE per set of changed fields (usually one per batch);
    the others go through the ORM `write`, so rules fire exactly as before.
    """
    quick = model.browse(
        record.id
        for record, changes in changes_by_record.items()
        if changes.keys() <= SET_BASED_FIELDS
    )
    names = frozenset().union(*(changes_by_record[record] for record in quick))
    quick_ids = set((quick - automation_candidates(quick, names)).ids)
    by_fields = defaultdict(dict)
    for record, changes in changes_by_record.items():
        if record.id in quick_ids:
            by_fields[frozenset(changes)][record.id] = changes
        else:
            record.write(changes)
    for field_names, changes_by_id in by_fields.items():
        update_rows(model, sorted(field_names), changes_by_id)
    return model.browse(record.id for record in changes_by_record)


def automation_candidates(records, field_names):
    """The `records` a write-triggered automation rule could fire on when `field_names` change.

    As base_automation's `write` decides: a rule reacts to the records matching its
    precondition (`filter_pre_domain`, evaluated before the write) when one of its trigger
    fields is written, or any field when it names none. Its postcondition is not evaluated
    here: a candidate takes the ORM path, where base_automation evaluates it.
    """
    if not records:
        return records
    candidates = records.browse()
    for rule in records.env["base.automation"]._get_actions(records, WRITE_TRIGGERS):
        triggers = set(rule.sudo().trigger_field_ids.mapped("name"))
        if not triggers or triggers & field_names:
            candidates |= rule._filter_pre(records)
    return candidates.with_env(records.env)


def update_rows(model, field_names, changes_by_id):
    """Set `field_names` of the records whose ids key `changes_by_id` in one UPDATE."""
    env = model.env
    fields_ = [model._fields[name] for name in field_names]
    model.flush_model(field_names)  # no pending ORM value may overwrite these later
    rows = [
        {"id": record_id}
        | {field.name: _column_value(field, changes[field.name]) for field in fields_}
        for record_id, changes in changes_by_id.items()
    ]
    assignments = SQL(", ").join(
        SQL("%s = row.%s", SQL.identifier(name), SQL.identifier(name)) for name in field_names
    )
    env.cr.execute(
        SQL(
            "UPDATE %s AS entity SET %s, write_date = %s, write_uid = %s"
            " FROM json_populate_recordset(NULL::%s, %s) AS row WHERE entity.id = row.id",
            SQL.identifier(model._table),
            assignments,
            env.cr.now(),
            env.uid,
            SQL.identifier(model._table),
            json.dumps(rows, default=_json_value),
        )
    )
    records = model.browse(changes_by_id)
    records.invalidate_recordset(["write_date", "write_uid"])
    # The new values in the cache, as a write leaves them: the bus message that follows
    # reads them without fetching the rows again.
    for field in fields_:
        compat.cache_values(
            records, field, [changes[field.name] for changes in changes_by_id.values()]
        )
    records.modified(field_names)
    model._note_figure_change()


def _column_value(field, value):
    """`value` as the ORM would store it: NULL for an empty value, except for booleans."""
    if field.type == "boolean":
        return bool(value)
    if value is False or (field.type == "json" and not value):
        return None
    return value


def _json_value(value):
    """A value json.dumps cannot write itself: the timestamps, as PostgreSQL reads them."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")
