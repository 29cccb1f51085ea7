"""Home Assistant Cloud's cloudhook given to Odoo as `command_url`, and the allow-list option."""

from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, Mock, patch

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.cloudhook import (
    _loaded_cloud,
    async_create_command_url,
    async_delete_command_url,
)
from custom_components.odoo.const import (
    CONF_ALLOWED_SERVICES,
    CONF_API_KEY,
    CONF_CLOUDHOOK_URL,
    CONF_DATABASE,
    CONF_HA_URL,
    CONF_URL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DEFAULT_ALLOWED_SERVICES,
    DOMAIN,
)

from .conftest import setup_entry
from .fake_odoo import FakeOdoo

CLOUDHOOK_URL = "https://hooks.nabu.casa/secret-hook-id"


class CloudNotAvailable(Exception):
    """Stands in for Home Assistant Cloud's own exception."""


def fake_cloud(*, subscribed: bool = True, connected: bool = True) -> SimpleNamespace:
    """Return a stand-in for `homeassistant.components.cloud`."""

    async def get_or_create(hass: HomeAssistant, webhook_id: str) -> str:
        """Create the cloudhook, or fail like a disconnected cloud."""
        if not connected:
            raise CloudNotAvailable
        return CLOUDHOOK_URL

    return SimpleNamespace(
        CloudNotAvailable=CloudNotAvailable,
        async_active_subscription=Mock(return_value=subscribed),
        async_get_or_create_cloudhook=AsyncMock(side_effect=get_or_create),
        async_delete_cloudhook=AsyncMock(),
    )


async def pair(hass: HomeAssistant, odoo: FakeOdoo, **changes: Any) -> dict[str, Any]:
    """Run the pairing flow to its end and return the last result."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo.base_url}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_DATABASE: "prod",
            CONF_USERNAME: "admin",
            CONF_API_KEY: "key-123",
            CONF_HA_URL: "http://192.168.1.2:8123",
            **changes,
        },
    )


async def test_cloud_subscribers_give_odoo_a_cloudhook(hass: HomeAssistant, odoo: FakeOdoo) -> None:
    """With an active Cloud subscription, `ha_pair` carries the cloudhook as `command_url`."""
    cloud = fake_cloud()
    with patch("custom_components.odoo.cloudhook._loaded_cloud", return_value=cloud):
        result = await pair(hass, odoo)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        assert odoo.pair_calls[0]["command_url"] == CLOUDHOOK_URL
        assert entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK_URL
        cloud.async_get_or_create_cloudhook.assert_awaited_once_with(
            hass, entry.data[CONF_WEBHOOK_ID]
        )
        await hass.config_entries.async_remove(entry.entry_id)
    cloud.async_delete_cloudhook.assert_awaited_once_with(hass, entry.data[CONF_WEBHOOK_ID])


@pytest.mark.parametrize("cloud", [None, fake_cloud(subscribed=False), fake_cloud(connected=False)])
async def test_without_cloud_odoo_uses_the_ha_url(
    hass: HomeAssistant, odoo: FakeOdoo, cloud: SimpleNamespace | None
) -> None:
    """No Cloud, no subscription or no connection: no `command_url`, nothing to delete."""
    with patch("custom_components.odoo.cloudhook._loaded_cloud", return_value=cloud):
        result = await pair(hass, odoo)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert "command_url" not in odoo.pair_calls[0]
        assert result["result"].data[CONF_CLOUDHOOK_URL] is None
        await hass.config_entries.async_remove(result["result"].entry_id)
    if cloud is not None:
        cloud.async_delete_cloudhook.assert_not_awaited()


async def test_a_failed_pairing_deletes_its_cloudhook(hass: HomeAssistant, odoo: FakeOdoo) -> None:
    """The cloudhook made for a refused attempt does not outlive it."""
    cloud = fake_cloud()
    with patch("custom_components.odoo.cloudhook._loaded_cloud", return_value=cloud):
        result = await pair(hass, odoo, **{CONF_API_KEY: "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    cloud.async_delete_cloudhook.assert_awaited_once()


async def test_the_real_cloud_is_used_only_when_set_up(hass: HomeAssistant) -> None:
    """Without the cloud component nothing of it is imported or called."""
    assert _loaded_cloud(hass) is None
    assert await async_create_command_url(hass, "hook") is None
    await async_delete_command_url(hass, "hook")
    hass.config.components.add("cloud")
    with patch("importlib.import_module", return_value="module") as import_module:
        assert _loaded_cloud(hass) == "module"
    import_module.assert_called_once_with("homeassistant.components.cloud")


async def test_options_flow_edits_the_allow_list(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """The allow-list defaults to the common services and refuses forbidden or malformed ones."""
    await setup_entry(hass, config_entry)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    schema = result["data_schema"].schema
    (marker,) = [key for key in schema if key == CONF_ALLOWED_SERVICES]
    assert marker.default() == list(DEFAULT_ALLOWED_SERVICES)
    options = schema[marker].serialize()["selector"]["select"]["options"]
    assert "odoo.flush" in options
    assert not [option for option in options if option.startswith("homeassistant.")]

    for refused, error in (
        (["shell_command.*"], "refused_service"),
        (["homeassistant.restart"], "refused_service"),
        (["light turn on"], "invalid_service"),
    ):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_ALLOWED_SERVICES: refused}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_ALLOWED_SERVICES: error}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ALLOWED_SERVICES: ["light.turn_on", "notify.*"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options[CONF_ALLOWED_SERVICES] == ["light.turn_on", "notify.*"]
