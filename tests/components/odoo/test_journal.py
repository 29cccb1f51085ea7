"""The outbox journal: crash round trips, deletion of delivered rows, damage and migration."""

import logging
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.odoo.batch import Chunk
from custom_components.odoo.const import DOMAIN
from custom_components.odoo.outbox_journal import (
    JournalWrite,
    journal_path,
    open_journal,
    write_journal,
)
from custom_components.odoo.send_queue import SendQueue

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo
from .test_outbox import live_batches, outbox_of
from .test_persistence import journal_contents, journaled, restarted_with, wait_for_journal

REPOSITORY = Path(__file__).resolve().parents[3]
# Opens the journal given as argv[1] and rewrites it with many rows; a progress handler
# reports on stdout once the rewrite's transaction is well under way and then holds the
# process there, so the test's SIGKILL always lands between the first write and the commit.
REWRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from custom_components.odoo.outbox_journal import JournalWrite, open_journal, write_journal

    connection, _ = open_journal(Path(sys.argv[1]))
    calls = 0

    def progress():
        global calls
        if connection.in_transaction:
            calls += 1
            if calls == 5000:
                sys.stdout.write("rewriting\\n")
                sys.stdout.flush()
                time.sleep(60)
        return 0

    connection.set_progress_handler(progress, 100)
    rows = [(n, {"t": "state", "entity_id": "sensor.rewritten", "n": n}) for n in range(60000)]
    header = {"next_seq": 99, "inflight": None}
    write_journal(connection, JournalWrite(0, 60000, rows, True, header, True))
    sys.stdout.write("committed\\n")
    """
)


async def restart_on(
    directory: Path, entry: MockConfigEntry, odoo: FakeOdoo, delivered: int
) -> list[dict[str, Any]]:
    """Start a second Home Assistant on `directory` with the same pairing; return the live
    batches Odoo holds once `delivered` state events reached it."""
    async with restarted_with(str(directory), entry):
        await wait_for(
            lambda: sum(len(b["events"]) for b in live_batches(odoo) if not b["snapshot"])
            >= delivered
        )
    return live_batches(odoo)


async def test_the_journal_as_a_kill_leaves_it_is_delivered_once_in_order(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry, tmp_path: Path
) -> None:
    """Odoo down: the files on disk just after a commit (what SIGKILL leaves) hold the batch
    in flight and the queue; a Home Assistant started on them delivers each change once."""
    odoo.down = True
    await setup_entry(hass, config_entry, heartbeat_interval=3600)
    for value in range(5):
        hass.states.async_set("sensor.meter", str(value))
    await wait_for(lambda: len(odoo.attempts) >= 1)
    hass.states.async_set("sensor.last", "1")
    await wait_for_journal(hass, config_entry, "sensor.last")
    killed = tmp_path / "killed"
    source = journal_path(hass, config_entry.entry_id)
    (killed / ".storage").mkdir(parents=True)
    for file in source.parent.glob(source.name + "*"):
        shutil.copy(file, killed / ".storage" / file.name)
    inflight_id = odoo.attempts[-1]
    # The killed Home Assistant pushes no more; what it writes on unload lands elsewhere.
    assert await hass.config_entries.async_unload(config_entry.entry_id)

    odoo.down = False
    batches = await restart_on(killed, config_entry, odoo, 6)
    assert odoo.batches[0]["batch_id"] == inflight_id
    events = [(e["entity_id"], e["state"]) for b in batches for e in b["events"]]
    assert events == [("sensor.meter", str(value)) for value in range(5)] + [("sensor.last", "1")]


async def test_delivered_items_leave_the_journal(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Once Odoo committed them, the rows of sent items and the batch in flight are gone."""
    await setup_entry(hass, config_entry)
    for value in range(50):
        hass.states.async_set("sensor.meter", str(value))
    await wait_for(lambda: len(odoo.state_events("sensor.meter")) >= 50)
    await wait_for(lambda: outbox_of(config_entry).pending == 0)
    await outbox_of(config_entry).async_save()
    saved = await journaled(hass, config_entry)
    assert saved.items == []
    assert saved.header["inflight"] is None
    assert saved.header["next_seq"] > 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"this is not a database" * 100, id="garbage"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
    ],
)
async def test_a_damaged_journal_is_moved_aside_and_setup_goes_on(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    damage: Any,
) -> None:
    """A file SQLite cannot read: a clear warning, the file kept aside, an empty journal, and
    the outbox streams as before."""
    path = journal_path(hass, config_entry.entry_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection, _ = open_journal(path)
    rows = [(position, {"t": "state", "entity_id": "sensor.old"}) for position in range(3000)]
    write = JournalWrite(0, 3000, rows, True, {"next_seq": 5, "inflight": None}, True)  # type: ignore[arg-type]
    write_journal(connection, write)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    path.write_bytes(damage(path.read_bytes()))

    with caplog.at_level(logging.WARNING):
        await setup_entry(hass, config_entry)
    assert "cannot be read" in caplog.text
    assert [file.name for file in path.parent.glob(path.name + ".corrupt-*")]
    hass.states.async_set("sensor.after", "1")
    await wait_for(lambda: bool(odoo.state_events("sensor.after")))
    assert not odoo.state_events("sensor.old")


def test_a_failed_rewrite_leaves_the_last_commit(tmp_path: Path) -> None:
    """A rewrite (a compaction, a snapshot inserted) is one transaction: when it fails half
    way, as when killed, the journal still holds everything committed before."""
    path = tmp_path / "journal.db"
    connection, _ = open_journal(path)
    header = {"next_seq": 2, "inflight": None}
    rows: list[Any] = [
        (position, {"t": "state", "entity_id": "sensor.kept"}) for position in range(10)
    ]
    write_journal(connection, JournalWrite(0, 10, rows, False, header, True))
    # The second row's position is not an integer: SQLite refuses it after the delete ran.
    broken: list[Any] = [(0, {"t": "state"}), ("not a position", {"t": "state"})]
    with pytest.raises(sqlite3.Error):
        write_journal(connection, JournalWrite(0, 2, broken, True, None, True))
    connection.close()
    connection, saved = open_journal(path)
    connection.close()
    assert saved is not None
    assert [item["entity_id"] for item in saved.items] == ["sensor.kept"] * 10  # type: ignore[index]


def test_chunks_put_at_either_end_write_their_rows_alone(tmp_path: Path) -> None:
    """A snapshot queued at either end of a long backlog, or a refused batch split back to
    the front, writes its own rows, not the whole queue again; the journal still matches."""
    connection, _ = open_journal(tmp_path / "journal.db")
    queue = SendQueue(1_000_000)
    queue.extend({"t": "state", "entity_id": f"sensor.s{n}"} for n in range(5000))
    write_journal(connection, queue.journal_changes(True))

    queue.insert_snapshot([b'{"t":"state"}'], 1000, queue.last())
    batch = queue.take_batch(1000, True, lambda item, err: None)
    queue.split_refused(batch)
    changes = queue.journal_changes(True)
    write_journal(connection, changes)
    assert not changes.rewrite
    assert len(changes.rows) == 3  # the snapshot at the end, the two halves at the front
    connection.close()

    connection, saved = open_journal(tmp_path / "journal.db")
    connection.close()
    assert saved is not None
    restored = SendQueue(1_000_000)
    restored.restore_journal(saved)
    assert restored.pending == queue.pending == 5001
    assert isinstance(saved.items[0], Chunk)
    assert isinstance(saved.items[1], Chunk)
    assert saved.items[0].events == batch.events[:500]
    assert saved.items[2] == {"t": "state", "entity_id": "sensor.s1000"}
    assert isinstance(saved.items[-1], Chunk)
    assert saved.items[-1].snapshot is True


def test_a_kill_during_a_rewrite_loses_nothing_journaled(tmp_path: Path) -> None:
    """A process SIGKILLed in the middle of a rewrite (a compaction, a snapshot inserted, a
    split) leaves the journal exactly as its last commit: every row, in order, and the header."""
    path = tmp_path / "journal.db"
    connection, _ = open_journal(path)
    header = {"next_seq": 7, "inflight": None}
    rows: list[Any] = [
        (position, {"t": "state", "entity_id": "sensor.kept", "n": position})
        for position in range(100, 20100)
    ]
    write_journal(connection, JournalWrite(100, 20100, rows, False, header, True))
    connection.close()

    rewriter = subprocess.Popen(
        [sys.executable, "-c", REWRITER, str(path)],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert rewriter.stdout is not None
        assert rewriter.stdout.readline() == "rewriting\n"
    finally:
        rewriter.send_signal(signal.SIGKILL)
        rewriter.wait()
        if rewriter.stdout is not None:
            rewriter.stdout.close()
    assert rewriter.returncode == -signal.SIGKILL

    connection, saved = open_journal(path)
    connection.close()
    assert saved is not None
    assert saved.front == 100
    assert saved.header == header
    assert saved.items == [item for _, item in rows]
    assert not list(tmp_path.glob("*.corrupt-*"))


async def test_a_store_outbox_moves_into_the_journal_once(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """An outbox saved by the Store (before the journal) is delivered after the upgrade:
    the batch in flight with its batch_id, then the queue, and never again after a reload."""
    event = {"t": "state", "last_updated": "2026-11-30T10:00:00+00:00", "attributes": {}}
    queue = [{**event, "entity_id": "sensor.queued", "state": str(value)} for value in range(3)]
    inflight = {**event, "entity_id": "sensor.inflight", "state": "0"}
    hass_storage[f"{DOMAIN}.outbox.{config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.outbox.{config_entry.entry_id}",
        "data": {
            "next_seq": 7,
            "inflight": {
                "batch_id": "old-batch",
                "seq": 6,
                "snapshot": False,
                "events": [inflight],
            },
            "queue": queue,
            "events_sent": 40,
        },
    }
    await setup_entry(hass, config_entry, heartbeat_interval=3600)
    saved = hass_storage[f"{DOMAIN}.outbox.{config_entry.entry_id}"]["data"]
    assert "queue" not in saved
    assert "inflight" not in saved
    assert saved["events_sent"] == 40
    await wait_for(lambda: len(odoo.state_events("sensor.queued")) >= 3)
    assert odoo.batches[0]["batch_id"] == "old-batch"
    assert odoo.batches[1]["seq"] == 7
    assert [e["state"] for e in odoo.state_events("sensor.queued")] == ["0", "1", "2"]

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    hass.states.async_set("sensor.after", "1")
    await wait_for(lambda: bool(odoo.state_events("sensor.after")))
    assert len(odoo.state_events("sensor.queued")) == 3
    assert len(odoo.state_events("sensor.inflight")) == 1
    contents = await journal_contents(hass, config_entry)
    assert contents is not None
