"""PROTOCOL §4 from Odoo: building, signing and sending commands; every answer; the audit log."""

import json
import socket
from unittest.mock import patch

from odoo.addons.home_assistant import command_client
from odoo.addons.home_assistant.tests.common import SECRET
from odoo.addons.home_assistant.tests.fake_home_assistant import (
    HomeAssistantCommandCase,
    error,
)
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

PAIRING = {
    "uuid": "ha-test-instance-0001",
    "name": "Head office",
    "ha_url": "http://ha.local:8123",
    "webhook_id": "webhook-ha-test-instance-0001",
    "secret": SECRET,
    "ha_version": "2026.11.1",
    "protocol": 1,
}


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class ServiceCallCase(HomeAssistantCommandCase):
    def call(self, user=None, **kwargs):
        instance = self.instance.with_user(user or self.administrator)
        arguments = {"domain": "light", "service": "turn_on", **kwargs}
        return instance.call_service(**arguments)


@tagged("post_install", "-at_install")
class TestCommands(ServiceCallCase):
    def test_a_service_call_is_signed_and_carries_the_protocol_body_and_the_user(self):
        result = self.call(target={"entity_id": ["light.kitchen"]}, data={"brightness_pct": 40})
        [request] = self.home_assistant.received
        command = json.loads(request["body"])
        self.assertEqual(request["path"], "/api/webhook/webhook-ha-test-instance-0001")
        self.assertEqual(request["headers"]["Content-Type"], "application/json")
        self.assertNotIn("Content-Encoding", request["headers"])
        self.assertEqual(len(command.pop("id")), 32)
        self.assertEqual(
            command,
            {
                "v": 1,
                "type": "call_service",
                "domain": "light",
                "service": "turn_on",
                "target": {"entity_id": ["light.kitchen"]},
                "data": {"brightness_pct": 40},
                "return_response": False,
                "user": {"login": "ha_command_administrator", "name": "Joe Administrator"},
            },
        )
        [row] = self.audit_log()
        self.assertEqual(
            result,
            {"ok": True, "command_id": row.id, "latency_ms": row.latency_ms, "response": None},
        )

    def test_each_command_has_a_fresh_nonce_and_id(self):
        self.call()
        self.call()
        first, second = self.home_assistant.received
        self.assertNotEqual(first["headers"]["X-Bridge-Nonce"], second["headers"]["X-Bridge-Nonce"])
        self.assertNotEqual(json.loads(first["body"])["id"], json.loads(second["body"])["id"])

    def test_a_command_signed_with_another_secret_is_refused_by_home_assistant(self):
        self.home_assistant.secret = "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlci1z"
        self.addCleanup(setattr, self.home_assistant, "secret", SECRET)
        with self.assertRaisesRegex(UserError, "refused the command's signature. Pair it again"):
            self.call()
        self.assertEqual(len(self.home_assistant.refused), 1)
        self.assertFalse(self.home_assistant.received)

    def test_the_response_of_a_service_is_returned_when_asked(self):
        self.home_assistant.script = (200, {"ok": True, "id": "x", "response": {"events": [1]}})
        result = self.call(domain="calendar", service="get_events", return_response=True)
        self.assertEqual(result["response"], {"events": [1]})
        self.assertIs(self.sent()[0]["return_response"], True)

    def test_a_successful_call_is_logged_as_done_with_the_answer_and_latency(self):
        self.call(target={"entity_id": ["light.kitchen"]}, data={"brightness": 10})
        [row] = self.audit_log()
        self.assertEqual(row.state, "ok")
        self.assertEqual(row.user_id, self.administrator)
        self.assertEqual(row.instance_id, self.instance)
        self.assertEqual(row.command_type, "call_service")
        self.assertEqual(row.service_name, "light.turn_on")
        self.assertEqual(row.target, {"entity_id": ["light.kitchen"]})
        self.assertEqual(row.data, {"brightness": 10})
        self.assertEqual(row.http_status, 200)
        self.assertEqual(row.answer["ok"], True)
        self.assertEqual(row.command_uuid, self.sent()[0]["id"])
        self.assertGreaterEqual(row.latency_ms, 0)
        self.assertFalse(row.error_code)

    def test_every_answer_of_home_assistant_maps_to_its_error_and_audit_row(self):
        cases = [
            (
                error(400, "invalid", "expected int for brightness"),
                "invalid",
                "refused the data of light.turn_on: expected int for brightness",
            ),
            (error(401, "unauthorized", "refused"), "unauthorized", "Pair it again"),
            (
                error(403, "not_allowed", "Odoo may not call light.turn_on"),
                "not_allowed",
                "Services Odoo may call",
            ),
            (
                error(404, "unknown_service", "no light.turn_on"),
                "unknown_service",
                "has no service light.turn_on",
            ),
            (error(413, "too_large", "too large"), "too_large", "at most 1 MiB"),
            (error(429, "too_many_requests", "later"), "too_many_requests", "try again"),
            (
                error(500, "service_failed", "Bulb offline"),
                "service_failed",
                "light.turn_on failed in Home Assistant “Head office”: Bulb offline",
            ),
            (error(504, "timeout", "did not finish within 10 s"), "timeout", "did not finish"),
            (
                error(400, "unsupported_version", "v2 only"),
                "unsupported_version",
                "another protocol version",
            ),
            ((200, b""), "bad_answer", "did not answer like the Odoo integration"),
            ((405, b""), "bad_answer", "HTTP status 405"),
            ((200, b"<html>proxy</html>"), "bad_answer", "pair Home Assistant again"),
            ((200, {"ok": False}), "bad_answer", "did not answer like"),
            ((502, {"detail": "bad gateway"}), "bad_answer", "HTTP status 502"),
            # JSON the audit log's jsonb cannot store is no answer of the integration.
            ((200, b'{"ok": true, "response": NaN}'), "bad_answer", "HTTP status 200"),
            ((200, b'{"ok": true, "response": 1e400}'), "bad_answer", "HTTP status 200"),
            ((200, b'{"ok": true, "response": "\\ud800"}'), "bad_answer", "HTTP status 200"),
            ((200, b'{"ok": true, "response": "\\u0000"}'), "bad_answer", "HTTP status 200"),
        ]
        for (status, body), code, message in cases:
            with self.subTest(status=status, code=code):
                self.home_assistant.script = (status, body)
                with self.assertRaisesRegex(UserError, message):
                    self.call()
                row = self.audit_log()[-1]
                self.assertEqual(row.state, "error")
                self.assertEqual(row.error_code, code)
                self.assertEqual(row.http_status, status)
        self.assertEqual(len(self.audit_log()), len(cases))

    def test_a_stale_timestamp_names_the_clock_difference_and_is_logged(self):
        prefix = (
            "The clocks of Odoo and Home Assistant “Head office” differ: Home Assistant's clock"
        )
        for offset, difference in (
            (600, "60[01] seconds ahead of"),
            (-900, "(900|899) seconds behind"),
        ):
            with self.subTest(offset=offset):
                self.home_assistant.clock_offset = offset
                with self.assertRaisesRegex(UserError, f"{prefix} is {difference} Odoo's"):
                    self.call()
                row = self.audit_log()[-1]
                self.assertEqual(
                    (row.state, row.http_status, row.error_code), ("error", 401, "stale_timestamp")
                )
                self.assertAlmostEqual(row.clock_offset_seconds, offset, delta=1)
                self.assertEqual(row.answer["error"]["code"], "stale_timestamp")
        self.assertFalse(self.home_assistant.received)

    def test_a_stale_timestamp_without_home_assistant_time_still_says_the_clocks_differ(self):
        for server_time in (None, "noon", True, 10**30):
            with self.subTest(server_time=server_time):
                status, body = error(401, "stale_timestamp", "The timestamp is too far away.")
                if server_time is not None:
                    body["error"]["server_time"] = server_time
                self.home_assistant.script = (status, json.dumps(body).encode())
                with self.assertRaisesRegex(UserError, "differ by more than 300 seconds"):
                    self.call()
                self.assertFalse(self.audit_log()[-1].clock_offset_seconds)

    def test_home_assistant_message_is_kept_in_the_audit_log(self):
        self.home_assistant.script = error(400, "invalid", "value must be at most 100")
        with self.assert_raises_keeping_writes(UserError):
            self.call()
        row = self.audit_log()
        self.assertEqual(row.error_message, "value must be at most 100")
        self.assertEqual(row.answer["error"]["code"], "invalid")

    def test_an_unreachable_home_assistant_is_a_clear_error_and_logged(self):
        self.instance.ha_url = closed_port_url()
        self.env.flush_all()
        with self.assertRaisesRegex(UserError, "cannot be reached at http://127.0.0.1:"):
            self.call()
        row = self.audit_log()
        self.assertEqual((row.state, row.error_code, row.http_status), ("error", "unreachable", 0))

    def test_home_assistant_not_answering_in_time_is_a_timeout(self):
        self.home_assistant.delay = 1
        with (
            patch.object(command_client, "READ_TIMEOUT_SECONDS", 0.2),
            self.assertRaisesRegex(UserError, "did not finish light.turn_on in time"),
        ):
            self.call()
        row = self.audit_log()
        self.assertEqual((row.state, row.error_code), ("error", "timeout"))

    def test_the_command_url_is_used_when_paired_with_one(self):
        self.instance.command_url = f"{self.home_assistant.url}/api/webhook/cloudhook-0001"
        self.env.flush_all()
        self.call()
        self.assertEqual(self.home_assistant.received[0]["path"], "/api/webhook/cloudhook-0001")

    def test_errors_never_reveal_the_webhook_id_or_the_command_url(self):
        self.instance.command_url = f"{closed_port_url()}/api/webhook/cloudhook-secret-path"
        self.env.flush_all()
        with self.assert_raises_keeping_writes(UserError) as caught:
            self.call()
        message = str(caught.exception)
        self.assertIn("Home Assistant Cloud", message)
        self.assertNotIn("cloudhook-secret-path", message)
        row = self.audit_log()
        for value in (row.error_message, json.dumps(row.answer), json.dumps(row.data)):
            self.assertNotIn("cloudhook-secret-path", value)
            self.assertNotIn(SECRET, value)

    def test_pairing_stores_the_command_url_and_a_pairing_without_it_clears_it(self):
        manager = self._create_user(
            "ha_command_pairing", groups="home_assistant.group_home_assistant_manager"
        )
        cloudhook = "https://hooks.nabu.casa/gAAAAABn-cloudhook"
        self.env["ha.instance"].with_user(manager).ha_pair(dict(PAIRING, command_url=cloudhook))
        self.assertEqual(self.instance.command_url, cloudhook)
        self.assertEqual(self.env["ha.command"]._endpoint(self.instance), cloudhook)
        self.env["ha.instance"].with_user(manager).ha_pair(PAIRING)
        self.assertFalse(self.instance.command_url)
        self.assertEqual(
            self.env["ha.command"]._endpoint(self.instance),
            "http://ha.local:8123/api/webhook/webhook-ha-test-instance-0001",
        )
        with self.assertRaises(ValidationError):
            self.env["ha.instance"].with_user(manager).ha_pair(
                dict(PAIRING, command_url="ftp://hooks.example.com/x")
            )

    def test_bad_arguments_are_refused_before_anything_is_sent_or_logged(self):
        bad = [
            {"domain": "Light", "service": "turn_on"},
            {"domain": "light", "service": "turn on"},
            {"domain": "light", "service": None},
            {"target": ["light.kitchen"]},
            {"data": "brightness=10"},
            {"data": {"when": object()}},
            {"data": {"blob": "x" * (1024 * 1024)}},
        ]
        for arguments in bad:
            with (
                self.subTest(arguments=str(arguments)[:60]),
                self.assert_raises_keeping_writes(ValidationError),
            ):
                self.call(**arguments)
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_an_unpaired_or_neutralized_instance_sends_nothing(self):
        self.instance.secret = False
        with self.assertRaisesRegex(UserError, "pair it again"):
            self.call()
        self.instance.secret = SECRET
        self.instance.active = False
        with self.assertRaisesRegex(UserError, "archived"):
            self.call(user=self.env.ref("base.user_admin"))
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())


