"""The outbox on disk: the queue, the batch in flight and the counters survive restarts."""

from contextlib import suppress
from typing import Any

import orjson
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store

from .batch import Batch, Chunk, QueueItem
from .const import DOMAIN
from .events import state_event

STORAGE_VERSION = 1


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
