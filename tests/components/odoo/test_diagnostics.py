"""Diagnostics of a pairing: their shape (a syrupy snapshot), and no secret in them."""

import json

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.odoo.const import (
    CONF_CLOUDHOOK_URL,
    CONF_HA_URL,
    CONF_SECRET,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.odoo.diagnostics import async_get_config_entry_diagnostics

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo, ScriptedAnswer

# What changes from run to run: ids, times, the fake Odoo's port, versions of the code.
VOLATILE = props(
    "entry_id",
    "created_at",
    "modified_at",
    "url",
    "push_url",
    "home_assistant",
    "integration",
    "last_success",
    "user_id",
)


async def test_diagnostics_of_a_synced_pairing(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """Versions, the redacted entry and the outbox of a pairing Odoo is in step with."""
    await setup_entry(hass, config_entry)
    outbox = config_entry.runtime_data.outbox
    await wait_for(lambda: any(batch["snapshot"] for batch in odoo.batches))
    await wait_for(lambda: outbox.status.connected and outbox.pending == 0)
    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    assert diagnostics == snapshot(exclude=VOLATILE)


async def test_diagnostics_contain_no_secret(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Secret, API key, login, webhook id, cloudhook URL and URL credentials never appear."""
    secrets = {
        CONF_CLOUDHOOK_URL: "https://hooks.nabu.casa/cloudhook-secret-part",
        CONF_HA_URL: "https://homeowner:hunter2-password@ha.example.com:8123",
    }
    config_entry = MockConfigEntry(
        domain=DOMAIN, title=config_entry.title, data={**config_entry.data, **secrets}
    )
    await setup_entry(hass, config_entry)
    odoo.scripted.append(ScriptedAnswer(503, "unavailable"))
    hass.states.async_set("sensor.freezer", "-18")
    await wait_for(lambda: config_entry.runtime_data.outbox.status.last_error is not None)
    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    text = json.dumps(diagnostics)
    for value in (
        config_entry.data[CONF_SECRET],
        "key-123",
        config_entry.data[CONF_USERNAME],
        config_entry.data[CONF_WEBHOOK_ID],
        "cloudhook-secret-part",
        "hunter2-password",
        "homeowner",
    ):
        assert value not in text
    assert diagnostics["entry"]["data"][CONF_HA_URL] == "https://**REDACTED**@ha.example.com:8123"
    assert diagnostics["outbox"]["last_error"] == "HTTP 503 unavailable: scripted unavailable"
    assert diagnostics["versions"]["protocol"] == 1


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Diagnostics show the outbox and dead letters, never the key, secret or webhook id."""
    await setup_entry(hass, config_entry)
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    text = str(diagnostics)
    for secret in ("key-123", config_entry.data["secret"], config_entry.data["webhook_id"]):
        assert secret not in text
    assert diagnostics["outbox"]["dead_letters"] == []
