"""The domains beyond switches and lights: each control's command, alarm codes that Odoo never
keeps, and services answering with data (todo items, weather forecasts)."""

import json
import logging

from odoo.addons.home_assistant.audit import REDACTED
from odoo.addons.home_assistant.tests.fake_home_assistant import (
    EntityServiceCase,
    error,
)
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

CODE = "4711"
ENTITIES = {
    "alarm_control_panel.house": (
        "disarmed",
        {"code_format": "number", "code_arm_required": True, "supported_features": 63},
    ),
    # Tones and volume supported (4 | 8), no duration.
    "siren.yard": ("off", {"available_tones": ["fire", "alarm"], "supported_features": 15}),
    "siren.chime": (
        "off",
        {"available_tones": {"1": "Ding", "2": "Dong"}, "supported_features": 7},
    ),
    "remote.tv": ("on", {"activity_list": ["Watch TV", "Music"]}),
    "lawn_mower.lawn": ("docked", {}),
    "update.core": ("on", {"installed_version": "1.0", "latest_version": "1.1"}),
    "automation.lights": ("on", {}),
    "todo.shopping": ("1", {}),
    "weather.home": ("sunny", {"temperature": 21, "humidity": 40, "supported_features": 3}),
    "device_tracker.phone": ("home", {"source_type": "gps", "battery_level": 80}),
}

# (entity, service, data): the command each control of the dashboard and form sends.
CONTROLS = [
    ("alarm_control_panel.house", "alarm_arm_home", {"code": CODE}),
    ("alarm_control_panel.house", "alarm_arm_away", {"code": CODE}),
    ("alarm_control_panel.house", "alarm_arm_night", {"code": CODE}),
    ("alarm_control_panel.house", "alarm_arm_vacation", {"code": CODE}),
    ("alarm_control_panel.house", "alarm_disarm", {"code": CODE}),
    ("siren.yard", "turn_on", {"tone": "fire", "volume_level": 0.5}),
    ("siren.chime", "turn_on", {"tone": "2"}),
    ("siren.chime", "turn_on", {"tone": "Dong"}),
    ("siren.yard", "turn_off", {}),
    ("siren.yard", "toggle", {}),
    ("remote.tv", "turn_on", {"activity": "Music"}),
    ("remote.tv", "turn_off", {}),
    ("remote.tv", "send_command", {"command": "volume_up", "num_repeats": 3}),
    ("remote.tv", "send_command", {"command": ["up", "ok"], "delay_secs": 0.4}),
    ("lawn_mower.lawn", "start_mowing", {}),
    ("lawn_mower.lawn", "pause", {}),
    ("lawn_mower.lawn", "dock", {}),
    ("automation.lights", "trigger", {"skip_condition": True}),
    ("automation.lights", "turn_on", {}),
    ("automation.lights", "turn_off", {"stop_actions": False}),
    ("todo.shopping", "add_item", {"item": "Milk"}),
    ("todo.shopping", "update_item", {"item": "Milk", "status": "completed"}),
    ("todo.shopping", "update_item", {"item": "Milk", "rename": "Oat milk"}),
    ("todo.shopping", "remove_item", {"item": ["Milk", "Eggs"]}),
]

