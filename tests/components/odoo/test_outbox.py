"""The outbox against the fake Odoo: batching, ordering, limits, heartbeats and Odoo's answers."""

import asyncio
import gzip
import time
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo import sender as sender_module
from custom_components.odoo.const import DOMAIN, MAX_BATCH_BYTES
from custom_components.odoo.outbox import Outbox

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo, ScriptedAnswer


def outbox_of(entry: MockConfigEntry) -> Outbox:
    """Return the running outbox of an entry."""
    outbox: Outbox = entry.runtime_data.outbox
    return outbox


async def _synced(
    hass: HomeAssistant, odoo: FakeOdoo, entry: MockConfigEntry, **options: Any
) -> Outbox:
    """Set the entry up and wait until the initial snapshot is in Odoo."""
    await setup_entry(hass, entry, **options)
    await wait_for(lambda: any(batch["snapshot"] for batch in odoo.batches))
    # Once the answer is handled (connected) and nothing is pending, the sender sits idle, so
    # the next change starts a fresh batch.
    await wait_for(lambda: outbox_of(entry).status.connected and outbox_of(entry).pending == 0)
    return outbox_of(entry)


def live_batches(odoo: FakeOdoo) -> list[dict[str, Any]]:
    """Return the accepted batches that are neither snapshots nor heartbeats."""
    return [batch for batch in odoo.batches if not batch["snapshot"] and batch["events"]]


