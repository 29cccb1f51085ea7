"""Tests for the Odoo integration."""