REFUSED = [
    ("alarm_control_panel.house", "alarm_disarm", {"code": "12ab"}, "digits only"),
    ("alarm_control_panel.house", "alarm_disarm", {"code": "47²1"}, "digits only"),
    ("alarm_control_panel.house", "alarm_disarm", {"code": 4711}, "at most 255"),
    ("alarm_control_panel.house", "alarm_trigger", {}, "offer no service alarm_trigger"),
    ("siren.yard", "turn_on", {"tone": "horn"}, "siren's tones: fire, alarm"),
    ("siren.chime", "turn_on", {"tone": "3"}, "siren's tones: 1, 2"),
    ("siren.yard", "turn_on", {"volume_level": 1.5}, "between 0 and 1"),
    ("siren.yard", "turn_on", {"duration": 10}, "does not support duration"),
    ("siren.chime", "turn_on", {"volume_level": 0.5}, "does not support volume_level"),
    ("remote.tv", "send_command", {}, "needs command"),
    ("remote.tv", "send_command", {"command": []}, "1 to 64 texts"),
    ("remote.tv", "send_command", {"command": "up", "num_repeats": 0}, "between 1 and 255"),
    ("remote.tv", "send_command", {"command": "up", "delay_secs": -1}, "between 0 and 60"),
    ("remote.tv", "turn_on", {"activity": "Games"}, "activity_list"),
    ("lawn_mower.lawn", "start_mowing", {"speed": 3}, "takes no speed"),
    # Home Assistant's update services are for its administrators only (see SERVICES).
    ("update.core", "install", {}, "offer no service install"),
    ("automation.lights", "trigger", {"variables": {}}, "takes no variables"),
    ("todo.shopping", "add_item", {"item": " "}, "non-empty text"),
    ("todo.shopping", "update_item", {"item": "Milk"}, "needs one of rename, status"),
    ("todo.shopping", "update_item", {"item": "Milk", "status": "done"}, "needs_action, completed"),
    ("todo.shopping", "get_items", {"status": ["open"]}, "needs_action, completed"),
    ("weather.home", "get_forecasts", {}, "needs type"),
    ("weather.home", "get_forecasts", {"type": "weekly"}, "daily, hourly, twice_daily"),
    ("device_tracker.phone", "see", {}, "offer no service see"),
]


