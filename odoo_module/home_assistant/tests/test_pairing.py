"""PROTOCOL §2: ha_pair / ha_unpair, as Home Assistant calls them over JSON-RPC."""

from odoo import release
from odoo.addons.home_assistant.tests.common import HomeAssistantHttpCase
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

PAIRING = {
    "uuid": "0f3d8c2b9a7e4d1c8b6a5f4e3d2c1b0a",
    "name": "Warehouse",
    "ha_url": "http://192.168.1.20:8123/",
    "webhook_id": "odoo-0f3d8c2b",
    "secret": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",
    "ha_version": "2026.10.4",
    "protocol": 1,
}


@tagged("post_install", "-at_install")
class TestPairing(HomeAssistantHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_user(
            "ha_pairing_manager", groups="home_assistant.group_home_assistant_manager"
        )
        cls.user = cls._create_user("ha_pairing_user")

    def pair_over_json_rpc(self, login, values):
        """Call ha_pair the way odoorpc does: a session, then call_kw."""
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/ha.instance/ha_pair",
            {"model": "ha.instance", "method": "ha_pair", "args": [values], "kwargs": {}},
        )

    def paired_instance(self):
        return (
            self.env["ha.instance"]
            .sudo()
            .with_context(active_test=False)
            .search([("uuid", "=", PAIRING["uuid"])])
        )

    def test_manager_pairs_over_json_rpc_and_gets_the_push_url(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        answer = self.pair_over_json_rpc("ha_pairing_manager", PAIRING)
        instance = self.paired_instance()
        self.assertEqual(
            answer,
            {
                "instance_id": instance.id,
                "push_url": f"https://odoo.example.com/home_assistant/push/{PAIRING['uuid']}",
                "odoo_version": release.major_version,
                "protocol": 1,
            },
        )
        self.assertEqual(instance.name, "Warehouse")
        self.assertEqual(instance.ha_url, "http://192.168.1.20:8123")
        self.assertEqual(instance.secret, PAIRING["secret"])
        self.assertEqual(instance.company_id, self.manager.company_id)
        self.assertIn(self.manager, instance.user_ids)

    def test_pairing_again_rotates_the_secret_and_reattaches(self):
        first = self.env["ha.instance"].with_user(self.manager).ha_pair(PAIRING)
        self.env["ha.instance"].with_user(self.manager).ha_unpair(PAIRING["uuid"])
        rotated = dict(PAIRING, secret="bmV3LXNlY3JldC1uZXctc2VjcmV0LW5ldy1zZWNyZXQ", name="W2")
        second = self.env["ha.instance"].with_user(self.manager).ha_pair(rotated)
        self.assertEqual(first["instance_id"], second["instance_id"])
        instance = self.paired_instance()
        self.assertEqual(len(instance), 1)
        self.assertTrue(instance.active)
        self.assertEqual(instance.secret, rotated["secret"])
        self.assertEqual(instance.name, "W2")

    def test_a_user_without_the_administrator_group_cannot_pair(self):
        with self.assertRaises(AccessError):
            self.env["ha.instance"].with_user(self.user).ha_pair(PAIRING)
        with self.assertRaises(AccessError):
            self.env["ha.instance"].with_user(self.user).ha_unpair(self.instance.uuid)
        self.assertFalse(self.paired_instance())
        self.assertTrue(self.instance.active)

    def test_refused_over_json_rpc_too(self):
        with self.assertRaises(Exception) as caught:
            self.pair_over_json_rpc("ha_pairing_user", PAIRING)
        self.assertIn("AccessError", str(caught.exception))
        self.assertFalse(self.paired_instance())

    def test_invalid_pairing_values_are_refused(self):
        pair = self.env["ha.instance"].with_user(self.manager).ha_pair
        for changes in (
            {"protocol": 2},
            {"secret": "too-short"},
            {"ha_url": "ftp://ha.local"},
            {"uuid": "has spaces"},
            {"name": None},
        ):
            with self.subTest(changes=changes), self.assertRaises(ValidationError):
                pair(dict(PAIRING, **changes))
        with self.assertRaises(ValidationError):
            pair(["not", "a", "dict"])
        self.assertFalse(self.paired_instance())

    def test_unpair_archives_and_keeps_the_history(self):
        self.env["ha.instance"].with_user(self.manager).ha_pair(PAIRING)
        instance = self.paired_instance()
        entity = self.env["ha.entity"].create(
            {"instance_id": instance.id, "entity_id": "sensor.kept", "state": "1"}
        )
        self.assertTrue(self.env["ha.instance"].with_user(self.manager).ha_unpair(PAIRING["uuid"]))
        self.assertFalse(instance.active)
        self.assertTrue(entity.exists())
        self.assertFalse(self.env["ha.instance"].with_user(self.manager).ha_unpair("unknown-uuid"))
