"""Both halves' protocol modules, loaded by path so neither needs the other's framework."""

from __future__ import annotations

import importlib
import os
import sys
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_DOC = REPO_ROOT / "docs" / "protocol.md"


def _package(name: str, directory: Path) -> str:
    """Register `directory` as package `name` without running its __init__.py.

    The integration's __init__ imports Home Assistant and the addon's imports Odoo's
    registry; the modules compared here need neither.
    """
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(directory)]
        sys.modules[name] = package
    return name


def integration(module: str) -> types.ModuleType:
    """A module of custom_components/odoo (const, signing, …)."""
    package = _package("contract_integration", REPO_ROOT / "custom_components" / "odoo")
    return importlib.import_module(f"{package}.{module}")


def addon(module: str) -> types.ModuleType:
    """A module of odoo_module/home_assistant (signing, entity_services, …)."""
    odoo_path = os.environ.get("ODOO_PATH")
    if odoo_path and odoo_path not in sys.path:
        sys.path.insert(0, odoo_path)  # `odoo.exceptions` for the service table
    package = _package("contract_addon", REPO_ROOT / "odoo_module" / "home_assistant")
    return importlib.import_module(f"{package}.{module}")
