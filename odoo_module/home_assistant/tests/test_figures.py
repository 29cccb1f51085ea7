"""Odoo figures as Home Assistant sensors: computed as the paired user, sent after changes."""

from unittest.mock import patch

from odoo import Command
from odoo.addons.home_assistant.models import ha_figure_change
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase, error
from odoo.exceptions import ValidationError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestFigures(HomeAssistantCommandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The user Home Assistant paired as: a member of the instance, not an administrator.
        cls.instance.user_ids = [Command.set(cls.member.ids)]
        cls.warehouse = cls._create_instance("ha-test-instance-0002", "Warehouse")
        for instance, entity_id in (
            (cls.instance, "light.kitchen"),
            (cls.instance, "light.hall"),
            (cls.warehouse, "light.dock"),
        ):
            cls.env["ha.entity"].sudo().create({"instance_id": instance.id, "entity_id": entity_id})

    def make_figure(self, **values):
        return self.env["ha.figure"].create(
            {
                "name": "Lights",
                "instance_id": self.instance.id,
                "model_id": self.env["ir.model"]._get_id("ha.entity"),
                "domain": "[('domain', '=', 'light')]",
                "icon": "mdi:lightbulb",
                "unit": "lights",
                **values,
            }
        )

    def marked(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT instance_id FROM ha_figure_change")
        return {row[0] for row in self.env.cr.fetchall()}

    def run_cron(self):
        """Commit (as far as the marks go: a new transaction marks again), then run the cron."""
        self.env.flush_all()
        self.env.cr.precommit.data.clear()
        with patch.object(ha_figure_change.time, "sleep") as sleep:
            self.env["ha.figure.change"]._cron_send_figures()
        self.env.invalidate_all()
        return sleep

    def figures_sent(self):
        return [command for command in self.sent() if command["type"] == "figures"]

    def test_a_new_figure_is_sent_with_the_complete_set_computed_as_the_paired_user(self):
        figure = self.make_figure()
        self.assertEqual(self.marked(), {self.instance.id})
        self.run_cron()
        [command] = self.figures_sent()
        self.assertIs(command["complete"], True)
        # The paired user sees only its instance's lights, not the warehouse's dock.
        self.assertEqual(
            command["figures"],
            [
                {
                    "key": f"figure_{figure.id}",
                    "name": "Lights",
                    "value": 2,
                    "unit": "lights",
                    "icon": "mdi:lightbulb",
                    "state_class": "measurement",
                }
            ],
        )
        self.assertEqual(command["user"]["login"], self.member.login)
        self.assertEqual((figure.value, figure.value_known, figure.error), (2, True, False))
        self.assertEqual(self.audit_log().command_type, "figures")
        self.assertFalse(self.marked())
        self.run_cron()
        self.assertEqual(len(self.figures_sent()), 1, "nothing changed, nothing sent")

    def test_a_change_of_the_records_behind_a_figure_marks_and_triggers_the_send(self):
        self.make_figure()
        self.run_cron()
        self.env.cr.precommit.data.clear()
        cron = self.env.ref("home_assistant.ir_cron_ha_figures")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.env["ha.entity"].sudo().create(
            {"instance_id": self.instance.id, "entity_id": "light.porch"}
        )
        self.assertEqual(self.marked(), {self.instance.id})
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )
        self.env["res.partner"].create({"name": "Not counted"})
        self.assertEqual(self.marked(), {self.instance.id})
        self.run_cron()
        self.assertEqual(self.figures_sent()[-1]["figures"][0]["value"], 3)

    def test_many_changes_make_one_command_and_sends_wait_five_seconds(self):
        figure = self.make_figure()
        numeric_value = self.env["ir.model.fields"]._get("ha.entity", "numeric_value")
        self.make_figure(
            name="Average brightness", aggregate="avg", field_id=numeric_value.id, unit=False
        )
        for entity in self.env["ha.entity"].sudo().search([("instance_id", "=", self.instance.id)]):
            entity.numeric_value = 10
        sleep = self.run_cron()
        [command] = self.figures_sent()
        self.assertEqual([item["value"] for item in command["figures"]], [2, 10.0])
        sleep.assert_not_called()
        self.env.cr.precommit.data.clear()
        figure.unit = "bulbs"
        sleep = self.run_cron()
        [(wait,), _kwargs] = sleep.call_args
        self.assertTrue(0 < wait <= 5, wait)
        self.assertEqual(len(self.figures_sent()), 2)

    def test_a_removed_figure_is_sent_as_the_set_without_it(self):
        lights = self.make_figure()
        other = self.make_figure(name="All entities", domain="[]", icon=False)
        self.run_cron()
        self.env.cr.precommit.data.clear()
        lights.unlink()
        self.run_cron()
        last = self.figures_sent()[-1]
        self.assertEqual([item["key"] for item in last["figures"]], [f"figure_{other.id}"])
        self.env.cr.precommit.data.clear()
        other.unlink()
        self.run_cron()
        self.assertEqual(self.figures_sent()[-1]["figures"], [])

    def test_a_model_the_paired_user_cannot_read_is_refused_on_save(self):
        model = self.env["ir.model"]._get_id
        for values, message in (
            ({"model_id": model("ir.config_parameter"), "domain": "[]"}, "may not read"),
            ({"model_id": model("ha.command"), "domain": "[]"}, "cannot count"),
            ({"aggregate": "sum"}, "numeric field"),
            ({"icon": "ticket"}, "mdi:"),
        ):
            # Odoo's assertRaises rolls the refused record back, as a request would.
            with self.assertRaises(ValidationError) as refusal:
                self.make_figure(**values)
            self.assertIn(message, str(refusal.exception))
        self.assertFalse(self.env["ha.figure"].search([]))
        self.assertFalse(self.marked())

    def test_access_lost_later_sends_null_and_shows_the_error(self):
        figure = self.make_figure()
        self.run_cron()
        self.env.cr.precommit.data.clear()
        nobody = self._create_user("ha_no_rights", groups="base.group_user")
        self.instance.user_ids = [Command.set(nobody.ids)]
        self.env["ha.figure"]._mark_changed(self.instance.ids)
        self.run_cron()
        self.assertIsNone(self.figures_sent()[-1]["figures"][0]["value"])
        self.assertIn("may not read", figure.error)
        self.assertFalse(figure.value_known)

    def test_a_failed_send_keeps_the_mark_for_the_next_run(self):
        self.home_assistant.script = error(400, "invalid", "figures: bad key")
        self.make_figure()
        self.run_cron()
        self.assertEqual(self.audit_log().state, "error")
        self.assertEqual(self.marked(), {self.instance.id})
