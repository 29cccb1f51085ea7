"""What installing the addon leaves behind, on whichever Odoo series runs the tests."""

from odoo.addons.home_assistant import compat
from odoo.tests import TransactionCase, tagged

# Every constraint the models declare (compat.sql_constraints), as PostgreSQL names it.
DECLARED_CONSTRAINTS = {
    "ha_area_ha_area_id_unique",
    "ha_command_command_uuid_unique",
    "ha_device_ha_device_id_unique",
    "ha_entity_entity_id_unique",
    "ha_entity_history_entity_last_updated_unique",
    "ha_entity_statistic_entity_period_start_unique",
    "ha_instance_uuid_unique",
    "ha_instance_heartbeat_interval_positive",
    "ha_instance_history_retention_days_not_negative",
    "ha_instance_statistics_retention_days_not_negative",
    "ha_push_batch_batch_id_unique",
    "ha_push_nonce_nonce_unique",
    "ha_snapshot_part_part_unique",
    "ha_snapshot_part_part_in_range",
}


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_exist_and_administrator_implies_user(self):
        user_group = self.env.ref("home_assistant.group_home_assistant_user")
        manager_group = self.env.ref("home_assistant.group_home_assistant_manager")
        self.assertIn(user_group, manager_group.implied_ids)

    def test_admin_is_home_assistant_administrator(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("home_assistant.group_home_assistant_manager"))

    def test_groups_are_filed_under_the_home_assistant_category(self):
        category = self.env.ref("home_assistant.module_category_home_assistant")
        groups = self.env.ref("home_assistant.group_home_assistant_user") | self.env.ref(
            "home_assistant.group_home_assistant_manager"
        )
        if compat.SERIES >= 19:
            privilege = self.env.ref("home_assistant.privilege_home_assistant")
            self.assertEqual(groups.privilege_id, privilege)
            self.assertEqual(privilege.category_id, category)
        else:
            self.assertEqual(groups.category_id, category)

    def test_every_declared_constraint_is_in_the_database(self):
        # Pushes, nonces and history rely on them through ON CONFLICT; 19.0 silently drops
        # constraints declared the 18.0 way.
        self.env.cr.execute(
            "SELECT conname FROM pg_constraint WHERE conname = ANY(%s)",
            [list(DECLARED_CONSTRAINTS)],
        )
        self.assertEqual({name for (name,) in self.env.cr.fetchall()}, DECLARED_CONSTRAINTS)

    def test_tables_updated_in_place_by_every_push_leave_room_on_their_pages(self):
        # The fillfactor that keeps a push's updates of the current states and rollups HOT
        # (on their page, no new index entries); an upgrade sets it as an install does.
        self.env.cr.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [["ha_entity", "ha_entity_statistic"]],
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()),
            {"ha_entity": ["fillfactor=70"], "ha_entity_statistic": ["fillfactor=70"]},
        )
