"""Reorderings of the send queue, as pure functions: where a snapshot goes, what compaction drops.

Both rewrite the queue's middle (the journal then rewrites it too), so they are rare and may
scan it; the send queue applies what they return and recounts.
"""

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import NamedTuple

from homeassistant.core import State

from .batch import Chunk, QueueItem
from .events import event_key

# Compaction frees 10 % of the buffer at once so it runs once per 20 000 events, not per event.
COMPACTION_TARGET = 0.9


class Compaction(NamedTuple):
    """What compacting a full queue dropped."""

    dropped: int
    # Latest values went too: only a new snapshot brings them back to Odoo.
    latest_dropped: bool


def is_snapshot(item: QueueItem) -> bool:
    """Tell whether a queued item is a part of a snapshot."""
    return isinstance(item, Chunk) and bool(item.snapshot)


def position_after(items: Sequence[QueueItem], taken_after: QueueItem | None) -> int:
    """Return the index just after `taken_after`, the last item queued before a snapshot was
    taken, or 0 when it is gone (sent or compacted away).

    Everything behind that index then reaches Odoo after the snapshot, in order, which is
    always right: replaying changes the snapshot already holds ends in the same state.
    """
    if taken_after is not None:
        for index_from_end, item in enumerate(reversed(items)):
            if item is taken_after:
                return len(items) - index_from_end
    return 0


def with_snapshot(
    items: Sequence[QueueItem], position: int, parts: Iterable[Chunk]
) -> list[QueueItem]:
    """Return `items` with `parts` at `position` and without the snapshot parts queued before:
    a newer snapshot supersedes them, and the place found moves up with the older parts."""
    return [
        *(item for item in islice(items, position) if not is_snapshot(item)),
        *parts,
        *(item for item in islice(items, position, None) if not is_snapshot(item)),
    ]


def compacted(items: list[QueueItem], limit: int) -> tuple[list[QueueItem], Compaction] | None:
    """Shrink items beyond `limit`: keep each item's latest event, drop the oldest history
    first; return the items kept and what went, or None when there is nothing to drop.
    """
    excess = len(items) - int(limit * COMPACTION_TARGET)
    if len(items) <= limit or excess <= 0:
        return None
    dropped = set(_superseded(items)[:excess])
    latest_dropped = len(dropped) < excess
    # Only latest values are left: drop the oldest; a snapshot the caller queues restores them.
    for index, item in enumerate(items):
        if len(dropped) >= excess:
            break
        if not isinstance(item, Chunk):
            dropped.add(index)
    if not dropped:  # only snapshot parts, which are never dropped
        return None
    kept = [item for index, item in enumerate(items) if index not in dropped]
    return kept, Compaction(len(dropped), latest_dropped)


def _superseded(items: list[QueueItem]) -> list[int]:
    """Return, oldest first, the indexes of events a later event of the same item supersedes."""
    seen: set[tuple[str, str]] = set()
    superseded: list[int] = []
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if isinstance(item, Chunk):
            continue
        key = ("state", item.entity_id) if isinstance(item, State) else event_key(item)
        if key in seen:
            superseded.append(index)
        else:
            seen.add(key)
    superseded.reverse()
    return superseded
