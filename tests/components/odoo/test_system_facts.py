"""Home Assistant's facts: the `system` event, with and without the Supervisor (issue 14)."""

from ipaddress import IPv4Interface
from typing import Any
from unittest.mock import patch

from homeassistant.components import hassio
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.system_facts import async_system_event

from .conftest import first_snapshot, setup_entry, wait_for
from .fake_odoo import FakeOdoo

HOST = {
    "operating_system": "Home Assistant OS 16.0",
    "hostname": "secret-host",
    "disk_total": 58.0,
    "disk_used": 12.3,
}
NETWORK = {
    "interfaces": [
        {
            "interface": "end0",
            "mac": "AA:BB:CC:DD:EE:FF",
            "ipv4": {"address": [IPv4Interface("192.168.1.2/24")], "gateway": "192.168.1.1"},
            "ipv6": None,
            "wifi": {"ssid": "HomeWifi"},
        }
    ]
}


async def test_system_event_without_supervisor(hass: HomeAssistant) -> None:
    """Outside the Supervisor, the facts come from the core config; `supervisor` is null."""
    await hass.config.async_update(
        location_name="Home", country="BE", currency="EUR", time_zone="Europe/Brussels"
    )
    event = await async_system_event(hass)
    assert event == {
        "t": "system",
        "ha_version": HA_VERSION,
        "installation_type": event["installation_type"],
        "python_version": event["python_version"],
        "time_zone": "Europe/Brussels",
        "unit_system": "metric",
        "location_name": "Home",
        "country": "BE",
        "currency": "EUR",
        "supervisor": None,
    }
    assert isinstance(event["installation_type"], str)
    assert event["python_version"].startswith("3.")


async def test_system_event_under_supervisor(hass: HomeAssistant) -> None:
    """Under the Supervisor, host facts join; host name, MAC, Wi-Fi and gateway do not."""
    hass.config.components.add("hassio")
    with (
        patch.object(hassio, "get_host_info", return_value=HOST),
        patch.object(hassio, "get_os_info", return_value={"board": "rpi5-64"}),
        patch.object(hassio, "get_core_stats", return_value={"memory_limit": 8000 * 1024 * 1024}),
        patch.object(hassio, "get_network_info", return_value=NETWORK),
        patch(
            "custom_components.odoo.system_facts.async_get_system_info",
            return_value={"installation_type": "Home Assistant OS", "python_version": "3.14.2"},
        ),
    ):
        event = await async_system_event(hass)
    assert event["installation_type"] == "Home Assistant OS"
    assert event["supervisor"] == {
        "host_os": "Home Assistant OS 16.0",
        "board": "rpi5-64",
        "disk_total_gb": 58.0,
        "disk_used_gb": 12.3,
        "memory_total_mb": 8000,
        "network": [{"interface": "end0", "ipv4": ["192.168.1.2/24"], "ipv6": []}],
    }
    text = str(event)
    for secret in ("secret-host", "AA:BB", "HomeWifi", "192.168.1.1'"):
        assert secret not in text


async def test_supervisor_not_ready_gives_nulls(hass: HomeAssistant) -> None:
    """Before the Supervisor integration fetched anything, each part is null."""
    hass.config.components.add("hassio")

    def not_ready(_hass: HomeAssistant) -> dict[str, Any]:
        raise hassio.HassioNotReadyError

    with (
        patch.object(hassio, "get_host_info", not_ready),
        patch.object(hassio, "get_os_info", not_ready),
        patch.object(hassio, "get_core_stats", return_value={}),
        patch.object(hassio, "get_network_info", not_ready),
        patch(
            "custom_components.odoo.system_facts.async_get_system_info",
            return_value={"installation_type": "Home Assistant Supervised"},
        ),
    ):
        event = await async_system_event(hass)
    assert event["supervisor"] == {
        "host_os": None,
        "board": None,
        "disk_total_gb": None,
        "disk_used_gb": None,
        "memory_total_mb": None,
        "network": None,
    }


async def test_snapshot_starts_with_system_and_config_change_resends(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Each snapshot (pairing, start, resync) opens with the facts; a config change resends them."""
    await setup_entry(hass, config_entry)
    snapshot = await first_snapshot(odoo)
    assert snapshot["events"][0]["t"] == "system"
    assert snapshot["events"][0]["ha_version"] == HA_VERSION
    assert [e["t"] for e in snapshot["events"]].count("system") == 1

    await hass.config.async_update(location_name="Cabin")
    await hass.async_block_till_done()
    await wait_for(
        lambda: any(e["t"] == "system" and e["location_name"] == "Cabin" for e in odoo.events)
    )
    for secret in config_entry.data.values():
        if isinstance(secret, str) and len(secret) > 20:
            assert not any(secret in str(e) for e in odoo.events if e["t"] == "system")
