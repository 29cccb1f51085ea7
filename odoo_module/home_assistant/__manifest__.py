{
    "name": "Home Assistant",
    "summary": "Live Home Assistant device states, history, dashboard and control in Odoo",
    "version": "18.0.1.0.0",
    "category": "Productivity/Home Assistant",
    "author": "HA Odoo Bridge contributors",
    "website": "https://github.com/ha-odoo-bridge/ha-odoo-bridge",
    "license": "LGPL-3",
    # base_automation: Odoo automations reacting to Home Assistant entities are a feature.
    "depends": ["base", "web", "bus", "base_automation"],
    "data": [
        "security/home_assistant_security.xml",
        "security/ir.model.access.csv",
        "security/home_assistant_rules.xml",
        "views/ha_instance_views.xml",
        "views/ha_area_views.xml",
        "views/ha_device_views.xml",
        "views/ha_entity_views.xml",
        "views/ha_entity_history_views.xml",
        "views/home_assistant_menus.xml",
    ],
    "application": True,
}
