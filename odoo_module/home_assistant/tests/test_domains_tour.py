"""The alarm panel (with its code) and a todo list driven in headless Chromium."""

from datetime import timedelta

from odoo import Command
from odoo.addons.home_assistant.audit import REDACTED
from odoo.addons.home_assistant.tests.common import state_event
from odoo.addons.home_assistant.tests.live_tour import LiveTourCase
from odoo.addons.home_assistant.tests.test_dashboard import utc_now
from odoo.tests import tagged

CODE = "4711"  # the tour types it (static/tests/tours/domains_tour.js)
ALARM = {
    "friendly_name": "House alarm",
    "code_format": "number",
    "code_arm_required": True,
    "supported_features": 3,  # arm home, arm away
}
SHOP = {"friendly_name": "Shop"}
ENTITIES = [
    ("alarm_control_panel.house", "disarmed", ALARM),
    ("todo.shopping", "1", SHOP),
    ("siren.yard", "off", {"available_tones": ["fire"], "supported_features": 31}),
    ("remote.tv", "on", {}),
    ("weather.home", "sunny", {"temperature": 21, "humidity": 40, "supported_features": 1}),
    ("device_tracker.phone", "home", {"source_type": "gps", "battery_level": 80}),
    ("update.core", "on", {"installed_version": "1.0", "latest_version": "1.1"}),
]
# What each entity form shows once its controls rendered.
FORM_CONTROLS = {
    "alarm_control_panel.house": ".o_ha_alarm_arm",
    "todo.shopping": ".o_ha_todo_item[data-summary='Bread']",
    "siren.yard": ".o_ha_siren_tone",
    "remote.tv": ".o_ha_remote_command",
    "weather.home": ".o_ha_forecast_type[data-type='daily']",
    "device_tracker.phone": ".o_ha_tracker",
    "update.core": ".o_ha_update",
}


@tagged("post_install", "-at_install")
class TestDomainsTour(LiveTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.viewer = cls._create_user("ha_domains_tour", name="Domains Tour")
        cls.instance.user_ids = [Command.link(cls.viewer.id)]

    def setUp(self):
        super().setUp()
        at = utc_now() - timedelta(minutes=1)
        self.push_ok(
            self.make_batch(
                [
                    state_event(entity_id, state, at, attributes)
                    for entity_id, state, attributes in ENTITIES
                ]
            )
        )
        self.home_assistant.todo_lists["todo.shopping"] = [
            {"uid": "bread", "summary": "Bread", "status": "needs_action"}
        ]

    def test_alarm_code_and_todo_list(self):
        now = utc_now()
        pushes = {
            name: self.signed_push(
                [state_event("alarm_control_panel.house", state, now + later, ALARM)]
            )
            for name, state, later in (
                ("armed", "armed_away", timedelta(0)),
                ("disarmed", "disarmed", timedelta(seconds=1)),
            )
        }
        pushes["count"] = self.signed_push([state_event("todo.shopping", "2", now, SHOP)])
        self.start_live_tour(
            "/odoo/home-assistant", "home_assistant_domains", "ha_domains_tour", pushes
        )

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

    def test_entity_forms_show_their_controls(self):
        for entity_id, selector in FORM_CONTROLS.items():
            with self.subTest(entity_id=entity_id):
                entity = self.entity(entity_id)
                ready = f'!!document.querySelector(".o_ha_entity_controls {selector}")'
                self.browser_js(
                    f"/odoo/action-home_assistant.action_ha_entity/{entity.id}",
                    "console.log('test successful')",
                    ready=ready,
                    login="ha_domains_tour",
                )

    def test_the_alarm_is_armed_from_its_form_with_a_code(self):
        entity = self.entity("alarm_control_panel.house")
        self.start_tour(
            f"/odoo/action-home_assistant.action_ha_entity/{entity.id}",
            "home_assistant_entity_form_alarm",
            login="ha_domains_tour",
        )
        (command,) = self.sent()
        self.assertEqual((command["service"], command["data"]), ("alarm_arm_home", {"code": CODE}))
        self.assertEqual(self.audit_log().data, {"code": REDACTED})