@tagged("post_install", "-at_install")
class TestCommandAudit(ServiceCallCase):
    """What the audit log keeps: secrets redacted, no signature."""

    def test_secret_like_service_data_is_redacted_in_the_audit_log_not_in_the_command(self):
        data = {
            "code": "1234",
            "PIN": 4321,
            "wifi_password": "hunter2",
            "options": [{"access_token": "abc", "api_key": "k"}, {"brightness": 10}],
            "client_secret": "s",
        }
        self.home_assistant.script = (200, {"ok": True, "id": "x", "response": {"token": "t"}})
        self.call(domain="lock", service="unlock", target={"entity_id": ["lock.door"]}, data=data)
        self.assertEqual(self.sent()[0]["data"], data)
        row = self.audit_log()
        self.assertEqual(
            row.data,
            {
                "code": "**REDACTED**",
                "PIN": "**REDACTED**",
                "wifi_password": "**REDACTED**",
                "options": [
                    {"access_token": "**REDACTED**", "api_key": "**REDACTED**"},
                    {"brightness": 10},
                ],
                "client_secret": "**REDACTED**",
            },
        )
        self.assertEqual(row.target, {"entity_id": ["lock.door"]})
        self.assertEqual(row.answer["response"], {"token": "**REDACTED**"})
        stored = json.dumps(row.read()[0], default=str)
        for value in ("1234", "4321", "hunter2", '"abc"', '"t"'):
            self.assertNotIn(value, stored)

    def test_the_audit_log_holds_no_signature_header_nor_secret(self):
        self.call(data={"brightness": 1})
        row = self.audit_log()
        stored = json.dumps(row.read()[0], default=str)
        self.assertNotIn(SECRET, stored)
        self.assertNotIn(self.home_assistant.received[0]["headers"]["X-Bridge-Signature"], stored)
        self.assertNotIn("X-Bridge", stored)


