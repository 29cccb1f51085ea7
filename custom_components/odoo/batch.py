"""Batches as they travel: encoded events cut within the protocol's limits, and the body.

Events are encoded once, when they leave the queue (or when a snapshot is taken); a batch
keeps them encoded so a retry sends the very same bytes.
"""

import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.core import State
from homeassistant.helpers.json import json_bytes
from homeassistant.util import dt as dt_util

from .const import MAX_BATCH_BYTES, PROTOCOL_VERSION
from .events import WireEvent, state_event

# Room left in a batch for the envelope around the events (ids, timestamps, flags).
ENVELOPE_BYTES = 512


@dataclass(slots=True)
class Chunk:
    """Encoded events that travel together as one batch (a snapshot part or half a split batch)."""

    snapshot: bool | dict[str, Any]
    events: list[bytes]


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch handed to Odoo; retries re-send it with the same `batch_id` (idempotency key)."""

    batch_id: str
    seq: int
    snapshot: bool | dict[str, Any]
    events: list[bytes]


# A queued item is a live state (encoded when batched), a ready wire event, or a chunk.
type QueueItem = State | WireEvent | Chunk

# Receives a queued item that cannot be encoded, and orjson's reason.
type SetAside = Callable[[State | WireEvent, TypeError], None]


def encode_item(item: State | WireEvent, include_attributes: bool) -> bytes:
    """Return the encoded wire event of a queued state or event.

    Raises TypeError (orjson's JSONEncodeError) for a value JSON cannot hold: an int beyond
    64 bits, a lone surrogate, an object without a JSON form.
    """
    return json_bytes(state_event(item, include_attributes) if isinstance(item, State) else item)


def split_events(events: list[bytes], max_events: int) -> list[list[bytes]]:
    """Cut encoded events into runs within the event and byte limits of a batch."""
    chunks: list[list[bytes]] = [[]]
    size = ENVELOPE_BYTES
    for encoded in events:
        current = chunks[-1]
        if current and (len(current) >= max_events or size + len(encoded) + 1 > MAX_BATCH_BYTES):
            chunks.append([])
            size = ENVELOPE_BYTES
        chunks[-1].append(encoded)
        size += len(encoded) + 1
    return chunks


def take_events(
    queue: deque[QueueItem], max_events: int, include_attributes: bool, set_aside: SetAside
) -> list[bytes]:
    """Take and encode the states and events at the front of `queue`, up to the next chunk,
    within the event and byte limits of a batch.

    An item that cannot be encoded (an attribute JSON cannot hold) is handed to `set_aside`
    and leaves the queue; every item is encoded before it is taken.
    """
    events: list[bytes] = []
    size = ENVELOPE_BYTES
    while queue and len(events) < max_events:
        item = queue[0]
        if isinstance(item, Chunk):
            break
        try:
            encoded = encode_item(item, include_attributes)
        except TypeError as err:  # orjson's JSONEncodeError
            queue.popleft()
            set_aside(item, err)
            continue
        if events and size + len(encoded) + 1 > MAX_BATCH_BYTES:
            break
        queue.popleft()
        events.append(encoded)
        size += len(encoded) + 1
    return events


def snapshot_chunks(events: list[bytes], max_events: int) -> list[Chunk]:
    """Cut an encoded snapshot into the chunks it travels in: one, or numbered parts."""
    runs = split_events(events, max_events)
    if len(runs) == 1:
        return [Chunk(True, runs[0])]
    snapshot_id = secrets.token_hex(8)
    return [
        Chunk({"id": snapshot_id, "part": part, "parts": len(runs)}, run)
        for part, run in enumerate(runs, start=1)
    ]


def encode_batch(batch: Batch) -> bytes:
    """Return the JSON body of a batch, splicing in the already encoded events."""
    envelope = json_bytes(
        {
            "v": PROTOCOL_VERSION,
            "batch_id": batch.batch_id,
            "seq": batch.seq,
            "sent_at": dt_util.utcnow().isoformat(),
            "snapshot": batch.snapshot,
        }
    )
    return envelope[:-1] + b',"events":[' + b",".join(batch.events) + b"]}"
