"""Entity actions: validation per domain and attributes before sending, buttons, the JS entry."""

from odoo.addons.home_assistant.entity_services import SERVICES
from odoo.addons.home_assistant.tests.fake_home_assistant import (
    EntityServiceCase,
    error,
)
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

ENTITIES = {
    "light.kitchen": (
        "on",
        {"min_color_temp_kelvin": 2200, "max_color_temp_kelvin": 6500, "effect_list": ["rainbow"]},
    ),
    "number.speed": ("5", {"min": 0, "max": 10, "step": 0.5}),
    "input_number.level": ("20", {"min": 10, "max": 50, "step": 5}),
    "select.mode": ("eco", {"options": ["eco", "comfort"]}),
    "input_select.scene": ("day", {"options": ["day", "night"]}),
    "cover.garage": ("closed", {"current_position": 0}),
    "climate.office": (
        "heat",
        {"min_temp": 10, "max_temp": 28, "hvac_modes": ["off", "heat"], "fan_modes": ["low"]},
    ),
    "fan.ceiling": ("off", {"preset_modes": ["breeze"]}),
    "media_player.radio": ("playing", {"source_list": ["FM", "DAB"]}),
    "input_text.note": ("", {"min": 2, "max": 8, "pattern": "[a-z]+"}),
    "lock.door": ("locked", {}),
    "button.bell": ("unknown", {}),
    "switch.pump": ("off", {}),
    "sensor.power": ("230", {"unit_of_measurement": "W"}),
    "switch.broken": ("unavailable", {}),
}

VALID = [
    ("light.kitchen", "turn_on", {"brightness": 255}),
    ("light.kitchen", "turn_on", {"brightness_pct": 40.5, "transition": 2}),
    ("light.kitchen", "turn_on", {"color_temp_kelvin": 2700}),
    ("light.kitchen", "turn_on", {"rgb_color": [255, 128, 0]}),
    ("light.kitchen", "turn_on", {"effect": "rainbow"}),
    ("light.kitchen", "turn_off", {}),
    ("number.speed", "set_value", {"value": 7.5}),
    ("input_number.level", "set_value", {"value": 35}),
    ("select.mode", "select_option", {"option": "comfort"}),
    ("input_select.scene", "select_next", {"cycle": True}),
    ("cover.garage", "set_cover_position", {"position": 100}),
    ("climate.office", "set_temperature", {"temperature": 21.5}),
    ("climate.office", "set_temperature", {"target_temp_low": 18, "target_temp_high": 24}),
    ("climate.office", "set_hvac_mode", {"hvac_mode": "off"}),
    ("fan.ceiling", "set_percentage", {"percentage": 33}),
    ("fan.ceiling", "turn_on", {"preset_mode": "breeze"}),
    ("media_player.radio", "volume_set", {"volume_level": 0.25}),
    ("media_player.radio", "select_source", {"source": "DAB"}),
    ("input_text.note", "set_value", {"value": "hello"}),
    ("lock.door", "unlock", {"code": "1234"}),
    ("button.bell", "press", None),
]

INVALID = [
    ("light.kitchen", "turn_on", {"brightness": 256}, "brightness must be between 0 and 255"),
    ("light.kitchen", "turn_on", {"brightness": 12.5}, "brightness must be a whole number"),
    ("light.kitchen", "turn_on", {"brightness": True}, "brightness must be a number"),
    ("light.kitchen", "turn_on", {"brightness_pct": 101}, "between 0 and 100"),
    ("light.kitchen", "turn_on", {"color_temp_kelvin": 2000}, "between 2200 and 6500"),
    ("light.kitchen", "turn_on", {"rgb_color": [255, 0]}, "a list of 3 numbers"),
    ("light.kitchen", "turn_on", {"rgb_color": [255, 0, 300]}, "between 0 and 255"),
    ("light.kitchen", "turn_on", {"effect": "disco"}, "effect_list: rainbow"),
    ("light.kitchen", "turn_on", {"colour": "red"}, "takes no colour"),
    ("light.kitchen", "set_value", {}, "offer no service set_value"),
    ("number.speed", "set_value", {"value": 11}, "between 0 and 10"),
    ("number.speed", "set_value", {"value": 7.3}, "a multiple of 0.5"),
    ("number.speed", "set_value", {}, "needs value"),
    ("number.speed", "set_value", {"value": "7"}, "must be a number"),
    ("input_number.level", "set_value", {"value": 5}, "between 10 and 50"),
    ("input_number.level", "set_value", {"value": 12}, "a multiple of 5"),
    ("select.mode", "select_option", {"option": "boost"}, "options: eco, comfort"),
    ("input_select.scene", "select_option", {"option": "dusk"}, "options: day, night"),
    ("cover.garage", "set_cover_position", {"position": 101}, "between 0 and 100"),
    ("cover.garage", "set_cover_position", {"position": -1}, "between 0 and 100"),
    ("climate.office", "set_temperature", {"temperature": 30}, "between 10 and 28"),
    ("climate.office", "set_temperature", {"hvac_mode": "heat"}, "needs one of temperature"),
    ("climate.office", "set_hvac_mode", {"hvac_mode": "cool"}, "hvac_modes: off, heat"),
    ("fan.ceiling", "set_percentage", {"percentage": 120}, "between 0 and 100"),
    ("media_player.radio", "volume_set", {"volume_level": 1.5}, "between 0 and 1"),
    ("media_player.radio", "select_source", {"source": "AM"}, "source_list"),
    ("input_text.note", "set_value", {"value": "a"}, "2 to 8 characters"),
    ("input_text.note", "set_value", {"value": "far too long"}, "2 to 8 characters"),
    ("input_text.note", "set_value", {"value": "ABC"}, "match the pattern"),
    ("sensor.power", "turn_on", {}, "offer no service turn_on"),
    ("switch.pump", "turn_on", ["on"], "data must be an object"),
]


