"""The server action type "Home Assistant": after commit, rendered data, refusals, failures."""

import json
from unittest.mock import patch

from odoo import Command
from odoo.addons.home_assistant.models import ha_command_after_commit
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase, error
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAutomationAction(HomeAssistantCommandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kitchen = cls._create_entity(cls.instance, "light.kitchen")
        cls.partner_model = cls.env["ir.model"]._get("res.partner")
        cls.partner = cls.env["res.partner"].create({"name": "Azure Interior"})

    @classmethod
    def _create_entity(cls, instance, entity_id, attributes=None):
        return (
            cls.env["ha.entity"]
            .sudo()
            .create(
                {
                    "instance_id": instance.id,
                    "entity_id": entity_id,
                    "state": "on",
                    "available": True,
                    "attributes": attributes or {},
                }
            )
        )

    def make_action(self, **values):
        """A "Home Assistant" server action on contacts firing odoo_new_contact by default."""
        return self.env["ir.actions.server"].create(
            {
                "name": "Tell Home Assistant",
                "model_id": self.partner_model.id,
                "state": "home_assistant",
                "ha_instance_id": self.instance.id,
                "ha_command_kind": "event",
                "ha_event_type": "odoo_new_contact",
                "ha_data": json.dumps({"contact": "{{ object.name }}", "floor": 2}),
                **values,
            }
        )

    def run_action(self, action, record=None):
        record = record or self.partner
        return action.with_context(
            active_model=record._name, active_id=record.id, active_ids=record.ids
        ).run()

    def commit(self):
        """What a commit does for these commands: flush, then run the post-commit hooks."""
        self.env.flush_all()
        self.env.cr.postcommit.run()
        self.env.invalidate_all()

    def test_an_event_action_fires_after_commit_with_the_record_rendered_in_its_data(self):
        action = self.make_action()
        self.run_action(action)
        self.assertFalse(self.home_assistant.received, "nothing leaves before the commit")
        [row] = self.audit_log()
        self.assertEqual(row.state, "pending")
        self.commit()
        [command] = self.sent()
        self.assertEqual(command["type"], "fire_event")
        self.assertEqual(command["event_type"], "odoo_new_contact")
        self.assertEqual(command["data"], {"contact": "Azure Interior", "floor": 2})
        self.assertEqual(command["user"]["login"], self.env.user.login)
        self.assertEqual(
            (row.state, row.command_type, row.event_type, row.service_name, row.server_action_id),
            ("ok", "fire_event", "odoo_new_contact", "odoo_new_contact", action),
        )
        self.assertEqual(row.data, {"contact": "Azure Interior", "floor": 2})
        self.assertEqual(action.ha_command_ids, row)

    def test_a_service_action_calls_the_service_on_its_targets(self):
        action = self.make_action(
            ha_command_kind="service",
            ha_service="light.turn_on",
            ha_entity_ids=[Command.set(self.kitchen.ids)],
            ha_data=json.dumps({"brightness_pct": 40}),
        )
        self.run_action(action)
        self.commit()
        [command] = self.sent()
        self.assertEqual(
            (command["type"], command["domain"], command["service"]),
            ("call_service", "light", "turn_on"),
        )
        self.assertEqual(command["target"], {"entity_id": ["light.kitchen"]})
        self.assertEqual(command["data"], {"brightness_pct": 40})
        self.assertEqual(self.audit_log().state, "ok")

    def test_an_automation_rule_runs_the_action_when_a_record_is_created(self):
        # Someone who edits contacts, neither a Home Assistant user nor an administrator.
        sales = self._create_user(
            "ha_action_sales", groups="base.group_user,base.group_partner_manager"
        )
        automation = self.env["base.automation"].create(
            {
                "name": "New contact to Home Assistant",
                "model_id": self.partner_model.id,
                "trigger": "on_create",
            }
        )
        automation.action_server_ids = [Command.link(self.make_action().id)]
        self.env["res.partner"].with_user(sales).create({"name": "Deco Addict"})
        self.commit()
        [command] = self.sent()
        self.assertEqual(command["data"]["contact"], "Deco Addict")
        self.assertEqual(command["user"]["login"], sales.login)
        self.assertEqual(self.audit_log().user_id, sales)

    def test_a_rolled_back_transaction_sends_nothing(self):
        action = self.make_action()
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.run_action(action)
            self.env.flush_all()
            raise ZeroDivisionError
        self.commit()
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_a_home_assistant_not_answering_in_time_fails_the_row_not_the_save(self):
        self.home_assistant.delay = 1
        action = self.make_action()
        self.run_action(action)
        self.run_action(action)
        with patch.object(ha_command_after_commit, "AFTER_COMMIT_TIMEOUT", (2, 0.2)):
            self.commit()
        first, second = self.audit_log()
        self.assertEqual((first.state, first.error_code), ("error", "timeout"))
        # The second command of the same transaction does not hold the user again.
        self.assertEqual((second.state, second.error_code), ("error", "timeout"))
        self.assertEqual(len(self.home_assistant.received), 1)
        logs = (
            self.env["ir.logging"].sudo().search([("path", "=", f"ir.actions.server({action.id})")])
        )
        self.assertEqual(len(logs), 2)
        self.assertIn(first.command_uuid, logs[0].message + logs[1].message)

    def test_a_refusal_by_home_assistant_is_kept_on_the_row(self):
        self.home_assistant.script = error(403, "not_allowed", "Odoo may not call light.turn_on")
        action = self.make_action(
            ha_command_kind="service",
            ha_service="light.turn_on",
            ha_entity_ids=[Command.set(self.kitchen.ids)],
            ha_data="{}",
        )
        self.run_action(action)
        self.commit()
        row = self.audit_log()
        self.assertEqual(
            (row.state, row.error_code, row.http_status), ("error", "not_allowed", 403)
        )

    def test_data_too_large_after_rendering_is_logged_and_nothing_is_sent(self):
        self.partner.comment = "x" * 20000
        action = self.make_action(ha_data=json.dumps({"notes": "{{ object.comment }}"}))
        self.run_action(action)
        self.commit()
        self.assertFalse(self.home_assistant.received)
        row = self.audit_log()
        self.assertEqual((row.state, row.error_code), ("error", "not_sent"))
        self.assertIn("too large", row.error_message)

    def test_the_action_form_loads_with_the_services_odoo_offers(self):
        actions = self.env["ir.actions.server"]
        views = actions.get_views([(False, "form")])
        self.assertIn("ha_event_type", views["views"]["form"]["arch"])
        services = actions.fields_get(["ha_service"])["ha_service"]["selection"]
        self.assertIn(("light.turn_on", "light.turn_on"), [tuple(choice) for choice in services])

    def test_an_event_type_outside_the_odoo_namespace_is_refused_on_save(self):
        for event_type in ("rush_order", "odoo_", "odoo_Rush", "odoo_" + "x" * 60):
            with self.assertRaisesRegex(ValidationError, "starts with odoo_"):
                self.make_action(ha_event_type=event_type)
        with self.assertRaisesRegex(ValidationError, "Home Assistant's own event"):
            self.make_action(ha_event_type="odoo_command_received")

    def test_a_target_outside_the_instance_or_the_domain_is_refused_on_save(self):
        other = self._create_instance("ha-test-instance-0002", "Warehouse")
        for entity in (
            self._create_entity(other, "light.dock"),
            self._create_entity(self.instance, "switch.fan"),
        ):
            with self.assertRaisesRegex(
                ValidationError, "must be light entities of Home Assistant"
            ):
                self.make_action(
                    ha_command_kind="service",
                    ha_service="light.turn_on",
                    ha_entity_ids=[Command.set(entity.ids)],
                    ha_data="{}",
                )

    def test_a_service_odoo_does_not_offer_and_unknown_data_are_refused_on_save(self):
        with self.assertRaisesRegex(ValueError, "Wrong value .*homeassistant.restart"):
            self.make_action(
                ha_command_kind="service",
                ha_service="homeassistant.restart",
                ha_entity_ids=[Command.set(self.kitchen.ids)],
                ha_data="{}",
            )
        with self.assertRaisesRegex(ValidationError, "light.turn_on takes no volume"):
            self.make_action(
                ha_command_kind="service",
                ha_service="light.turn_on",
                ha_entity_ids=[Command.set(self.kitchen.ids)],
                ha_data=json.dumps({"volume": 3}),
            )
        with self.assertRaisesRegex(ValidationError, "must be a JSON object"):
            self.make_action(ha_data="[1, 2]")

    def test_fire_event_sends_now_for_administrators_and_refuses_bad_input(self):
        instance = self.instance.with_user(self.administrator)
        result = instance.fire_event("odoo_rush_order", {"order": "S00042", "amount": 1250.0})
        [command] = self.sent()
        self.assertEqual(command["data"], {"order": "S00042", "amount": 1250.0})
        self.assertEqual(result["command_id"], self.audit_log().id)
        with self.assertRaisesRegex(ValidationError, "starts with odoo_"):
            instance.fire_event("call_service")
        with self.assertRaisesRegex(ValidationError, "too large"):
            instance.fire_event("odoo_big", {"x": "y" * 16384})
        with self.assertRaises(AccessError):
            self.instance.with_user(self.member).fire_event("odoo_rush_order")
        self.assertEqual(len(self.home_assistant.received), 1)
