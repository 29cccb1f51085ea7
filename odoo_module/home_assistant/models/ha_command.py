"""Commands Odoo sends to Home Assistant: sending them, and their audit log (who, what, result)."""

import json
import logging
import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .. import compat
from ..audit import answer_values, audit_values, scrubbed_answer
from ..command_client import send_command
from ..command_messages import error_message

_logger = logging.getLogger(__name__)

# Days the audit log keeps a command; 0 keeps them forever. A system parameter, so that
# only Settings administrators, not the Home Assistant administrators it audits, change it.
RETENTION_PARAMETER = "home_assistant.command_retention_days"
DEFAULT_RETENTION_DAYS = 90
# Rows deleted per autovacuum run; when more are due, autovacuum is triggered again.
PURGE_CHUNK_SIZE = 10_000

SERVICE_PART_PATTERN = re.compile(r"^[a-z0-9_]{1,64}$")
COMMAND_TYPES = [
    ("call_service", "Service Call"),
    ("fire_event", "Event"),
    ("figures", "Figures"),
    ("ping", "Ping"),
    ("resync", "Resync"),
    ("history", "History Backfill"),
    ("update_registry", "Registry Edit"),
    ("camera_snapshot", "Camera Snapshot"),
    # Audit rows only, never sent: entities shared with a user, and the share ended.
    ("share", "Share"),
    ("share_revoked", "Share Revoked"),
]


