"""The outbox's sender: one task that seals batches from the queue's front and pushes them.

Odoo's answer goes through `retry.outcome`, the answer table of docs/protocol.md §3 as a pure
function; this module only carries out what it returns, one batch at a time, in order.
"""

import asyncio
import gzip
import logging
import time
from contextlib import suppress

import orjson
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .batch import Batch, SetAside, encode_batch
from .const import GZIP_THRESHOLD_BYTES, ISSUE_CLOCK_SKEW, ISSUE_INSTANCE_REMOVED
from .entry_effects import ClearIssue, EntryEffects, RaiseIssue, Reauthenticate
from .events import event_key
from .outbox_settings import OutboxSettings
from .outbox_status import OutboxStatus
from .outbox_store import OutboxSaver
from .push_client import PushAnswer, PushClient
from .resync import SnapshotRequests
from .retry import Delivered, Halt, Retry, Split, describe_failure, outcome
from .send_queue import NEVER, SendQueue

_LOGGER = logging.getLogger(__name__)


class Sender:
    """Delivers one pairing's batches; `wake` cuts short any wait."""

    def __init__(
        self,
        hass: HomeAssistant,
        title: str,
        client: PushClient,
        queue: SendQueue,
        status: OutboxStatus,
        settings: OutboxSettings,
        saver: OutboxSaver,
        snapshots: SnapshotRequests,
        set_aside: SetAside,
        effects: EntryEffects,
        notify_status: CALLBACK_TYPE,
    ) -> None:
        """Prepare an idle sender."""
        self._hass = hass
        self._title = title
        self._client = client
        self._queue = queue
        self.status = status
        # Replaced by the outbox when the options change.
        self.settings = settings
        self._saver = saver
        self._snapshots = snapshots
        self._set_aside = set_aside
        self._effects = effects
        self._notify_status = notify_status
        self._wakeup = asyncio.Event()
        # Cleared while a pairing is renewed: a push signed with the old secret would race it.
        self._may_push = asyncio.Event()
        self._may_push.set()
        self._not_pushing = asyncio.Event()
        self._not_pushing.set()
        self._last_push = 0.0
        self._failing = False
        self._clock_skew_raised = False

    @callback
    def renew(self, client: PushClient) -> None:
        """Push with a renewed pairing's URL and secret, starting with the batch held."""
        self._client = client
        self._may_push.set()
        self.wake()

    @callback
    def wake(self) -> None:
        """End the current wait: a batch filled up, a flush was asked for, or options changed."""
        self._wakeup.set()

    async def async_pause(self, wait: float) -> CALLBACK_TYPE:
        """Start no push; wait up to `wait` s for the one in flight; return what resumes.

        Pairing again rotates the secret and resets the sequence in the instance's row, which
        every push also updates: Odoo would fail the pairing on serialization conflicts with
        a stream in flight. Events keep queueing meanwhile; nothing is lost.
        """
        self._may_push.clear()
        with suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._not_pushing.wait()
        return self._may_push.set

    async def async_run(self) -> None:
        """Deliver batches one at a time, in order, until cancelled or halted."""
        self._last_push = self._hass.loop.time()
        while True:
            batch = self._queue.inflight or await self._async_next_batch()
            await self._may_push.wait()
            self._not_pushing.clear()
            try:
                answer = await self._async_push(batch)
            finally:
                self._not_pushing.set()
            if answer.status != 200:
                self.status.last_error = describe_failure(answer)
            match outcome(answer, self.status.backoff_attempt, time.time()):
                case Delivered():
                    self._async_delivered(batch)
                case Split():
                    self._split_or_dead_letter(batch, answer)
                case Halt(removed=removed):
                    self._async_halt(removed, answer.status)
                    return
                case Retry() as retry:
                    await self._async_retry_later(answer, retry)

    async def _async_wait(self, wake_at: int, seconds: float) -> None:
        """Wait `seconds`, or until the queue holds `wake_at` items or `wake` is called."""
        self._wakeup.clear()
        self._queue.wake_at(wake_at)
        await _wait(self._wakeup, seconds)

    async def _async_next_batch(self) -> Batch:
        """Wait for work, then seal the next batch (a heartbeat when idle too long)."""
        loop = self._hass.loop
        if not self._queue:
            while not self._queue:
                remaining = self.settings.heartbeat_interval - (loop.time() - self._last_push)
                if remaining <= 0:
                    return self._queue.seal([], snapshot=False)  # a heartbeat
                await self._async_wait(1, remaining)
            # The first event of a quiet period waits for company, unless a batch fills up;
            # a chunk (a snapshot part) is a whole batch already.
            max_batch = self.settings.max_batch
            if len(self._queue) < max_batch and not self._queue.front_is_chunk():
                await self._async_wait(max_batch, self.settings.flush_delay)
        self._queue.wake_at(NEVER)
        # What was queued after a snapshot was taken must follow it: wait while it is encoded.
        await self._snapshots.ready.wait()
        batch = self._queue.take_batch(
            self.settings.max_batch, self.settings.send_attributes, self._set_aside
        )
        if batch.events:
            self._saver.schedule()
        return batch

    async def _async_push(self, batch: Batch) -> PushAnswer:
        """Push one batch, gzipped when large, and return Odoo's answer."""
        body = encode_batch(batch)
        gzipped = len(body) > GZIP_THRESHOLD_BYTES
        if gzipped:
            body = await self._hass.async_add_executor_job(gzip.compress, body)
        answer = await self._client.async_push(body, gzipped)
        self._last_push = self._hass.loop.time()
        return answer

    @callback
    def _async_set_connected(self, connected: bool) -> None:
        """Record whether Odoo accepts pushes; refresh the entities at once when it flips.

        Counters are refreshed by the periodic tick only: a state write per push would fill
        the recorder's database with one row every flush delay.
        """
        if connected != self.status.connected:
            self.status.connected = connected
            self._notify_status()

    @callback
    def _async_delivered(self, batch: Batch) -> None:
        """Drop a batch Odoo committed; announce the end of an outage."""
        self._queue.delivered()
        status = self.status
        status.backoff_attempt = 0
        if self._clock_skew_raised:
            self._clock_skew_raised = False
            self._effects(ClearIssue(ISSUE_CLOCK_SKEW))
        status.events_sent += len(batch.events)
        status.last_success = dt_util.utcnow()
        self._async_set_connected(True)
        if self._failing:
            self._failing = False
            _LOGGER.info(
                "Odoo is reachable again at %s for %s; delivering the backlog",
                self._client.push_url,
                self._title,
            )
            # Compaction may have dropped changes while Odoo was away: resend the full picture.
            self._snapshots.async_request()
        if batch.events:
            self._saver.schedule()

    def _split_or_dead_letter(self, batch: Batch, answer: PushAnswer) -> None:
        """Halve a refused batch to isolate the bad event; set a single bad event aside."""
        self.status.backoff_attempt = 0
        if (lone := self._queue.split_refused(batch)) is not None:
            event = orjson.loads(lone)
            kind, key = event_key(event)
            self.status.add_dead_letter(
                answer.status, answer.error_code, answer.error_message, event
            )
            _LOGGER.warning(
                "Odoo refused the %s event of %s for %s (%s: %s); it was set aside",
                kind,
                key,
                self._title,
                answer.status,
                answer.error_message,
            )
        self._saver.schedule()

    @callback
    def _async_halt(self, removed: bool, status: int | None) -> None:
        """Stop pushing and keep buffering: start re-authentication, or raise the removal."""
        self.status.halted = True
        self._async_set_connected(False)
        self._saver.schedule(0)
        if not removed:
            _LOGGER.error(
                "Odoo refused the credentials of %s at %s (HTTP %s); re-authenticate to resume",
                self._title,
                self._client.push_url,
                status,
            )
            self._effects(Reauthenticate())
            return
        _LOGGER.error("Odoo removed the pairing of %s; pushing stopped", self._title)
        self._effects(RaiseIssue(ISSUE_INSTANCE_REMOVED))

    async def _async_retry_later(self, answer: PushAnswer, retry: Retry) -> None:
        """Wait before retrying the same batch, as long as `retry` says."""
        self.status.failed_pushes += 1
        if not retry.busy:
            self._async_set_connected(False)
            if not self._failing:
                self._failing = True
                _LOGGER.warning(
                    "Odoo is unreachable at %s for %s (%s); buffering events and retrying",
                    self._client.push_url,
                    self._title,
                    answer.status or answer.error_message,
                )
        if retry.clock_skew is not None:
            self._async_raise_clock_skew(retry.clock_skew)
        if retry.backs_off:
            self.status.backoff_attempt += 1
        await self._async_wait(NEVER, retry.delay)

    @callback
    def _async_raise_clock_skew(self, skew: int) -> None:
        """Tell the user that Odoo refuses pushes because the two clocks differ."""
        if not self._clock_skew_raised:
            _LOGGER.warning(
                "Odoo refuses the pushes of %s as signed at the wrong time: its clock is %+d s "
                "from Home Assistant's; retrying",
                self._title,
                skew,
            )
        self._clock_skew_raised = True
        odoo_time = dt_util.utc_from_timestamp(time.time() + skew)
        self._effects(
            RaiseIssue(
                ISSUE_CLOCK_SKEW,
                {
                    "skew": f"{skew:+d}",
                    "odoo_time": odoo_time.isoformat(timespec="seconds"),
                    "ha_time": dt_util.utcnow().isoformat(timespec="seconds"),
                },
            )
        )


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait until `event` is set or `seconds` have passed."""
    with suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
