"""End-to-end tests: a real `hass` process and a real Odoo server on loopback."""
