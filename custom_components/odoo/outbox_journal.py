"""The outbox's journal: the queue and the batch in flight in SQLite, committed in batches.

One row per queued item, keyed by its position in the queue: appends insert rows at the end
and sending deletes a range from the front, so a commit costs what changed, not the whole
queue. Rare reorderings (a snapshot inserted, a compaction, a refused batch split) rewrite
the rows in one transaction, so a kill in the middle leaves the previous commit intact.

WAL mode with `synchronous=FULL`: each commit syncs the write-ahead log, and the saver
commits at most every `JOURNAL_DELAY` seconds, so a power loss (or SIGKILL) loses at most
that delay plus one write. `NORMAL` would sync only at checkpoints (every ~4 MB of log),
which bounds nothing in time. Every call here blocks: run it in the executor.
"""

import logging
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.util import dt as dt_util

from .batch import Batch, Chunk, QueueItem
from .const import DOMAIN
from .events import state_event

_LOGGER = logging.getLogger(__name__)

JOURNAL_DELAY = 0.5
# Free pages are returned to the file system once the journal holds no more than this.
VACUUM_BELOW_ROWS = 1000
# The write-ahead log is cut back to this size after a checkpoint.
WAL_SIZE_LIMIT = 4 * 1024 * 1024

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS queue (position INTEGER PRIMARY KEY, item BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS header (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
)


@dataclass(slots=True)
class JournalWrite:
    """What one commit brings the journal to.

    The queue occupies positions `front` to `end` (excluded); `rows` are the positions not
    yet written. `rewrite` replaces every row; `header` (the next `seq` and the batch in
    flight) is None when unchanged.
    """

    front: int
    end: int
    rows: list[tuple[int, QueueItem]]
    rewrite: bool
    header: dict[str, Any] | None
    include_attributes: bool


@dataclass(slots=True)
class Journaled:
    """What the journal held when it was opened."""

    front: int
    header: dict[str, Any]
    items: list[QueueItem]


def journal_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Return the journal file of one pairing's outbox, beside Home Assistant's stores."""
    return Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.outbox.{entry_id}.db"))


# ---- the stored forms -------------------------------------------------------------------


def stored_batch(batch: Batch) -> dict[str, Any]:
    """Return the storable form of a batch in flight."""
    return {
        "batch_id": batch.batch_id,
        "seq": batch.seq,
        "snapshot": batch.snapshot,
        "events": [orjson.Fragment(event) for event in batch.events],
    }


def stored_header(next_seq: int, inflight: Batch | None) -> dict[str, Any]:
    """Return the journal's header: the next sequence number and the batch in flight."""
    return {"next_seq": next_seq, "inflight": stored_batch(inflight) if inflight else None}


def restored_batch(stored: dict[str, Any]) -> Batch:
    """Return the batch in flight saved by `stored_batch`."""
    return Batch(
        batch_id=stored["batch_id"],
        seq=int(stored["seq"]),
        snapshot=stored["snapshot"],
        events=[json_bytes(event) for event in stored["events"]],
    )


def encoded_item(item: QueueItem, include_attributes: bool) -> bytes:
    """Return the stored form of a queued item; TypeError when JSON cannot hold it."""
    if isinstance(item, Chunk):
        stored = {"chunk": item.snapshot, "events": [orjson.Fragment(e) for e in item.events]}
        return json_bytes(stored)
    if isinstance(item, State):
        return json_bytes(state_event(item, include_attributes))
    return json_bytes(item)


def restored_item(stored: Any) -> QueueItem:
    """Return a queued item from its stored form: a chunk or a ready wire event."""
    if "chunk" in stored:
        return Chunk(stored["chunk"], [json_bytes(event) for event in stored["events"]])
    return stored  # type: ignore[no-any-return]


# ---- the file ---------------------------------------------------------------------------


def open_journal(path: Path) -> tuple[sqlite3.Connection, Journaled | None]:
    """Open (or create) the journal and read it; None when it holds no header yet.

    A file SQLite cannot read (torn, truncated, not a database) is moved aside with a
    warning, and an empty journal takes its place: the outbox starts, the snapshot that
    follows every start brings Odoo's current states back.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open(path)
    except sqlite3.DatabaseError as err:
        aside = path.with_name(f"{path.name}.corrupt-{dt_util.utcnow():%Y%m%dT%H%M%S}")
        _LOGGER.warning(
            "The outbox journal %s cannot be read (%s); moved it to %s and started an empty "
            "one: changes queued before were lost, the next snapshot restores current states",
            path,
            err,
            aside.name,
        )
        path.rename(aside)
        for suffix in ("-wal", "-shm"):
            with suppress(FileNotFoundError):
                path.with_name(path.name + suffix).rename(aside.with_name(aside.name + suffix))
        return _open(path)


def _open(path: Path) -> tuple[sqlite3.Connection, Journaled | None]:
    """Open the journal, check it and read it; raise DatabaseError when it is damaged."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        # auto_vacuum only takes effect in a new file, before the first table.
        connection.execute("PRAGMA auto_vacuum=INCREMENTAL")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        for statement in _SCHEMA:
            connection.execute(statement)
        (check,) = connection.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        return connection, _read(connection)
    except Exception:
        connection.close()
        raise


def _read(connection: sqlite3.Connection) -> Journaled | None:
    """Read the header and the queued items, in order."""
    row = connection.execute("SELECT value FROM header WHERE key = 'outbox'").fetchone()
    if row is None:
        return None
    header = orjson.loads(row[0])
    rows = connection.execute("SELECT position, item FROM queue ORDER BY position").fetchall()
    front = rows[0][0] if rows else 0
    return Journaled(front, header, [restored_item(orjson.loads(item)) for _, item in rows])


def write_journal(connection: sqlite3.Connection, write: JournalWrite) -> None:
    """Bring the journal to `write` in one transaction.

    An item JSON cannot hold is left out, so the rest is still saved; the sender sets that
    one aside (counted) when it reaches the front.
    """
    rows: list[tuple[int, bytes]] = []
    for position, item in write.rows:
        with suppress(TypeError):  # orjson's JSONEncodeError
            rows.append((position, encoded_item(item, write.include_attributes)))
    connection.execute("BEGIN IMMEDIATE")
    try:
        if write.rewrite:
            connection.execute("DELETE FROM queue")
        else:
            connection.execute(
                "DELETE FROM queue WHERE position < ? OR position >= ?", (write.front, write.end)
            )
        connection.executemany("INSERT OR REPLACE INTO queue VALUES (?, ?)", rows)
        if write.header is not None:
            header = json_bytes(write.header)
            connection.execute("INSERT OR REPLACE INTO header VALUES ('outbox', ?)", (header,))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    if write.end - write.front <= VACUUM_BELOW_ROWS:
        (free_pages,) = connection.execute("PRAGMA freelist_count").fetchone()
        if free_pages:
            # A drained backlog gives its pages back, once; bounded by what the backlog freed.
            connection.execute("PRAGMA incremental_vacuum").fetchall()


def remove_journal(path: Path) -> None:
    """Delete the journal and SQLite's files beside it."""
    for suffix in ("", "-wal", "-shm"):
        with suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
