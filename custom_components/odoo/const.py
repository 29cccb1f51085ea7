"""Constants for the Odoo integration."""

from typing import Final

DOMAIN: Final = "odoo"
