"""Camera stills without tokens: `camera_snapshot` (§4) and what ingest drops (§3)."""

import base64
import json

from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.home_assistant.tests.common import state_event
from odoo.addons.home_assistant.tests.fake_home_assistant import (
    STILL_PNG,
    HomeAssistantCommandCase,
    error,
)
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

CAMERA = "camera.front_door"
TOKEN = "5f2c0ffee5f2c0ffee5f2c0ffee5f2c0ffee"
CAMERA_ATTRIBUTES = {
    "friendly_name": "Front door",
    "access_token": TOKEN,
    "entity_picture": f"/api/camera_proxy/{CAMERA}?token={TOKEN}",
    "entity_picture_local": f"/api/camera_proxy/{CAMERA}?token={TOKEN}",
    "brand": "Demo",
}


@tagged("post_install", "-at_install")
class TestCameraSnapshot(HomeAssistantCommandCase):
    def setUp(self):
        super().setUp()
        self.push_ok(
            self.make_batch(
                [
                    state_event(CAMERA, "idle", attributes=CAMERA_ATTRIBUTES),
                    state_event("light.porch", "on"),
                ]
            )
        )
        self.env.flush_all()
        self.camera = self.entity(CAMERA)
        self.home_assistant.received.clear()

    def snapshot(self, user=None, **size):
        return self.camera.with_user(user or self.member).camera_snapshot(**size)

    def test_a_still_comes_back_as_a_data_url_and_the_audit_keeps_no_image(self):
        result = self.snapshot(width=640, height=480)

        [command] = self.sent()
        self.assertEqual(command["type"], "camera_snapshot")
        self.assertEqual(
            {key: command[key] for key in ("entity_id", "width", "height")},
            {"entity_id": CAMERA, "width": 640, "height": 480},
        )
        self.assertEqual(command["user"]["login"], "ha_command_member")
        expected = "data:image/png;base64," + base64.b64encode(STILL_PNG).decode()
        [row] = self.audit_log()
        self.assertEqual(
            result,
            {
                "ok": True,
                "command_id": row.id,
                "latency_ms": row.latency_ms,
                "content_type": "image/png",
                "bytes": len(STILL_PNG),
                "data_url": expected,
            },
        )
        self.assertEqual(
            (row.command_type, row.state, row.user_id), ("camera_snapshot", "ok", self.member)
        )
        self.assertEqual(row.data, {"entity_id": CAMERA, "width": 640, "height": 480})
        self.assertNotIn("image", row.answer)
        self.assertEqual(row.answer["bytes"], len(STILL_PNG))
        self.assertNotIn(base64.b64encode(STILL_PNG).decode(), row.answer_text)

    def test_tokens_and_proxy_urls_never_reach_records_history_or_the_bus(self):
        kept = {"friendly_name": "Front door", "brand": "Demo"}
        self.assertEqual(self.camera.attributes, kept)
        self.assertNotIn(TOKEN, self.camera.attributes_text)
        history = self.history(self.camera)
        self.assertTrue(history)
        for row in history:
            self.assertNotIn(TOKEN, json.dumps(row.read()[0], default=str))
        channel = json_dump(channel_with_db(self.env.cr.dbname, self.instance))
        messages = self.env["bus.bus"].sudo().search([("channel", "=", channel)])
        self.assertTrue(messages)
        for message in messages:
            self.assertNotIn(TOKEN, message.message)
            self.assertNotIn("camera_proxy", message.message)

    def test_other_domains_lose_only_token_bearing_pictures(self):
        self.push_ok(
            self.make_batch(
                [
                    state_event(
                        "media_player.radio",
                        "playing",
                        attributes={
                            "entity_picture": f"/api/media_player_proxy/radio?token={TOKEN}",
                            "access_token": TOKEN,
                            "volume_level": 0.5,
                        },
                    ),
                    state_event(
                        "person.jane",
                        "home",
                        attributes={"entity_picture": "/local/jane.png"},
                    ),
                ]
            )
        )
        self.assertEqual(self.entity("media_player.radio").attributes, {"volume_level": 0.5})
        self.assertEqual(
            self.entity("person.jane").attributes, {"entity_picture": "/local/jane.png"}
        )

    def test_an_entity_that_is_no_camera_is_refused_and_nothing_is_sent(self):
        with self.assertRaisesRegex(UserError, "no camera"):
            self.entity("light.porch").with_user(self.member).camera_snapshot()
        for size in ({"width": 0}, {"height": 4097}, {"width": "640"}, {"width": True}):
            with self.subTest(size=size), self.assertRaises(ValidationError):
                self.snapshot(**size)
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_a_user_who_cannot_read_the_camera_gets_an_access_error(self):
        outsider = self._create_user("ha_camera_outsider")
        with self.assertRaises(AccessError):
            self.snapshot(user=outsider)
        self.assertFalse(self.home_assistant.received)

    def test_home_assistant_refusals_say_what_to_do(self):
        cases = [
            (
                error(403, "not_allowed", "Odoo may not fetch camera images"),
                "Allow Odoo to fetch camera snapshots",
            ),
            (error(413, "image_too_large", "The still is 3000000 bytes"), "at most 2 MiB"),
        ]
        for answer, hint in cases:
            self.home_assistant.script = answer
            with self.subTest(code=answer[1]["error"]["code"]):
                with self.assert_raises_keeping_writes(UserError) as caught:
                    self.snapshot()
                self.assertIn(hint, str(caught.exception))
                self.assertIn(answer[1]["error"]["message"], str(caught.exception))
        self.assertEqual(self.audit_log().mapped("error_code"), ["not_allowed", "image_too_large"])

    def test_an_answer_without_a_showable_image_is_refused(self):
        ok = {"ok": True, "id": "x", "bytes": 4}
        cases = [
            ({**ok, "content_type": "image/svg+xml", "image": "PHN2Zz4="}, "not shown"),
            ({**ok, "content_type": "image/png", "image": "not base64!"}, "not base64"),
            ({**ok, "content_type": "image/png"}, "no image"),
            ({**ok, "content_type": "image/png", "image": "A" * (3 * 1024 * 1024)}, "larger"),
        ]
        for body, reason in cases:
            self.home_assistant.script = (200, body)
            with self.subTest(reason=reason), self.assertRaisesRegex(UserError, reason):
                self.snapshot()

    def test_the_demo_cameras_jpg_type_is_shown_as_jpeg(self):
        image = base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
        self.home_assistant.script = (
            200,
            {"ok": True, "id": "x", "content_type": "image/jpg", "image": image},
        )
        result = self.snapshot()
        self.assertEqual(result["data_url"], f"data:image/jpeg;base64,{image}")
        self.assertEqual(result["bytes"], 8)


@tagged("post_install", "-at_install")
class TestCameraTour(HomeAssistantCommandCase, WebsocketCase):
    """The still on the dashboard card and the entity form, in headless Chromium."""

    def test_the_card_and_the_form_show_the_still_and_refresh_it(self):
        self.push_ok(self.make_batch([state_event(CAMERA, "idle", attributes=CAMERA_ATTRIBUTES)]))
        camera = self.entity(CAMERA)
        self.start_tour("/odoo/home-assistant", "home_assistant_camera", login="ha_command_member")
        self.start_tour(
            f"/odoo/action-home_assistant.action_ha_entity/{camera.id}",
            "home_assistant_camera_form",
            login="ha_command_member",
        )
        self.assertEqual(
            [(command["type"], command["entity_id"]) for command in self.sent()],
            [("camera_snapshot", CAMERA)] * 3,
        )
        self.assertEqual(
            self.audit_log().mapped(lambda row: (row.command_type, row.state, row.user_id)),
            [("camera_snapshot", "ok", self.member)] * 3,
        )
