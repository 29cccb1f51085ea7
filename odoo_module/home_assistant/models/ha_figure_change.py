"""A mark that an instance's figures must be sent again, written by the change that caused it."""

import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Home Assistant gets an instance's figures at most once per this many seconds.
MIN_INTERVAL_SECONDS = 5


class HaFigureChange(models.Model):
    _name = "ha.figure.change"
    _description = "Home Assistant Figure Change"
    _log_access = False

    instance_id = fields.Many2one("ha.instance", required=True, index=True, ondelete="cascade")

    @api.model
    def _insert(self, instance_ids):
        """Mark `instance_ids` in SQL: the ORM's create would be watched for figures itself."""
        self.env.cr.execute(
            SQL(
                "INSERT INTO ha_figure_change (instance_id) SELECT unnest(%s::int[])",
                list(instance_ids),
            )
        )

    @api.model
    def _cron_send_figures(self):
        """Send the complete set of figures of every marked instance, at most once per 5 s.

        An instance sent less than 5 s ago is waited for (at most those seconds: a cron
        trigger later than now would run a minute late). Marks are deleted once their set
        was delivered; a failed send keeps them for the next run.
        """
        self.env.cr.execute("SELECT id, instance_id FROM ha_figure_change ORDER BY id")
        marks = {}
        for mark_id, instance_id in self.env.cr.fetchall():
            marks.setdefault(instance_id, []).append(mark_id)
        instances = self.env["ha.instance"].browse(marks).exists()
        for instance in instances:
            if instance.active:
                self._wait_for_interval(instance)
                if not instance._send_figures():
                    continue
            self.env.cr.execute(
                SQL("DELETE FROM ha_figure_change WHERE id = ANY(%s)", marks[instance.id])
            )

    @api.model
    def _wait_for_interval(self, instance):
        last = self.env["ha.command"].search(
            [("instance_id", "=", instance.id), ("command_type", "=", "figures")],
            order="id desc",
            limit=1,
        )
        if not last:
            return
        due = last.create_date + timedelta(seconds=MIN_INTERVAL_SECONDS)
        wait = (due - fields.Datetime.now()).total_seconds()
        if wait > 0:
            time.sleep(min(wait, MIN_INTERVAL_SECONDS))


def send_figures(instance):
    """Compute the (sudo) instance's figures as its paired user and send them all.

    Returns whether Home Assistant took them; the values and errors are kept on the
    figures, the command in the audit log.
    """
    figures = instance.env["ha.figure"].search([("instance_id", "=", instance.id)])
    messages = []
    for figure in figures:
        value, error = figure._compute_figure()
        figure.write(
            {
                "value": value or 0.0,
                "value_known": value is not None,
                "error": error and str(error)[:512],
                "computed_at": fields.Datetime.now(),
            }
        )
        messages.append(figure._figure_message(value))
    user = figures._paired_user() or instance.user_ids[:1]
    commands = instance.env["ha.command"].with_user(user) if user else instance.env["ha.command"]
    try:
        commands._send(instance, "figures", {"complete": True, "figures": messages})
    except UserError as error:  # AccessError among them
        _logger.warning("Figures of Home Assistant instance %s not sent: %s", instance.uuid, error)
        return False
    return True
