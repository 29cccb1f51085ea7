{
    "name": "Home Assistant",
    "summary": "Live Home Assistant device states, history, dashboard and control in Odoo",
    "version": "18.0.0.1.0",
    "category": "Productivity/Home Assistant",
    "author": "HA Odoo Bridge contributors",
    "website": "https://github.com/ha-odoo-bridge/ha-odoo-bridge",
    "license": "LGPL-3",
    "depends": ["base", "web", "bus"],
    "data": [
        "security/home_assistant_security.xml",
        "views/home_assistant_menus.xml",
    ],
    "application": True,
    "installable": True,
}
