"""Tests for the Home Assistant ⇄ Odoo bridge."""
