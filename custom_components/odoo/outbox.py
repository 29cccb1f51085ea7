"""The outbox: buffers exported changes, pushes them to Odoo in signed batches, survives restarts.

A façade over modules with one job each: the listener (`listener.py`) appends bus changes to
the send queue (`send_queue.py`); the sender (`sender.py`) pushes batches from its front and
acts on Odoo's answer (`retry.py`); snapshots are taken by `resync.py`; `overflow.py`
compacts a full queue and `set_aside.py` keeps what JSON cannot hold; `outbox_store.py` saves
the queue in its journal (`outbox_journal.py`) and the status (`outbox_status.py`) in a
Store; `status_updates.py` tells the status entities when to refresh. What concerns the
config entry (re-authentication, repair issues) leaves through the `effects` callback.
"""

import asyncio
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, State, callback
from homeassistant.helpers.start import async_at_started

from .const import DOMAIN, PUSH_TIMEOUT
from .entry_effects import EntryEffects
from .export_filter import ExportFilter
from .listener import OutboxListener
from .outbox_settings import OutboxSettings
from .outbox_status import OutboxStatus
from .outbox_store import OutboxSaver, async_remove_outbox
from .overflow import Compactor
from .push_client import PushClient
from .resync import SnapshotRequests
from .send_queue import SendQueue
from .sender import Sender
from .set_aside import UnencodableSetAside
from .status_updates import StatusUpdates

if TYPE_CHECKING:
    from .runtime import OdooConfigEntry


