"""Odoo's inline template rendering (`{{ object.name }}`) for the data of Home Assistant actions."""

from odoo import api, models


class HaTemplateRenderer(models.AbstractModel):
    _name = "ha.template.renderer"
    _inherit = ["mail.render.mixin"]
    _description = "Home Assistant Action Data Rendering"
    # Like mail templates: only Settings administrators write server actions, so any
    # expression is allowed; it still runs in safe_eval, as the user the action runs for.
    _unrestricted_rendering = True

    @api.model
    def _render_value(self, value, record):
        """`value` (JSON data) with every string holding `{{ … }}` rendered on `record`."""
        if isinstance(value, dict):
            return {key: self._render_value(item, record) for key, item in value.items()}
        if isinstance(value, list):
            return [self._render_value(item, record) for item in value]
        if isinstance(value, str) and "{{" in value:
            rendered = self._render_template(
                value, record._name, record.ids, engine="inline_template"
            )
            return str(rendered[record.id])
        return value
