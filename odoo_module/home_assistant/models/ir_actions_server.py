"""The server action type "Home Assistant": automation rules call a service or fire an event."""

import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..entity_services import SERVICES, validate_service_data
from ..fire_event import check_event_type, event_payload

COMMAND_KINDS = [("service", "Call a Service"), ("event", "Fire an Event")]


# Every `domain.service` Odoo offers on entities (the `SERVICES` table), but those that
# answer with data: an automation action has nobody to hand the answer to.
SERVICE_CHOICES = [
    (f"{domain}.{service}", f"{domain}.{service}")
    for domain in sorted(SERVICES)
    for service in sorted(SERVICES[domain])
    if not SERVICES[domain][service].response
]
# An alarm code is typed by a person for one command; an action would keep it in its data.
UNSTORED_FIELDS = {"alarm_control_panel": frozenset({"code"})}


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[("home_assistant", "Home Assistant")],
        ondelete={"home_assistant": "cascade"},
    )
    ha_instance_id = fields.Many2one(
        "ha.instance",
        string="Home Assistant Instance",
        ondelete="restrict",
        help="The Home Assistant the action sends its command to.",
    )
    ha_command_kind = fields.Selection(
        COMMAND_KINDS,
        string="Home Assistant Command",
        default="service",
        help="Call a service on entities of the instance, or fire an event on its bus that "
        "Home Assistant automations trigger on.",
    )
    ha_service = fields.Selection(
        SERVICE_CHOICES,
        string="Service",
        help="The service to call on the target entities, e.g. light.turn_on. Home Assistant "
        "also checks it against its own allow-list (the integration's options).",
    )
    ha_service_domain = fields.Char(compute="_compute_ha_service_domain")
    ha_entity_ids = fields.Many2many(
        "ha.entity",
        "ir_act_server_ha_entity_rel",
        "action_id",
        "entity_id",
        string="Target Entities",
        help="Entities of the instance, of the service's domain.",
    )
    ha_event_type = fields.Char(
        string="Event Type",
        help="The event fired in Home Assistant: odoo_ followed by lowercase letters, digits "
        "or underscores, e.g. odoo_rush_order.",
    )
    ha_data = fields.Text(
        string="Data",
        default="{}",
        help="A JSON object: the service data or the event data. Text values may use the "
        'record\'s fields as placeholders, e.g. {"order": "{{ object.name }}"}.',
    )
    ha_command_ids = fields.One2many(
        "ha.command", "server_action_id", string="Home Assistant Commands"
    )

    @api.depends("ha_service")
    def _compute_ha_service_domain(self):
        for action in self:
            action.ha_service_domain = (
                action.ha_service.split(".")[0] if action.ha_service else False
            )

    @api.constrains(
        "state",
        "ha_instance_id",
        "ha_command_kind",
        "ha_service",
        "ha_entity_ids",
        "ha_event_type",
        "ha_data",
    )
    def _check_home_assistant(self):
        """Refuse an action Home Assistant would refuse: every rule checked on save."""
        for action in self.filtered(lambda action: action.state == "home_assistant"):
            if not action.ha_instance_id:
                raise ValidationError(self.env._("Choose the Home Assistant instance."))
            data = action._ha_template_data()
            if action.ha_command_kind == "event":
                check_event_type(self.env, action.ha_event_type)
                continue
            action._check_ha_service(data)

    def _check_ha_service(self, data):
        """Refuse a missing service and targets outside the instance or the domain.

        A service Odoo does not offer is not a value of the selection: the ORM refuses it.
        """
        if not self.ha_service:
            raise ValidationError(self.env._("Choose the service to call."))
        domain, service = self.ha_service.split(".")
        entities = self.sudo().ha_entity_ids
        if not entities:
            raise ValidationError(self.env._("Choose the entities the service acts on."))
        outside = entities.filtered(
            lambda entity: entity.instance_id != self.ha_instance_id or entity.domain != domain
        )
        if outside:
            raise ValidationError(
                self.env._(
                    "The targets of %(service)s must be %(domain)s entities of Home Assistant "
                    "“%(instance)s”, not %(entities)s.",
                    service=self.ha_service,
                    domain=domain,
                    instance=self.ha_instance_id.name,
                    entities=", ".join(outside.mapped("entity_id")),
                )
            )
        if UNSTORED_FIELDS.get(domain, frozenset()) & set(data):
            raise ValidationError(
                self.env._(
                    "An alarm code is never stored in Odoo: arm or disarm panels that need a "
                    "code from the dashboard, where it is typed for each command."
                )
            )
        unknown = sorted(set(data) - set(SERVICES[domain][service].fields))
        if unknown:
            raise ValidationError(
                self.env._(
                    "%(service)s takes no %(fields)s.",
                    service=self.ha_service,
                    fields=", ".join(unknown),
                )
            )

    def _ha_template_data(self):
        """The action's data as JSON, placeholders not rendered; raise unless it is an object."""
        try:
            data = json.loads(self.ha_data or "{}")
        except ValueError as error:
            raise ValidationError(
                self.env._("The data of a Home Assistant action must be JSON: %s", error)
            ) from error
        if not isinstance(data, dict):
            raise ValidationError(
                self.env._("The data of a Home Assistant action must be a JSON object.")
            )
        return data

    def _run_action_home_assistant(self, eval_context=None):
        """Queue the action's command for after the commit; a failure goes to its audit row.

        The data is rendered as the user the action runs for (not the sudo action), so the
        placeholders read what that user may read.
        """
        record = self.env[self.model_id.model].browse(self.env.context.get("active_id"))
        if not record:
            return False
        kind = "call_service" if self.ha_command_kind == "service" else "fire_event"
        commands = self.env["ha.command"]
        try:
            payload = self._ha_payload(record.sudo(False))
        except (UserError, SyntaxError) as error:  # ValidationError, AccessError among them
            commands._record_not_sent(self.ha_instance_id, kind, str(error), self)
            return False
        commands._send_after_commit(self.ha_instance_id, kind, payload, self)
        return False

    def _ha_payload(self, record):
        """The command's fields for `record`: rendered data, checked like Home Assistant does."""
        renderer = self.env["ha.template.renderer"].sudo(False)
        data = renderer._render_value(self._ha_template_data(), record)
        if self.ha_command_kind == "event":
            return event_payload(self.env, self.ha_event_type, data)
        domain, service = self.ha_service.split(".")
        entities = self.sudo().ha_entity_ids
        for entity in entities:
            data = validate_service_data(self.env, domain, service, entity.attributes, data)
        return {
            "domain": domain,
            "service": service,
            "target": {"entity_id": entities.mapped("entity_id")},
            "data": data,
            "return_response": False,
        }
