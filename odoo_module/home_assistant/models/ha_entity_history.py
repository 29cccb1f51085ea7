"""Every state an entity had, unique per (entity, last_updated), purged after retention."""

import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat
from ..push_schema import numeric_value

_logger = logging.getLogger(__name__)

# Rows deleted per call of the purge cron, each call its own transaction: ≈ 0.1 s of work
# (docs/performance.md), so a push never waits long behind it.
PURGE_CHUNK_SIZE = 10_000


@compat.sql_constraints(
    (
        "entity_last_updated_unique",
        "UNIQUE(entity_id, last_updated)",
        "A state is stored once per entity and time.",
    ),
)
class HaEntityHistory(models.Model):
    _name = "ha.entity.history"
    _description = "Home Assistant State History"
    _order = "last_updated desc, id desc"
    _log_access = False
    _rec_name = "state"

    entity_id = fields.Many2one("ha.entity", required=True, ondelete="cascade")
    # Not stored: a stored copy would cost every inserted row a second foreign-key check and
    # a second index entry (≈ 15 % of a 1 000-event push); rules and searches go through the
    # entity; the retention purge walks the primary key.
    instance_id = fields.Many2one(related="entity_id.instance_id", string="Instance")
    domain = fields.Char(related="entity_id.domain")
    state = fields.Char()
    numeric_value = fields.Float(aggregator="avg")  # unrounded, as on ha.entity
    last_changed = fields.Datetime()
    last_updated = fields.Datetime(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        """Rows created through the ORM (imports, other addons, tests) count in the rollups too."""
        records = super().create(vals_list)
        self.flush_model(["entity_id", "numeric_value", "last_updated"])
        self.env["ha.entity.statistic"]._add_states(
            SQL(
                "SELECT entity_id, numeric_value, last_updated FROM ha_entity_history"
                " WHERE id = ANY(%s)",
                records.ids,
            )
        )
        return records

    @api.model
    def _insert_states(self, entities, events):
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
        # One JSON document rather than one array per column: psycopg2 adapts list items one
        # by one in Python (18 ms for 1 000 timestamps), json.dumps does the rows in C.
        document = json.dumps(
            [
                {
                    "entity_id": entity_id,
                    "state": event.state,
                    "numeric_value": numeric_value(event.state),
                    "last_changed": event.last_changed.isoformat(),
                    "last_updated": event.last_updated.isoformat(),
                }
                for entity_id, event in rows
            ]
        )
        # The rows actually inserted feed the rollups in the same statement: a state the
        # history already held is not returned, so it is never counted twice.
        self.env["ha.entity.statistic"]._add_states(
            SQL(
                "INSERT INTO ha_entity_history"
                " (entity_id, state, numeric_value, last_changed, last_updated)"
                " SELECT entity_id, state, numeric_value, last_changed, last_updated"
                " FROM json_populate_recordset(NULL::ha_entity_history, %s)"
                " ON CONFLICT (entity_id, last_updated) DO NOTHING"
                " RETURNING entity_id, numeric_value, last_updated",
                document,
            )
        )

    @api.model
    def _cron_purge_expired_history(self):
        """Delete one bounded chunk of the history older than each instance's retention.

        Run by its own cron (not autovacuum, whose every other job a re-trigger would run
        again): each call deletes at most `PURGE_CHUNK_SIZE` rows and reports progress, and
        the cron runner commits and calls again while rows remain, so no push waits behind
        one long delete (docs/performance.md, "Retention at scale").
        """
        if self.env["ha.entity.statistic"]._build_pending():
            # States not rolled up yet would be lost to the rollups too: wait for the build
            # (minutes), the next hourly call purges.
            compat.cron_progress(self.env, done=0, remaining=0)
            return
        instances = (
            self.env["ha.instance"]
            .with_context(active_test=False)
            .search([("history_retention_days", ">", 0)], order="id")
        )
        budget = PURGE_CHUNK_SIZE
        for instance in instances:
            limit = fields.Datetime.now() - timedelta(days=instance.history_retention_days)
            # One index probe per entity first: the walk along the primary key below would
            # read the whole table (5 s at 10 M rows) for an instance with nothing expired.
            self.env.cr.execute(
                SQL(
                    "SELECT 1 FROM ha_entity entity WHERE entity.instance_id = %s AND EXISTS ("
                    " SELECT 1 FROM ha_entity_history history"
                    " WHERE history.entity_id = entity.id AND history.last_updated < %s)"
                    " LIMIT 1",
                    instance.id,
                    limit,
                )
            )
            if not self.env.cr.rowcount:
                continue
            # Along the primary key (ids grow with arrival, so in heap order), not by a
            # sequential scan: that re-reads every row the previous chunks deleted until
            # VACUUM runs (4 s per chunk deep into a 10 M-row purge), and not per entity
            # along (entity_id, last_updated), whose rows lie one per heap page (1.1 s per
            # chunk). docs/performance.md, "Retention at scale".
            self.env.cr.execute(
                SQL(
                    "DELETE FROM ha_entity_history WHERE id IN ("
                    " SELECT history.id FROM ha_entity_history history"
                    " JOIN ha_entity entity ON entity.id = history.entity_id"
                    " WHERE entity.instance_id = %s AND history.last_updated < %s"
                    " ORDER BY history.id LIMIT %s)",
                    instance.id,
                    limit,
                    budget,
                )
            )
            if self.env.cr.rowcount:
                _logger.info(
                    "Purged %d history rows of Home Assistant instance %s",
                    self.env.cr.rowcount,
                    instance.id,
                )
            budget -= self.env.cr.rowcount
            if not budget:
                break
        # Rollups outlive the raw states, by their own retention; what the chunk has left.
        if budget:
            budget -= self.env["ha.entity.statistic"]._purge_expired(budget)
        # A full chunk may leave more due: "remaining" asks the runner for another call, and
        # the trigger wakes the cron thread at once after the runner's last call (18.0's
        # runner makes 10 calls, then waits for its next wake-up, up to a minute).
        compat.cron_progress(self.env, done=PURGE_CHUNK_SIZE - budget, remaining=int(not budget))
        if not budget:
            self.env.ref("home_assistant.ir_cron_ha_history_purge").sudo()._trigger()
