"""Home Assistant's own facts for Odoo: the `system` event (docs/protocol.md §3).

Only descriptive facts travel: versions, installation type, time zone, units, location name,
country and currency; under the Supervisor also the host OS, board, disk, memory and the
addresses of the network interfaces. Never host names, MAC addresses, Wi-Fi names, tokens
or URLs.
"""

from typing import Any

from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.system_info import async_get_system_info
from homeassistant.util.unit_system import METRIC_SYSTEM

from .events import WireEvent

BYTES_PER_MB = 1024 * 1024


async def async_system_event(hass: HomeAssistant) -> WireEvent:
    """Return the `system` event of this Home Assistant as it is now."""
    info = await async_get_system_info(hass)
    config = hass.config
    return {
        "t": "system",
        "ha_version": HA_VERSION,
        "installation_type": info.get("installation_type"),
        "python_version": info.get("python_version"),
        "time_zone": config.time_zone,
        "unit_system": "metric" if config.units is METRIC_SYSTEM else "us_customary",
        "location_name": config.location_name,
        "country": config.country,
        "currency": config.currency,
        "supervisor": supervisor_facts(hass) if "hassio" in config.components else None,
    }


def supervisor_facts(hass: HomeAssistant) -> dict[str, Any]:
    """Return the host facts the Supervisor integration has fetched (a missing part: None)."""
    # Imported only when the Supervisor integration is loaded.
    from homeassistant.components import hassio  # noqa: PLC0415

    def fetched(getter: Any) -> dict[str, Any]:
        """Return what a hassio getter holds, or nothing before its first fetch."""
        try:
            data: dict[str, Any] = getter(hass) or {}
        except hassio.HassioNotReadyError:
            return {}
        return data

    host, os_info = fetched(hassio.get_host_info), fetched(hassio.get_os_info)
    memory = fetched(hassio.get_core_stats).get("memory_limit")
    network = fetched(hassio.get_network_info)
    return {
        "host_os": host.get("operating_system"),
        "board": os_info.get("board"),
        "disk_total_gb": host.get("disk_total"),
        "disk_used_gb": host.get("disk_used"),
        "memory_total_mb": round(memory / BYTES_PER_MB) if memory else None,
        "network": [
            {
                "interface": interface.get("interface"),
                "ipv4": _addresses(interface.get("ipv4")),
                "ipv6": _addresses(interface.get("ipv6")),
            }
            for interface in network.get("interfaces") or []
        ]
        if network
        else None,
    }


def _addresses(config: dict[str, Any] | None) -> list[str]:
    """Return the addresses of an interface's IP configuration, as text."""
    return [str(address) for address in (config or {}).get("address") or []]