@tagged("post_install", "-at_install")
class TestEntityDomains(EntityServiceCase):
    ENTITIES = ENTITIES

    def test_each_control_sends_its_service_on_its_entity(self):
        for entity_id, service, data in CONTROLS:
            with self.subTest(entity_id=entity_id, service=service):
                self.act(entity_id, service, data)
                command = self.sent()[-1]
                self.assertEqual(
                    (command["domain"], command["service"], command["target"], command["data"]),
                    (entity_id.split(".")[0], service, {"entity_id": [entity_id]}, data),
                )
                self.assertIs(command["return_response"], False)
        self.assertEqual(len(self.sent()), len(CONTROLS))

    def test_bad_data_is_refused_before_anything_is_sent(self):
        for entity_id, service, data, reason in REFUSED:
            with (
                self.subTest(entity_id=entity_id, service=service, data=data),
                self.assertRaisesRegex(ValidationError, reason),
            ):
                self.act(entity_id, service, data)
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_form_buttons_send_the_services_without_data(self):
        buttons = [
            ("lawn_mower.lawn", "start_mowing"),
            ("lawn_mower.lawn", "dock"),
            ("automation.lights", "trigger"),
            ("siren.yard", "turn_on"),
            ("remote.tv", "toggle"),
        ]
        for entity_id, service in buttons:
            entity = self.entities[entity_id].with_user(self.member)
            entity.with_context(ha_service=service).action_call_service()
        self.assertEqual(
            [(c["target"]["entity_id"][0], c["service"], c["data"]) for c in self.sent()],
            [(entity_id, service, {}) for entity_id, service in buttons],
        )

    def test_the_alarm_code_is_sent_once_and_never_kept(self):
        self.home_assistant.script = error(
            400, "invalid", f"Invalid alarm code provided: {CODE} (HTTP 400, try 9)"
        )
        with (
            self.assertLogs("odoo.addons.home_assistant", logging.DEBUG) as logs,
            self.assert_raises_keeping_writes(UserError) as raised,
        ):
            self.act("alarm_control_panel.house", "alarm_disarm", {"code": CODE})
        (sent,) = self.sent()
        self.assertEqual(sent["data"], {"code": CODE})
        self.assertNotIn(CODE, str(raised.exception))
        # Only the code is hidden: the whole token, not digits inside other words.
        self.assertIn(f"{REDACTED} (HTTP 400, try 9)", str(raised.exception))
        row = self.audit_log()
        self.assertEqual(row.data, {"code": REDACTED})
        stored = [row.data_text, row.answer_text, row.error_message, json.dumps(row.answer)]
        self.assertFalse([text for text in stored if CODE in text])
        self.assertIn(REDACTED, row.error_message)
        self.assertFalse([line for line in logs.output if CODE in line])
        entity = self.entities["alarm_control_panel.house"]
        self.assertFalse(
            self.env["mail.message"]
            .search([("model", "=", "ha.entity"), ("res_id", "=", entity.id)])
            .filtered(lambda message: CODE in (message.body or ""))
        )

    def test_an_accepted_alarm_code_is_kept_nowhere_either(self):
        self.act("alarm_control_panel.house", "alarm_arm_away", {"code": CODE})
        row = self.audit_log()
        self.assertEqual((row.state, row.data), ("ok", {"code": REDACTED}))
        self.env.cr.execute(
            "SELECT count(*) FROM ha_command WHERE data::text LIKE %s OR answer::text LIKE %s",
            [f"%{CODE}%", f"%{CODE}%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_an_automation_action_may_not_keep_an_alarm_code(self):
        model = self.env["ir.model"]._get("ha.entity")
        values = {
            "name": "Arm at night",
            "model_id": model.id,
            "state": "home_assistant",
            "ha_instance_id": self.instance.id,
            "ha_service": "alarm_control_panel.alarm_arm_night",
            "ha_entity_ids": [self.entities["alarm_control_panel.house"].id],
        }
        with self.assertRaisesRegex(ValidationError, "never stored"):
            self.env["ir.actions.server"].create({**values, "ha_data": json.dumps({"code": CODE})})
        self.assertTrue(self.env["ir.actions.server"].create(values))
        choices = dict(self.env["ir.actions.server"]._fields["ha_service"].selection)
        self.assertIn("alarm_control_panel.alarm_disarm", choices)
        self.assertNotIn("todo.get_items", choices)

    def test_todo_items_come_back_in_the_answer_and_change(self):
        self.home_assistant.todo_lists["todo.shopping"] = [
            {"uid": "a", "summary": "Bread", "status": "needs_action"},
            {"uid": "b", "summary": "Jam", "status": "completed"},
        ]
        result = self.act("todo.shopping", "get_items", {})
        self.assertEqual(
            [item["summary"] for item in result["response"]["items"]], ["Bread", "Jam"]
        )
        command = self.sent()[-1]
        self.assertEqual((command["service"], command["return_response"]), ("get_items", True))
        self.act("todo.shopping", "add_item", {"item": "Milk"})
        self.act("todo.shopping", "update_item", {"item": "Bread", "status": "completed"})
        self.act("todo.shopping", "remove_item", {"item": "b"})
        result = self.act("todo.shopping", "get_items", {"status": ["needs_action"]})
        self.assertEqual([item["summary"] for item in result["response"]["items"]], ["Milk"])
        row = self.audit_log()[-1]
        self.assertEqual(row.answer["response"]["todo.shopping"]["items"][0]["summary"], "Milk")

    def test_the_forecast_comes_back_for_the_entity(self):
        forecast = [
            {"datetime": "2026-12-03T00:00:00+00:00", "condition": "rainy", "temperature": 9}
        ]
        self.home_assistant.responses[("weather", "get_forecasts")] = {
            "weather.home": {"forecast": forecast}
        }
        result = self.act("weather.home", "get_forecasts", {"type": "daily"})
        self.assertEqual(result["response"], {"forecast": forecast})
        command = self.sent()[-1]
        self.assertEqual((command["data"], command["return_response"]), ({"type": "daily"}, True))

    def test_an_answer_without_the_entity_is_no_response(self):
        self.home_assistant.responses[("weather", "get_forecasts")] = {"weather.other": {}}
        result = self.act("weather.home", "get_forecasts", {"type": "hourly"})
        self.assertIsNone(result["response"])
