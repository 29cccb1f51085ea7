"""5-minute and hourly rollups of numeric states, kept after the raw history is purged.

A rollup row holds the count, sum, minimum and maximum of an entity's numeric states whose
`last_updated` falls in one period (`start` inclusive, `start` + period exclusive); the
mean is sum / count. Rows are added to in the same statement that stores the states
(`_add_states`), so a rollup always agrees with the history it was built from, and only
states that were actually inserted count: a re-delivered or backfilled state that the
history already held adds nothing (docs/performance.md, "Rollups").
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat

_logger = logging.getLogger(__name__)

# Period key → length in seconds. Sparklines and charts longer than a day read these.
PERIODS = {"5m": 300, "1h": 3600}
# History rows (by id) the build cron rolls up per call: ≈ 2 s of work, one transaction.
BUILD_CHUNK_SIZE = 200_000
# The build walks history ids up to the highest one that existed before rollups were
# maintained (set by the migration); rows after it were rolled up as they arrived.
BUILD_UNTIL_PARAM = "home_assistant.statistics_build_until"
BUILD_DONE_PARAM = "home_assistant.statistics_build_done"


@compat.sql_constraints(
    (
        "entity_period_start_unique",
        "UNIQUE(entity_id, period, start)",
        "A rollup is stored once per entity, period and start.",
    ),
)
class HaEntityStatistic(models.Model):
    _name = "ha.entity.statistic"
    _description = "Home Assistant State Rollup"
    _order = "start desc, id desc"
    _log_access = False
    _rec_name = "start"

    entity_id = fields.Many2one("ha.entity", required=True, ondelete="cascade")
    instance_id = fields.Many2one(related="entity_id.instance_id", string="Instance")
    period = fields.Selection([("5m", "5 minutes"), ("1h", "1 hour")], required=True)
    start = fields.Datetime(required=True, help="Start of the period (UTC).")
    count = fields.Integer(required=True)
    sum = fields.Float(required=True)
    min = fields.Float(required=True)
    max = fields.Float(required=True)
    mean = fields.Float(compute="_compute_mean")

    def init(self):
        # Room on every page for the next versions of its rows: a sensor read every 30 s
        # updates its hourly rollup 120 times an hour, and an update that fits on its page
        # (no indexed column changes) adds no index entry and is pruned cheaply (HOT).
        self.env.cr.execute("ALTER TABLE ha_entity_statistic SET (fillfactor = 70)")

    @api.depends("count", "sum")
    def _compute_mean(self):
        for statistic in self:
            statistic.mean = statistic.sum / statistic.count if statistic.count else 0.0

    @api.model
    def _add_states(self, states):
        """Add the states that the query `states` yields to the rollups of both periods.

        `states` is an SQL query (a data-modifying `INSERT … RETURNING` included) with the
        columns entity_id, numeric_value, last_updated; rows without a numeric value are
        ignored. Everything happens in one statement: the states are grouped per entity
        and period start, then added to the existing rows (`ON CONFLICT … DO UPDATE`).
        """
        self.env.cr.execute(
            SQL(
                "WITH states AS (%s)"
                " INSERT INTO ha_entity_statistic AS stat"
                " (entity_id, period, start, count, sum, min, max)"
                " SELECT states.entity_id, periods.period,"
                " to_timestamp(floor(extract(epoch FROM states.last_updated) / periods.seconds)"
                " * periods.seconds) AT TIME ZONE 'UTC',"
                " count(*), sum(states.numeric_value), min(states.numeric_value),"
                " max(states.numeric_value)"
                " FROM states CROSS JOIN (VALUES %s) AS periods (period, seconds)"
                " WHERE states.numeric_value IS NOT NULL"
                " GROUP BY 1, 2, 3"
                # Rows locked in one order: two pushes updating the same rollups wait for
                # each other instead of deadlocking.
                " ORDER BY 1, 2, 3"
                " ON CONFLICT (entity_id, period, start) DO UPDATE SET"
                " count = stat.count + EXCLUDED.count, sum = stat.sum + EXCLUDED.sum,"
                " min = LEAST(stat.min, EXCLUDED.min), max = GREATEST(stat.max, EXCLUDED.max)",
                states,
                SQL(", ").join(SQL("(%s, %s)", key, seconds) for key, seconds in PERIODS.items()),
            )
        )
        self.invalidate_model()

    @api.model
    def _purge_expired(self, budget):
        """Delete at most `budget` rollups older than their instance's retention.

        Called by the history purge cron with what its chunk has left; returns how many
        rows were deleted.
        """
        instances = (
            self.env["ha.instance"]
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    ("statistics_short_retention_days", ">", 0),
                    ("statistics_long_retention_days", ">", 0),
                ],
                order="id",
            )
        )
        deleted = 0
        for instance in instances:
            retentions = {
                "5m": instance.statistics_short_retention_days,
                "1h": instance.statistics_long_retention_days,
            }
            for period, days in retentions.items():
                if not days or deleted >= budget:
                    continue
                # Along the unique (entity, period, start) index, one probe per entity.
                self.env.cr.execute(
                    SQL(
                        "DELETE FROM ha_entity_statistic WHERE id IN ("
                        " SELECT stat.id FROM ha_entity entity"
                        " JOIN ha_entity_statistic stat ON stat.entity_id = entity.id"
                        " WHERE entity.instance_id = %s AND stat.period = %s"
                        " AND stat.start < %s LIMIT %s)",
                        instance.id,
                        period,
                        fields.Datetime.now() - timedelta(days=days),
                        budget - deleted,
                    )
                )
                deleted += self.env.cr.rowcount
        if deleted:
            _logger.info("Purged %d expired Home Assistant rollups", deleted)
            self.invalidate_model()
        return deleted

    @api.model
    def _build_pending(self):
        """Whether history stored before rollups existed is still to be rolled up."""
        parameters = self.env["ir.config_parameter"].sudo()
        until = int(parameters.get_param(BUILD_UNTIL_PARAM, 0))
        return int(parameters.get_param(BUILD_DONE_PARAM, 0)) < until

    @api.model
    def _cron_build(self):
        """Roll up one chunk of the history stored before rollups were kept.

        The migration records the highest history id then (`BUILD_UNTIL_PARAM`); each call
        rolls up the next `BUILD_CHUNK_SIZE` ids and records how far it got in the same
        transaction, under a row lock, so a call that fails, or runs beside another, never
        counts a state twice. A no-op
        once done (and on databases installed with rollups).
        """
        parameters = self.env["ir.config_parameter"].sudo()
        until = int(parameters.get_param(BUILD_UNTIL_PARAM, 0))
        # Locked and re-read: a run beside another (a manual one beside the cron's) waits
        # for it, then fails on the changed row (serialization failure) and changes nothing.
        parameters.flush_model(["value"])
        self.env.cr.execute(
            "SELECT value FROM ir_config_parameter WHERE key = %s FOR UPDATE", [BUILD_DONE_PARAM]
        )
        done = int((self.env.cr.fetchone() or [0])[0])
        if done >= until:
            compat.cron_progress(self.env, done=0, remaining=0)
            return
        upto = min(done + BUILD_CHUNK_SIZE, until)
        self._add_states(
            SQL(
                "SELECT entity_id, numeric_value, last_updated FROM ha_entity_history"
                " WHERE id > %s AND id <= %s",
                done,
                upto,
            )
        )
        parameters.set_param(BUILD_DONE_PARAM, str(upto))
        _logger.info("Rolled up Home Assistant history ids %d to %d of %d", done + 1, upto, until)
        remaining = int(upto < until)
        compat.cron_progress(self.env, done=upto - done, remaining=remaining)
        if remaining:
            self.env.ref("home_assistant.ir_cron_ha_statistics_build").sudo()._trigger()

    @api.model
    def _schedule_build(self):
        """Have the build cron roll up all history stored so far (the migration calls it)."""
        parameters = self.env["ir.config_parameter"].sudo()
        if parameters.get_param(BUILD_UNTIL_PARAM):
            return  # scheduled once: a second build would count the same states again
        self.env["ha.entity.history"].flush_model()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM ha_entity_history")
        until = self.env.cr.fetchone()[0]
        parameters.set_param(BUILD_UNTIL_PARAM, str(until))
        parameters.set_param(BUILD_DONE_PARAM, "0")
        if until:
            self.env.ref("home_assistant.ir_cron_ha_statistics_build").sudo()._trigger()
