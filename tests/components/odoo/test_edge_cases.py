"""Edge cases: snapshots while Odoo is down, renamed entities, compaction of distinct entities."""

from datetime import timedelta
from email.utils import format_datetime

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.batch import Chunk
from custom_components.odoo.const import DOMAIN
from custom_components.odoo.odoo_client import InvalidUrl, normalize_url
from custom_components.odoo.push_client import parse_retry_after

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo
from .test_outbox import live_batches, outbox_of
from .test_persistence import journaled


async def test_a_newer_snapshot_replaces_a_queued_one_and_survives_reload(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
) -> None:
    """While Odoo is down, repeated resyncs keep one queued snapshot; it is saved and sent."""
    for index in range(3):
        hass.states.async_set(f"sensor.s{index}", str(index))
    odoo.down = True
    await setup_entry(hass, config_entry)
    outbox = outbox_of(config_entry)
    await wait_for(lambda: len(odoo.attempts) >= 1)
    snapshot_size = outbox.pending
    for _ in range(3):
        await hass.services.async_call(DOMAIN, "resync", blocking=True)
    await hass.async_block_till_done()  # snapshots are encoded in the executor
    # One snapshot in flight, one queued: never three (each: the system event, three states).
    assert outbox.pending == 2 * snapshot_size == 8
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    saved = await journaled(hass, config_entry)
    assert [item.snapshot for item in saved.items if isinstance(item, Chunk)] == [True]
    odoo.down = False
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: sum(1 for batch in odoo.batches if batch["snapshot"]) >= 2)
    assert all(len(batch["events"]) == 4 for batch in odoo.batches[:2])


async def test_renamed_entity_is_removed_under_its_old_id(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """An entity id change streams a removal of the old id and the entry under the new one."""
    await setup_entry(hass, config_entry, exclude_domains=["switch"])
    await wait_for(lambda: bool(odoo.batches))
    registry = er.async_get(hass)
    entry = registry.async_get_or_create("light", "demo", "lamp")
    registry.async_get_or_create("switch", "demo", "hidden")
    registry.async_update_entity(entry.entity_id, new_entity_id="light.reading")
    await wait_for(lambda: any(e.get("entity_id") == "light.reading" for e in odoo.events))
    entity_events = [e for e in odoo.events if e["t"] == "entity"]
    assert {"t": "entity", "entity_id": entry.entity_id, "removed": True} in entity_events
    assert not [e for e in entity_events if e["entity_id"].startswith("switch.")]


async def test_compaction_drops_oldest_when_nothing_is_superseded(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """All queued events are latest values: the oldest go, and a snapshot restores them."""
    odoo.down = True
    await setup_entry(hass, config_entry, buffer_limit=50)
    for index in range(80):
        hass.states.async_set(f"sensor.unique_{index}", "1")
    await hass.async_block_till_done()
    outbox = outbox_of(config_entry)
    assert outbox.status.dropped_events >= 30
    odoo.down = False
    await hass.services.async_call(DOMAIN, "flush", blocking=True)
    await wait_for(lambda: len(odoo.states) == 80 and outbox.pending == 0)
    # No outage was seen (the first push succeeded): the compaction itself queued the snapshot.
    assert [batch["snapshot"] for batch in odoo.batches if batch["events"]][-1] is True
    assert live_batches(odoo)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    """`Retry-After` is a number of seconds or an HTTP date; anything else is ignored."""
    assert parse_retry_after("7") == 7.0
    later = dt_util.utcnow() + timedelta(seconds=30)
    assert 25 <= (parse_retry_after(format_datetime(later, usegmt=True)) or 0) <= 31
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://ERP.Example.com/", "https://erp.example.com"),
        ("http://10.0.0.2:8069", "http://10.0.0.2:8069"),
        ("http://[::1]:8069", "http://[::1]:8069"),
    ],
)
def test_urls_are_normalized(url: str, expected: str) -> None:
    """Server roots are compared in one spelling (the unique id depends on it)."""
    assert normalize_url(url) == expected


def test_bad_port_is_an_invalid_url() -> None:
    """A port that is not a number is refused."""
    with pytest.raises(InvalidUrl):
        normalize_url("http://odoo:eighty")
