"""Measure how fast the outbox drains a backlog queued while Odoo was down.

Runs a real Home Assistant core with the integration set up through its config entry. A local
endpoint playing Odoo, in a thread of its own so its work does not count against Home
Assistant's event loop, answers 503 while N state changes are queued, then verifies and
accepts every signed batch. Prints the drain throughput and the longest the event loop was
blocked during the drain; the last line is the headline figure.

    scripts/ha-env.sh run python scripts/bench_drain.py [N]     (N defaults to 200 000)
"""

import asyncio
import hashlib
import hmac
import sys
import threading
import time
from pathlib import Path

# Run from anywhere: the repository's package must win over the test package's own
# testing_config/custom_components, so it is imported before Home Assistant looks for it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
from aiohttp import web
from bench_hass import PUSH_PATH, SECRET, bench_hass

import custom_components.odoo

ENTITIES = 1000
ATTRIBUTES = {"unit_of_measurement": "W", "device_class": "power", "friendly_name": "Power"}
LAG_TICK = 0.005


class Endpoint:
    """Odoo's push endpoint on its own event loop: 503 while down, else verify and accept."""

    def __init__(self) -> None:
        """Start down, with nothing received."""
        self.down = True
        self.events = 0
        self.batches = 0
        self.bad_signatures = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Serve in the background thread; return once it listens."""
        self._thread.start()
        self._ready.wait()

    def stop(self) -> None:
        """Stop serving and end the thread."""
        asyncio.run_coroutine_threadsafe(self._cleanup(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def _run(self) -> None:
        """Run the server's event loop."""
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application(handler_args={"auto_decompress": False})
        app.router.add_post(PUSH_PATH, self._push)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _cleanup(self) -> None:
        """Close the server."""
        assert self._runner is not None
        await self._runner.cleanup()

    async def _push(self, request: web.Request) -> web.Response:
        """Answer one push as Odoo would (docs/protocol.md §1, §3), counting its events."""
        body = await request.read()
        if self.down:
            error = {"code": "unavailable", "message": "down"}
            return web.json_response({"ok": False, "error": error}, status=503)
        headers = request.headers
        timestamp = headers.get("X-Bridge-Timestamp", "")
        nonce = headers.get("X-Bridge-Nonce", "")
        message = b"v1\npush\n" + timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
        expected = "v1=" + hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Bridge-Signature", "")):
            self.bad_signatures += 1
            return web.json_response({"ok": False, "error": {"code": "bad_signature"}}, status=401)
        if headers.get("Content-Encoding") == "gzip":
            import gzip  # noqa: PLC0415 - only when the integration compresses

            body = gzip.decompress(body)
        batch = orjson.loads(body)
        self.batches += 1
        if not batch.get("snapshot"):
            self.events += len(batch["events"])
        return web.json_response(
            {
                "ok": True,
                "batch_id": batch["batch_id"],
                "accepted": len(batch["events"]),
                "duplicate": False,
            }
        )


async def _watch_lag(lags: list[float], stop: asyncio.Event) -> None:
    """Record how late each short sleep wakes up: the event loop was blocked that long."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(LAG_TICK)
        lags.append(time.perf_counter() - start - LAG_TICK)


async def main(count: int) -> None:
    """Queue `count` changes with Odoo down, bring it up, and time the drain."""
    endpoint = Endpoint()
    endpoint.start()
    url = f"http://127.0.0.1:{endpoint.port}"
    # Room for the whole backlog: a compaction would change what is measured.
    async with bench_hass(url, buffer_limit=count + 10 * ENTITIES) as (hass, outbox):
        start = time.perf_counter()
        for value in range(count):
            hass.states.async_set(f"sensor.power_{value % ENTITIES}", str(value), ATTRIBUTES)
            if value % 1000 == 999:
                await asyncio.sleep(0)
        await hass.async_block_till_done()
        queued = time.perf_counter() - start
        pending = outbox.pending
        # What the outage wrote settles before the clock starts.
        await outbox.async_save()

        lags: list[float] = []
        stop = asyncio.Event()
        watcher = asyncio.create_task(_watch_lag(lags, stop))
        endpoint.down = False
        start = time.perf_counter()
        outbox.async_request_flush()
        async with asyncio.timeout(600):
            while outbox.pending:  # noqa: ASYNC110 - a benchmark's poll
                await asyncio.sleep(0.01)
        drained = time.perf_counter() - start
        stop.set()
        await watcher
        delivered = endpoint.events
    endpoint.stop()

    worst = max(lags, default=0.0) * 1e3
    lags.sort()
    p99 = lags[int(len(lags) * 0.99)] * 1e3 if lags else 0.0
    print(f"{custom_components.odoo.__name__}: a backlog of {count} state changes")
    print(f"  queued in {queued:.1f} s with Odoo down; {pending} pending")
    print(f"  delivered {delivered} events in {endpoint.batches} batches in {drained:.2f} s")
    print(f"  event loop blocked at most {worst:.0f} ms (p99 {p99:.1f} ms)")
    if endpoint.bad_signatures:
        print(f"  {endpoint.bad_signatures} pushes had a bad signature")
    print(f"{delivered / drained:,.0f} events/s drained, event loop blocked ≤ {worst:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
