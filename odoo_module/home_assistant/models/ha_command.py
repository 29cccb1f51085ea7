"""The audit log of commands Odoo sent to Home Assistant: who, what, when, result, latency."""

import json

from odoo import api, fields, models
from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.command_client import (
    CODE_BAD_ANSWER,
    CODE_TIMEOUT,
    CODE_UNREACHABLE,
)
from odoo.exceptions import UserError

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
                target=command["target"],
                data=command["data"],
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
            "answer": answer.body,
            "error_code": answer.code,
            "error_message": answer.message,
            "latency_ms": answer.latency_ms,
        }
        # `env` stays referenced until the commit: a transaction only flushes live environments.
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            env["ha.command"].browse(command_id).write(values)

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
            "unauthorized": _(
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