class Outbox:
    """One pairing's outgoing events: listening, delivery, snapshots, persistence, status."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OdooConfigEntry,
        client: PushClient,
        settings: OutboxSettings,
        own_entities: set[str],
        effects: EntryEffects,
    ) -> None:
        """Prepare an idle outbox; `async_load` and `async_start` bring it to life."""
        self._hass = hass
        self._entry = entry
        self._settings = settings
        self.status = OutboxStatus()
        self._queue = SendQueue(settings.buffer_limit)
        self._saver = OutboxSaver(
            hass, entry, self._queue, self.status.to_store, lambda: self._settings.send_attributes
        )
        self._updates = StatusUpdates(hass)
        self._compactor = Compactor(
            hass, entry.title, self._queue, self.status, effects, self._async_compacted
        )
        set_aside = UnencodableSetAside(entry.title, self.status, self._saver.schedule)
        self.listener = OutboxListener(
            hass,
            self._queue,
            self._saver,
            ExportFilter(settings.exported, settings.registry_choices),
            own_entities,
            self._async_queue_needs_attention,
        )
        self._snapshots = SnapshotRequests(
            hass,
            entry,
            self._queue,
            settings,
            self.listener.frozen_filter,
            set_aside,
            self._async_snapshot_queued,
        )
        self._sender = Sender(
            hass,
            entry.title,
            client,
            self._queue,
            self.status,
            settings,
            self._saver,
            self._snapshots,
            set_aside,
            effects,
            self._updates.async_notify,
        )
        self._sender_task: asyncio.Task[None] | None = None
        self._unsubscribers: list[CALLBACK_TYPE] = []
        self._stop_unsub: CALLBACK_TYPE | None = None

    # ---- status -------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Return how many events wait for delivery, the batch in flight included."""
        return self._queue.pending

    def oldest_pending(self) -> datetime | None:
        """Return since when the oldest undelivered event waits, when known."""
        return self._queue.oldest_pending()

    @property
    def buffer_limit(self) -> int:
        """Return how many events the outbox holds before it compacts."""
        return self._settings.buffer_limit

    def is_exported_entity(self, entity_id: str) -> bool:
        """Tell whether an entity id passes the filter and is not one of ours."""
        return self.listener.is_exported_entity(entity_id)

    @callback
    def async_add_status_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever the status changes; return the unsubscribe callback."""
        return self._updates.async_add_listener(listener)

    # ---- lifecycle ----------------------------------------------------------------------

    async def async_load(self) -> None:
        """Restore the queue, the batch in flight and the counters saved before a restart."""
        stored, from_store = await self._saver.async_load()
        if stored:
            self.status.restore(stored)
        if from_store:
            await self._saver.async_save()

    @callback
    def async_start(self) -> None:
        """Subscribe to the bus, start the sender and schedule the initial snapshot."""
        self._unsubscribers += [
            *self.listener.async_subscribe(),
            async_at_started(self._hass, self._async_snapshot_at_start),
        ]
        self._stop_unsub = self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_hass_stopping
        )
        self._updates.async_start()
        self._sender_task = self._entry.async_create_background_task(
            self._hass, self._sender.async_run(), f"{DOMAIN} outbox {self._entry.title}"
        )

    async def async_stop(self) -> None:
        """Stop listening and sending, and write everything undelivered to disk."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        if self._stop_unsub is not None:
            self._stop_unsub()
            self._stop_unsub = None
        await self._async_hass_stopping()

    async def _async_hass_stopping(self, _event: Event | None = None) -> None:
        """Stop sending and save: config entries are not unloaded when Home Assistant stops."""
        self._stop_unsub = None
        self._updates.async_stop()
        # An interrupted push stays in flight and is retried after a restart.
        if self._sender_task is not None and not self._sender_task.done():
            self._sender_task.cancel()
            with suppress(asyncio.CancelledError):
                await self._sender_task
        self._sender_task = None
        await self._saver.async_close()

    async def async_save(self) -> None:
        """Write the queue, the batch in flight and the counters to disk now."""
        await self._saver.async_save()

    @staticmethod
    async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
        """Delete the saved outbox of a removed pairing."""
        await async_remove_outbox(hass, entry_id)

    @callback
    def async_update_settings(self, settings: OutboxSettings) -> None:
        """Apply new options to the running outbox, keeping the queue."""
        filter_changed = (
            settings.exported.config != self._settings.exported.config
            or settings.registry_choices != self._settings.registry_choices
        )
        self._settings = self._sender.settings = self._snapshots.settings = settings
        self.listener.set_filter(ExportFilter(settings.exported, settings.registry_choices))
        self._queue.set_buffer_limit(settings.buffer_limit)
        # A lower buffer limit applies now, not at the next queued event.
        self._async_queue_needs_attention()
        if filter_changed:
            # Newly exported entities appear and no longer exported ones are removed in Odoo.
            self.async_request_snapshot()
        self._sender.wake()

    @callback
    def async_renew_pairing(self, client: PushClient) -> bool:
        """Push through `client` from now on, without a reload; False when the sender halted
        (refused credentials, removed instance), which only a reload starts again."""
        if self._sender_task is None or self._sender_task.done():
            return False
        self._sender.renew(client)
        return True

    async def async_pause_pushes(self) -> CALLBACK_TYPE:
        """Hold pushes while the pairing is renewed; return the callback that resumes them."""
        return await self._sender.async_pause(PUSH_TIMEOUT)

    @callback
    def async_request_flush(self) -> None:
        """Push what is queued now, skipping the flush delay and any backoff wait."""
        self._sender.wake()
        self._saver.schedule(0)

    @callback
    def async_queue_history(self, states: list[State]) -> int:
        """Queue recorded states of exported entities; return how many."""
        return self.listener.async_queue_history(states)

    # ---- attention: wake the sender, compact a full buffer ------------------------------

    @callback
    def _async_queue_needs_attention(self) -> None:
        """Wake the sender or schedule compaction once the queue crosses its threshold."""
        attention = self._queue.attend()
        if attention.wake:
            self._sender.wake()
        if attention.over_limit:
            self._compactor.async_schedule()

    @callback
    def _async_compacted(self, latest_dropped: bool) -> None:
        """Bring back with a snapshot the latest values compaction dropped, and save."""
        if latest_dropped:
            self.async_request_snapshot()
        self._updates.async_notify()
        self._saver.schedule()

    # ---- snapshots ----------------------------------------------------------------------

    @callback
    def _async_snapshot_at_start(self, _hass: HomeAssistant) -> None:
        """Push a full snapshot once Home Assistant has started (all states are known)."""
        self.async_request_snapshot()

    @callback
    def async_request_snapshot(self) -> None:
        """Queue a full snapshot of exported states and registries, replacing a queued one."""
        self._snapshots.async_request()

    @callback
    def _async_snapshot_queued(self) -> None:
        """Send a snapshot that reached the queue, and save it."""
        self._sender.wake()
        self._updates.async_notify()
        self._saver.schedule()
