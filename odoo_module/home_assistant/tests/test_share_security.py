"""Portal sharing tried each way around: direct RPC, another share's id, an expired, a
scheduled or revoked share, a view-only share sending a command, a service outside the
table, the bus; and the audit log of sharing, revoking and commands through a share."""

import json
from datetime import timedelta

import websocket as websocket_client

from odoo import Command, fields
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.models.ha_share import BUS_NOTIFICATION_TYPE
from odoo.addons.home_assistant.tests.common import (
    BusListener,
    HomeAssistantHttpCase,
    state_event,
)
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

HOUR = timedelta(hours=1)


class ShareFixtures:
    """Three entities, two portal users and a share for each, made by an administrator."""

    def setUp(self):
        super().setUp()
        self.instance._ingest_batch(
            self.make_batch(
                [
                    state_event("light.flat", "off", attributes={"friendly_name": "Flat light"}),
                    state_event("sensor.flat", "21.5", attributes={"unit_of_measurement": "°C"}),
                    state_event("switch.garage", "off"),
                ]
            )
        )
        self.manager = self._create_user(
            "ha_share_manager", groups="home_assistant.group_home_assistant_manager"
        )
        self.tenant = self._create_user("ha_share_tenant", "base.group_portal", name="Tina Tenant")
        self.neighbour = self._create_user(
            "ha_share_neighbour", "base.group_portal", name="Ned Neighbour"
        )
        self.light, self.sensor, self.garage = (
            self.entity(entity_id) for entity_id in ("light.flat", "sensor.flat", "switch.garage")
        )
        self.share = self.new_share(self.tenant, self.light | self.sensor, "control")
        self.other_share = self.new_share(self.neighbour, self.garage, "view")
        self.env.flush_all()

    def new_share(self, user, entities, access, start=-HOUR, end=HOUR):
        now = fields.Datetime.now()
        return (
            self.env["ha.share"]
            .with_user(self.manager)
            .create(
                {
                    "user_id": user.id,
                    "entity_ids": [Command.set(entities.ids)],
                    "access": access,
                    "date_start": now + start,
                    "date_end": now + end,
                }
            )
            .sudo()
        )

    def shares_of(self, user):
        return self.env["ha.share"].with_user(user)

    def expire(self, share):
        share.with_user(self.manager).write(
            {"date_start": fields.Datetime.now() - 2 * HOUR, "date_end": fields.Datetime.now()}
        )


