"""Commands sent once the transaction commits: automation actions and figures.

The audit row is written in the caller's transaction, the HTTP request in a post-commit hook
with a short timeout, so a rolled back save sends nothing and a slow Home Assistant never
raises into the user's save.
"""

import json
import logging
import uuid
from functools import partial

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import UserError

from ..audit import answer_values, audit_values, scrubbed_answer
from ..command_client import CODE_TIMEOUT, CODE_UNREACHABLE, send_command
from ..command_messages import error_message

_logger = logging.getLogger(__name__)

# A command sent after commit (automation actions, figures) waits this (connect, read) pair
# of seconds at most: it holds the saving user's request, which must not wait for HA's 10 s.
AFTER_COMMIT_TIMEOUT = (2, 4)
# The audit log's code for a command refused before it left (its data, a missing pairing).
CODE_NOT_SENT = "not_sent"
# Where a transaction keeps the commands it sends once it commits (`cr.postcommit.data`).
AFTER_COMMIT_KEY = "home_assistant.after_commit"


class HaCommandAfterCommit(models.Model):
    _inherit = "ha.command"

    @api.model
    def _send_after_commit(self, instance, command_type, payload, server_action=None):
        """Log a command to `instance` as pending now and send it once the transaction commits.

        The audit row is written in the caller's transaction: a rolled back transaction (or
        savepoint) leaves no row, and nothing is sent. The send happens in a post-commit
        hook with a short timeout; what goes wrong there is kept on the row (and in the
        server action's log), never raised. A command that cannot be built is logged as
        failed at once. Returns the audit row.
        """
        instance = instance.sudo()
        try:
            command, body = self._build(instance, command_type, payload)
        except UserError as error:  # ValidationError among them
            return self._record_not_sent(instance, command_type, str(error), server_action)
        row = self.sudo().create(
            {
                **audit_values(instance, self.env.user, command),
                "server_action_id": server_action.id if server_action else False,
            }
        )
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(AFTER_COMMIT_KEY)
        if pending is None:
            pending = postcommit.data[AFTER_COMMIT_KEY] = []
            postcommit.add(partial(_send_committed, self.env.registry, pending))
        pending.append((row.id, body))
        return row

    @api.model
    def _record_not_sent(self, instance, command_type, message, server_action=None):
        """Log, in the current transaction, a command that could not even be built; return it."""
        row = self.sudo().create(
            {
                "command_uuid": uuid.uuid4().hex,
                "instance_id": instance.id,
                "user_id": self.env.uid,
                "command_type": command_type,
                "server_action_id": server_action.id if server_action else False,
                "state": "error",
                "error_code": CODE_NOT_SENT,
                "error_message": message,
            }
        )
        row._log_failure(message)
        return row

    def _deliver(self, body, failed_instances):
        """Send the committed pending command (sudo) `body`; record the outcome on its row.

        After an instance did not answer in time or could not be reached, its further
        commands of the same transaction are not tried: each would hold the user as long.
        """
        self.ensure_one()
        instance = self.instance_id
        if self.state != "pending" or not instance.active or not self._endpoint(instance):
            return
        answer = failed_instances.get(instance.id)
        if answer is None:
            answer = send_command(
                self._endpoint(instance), instance.secret, body, AFTER_COMMIT_TIMEOUT
            )
            answer = scrubbed_answer(answer, json.loads(body))
            if answer.code in (CODE_TIMEOUT, CODE_UNREACHABLE):
                failed_instances[instance.id] = answer
        self.write(answer_values(answer))
        _logger.info(
            "Command %s (%s) to Home Assistant instance %s after commit: %s in %d ms",
            self.command_uuid,
            self.command_type,
            instance.uuid,
            "ok" if answer.ok else answer.code,
            answer.latency_ms,
        )
        if not answer.ok:
            message = error_message(
                instance.name,
                self._address_label(instance),
                self.service_name or self.command_type,
                answer,
                self.command_type,
            )
            self._log_failure(str(message))

    def _log_failure(self, message):
        """Keep why this (sudo) command failed in its server action's log (`ir.logging`)."""
        _logger.warning(
            "Command %s to Home Assistant instance %s failed: %s",
            self.command_uuid,
            self.instance_id.uuid,
            self.error_code,
        )
        action = self.server_action_id
        if not action:
            return
        self.env["ir.logging"].sudo().create(
            {
                "name": action.name,
                "type": "server",
                "dbname": self.env.cr.dbname,
                "level": "WARNING",
                "path": f"ir.actions.server({action.id})",
                "func": "home_assistant",
                "line": str(self.id),
                "message": self.env._(
                    "Home Assistant command %(command)s failed: %(message)s",
                    command=self.command_uuid,
                    message=message,
                ),
            }
        )


def _send_committed(registry, pending):
    """Post-commit hook: send the committed commands `pending` (audit id, bytes), in order.

    Each in a transaction of its own, as superuser (the row names the user); a row the
    transaction did not commit (a rolled back savepoint) is gone and sends nothing. Nothing
    here may raise: the user's save is done.
    """
    failed_instances = {}
    for command_id, body in pending:
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                command = env["ha.command"].browse(command_id).exists()
                if command:
                    command._deliver(body, failed_instances)
        except Exception:
            _logger.exception("Sending Home Assistant command %s after commit failed", command_id)
