"""Durability: the outbox survives Home Assistant restarts and unloads; a full buffer compacts."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.loader import DATA_CUSTOM_COMPONENTS
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.odoo.const import DOMAIN
from custom_components.odoo.outbox import Outbox
from custom_components.odoo.outbox_journal import Journaled, journal_path, open_journal

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo
from .test_outbox import live_batches, outbox_of


async def outbox_with_odoo_down(
    hass: HomeAssistant, odoo: FakeOdoo, entry: MockConfigEntry, **options: Any
) -> Outbox:
    """Set the entry up while Odoo answers 503, and return its outbox."""
    odoo.down = True
    await setup_entry(hass, entry, **options)
    return outbox_of(entry)


def set_values(hass: HomeAssistant, count: int) -> None:
    """Give sensor.a, sensor.b and sensor.c the values 0 to count - 1, interleaved."""
    for value in range(count):
        for entity in ("a", "b", "c"):
            hass.states.async_set(f"sensor.{entity}", str(value))


async def journal_contents(hass: HomeAssistant, entry: MockConfigEntry) -> Journaled | None:
    """Return what the entry's outbox journal holds (None: nothing committed yet)."""

    def read() -> Journaled | None:
        connection, contents = open_journal(journal_path(hass, entry.entry_id))
        connection.close()
        return contents

    return await hass.async_add_executor_job(read)


async def journaled(hass: HomeAssistant, entry: MockConfigEntry) -> Journaled:
    """Return what the entry's outbox journal holds, read through a connection of its own."""
    contents = await journal_contents(hass, entry)
    assert contents is not None
    return contents


