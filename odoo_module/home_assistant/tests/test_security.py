"""Who sees what: instance membership, companies, administrators, and the secrets."""

from odoo import Command
from odoo.addons.home_assistant.tests.common import HomeAssistantCase
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools.misc import file_path


@tagged("post_install", "-at_install")
class TestSecurity(HomeAssistantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_instance = cls._create_instance("ha-test-instance-0002", "Warehouse")
        cls.member = cls._create_user("ha_member")
        cls.outsider = cls._create_user("ha_outsider")
        cls.manager = cls._create_user(
            "ha_security_manager", groups="home_assistant.group_home_assistant_manager"
        )
        cls.employee = cls._create_user("ha_employee", groups="base.group_user")
        cls.instance.user_ids = [Command.link(cls.member.id)]
        cls.entity = cls._create_entity(cls.instance, "light.office")
        cls.other_entity = cls._create_entity(cls.other_instance, "light.dock")

    @classmethod
    def _create_entity(cls, instance, entity_id):
        entity = cls.env["ha.entity"].create(
            {"instance_id": instance.id, "entity_id": entity_id, "state": "on"}
        )
        cls.env["ha.entity.history"].create(
            {
                "entity_id": entity.id,
                "state": "on",
                "last_updated": "2026-11-28 18:00:00",
            }
        )
        return entity

    def visible(self, user, model):
        return self.env[model].with_user(user).search([])

    def test_a_member_sees_only_the_instances_they_are_allowed_on(self):
        self.assertEqual(self.visible(self.member, "ha.instance"), self.instance)
        self.assertEqual(self.visible(self.member, "ha.entity"), self.entity)
        self.assertEqual(self.visible(self.member, "ha.entity.history").entity_id, self.entity)
        with self.assertRaises(AccessError):
            self.other_entity.with_user(self.member).read(["state"])

    def test_a_user_of_no_instance_sees_nothing(self):
        for model in ("ha.instance", "ha.entity", "ha.entity.history", "ha.area", "ha.device"):
            with self.subTest(model=model):
                self.assertFalse(self.visible(self.outsider, model))

    def test_an_employee_without_the_group_has_no_access(self):
        with self.assertRaises(AccessError):
            self.visible(self.employee, "ha.entity")

    def test_users_only_read_administrators_configure(self):
        with self.assertRaises(AccessError):
            self.entity.with_user(self.member).write({"state": "off"})
        with self.assertRaises(AccessError):
            self.instance.with_user(self.member).write({"history_retention_days": 1})
        self.instance.with_user(self.manager).write({"history_retention_days": 1})
        self.assertEqual(self.instance.history_retention_days, 1)

    def test_administrators_see_every_instance_of_their_companies(self):
        instances = self.instance | self.other_instance
        self.assertEqual(self.visible(self.manager, "ha.instance") & instances, instances)
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.other_instance.company_id = other_company
        self.assertNotIn(self.other_instance, self.visible(self.manager, "ha.instance"))
        self.assertNotIn(self.other_entity, self.visible(self.manager, "ha.entity"))

    def test_a_member_of_another_company_does_not_see_the_instance(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.instance.company_id = other_company
        self.assertFalse(self.visible(self.member, "ha.instance"))

    def test_secrets_are_for_system_administrators_only(self):
        with self.assertRaises(AccessError):
            self.instance.with_user(self.manager).read(["secret"])
        with self.assertRaises(AccessError):
            self.instance.with_user(self.member).read(["webhook_id"])
        fields = self.env["ha.instance"].with_user(self.manager).fields_get()
        self.assertNotIn("secret", fields)

    def test_secrets_are_never_exported(self):
        exportable = self.env["ha.instance"].fields_get(attributes=["exportable"])
        self.assertFalse(exportable["secret"]["exportable"])
        self.assertFalse(exportable["webhook_id"]["exportable"])

    def test_neutralization_clears_secrets_and_urls(self):
        with open(file_path("home_assistant/data/neutralize.sql")) as script:
            self.env.cr.execute(script.read())
        self.instance.invalidate_recordset()
        self.assertFalse(self.instance.secret)
        self.assertFalse(self.instance.webhook_id)
        self.assertFalse(self.instance.ha_url)


@tagged("post_install", "-at_install")
class TestInstanceUrls(HomeAssistantCase):
    """Where signed commands go: set by pairing, else only by Settings administrators."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_user(
            "ha_url_manager", groups="home_assistant.group_home_assistant_manager"
        )
        cls.system = cls._create_user(
            "ha_url_system",
            groups="home_assistant.group_home_assistant_manager,base.group_system",
        )

    def urls(self):
        return self.instance.read(["ha_url", "command_url"])[0]

    def test_a_home_assistant_administrator_may_not_move_the_urls(self):
        before = self.urls()
        for values in (
            {"ha_url": "https://attacker.example.com"},
            {"ha_url": False},
            {"command_url": "https://attacker.example.com"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                self.instance.with_user(self.manager).write(values)
        with self.assertRaises(AccessError):
            self.env["ha.instance"].with_user(self.manager).create(
                {"uuid": "ha-url-created", "name": "New", "ha_url": "https://ha.example.com"}
            )
        self.assertEqual(self.urls(), before)
        self.assertFalse(self.env["ha.instance"].search([("uuid", "=", "ha-url-created")]))
        # Everything else stays theirs to configure.
        self.instance.with_user(self.manager).write({"name": "Renamed", "heartbeat_interval": 60})

    def test_settings_administrators_set_an_origin_and_nothing_more(self):
        instance = self.instance.with_user(self.system)
        instance.write({"ha_url": "https://ha.example.com:8443/"})
        self.assertEqual(self.instance.ha_url, "https://ha.example.com:8443")
        instance.write({"ha_url": "http://[fd00::1]:8123", "command_url": "https://hooks.example"})
        self.assertEqual(
            self.urls(),
            {
                "id": self.instance.id,
                "ha_url": "http://[fd00::1]:8123",
                "command_url": "https://hooks.example",
            },
        )
        before = self.urls()
        for url in (
            "ftp://ha.example.com",
            "https://ha.example.com/api/webhook/elsewhere",
            "https://ha.example.com?next=https://attacker.example.com",
            "https://ha.example.com/#fragment",
            "https://user:password@ha.example.com",
            "https://attacker.example.com@ha.example.com",
            "https://ha.example.com:99999",
            "https://ha.example.com:0",
            "https:///no-host",
            "javascript:alert(1)",
            "https://ha example.com",
            "https:\\\\attacker.example.com",
            "https://" + "a" * 2048 + ".com",
        ):
            for name in ("ha_url", "command_url"):
                with self.subTest(name=name, url=url), self.assertRaises(ValidationError):
                    instance.write({name: url})
        self.assertEqual(self.urls(), before)

    def test_the_form_shows_the_url_read_only_to_others(self):
        arch = self.env["ha.instance"].with_user(self.manager).get_views([(False, "form")])
        form = arch["views"]["form"]["arch"]
        self.assertIn('name="ha_url"', form)
        self.assertNotIn('name="command_url"', form)