@tagged("post_install", "-at_install")
class TestShareSecurity(ShareFixtures, HomeAssistantCommandCase):
    def assert_refused(self, user, share, entity, service="toggle", exception=AccessError):
        with self.assert_raises_keeping_writes(exception):
            self.shares_of(user).portal_call(share.id, entity.id, service)

    def audit_of(self, *kinds):
        return self.audit_log().filtered(lambda row: row.command_type in kinds)

    def test_portal_users_have_no_access_to_entities_history_commands_or_instances(self):
        for model in ("ha.entity", "ha.entity.history", "ha.command", "ha.instance", "ha.area"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.tenant).search([])
        with self.assertRaises(AccessError):
            self.light.with_user(self.tenant).read(["state"])
        with self.assertRaises(AccessError):
            self.light.with_user(self.tenant).call_entity_service("toggle")
        self.assertFalse(self.home_assistant.received)

    def test_an_internal_user_without_the_groups_gets_the_share_and_no_more(self):
        employee = self._create_user("ha_share_employee", "base.group_user", name="Emma Employee")
        share = self.new_share(employee, self.garage, "control")
        [states] = self.shares_of(employee).portal_states()
        self.assertEqual((states["id"], states["entities"][0]["control"]), (share.id, "toggle"))
        with self.assertRaises(AccessError):
            self.env["ha.entity"].with_user(employee).search([])
        self.env.flush_all()
        self.shares_of(employee).portal_call(share.id, self.garage.id, "turn_on")
        self.assertEqual(self.sent()[0]["user"]["name"], "Emma Employee")

    def test_portal_users_read_their_own_shares_and_change_none(self):
        self.assertEqual(self.shares_of(self.tenant).search([]), self.share)
        with self.assertRaises(AccessError):
            self.other_share.with_user(self.tenant).read(["access"])
        with self.assertRaises(AccessError):
            self.share.with_user(self.tenant).write({"access": "control"})
        with self.assertRaises(AccessError):
            self.shares_of(self.tenant).create(
                {
                    "user_id": self.tenant.id,
                    "entity_ids": [Command.set(self.garage.ids)],
                    "date_end": fields.Datetime.now() + HOUR,
                }
            )
        with self.assertRaises(AccessError):
            self.share.with_user(self.tenant).unlink()

    def test_only_administrators_share_and_never_with_home_assistant_users(self):
        with self.assertRaises(AccessError):
            self.shares_of(self.member).create(
                {
                    "user_id": self.tenant.id,
                    "entity_ids": [Command.set(self.garage.ids)],
                    "date_end": fields.Datetime.now() + HOUR,
                }
            )
        with self.assertRaises(ValidationError):
            self.new_share(self.member, self.garage, "view")
        with self.assertRaises(ValidationError):
            self.new_share(self.tenant, self.garage, "view", start=HOUR, end=-HOUR)

    def test_the_share_action_of_entities_is_for_administrators(self):
        action = self.env.ref("home_assistant.action_ha_entity_share")
        self.assertEqual(action.binding_model_id.model, "ha.entity")
        self.assertEqual(
            action[compat.ACTION_GROUPS_FIELD],
            self.env.ref("home_assistant.group_home_assistant_manager"),
        )
        context = safe_eval(action.context, {"active_ids": (self.light | self.garage).ids})
        share = (
            self.shares_of(self.manager)
            .with_context(**context)
            .create({"user_id": self.neighbour.id, "date_end": fields.Datetime.now() + HOUR})
        )
        self.assertEqual(share.entity_ids, self.light | self.garage)
        self.assertEqual((share.access, share.status), ("view", "valid"))

    def test_administrators_share_only_the_entities_they_can_read(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        elsewhere = self._create_instance(
            "ha-share-elsewhere", "Elsewhere", company_id=other_company.id
        )
        hidden = self.env["ha.entity"].create(
            {"instance_id": elsewhere.id, "entity_id": "lock.elsewhere"}
        )
        other_manager = self._create_user(
            "ha_share_other_manager",
            groups="home_assistant.group_home_assistant_manager",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self.assertFalse(self.shares_of(other_manager).search([]), "another company's shares")
        with self.assertRaises(AccessError):
            self.new_share(self.tenant, self.light | hidden, "control")
        with self.assertRaises(AccessError):
            self.share.with_user(self.manager).entity_ids = [Command.link(hidden.id)]
        self.assertEqual(self.share.entity_ids, self.light | self.sensor)

    def test_states_are_those_of_the_users_valid_shares_only(self):
        [share] = self.shares_of(self.tenant).portal_states()
        self.assertEqual(share["id"], self.share.id)
        rows = {row["entity_id"]: row for row in share["entities"]}
        self.assertEqual(set(rows), {"light.flat", "sensor.flat"})
        self.assertEqual(
            (rows["light.flat"]["state"], rows["light.flat"]["control"]), ("off", "toggle")
        )
        self.assertEqual(
            (rows["sensor.flat"]["state"], rows["sensor.flat"]["unit"]), ("21.5", "°C")
        )
        self.assertFalse(rows["sensor.flat"]["control"])
        [other] = self.shares_of(self.neighbour).portal_states()
        self.assertEqual([row["entity_id"] for row in other["entities"]], ["switch.garage"])
        self.assertFalse(other["entities"][0]["control"], "a view-only share offers no control")

    def test_expired_scheduled_revoked_and_archived_shares_give_nothing(self):
        scheduled = self.new_share(self.neighbour, self.light, "control", start=HOUR, end=2 * HOUR)
        self.expire(self.share)
        for user, share in ((self.tenant, self.share), (self.neighbour, scheduled)):
            with self.subTest(share=share.status):
                self.assertNotIn(
                    share.id, [row["id"] for row in self.shares_of(user).portal_states()]
                )
                self.assert_refused(user, share, self.light)
        self.share.with_user(self.manager).write({"date_end": fields.Datetime.now() + HOUR})
        self.assertEqual(len(self.shares_of(self.tenant).portal_states()), 1)
        self.share.with_user(self.manager).action_revoke()
        self.assertEqual(self.shares_of(self.tenant).portal_states(), [])
        self.assert_refused(self.tenant, self.share, self.light)
        self.assertFalse(self.shares_of(self.tenant).search([]), "a revoked share is not read")
        self.other_share.with_user(self.manager).active = False
        self.assertEqual(self.shares_of(self.neighbour).portal_states(), [])
        self.assertFalse(self.home_assistant.received)

    def test_another_users_share_or_an_entity_outside_the_share_is_refused(self):
        self.assert_refused(self.tenant, self.other_share, self.garage)
        self.assert_refused(self.neighbour, self.share, self.light)
        self.assert_refused(self.tenant, self.share, self.garage)
        with self.assert_raises_keeping_writes(AccessError):
            self.shares_of(self.tenant).portal_call(self.share.id + 1000, self.light.id, "toggle")
        with self.assert_raises_keeping_writes(AccessError):
            self.shares_of(self.tenant).portal_call(str(self.share.id), self.light.id, "toggle")
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_of("call_service"))

    def test_a_view_only_share_sends_no_command(self):
        self.assert_refused(self.neighbour, self.other_share, self.garage)
        self.assert_refused(self.neighbour, self.other_share, self.garage, "turn_on")
        self.assertFalse(self.home_assistant.received)

    def test_a_service_outside_the_domain_table_is_refused(self):
        self.assert_refused(self.tenant, self.share, self.light, "unlock", ValidationError)
        self.assert_refused(self.tenant, self.share, self.sensor, "toggle", ValidationError)
        self.assertFalse(self.home_assistant.received)

    def test_a_command_through_a_share_is_sent_as_its_user_and_audited(self):
        answer = self.shares_of(self.tenant).portal_call(self.share.id, self.light.id, "toggle")
        self.assertTrue(answer["ok"])
        [command] = self.sent()
        self.assertEqual((command["domain"], command["service"]), ("light", "toggle"))
        self.assertEqual(command["target"], {"entity_id": ["light.flat"]})
        self.assertEqual(command["user"], {"login": "ha_share_tenant", "name": "Tina Tenant"})
        [row] = self.audit_of("call_service")
        self.assertEqual(
            (row.user_id, row.share_id, row.shared_user_id), (self.tenant, self.share, self.tenant)
        )
        self.assertEqual(row.state, "ok")

    def test_sharing_and_revoking_are_audited_with_the_users_name(self):
        shared = self.audit_of("share")
        self.assertEqual(shared.share_id, self.share | self.other_share)
        self.assertEqual(set(shared.user_id), {self.manager})
        row = shared.filtered(lambda r: r.share_id == self.share)
        self.assertEqual(row.shared_user_id, self.tenant)
        self.assertEqual(row.data["shared_with"], "Tina Tenant")
        self.assertEqual(row.data["access"], "control")
        self.assertEqual(sorted(row.target["entity_id"]), ["light.flat", "sensor.flat"])
        self.share.with_user(self.manager).action_revoke()
        self.other_share.with_user(self.manager).unlink()
        revoked = self.audit_of("share_revoked")
        self.assertEqual(
            [(r.user_id, r.data["shared_with"]) for r in revoked],
            [(self.manager, "Tina Tenant"), (self.manager, "Ned Neighbour")],
        )


@tagged("post_install", "-at_install")
class TestShareBus(ShareFixtures, BusListener, HomeAssistantHttpCase, WebsocketCase):
    def push_states(self, *states):
        """Push new states, `(entity id, state)`, newer than the fixtures' ones."""
        at = fields.Datetime.now()
        self.push_ok(self.make_batch([state_event(*state, at=at) for state in states]))

    def test_ingest_sends_each_valid_share_its_own_entities_only(self):
        self.push_states(("light.flat", "on"), ("switch.garage", "on"))
        [notification] = self.notifications_of(self.share)
        message = json.loads(notification.message)
        self.assertEqual(message["type"], BUS_NOTIFICATION_TYPE)
        self.assertEqual(message["payload"]["share_id"], self.share.id)
        self.assertEqual(
            [row["entity_id"] for row in message["payload"]["entities"]], ["light.flat"]
        )
        self.assertEqual(message["payload"]["entities"][0]["state"], "on")
        self.assertEqual(len(self.notifications_of(self.other_share)), 1)

    def test_expired_and_revoked_shares_get_no_message(self):
        self.expire(self.share)
        self.other_share.with_user(self.manager).action_revoke()
        self.push_states(("light.flat", "on"), ("switch.garage", "on"))
        self.assertFalse(self.notifications_of(self.share))
        self.assertFalse(self.notifications_of(self.other_share))

    def test_only_the_shares_user_receives_it_and_not_once_revoked(self):
        tenant_socket = self.connect_as("ha_share_tenant")
        neighbour_socket = self.connect_as("ha_share_neighbour")
        self.push_states(("light.flat", "on"))
        self.trigger_notification_dispatching([self.share])
        [received] = json.loads(tenant_socket.recv())
        self.assertEqual(received["message"]["type"], BUS_NOTIFICATION_TYPE)
        self.assertEqual(received["message"]["payload"]["entities"][0]["entity_id"], "light.flat")
        neighbour_socket.settimeout(0.5)
        with self.assertRaises(websocket_client.WebSocketTimeoutException):
            neighbour_socket.recv()

        # Revoked while subscribed: the send-time filter stops the next message.
        self.share.with_user(self.manager).action_revoke()
        self.push_states(("light.flat", "off"))
        self.trigger_notification_dispatching([self.share])
        tenant_socket.settimeout(0.5)
        with self.assertRaises(websocket_client.WebSocketTimeoutException):
            tenant_socket.recv()

    def test_the_websocket_subscribes_to_the_valid_shares_of_its_user_only(self):
        self.expire(self.other_share)
        tenant_socket = self.connect_as("ha_share_tenant")
        neighbour_socket = self.connect_as("ha_share_neighbour")
        # Sent on the channels directly, past the send-time filter: only a subscription
        # could deliver them.
        for share in (self.share, self.other_share):
            share._bus_send("home_assistant/test", {"share_id": share.id})
        self.trigger_notification_dispatching([self.share, self.other_share])
        received = json.loads(tenant_socket.recv())
        self.assertEqual(
            [item["message"]["payload"] for item in received], [{"share_id": self.share.id}]
        )
        neighbour_socket.settimeout(0.5)
        with self.assertRaises(websocket_client.WebSocketTimeoutException):
            neighbour_socket.recv()
