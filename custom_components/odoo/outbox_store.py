"""The outbox on disk: the queue in the journal within half a second, the counters in a Store.

The queue and the batch in flight go to the journal (`outbox_journal.py`), committed soon
after a change; the counters and dead letters, which a kill may set back a little without
losing a change, go to HA's Store on its usual delay. A Store that still holds a queue (the
format before the journal) is moved into a new journal once.
"""

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .outbox_journal import (
    JOURNAL_DELAY,
    journal_path,
    open_journal,
    remove_journal,
    write_journal,
)
from .send_queue import SendQueue

if TYPE_CHECKING:
    from .runtime import OdooConfigEntry

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
STATUS_SAVE_DELAY = 10.0
# What a Store outbox from before the journal holds besides the counters.
LEGACY_KEYS = ("queue", "inflight", "next_seq")


def outbox_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the Store holding one pairing's outbox counters."""
    return Store(
        hass,
        STORAGE_VERSION,
        f"{DOMAIN}.outbox.{entry_id}",
        private=True,
        atomic_writes=True,
    )


async def async_remove_outbox(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the journal and the Store of a removed pairing."""
    await outbox_store(hass, entry_id).async_remove()
    await hass.async_add_executor_job(remove_journal, journal_path(hass, entry_id))


class OutboxSaver:
    """Saves one pairing's outbox: soon after a change, coalesced, never out of order."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OdooConfigEntry,
        queue: SendQueue,
        status: Callable[[], dict[str, Any]],
        include_attributes: Callable[[], bool],
    ) -> None:
        """Bind the saver to the entry's journal and Store, and to what they save."""
        self._hass = hass
        self._entry = entry
        self._queue = queue
        self._status = status
        self._include_attributes = include_attributes
        self._path = journal_path(hass, entry.entry_id)
        self._store = outbox_store(hass, entry.entry_id)
        self._connection: sqlite3.Connection | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()
        self._failing = False

    async def async_load(self) -> tuple[dict[str, Any], bool]:
        """Open the journal and restore the queue; return the saved counters, and whether
        the queue came from a Store outbox from before the journal (`async_save` moves it).

        Saving commits the new journal before the Store loses its queue: a restart in
        between finds the journal and ignores the rest.
        """
        stored = await self._store.async_load() or {}
        self._connection, journaled = await self._hass.async_add_executor_job(
            open_journal, self._path
        )
        if journaled is not None:
            self._queue.restore_journal(journaled)
            return stored, False
        if any(key in stored for key in LEGACY_KEYS):
            self._queue.restore(stored)
            _LOGGER.info("Moving the outbox of %s into its journal", self._entry.title)
            return stored, True
        return stored, False

    @callback
    def schedule(self, delay: float = JOURNAL_DELAY) -> None:
        """Commit after `delay` seconds; a commit already pending sooner is kept.

        Called on the hot path for every queued event: it returns at once while a commit is
        pending, so a crash loses at most the journal's delay's worth of changes.
        """
        if self._timer is not None:
            if delay > 0:
                return
            self._timer.cancel()
        self._timer = self._hass.loop.call_later(delay, self._async_commit_soon)

    @callback
    def _async_commit_soon(self) -> None:
        """Start a background commit from the timer."""
        self._timer = None
        self._entry.async_create_background_task(
            self._hass, self.async_commit(), f"{DOMAIN} outbox journal"
        )

    async def async_commit(self) -> None:
        """Write what changed in the queue to the journal now; the counters follow later."""
        # Serialized so commits reach the journal in the order they were taken.
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._connection is None:
                return
            write = self._queue.journal_changes(self._include_attributes())
            try:
                await self._hass.async_add_executor_job(write_journal, self._connection, write)
            except sqlite3.Error as err:
                self._queue.journal_failed()
                if not self._failing:
                    self._failing = True
                    _LOGGER.warning(
                        "Cannot write the outbox journal of %s (%s); retrying at the next change",
                        self._entry.title,
                        err,
                    )
                return
            self._failing = False
        self._store.async_delay_save(self._status, STATUS_SAVE_DELAY)

    async def async_save(self) -> None:
        """Write the queue and the counters now."""
        await self.async_commit()
        await self._store.async_save(self._status())

    async def async_close(self) -> None:
        """Save and close the journal: nothing is written after this."""
        await self.async_save()
        async with self._lock:
            if self._connection is not None:
                await self._hass.async_add_executor_job(self._connection.close)
                self._connection = None
