"""Batch ids already stored, so a retried batch is recognised and written only once."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat

# Home Assistant retries a batch until Odoo answers, also across long outages and restarts;
# a week covers any realistic retry while keeping the table small.
BATCH_ID_RETENTION_DAYS = 7


# The unique index also serves every lookup and cascade by instance.
@compat.sql_constraints(
    (
        "batch_id_unique",
        "UNIQUE(instance_id, batch_id)",
        "A batch is stored only once per instance.",
    ),
)
class HaPushBatch(models.Model):
    _name = "ha.push.batch"
    _description = "Home Assistant Received Batch"
    _order = "id desc"
    _log_access = False

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    batch_id = fields.Char(required=True)
    event_count = fields.Integer(string="Events")
    received_at = fields.Datetime(required=True, index=True)

    @api.model
    def _claim(self, instance, batch):
        """Record `batch` as received; return False when it was already stored (a retry).

        `ON CONFLICT DO NOTHING` against the unique constraint makes this race-free across
        workers and servers: a concurrent twin waits for the first to commit, then conflicts.
        """
        self.env.cr.execute(
            SQL(
                "INSERT INTO ha_push_batch (instance_id, batch_id, event_count, received_at)"
                " VALUES (%s, %s, %s, now() AT TIME ZONE 'UTC')"
                " ON CONFLICT (instance_id, batch_id) DO NOTHING RETURNING id",
                instance.id,
                batch.batch_id,
                batch.event_count,
            ),
            log_exceptions=False,  # a concurrent twin may fail serialization; retried
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_old_batches(self):
        """Forget batch ids old enough that Home Assistant no longer retries them."""
        limit = fields.Datetime.now() - timedelta(days=BATCH_ID_RETENTION_DAYS)
        self.env.cr.execute(SQL("DELETE FROM ha_push_batch WHERE received_at < %s", limit))
