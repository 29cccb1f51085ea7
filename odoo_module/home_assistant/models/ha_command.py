"""The audit log of commands Odoo sent to Home Assistant: who, what, when, result, latency."""

import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.command_client import (
    CODE_BAD_ANSWER,
    CODE_TIMEOUT,
    CODE_UNREACHABLE,
)
from odoo.addons.home_assistant.signing import (
    CODE_STALE_TIMESTAMP,
    CODE_UNAUTHORIZED,
    TIMESTAMP_WINDOW_SECONDS,
)
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Days the audit log keeps a command; 0 keeps them forever. A system parameter, so that
# only Settings administrators, not the Home Assistant administrators it audits, change it.
RETENTION_PARAMETER = "home_assistant.command_retention_days"
DEFAULT_RETENTION_DAYS = 90
# Rows deleted per autovacuum run; when more are due, autovacuum is triggered again.
PURGE_CHUNK_SIZE = 10_000

REDACTED = "**REDACTED**"
# Keys of service data whose values are credentials (lock and alarm codes, PINs,
# passwords, tokens): the audit log keeps that they were sent, not what.
SECRET_KEYS = frozenset({"code", "pin", "passcode", "password", "token", "secret", "api_key"})
SECRET_KEY_PARTS = ("password", "passcode", "token", "secret", "api_key", "apikey")

