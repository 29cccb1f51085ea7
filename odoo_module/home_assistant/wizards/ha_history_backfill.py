"""Ask Home Assistant to push the recorded states of some entities for a period (backfill)."""

from datetime import UTC, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..signing import MAX_HISTORY_DAYS, MAX_HISTORY_ENTITIES


class HaHistoryBackfill(models.TransientModel):
    _name = "ha.history.backfill"
    _description = "Home Assistant History Backfill"

    instance_id = fields.Many2one("ha.instance", required=True)
    entity_ids = fields.Many2many(
        "ha.entity",
        string="Entities",
        domain="[('instance_id', '=', instance_id)]",
        help="Entities whose recorded states Home Assistant sends again.",
    )
    date_from = fields.Datetime(
        string="From", required=True, default=lambda self: fields.Datetime.now() - timedelta(days=1)
    )
    date_to = fields.Datetime(string="To", required=True, default=fields.Datetime.now)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from >= wizard.date_to:
                raise ValidationError(self.env._("The period must start before it ends."))

    def action_backfill(self):
        """Send the `history` command; Home Assistant pushes those states as usual.

        Refused before anything is sent beyond the protocol's bounds (entities, days).
        """
        self.ensure_one()
        if not self.entity_ids:
            raise ValidationError(self.env._("Choose the entities whose history to send."))
        if self.entity_ids.instance_id != self.instance_id:
            raise ValidationError(self.env._("The entities must belong to the instance."))
        if len(self.entity_ids) > MAX_HISTORY_ENTITIES:
            raise ValidationError(
                self.env._(
                    "Home Assistant sends the history of at most %(limit)s entities per "
                    "request (%(count)s chosen): split them into several requests.",
                    limit=MAX_HISTORY_ENTITIES,
                    count=len(self.entity_ids),
                )
            )
        if self.date_to - self.date_from > timedelta(days=MAX_HISTORY_DAYS):
            raise ValidationError(
                self.env._(
                    "Home Assistant sends at most %s days of history per request: choose a "
                    "shorter period, or request the rest separately.",
                    MAX_HISTORY_DAYS,
                )
            )
        self.env["ha.command"]._send(
            self.instance_id,
            "history",
            {
                "entity_ids": self.entity_ids.mapped("entity_id"),
                "start": self.date_from.replace(tzinfo=UTC).isoformat(),
                "end": self.date_to.replace(tzinfo=UTC).isoformat(),
            },
        )
        return self.instance_id._notification(
            self.env._("History requested"),
            self.env._(
                "Home Assistant “%(instance)s” is sending the history of %(count)s entities.",
                instance=self.instance_id.name,
                count=len(self.entity_ids),
            ),
            close_dialog=True,
        )
