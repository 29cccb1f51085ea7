"""PROTOCOL §2: ha_pair / ha_unpair over JSON-RPC, and the pure validation in `pairing.py`."""

from urllib.parse import urlsplit

from odoo import Command, release
from odoo.addons.home_assistant.pairing import PairingError, is_http_url, pairing_values
from odoo.addons.home_assistant.tests.common import HomeAssistantHttpCase
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged

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

    def test_the_push_path_works_whatever_the_base_url_names(self):
        # Home Assistant uses only the path of push_url, under the URL it was given.
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://localhost:1")
        answer = self.env["ha.instance"].with_user(self.manager).ha_pair(PAIRING)
        path = urlsplit(answer["push_url"]).path
        self.assertEqual(path, f"/home_assistant/push/{PAIRING['uuid']}")
        batch = self.make_batch()
        response = self.push(batch, instance_uuid=PAIRING["uuid"], secret=PAIRING["secret"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.request.path_url, path)

    def test_pairing_keeps_a_path_but_refuses_user_info_query_and_fragment(self):
        pair = self.env["ha.instance"].with_user(self.manager).ha_pair
        pair(dict(PAIRING, ha_url="https://proxy.example.com/home-assistant/"))
        self.assertEqual(self.paired_instance().ha_url, "https://proxy.example.com/home-assistant")
        before = self.paired_instance().read(["ha_url", "command_url", "secret"])
        for changes in (
            {"ha_url": "https://user:pw@proxy.example.com"},
            {"ha_url": "https://proxy.example.com/?x=1"},
            {"ha_url": "https://proxy.example.com/#x"},
            {"ha_url": "https://proxy.example.com:70000"},
            {"command_url": "https://hooks.example.com/x?y=1"},
            {"command_url": "https://token@hooks.example.com/x"},
        ):
            with self.subTest(changes=changes), self.assertRaises(ValidationError):
                pair(dict(PAIRING, secret="cm90YXRlZC1yb3RhdGVkLXJvdGF0ZWQtcm90YXRlZA", **changes))
        self.assertEqual(self.paired_instance().read(["ha_url", "command_url", "secret"]), before)

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

    def credentials(self, instance):
        """What a takeover would change: secret, webhook id, command URL, URL, activity."""
        return (
            instance.sudo()
            .with_context(active_test=False)
            .read(["secret", "webhook_id", "command_url", "ha_url", "name", "active", "company_id"])
        )

    def test_an_administrator_of_another_company_can_neither_re_pair_nor_unpair(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        stranger = self._create_user(
            "ha_pairing_stranger",
            groups="home_assistant.group_home_assistant_manager",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        before = self.credentials(self.instance)
        takeover = dict(PAIRING, uuid=self.instance.uuid, command_url="https://evil.example/x")
        Instances = self.env["ha.instance"].with_user(stranger)
        with self.assertRaises(AccessError) as refused_pairing:
            Instances.ha_pair(takeover)
        with self.assertRaises(AccessError) as refused_unpairing:
            Instances.ha_unpair(self.instance.uuid)
        self.instance.active = False
        with self.assertRaises(AccessError):
            Instances.ha_pair(takeover)
        self.instance.active = True
        self.assertEqual(self.credentials(self.instance), before)
        # The same refusal as for a uuid nobody paired: it never tells whose instance it is.
        with self.assertRaises(AccessError) as refused_unknown:
            Instances.ha_unpair("never-paired-uuid")
        messages = {
            str(caught.exception)
            for caught in (refused_pairing, refused_unpairing, refused_unknown)
        }
        self.assertEqual(len(messages), 1)
        self.assertEqual(self.instance.search_count([("uuid", "=", self.instance.uuid)]), 1)

    def test_an_administrator_of_the_instance_company_may_re_pair_it(self):
        self.env["ha.instance"].with_user(self.manager).ha_pair(
            dict(PAIRING, uuid=self.instance.uuid)
        )
        self.assertEqual(self.instance.secret, PAIRING["secret"])
        self.assertTrue(
            self.env["ha.instance"].with_user(self.manager).ha_unpair(self.instance.uuid)
        )
        self.assertFalse(self.instance.active)

    def test_unpair_archives_and_keeps_the_history(self):
        self.env["ha.instance"].with_user(self.manager).ha_pair(PAIRING)
        instance = self.paired_instance()
        entity = self.env["ha.entity"].create(
            {"instance_id": instance.id, "entity_id": "sensor.kept", "state": "1"}
        )
        self.assertTrue(self.env["ha.instance"].with_user(self.manager).ha_unpair(PAIRING["uuid"]))
        self.assertFalse(instance.active)
        self.assertTrue(entity.exists())
        with self.assertRaises(AccessError):
            self.env["ha.instance"].with_user(self.manager).ha_unpair("unknown-uuid")


@tagged("post_install", "-at_install")
class TestPairingValues(TransactionCase):
    """`pairing.pairing_values` and `is_http_url` alone; the ORM only renders the messages."""

    def assert_refused(self, values, message):
        with self.assertRaises(PairingError) as caught:
            pairing_values(values)
        self.assertEqual(self.env._(caught.exception.message), message)

    def test_the_values_are_normalized_for_the_instance(self):
        values = pairing_values(
            dict(PAIRING, name="N" * 300, ha_version="9" * 100, command_url=None)
        )
        self.assertEqual(
            values,
            {
                "uuid": PAIRING["uuid"],
                "name": "N" * 256,
                "ha_url": "http://192.168.1.20:8123",
                "webhook_id": PAIRING["webhook_id"],
                "secret": PAIRING["secret"],
                "command_url": False,
                "ha_version": "9" * 64,
                "protocol": 1,
            },
        )

    def test_each_invalid_value_is_named(self):
        self.assert_refused(["not", "a", "dict"], "Pairing values must be an object.")
        self.assert_refused(
            dict(PAIRING, protocol=2),
            "Home Assistant speaks protocol 2, this Odoo speaks 1: update the older side.",
        )
        for key in ("uuid", "name", "ha_url", "webhook_id", "secret", "ha_version"):
            with self.subTest(key=key):
                self.assert_refused(dict(PAIRING, **{key: ""}), f"Pairing value {key} is missing.")
        self.assert_refused(
            dict(PAIRING, uuid="has spaces"), "The Home Assistant instance id is not valid."
        )
        self.assert_refused(
            dict(PAIRING, secret="too-short"),
            "The shared secret must be at least 32 base64url characters.",
        )
        self.assert_refused(dict(PAIRING, webhook_id="a/b"), "The webhook id is not valid.")
        with self.assertRaises(PairingError):
            pairing_values(dict(PAIRING, ha_url="ftp://ha.local"))
        with self.assertRaises(PairingError):
            pairing_values(dict(PAIRING, command_url="https://user@hooks.example.com/x"))

    def test_http_urls_have_a_host_and_no_user_query_or_fragment(self):
        for value, allow_path, expected in (
            ("http://ha.local:8123", False, True),
            ("https://ha.local/", False, True),
            ("https://proxy.example.com/ha", True, True),
            ("https://proxy.example.com/ha", False, False),
            ("ftp://ha.local", True, False),
            ("http://user@ha.local", True, False),
            ("http://ha.local/?q=1", True, False),
            ("http://ha.local/#x", True, False),
            ("http://ha.local:0", True, False),
            ("http://ha.local:99999", True, False),
            ("http:///path", True, False),
            ("http://ha .local", True, False),
            ("http://" + "a" * 2048, True, False),
            (None, True, False),
        ):
            with self.subTest(value=str(value)[:40], allow_path=allow_path):
                self.assertIs(is_http_url(value, allow_path), expected)