@tagged("post_install", "-at_install")
class TestInstanceCommands(HomeAssistantCommandCase):
    """The instance form's commands: test connection, resync, backfill history."""

    def test_test_connection_pings_and_shows_version_latency_and_outbox(self):
        action = self.instance.with_user(self.member).action_test_connection()
        self.assertEqual(self.sent()[0]["type"], "ping")
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn("Home Assistant 2026.11.1 answered in", message)
        self.assertIn("42 events wait", message)
        row = self.audit_log()
        self.assertEqual((row.command_type, row.state, row.answer["outbox"]), ("ping", "ok", 42))

    def test_resync_asks_for_a_full_snapshot(self):
        self.instance.with_user(self.member).action_resync()
        command = self.sent()[0]
        self.assertEqual(command["type"], "resync")
        self.assertNotIn("scope", command)
        row = self.audit_log()
        self.assertEqual((row.command_type, row.http_status), ("resync", 202))

    def test_the_backfill_wizard_sends_the_entities_and_the_period(self):
        entity = self.env["ha.entity"].create(
            {"instance_id": self.instance.id, "entity_id": "sensor.power", "state": "1"}
        )
        self.env.flush_all()
        wizard = (
            self.env["ha.history.backfill"]
            .with_user(self.member)
            .create(
                {
                    "instance_id": self.instance.id,
                    "entity_ids": [entity.id],
                    "date_from": "2026-11-27 08:00:00",
                    "date_to": "2026-11-28 08:00:00",
                }
            )
        )
        action = wizard.action_backfill()
        command = self.sent()[0]
        self.assertEqual(command["type"], "history")
        self.assertEqual(command["entity_ids"], ["sensor.power"])
        self.assertEqual(command["start"], "2026-11-27T08:00:00+00:00")
        self.assertEqual(command["end"], "2026-11-28T08:00:00+00:00")
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_window_close")
        self.assertEqual(self.audit_log().command_type, "history")

    def test_the_backfill_wizard_refuses_too_many_entities_or_days_before_sending(self):
        entities = self.env["ha.entity"].create(
            [
                {"instance_id": self.instance.id, "entity_id": f"sensor.meter_{index}"}
                for index in range(101)
            ]
        )
        self.env.flush_all()
        Wizard = self.env["ha.history.backfill"].with_user(self.member)
        period = {"date_from": "2026-10-28 08:00:00", "date_to": "2026-11-28 08:00:00"}
        cases = [
            (entities, period, "at most 100 entities per request \\(101 chosen\\)"),
            (entities[:1], dict(period, date_to="2026-11-28 08:00:01"), "at most 31 days"),
        ]
        for chosen, dates, message in cases:
            with self.subTest(message=message):
                wizard = Wizard.create(
                    {"instance_id": self.instance.id, "entity_ids": chosen.ids, **dates}
                )
                with self.assert_raises_keeping_writes(ValidationError) as caught:
                    wizard.action_backfill()
                self.assertRegex(str(caught.exception), message)
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())
        # The bounds themselves are allowed: 100 entities over exactly 31 days.
        Wizard.create(
            {"instance_id": self.instance.id, "entity_ids": entities[:100].ids, **period}
        ).action_backfill()
        command = self.sent()[0]
        self.assertEqual(len(command["entity_ids"]), 100)
        self.assertEqual(
            (command["start"], command["end"]),
            ("2026-10-28T08:00:00+00:00", "2026-11-28T08:00:00+00:00"),
        )

    def test_the_backfill_wizard_refuses_an_empty_or_reversed_request(self):
        Wizard = self.env["ha.history.backfill"].with_user(self.member)
        with self.assertRaises(ValidationError):
            Wizard.create(
                {
                    "instance_id": self.instance.id,
                    "date_from": "2026-11-28 08:00:00",
                    "date_to": "2026-11-27 08:00:00",
                }
            )
        wizard = Wizard.create({"instance_id": self.instance.id})
        with self.assertRaisesRegex(ValidationError, "Choose the entities"):
            wizard.action_backfill()
        self.assertFalse(self.home_assistant.received)


@tagged("post_install", "-at_install")
class TestCommandViews(HomeAssistantCommandCase):
    def test_the_audit_log_renders_for_users_and_administrators(self):
        door = self.env["ha.entity"].create(
            {"instance_id": self.instance.id, "entity_id": "lock.door", "available": True}
        )
        self.env.flush_all()
        door.with_user(self.member).call_entity_service("lock")
        self.home_assistant.script = error(403, "not_allowed", "no")
        with self.assert_raises_keeping_writes(UserError):
            door.with_user(self.member).call_entity_service("unlock", {"code": "1234"})
        ready = (
            "document.querySelector('.o_view_controller') && !document.querySelector('.o_loading')"
        )
        for login in ("ha_command_member", "admin"):
            for path in (
                "/odoo/action-home_assistant.action_ha_command",
                f"/odoo/action-home_assistant.action_ha_command/{self.audit_log()[-1].id}",
            ):
                with self.subTest(login=login, path=path):
                    self.browser_js(
                        path, "console.log('test successful')", ready=ready, login=login
                    )
