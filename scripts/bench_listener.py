"""Measure the Odoo integration's cost on Home Assistant's event loop per state change.

Runs a real Home Assistant core with the integration set up through its config entry and a
local endpoint answering 200 like Odoo. Prints a table; the last line is the headline figure
(the listener cost, budget ≤ 20 µs per state change, DESIGN.md §6).

    scripts/ha-env.sh run python scripts/bench_listener.py
"""

import asyncio
import statistics
import sys
import time
from pathlib import Path

# Run from anywhere: the repository's package must win over the test package's own
# testing_config/custom_components, so it is imported before Home Assistant looks for it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web
from aiohttp.test_utils import TestServer
from bench_hass import PUSH_PATH, bench_hass
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.json import json_bytes

import custom_components.odoo
from custom_components.odoo.events import state_event
from custom_components.odoo.outbox import Outbox
from custom_components.odoo.send_queue import SendQueue

# Bursts the size of a batch, drained between bursts as with Odoo up: the outbox holds what a
# live system holds, not an ever-growing backlog.
BURST = 1000
ROUNDS = 50
CHANGES = BURST * ROUNDS
ATTRIBUTES = {"unit_of_measurement": "W", "device_class": "power", "friendly_name": "Power"}


async def _accept(request: web.Request) -> web.Response:
    """Answer every push like Odoo accepting it."""
    await request.read()
    return web.json_response({"ok": True, "accepted": 0, "duplicate": False})


def _set_many(hass: HomeAssistant, offset: int) -> float:
    """Change a sensor BURST times in a row; return the seconds it took."""
    start = time.perf_counter()
    for value in range(offset, offset + BURST):
        hass.states.async_set("sensor.power", str(value), ATTRIBUTES)
    return time.perf_counter() - start


async def _set_cost(hass: HomeAssistant, outbox: Outbox, offset: int) -> float:
    """Return µs per state change over ROUNDS bursts, letting the outbox drain in between."""
    spent = 0.0
    for round_index in range(ROUNDS):
        spent += _set_many(hass, offset + round_index * BURST)
        async with asyncio.timeout(30):
            while outbox.pending:  # noqa: ASYNC110 - a benchmark's poll
                await asyncio.sleep(0.005)
    return spent / (ROUNDS * BURST) * 1e6


def _direct_cost(outbox: Outbox, event: Event[EventStateChangedData]) -> float:
    """Return µs per call of the event filter plus the listener, called directly."""
    is_exported = outbox.listener._async_is_exported
    listener = outbox.listener._async_state_changed
    start = time.perf_counter()
    for _ in range(CHANGES):
        if is_exported(event.data):
            listener(event)
    return (time.perf_counter() - start) / CHANGES * 1e6


def _journal_cost(state: State) -> float:
    """Return µs per queued item of what a journal commit takes in the event loop (the
    rows to write; encoding and SQLite run in the executor)."""
    queue = SendQueue(10_000_000)
    queue.journal_changes(include_attributes=True)
    spent = 0.0
    for _ in range(ROUNDS):
        queue.extend([state] * BURST)
        start = time.perf_counter()
        queue.journal_changes(include_attributes=True)
        spent += time.perf_counter() - start
    return spent / CHANGES * 1e6


async def main() -> None:
    """Set up hass with the integration and print the costs."""
    server = TestServer(web.Application(), host="127.0.0.1")
    server.app.router.add_post(PUSH_PATH, _accept)
    await server.start_server()
    async with bench_hass(str(server.make_url("")).rstrip("/"), 10_000_000) as (hass, outbox):
        # For scale: the whole state change, Home Assistant's own work included. Comparing it
        # with a run without the integration drowns in noise; the direct figure below does not.
        set_state = await _set_cost(hass, outbox, 0)

        captured: list[Event[EventStateChangedData]] = []

        @callback
        def capture(event: Event[EventStateChangedData]) -> None:
            """Keep a real state_changed event to replay."""
            captured.append(event)

        unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, capture)
        hass.states.async_set("sensor.power", "final", ATTRIBUTES)
        unsubscribe()
        direct = statistics.median(_direct_cost(outbox, captured[0]) for _ in range(7))
        new_state = captured[0].data["new_state"]
        assert new_state is not None
        start = time.perf_counter()
        for _ in range(CHANGES):
            json_bytes(state_event(new_state, True))
        encode = (time.perf_counter() - start) / CHANGES * 1e6
        journal = _journal_cost(new_state)
    await server.close()

    rows = [
        ("hass.states.async_set with the integration (for scale)", set_state),
        ("event filter + listener called directly", direct),
        ("encoding one event when its batch is built (sender)", encode),
        ("journal commit, event-loop share per queued item", journal),
        ("listener + encoding + journal: event-loop work per change", direct + encode + journal),
    ]
    print(f"{custom_components.odoo.__name__}: {ROUNDS} bursts of {BURST} state changes")
    for label, value in rows:
        print(f"  {label:<55} {value:7.2f} µs")
    total = direct + encode + journal
    print(f"{direct:.1f} µs per state change in the listener ({total:.1f} µs with the rest)")


if __name__ == "__main__":
    asyncio.run(main())
