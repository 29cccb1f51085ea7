"""Who sees and changes labels, floors, Odoo's tags and entity groups."""

from odoo import Command
from odoo.addons.home_assistant.tests.common import HomeAssistantCase
from odoo.exceptions import AccessError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestOrganisationSecurity(HomeAssistantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.other_instance = cls._create_instance(
            "ha-test-instance-0002", "Warehouse", company_id=cls.other_company.id
        )
        cls.member = cls._create_user("ha_organisation_member")
        cls.manager = cls._create_user(
            "ha_organisation_manager", groups="home_assistant.group_home_assistant_manager"
        )
        cls.other_manager = cls._create_user(
            "ha_organisation_other_manager",
            groups="home_assistant.group_home_assistant_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.instance.user_ids = [Command.link(cls.member.id)]
        cls.entity = cls.env["ha.entity"].create(
            {"instance_id": cls.instance.id, "entity_id": "light.office"}
        )
        cls.records = {}
        for instance in (cls.instance, cls.other_instance):
            cls.records[instance] = {
                "ha.label": cls.env["ha.label"].create(
                    {"instance_id": instance.id, "ha_label_id": "safe", "name": "Safe"}
                ),
                "ha.floor": cls.env["ha.floor"].create(
                    {"instance_id": instance.id, "ha_floor_id": "ground", "name": "Ground"}
                ),
            }
        cls.tag = cls.env["ha.tag"].create({"name": "Energy"})
        cls.group = cls.env["ha.entity.group"].create(
            {"name": "Meters", "entity_ids": [Command.link(cls.entity.id)]}
        )
        cls.other_tag = cls.env["ha.tag"].create(
            {"name": "Dock", "company_id": cls.other_company.id}
        )
        cls.other_group = cls.env["ha.entity.group"].create(
            {"name": "Dock", "company_id": cls.other_company.id}
        )

    def visible(self, user, model):
        return self.env[model].with_user(user).search([])

    def test_labels_and_floors_follow_their_instance(self):
        for model in ("ha.label", "ha.floor"):
            with self.subTest(model=model):
                self.assertEqual(
                    self.visible(self.member, model), self.records[self.instance][model]
                )
                self.assertEqual(
                    self.visible(self.other_manager, model),
                    self.records[self.other_instance][model],
                )

    def test_tags_and_groups_stay_in_their_company(self):
        self.assertEqual(self.visible(self.member, "ha.tag"), self.tag)
        self.assertEqual(self.visible(self.member, "ha.entity.group"), self.group)
        self.assertEqual(self.visible(self.other_manager, "ha.tag"), self.other_tag)
        self.assertEqual(self.visible(self.other_manager, "ha.entity.group"), self.other_group)
        with self.assertRaises(AccessError):
            self.tag.with_user(self.other_manager).read(["name"])

    def test_users_read_and_administrators_organise(self):
        for record in (self.tag, self.group, self.records[self.instance]["ha.label"]):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.member).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.env["ha.tag"].with_user(self.member).create({"name": "Mine"})
        tag = self.env["ha.tag"].with_user(self.manager).create({"name": "Lighting"})
        self.entity.with_user(self.manager).tag_ids = [Command.link(tag.id)]
        self.group.with_user(self.manager).name = "Energy meters"
        self.assertEqual(self.entity.with_user(self.member).tag_ids.name, "Lighting")
        self.assertEqual(self.entity.with_user(self.member).group_ids.name, "Energy meters")

    def test_entities_group_by_tag_group_label_and_floor(self):
        label = self.records[self.instance]["ha.label"]
        floor = self.records[self.instance]["ha.floor"]
        area = self.env["ha.area"].create(
            {"instance_id": self.instance.id, "ha_area_id": "office", "name": "Office"}
        )
        area.floor_id = floor
        self.entity.write(
            {
                "own_area_id": area.id,
                "label_ids": [Command.link(label.id)],
                "tag_ids": [Command.link(self.tag.id)],
            }
        )
        entities = self.env["ha.entity"].with_user(self.member)
        for field_name, record in (
            ("label_ids", label),
            ("tag_ids", self.tag),
            ("group_ids", self.group),
            ("floor_id", floor),
        ):
            with self.subTest(field=field_name):
                groups = entities._read_group([], [field_name], ["__count"])
                self.assertEqual(groups, [(record, 1)])