@compat.sql_constraints(
    ("command_uuid_unique", "UNIQUE(command_uuid)", "A command id is used only once."),
)
class HaCommand(models.Model):
    _name = "ha.command"
    _description = "Home Assistant Command"
    _order = "create_date desc, id desc"
    _rec_name = "command_uuid"

    command_uuid = fields.Char(
        string="Command ID", required=True, readonly=True, index=True, help="The command's `id`."
    )
    instance_id = fields.Many2one("ha.instance", required=True, readonly=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="cascade"
    )
    command_type = fields.Selection(COMMAND_TYPES, string="Type", required=True, readonly=True)
    domain = fields.Char(readonly=True, help="Service domain, e.g. light.")
    service = fields.Char(readonly=True, help="Service, e.g. turn_on.")
    event_type = fields.Char(readonly=True, help="The event fired, e.g. odoo_rush_order.")
    server_action_id = fields.Many2one(
        "ir.actions.server",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The automation action that sent this command.",
    )
    share_id = fields.Many2one(
        "ha.share",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The share this row is about, or the command was sent through.",
    )
    shared_user_id = fields.Many2one(
        "res.users",
        string="Shared With",
        readonly=True,
        ondelete="set null",
        help="The user of the share, kept when the share is deleted.",
    )
    service_name = fields.Char(
        string="Called Service", compute="_compute_service_name", help="domain.service"
    )
    target = fields.Json(readonly=True)
    data = fields.Json(readonly=True, help="The command's data (service data or parameters).")
    state = fields.Selection(
        [("pending", "Pending"), ("ok", "Done"), ("error", "Failed")],
        string="Status",
        required=True,
        default="pending",
        readonly=True,
        index=True,
        help="Pending: sent, no answer recorded (Odoo stopped while waiting).",
    )
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    answer = fields.Json(readonly=True, help="Home Assistant's JSON answer.")
    target_text = fields.Text(string="Target (JSON)", compute="_compute_texts")
    data_text = fields.Text(string="Data (JSON)", compute="_compute_texts")
    answer_text = fields.Text(string="Answer (JSON)", compute="_compute_texts")
    error_code = fields.Char(readonly=True, index=True)
    error_message = fields.Text(readonly=True)
    latency_ms = fields.Integer(string="Latency (ms)", readonly=True)
    clock_offset_seconds = fields.Integer(
        string="Clock Difference (s)",
        readonly=True,
        help="How far Home Assistant's clock was ahead of Odoo's (negative: behind) when it "
        "refused the command's timestamp as stale.",
    )

    @api.depends("domain", "service", "event_type")
    def _compute_service_name(self):
        for command in self:
            command.service_name = (
                f"{command.domain}.{command.service}"
                if command.domain and command.service
                else command.event_type
            )

    @api.depends("target", "data", "answer")
    def _compute_texts(self):
        for command in self:
            for name in ("target", "data", "answer"):
                value = command[name]
                command[f"{name}_text"] = (
                    json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
                    if value
                    else False
                )

    @api.model
    def _record_sent(self, instance, user, command, share=None):
        """Log a command as pending before it leaves; return the log row's id.

        Written and committed in a transaction of its own, like the outcome: the caller's
        transaction is rolled back when the command fails, and the failure must stay logged.
        Secret-like service data (codes, passwords, tokens) is kept as `**REDACTED**`.
        """
        values = audit_values(instance, user, command, share)
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            return env["ha.command"].create(values).id

    @api.model
    def _record_answer(self, command_id, answer):
        """Record a command's outcome, in a transaction of its own."""
        values = answer_values(answer)
        # `env` stays referenced until the commit: a transaction only flushes live environments.
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            env["ha.command"].browse(command_id).write(values)

    # ------------------------------------------------------------------ sending (PROTOCOL §4)

    @api.model
    def _call_service(
        self, instance, domain, service, target=None, data=None, return_response=False, share=None
    ):
        """Send a `call_service` command as the current user; return the service's answer.

        For callers that decided what may be called themselves: the entity controls (through
        `share`, when a share allowed it), and `ha.instance.call_service` once it checked
        the caller is an administrator.
        """
        for part in (domain, service):
            if not isinstance(part, str) or not SERVICE_PART_PATTERN.match(part):
                raise ValidationError(
                    self.env._("A service is named by a domain and a service, e.g. light.turn_on.")
                )
        for value in (target, data):
            if value is not None and not isinstance(value, dict):
                raise ValidationError(self.env._("A service's target and data must be objects."))
        answer = self._send(
            instance,
            "call_service",
            {
                "domain": domain,
                "service": service,
                "target": target or {},
                "data": data or {},
                "return_response": bool(return_response),
            },
            share=share,
        )
        return {
            "ok": True,
            "command_id": answer["command_id"],
            "latency_ms": answer["latency_ms"],
            "response": answer["answer"].get("response"),
        }

    @api.model
    def _send(self, instance, command_type, payload, share=None):
        """Sign and send one command to `instance` now; return its audit id, latency and answer.

        Sent at once, not after commit: the user must see Home Assistant's answer. The call
        path writes nothing in the caller's transaction (the audit row has its own), so an
        entity action cannot be re-run by a serialization retry; code that calls this
        inside a transaction of its own which Odoo may retry can send a command twice,
        harmless for the idempotent services (turn_on, set_value …), not for toggle.
        """
        instance.ensure_one()
        self._check_command_access(instance)
        instance = instance.sudo()
        user = self.env.user
        command, body = self._build(instance, command_type, payload)
        command_id = self._record_sent(instance, user, command, share)
        answer = send_command(self._endpoint(instance), instance.secret, body)
        answer = scrubbed_answer(answer, command)
        self._record_answer(command_id, answer)
        _logger.info(
            "Command %s (%s) to Home Assistant instance %s by user %s: %s in %d ms",
            command["id"],
            command_type,
            instance.uuid,
            user.id,
            "ok" if answer.ok else answer.code,
            answer.latency_ms,
        )
        if not answer.ok:
            address = self._address_label(instance)
            message = error_message(
                instance.name, address, self._subject(command), answer, command_type
            )
            raise UserError(self.env._(message))
        return {"command_id": command_id, "latency_ms": answer.latency_ms, "answer": answer.body}

    @api.model
    def _check_command_access(self, instance):
        """Raise an `AccessError` unless the user may command `instance`.

        Members of *Home Assistant / User* allowed on the instance and Home Assistant
        administrators may (the read rules decide); code running as superuser may too.
        """
        if instance.env.su or instance.has_access("read"):
            return
        raise AccessError(
            self.env._("You are not allowed to send commands to this Home Assistant instance.")
        )

    # ------------------------------------------------------------------ retention

    @api.autovacuum
    def _gc_expired_commands(self):
        """Delete commands older than the retention, in bounded chunks."""
        days = retention_days(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAMETER))
        if not days:
            return
        limit = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(
            SQL(
                "DELETE FROM ha_command WHERE id IN ("
                " SELECT id FROM ha_command WHERE create_date < %s ORDER BY id LIMIT %s)",
                limit,
                PURGE_CHUNK_SIZE,
            )
        )
        purged = self.env.cr.rowcount
        if purged:
            _logger.info("Purged %d Home Assistant commands older than %d days", purged, days)
        if purged >= PURGE_CHUNK_SIZE:
            self.env.ref("base.autovacuum_job")._trigger()


def retention_days(value):
    """The audit log's retention in days (0: forever) from its system parameter's `value`.

    The default when the value is not a number of days.
    """
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if days >= 0:
        return days
    if value:
        _logger.warning(
            "System parameter %s is not a number of days (%r): keeping commands %d days",
            RETENTION_PARAMETER,
            value[:32],
            DEFAULT_RETENTION_DAYS,
        )
    return DEFAULT_RETENTION_DAYS