@tagged("post_install", "-at_install")
class TestEntityActions(EntityServiceCase):
    ENTITIES = ENTITIES

    def test_valid_data_is_sent_for_the_entity_with_its_domain(self):
        for entity_id, service, data in VALID:
            with self.subTest(entity_id=entity_id, service=service, data=data):
                result = self.act(entity_id, service, data)
                command = self.sent()[-1]
                self.assertEqual(command["domain"], entity_id.split(".")[0])
                self.assertEqual(command["service"], service)
                self.assertEqual(command["target"], {"entity_id": [entity_id]})
                self.assertEqual(command["data"], data or {})
                row = self.audit_log()[-1]
                self.assertEqual(
                    result, {"ok": True, "command_id": row.id, "latency_ms": row.latency_ms}
                )
        self.assertEqual(len(self.home_assistant.received), len(VALID))

    def test_invalid_data_is_refused_with_its_reason_and_nothing_is_sent(self):
        for entity_id, service, data, reason in INVALID:
            with (
                self.subTest(entity_id=entity_id, service=service, data=data),
                self.assertRaisesRegex(ValidationError, reason),
            ):
                self.act(entity_id, service, data)
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_an_unavailable_or_removed_entity_is_refused(self):
        with self.assertRaisesRegex(UserError, "is unavailable"):
            self.act("switch.broken", "turn_on")
        self.entities["switch.pump"].active = False
        with self.assertRaisesRegex(UserError, "was removed"):
            self.act("switch.pump", "turn_on")
        self.assertFalse(self.home_assistant.received)

    def test_home_assistant_refusal_reaches_the_caller(self):
        self.home_assistant.script = error(403, "not_allowed", "Odoo may not call lock.unlock")
        with self.assertRaisesRegex(UserError, "does not allow Odoo to call lock.unlock"):
            self.act("lock.door", "unlock")
        self.assertEqual(self.audit_log().error_code, "not_allowed")

    def test_view_buttons_call_their_service_on_every_selected_entity(self):
        pump = self.entities["switch.pump"].with_user(self.member)
        light = self.entities["light.kitchen"].with_user(self.member)
        garage = self.entities["cover.garage"].with_user(self.member)
        door = self.entities["lock.door"].with_user(self.member)
        buttons = [
            (pump | light).with_context(ha_service="turn_on").action_call_service,
            (pump | light).with_context(ha_service="turn_off").action_call_service,
            pump.with_context(ha_service="toggle").action_call_service,
            self.entities["button.bell"]
            .with_user(self.member)
            .with_context(ha_service="press")
            .action_call_service,
            garage.with_context(ha_service="open_cover").action_call_service,
            garage.with_context(ha_service="close_cover").action_call_service,
            garage.with_context(ha_service="stop_cover").action_call_service,
            door.with_context(ha_service="lock").action_call_service,
            door.with_context(ha_service="unlock").action_call_service,
        ]
        for button in buttons:
            self.assertIs(button(), True)
        self.assertEqual(
            [(command["service"], command["target"]["entity_id"][0]) for command in self.sent()],
            [
                ("turn_on", "switch.pump"),
                ("turn_on", "light.kitchen"),
                ("turn_off", "switch.pump"),
                ("turn_off", "light.kitchen"),
                ("toggle", "switch.pump"),
                ("press", "button.bell"),
                ("open_cover", "cover.garage"),
                ("close_cover", "cover.garage"),
                ("stop_cover", "cover.garage"),
                ("lock", "lock.door"),
                ("unlock", "lock.door"),
            ],
        )

    def test_the_dashboard_calls_it_over_json_rpc_as_orm_call_does(self):
        self.authenticate("ha_command_member", "ha_command_member")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/ha.entity/call_entity_service",
            {
                "model": "ha.entity",
                "method": "call_entity_service",
                "args": [[self.entities["light.kitchen"].id], "turn_on", {"brightness": 128}],
                "kwargs": {},
            },
        )
        self.assertEqual(set(result), {"ok", "command_id", "latency_ms"})
        self.assertEqual(self.sent()[0]["data"], {"brightness": 128})
        self.assertEqual(self.sent()[0]["user"]["login"], "ha_command_member")
        self.assertEqual(self.audit_log().id, result["command_id"])

    def test_required_fields_of_the_service_table_are_fields_it_validates(self):
        for domain, services in SERVICES.items():
            for name, service in services.items():
                with self.subTest(service=f"{domain}.{name}"):
                    self.assertLessEqual(set(service.required), set(service.fields))
                    self.assertLessEqual(set(service.any_of), set(service.fields))
