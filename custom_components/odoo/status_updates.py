"""When the outbox's status entities refresh: at each change, and every few seconds.

The sender and compaction notify as they change the status; the periodic tick covers what
grows between pushes (the outbox size), which the hot path of queueing never notifies.
"""

import asyncio

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

STATUS_INTERVAL = 5.0


class StatusUpdates:
    """The status entities' listeners, called on `async_notify` and every STATUS_INTERVAL."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start without listeners and without the periodic tick."""
        self._hass = hass
        self._listeners: list[CALLBACK_TYPE] = []
        self._timer: asyncio.TimerHandle | None = None

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever the status changes; return the unsubscribe callback."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_notify(self) -> None:
        """Tell the status entities to refresh."""
        for listener in list(self._listeners):
            listener()

    @callback
    def async_start(self) -> None:
        """Notify every STATUS_INTERVAL from now on."""
        self._timer = self._hass.loop.call_later(STATUS_INTERVAL, self._async_tick)

    @callback
    def async_stop(self) -> None:
        """Stop the periodic tick."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    @callback
    def _async_tick(self) -> None:
        """Notify, and come back in STATUS_INTERVAL."""
        self.async_notify()
        self.async_start()
