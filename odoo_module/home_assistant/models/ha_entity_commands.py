"""What users do with an entity: call a service of its domain on it (dashboard, buttons)."""

from odoo import models
from odoo.exceptions import UserError

from ..entity_services import SERVICES, validate_service_data


class HaEntityCommands(models.Model):
    _inherit = "ha.entity"

    def call_entity_service(self, service, data=None):
        """Call `service` of the entity's domain on this entity, as the current user.

        The dashboard's entry point (`orm.call` on one record), open to every user who can
        read the entity. `data` is checked against the domain's services and the entity's
        attributes before anything is sent, and the target is this entity alone; then
        `ha.command._call_service` sends it (the raw `call_service` is for administrators).
        Returns `{"ok": True, "command_id", "latency_ms"}`, and for a service that answers
        with data (todo.get_items, weather.get_forecasts) `response`, this entity's part of
        Home Assistant's answer (e.g. `{"items": [...]}`); refusals are
        `ValidationError`/`UserError`, a user who may not see the entity or command its
        instance gets an `AccessError`.
        """
        self.ensure_one()
        self.check_access("read")
        return self._call_entity_service(service, data)

    def _call_entity_service(self, service, data=None, share=None):
        """`call_entity_service` once the caller may command the entity (through `share`,
        which the audit row then names)."""
        self.ensure_one()
        if not isinstance(service, str):
            raise UserError(self.env._("The service must be given by its name, e.g. turn_on."))
        data = validate_service_data(self.env, self.domain, service, self.attributes, data)
        if not self.active:
            raise UserError(
                self.env._("%s was removed from Home Assistant.", self.name or self.entity_id)
            )
        if not self.available:
            raise UserError(
                self.env._(
                    "%s is unavailable in Home Assistant; try again when it is back.",
                    self.name or self.entity_id,
                )
            )
        responds = SERVICES[self.domain][service].response
        result = self.env["ha.command"]._call_service(
            self.instance_id,
            self.domain,
            service,
            {"entity_id": [self.entity_id]},
            data,
            return_response=responds,
            share=share,
        )
        answer = {
            "ok": True,
            "command_id": result["command_id"],
            "latency_ms": result["latency_ms"],
        }
        if responds:
            # Home Assistant answers an entity service per entity id.
            response = result["response"]
            answer["response"] = (
                response.get(self.entity_id) if isinstance(response, dict) else None
            )
        return answer

    def action_call_service(self):
        """Call the service the button names in its context (`ha_service`) on every entity.

        The buttons of the views: one service without data per click, e.g.
        `context="{'ha_service': 'turn_on'}"`.
        """
        service = self.env.context.get("ha_service")
        for entity in self:
            entity.call_entity_service(service)
        return True
