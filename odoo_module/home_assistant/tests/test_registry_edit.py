"""`update_registry` (§4): renaming, re-areaing and relabelling from Odoo, and its refusals."""

from odoo.addons.home_assistant.tests.common import (
    area_event,
    device_event,
    entity_event,
    label_event,
)
from odoo.addons.home_assistant.tests.fake_home_assistant import (
    HomeAssistantCommandCase,
    error,
)
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged


@tagged("post_install", "-at_install")
class TestRegistryEdit(HomeAssistantCommandCase):
    def setUp(self):
        super().setUp()
        self.instance._ingest_batch(
            self.make_batch(
                [
                    area_event("kitchen", "Kitchen"),
                    area_event("hall", "Hall"),
                    label_event("safe", "Safe"),
                    label_event("night", "Night"),
                    {**device_event("d1", area_id="kitchen"), "labels": ["night"]},
                    {
                        **entity_event("light.kitchen", device_id="d1", name="Kitchen"),
                        "labels": ["night"],
                    },
                ]
            )
        )
        self.env.flush_all()
        self.light = self.entity("light.kitchen")
        self.device = self.light.device_id

    def edit(self, user=None, **target):
        """A wizard of `user` (the administrator) on `target` (the light by default)."""
        target = target or {"default_entity_id": self.light.id}
        wizard = self.env["ha.registry.edit"].with_user(user or self.administrator)
        return Form(wizard.with_context(**target))

    def label(self, ha_id):
        return self.env["ha.label"].search([("ha_label_id", "=", ha_id)])

    def area(self, ha_id):
        return self.env["ha.area"].search([("ha_area_id", "=", ha_id)])

    def test_an_entity_edit_sends_only_what_changed_and_is_audited(self):
        form = self.edit()
        self.assertEqual(form.name, "Kitchen")
        form.name = "Kitchen ceiling"
        form.area_id = self.area("hall")
        form.label_ids.add(self.label("safe"))
        form.save().action_send()
        [command] = self.sent()
        command.pop("id")
        self.assertEqual(
            command,
            {
                "v": 1,
                "type": "update_registry",
                "entity_id": "light.kitchen",
                "name": "Kitchen ceiling",
                "area_id": "hall",
                "labels": ["night", "safe"],
                "user": {"login": "ha_command_administrator", "name": "Joe Administrator"},
            },
        )
        [row] = self.audit_log()
        self.assertEqual((row.command_type, row.state), ("update_registry", "ok"))
        self.assertEqual(row.data["entity_id"], "light.kitchen")

    def test_a_device_edit_clears_the_area_and_resets_the_name(self):
        form = self.edit(default_device_id=self.device.id)
        form.name = ""
        form.area_id = self.env["ha.area"]
        form.save().action_send()
        [command] = self.sent()
        self.assertEqual(
            {key: command[key] for key in ("device_id", "name", "area_id")},
            {"device_id": "d1", "name": None, "area_id": None},
        )
        self.assertNotIn("labels", command)
        self.assertNotIn("entity_id", command)

    def test_nothing_changed_sends_nothing(self):
        with self.assertRaisesRegex(UserError, "Nothing to send"):
            self.edit().save().action_send()
        self.assertFalse(self.sent())

    def test_only_home_assistant_administrators_may_edit(self):
        with self.assertRaises(AccessError):
            self.env["ha.registry.edit"].with_user(self.member).create(
                {"entity_id": self.light.id, "name": "Renamed"}
            )
        self.assertFalse(self.sent())
        self.assertFalse(self.audit_log())

    def test_a_refusal_names_the_home_assistant_option_and_is_audited(self):
        self.home_assistant.script = error(
            403, "not_allowed", "Registry edits are not allowed (allow_registry_edits is off)"
        )
        form = self.edit()
        form.name = "Kitchen ceiling"
        wizard = form.save()
        with self.assert_raises_keeping_writes(UserError) as refusal:
            wizard.action_send()
        self.assertIn("Allow Odoo to rename and re-area", str(refusal.exception))
        self.assertIn("does not allow Odoo to edit its registry", str(refusal.exception))
        [row] = self.audit_log()
        self.assertEqual((row.state, row.error_code), ("error", "not_allowed"))
        self.assertEqual(self.light.name, "Kitchen", "Odoo changes nothing itself")

    def test_an_unknown_area_refused_as_invalid_is_reported(self):
        self.home_assistant.script = error(400, "invalid", "Unknown area hall")
        form = self.edit()
        form.area_id = self.area("hall")
        with self.assert_raises_keeping_writes(UserError) as refusal:
            form.save().action_send()
        self.assertIn("Unknown area hall", str(refusal.exception))
