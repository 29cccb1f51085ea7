"""Batches as they travel: encoded events cut within the protocol's limits, and the body.

Events are encoded once, when they leave the queue (or when a snapshot is taken); a batch
keeps them encoded so a retry sends the very same bytes.
"""

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
