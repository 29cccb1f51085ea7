"""Renaming, re-areaing and relabelling an entity or device in Home Assistant's registries.

Sends one `update_registry` command (docs/protocol.md §4) with what the user changed; HA's
registry events then bring the result back into Odoo.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError


class HaRegistryEdit(models.TransientModel):
    _name = "ha.registry.edit"
    _description = "Edit in Home Assistant's Registry"

    entity_id = fields.Many2one("ha.entity", ondelete="cascade")
    device_id = fields.Many2one("ha.device", ondelete="cascade")
    instance_id = fields.Many2one("ha.instance", compute="_compute_instance_id")
    name = fields.Char(help="Empty: Home Assistant's default name.")
    area_id = fields.Many2one(
        "ha.area", domain="[('instance_id', '=', instance_id)]", help="Empty: no area."
    )
    label_ids = fields.Many2many(
        "ha.label",
        "ha_registry_edit_label_rel",
        "edit_id",
        "label_id",
        string="Labels",
        domain="[('instance_id', '=', instance_id)]",
    )

    @api.depends("entity_id", "device_id")
    def _compute_instance_id(self):
        for edit in self:
            edit.instance_id = edit.entity_id.instance_id or edit.device_id.instance_id

    @api.model
    def default_get(self, fields_list):
        """Start from what Odoo knows of the entity or device."""
        values = super().default_get(fields_list)
        entity = self.env["ha.entity"].browse(values.get("entity_id"))
        device = self.env["ha.device"].browse(values.get("device_id"))
        record = entity or device
        if record:
            values.update(
                name=record.name,
                area_id=(entity.own_area_id if entity else device.area_id).id,
                label_ids=[fields.Command.set(record.label_ids.ids)],
            )
        return values

    def _changes(self):
        """The command's `name`, `area_id` and `labels`, for what differs from the record."""
        self.ensure_one()
        record = self.entity_id or self.device_id
        area = self.entity_id.own_area_id if self.entity_id else self.device_id.area_id
        changes = {}
        if (self.name or False) != (record.name or False):
            changes["name"] = self.name or None
        if self.area_id != area:
            changes["area_id"] = self.area_id.ha_area_id or None
        if set(self.label_ids.ids) != set(record.label_ids.ids):
            changes["labels"] = sorted(self.label_ids.mapped("ha_label_id"))
        return changes

    def action_send(self):
        """Send the changes to Home Assistant (only Home Assistant administrators have the
        wizard: its access rights)."""
        self.ensure_one()
        if not self.entity_id and not self.device_id:
            raise UserError(self.env._("Choose the entity or the device to edit."))
        changes = self._changes()
        if not changes:
            raise UserError(self.env._("Nothing to send: no value was changed."))
        target = (
            {"entity_id": self.entity_id.entity_id}
            if self.entity_id
            else {"device_id": self.device_id.ha_device_id}
        )
        self.env["ha.command"]._send(self.instance_id, "update_registry", target | changes)
        return self.instance_id._notification(
            self.env._("Sent to Home Assistant"),
            self.env._(
                "Home Assistant “%s” applies the change; Odoo shows it when its registry "
                "update arrives.",
                self.instance_id.name,
            ),
            close_dialog=True,
        )
