"""Commands code sends to a Home Assistant instance (docs/protocol.md §4): services, events.

For administrators and code running as superuser; users go through the entity controls.
"""

from odoo import models
from odoo.exceptions import AccessError

from ..fire_event import event_payload
from .ha_figure_change import send_figures


class HaInstanceCommands(models.Model):
    _inherit = "ha.instance"

    def call_service(self, domain, service, target=None, data=None, return_response=False):
        """Call any Home Assistant service with any target and data; return HA's answer.

        For Home Assistant administrators (and code running as superuser) only: users reach
        devices through the entity controls (`ha.entity.call_entity_service`), which call
        one checked service on one entity they can read. Returns `{"ok": True,
        "command_id", "latency_ms", "response"}` (`response` is the service's response when
        `return_response` is true). Every failure raises a translated `UserError` and is
        kept in the `ha.command` audit log; a caller without the right to command this
        instance gets an `AccessError` and nothing is sent.
        """
        self.ensure_one()
        if not self.env.su and not self._is_home_assistant_manager():
            raise AccessError(
                self.env._(
                    "Only Home Assistant administrators may call any service; use the "
                    "controls of an entity instead."
                )
            )
        return self.env["ha.command"]._call_service(
            self, domain, service, target, data, return_response
        )

    def fire_event(self, event_type, data=None):
        """Fire `event_type` (`odoo_…`) with `data` on Home Assistant's bus now; return the answer.

        For developers' code (automation rules use the server action type "Home Assistant",
        which fires after commit). Open to Home Assistant administrators and code running as
        superuser, like `call_service`. Returns `{"ok": True, "command_id", "latency_ms"}`;
        a bad type or data is a `ValidationError` and nothing is sent, a failure in Home
        Assistant a `UserError` kept in the audit log.
        """
        self.ensure_one()
        if not self.env.su and not self._is_home_assistant_manager():
            raise AccessError(
                self.env._("Only Home Assistant administrators may fire Home Assistant events.")
            )
        payload = event_payload(self.env, event_type, data)
        result = self.env["ha.command"]._send(self, "fire_event", payload)
        return {"ok": True, "command_id": result["command_id"], "latency_ms": result["latency_ms"]}

    def _send_figures(self):
        """Send every figure of this instance to Home Assistant now; return whether it took them."""
        self.ensure_one()
        return send_figures(self.sudo())
