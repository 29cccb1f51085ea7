"""What a command to Home Assistant is and where it goes: its envelope, bytes and address.

Kept beside `ha.command`'s sending and audit log (ha_command.py) and its after-commit
sending (ha_command_after_commit.py), which both build commands here.
"""

import uuid

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from ..command_client import encode_command
from ..signing import COMMAND_PATH, MAX_COMMAND_BYTES, PROTOCOL_VERSION


class HaCommandEnvelope(models.Model):
    _inherit = "ha.command"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _build(self, instance, command_type, payload):
        """The command to `instance` as the current user, and its bytes; raise when it cannot go.

        A `UserError` when the (sudo) instance is archived or has no pairing, a
        `ValidationError` when the command is no JSON or too large.
        """
        if not instance.active:
            raise UserError(
                self.env._("Home Assistant “%s” is archived: it was unpaired.", instance.name)
            )
        if not self._endpoint(instance) or not instance.secret:
            raise UserError(
                self.env._(
                    "Home Assistant “%s” has no pairing secret or address (as in a neutralized "
                    "copy of the database): pair it again from Home Assistant.",
                    instance.name,
                )
            )
        user = self.env.user
        command = {
            "v": PROTOCOL_VERSION,
            "id": uuid.uuid4().hex,
            "type": command_type,
            **payload,
            "user": {"login": user.login, "name": user.name},
        }
        try:
            body = encode_command(command)
        except ValueError as error:
            raise ValidationError(
                self.env._("The command's data cannot be sent as JSON: %s", error)
            ) from error
        if len(body) > MAX_COMMAND_BYTES:
            raise ValidationError(
                self.env._("The command is too large for Home Assistant (at most 1 MiB).")
            )
        return command, body

    @api.model
    def _endpoint(self, instance):
        """Where commands to `instance` go: its `command_url` if it has one, else its webhook."""
        instance = instance.sudo()
        if instance.command_url:
            return instance.command_url
        if instance.ha_url and instance.webhook_id:
            return instance.ha_url + COMMAND_PATH.format(webhook_id=instance.webhook_id)
        return False

    @api.model
    def _address_label(self, instance):
        """Where commands go, in words that reveal no webhook id (for error messages)."""
        if instance.sudo().command_url:
            return self.env._("its Home Assistant Cloud address")
        return instance.ha_url

    @api.model
    def _subject(self, command):
        """What a command does, in words for messages: `light.turn_on` or the command's name."""
        if command["type"] == "call_service":
            return f"{command['domain']}.{command['service']}"
        if command["type"] == "fire_event":
            return command["event_type"]
        return dict(self._fields["command_type"]._description_selection(self.env))[command["type"]]
