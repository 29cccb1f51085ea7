"""The outbox: buffers exported changes, pushes them to Odoo in signed batches, survives restarts.

Flow: bus listeners append to one ordered queue (`send_queue.py`); a single sender task takes
batches from its front, pushes them one at a time and acts on Odoo's answer as docs/protocol.md §3
prescribes. The queue and the batch in flight are saved with Home Assistant's `Store`, so
neither an Odoo outage nor a Home Assistant restart loses events.
"""

import asyncio
import gzip
import logging
import sys
import time
from collections import deque
from contextlib import suppress
from datetime import datetime
from typing import Any

import orjson
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, EVENT_STATE_CHANGED
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import (
    area_registry as ar,
)
from homeassistant.helpers import (
    device_registry as dr,
)
from homeassistant.helpers import (
    entity_registry as er,
)
from homeassistant.helpers import (
    issue_registry as ir,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .batch import Batch, Chunk, QueueItem, encode_batch
from .const import (
    DEAD_LETTER_UNENCODABLE,
    DOMAIN,
    GZIP_THRESHOLD_BYTES,
    ISSUE_CLOCK_SKEW,
    ISSUE_INSTANCE_REMOVED,
    ISSUE_OUTBOX_OVERFLOW,
)
from .events import (
    WireEvent,
    area_event,
    device_event,
    entity_event,
    event_key,
    event_reference,
    is_own_device,
    removed_area_event,
    removed_device_event,
    removed_entity_event,
    removed_state_event,
)
from .odoo_client import PushAnswer, PushClient
from .outbox_settings import OutboxSettings
from .outbox_store import outbox_store, stored_data
from .retry import Delivered, Halt, Retry, Split, describe_failure, outcome
from .send_queue import SendQueue
from .snapshot import SnapshotSources, capture_snapshot, encode_snapshot

_LOGGER = logging.getLogger(__name__)

SAVE_DELAY = 10.0
STATUS_INTERVAL = 5.0
DEAD_LETTERS_KEPT = 20


NEVER = sys.maxsize


class SenderHalted(Exception):
    """Odoo refused this pairing (401/403/410): pushing stops until the user acts."""


class Outbox:
    """Listeners, delivery and persistence of one pairing's outgoing events; the queue itself
    is a `SendQueue`.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: PushClient,
        settings: OutboxSettings,
        own_entities: set[str],
    ) -> None:
        """Prepare an idle outbox; `async_load` and `async_start` bring it to life."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._settings = settings
        self._exported = settings.exported.get_filter()
        self._own_entities = own_entities
        self._store = outbox_store(hass, entry.entry_id)
        self._queue = SendQueue()
        self._wakeup = asyncio.Event()
        # Queue length at which the listener must act: wake the sender or compact.
        self._attention = 1
        self._wake_at = 1
        self._compaction_scheduled = False
        # Bumped by every snapshot request: an older one still encoding is then dropped.
        self._snapshot_generation = 0
        # Cleared while a snapshot is encoded: what was queued after it must wait for it.
        self._snapshot_ready = asyncio.Event()
        self._snapshot_ready.set()
        self._sender: asyncio.Task[None] | None = None
        self._unsubscribers: list[CALLBACK_TYPE] = []
        self._stop_unsub: CALLBACK_TYPE | None = None
        self._status_timer: asyncio.TimerHandle | None = None
        self._save_unsub: asyncio.TimerHandle | None = None
        self._save_lock = asyncio.Lock()
        self._status_listeners: list[CALLBACK_TYPE] = []
        self._backoff_attempt = 0
        self._last_push = 0.0
        self._failing = False
        self._clock_skew_raised = False
        self.halted = False
        self.connected = False
        self.events_sent = 0
        self.failed_pushes = 0
        self.dropped_events = 0
        self.last_success: datetime | None = None
        self.last_error: str | None = None
        self.dead_letters: deque[dict[str, Any]] = deque(maxlen=DEAD_LETTERS_KEPT)
        self.dead_letter_count = 0
        self._unencodable_logged: set[tuple[str, str]] = set()

    # ---- status -------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Return how many events wait for delivery, the batch in flight included."""
        return self._queue.pending

    @property
    def backoff_attempt(self) -> int:
        """Return how many retries of the batch in flight have failed in a row."""
        return self._backoff_attempt

    def oldest_pending(self) -> datetime | None:
        """Return since when the oldest undelivered event waits, when known."""
        return self._queue.oldest_pending()

    @property
    def buffer_limit(self) -> int:
        """Return how many events the outbox holds before it compacts."""
        return self._settings.buffer_limit

    @callback
    def async_add_status_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever the status changes; return the unsubscribe callback."""
        self._status_listeners.append(listener)
        return lambda: self._status_listeners.remove(listener)

    @callback
    def _async_notify_status(self) -> None:
        """Tell the status entities to refresh."""
        for listener in list(self._status_listeners):
            listener()

    @callback
    def _async_set_connected(self, connected: bool) -> None:
        """Record whether Odoo accepts pushes; refresh the entities at once when it flips.

        Counters are refreshed by the periodic tick only: a state write per push would fill
        the recorder's database with one row every flush delay.
        """
        if connected != self.connected:
            self.connected = connected
            self._async_notify_status()

    # ---- lifecycle ----------------------------------------------------------------------

    async def async_load(self) -> None:
        """Restore the queue, the batch in flight and the counters saved before a restart."""
        stored = await self._store.async_load()
        if not stored:
            return
        self.events_sent = int(stored.get("events_sent", 0))
        self.dropped_events = int(stored.get("dropped_events", 0))
        self.dead_letter_count = int(stored.get("dead_letter_count", 0))
        self.dead_letters.extend(stored.get("dead_letters", []))
        if last_success := stored.get("last_success"):
            self.last_success = dt_util.parse_datetime(last_success)
        self._queue.restore(stored)

    @callback
    def async_start(self) -> None:
        """Subscribe to the bus, start the sender and schedule the initial snapshot."""
        hass = self._hass
        self._unsubscribers += [
            hass.bus.async_listen(
                EVENT_STATE_CHANGED,
                self._async_state_changed,
                event_filter=self._async_is_exported,
            ),
            hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_entity_registry_updated
            ),
            hass.bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED, self._async_device_registry_updated
            ),
            hass.bus.async_listen(
                ar.EVENT_AREA_REGISTRY_UPDATED, self._async_area_registry_updated
            ),
            async_at_started(hass, self._async_snapshot_at_start),
        ]
        self._stop_unsub = hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_hass_stopping
        )
        self._status_timer = hass.loop.call_later(STATUS_INTERVAL, self._async_status_tick)
        self._start_sender()

    @callback
    def _start_sender(self) -> None:
        """Start the task that delivers batches."""
        self._sender = self._entry.async_create_background_task(
            self._hass, self._async_run_sender(), f"{DOMAIN} outbox {self._entry.title}"
        )

    @callback
    def _async_status_tick(self) -> None:
        """Refresh the status entities periodically (outbox size grows between pushes)."""
        self._async_notify_status()
        self._status_timer = self._hass.loop.call_later(STATUS_INTERVAL, self._async_status_tick)

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
        if self._status_timer is not None:
            self._status_timer.cancel()
            self._status_timer = None
        await self._async_stop_sender()
        await self.async_save()

    async def _async_stop_sender(self) -> None:
        """Cancel the sender; an interrupted push stays in flight and is retried after restart."""
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            with suppress(asyncio.CancelledError):
                await self._sender
        self._sender = None

    @callback
    def async_update_settings(self, settings: OutboxSettings) -> None:
        """Apply new options to the running outbox, keeping the queue."""
        filter_changed = settings.exported.config != self._settings.exported.config
        self._settings = settings
        self._exported = settings.exported.get_filter()
        self._set_wake_at(self._wake_at)
        # A lower buffer limit applies now, not at the next queued event.
        self._async_queue_needs_attention()
        if filter_changed:
            # Newly exported entities appear and no longer exported ones are removed in Odoo.
            self.async_request_snapshot()
        self._wakeup.set()

    @callback
    def async_request_flush(self) -> None:
        """Push what is queued now, skipping the flush delay and any backoff wait."""
        self._wakeup.set()
        self._schedule_save(0)

    # ---- listeners (hot path) -----------------------------------------------------------

    @callback
    def _async_is_exported(self, event_data: EventStateChangedData) -> bool:
        """Tell whether a state change belongs to Odoo (the bus runs this before the listener)."""
        return self.is_exported_entity(event_data["entity_id"])

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        """Queue a state change.

        This runs on the event loop for every exported state change, so it only appends:
        encoding happens when the sender builds a batch. It also makes sure a save is
        pending, so a crash (SIGKILL) loses at most the save delay's worth of changes even
        while Odoo is down and no batch is sealed or delivered.
        """
        new_state = event.data["new_state"]
        queue = self._queue.items
        queue.append(
            new_state
            if new_state is not None
            else removed_state_event(event.data["entity_id"], event.time_fired)
        )
        if self._save_unsub is None:
            self._schedule_save()
        if len(queue) >= self._attention:
            self._async_queue_needs_attention()

    @callback
    def _async_queue_needs_attention(self) -> None:
        """Wake the sender or schedule compaction once the queue crosses a threshold."""
        length = len(self._queue)
        if length >= self._wake_at:
            self._wake_at = NEVER
            self._wakeup.set()
        if length > self._settings.buffer_limit and not self._compaction_scheduled:
            self._compaction_scheduled = True
            self._hass.loop.call_soon(self._async_compact)
        self._attention = min(self._wake_at, self._settings.buffer_limit + 1)

    @callback
    def _set_wake_at(self, length: int) -> None:
        """Ask the listener to wake the sender when the queue reaches `length`."""
        self._wake_at = length
        self._attention = min(length, self._settings.buffer_limit + 1)

    @callback
    def _async_queue_event(self, event: WireEvent) -> None:
        """Queue a ready wire event (registry changes, which are rare); like a state change,
        it is on disk within the save delay."""
        self._queue.items.append(event)
        if self._save_unsub is None:
            self._schedule_save()
        if len(self._queue) >= self._attention:
            self._async_queue_needs_attention()

    @callback
    def _async_entity_registry_updated(
        self, event: Event[er.EventEntityRegistryUpdatedData]
    ) -> None:
        """Stream an entity registry change."""
        data = event.data
        entity_id = data["entity_id"]
        old_entity_id = data.get("old_entity_id") if data["action"] == "update" else None
        if old_entity_id and self.is_exported_entity(old_entity_id):
            self._async_queue_event(removed_entity_event(old_entity_id))
        if not self.is_exported_entity(entity_id):
            return
        if data["action"] == "remove":
            self._async_queue_event(removed_entity_event(entity_id))
        elif entry := er.async_get(self._hass).async_get(entity_id):
            self._async_queue_event(entity_event(entry))

    @callback
    def async_queue_history(self, states: list[State]) -> int:
        """Queue recorded states of exported entities as ordinary state events; return how many."""
        exported = [state for state in states if self.is_exported_entity(state.entity_id)]
        self._queue.items.extend(exported)
        if exported and len(self._queue) >= self._attention:
            self._async_queue_needs_attention()
        self._schedule_save()
        return len(exported)

    def is_exported_entity(self, entity_id: str) -> bool:
        """Tell whether an entity id passes the filter and is not one of ours."""
        return entity_id not in self._own_entities and self._exported(entity_id)

    @callback
    def _async_device_registry_updated(
        self, event: Event[dr.EventDeviceRegistryUpdatedData]
    ) -> None:
        """Stream a device registry change."""
        device_id = event.data["device_id"]
        device = dr.async_get(self._hass).async_get(device_id)
        if device is not None and is_own_device(device):
            return
        if event.data["action"] == "remove" or device is None:
            self._async_queue_event(removed_device_event(device_id))
        else:
            self._async_queue_event(device_event(device))

    @callback
    def _async_area_registry_updated(self, event: Event[ar.EventAreaRegistryUpdatedData]) -> None:
        """Stream an area registry change."""
        area_id = event.data["area_id"]
        if area_id is None:
            return
        area = ar.async_get(self._hass).async_get_area(area_id)
        if event.data["action"] == "remove" or area is None:
            self._async_queue_event(removed_area_event(area_id))
        else:
            self._async_queue_event(area_event(area))

    # ---- snapshot and compaction --------------------------------------------------------

    @callback
    def _async_snapshot_at_start(self, _hass: HomeAssistant) -> None:
        """Push a full snapshot once Home Assistant has started (all states are known)."""
        self.async_request_snapshot()

    @callback
    def async_request_snapshot(self) -> None:
        """Queue a full snapshot of exported states and registries, replacing a queued one.

        The loop only takes references; the events are built and encoded in the executor
        (`snapshot.py`). The snapshot then goes where it was taken in the queue, so a
        registry change made while it was being encoded still reaches Odoo after it.
        """
        self._snapshot_generation += 1
        self._snapshot_ready.clear()
        self._entry.async_create_task(
            self._hass,
            self._async_queue_snapshot(
                capture_snapshot(self._hass),
                self._queue.last(),
                self._snapshot_generation,
            ),
            f"{DOMAIN} snapshot {self._entry.title}",
        )

    async def _async_queue_snapshot(
        self,
        sources: SnapshotSources,
        taken_after: QueueItem | None,
        generation: int,
    ) -> None:
        """Encode a captured snapshot in the executor and queue it in its place."""
        try:
            snapshot = await self._hass.async_add_executor_job(
                encode_snapshot, sources, self.is_exported_entity, self._settings.send_attributes
            )
        finally:
            if generation == self._snapshot_generation:
                self._snapshot_ready.set()
        if generation != self._snapshot_generation:
            return  # a newer snapshot was requested while this one was encoded
        for event, err in snapshot.unencodable:
            self._set_aside_unencodable(event, err)
        self._queue.insert_snapshot(snapshot.events, self._settings.max_batch, taken_after)
        self._wakeup.set()
        self._async_notify_status()
        self._schedule_save()

    @callback
    def _async_compact(self) -> None:
        """Shrink a full buffer: keep each item's latest event, drop the oldest history first."""
        self._compaction_scheduled = False
        limit = self._settings.buffer_limit
        compaction = self._queue.compact(limit)
        if compaction is None:
            return
        if compaction.latest_dropped:
            self.async_request_snapshot()
        self.dropped_events += compaction.dropped
        _LOGGER.warning(
            "The outbox of %s is full (%s events); dropped %s older events, %s in total",
            self._entry.title,
            limit,
            compaction.dropped,
            self.dropped_events,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            f"{ISSUE_OUTBOX_OVERFLOW}_{self._entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_OUTBOX_OVERFLOW,
            translation_placeholders={
                "title": self._entry.title,
                "dropped": str(self.dropped_events),
                "limit": str(limit),
            },
        )
        self._async_notify_status()
        self._schedule_save()

    # ---- sender -------------------------------------------------------------------------

    async def _async_run_sender(self) -> None:
        """Deliver batches one at a time, in order, until stopped or halted."""
        self._last_push = self._hass.loop.time()
        with suppress(SenderHalted):
            while True:
                batch = self._queue.inflight or await self._async_next_batch()
                await self._async_deliver(batch)

    async def _async_next_batch(self) -> Batch:
        """Wait for work, then seal the next batch (a heartbeat when idle too long)."""
        loop = self._hass.loop
        if not self._queue:
            while not self._queue:
                remaining = self._settings.heartbeat_interval - (loop.time() - self._last_push)
                if remaining <= 0:
                    return self._queue.seal([], snapshot=False)  # a heartbeat
                self._wakeup.clear()
                self._set_wake_at(1)
                await _wait(self._wakeup, remaining)
            # The first event of a quiet period waits for company, unless a batch fills up;
            # a chunk (a snapshot part) is a whole batch already.
            if len(self._queue) < self._settings.max_batch and not isinstance(
                self._queue.items[0], Chunk
            ):
                self._wakeup.clear()
                self._set_wake_at(self._settings.max_batch)
                await _wait(self._wakeup, self._settings.flush_delay)
        self._set_wake_at(NEVER)
        # What was queued after a snapshot was taken must follow it: wait while it is encoded.
        await self._snapshot_ready.wait()
        batch = self._queue.take_batch(
            self._settings.max_batch, self._settings.send_attributes, self._set_aside_unencodable
        )
        if batch.events:
            self._schedule_save()
        return batch

    async def _async_deliver(self, batch: Batch) -> None:
        """Push one batch and act on the answer."""
        body = encode_batch(batch)
        gzipped = len(body) > GZIP_THRESHOLD_BYTES
        if gzipped:
            body = await self._hass.async_add_executor_job(gzip.compress, body)
        answer = await self._client.async_push(body, gzipped)
        self._last_push = self._hass.loop.time()
        await self._async_handle_answer(batch, answer)

    async def _async_handle_answer(self, batch: Batch, answer: PushAnswer) -> None:
        """Act on Odoo's answer as `retry.outcome` reads the table of docs/protocol.md §3."""
        if answer.status != 200:
            self.last_error = describe_failure(answer)
        match outcome(answer, self._backoff_attempt, time.time()):
            case Delivered():
                self._async_delivered(batch)
            case Split():
                self._split_or_dead_letter(batch, answer)
            case Halt(removed=removed):
                self._async_halt(removed, answer.status)
                raise SenderHalted
            case Retry() as retry:
                await self._async_retry_later(answer, retry)

    @callback
    def _async_delivered(self, batch: Batch) -> None:
        """Drop a batch Odoo committed; announce the end of an outage."""
        self._queue.inflight = None
        self._backoff_attempt = 0
        if self._clock_skew_raised:
            self._clock_skew_raised = False
            ir.async_delete_issue(self._hass, DOMAIN, f"{ISSUE_CLOCK_SKEW}_{self._entry.entry_id}")
        self.events_sent += len(batch.events)
        self.last_success = dt_util.utcnow()
        self._async_set_connected(True)
        if self._failing:
            self._failing = False
            _LOGGER.info(
                "Odoo is reachable again at %s for %s; delivering the backlog",
                self._client.push_url,
                self._entry.title,
            )
            # Compaction may have dropped changes while Odoo was away: resend the full picture.
            self.async_request_snapshot()
        if batch.events:
            self._schedule_save()

    def _split_or_dead_letter(self, batch: Batch, answer: PushAnswer) -> None:
        """Halve a refused batch to isolate the bad event; set a single bad event aside."""
        self._backoff_attempt = 0
        if (lone := self._queue.split_refused(batch)) is not None:
            self._dead_letter(lone, answer)
        self._schedule_save()

    def _dead_letter(self, encoded: bytes, answer: PushAnswer) -> None:
        """Set aside an event Odoo refuses on its own, so the queue never blocks."""
        event = orjson.loads(encoded)
        kind, key = event_key(event)
        self.dead_letter_count += 1
        self.dead_letters.append(
            {
                "time": dt_util.utcnow().isoformat(),
                "status": answer.status,
                "code": answer.error_code,
                "message": answer.error_message,
                "event": event,
            }
        )
        _LOGGER.warning(
            "Odoo refused the %s event of %s for %s (%s: %s); it was set aside",
            kind,
            key,
            self._entry.title,
            answer.status,
            answer.error_message,
        )

    def _set_aside_unencodable(self, item: State | WireEvent, err: TypeError) -> None:
        """Set aside an event JSON cannot hold (orjson refused an attribute), so the rest flows.

        Logged once per entity (or device, area): a sensor with such an attribute would
        otherwise log at every change.
        """
        kind, key = ("state", item.entity_id) if isinstance(item, State) else event_key(item)
        self.dead_letter_count += 1
        self.dead_letters.append(
            {
                "time": dt_util.utcnow().isoformat(),
                "status": None,
                "code": DEAD_LETTER_UNENCODABLE,
                "message": str(err),
                "event": event_reference(kind, key),
            }
        )
        if (kind, key) not in self._unencodable_logged:
            self._unencodable_logged.add((kind, key))
            _LOGGER.warning(
                "The %s event of %s cannot be encoded as JSON for %s (%s); it was set aside",
                kind,
                key,
                self._entry.title,
                err,
            )
        self._schedule_save()

    @callback
    def _async_halt(self, removed: bool, status: int | None) -> None:
        """Stop pushing and keep buffering: start re-authentication, or raise the removal."""
        self.halted = True
        self._async_set_connected(False)
        self._schedule_save(0)
        if not removed:
            _LOGGER.error(
                "Odoo refused the credentials of %s at %s (HTTP %s); re-authenticate to resume",
                self._entry.title,
                self._client.push_url,
                status,
            )
            self._entry.async_start_reauth(self._hass)
            return
        _LOGGER.error("Odoo removed the pairing of %s; pushing stopped", self._entry.title)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            f"{ISSUE_INSTANCE_REMOVED}_{self._entry.entry_id}",
            is_fixable=True,
            data={"entry_id": self._entry.entry_id},
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_INSTANCE_REMOVED,
            translation_placeholders={"title": self._entry.title},
        )

    async def _async_retry_later(self, answer: PushAnswer, retry: Retry) -> None:
        """Wait before retrying the same batch, as long as `retry` says."""
        self.failed_pushes += 1
        if not retry.busy:
            self._async_set_connected(False)
            if not self._failing:
                self._failing = True
                _LOGGER.warning(
                    "Odoo is unreachable at %s for %s (%s); buffering events and retrying",
                    self._client.push_url,
                    self._entry.title,
                    answer.status or answer.error_message,
                )
        if retry.clock_skew is not None:
            self._async_raise_clock_skew(retry.clock_skew)
        if retry.backs_off:
            self._backoff_attempt += 1
        self._wakeup.clear()
        self._set_wake_at(NEVER)
        await _wait(self._wakeup, retry.delay)

    @callback
    def _async_raise_clock_skew(self, skew: int) -> None:
        """Tell the user that Odoo refuses pushes because the two clocks differ."""
        if not self._clock_skew_raised:
            _LOGGER.warning(
                "Odoo refuses the pushes of %s as signed at the wrong time: its clock is %+d s "
                "from Home Assistant's; retrying",
                self._entry.title,
                skew,
            )
        self._clock_skew_raised = True
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            f"{ISSUE_CLOCK_SKEW}_{self._entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_CLOCK_SKEW,
            translation_placeholders={
                "title": self._entry.title,
                "skew": f"{skew:+d}",
                "odoo_time": dt_util.utc_from_timestamp(time.time() + skew).isoformat(
                    timespec="seconds"
                ),
                "ha_time": dt_util.utcnow().isoformat(timespec="seconds"),
            },
        )

    # ---- persistence --------------------------------------------------------------------

    @callback
    def _schedule_save(self, delay: float = SAVE_DELAY) -> None:
        """Write the outbox to disk after `delay` seconds (coalescing earlier requests)."""
        if self._save_unsub is not None:
            if delay > 0:
                return
            self._save_unsub.cancel()
        self._save_unsub = self._hass.loop.call_later(delay, self._async_save_soon)

    @callback
    def _async_save_soon(self) -> None:
        """Start a background save from the save timer."""
        self._save_unsub = None
        self._entry.async_create_background_task(
            self._hass, self.async_save(), f"{DOMAIN} outbox save"
        )

    async def async_save(self) -> None:
        """Write the queue, the batch in flight and the counters to disk now."""
        # Serialized so an older save running in the background never overwrites a newer one.
        async with self._save_lock:
            await self._async_save_locked()

    async def _async_save_locked(self) -> None:
        """Snapshot the outbox in the event loop, convert it in the executor, then save."""
        if self._save_unsub is not None:
            self._save_unsub.cancel()
            self._save_unsub = None
        items = list(self._queue.items)
        header: dict[str, Any] = {
            **self._queue.stored_header(),
            "events_sent": self.events_sent,
            "dropped_events": self.dropped_events,
            "dead_letter_count": self.dead_letter_count,
            "dead_letters": list(self.dead_letters),
            "last_success": self.last_success.isoformat() if self.last_success else None,
        }
        include_attributes = self._settings.send_attributes
        # States are converted in the executor: a backlog may hold 200 000 of them.
        data = await self._hass.async_add_executor_job(
            stored_data, header, items, include_attributes
        )
        await self._store.async_save(data)

    @staticmethod
    async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
        """Delete the saved outbox of a removed pairing."""
        await outbox_store(hass, entry_id).async_remove()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait until `event` is set or `seconds` have passed."""
    with suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
