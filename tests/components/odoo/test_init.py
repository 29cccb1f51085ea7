"""The integration loads into a real Home Assistant and unloads cleanly."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.const import DOMAIN

from .conftest import wait_for
from .fake_odoo import FakeOdoo


async def test_integration_is_the_repositorys(hass: HomeAssistant) -> None:
    """Home Assistant resolves the domain to this repository's package."""
    integration = await async_get_integration(hass, DOMAIN)
    assert integration.pkg_path == "custom_components.odoo"
    assert "webhook" in integration.dependencies


async def test_entry_sets_up_pushes_a_snapshot_and_unloads(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A paired entry loads, sends the initial snapshot, and unloads."""
    hass.states.async_set("light.kitchen", "on", {"brightness": 180})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.LOADED
    await wait_for(lambda: any(batch["snapshot"] for batch in odoo.batches))
    assert odoo.states["light.kitchen"]["state"] == "on"
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.NOT_LOADED
