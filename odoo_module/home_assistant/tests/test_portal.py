"""The /my page of shared entities: what each user sees, its counter, its control route,
and a tour in headless Chromium as a portal user (live state, toggle)."""

from odoo.addons.home_assistant.tests.common import state_event
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase
from odoo.addons.home_assistant.tests.live_tour import LiveTourCase
from odoo.addons.home_assistant.tests.test_share_security import HOUR, ShareFixtures
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

PAGE = "/my/home-assistant"


@tagged("post_install", "-at_install")
class TestPortalPage(ShareFixtures, HomeAssistantCommandCase):
    def setUp(self):
        super().setUp()
        # A third portal user, whose share of the light ended an hour ago.
        self.stranger = self._create_user("ha_share_stranger", "base.group_portal")
        self.new_share(self.stranger, self.light, "control", start=-2 * HOUR, end=-HOUR)
        self.env.flush_all()

    def page_of(self, login):
        self.authenticate(login, login)
        response = self.url_open(PAGE)
        self.assertEqual(response.status_code, 200)
        return response.text

    def call(self, share, entity, service="toggle"):
        return self.make_jsonrpc_request(
            f"{PAGE}/call", {"share_id": share.id, "entity_id": entity.id, "service": service}
        )

    def test_each_user_sees_the_entities_of_their_valid_shares_only(self):
        page = self.page_of("ha_share_tenant")
        self.assertIn("Flat light", page)
        self.assertIn("21.5", page)
        self.assertEqual(page.count("o_ha_portal_control"), 1, "the light only; a sensor has none")
        self.assertNotIn("switch.garage", page)
        page = self.page_of("ha_share_neighbour")
        self.assertIn("switch.garage", page)
        self.assertNotIn("o_ha_portal_control", page, "a view-only share has no controls")
        self.assertNotIn("Flat light", page)
        page = self.page_of("ha_share_stranger")
        self.assertIn("o_ha_portal_empty", page)
        self.assertNotIn("Flat light", page)
        self.assertNotIn("o_ha_portal_entity", page)

    def test_the_page_needs_a_login(self):
        response = self.url_open(PAGE, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_the_my_card_counts_the_valid_shares(self):
        for login, count in (("ha_share_tenant", 1), ("ha_share_stranger", 0)):
            with self.subTest(login=login):
                self.authenticate(login, login)
                counters = self.make_jsonrpc_request(
                    "/my/counters", {"counters": ["ha_share_count"]}
                )
                self.assertEqual(counters["ha_share_count"], count)

    def test_the_control_route_sends_through_the_share_and_refuses_others(self):
        self.authenticate("ha_share_tenant", "ha_share_tenant")
        self.assertTrue(self.call(self.share, self.light)["ok"])
        self.authenticate("ha_share_neighbour", "ha_share_neighbour")
        with self.assertRaises(JsonRpcException):
            self.call(self.share, self.light)
        with self.assertRaises(JsonRpcException):
            self.call(self.other_share, self.garage)
        self.assertEqual([command["service"] for command in self.sent()], ["toggle"])
        self.assertEqual(self.sent()[0]["user"]["login"], "ha_share_tenant")


@tagged("post_install", "-at_install")
class TestPortalTour(ShareFixtures, LiveTourCase):
    def test_a_portal_user_sees_a_shared_light_change_live_and_toggles_it(self):
        now = self.env.cr.now()
        pushes = {
            name: self.signed_push(
                [
                    state_event(
                        "light.flat",
                        state,
                        at=now + offset,
                        attributes={"friendly_name": "Flat light"},
                    )
                ]
            )
            for name, state, offset in (
                ("light_on", "on", HOUR / 60),
                ("light_off", "off", HOUR / 30),
            )
        }
        self.start_live_tour(PAGE, "home_assistant_portal", "ha_share_tenant", pushes)

        [command] = self.sent()
        self.assertEqual((command["domain"], command["service"]), ("light", "toggle"))
        self.assertEqual(command["target"], {"entity_id": ["light.flat"]})
        self.assertEqual(command["user"]["name"], "Tina Tenant")
        [row] = self.audit_log().filtered(lambda log: log.command_type == "call_service")
        self.assertEqual((row.user_id, row.share_id), (self.tenant, self.share))
        self.assertEqual(self.light.state, "off")