async def test_changes_within_the_flush_delay_travel_together(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Fifty quick changes arrive as one signed batch, in order, with consecutive seq."""
    await _synced(hass, odoo, config_entry)
    for value in range(50):
        hass.states.async_set("sensor.power", str(value), {"unit_of_measurement": "W"})
    await wait_for(lambda: len(odoo.state_events("sensor.power")) == 50)
    (batch,) = live_batches(odoo)
    assert [event["state"] for event in batch["events"]] == [str(v) for v in range(50)]
    assert batch["events"][0]["attributes"] == {"unit_of_measurement": "W"}
    assert batch["seq"] == odoo.batches[-2]["seq"] + 1
    assert odoo.rejected_signatures == 0


async def test_a_full_batch_leaves_without_waiting(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """With a long flush delay, a batch leaves as soon as it is full, or when flushed."""
    await _synced(hass, odoo, config_entry, max_batch=10, flush_delay_ms=60_000)
    for value in range(9):
        hass.states.async_set("sensor.counter", str(value))
    await asyncio.sleep(0.3)
    assert live_batches(odoo) == []
    hass.states.async_set("sensor.counter", "9")
    await wait_for(lambda: len(odoo.state_events("sensor.counter")) == 10)
    await wait_for(lambda: outbox_of(config_entry).pending == 0)
    for value in range(10, 13):
        hass.states.async_set("sensor.counter", str(value))
    await asyncio.sleep(0.3)
    assert len(odoo.state_events("sensor.counter")) == 10
    await hass.services.async_call(DOMAIN, "flush", blocking=True)
    await wait_for(lambda: len(odoo.state_events("sensor.counter")) == 13)
    assert [len(batch["events"]) for batch in live_batches(odoo)] == [10, 3]
    states = [event["state"] for event in odoo.state_events("sensor.counter")]
    assert states == [str(value) for value in range(13)]


async def test_order_is_kept_across_many_batches(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Interleaved changes of several entities arrive exactly once, in the order they happened."""
    await _synced(hass, odoo, config_entry, max_batch=7)
    expected = []
    for value in range(60):
        entity_id = f"sensor.s{value % 3}"
        hass.states.async_set(entity_id, str(value))
        expected.append((entity_id, str(value)))
        if value % 20 == 0:
            await asyncio.sleep(0)
    await wait_for(lambda: sum(len(b["events"]) for b in live_batches(odoo)) == 60)
    received = [(e["entity_id"], e["state"]) for b in live_batches(odoo) for e in b["events"]]
    assert received == expected


async def test_large_batches_are_gzipped_and_capped_at_one_mebibyte(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Bodies above the threshold are gzipped (signed as sent) and never exceed 1 MiB decoded."""
    await _synced(hass, odoo, config_entry)
    blob = "x" * 300_000
    for index in range(8):
        hass.states.async_set(f"sensor.big_{index}", "on", {"blob": blob})
    await wait_for(lambda: sum(len(b["events"]) for b in live_batches(odoo)) == 8)
    assert odoo.gzipped_batches >= 2
    assert len(live_batches(odoo)) >= 3
    for batch in live_batches(odoo):
        assert sum(len(event["attributes"]["blob"]) for event in batch["events"]) < MAX_BATCH_BYTES
    assert odoo.rejected_signatures == 0
    assert gzip.compress(b"{}")  # the fake decoded every gzipped body itself


async def test_attributes_can_be_left_out(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """With send_attributes off, state events carry no attributes."""
    await _synced(hass, odoo, config_entry, send_attributes=False)
    hass.states.async_set("light.desk", "on", {"brightness": 3})
    await wait_for(lambda: bool(odoo.state_events("light.desk")))
    assert "attributes" not in odoo.state_events("light.desk")[-1]


async def test_a_removed_entity_is_sent_as_null_state(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """An entity leaving the state machine arrives as `state: null`."""
    hass.states.async_set("sensor.gone", "1")
    await _synced(hass, odoo, config_entry)
    hass.states.async_remove("sensor.gone")
    await wait_for(lambda: len(odoo.state_events("sensor.gone")) == 2)
    event = odoo.state_events("sensor.gone")[-1]
    assert event["state"] is None
    assert "last_updated" in event


async def test_heartbeat_when_idle(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Nothing to send for heartbeat_interval: an empty batch keeps `last_seen` fresh."""
    await _synced(hass, odoo, config_entry, heartbeat_interval=0.2)
    await wait_for(lambda: sum(1 for b in odoo.batches if not b["events"]) >= 2)
    seqs = [batch["seq"] for batch in odoo.batches]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


async def test_entity_filter_limits_the_export(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Only entities passing the include/exclude filter reach Odoo, snapshot included."""
    hass.states.async_set("light.kept", "on")
    hass.states.async_set("light.secret_lamp", "on")
    hass.states.async_set("switch.other", "on")
    await _synced(
        hass,
        odoo,
        config_entry,
        include_domains=["light"],
        exclude_entity_globs=["light.secret_*"],
    )
    hass.states.async_set("light.kept", "off")
    hass.states.async_set("light.secret_lamp", "off")
    hass.states.async_set("switch.other", "off")
    await wait_for(lambda: len(odoo.state_events("light.kept")) == 2)
    assert odoo.state_events("light.secret_lamp") == []
    assert odoo.state_events("switch.other") == []


# ---- answers of docs/protocol.md §3 -----------------------------------------------------------


async def test_400_splits_and_dead_letters_the_bad_event(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused batch is halved until the bad event is alone; it is set aside, the rest flows."""
    await _synced(hass, odoo, config_entry)
    odoo.refuse_entities = {"sensor.bad"}
    for value in range(10):
        hass.states.async_set(f"sensor.good_{value}", "1")
        if value == 6:
            hass.states.async_set("sensor.bad", "boom")
    await wait_for(lambda: sum(len(b["events"]) for b in live_batches(odoo)) == 10)
    received = [e["entity_id"] for b in live_batches(odoo) for e in b["events"]]
    assert received == [f"sensor.good_{value}" for value in range(10)]
    outbox = outbox_of(config_entry)
    assert outbox.status.dead_letter_count == 1
    assert outbox.status.dead_letters[0]["event"]["entity_id"] == "sensor.bad"
    assert caplog.text.count("Odoo refused the state event of sensor.bad") == 1
    hass.states.async_set("sensor.after", "1")
    await wait_for(lambda: bool(odoo.state_events("sensor.after")))


async def test_413_splits_the_batch(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Too large: the batch is halved and both halves are delivered, order kept."""
    await _synced(hass, odoo, config_entry)
    odoo.scripted.append(ScriptedAnswer(413, "too_large"))
    for value in range(8):
        hass.states.async_set("sensor.split", str(value))
    await wait_for(lambda: len(odoo.state_events("sensor.split")) == 8)
    assert [len(batch["events"]) for batch in live_batches(odoo)] == [4, 4]
    states = [event["state"] for event in odoo.state_events("sensor.split")]
    assert states == [str(value) for value in range(8)]


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_stop_pushing_and_start_reauth(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry, status: int
) -> None:
    """401/403: no more pushes, events keep buffering, a reauth flow is started."""
    outbox = await _synced(hass, odoo, config_entry)
    odoo.scripted.append(ScriptedAnswer(status, "bad_signature"))
    hass.states.async_set("sensor.x", "1")
    await wait_for(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    attempts = len(odoo.attempts)
    hass.states.async_set("sensor.x", "2")
    await asyncio.sleep(0.3)
    assert len(odoo.attempts) == attempts
    assert outbox.pending == 2
    assert outbox.status.connected is False


async def test_410_stops_and_raises_a_repair_issue(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Instance removed in Odoo: pushing stops and the user is told in Repairs."""
    await _synced(hass, odoo, config_entry)
    odoo.scripted.append(ScriptedAnswer(410, "instance_removed"))
    hass.states.async_set("sensor.x", "1")
    issue_id = f"instance_removed_{config_entry.entry_id}"
    await wait_for(lambda: issue_registry.async_get_issue(DOMAIN, issue_id) is not None)
    attempts = len(odoo.attempts)
    hass.states.async_set("sensor.x", "2")
    await asyncio.sleep(0.3)
    assert len(odoo.attempts) == attempts
    assert outbox_of(config_entry).status.halted
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    waits: list[float],
    status: int,
) -> None:
    """429/503 with Retry-After: the same batch is retried after that delay, not the backoff."""
    await _synced(hass, odoo, config_entry)
    odoo.scripted.append(ScriptedAnswer(status, "busy", {"Retry-After": "7"}))
    hass.states.async_set("sensor.x", "1")
    await wait_for(lambda: bool(live_batches(odoo)))
    batch_id = live_batches(odoo)[0]["batch_id"]
    assert odoo.attempts.count(batch_id) == 2
    # The backoff is jittered, so only Retry-After itself waits exactly 7 s.
    assert 7.0 in waits


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every wait of the sender, and cut each to at most 50 ms."""
    delays: list[float] = []
    wait = sender_module._wait

    async def recorded(event: asyncio.Event, seconds: float) -> None:
        delays.append(seconds)
        await wait(event, min(seconds, 0.05))

    monkeypatch.setattr(sender_module, "_wait", recorded)
    return delays


@pytest.mark.parametrize(
    ("header", "delay"),
    [("9" * 400, 300.0), ("86400", 300.0), ("0", 1.0)],
    ids=["400_digits", "a_day", "zero"],
)
async def test_retry_after_is_clamped(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    waits: list[float],
    header: str,
    delay: float,
) -> None:
    """A Retry-After of a day or of 400 digits (infinite) waits the backoff maximum (300 s),
    not for ever; 0 waits a second, not a busy loop."""
    await _synced(hass, odoo, config_entry)
    odoo.scripted.append(ScriptedAnswer(503, "busy", {"Retry-After": header}))
    hass.states.async_set("sensor.x", "1")
    await wait_for(lambda: bool(live_batches(odoo)))
    assert delay in waits
    assert max(waits) <= 300


@pytest.mark.parametrize(
    "answer",
    [
        ScriptedAnswer(400, page="<html><body>400 Bad Request (nginx)</body></html>"),
        ScriptedAnswer(413, page="<html><body>413 Request Entity Too Large</body></html>"),
    ],
)
async def test_a_400_or_413_without_protocol_body_is_retried_whole(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    answer: ScriptedAnswer,
) -> None:
    """A proxy's page is no verdict on the events: the same batch is retried after the
    backoff, never split, nothing is set aside."""
    monkeypatch.setattr("custom_components.odoo.retry.BACKOFF_INITIAL", 0.01)
    outbox = await _synced(hass, odoo, config_entry)
    odoo.scripted.extend([answer, answer])
    for value in range(6):
        hass.states.async_set("sensor.proxied", str(value))
    await wait_for(lambda: bool(live_batches(odoo)))
    (batch,) = live_batches(odoo)
    assert [event["state"] for event in batch["events"]] == [str(value) for value in range(6)]
    assert odoo.attempts.count(batch["batch_id"]) == 3
    assert outbox.status.dead_letter_count == 0


async def test_a_stale_timestamp_retries_and_raises_a_clock_issue(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Odoo answers `stale_timestamp`: no halt, no re-authentication, a repair issue naming
    the measured difference; it goes away with the next accepted push."""
    monkeypatch.setattr("custom_components.odoo.retry.BACKOFF_INITIAL", 0.2)
    outbox = await _synced(hass, odoo, config_entry)
    stale = ScriptedAnswer(401, "stale_timestamp", details={"server_time": int(time.time()) + 900})
    odoo.scripted.extend([stale, stale])
    hass.states.async_set("sensor.x", "1")
    issue_id = f"clock_skew_{config_entry.entry_id}"
    await wait_for(lambda: issue_registry.async_get_issue(DOMAIN, issue_id) is not None)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "clock_skew"
    assert issue.translation_placeholders is not None
    assert int(issue.translation_placeholders["skew"]) in range(899, 902)
    assert not outbox.status.halted
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    await wait_for(lambda: bool(odoo.state_events("sensor.x")))
    (batch,) = live_batches(odoo)
    assert odoo.attempts.count(batch["batch_id"]) == 3
    await wait_for(lambda: issue_registry.async_get_issue(DOMAIN, issue_id) is None)
    assert outbox.status.connected


async def test_outage_backoff_logs_once_and_resyncs_after(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """5xx: retried with the same batch_id until back; logged once each way; snapshot after."""
    monkeypatch.setattr("custom_components.odoo.retry.BACKOFF_INITIAL", 0.01)
    outbox = await _synced(hass, odoo, config_entry)
    odoo.down = True
    hass.states.async_set("sensor.x", "1")
    await wait_for(lambda: len(odoo.attempts) >= 5)
    assert outbox.status.connected is False
    hass.states.async_set("sensor.x", "2")
    odoo.down = False
    await wait_for(lambda: len(live_batches(odoo)) == 2 and odoo.batches[-1]["snapshot"] is True)
    first = live_batches(odoo)[0]
    assert odoo.attempts.count(first["batch_id"]) >= 5
    received = [e["state"] for b in live_batches(odoo) for e in b["events"]]
    assert received == ["1", "2"]
    assert caplog.text.count("Odoo is unreachable") == 1
    assert caplog.text.count("Odoo is reachable again") == 1
    assert outbox.status.connected is True


async def test_a_lost_answer_is_retried_without_duplicates(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Odoo committed but the answer was lost: the retry reuses the batch_id, stored once."""
    monkeypatch.setattr("custom_components.odoo.retry.BACKOFF_INITIAL", 0.01)
    await _synced(hass, odoo, config_entry)
    odoo.lose_next_answer = True
    hass.states.async_set("sensor.once", "1")
    await wait_for(lambda: live_batches(odoo) != [])
    batch_id = live_batches(odoo)[0]["batch_id"]
    await wait_for(lambda: odoo.attempts.count(batch_id) == 2)
    await wait_for(lambda: outbox_of(config_entry).pending == 0)
    received = [e["state"] for b in live_batches(odoo) for e in b["events"]]
    assert received == ["1"]


# ---- states JSON cannot hold ---------------------------------------------------------------

UNENCODABLE = pytest.mark.parametrize(
    "value", [2**64, "\ud800", object()], ids=["int_beyond_64_bits", "lone_surrogate", "object"]
)


@UNENCODABLE
async def test_a_state_json_cannot_hold_is_set_aside_and_the_stream_goes_on(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    value: Any,
) -> None:
    """An attribute orjson refuses: that event is set aside (counted, in diagnostics), the
    events around it arrive, the sender keeps running and snapshots still work."""
    hass.states.async_set("sensor.bad", "0", {"value": value})
    outbox = await _synced(hass, odoo, config_entry)
    assert "sensor.bad" not in odoo.states
    assert outbox.status.dead_letter_count == 1  # left out of the initial snapshot
    hass.states.async_set("sensor.before", "1")
    hass.states.async_set("sensor.bad", "1", {"value": value})
    hass.states.async_set("sensor.after", "1")
    await wait_for(lambda: bool(odoo.state_events("sensor.after")))
    assert [e["entity_id"] for b in live_batches(odoo) for e in b["events"]] == [
        "sensor.before",
        "sensor.after",
    ]
    assert outbox.status.dead_letter_count == 2
    letter = outbox.status.dead_letters[-1]
    assert letter["code"] == "unencodable"
    assert letter["status"] is None
    assert letter["event"] == {"t": "state", "entity_id": "sensor.bad"}
    assert caplog.text.count("The state event of sensor.bad cannot be encoded") == 1

    hass.states.async_set("sensor.later", "1")
    await wait_for(lambda: bool(odoo.state_events("sensor.later")))
    await hass.services.async_call(DOMAIN, "resync", blocking=True)
    await wait_for(lambda: outbox.status.dead_letter_count == 3)
    await wait_for(lambda: outbox.pending == 0 and odoo.batches[-1]["snapshot"] is True)
    assert "sensor.after" in {e.get("entity_id") for e in odoo.batches[-1]["events"]}

    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    assert diagnostics["outbox"]["dead_letter_count"] == 3
    assert diagnostics["outbox"]["dead_letters"][-1]["code"] == "unencodable"
