"""Who sees what: instance membership, companies, administrators, and the secrets."""

from odoo import Command
from odoo.addons.home_assistant.tests.common import HomeAssistantCase
from odoo.exceptions import AccessError
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
