"""The Home Assistant the in-process benchmarks measure: a real core with the integration set
up through its config entry, pushing to a local endpoint that plays Odoo.

Import it after putting the repository first on sys.path (as the benchmarks do), so the
repository's package wins over the test package's own testing_config/custom_components.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant.core import HomeAssistant
from homeassistant.loader import DATA_CUSTOM_COMPONENTS
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.odoo.const import DOMAIN
from custom_components.odoo.outbox import Outbox

SECRET = "S2V5LWZvci10ZXN0LXZlY3RvcnMtb25seS0zMmJ5dGVz"
PUSH_PATH = "/home_assistant/push/bench"


@asynccontextmanager
async def bench_hass(url: str, buffer_limit: int) -> AsyncIterator[tuple[HomeAssistant, Outbox]]:
    """Home Assistant paired with the endpoint at `url` (pushes go to `url` + PUSH_PATH, signed
    with SECRET); yields it and the entry's outbox, and unloads and stops it at the end."""
    async with async_test_home_assistant() as hass:
        hass.data.pop(DATA_CUSTOM_COMPONENTS, None)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="bench",
            data={
                "url": url,
                "database": "bench",
                "username": "bench",
                "api_key": "bench",
                "ha_url": "http://127.0.0.1:8123",
                "ha_uuid": "bench",
                "webhook_id": "bench",
                "secret": SECRET,
                "push_url": url + PUSH_PATH,
            },
            options={"buffer_limit": buffer_limit},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        yield hass, entry.runtime_data.outbox
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_stop(force=True)
