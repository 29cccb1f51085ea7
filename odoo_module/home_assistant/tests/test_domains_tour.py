"""The alarm panel (with its code) and a todo list driven in headless Chromium."""

from datetime import timedelta

from odoo import Command
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.home_assistant.audit import REDACTED
from odoo.addons.home_assistant.tests.common import state_event
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase
from odoo.addons.home_assistant.tests.test_dashboard import utc_now
from odoo.tests import tagged

CODE = "4711"  # the tour types it (static/tests/tours/domains_tour.js)


@tagged("post_install", "-at_install")
class TestDomainsTour(HomeAssistantCommandCase, WebsocketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.viewer = cls._create_user("ha_domains_tour", name="Domains Tour")
        cls.instance.user_ids = [Command.link(cls.viewer.id)]

    def test_alarm_code_and_todo_list(self):
        at = utc_now() - timedelta(minutes=1)
        alarm = {
            "friendly_name": "House alarm",
            "code_format": "number",
            "code_arm_required": True,
            "supported_features": 3,  # arm home, arm away
        }
        self.push_ok(
            self.make_batch(
                [
                    state_event("alarm_control_panel.house", "disarmed", at=at, attributes=alarm),
                    state_event("todo.shopping", "1", at=at, attributes={"friendly_name": "Shop"}),
                ]
            )
        )
        self.home_assistant.todo_lists["todo.shopping"] = [
            {"uid": "bread", "summary": "Bread", "status": "needs_action"}
        ]
        self.start_tour("/odoo/home-assistant", "home_assistant_domains", login="ha_domains_tour")

        commands = [(c["domain"], c["service"], c["data"]) for c in self.sent()]
        alarm_commands = [command for command in commands if command[0] != "todo"]
        self.assertEqual(
            alarm_commands,
            [
                ("alarm_control_panel", "alarm_arm_away", {"code": CODE}),
                ("alarm_control_panel", "alarm_disarm", {"code": CODE}),
            ],
        )
        todo_changes = [
            (service, data)
            for domain, service, data in commands
            if domain == "todo" and service != "get_items"
        ]
        self.assertEqual(
            todo_changes,
            [
                ("add_item", {"item": "Milk"}),
                ("update_item", {"item": "uid-2", "status": "completed"}),
                ("remove_item", {"item": "bread"}),
            ],
        )
        self.assertEqual(
            self.home_assistant.todo_lists["todo.shopping"],
            [{"uid": "uid-2", "summary": "Milk", "status": "completed"}],
        )
        rows = self.audit_log().filtered(lambda row: row.domain == "alarm_control_panel")
        self.assertEqual(rows.mapped("data"), [{"code": REDACTED}, {"code": REDACTED}])
        self.assertEqual(rows.user_id, self.viewer)
        self.env.cr.execute(
            "SELECT count(*) FROM ha_command WHERE data::text LIKE %s OR answer::text LIKE %s",
            [f"%{CODE}%", f"%{CODE}%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
