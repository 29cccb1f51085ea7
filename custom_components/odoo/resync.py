"""Snapshot requests of the outbox: capture on the loop, encode in the executor, queue in place.

Each request bumps a generation, so a snapshot still encoding when a newer one is asked for
is dropped. While one is encoded, `ready` is cleared: the sender waits for it, so what was
queued after the snapshot was taken never reaches Odoo before it.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .batch import QueueItem, SetAside
from .const import DOMAIN
from .outbox_settings import OutboxSettings
from .send_queue import SendQueue
from .snapshot import SnapshotSources, capture_snapshot, encode_snapshot
from .system_facts import async_system_event

if TYPE_CHECKING:
    from .runtime import OdooConfigEntry

_LOGGER = logging.getLogger(__name__)


class SnapshotRequests:
    """Takes the snapshots one pairing's outbox asks for and queues them where they were taken."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OdooConfigEntry,
        queue: SendQueue,
        settings: OutboxSettings,
        exported: Callable[[], Callable[[str], bool]],
        set_aside: SetAside,
        on_queued: CALLBACK_TYPE,
    ) -> None:
        """Prepare; `exported()` gives the export test of now, `on_queued` follows a queuing."""
        self._hass = hass
        self._entry = entry
        self._queue = queue
        self._exported = exported
        self._set_aside = set_aside
        self._on_queued = on_queued
        # Replaced by the outbox when the options change.
        self.settings = settings
        self._generation = 0
        self.ready = asyncio.Event()
        self.ready.set()

    @callback
    def async_request(self) -> None:
        """Queue a full snapshot of exported states and registries, replacing a queued one.

        The loop only takes references; the events are built and encoded in the executor
        (`snapshot.py`). The snapshot then goes where it was taken in the queue, so a
        registry change made while it was being encoded still reaches Odoo after it.
        """
        self._generation += 1
        self.ready.clear()
        self._entry.async_create_task(
            self._hass,
            self._async_queue(
                capture_snapshot(self._hass), self._exported(), self._queue.last(), self._generation
            ),
            f"{DOMAIN} snapshot {self._entry.title}",
        )

    async def _async_queue(
        self,
        sources: SnapshotSources,
        exported: Callable[[str], bool],
        taken_after: QueueItem | None,
        generation: int,
    ) -> None:
        """Add Home Assistant's facts, encode in the executor and queue in its place."""
        try:
            sources = replace(sources, system=await async_system_event(self._hass))
        except Exception:
            # The facts are a courtesy; the snapshot itself must not fail for them.
            _LOGGER.exception("Home Assistant's facts could not be gathered for Odoo")
        try:
            snapshot = await self._hass.async_add_executor_job(
                encode_snapshot, sources, exported, self.settings.send_attributes
            )
        finally:
            if generation == self._generation:
                self.ready.set()
        if generation != self._generation:
            return  # a newer snapshot was requested while this one was encoded
        for event, err in snapshot.unencodable:
            self._set_aside(event, err)
        self._queue.insert_snapshot(snapshot.events, self.settings.max_batch, taken_after)
        self._on_queued()
