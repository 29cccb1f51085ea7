"""Live updates: one bus message per batch, only to users allowed to read the instance."""

import json

import websocket as websocket_client

from odoo import Command
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.home_assistant.ingest import BUS_NOTIFICATION_TYPE
from odoo.addons.home_assistant.tests.common import (
    BusListener,
    HomeAssistantHttpCase,
    state_event,
)
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestBus(BusListener, HomeAssistantHttpCase, WebsocketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_instance = cls._create_instance("ha-test-instance-0002", "Warehouse")
        cls.member = cls._create_user("ha_bus_member")
        cls.outsider = cls._create_user("ha_bus_outsider")
        cls.instance.user_ids = [Command.link(cls.member.id)]
        cls.other_instance.user_ids = [Command.link(cls.outsider.id)]

    def test_one_compact_message_per_batch_on_the_instance_channel(self):
        self.push_ok(
            self.make_batch(
                [
                    state_event("light.a", "on", attributes={"brightness": 10}),
                    state_event("light.b", "off"),
                ]
            )
        )
        notification = self.notifications_of(self.instance)
        self.assertEqual(len(notification), 1)
        message = json.loads(notification.message)
        self.assertEqual(message["type"], BUS_NOTIFICATION_TYPE)
        self.assertEqual(message["payload"]["instance_id"], self.instance.id)
        states = {entity["entity_id"]: entity for entity in message["payload"]["entities"]}
        self.assertEqual(set(states), {"light.a", "light.b"})
        self.assertEqual(states["light.a"]["state"], "on")
        self.assertEqual(states["light.a"]["attributes"], {"brightness": 10})
        self.assertFalse(self.notifications_of(self.other_instance))

    def test_heartbeats_and_duplicates_send_nothing(self):
        self.push_ok(self.make_batch())
        batch = self.make_batch([state_event("light.a", "on")])
        self.push_ok(batch)
        self.push_ok(batch)
        self.assertEqual(len(self.notifications_of(self.instance)), 1)

    def test_only_allowed_users_receive_the_live_states(self):
        member_socket = self.connect_as("ha_bus_member")
        outsider_socket = self.connect_as("ha_bus_outsider")
        self.push_ok(self.make_batch([state_event("light.a", "on")]))
        self.trigger_notification_dispatching([self.instance])

        received = json.loads(member_socket.recv())
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["message"]["type"], BUS_NOTIFICATION_TYPE)
        self.assertEqual(received[0]["message"]["payload"]["entities"][0]["entity_id"], "light.a")

        outsider_socket.settimeout(0.5)
        with self.assertRaises(websocket_client.WebSocketTimeoutException):
            outsider_socket.recv()