COMMAND_TYPES = [
    ("call_service", "Service Call"),
    ("ping", "Ping"),
    ("resync", "Resync"),
    ("history", "History Backfill"),
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
    instance_id = fields.Many2one(
        "ha.instance", string="Instance", required=True, readonly=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users", string="User", required=True, readonly=True, index=True, ondelete="cascade"
    )
    command_type = fields.Selection(COMMAND_TYPES, string="Type", required=True, readonly=True)
    domain = fields.Char(readonly=True, help="Service domain, e.g. light.")
    service = fields.Char(readonly=True, help="Service, e.g. turn_on.")
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

    @api.depends("domain", "service")
    def _compute_service_name(self):
        for command in self:
            command.service_name = (
                f"{command.domain}.{command.service}"
                if command.domain and command.service
                else False
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
    def _record_sent(self, instance, user, command):
        """Log a command as pending before it leaves; return the log row's id.

        Written and committed in a transaction of its own, like the outcome: the caller's
        transaction is rolled back when the command fails, and the failure must stay logged.
        Secret-like service data (codes, passwords, tokens) is kept as `**REDACTED**`.
        """
        values = {
            "command_uuid": command["id"],
            "instance_id": instance.id,
            "user_id": user.id,
            "command_type": command["type"],
        }
        if command["type"] == "call_service":
            values.update(
                domain=command["domain"],
                service=command["service"],
                target=redact(command["target"]),
                data=redact(command["data"]),
            )
        else:
            values["data"] = {
                key: value
                for key, value in command.items()
                if key not in ("v", "id", "type", "user")
            }
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            return env["ha.command"].create(values).id

    @api.model
    def _record_answer(self, command_id, answer):
        """Record a command's outcome, in a transaction of its own."""
        values = {
            "state": "ok" if answer.ok else "error",
            "http_status": answer.http_status,
            "answer": _redacted_answer(answer.body),
            "error_code": answer.code,
            "error_message": answer.message,
            "latency_ms": answer.latency_ms,
            "clock_offset_seconds": answer.clock_offset_seconds,
        }
        # `env` stays referenced until the commit: a transaction only flushes live environments.
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            env["ha.command"].browse(command_id).write(values)

    @api.autovacuum
    def _gc_expired_commands(self):
        """Delete commands older than the retention, in bounded chunks."""
        days = self._retention_days()
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

    @api.model
    def _retention_days(self):
        """The audit log's retention in days (0: forever), the default when not a number."""
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAMETER)
        try:
            days = int(value)
        except (TypeError, ValueError):
            days = -1
        if days < 0:
            if value:
                _logger.warning(
                    "System parameter %s is not a number of days (%r): keeping commands %d days",
                    RETENTION_PARAMETER,
                    value[:32],
                    DEFAULT_RETENTION_DAYS,
                )
            return DEFAULT_RETENTION_DAYS
        return days

    @api.model
    def _subject(self, command):
        """What a command does, in words for messages: `light.turn_on` or the command's name."""
        if command["type"] == "call_service":
            return f"{command['domain']}.{command['service']}"
        return dict(self._fields["command_type"]._description_selection(self.env))[command["type"]]

    @api.model
    def _error(self, instance, subject, answer):
        """The `UserError` telling the user why `answer` is a failure, in their language."""
        _ = self.env._
        context = {"instance": instance.name, "subject": subject}
        if answer.code == CODE_STALE_TIMESTAMP:
            return UserError(self._clock_message(instance, answer.clock_offset_seconds))
        details = answer.message or ""
        messages = {
            CODE_UNREACHABLE: _(
                "Home Assistant “%(instance)s” cannot be reached at %(address)s. Check that it "
                "is running and that Odoo can reach that address.",
                address=instance._command_address_label(),
                **context,
            ),
            CODE_TIMEOUT: _(
                "Home Assistant “%(instance)s” did not finish %(subject)s in time. It may still "
                "complete: check the device's state before trying again.",
                **context,
            ),
            "too_large": _(
                "The command is too large for Home Assistant (at most 1 MiB).",
            ),
            CODE_BAD_ANSWER: _(
                "Home Assistant “%(instance)s” did not answer like the Odoo integration "
                "(HTTP status %(status)s). The integration may be disabled or removed there, "
                "or its webhook changed: pair Home Assistant again.",
                status=answer.http_status or "-",
                **context,
            ),
            CODE_UNAUTHORIZED: _(
                "Home Assistant “%(instance)s” refused the command's signature. Pair it again "
                "(in Home Assistant: Settings > Devices & services > Odoo > Reconfigure) and "
                "check that both computers' clocks are right.",
                **context,
            ),
            "not_allowed": _(
                "Home Assistant “%(instance)s” does not allow Odoo to call %(subject)s. A Home "
                "Assistant administrator can allow it in the Odoo integration's options "
                "(“Services Odoo may call”). Home Assistant says: %(details)s",
                details=details,
                **context,
            ),
            "invalid": _(
                "Home Assistant “%(instance)s” refused the data of %(subject)s: %(details)s",
                details=details,
                **context,
            ),
            "unsupported_version": _(
                "Home Assistant “%(instance)s” speaks another protocol version: update the Odoo "
                "integration in Home Assistant and this module. Home Assistant says: %(details)s",
                details=details,
                **context,
            ),
            "unknown_service": _(
                "Home Assistant “%(instance)s” has no service %(subject)s (is the integration "
                "providing it loaded?).",
                **context,
            ),
            "too_many_requests": _(
                "Home Assistant “%(instance)s” is receiving too many commands; try again in a "
                "moment.",
                **context,
            ),
            "service_failed": _(
                "%(subject)s failed in Home Assistant “%(instance)s”: %(details)s",
                details=details,
                **context,
            ),
        }
        message = messages.get(answer.code) or _(
            "Home Assistant “%(instance)s” refused %(subject)s (%(code)s): %(details)s",
            code=answer.code,
            details=details,
            **context,
        )
        return UserError(message)

    @api.model
    def _clock_message(self, instance, offset):
        """Why Home Assistant refused a command's timestamp, naming the clocks' difference."""
        context = {"instance": instance.name, "window": TIMESTAMP_WINDOW_SECONDS}
        if offset is None:
            return self.env._(
                "The clocks of Odoo and Home Assistant “%(instance)s” differ by more than "
                "%(window)s seconds, so Home Assistant refused the command. Set both "
                "computers' clocks right (e.g. with NTP) and try again.",
                **context,
            )
        if offset > 0:
            return self.env._(
                "The clocks of Odoo and Home Assistant “%(instance)s” differ: Home Assistant's "
                "clock is %(seconds)s seconds ahead of Odoo's, and it refuses commands more "
                "than %(window)s seconds away from its own time. Set both computers' clocks "
                "right (e.g. with NTP) and try again.",
                seconds=offset,
                **context,
            )
        return self.env._(
            "The clocks of Odoo and Home Assistant “%(instance)s” differ: Home Assistant's "
            "clock is %(seconds)s seconds behind Odoo's, and it refuses commands more than "
            "%(window)s seconds away from its own time. Set both computers' clocks right "
            "(e.g. with NTP) and try again.",
            seconds=-offset,
            **context,
        )


def redact(value):
    """`value` (JSON data) with the values of secret-like keys replaced, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED if _is_secret_key(key) else redact(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def _redacted_answer(body):
    """HA's answer with its service `response` redacted; the protocol's own keys (the error
    `code` among them) kept as they are."""
    if not isinstance(body, dict) or body.get("response") is None:
        return body
    return {**body, "response": redact(body["response"])}


def _is_secret_key(key):
    name = str(key).lower()
    return name in SECRET_KEYS or any(part in name for part in SECRET_KEY_PARTS)
