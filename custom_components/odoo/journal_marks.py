"""Where the send queue stands against its journal: which rows the next commit writes.

Each queued item has a position (the front's position plus its index), which is its row in
the journal. Between two reorderings only items put at either end are new, so a commit
writes those rows alone, however long the queue; after a reordering it rewrites them all.
"""

from collections import deque
from itertools import islice

from .batch import Batch, QueueItem

# The sequence number and the batch in flight, as the journal's header holds them.
type Header = tuple[int, Batch | None]


class JournalMarks:
    """The journal's position of the front item, and what the journal holds already."""

    def __init__(self) -> None:
        """Know nothing journaled: the first commit writes everything."""
        self.front = 0
        # Positions below `_journaled_end` are in the journal, but the `_unjournaled_front`
        # items put before the front, unless everything must be rewritten.
        self._journaled_end = 0
        self._unjournaled_front = 0
        self._rewrite = True
        self._journaled_header: Header | None = None

    def restored(self, front: int, length: int, header: Header) -> None:
        """The queue holds exactly what the journal holds: nothing is rewritten."""
        self.front = front
        self._journaled_end = front + length
        self._rewrite = False
        self._journaled_header = header

    def changes(
        self, items: deque[QueueItem], header: Header
    ) -> tuple[list[tuple[int, QueueItem]], int, bool, bool]:
        """Return the rows to write, the end position, whether to rewrite everything and
        whether the header changed; from then on the journal counts as holding them."""
        end = self.front + len(items)
        rewrite = self._rewrite
        if rewrite:
            rows = list(enumerate(items, self.front))
        else:
            start = max(self.front + self._unjournaled_front, self._journaled_end)
            new = list(islice(reversed(items), end - start))
            new.reverse()
            rows = list(enumerate(islice(items, self._unjournaled_front), self.front))
            rows.extend(enumerate(new, start))
        journaled = self._journaled_header
        header_changed = (
            journaled is None or journaled[0] != header[0] or journaled[1] is not header[1]
        )
        self._journaled_header = header
        self._journaled_end = end
        self._unjournaled_front = 0
        self._rewrite = False
        return rows, end, rewrite, header_changed

    def failed(self) -> None:
        """Write everything at the next commit: the last one did not reach the journal."""
        self._rewrite = True
        self._journaled_header = None

    def reordered(self) -> None:
        """Rewrite the journal at the next commit: positions no longer match its rows."""
        self._rewrite = True

    def put_first(self, count: int) -> None:
        """`count` items went before the front, at the positions below it."""
        self.front -= count
        self._unjournaled_front += count

    def taken_from_front(self, count: int) -> None:
        """Move the front past `count` items that left the queue."""
        self.front += count
        self._unjournaled_front = max(0, self._unjournaled_front - count)
