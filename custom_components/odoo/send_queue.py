"""The send queue: what waits for Odoo, in order, and the batch in flight.

Bookkeeping only, with no knowledge of the bus or of HTTP: the outbox's listener appends to
it, its sender seals batches from the front and puts refused ones back, and the journal saves
and restores it: each item has a position (`front` + its index), its row in the journal, and
the queue tells what changed since the last commit. It also keeps the attention threshold:
the queue length at which an append must wake the sender or compact a full buffer, so the
listener compares one number.
"""

import secrets
import sys
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from homeassistant.core import State
from homeassistant.util import dt as dt_util

from .batch import Batch, Chunk, QueueItem, SetAside, snapshot_chunks, take_events
from .journal_marks import JournalMarks
from .outbox_journal import Journaled, JournalWrite, restored_batch, restored_item, stored_header
from .queue_order import Compaction, compacted, is_snapshot, position_after, with_snapshot

NEVER = sys.maxsize


class Attention(NamedTuple):
    """What the queue's length asks for once it crossed the attention threshold."""

    wake: bool
    over_limit: bool


class SendQueue:
    """The ordered items waiting for delivery, and the batch in flight.

    Chunks are counted as they come and go, so `pending` counts events without scanning.
    """

    def __init__(self, buffer_limit: int) -> None:
        """Start empty, with the first sequence number."""
        self._items: deque[QueueItem] = deque()
        self._chunk_count = 0
        self._chunk_events = 0
        self._inflight: Batch | None = None
        self._inflight_since: datetime | None = None
        self._next_seq = 1
        self._buffer_limit = buffer_limit
        self._wake_at = 1
        # Queue length at which an append asks for attention: wake the sender or compact.
        self._attention = 1
        self._marks = JournalMarks()

    def __len__(self) -> int:
        """Return how many items are queued (a chunk counts as one)."""
        return len(self._items)

    @property
    def inflight(self) -> Batch | None:
        """Return the batch pushed and not yet answered, if any."""
        return self._inflight

    @property
    def buffer_limit(self) -> int:
        """Return how many items the queue holds before it asks for compaction."""
        return self._buffer_limit

    # ---- appends and the attention threshold --------------------------------------------

    def append(self, item: QueueItem) -> bool:
        """Queue an item; True when the queue now needs attention (`attend`).

        On the hot path: one append and one comparison.
        """
        self._items.append(item)
        return len(self._items) >= self._attention

    def extend(self, items: Iterable[QueueItem]) -> bool:
        """Queue items in order; True when the queue now needs attention."""
        self._items.extend(items)
        return len(self._items) >= self._attention

    def wake_at(self, length: int) -> None:
        """Ask appends to wake the sender once the queue holds `length` items (NEVER: not)."""
        self._wake_at = length
        self._attention = min(length, self._buffer_limit + 1)

    def set_buffer_limit(self, limit: int) -> None:
        """Apply a new buffer limit to the attention threshold."""
        self._buffer_limit = limit
        self.wake_at(self._wake_at)

    def attend(self) -> Attention:
        """Tell whether to wake the sender (asked once) or compact, and move the threshold."""
        length = len(self._items)
        wake = length >= self._wake_at
        if wake:
            self._wake_at = NEVER
        self._attention = min(self._wake_at, self._buffer_limit + 1)
        return Attention(wake, length > self._buffer_limit)

    def front_is_chunk(self) -> bool:
        """Tell whether the front item is a chunk, a whole batch already."""
        return bool(self._items) and isinstance(self._items[0], Chunk)

    @property
    def pending(self) -> int:
        """Return how many events wait for delivery, the batch in flight included."""
        inflight = len(self._inflight.events) if self._inflight else 0
        return len(self._items) - self._chunk_count + self._chunk_events + inflight

    def oldest_pending(self) -> datetime | None:
        """Return since when the oldest undelivered event waits, when known."""
        if self._inflight is not None and self._inflight.events:
            return self._inflight_since
        front = self._items[0] if self._items else None
        if isinstance(front, State):
            return front.last_updated
        if isinstance(front, dict) and "last_updated" in front:
            return dt_util.parse_datetime(str(front["last_updated"]))
        return None

    def last(self) -> QueueItem | None:
        """Return the item queued last, if any."""
        return self._items[-1] if self._items else None

    # ---- persistence --------------------------------------------------------------------

    def restore(self, stored: dict[str, Any]) -> None:
        """Restore the sequence, the batch in flight and the items of a stored document
        (the journal's header, or a Store outbox from before the journal)."""
        self._next_seq = int(stored.get("next_seq", 1))
        if inflight := stored.get("inflight"):
            self._inflight_since = dt_util.utcnow()
            self._inflight = restored_batch(inflight)
        self._restore_items(restored_item(item) for item in stored.get("queue", []))

    def restore_journal(self, journaled: Journaled) -> None:
        """Restore what the journal held; it holds exactly that, so nothing is rewritten."""
        self.restore(journaled.header)
        self._restore_items(journaled.items)
        self._marks.restored(journaled.front, len(self._items), (self._next_seq, self._inflight))

    def _restore_items(self, items: Iterable[QueueItem]) -> None:
        """Queue restored items, counting chunks."""
        self._items.extend(items)
        self._recount()

    def journal_changes(self, include_attributes: bool) -> JournalWrite:
        """Return what changed since the last call, for the journal's next commit.

        Taken in the event loop; the items are immutable, so the journal encodes them later
        in the executor. Between two reorderings, only items put at either end are new.
        """
        rows, end, rewrite, header_changed = self._marks.changes(
            self._items, (self._next_seq, self._inflight)
        )
        header = stored_header(self._next_seq, self._inflight) if header_changed else None
        return JournalWrite(self._marks.front, end, rows, rewrite, header, include_attributes)

    def journal_failed(self) -> None:
        """Write everything at the next commit: the last one did not reach the journal."""
        self._marks.failed()

    def _put_first(self, chunks: list[Chunk]) -> None:
        """Queue chunks before the front, at the positions below it: the journal's next
        commit writes those rows alone, however long the queue behind them."""
        for chunk in reversed(chunks):
            self._items.appendleft(chunk)
            self._count(chunk)
        self._marks.put_first(len(chunks))

    def _append_chunk(self, chunk: Chunk) -> None:
        """Queue a chunk and keep the pending count exact."""
        self._items.append(chunk)
        self._count(chunk)

    def _count(self, chunk: Chunk, direction: int = 1) -> None:
        """Keep `pending` exact as a chunk comes (1) or goes (-1), without scanning."""
        self._chunk_count += direction
        self._chunk_events += direction * len(chunk.events)

    # ---- batches ------------------------------------------------------------------------

    def take_batch(self, max_events: int, include_attributes: bool, set_aside: SetAside) -> Batch:
        """Seal the chunk, or the events (`take_events`), at the front into the next batch."""
        front = self._items[0]
        if isinstance(front, Chunk):
            self._items.popleft()
            self._marks.taken_from_front(1)
            self._count(front, -1)
            return self.seal(front.events, front.snapshot)
        length = len(self._items)
        events = take_events(self._items, max_events, include_attributes, set_aside)
        self._marks.taken_from_front(length - len(self._items))
        return self.seal(events, snapshot=False)

    def seal(self, events: list[bytes], snapshot: bool | dict[str, Any]) -> Batch:
        """Give events a batch id and the next sequence number, and put them in flight."""
        batch = Batch(secrets.token_hex(16), self._next_seq, snapshot, events)
        self._next_seq += 1
        self._inflight = batch
        self._inflight_since = dt_util.utcnow()
        return batch

    def delivered(self) -> None:
        """Drop the batch in flight: Odoo committed it."""
        self._inflight = None

    def split_refused(self, batch: Batch) -> bytes | None:
        """Take a refused batch out of flight and queue its halves first, to isolate the bad
        event; return that event when it was alone.
        """
        self._inflight = None
        events = batch.events
        if len(events) > 1:
            middle = len(events) // 2
            # Halves of a snapshot part travel as plain batches: the snapshot stays incomplete.
            self._put_first([Chunk(False, events[:middle]), Chunk(False, events[middle:])])
            return None
        return events[0] if events else None

    # ---- snapshots and compaction (`queue_order.py`) ----------------------------------

    def insert_snapshot(
        self, events: list[bytes], max_events: int, taken_after: QueueItem | None
    ) -> None:
        """Queue an encoded snapshot where it was taken, replacing a queued one."""
        parts = snapshot_chunks(events, max_events)
        position = position_after(self._items, taken_after)
        if not any(is_snapshot(item) for item in self._items):
            # At either end the journal writes the new parts alone; elsewhere it rewrites.
            if position == len(self._items):
                for part in parts:
                    self._append_chunk(part)
                return
            if position == 0:
                self._put_first(parts)
                return
        self._reordered(with_snapshot(self._items, position, parts))

    def compact(self, limit: int) -> Compaction | None:
        """Shrink a queue beyond `limit`: keep each item's latest event, drop the oldest
        history first; return None when there is nothing to drop.
        """
        result = compacted(list(self._items), limit)
        if result is None:
            return None
        kept, compaction = result
        self._reordered(kept)
        return compaction

    def _reordered(self, items: list[QueueItem]) -> None:
        """Hold `items` from now on: recount the chunks, and rewrite the journal."""
        self._items = deque(items)
        self._recount()
        self._marks.reordered()

    def _recount(self) -> None:
        """Count the chunks again, after the queue changed in the middle."""
        chunks = [item for item in self._items if isinstance(item, Chunk)]
        self._chunk_count = len(chunks)
        self._chunk_events = sum(len(chunk.events) for chunk in chunks)
