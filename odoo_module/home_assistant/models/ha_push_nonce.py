"""Nonces of accepted pushes inside the replay window, shared by every worker and server."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat
from ..signing import TIMESTAMP_WINDOW_SECONDS


@compat.sql_constraints(
    ("nonce_unique", "UNIQUE(instance_id, nonce)", "A nonce is accepted only once."),
)
class HaPushNonce(models.Model):
    _name = "ha.push.nonce"
    _description = "Home Assistant Push Nonce"
    _order = "id desc"
    _log_access = False

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    nonce = fields.Char(required=True)
    received_at = fields.Datetime(required=True, index=True)

    @api.model
    def _use(self, instance, nonce):
        """Remember `nonce` for `instance`; return False when it was already used (a replay).

        Called only after the signature verified, so strangers cannot fill this table.
        """
        self.env.cr.execute(
            SQL(
                "INSERT INTO ha_push_nonce (instance_id, nonce, received_at)"
                " VALUES (%s, %s, now() AT TIME ZONE 'UTC')"
                " ON CONFLICT (instance_id, nonce) DO NOTHING RETURNING id",
                instance.id,
                nonce,
            ),
            log_exceptions=False,  # a concurrent twin may fail serialization; retried
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_expired_nonces(self):
        """Forget nonces once their timestamps can no longer pass the window check."""
        limit = fields.Datetime.now() - timedelta(seconds=2 * TIMESTAMP_WINDOW_SECONDS)
        self.env.cr.execute(SQL("DELETE FROM ha_push_nonce WHERE received_at < %s", limit))
