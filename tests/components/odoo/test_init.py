"""The integration loads into a real Home Assistant."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.const import DOMAIN


async def test_integration_is_the_repositorys(hass: HomeAssistant) -> None:
    """Home Assistant resolves the domain to this repository's package."""
    integration = await async_get_integration(hass, DOMAIN)
    assert integration.pkg_path == "custom_components.odoo"
    assert "webhook" in integration.dependencies


async def test_entry_sets_up_and_unloads(hass: HomeAssistant) -> None:
    """A config entry goes through setup and unload."""
    entry = MockConfigEntry(domain=DOMAIN, data={})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
