"""Who may command which instance, and who may read the audit log of commands."""

from odoo import Command
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase
from odoo.exceptions import AccessError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestCommandSecurity(HomeAssistantCommandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_member = cls._create_user("ha_command_other_member")
        cls.instance.user_ids = [Command.link(cls.other_member.id)]
        cls.outsider = cls._create_user("ha_command_outsider")
        cls.manager = cls._create_user(
            "ha_command_manager", groups="home_assistant.group_home_assistant_manager"
        )
        cls.employee = cls._create_user("ha_command_employee", groups="base.group_user")
        cls.portal = cls._create_user("ha_command_portal", groups="base.group_portal")
        cls.light = cls.env["ha.entity"].create(
            {
                "instance_id": cls.instance.id,
                "entity_id": "light.office",
                "state": "off",
                "available": True,
            }
        )

    def test_members_use_the_entity_controls_administrators_any_service(self):
        for user in (self.member, self.manager):
            with self.subTest(user=user.login):
                self.light.with_user(user).with_context(ha_service="turn_on").action_call_service()
                self.light.with_user(user).call_entity_service("turn_off")
        self.instance.with_user(self.manager).call_service(
            "lock", "unlock", {"entity_id": ["lock.front_door"]}, {"code": "1234"}
        )
        self.assertEqual(len(self.home_assistant.received), 5)

    def test_a_member_may_not_call_any_service_and_nothing_is_sent_or_logged(self):
        # The raw call reaches any entity with any data, exported to Odoo or not.
        calls = [
            ("lock", "unlock", {"entity_id": ["lock.front_door"]}, {"code": "1234"}),
            ("light", "turn_on", {"entity_id": ["light.office"]}, {}),
            ("light", "turn_on", None, {"entity_id": "all"}),
            ("homeassistant", "turn_off", {"area_id": ["office"]}, None),
        ]
        for domain, service, target, data in calls:
            with (
                self.subTest(service=f"{domain}.{service}"),
                self.assert_raises_keeping_writes(AccessError) as caught,
            ):
                self.instance.with_user(self.member).call_service(domain, service, target, data)
            self.assertIn("use the controls of an entity", str(caught.exception))
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_a_member_may_not_control_an_entity_they_cannot_read(self):
        elsewhere = self._create_instance("ha-command-elsewhere", "Elsewhere")
        pump = self.env["ha.entity"].create(
            {"instance_id": elsewhere.id, "entity_id": "switch.pump", "available": True}
        )
        self.env.flush_all()
        with self.assert_raises_keeping_writes(AccessError):
            pump.with_user(self.member).call_entity_service("turn_on")
        with self.assert_raises_keeping_writes(AccessError):
            pump.with_user(self.member).with_context(ha_service="turn_on").action_call_service()
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_code_running_as_superuser_may_call_any_service_on_behalf_of_a_user(self):
        self.instance.with_user(self.member).sudo().call_service("light", "turn_on")
        self.assertEqual(self.audit_log().user_id, self.member)

    def test_everyone_else_gets_an_access_error_and_nothing_is_sent(self):
        for user in (self.outsider, self.employee, self.portal):
            with self.subTest(user=user.login):
                with self.assert_raises_keeping_writes(AccessError):
                    self.instance.with_user(user).call_service("light", "turn_on")
                with self.assert_raises_keeping_writes(AccessError):
                    self.light.with_user(user).call_entity_service("turn_on")
                with self.assert_raises_keeping_writes(AccessError):
                    self.instance.with_user(user).action_test_connection()
        self.assertFalse(self.home_assistant.received)
        self.assertFalse(self.audit_log())

    def test_an_administrator_of_another_company_may_not_command(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.instance.company_id = other_company
        self.env.flush_all()
        with self.assertRaises(AccessError):
            self.instance.with_user(self.manager).call_service("light", "turn_on")

    def test_users_read_their_own_commands_administrators_read_all(self):
        self.light.with_user(self.member).call_entity_service("turn_on")
        self.light.with_user(self.other_member).call_entity_service("turn_off")
        mine, theirs = self.audit_log()
        Commands = self.env["ha.command"]
        self.assertEqual(Commands.with_user(self.member).search([]), mine)
        self.assertEqual(Commands.with_user(self.other_member).search([]), theirs)
        self.assertEqual(Commands.with_user(self.manager).search([]), mine | theirs)
        with self.assertRaises(AccessError):
            theirs.with_user(self.member).read(["service"])
        for user in (self.employee, self.portal):
            with self.assertRaises(AccessError):
                Commands.with_user(user).search([])

    def test_nobody_writes_creates_or_deletes_commands_by_hand(self):
        self.light.with_user(self.member).call_entity_service("turn_on")
        row = self.audit_log()
        for user in (self.member, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    row.with_user(user).write({"state": "ok", "error_message": False})
                with self.assertRaises(AccessError):
                    row.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.env["ha.command"].with_user(user).create(
                        {
                            "command_uuid": "forged",
                            "instance_id": self.instance.id,
                            "user_id": user.id,
                            "command_type": "ping",
                        }
                    )

    def test_the_command_url_is_for_system_administrators_only_and_never_exported(self):
        with self.assertRaises(AccessError):
            self.instance.with_user(self.manager).read(["command_url"])
        fields = self.env["ha.instance"].fields_get(attributes=["exportable"])
        self.assertFalse(fields["command_url"]["exportable"])
