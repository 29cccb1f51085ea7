{
    "name": "Home Assistant",
    "summary": "Live Home Assistant device states, history, dashboard and control in Odoo",
    # One addon for both series, so no series prefix (docs/development.md, pylint-odoo).
    "version": "1.2.0",  # pylint: disable=manifest-version-format
    "category": "Productivity/Home Assistant",
    "author": "HA Odoo Bridge contributors",
    "website": "https://github.com/ha-odoo-bridge/ha-odoo-bridge",
    "license": "LGPL-3",
    "maintainers": ["ha-odoo-bridge"],
    "development_status": "Beta",
    # base_automation: Odoo automations reacting to Home Assistant entities, and calling
    # Home Assistant, are features; mail renders the placeholders of their data; portal
    # serves the page of entities shared with portal users.
    "depends": ["base", "web", "bus", "mail", "base_automation", "portal"],
    "data": [
        "security/home_assistant_security.xml",
        "security/ir.model.access.csv",
        "security/home_assistant_rules.xml",
        "data/ha_command_data.xml",
        "data/ha_figure_data.xml",
        "data/ha_entity_history_data.xml",
        "wizards/ha_history_backfill_views.xml",
        "wizards/ha_registry_edit_views.xml",
        "views/ha_instance_views.xml",
        "views/ha_area_views.xml",
        "views/ha_label_views.xml",
        "views/ha_device_views.xml",
        "views/ha_entity_views.xml",
        "views/ha_entity_history_views.xml",
        "views/ha_command_views.xml",
        "views/ha_dashboard_views.xml",
        "views/ir_actions_server_views.xml",
        "views/ha_figure_views.xml",
        "views/ha_share_views.xml",
        "views/portal_templates.xml",
        "views/home_assistant_menus.xml",
    ],
    "assets": {
        "web.assets_backend": ["home_assistant/static/src/dashboard/**/*"],
        "web.assets_frontend": ["home_assistant/static/src/portal/**/*"],
        "web.assets_tests": ["home_assistant/static/tests/tours/**/*"],
    },
    "application": True,
}
