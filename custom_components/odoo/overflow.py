"""A full outbox: compact the send queue once per burst, count what went, tell the user.

The queue decides what to drop (`queue_order.compacted`); this module runs it soon after the
append that crossed the limit, however many followed, and reports it: the dropped counter,
a warning in the log and the repair issue.
"""

import logging
from collections.abc import Callable

from homeassistant.core import HomeAssistant, callback

from .const import ISSUE_OUTBOX_OVERFLOW
from .entry_effects import EntryEffects, RaiseIssue
from .outbox_status import OutboxStatus
from .send_queue import SendQueue

_LOGGER = logging.getLogger(__name__)


class Compactor:
    """Shrinks a send queue beyond its buffer limit, and reports what it dropped."""

    def __init__(
        self,
        hass: HomeAssistant,
        title: str,
        queue: SendQueue,
        status: OutboxStatus,
        effects: EntryEffects,
        compacted: Callable[[bool], None],
    ) -> None:
        """Compact `queue`; `compacted` hears each compaction (True: latest values went)."""
        self._hass = hass
        self._title = title
        self._queue = queue
        self._status = status
        self._effects = effects
        self._compacted = compacted
        self._scheduled = False

    @callback
    def async_schedule(self) -> None:
        """Compact at the next turn of the loop, once for all appends until then."""
        if not self._scheduled:
            self._scheduled = True
            self._hass.loop.call_soon(self._async_compact)

    @callback
    def _async_compact(self) -> None:
        """Shrink a full buffer: keep each item's latest event, drop the oldest history first."""
        self._scheduled = False
        limit = self._queue.buffer_limit
        compaction = self._queue.compact(limit)
        if compaction is None:
            return
        self._status.dropped_events += compaction.dropped
        _LOGGER.warning(
            "The outbox of %s is full (%s events); dropped %s older events, %s in total",
            self._title,
            limit,
            compaction.dropped,
            self._status.dropped_events,
        )
        self._effects(
            RaiseIssue(
                ISSUE_OUTBOX_OVERFLOW,
                {"dropped": str(self._status.dropped_events), "limit": str(limit)},
            )
        )
        self._compacted(compaction.latest_dropped)
