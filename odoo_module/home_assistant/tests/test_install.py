from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_exist_and_administrator_implies_user(self):
        user_group = self.env.ref("home_assistant.group_home_assistant_user")
        manager_group = self.env.ref("home_assistant.group_home_assistant_manager")
        self.assertIn(user_group, manager_group.implied_ids)

    def test_admin_is_home_assistant_administrator(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("home_assistant.group_home_assistant_manager"))
