"""Every state an entity had, unique per (entity, last_updated), purged after retention."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.home_assistant.push_schema import numeric_value
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Rows deleted per instance and autovacuum run; when more are due, autovacuum is triggered
# again instead of holding one huge delete (and its locks) in a single transaction.
PURGE_CHUNK_SIZE = 50_000


class HaEntityHistory(models.Model):
    _name = "ha.entity.history"
    _description = "Home Assistant State History"
    _order = "last_updated desc, id desc"
    _log_access = False
    _rec_name = "state"

    entity_id = fields.Many2one("ha.entity", required=True, ondelete="cascade")
    instance_id = fields.Many2one(
        "ha.instance", string="Instance", required=True, ondelete="cascade"
    )
    domain = fields.Char(related="entity_id.domain")
    state = fields.Char()
    numeric_value = fields.Float(aggregator="avg")  # unrounded, as on ha.entity
    last_changed = fields.Datetime()
    last_updated = fields.Datetime(required=True)

    _sql_constraints = [
        (
            "entity_last_updated_unique",
            "UNIQUE(entity_id, last_updated)",
            "A state is stored once per entity and time.",
        ),
    ]

    def init(self):
        """Index the retention purge (per instance, oldest rows).

        "This entity's history, newest first" (charts) is served by the unique constraint's
        (entity_id, last_updated) btree, which PostgreSQL scans backwards just as fast; a
        second DESC index would only slow down every insert.
        """
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS ha_entity_history_instance_last_updated_index"
                " ON ha_entity_history (instance_id, last_updated)"
            )
        )

    @api.model
    def _insert_states(self, instance, entities, events):
        """Store the non-null states of `events` in one statement, skipping known rows.

        `entities` maps HA entity ids to records; entities with `record_history` off and
        events of unknown entities are skipped. `ON CONFLICT DO NOTHING` on the unique
        (entity, last_updated) makes a re-delivered state a no-op.
        """
        # One look-up per entity, not per event: record_history read 1000 times per batch
        # of 1000 events cost as much as building the rows.
        recorded = {ha_id: entity.id for ha_id, entity in entities.items() if entity.record_history}
        rows = [
            (recorded[event.entity_id], event)
            for event in events
            if event.state is not None and event.entity_id in recorded
        ]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO ha_entity_history"
                " (entity_id, instance_id, state, numeric_value, last_changed, last_updated)"
                " SELECT entity_id, %s, state, numeric_value, last_changed, last_updated"
                " FROM unnest(%s::int[], %s::varchar[], %s::float8[], %s::timestamp[],"
                " %s::timestamp[]) AS row(entity_id, state, numeric_value, last_changed,"
                " last_updated)"
                " ON CONFLICT (entity_id, last_updated) DO NOTHING",
                instance.id,
                [entity_id for entity_id, _event in rows],
                [event.state for _entity_id, event in rows],
                [numeric_value(event.state) for _entity_id, event in rows],
                [event.last_changed for _entity_id, event in rows],
                [event.last_updated for _entity_id, event in rows],
            )
        )

    @api.autovacuum
    def _gc_expired_history(self):
        """Delete history older than each instance's retention, in bounded chunks."""
        instances = (
            self.env["ha.instance"]
            .with_context(active_test=False)
            .search([("history_retention_days", ">", 0)])
        )
        more_due = False
        for instance in instances:
            limit = fields.Datetime.now() - timedelta(days=instance.history_retention_days)
            self.env.cr.execute(
                SQL(
                    "DELETE FROM ha_entity_history WHERE id IN ("
                    " SELECT id FROM ha_entity_history"
                    " WHERE instance_id = %s AND last_updated < %s LIMIT %s)",
                    instance.id,
                    limit,
                    PURGE_CHUNK_SIZE,
                )
            )
            if self.env.cr.rowcount:
                _logger.info(
                    "Purged %d history rows of Home Assistant instance %s",
                    self.env.cr.rowcount,
                    instance.id,
                )
            more_due |= self.env.cr.rowcount >= PURGE_CHUNK_SIZE
        if more_due:
            self.env.ref("base.autovacuum_job")._trigger()
