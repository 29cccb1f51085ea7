"""A paired Home Assistant instance: its fields, connection status, counters and actions.

Pairing and the URL guard extend it in `ha_instance_pairing.py`.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .. import compat
from ..ingest import ingest_batch
from ..pairing import UUID_PATTERN
from ..signing import PUSH_PATH

# An instance counts as connected while its last push is younger than this many heartbeats.
CONNECTED_HEARTBEATS = 3
COUNTER_DIGITS = (20, 0)


# UNIQUE(uuid) is also the index the push endpoint looks instances up by.
@compat.sql_constraints(
    ("uuid_unique", "UNIQUE(uuid)", "This Home Assistant instance is already paired."),
    (
        "heartbeat_interval_positive",
        "CHECK(heartbeat_interval > 0)",
        "The heartbeat interval must be positive.",
    ),
    (
        "history_retention_days_not_negative",
        "CHECK(history_retention_days >= 0)",
        "The history retention cannot be negative.",
    ),
    (
        "statistics_retention_days_not_negative",
        "CHECK(statistics_short_retention_days >= 0 AND statistics_long_retention_days >= 0)",
        "The rollup retention cannot be negative.",
    ),
)
class HaInstance(models.Model):
    _name = "ha.instance"
    # The instance is the bus channel of its live states (see `ir.websocket`).
    _inherit = ["bus.listener.mixin"]
    _description = "Home Assistant Instance"
    _order = "name, id"

    name = fields.Char(required=True, help="Location name configured in Home Assistant.")
    uuid = fields.Char(
        string="Instance ID",
        required=True,
        readonly=True,
        copy=False,
        help="Home Assistant's own instance id; identifies the instance in push URLs.",
    )
    active = fields.Boolean(default=True, help="Archived when Home Assistant unpairs.")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_ids = fields.Many2many(
        "res.users",
        "ha_instance_res_users_rel",
        "instance_id",
        "user_id",
        string="Allowed Users",
        domain=[("share", "=", False)],
        help="Home Assistant users who may see and control this instance. "
        "Home Assistant administrators see every instance of their companies.",
    )
    ha_url = fields.Char(string="Home Assistant URL", help="Base URL at which Odoo reaches it.")
    webhook_id = fields.Char(
        string="Webhook ID", groups="base.group_system", copy=False, exportable=False
    )
    secret = fields.Char(groups="base.group_system", copy=False, exportable=False)
    command_url = fields.Char(
        string="Command URL",
        groups="base.group_system",
        copy=False,
        exportable=False,
        help="Where commands go when Home Assistant gave one at pairing (its Home Assistant "
        "Cloud webhook); otherwise to the webhook under the Home Assistant URL.",
    )
    ha_version = fields.Char(string="Home Assistant Version", readonly=True)
    protocol = fields.Integer(string="Protocol Version", readonly=True)
    push_url = fields.Char(
        string="Push URL",
        compute="_compute_push_url",
        help="The push address under this database's base URL. Home Assistant uses only its "
        "path, under the Odoo URL it was given, so the base URL need not be one it can reach.",
    )

    heartbeat_interval = fields.Integer(
        default=30,
        required=True,
        help="Seconds between Home Assistant's heartbeats; the instance counts as "
        "connected while its last push is younger than three of them.",
    )
    last_seen = fields.Datetime(readonly=True, help="Time of the last accepted push.")
    connected = fields.Boolean(compute="_compute_connected", search="_search_connected")
    history_retention_days = fields.Integer(
        string="History Retention (days)",
        default=30,
        required=True,
        help="State history older than this is deleted automatically; 0 keeps it forever.",
    )
    # Rollups of numeric states (ha.entity.statistic): what charts longer than a day show
    # once the raw history is gone.
    statistics_short_retention_days = fields.Integer(
        string="5-Minute Rollup Retention (days)",
        default=30,
        required=True,
        help="5-minute averages, minima and maxima older than this are deleted; 0 keeps them.",
    )
    statistics_long_retention_days = fields.Integer(
        string="Hourly Rollup Retention (days)",
        default=0,
        required=True,
        help="Hourly averages, minima and maxima older than this are deleted; 0 keeps them "
        "forever.",
    )

    # Counters outgrow PostgreSQL's 32-bit integer (2^31 events is a few days at full
    # speed), and Odoo has no 64-bit integer field: whole numbers in a NUMERIC column.
    batch_count = fields.Float(string="Batches", digits=COUNTER_DIGITS, readonly=True)
    event_count = fields.Float(string="Events", digits=COUNTER_DIGITS, readonly=True)
    duplicate_count = fields.Float(
        string="Duplicate Batches",
        digits=COUNTER_DIGITS,
        readonly=True,
        help="Retried batches that were already stored.",
    )
    seq_gap_count = fields.Float(
        string="Missing Batches",
        digits=COUNTER_DIGITS,
        readonly=True,
        help="Batches Home Assistant numbered but Odoo never received (gaps in the sequence).",
    )
    last_seq = fields.Float(string="Last Sequence", digits=COUNTER_DIGITS, readonly=True)
    last_error = fields.Char(readonly=True, help="Why the last refused push was refused.")
    last_error_date = fields.Datetime(readonly=True)

    entity_ids = fields.One2many("ha.entity", "instance_id", string="Entities")
    entity_count = fields.Integer(compute="_compute_entity_count")

    @api.depends("uuid")
    def _compute_push_url(self):
        for instance in self:
            instance.push_url = (
                instance.get_base_url() + PUSH_PATH.format(uuid=instance.uuid)
                if instance.uuid
                else False
            )

    @api.depends("last_seen", "heartbeat_interval")
    def _compute_connected(self):
        now = fields.Datetime.now()
        for instance in self:
            instance.connected = bool(instance.last_seen) and (
                now - instance.last_seen
                < timedelta(seconds=CONNECTED_HEARTBEATS * instance.heartbeat_interval)
            )

    def _search_connected(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Unsupported search on Connected."))
        self.flush_model(["last_seen", "heartbeat_interval"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM ha_instance"
                " WHERE last_seen > %s - make_interval(secs => %s * heartbeat_interval)",
                fields.Datetime.now(),
                CONNECTED_HEARTBEATS,
            )
        )
        connected_ids = [row[0] for row in self.env.cr.fetchall()]
        wants_connected = (operator == "=") == bool(value)
        return [("id", "in" if wants_connected else "not in", connected_ids)]

    def _compute_entity_count(self):
        counts = self.env["ha.entity"]._count_by("instance_id", self)
        for instance in self:
            instance.entity_count = counts.get(instance, 0)

    # ------------------------------------------------------------------ push (PROTOCOL §3)

    @api.model
    def _find_by_uuid(self, uuid):
        """Return the (sudo) instance with this Home Assistant id, archived ones included.

        Elevated, so that a push can be verified before anyone is known and pairing finds
        the instance whoever owns it: callers check the right to act on it themselves (the
        signature, `_check_pairing_access`). An empty set when there is none.
        """
        if not UUID_PATTERN.match(uuid):
            return self.browse()
        return self.sudo().with_context(active_test=False).search([("uuid", "=", uuid)], limit=1)

    def _ingest_batch(self, payload):
        """Store one signed, decoded push batch (see `ingest.ingest_batch`); return the answer."""
        return ingest_batch(self, payload)

    def _lock_for_ingest(self):
        """Serialize the batches (and pairings) of one instance across workers and servers.

        Under Odoo's REPEATABLE READ isolation a concurrent batch that already committed makes
        this raise a serialization failure, which Odoo answers by retrying the whole request
        on a fresh snapshot.
        """
        self.env.cr.execute(
            SQL("SELECT id FROM ha_instance WHERE id = %s FOR NO KEY UPDATE", self.id),
            log_exceptions=False,  # an expected, retried serialization failure is no error
        )

    def _record_push_error(self, message):
        """Remember why a signed push was refused, for the administrator."""
        self.ensure_one()
        # The row lock first, as pairing does: a push committing meanwhile then fails this
        # quiet statement (and Odoo retries) rather than the logged UPDATE.
        self._lock_for_ingest()
        self.write({"last_error": message[:512], "last_error_date": fields.Datetime.now()})

    def action_test_connection(self):
        """Ping Home Assistant; show its version, the round trip and its outbox size."""
        self.ensure_one()
        result = self.env["ha.command"]._send(self, "ping", {})
        answer = result["answer"]
        return self._notification(
            self.env._("Connected to %s", self.name),
            self.env._(
                "Home Assistant %(version)s answered in %(latency)s ms; %(outbox)s events wait "
                "in its outbox.",
                version=answer.get("ha_version", "?"),
                latency=result["latency_ms"],
                outbox=answer.get("outbox", "?"),
            ),
        )

    def action_resync(self):
        """Ask Home Assistant for a full snapshot of states and registries."""
        self.ensure_one()
        self.env["ha.command"]._send(self, "resync", {})
        return self._notification(
            self.env._("Resync requested"),
            self.env._("Home Assistant “%s” is sending all its states and registries.", self.name),
        )

    def _notification(self, title, message, close_dialog=False):
        """A success notification (client action), closing the calling dialog if asked."""
        params = {"title": title, "message": message, "type": "success", "sticky": False}
        if close_dialog:
            params["next"] = {"type": "ir.actions.act_window_close"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def action_view_entities(self):
        """Open the instance's entities."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("home_assistant.action_ha_entity")
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"default_instance_id": self.id}
        return action
