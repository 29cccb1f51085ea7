"""Every model notes the changes of its records that active Home Assistant figures count."""

from odoo import api, models


class Base(models.AbstractModel):
    # Rather than patching the watched models in `_register_hook` as base_automation does:
    # base_automation's `_unregister_hook` deletes every model's patched create/write/unlink.
    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self._note_figure_change()
        return records

    def write(self, vals):
        result = super().write(vals)
        self._note_figure_change()
        return result

    def unlink(self):
        self._note_figure_change()
        return super().unlink()

    def _note_figure_change(self):
        """Mark the instances whose figures count this model's records (one cached lookup)."""
        if not self.pool.ready or "ha.figure" not in self.pool:
            return
        instance_ids = self.env["ha.figure"]._watched_models().get(self._name)
        if instance_ids:
            self.env["ha.figure"]._mark_changed(instance_ids)
