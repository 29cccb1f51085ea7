"""The outbox on disk: the queue, the batch in flight and the counters survive restarts."""

import asyncio
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import orjson
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store

from .batch import Batch, Chunk, QueueItem
from .const import DOMAIN
from .events import state_event

if TYPE_CHECKING:
    from .runtime import OdooConfigEntry

STORAGE_VERSION = 1
SAVE_DELAY = 10.0

# Returns, in the event loop, what to save: the stored header, the queued items, and whether
# states keep their attributes.
type SaveContents = Callable[[], tuple[dict[str, Any], list[QueueItem], bool]]


def outbox_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the Store holding one pairing's outbox."""
    return Store(
        hass,
        STORAGE_VERSION,
        f"{DOMAIN}.outbox.{entry_id}",
        private=True,
        atomic_writes=True,
        serialize_in_event_loop=False,
    )


def stored_batch(batch: Batch) -> dict[str, Any]:
    """Return the storable form of a batch in flight."""
    return {
        "batch_id": batch.batch_id,
        "seq": batch.seq,
        "snapshot": batch.snapshot,
        "events": [orjson.Fragment(event) for event in batch.events],
    }


def _stored_item(item: QueueItem, include_attributes: bool) -> Any:
    """Return the storable form of a queued item."""
    if isinstance(item, Chunk):
        return {"chunk": item.snapshot, "events": [orjson.Fragment(e) for e in item.events]}
    if isinstance(item, State):
        return state_event(item, include_attributes)
    return item


def _stored_queue(items: list[QueueItem], include_attributes: bool) -> orjson.Fragment:
    """Return the queue encoded for the store, in one pass when JSON can hold all of it.

    Otherwise each item is encoded on its own and one JSON cannot hold is left out, so the
    rest is still saved; the sender sets that one aside (counted) when it reaches the front.
    """
    stored = [_stored_item(item, include_attributes) for item in items]
    try:
        return orjson.Fragment(json_bytes(stored))
    except TypeError:  # orjson's JSONEncodeError
        encodable: list[bytes] = []
        for item in stored:
            with suppress(TypeError):
                encodable.append(json_bytes(item))
        return orjson.Fragment(b"[" + b",".join(encodable) + b"]")


def stored_data(
    header: dict[str, Any], items: list[QueueItem], include_attributes: bool
) -> dict[str, Any]:
    """Build the stored document (runs in the executor; States are immutable)."""
    return {**header, "queue": _stored_queue(items, include_attributes)}


def restored_batch(stored: dict[str, Any]) -> Batch:
    """Return the batch in flight saved by `stored_batch`."""
    return Batch(
        batch_id=stored["batch_id"],
        seq=int(stored["seq"]),
        snapshot=stored["snapshot"],
        events=[json_bytes(event) for event in stored["events"]],
    )


def restored_item(stored: Any) -> QueueItem:
    """Return a queued item saved by `stored_data`: a chunk or a ready wire event."""
    if "chunk" in stored:
        return Chunk(stored["chunk"], [json_bytes(event) for event in stored["events"]])
    return stored  # type: ignore[no-any-return]


class OutboxSaver:
    """Saves one pairing's outbox: soon after a change, coalesced, never out of order."""

    def __init__(self, hass: HomeAssistant, entry: OdooConfigEntry, contents: SaveContents) -> None:
        """Bind the saver to the entry's store and to what it saves."""
        self._hass = hass
        self._entry = entry
        self._contents = contents
        self._store = outbox_store(hass, entry.entry_id)
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()

    async def async_load(self) -> dict[str, Any]:
        """Return the document saved before a restart (empty when none)."""
        return await self._store.async_load() or {}

    @callback
    def schedule(self, delay: float = SAVE_DELAY) -> None:
        """Save after `delay` seconds; a save already pending sooner is kept.

        Called on the hot path for every queued event: it returns at once while a save is
        pending, so a crash loses at most the save delay's worth of changes.
        """
        if self._timer is not None:
            if delay > 0:
                return
            self._timer.cancel()
        self._timer = self._hass.loop.call_later(delay, self._async_save_soon)

    @callback
    def _async_save_soon(self) -> None:
        """Start a background save from the save timer."""
        self._timer = None
        self._entry.async_create_background_task(
            self._hass, self.async_save(), f"{DOMAIN} outbox save"
        )

    async def async_save(self) -> None:
        """Write the outbox to disk now."""
        # Serialized so an older save running in the background never overwrites a newer one.
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            header, items, include_attributes = self._contents()
            # States are converted in the executor: a backlog may hold 200 000 of them.
            data = await self._hass.async_add_executor_job(
                stored_data, header, items, include_attributes
            )
            await self._store.async_save(data)
