"""The series-dependent half of the addon's security groups (see compat.attach_groups)."""

from odoo import api, models

from .. import compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _home_assistant_setup_groups(self):
        """File the Home Assistant groups under their category; make the admins Administrators.

        Called from security/home_assistant_security.xml on install and update, because the
        fields involved differ between Odoo 18.0 and 19.0.
        """
        ref = self.env.ref
        user_group = ref("home_assistant.group_home_assistant_user")
        manager_group = ref("home_assistant.group_home_assistant_manager")
        category = ref("home_assistant.module_category_home_assistant")
        compat.attach_groups(self.env, category, user_group | manager_group)
        compat.add_group_users(manager_group, ref("base.user_root") | ref("base.user_admin"))

    @api.model
    def _home_assistant_restrict_actions(self, xml_ids):
        """Show the actions `xml_ids` to Home Assistant administrators only (from the views'
        data: the actions' groups field differs between the series)."""
        manager_group = self.env.ref("home_assistant.group_home_assistant_manager")
        for xml_id in xml_ids:
            self.env.ref(xml_id).write({compat.ACTION_GROUPS_FIELD: [(6, 0, manager_group.ids)]})