async def journaled_entities(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the entity ids of the state and registry events in an entry's journal."""
    contents = await journal_contents(hass, entry)
    items = contents.items if contents is not None else []
    return [item["entity_id"] for item in items if isinstance(item, dict) and "entity_id" in item]


@asynccontextmanager
async def restarted_with(config_dir: str, entry: MockConfigEntry) -> AsyncIterator[None]:
    """A second Home Assistant on `config_dir` with the same pairing set up, as after a
    restart; unloaded and stopped at the end."""
    async with async_test_home_assistant(config_dir=config_dir) as restarted:
        restarted.data.pop(DATA_CUSTOM_COMPONENTS)
        again = MockConfigEntry(
            domain=DOMAIN,
            entry_id=entry.entry_id,
            data=dict(entry.data),
            options=dict(entry.options),
            unique_id=entry.unique_id,
        )
        again.add_to_hass(restarted)
        assert await restarted.config_entries.async_setup(again.entry_id)
        yield
        assert await restarted.config_entries.async_unload(again.entry_id)
        await restarted.async_stop(force=True)


async def wait_for_journal(hass: HomeAssistant, entry: MockConfigEntry, entity_id: str) -> None:
    """Wait up to 5 s for an entity's event to reach the journal."""
    async with asyncio.timeout(5):
        while entity_id not in await journaled_entities(hass, entry):  # noqa: ASYNC110 - a file
            await asyncio.sleep(0.1)


async def test_backlog_survives_a_restart(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
) -> None:
    """Odoo down, HA stops: the batch in flight and the queue are saved, then delivered after
    the restart with the same batch_id, exactly once and in order."""
    outbox = await outbox_with_odoo_down(hass, odoo, config_entry, heartbeat_interval=3600)
    for value in range(5):
        hass.states.async_set("sensor.meter", str(value))
    await wait_for(lambda: outbox.pending >= 5 and len(odoo.attempts) >= 1)
    inflight_id = odoo.attempts[0]

    await hass.async_stop()

    saved = await journaled(hass, config_entry)
    assert saved.header["inflight"]["batch_id"] == inflight_id
    queued = [item for item in saved.items if isinstance(item, dict) and "entity_id" in item]
    assert [item["state"] for item in queued] == [str(value) for value in range(5)]

    odoo.down = False
    async with restarted_with(hass.config.config_dir, config_entry):
        await wait_for(lambda: len(odoo.state_events("sensor.meter")) >= 5)
        assert odoo.batches[0]["batch_id"] == inflight_id
        states = [e["state"] for b in live_batches(odoo) for e in b["events"]]
        assert states == [str(value) for value in range(5)]


async def test_a_registry_change_is_journaled_within_the_delay_while_odoo_is_down(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A kill (SIGKILL) loses at most the journal's delay's worth of registry changes too."""
    odoo.down = True
    await setup_entry(hass, config_entry, heartbeat_interval=3600)
    hass.states.async_set("sensor.meter", "1")
    hass.states.async_set("sensor.meter", "2")  # the first one is in flight
    await wait_for(lambda: len(odoo.attempts) >= 1)
    await wait_for_journal(hass, config_entry, "sensor.meter")

    er.async_get(hass).async_get_or_create(
        "sensor", "demo", "meter-2", suggested_object_id="meter_two"
    )
    await wait_for_journal(hass, config_entry, "sensor.meter_two")


async def test_unload_saves_and_reload_resumes(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Unloading writes the outbox at once; setting up again delivers it."""
    odoo.down = True
    await setup_entry(hass, config_entry)
    hass.states.async_set("sensor.kept", "1")
    await wait_for(lambda: outbox_of(config_entry).pending >= 1)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert "sensor.kept" in await journaled_entities(hass, config_entry)
    odoo.down = False
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: any(b for b in live_batches(odoo) if b["events"]))
    assert odoo.state_events("sensor.kept")[0]["state"] == "1"


async def test_options_change_keeps_the_queue(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """New options apply to the running outbox without losing what is queued."""
    outbox = await outbox_with_odoo_down(hass, odoo, config_entry)
    hass.states.async_set("sensor.queued", "1")
    await wait_for(lambda: outbox.pending >= 1)
    hass.config_entries.async_update_entry(
        config_entry, options={"exclude_domains": ["switch"], "max_batch": 5}
    )
    await hass.async_block_till_done()
    assert outbox_of(config_entry) is outbox
    hass.states.async_set("switch.hidden", "on")
    hass.states.async_set("sensor.queued", "2")
    odoo.down = False
    await hass.services.async_call(DOMAIN, "flush", blocking=True)
    await wait_for(lambda: len(odoo.state_events("sensor.queued")) >= 3)
    assert [e["state"] for b in live_batches(odoo) for e in b["events"]][:2] == ["1", "2"]
    assert odoo.state_events("switch.hidden") == []


async def test_a_full_buffer_compacts_keeping_latest_states(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """At the bound, the oldest intermediate history goes; every latest state stays; counted."""
    outbox = await outbox_with_odoo_down(hass, odoo, config_entry, buffer_limit=100)
    set_values(hass, 100)
    await hass.async_block_till_done()
    assert outbox.pending <= 100
    assert outbox.status.dropped_events >= 200
    issue = issue_registry.async_get_issue(DOMAIN, f"outbox_overflow_{config_entry.entry_id}")
    assert issue is not None
    odoo.down = False
    await hass.services.async_call(DOMAIN, "flush", blocking=True)
    await wait_for(
        lambda: all(odoo.states.get(f"sensor.{e}", {}).get("state") == "99" for e in "abc")
    )
    live = [e for b in live_batches(odoo) for e in b["events"] if e["t"] == "state"]
    for entity in ("a", "b", "c"):
        values = [int(e["state"]) for e in live if e["entity_id"] == f"sensor.{entity}"]
        assert values == sorted(values)
        assert values[-1] == 99


async def test_a_lower_buffer_limit_compacts_at_once(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Lowering the limit in the options shrinks the queue now, not at the next change."""
    outbox = await outbox_with_odoo_down(hass, odoo, config_entry)
    set_values(hass, 100)
    await wait_for(lambda: outbox.pending >= 300)
    hass.config_entries.async_update_entry(config_entry, options={"buffer_limit": 100})
    await hass.async_block_till_done()
    assert outbox.pending <= 100
    assert outbox.status.dropped_events >= 200


async def test_a_queue_of_snapshot_parts_alone_is_not_compacted(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Snapshot parts are never dropped: over the limit with nothing else, nothing happens."""
    for index in range(30):
        hass.states.async_set(f"sensor.part_{index}", "1")
    outbox = await outbox_with_odoo_down(hass, odoo, config_entry, max_batch=1)
    await wait_for(lambda: outbox.pending >= 30)
    hass.config_entries.async_update_entry(
        config_entry, options={"max_batch": 1, "buffer_limit": 10}
    )
    await hass.async_block_till_done()
    assert outbox.status.dropped_events == 0
    overflow = f"outbox_overflow_{config_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, overflow) is None


async def test_a_state_json_cannot_hold_never_stops_the_journal(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """While Odoo is down, a queued state with an int beyond 64 bits is left out of the
    saved outbox; everything else around it is saved and delivered once Odoo is back."""
    outbox = await outbox_with_odoo_down(hass, odoo, config_entry, heartbeat_interval=3600)
    await wait_for(lambda: len(odoo.attempts) >= 1)
    hass.states.async_set("sensor.before", "1")
    hass.states.async_set("sensor.bad", "1", {"value": 2**64})
    hass.states.async_set("sensor.after", "1")
    await outbox.async_save()
    queued = await journaled_entities(hass, config_entry)
    assert queued == ["sensor.before", "sensor.after"]
    odoo.down = False
    outbox.async_request_flush()
    await wait_for(lambda: bool(odoo.state_events("sensor.after")))
    assert odoo.state_events("sensor.before")
    assert "sensor.bad" not in odoo.states
