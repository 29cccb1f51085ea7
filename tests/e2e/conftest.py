"""Fixtures that start a real Odoo and a real Home Assistant for the whole session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from stack import HomeAssistant, OdooServer, pair

from .bridge import pair_new_instance, running_hass, running_odoo


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder under /tmp, which the HA chroot shares with the host."""
    return tmp_path_factory.mktemp("e2e", numbered=True)


@pytest.fixture(scope="session")
def odoo(work_dir: Path) -> Iterator[OdooServer]:
    """A real Odoo server on a fresh database with the addon installed."""
    with running_odoo("ha_bridge_e2e", work_dir / "odoo", drop=True) as server:
        yield server


@pytest.fixture(scope="session")
def second_odoo(work_dir: Path) -> Iterator[OdooServer]:
    """Another Odoo database, for a module that wants an Odoo to its own Home Assistant."""
    with running_odoo("ha_bridge_e2e_second", work_dir / "odoo-second", drop=True) as server:
        yield server


@pytest.fixture(scope="session")
def hass(work_dir: Path) -> Iterator[HomeAssistant]:
    """A real `hass` process with the repository's integration available, onboarded."""
    with running_hass(work_dir / "ha-config") as server:
        yield server


@pytest.fixture(scope="session")
def paired(hass: HomeAssistant, odoo: OdooServer) -> dict[str, Any]:
    """Home Assistant paired with Odoo through the config flow, with a real API key.

    The flow's result, and `instance_id`: the session's Odoo also holds the instances that
    other modules pair, so tests of the session's Home Assistant look up only its own.
    """
    result, instance = pair_new_instance(odoo, lambda: pair(hass, odoo))
    return {**result, "instance_id": instance["id"]}
