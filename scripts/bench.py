"""Benchmarks of the budgets in docs/architecture.md, on this machine: one command, one table.

    make bench        (= scripts/bench.sh: this script once per Odoo series, then side by side)

Everything runs for real on loopback: a real Odoo server (the series at ODOO_PATH) with the
addon, a real `hass` with the integration, paired through the config flow. Figures are
printed, not asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2
import requests
from stack import (
    CACHE_DIR,
    HA_ENV,
    ODOO_ADMIN_LOGIN,
    ODOO_SERIES,
    REPO_ROOT,
    HomeAssistant,
    OdooServer,
    config_flow,
    pair_synthetic_instance,
    running,
    signed_headers,
    signing,
    wait_for,
)

# Every row printed so far, for --results (scripts/bench.sh sets runs side by side).
ROWS: list[dict[str, str]] = []


def report(what: str, figure: str, budget: str = "") -> None:
    """Print one row of the table as soon as its figure is known."""
    ROWS.append({"what": what, "figure": figure, "budget": budget})
    print(f"  {what:<70} {figure:<32} {budget}", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def iso(moment: datetime) -> str:
    """An ISO 8601 timestamp with microseconds and UTC offset, as HA writes them."""
    return moment.isoformat(timespec="microseconds")


class SignedPusher:
    """Plays Home Assistant's push client: signed, numbered batches to one instance."""

    def __init__(self, push_url: str, secret: str, database: str) -> None:
        self.push_url = push_url
        self.secret = secret
        self.database = database
        self.session = requests.Session()
        self.seq = 0

    def push(self, events: list[dict[str, Any]], snapshot: bool = False) -> dict[str, Any]:
        """Send one batch and return Odoo's JSON answer; raise on any non-200."""
        return self.send(*self.sign(events, snapshot))

    def sign(
        self, events: list[dict[str, Any]], snapshot: bool = False
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the next batch: numbered, compressed when large, signed."""
        self.seq += 1
        body = json.dumps(
            {
                "v": 1,
                "batch_id": uuid.uuid4().hex,
                "seq": self.seq,
                "sent_at": iso(datetime.now(UTC)),
                "snapshot": snapshot,
                "events": events,
            },
            separators=(",", ":"),
        ).encode()
        # As Home Assistant's push client: Odoo 19 then skips listing the databases.
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.database}
        if len(body) > 64 * 1024:
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        headers.update(signed_headers(self.secret, signing.PURPOSE_PUSH, body))
        return body, headers

    def send(self, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        """Post a body `sign` made; return Odoo's JSON answer, raise on any non-200."""
        response = self.session.post(self.push_url, data=body, headers=headers, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"push refused: {response.status_code} {response.text[:300]}")
        return dict(response.json())


def pair_fake_instance(odoo: OdooServer, name: str) -> SignedPusher:
    """Pair a synthetic HA instance through `ha_pair` and return a pusher for it.

    The pusher posts to this server's own address: the push URL Odoo answers is built from
    `web.base.url`, which may still name another server of the same database.
    """
    instance = pair_synthetic_instance(odoo, name)
    path = urlsplit(instance["push_url"]).path
    return SignedPusher(f"{odoo.url}{path}", instance["secret"], odoo.database)


def machine_line(title: str) -> str:
    """`title` followed by the machine, its cores, the time and the load: the first line of a
    benchmark's figures, which are only comparable with the same machine and load."""
    return (
        f"{title} on {platform.node()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.2f}"
    )


def print_end(results: str | None) -> None:
    """Close a benchmark's figures with the load, and write its rows as JSON to `results`
    when given."""
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    if results:
        Path(results).write_text(json.dumps({"odoo": ODOO_SERIES, "rows": ROWS}, indent=1))


def state_events(count: int, entities: int, start: datetime) -> list[dict[str, Any]]:
    """`count` realistic sensor state events spread over `entities` entities."""
    events = []
    for index in range(count):
        moment = iso(start + timedelta(microseconds=index * 1000))
        events.append(
            {
                "t": "state",
                "entity_id": f"sensor.bench_{index % entities}",
                "state": f"{20 + (index % 997) / 100:.2f}",
                "attributes": {
                    "unit_of_measurement": "°C",
                    "device_class": "temperature",
                    "state_class": "measurement",
                    "friendly_name": f"Bench {index % entities}",
                },
                "last_changed": moment,
                "last_updated": moment,
                "context_id": uuid.uuid4().hex,
            }
        )
    return events


def bench_ingest(odoo: OdooServer, total: int, server: str) -> float:
    """Sustained ingest through the real HTTP endpoint, batched and one event per request."""
    pusher = pair_fake_instance(odoo, f"Ingest benchmark, {server}")
    start = datetime.now(UTC) - timedelta(days=1)
    pusher.push(state_events(200, 200, start - timedelta(hours=1)))  # entities exist
    events = state_events(total, 200, start)
    began = time.perf_counter()
    for offset in range(0, total, 1000):
        pusher.push(events[offset : offset + 1000])
    elapsed = time.perf_counter() - began
    batched_rate = total / elapsed
    report(
        f"ingest, batches of 1000, history on ({total} events, {server})",
        f"{batched_rate:,.0f} events/s",
        "≥ 5 000 events/s",
    )
    single = state_events(500, 200, start + timedelta(hours=2))
    began = time.perf_counter()
    for event in single:
        pusher.push([event])
    elapsed = time.perf_counter() - began
    report(
        f"ingest, one event per request (batching off, {server})", f"{500 / elapsed:,.0f} events/s"
    )
    return batched_rate


OLD_DESIGN_SCRIPT = """
import time, json
Instance = env['ha.instance'].sudo()
instance = Instance.search([('name', '=', 'Ingest benchmark, threaded')], limit=1)
entities = env['ha.entity'].sudo().search([('instance_id', '=', instance.id)], limit=200)
History = env['ha.entity.history'].sudo()
base = __import__('datetime').datetime(2020, 1, 1)
began = time.perf_counter()
for index in range({count}):
    entity = entities[index % len(entities)]
    moment = base + __import__('datetime').timedelta(microseconds=index * 1000)
    entity.write({{'state': str(index), 'last_updated': moment}})
    History.create({{'entity_id': entity.id, 'state': str(index), 'last_changed': moment,
                    'last_updated': moment}})
    env['bus.bus']._sendone(instance, 'ha_state', {{'entity_id': entity.entity_id,
                                                    'state': str(index)}})
    env.cr.commit()
print('OLD-DESIGN-RATE:%f' % ({count} / (time.perf_counter() - began)))
"""


def odoo_shell(odoo: OdooServer, script: str, marker: str) -> str:
    """Run `script` in `odoo-bin shell` on the server's database; the rest of the line it
    printed after `marker`."""
    result = subprocess.run(
        odoo._odoo("shell", "-d", odoo.database, "--no-http", "--log-level=warn"),
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith(marker):
            return line.removeprefix(marker)
    raise RuntimeError(f"odoo-bin shell failed:\n{result.stdout}\n{result.stderr[-2000:]}")


def bench_old_design(odoo: OdooServer, count: int) -> float:
    """The older design's write path: per event one ORM write, one history row, one bus
    message and one commit, run inside Odoo (odoo-bin shell) against the same database."""
    return float(odoo_shell(odoo, OLD_DESIGN_SCRIPT.format(count=count), "OLD-DESIGN-RATE:"))


def database_cursor(odoo: OdooServer) -> Any:
    """A direct PostgreSQL cursor on Odoo's database, to observe commits as they happen."""
    connection = psycopg2.connect(
        host="127.0.0.1",
        user="odoo",
        password="odoo",
        dbname=odoo.database,
    )
    connection.autocommit = True
    return connection.cursor()


def bench_latency(hass: HomeAssistant, odoo: OdooServer, rate: int, seconds: int) -> None:
    """HA state change → row committed in Odoo, at `rate` changes/s, default flush delay."""
    entity = "sensor.bench_latency"
    cursor = database_cursor(odoo)
    total = rate * seconds
    arrivals: dict[str, float] = {}
    changed_at: dict[str, float] = {}
    done = threading.Event()

    def observe() -> None:
        last_id = 0
        while not done.is_set():
            cursor.execute(
                "SELECT h.id, h.state FROM ha_entity_history h JOIN ha_entity e"
                " ON e.id = h.entity_id WHERE e.entity_id = %s AND h.id > %s",
                (entity, last_id),
            )
            now = time.time()
            for row_id, state in cursor.fetchall():
                last_id = max(last_id, row_id)
                arrivals.setdefault(state, now)
            time.sleep(0.002)

    observer = threading.Thread(target=observe, daemon=True)
    observer.start()
    session = requests.Session()
    headers = {"Authorization": f"Bearer {hass.token}"}
    began = time.monotonic()
    for index in range(total):
        target = began + index / rate
        time.sleep(max(0.0, target - time.monotonic()))
        state = f"L{index}"
        changed_at[state] = time.time()
        session.post(
            f"{hass.url}/api/states/{entity}", json={"state": state}, headers=headers, timeout=10
        )
    wait_for(lambda: len(arrivals) >= total, 60, "all latency samples in Odoo")
    done.set()
    observer.join()
    latencies = [(arrivals[state] - changed_at[state]) * 1000 for state in changed_at]
    report(
        f"HA → Odoo latency at {rate} changes/s ({total} changes)",
        f"p50 {percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms",
        "p50 ≤ 200 ms, p99 ≤ 500 ms",
    )


def bench_snapshot(hass: HomeAssistant, odoo: OdooServer, count: int) -> None:
    """Pair an HA holding `count` extra entities; time until all of them are in Odoo."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {hass.token}"}

    def create(indexes: range) -> None:
        for index in indexes:
            session.post(
                f"{hass.url}/api/states/sensor.snapshot_{index}",
                json={"state": str(index), "attributes": {"unit_of_measurement": "W"}},
                headers=headers,
                timeout=30,
            )

    threads = [threading.Thread(target=create, args=(range(i, count, 4),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cursor = database_cursor(odoo)
    # The API key is minted before the clock starts: a user has it before pairing.
    api_key = odoo.create_api_key(ODOO_ADMIN_LOGIN, "Home Assistant")
    began = time.monotonic()
    result = config_flow(hass, odoo, ODOO_ADMIN_LOGIN, api_key)
    if result.get("type") != "create_entry":
        raise RuntimeError(f"pairing failed: {result}")

    def arrived() -> bool:
        cursor.execute("SELECT count(*) FROM ha_entity WHERE entity_id LIKE 'sensor.snapshot_%%'")
        return bool(cursor.fetchone()[0] >= count)

    wait_for(arrived, 300, f"{count} snapshot entities in Odoo", interval=0.05)
    report(
        f"initial snapshot of {count:,} entities (pairing → all in Odoo)",
        f"{time.monotonic() - began:.1f} s",
        "≤ 10 s",
    )


def bench_commands(hass: HomeAssistant, odoo: OdooServer, count: int) -> None:
    """Odoo → HA command round trip: an Odoo call toggles an input_boolean in HA, and the
    new state comes back through the push channel; timed until it is committed in Odoo."""
    entity_id = "input_boolean.coffee_machine"
    client = odoo.rpc()
    ids = wait_for(
        lambda: client.env["ha.entity"].search([("entity_id", "=", entity_id)]), 60, entity_id
    )
    record = client.env["ha.entity"].browse(ids[0])
    cursor = database_cursor(odoo)

    def odoo_state() -> str:
        cursor.execute("SELECT state FROM ha_entity WHERE id = %s", (ids[0],))
        return str(cursor.fetchone()[0])

    round_trips = []
    for _ in range(count):
        target = "off" if odoo_state() == "on" else "on"
        began = time.monotonic()
        record.call_entity_service("turn_on" if target == "on" else "turn_off", None)
        wait_for(lambda target=target: odoo_state() == target, 30, "the state back", 0.002)
        round_trips.append((time.monotonic() - began) * 1000)
    report(
        f"Odoo → HA command round trip ({count} commands)",
        f"p50 {percentile(round_trips, 0.5):.0f} ms, p99 {percentile(round_trips, 0.99):.0f} ms",
        "p50 ≤ 300 ms",
    )


def bench_listener() -> None:
    """The integration's listener cost on HA's event loop (scripts/bench_listener.py)."""
    result = subprocess.run(
        [str(HA_ENV), "run", "python", "scripts/bench_listener.py"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"listener benchmark failed:\n{result.stdout}\n{result.stderr[-2000:]}")
    report("HA event-loop cost of the listener", lines[-1].strip(), "≤ 20 µs per state change")


def main() -> None:
    """Run every benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-events", type=int, default=20_000)
    parser.add_argument("--snapshot-entities", type=int, default=10_000)
    parser.add_argument("--latency-seconds", type=int, default=20)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--dashboard-entities", type=int, default=2000, help="0 skips it")
    parser.add_argument("--results", help="also write the rows to this JSON file")
    args = parser.parse_args()

    print(
        machine_line(f"Benchmarks with Odoo {ODOO_SERIES}")
        + " (figures are only comparable on a quiet machine)"
    )
    bench_listener()
    work_dir = CACHE_DIR / "state" / "bench"
    odoo = OdooServer(f"ha_bridge_bench_{uuid.uuid4().hex[:6]}", work_dir / "odoo")
    hass = HomeAssistant(work_dir / f"ha-config-{uuid.uuid4().hex[:6]}")
    odoo.install()
    try:
        with running(odoo, hass):
            hass.onboard()
            bench_snapshot(hass, odoo, args.snapshot_entities)
            bench_latency(hass, odoo, rate=100, seconds=args.latency_seconds)
            bench_commands(hass, odoo, args.commands)
            batched_rate = bench_ingest(odoo, args.ingest_events, "threaded")
            # Production runs prefork workers: a second server on the same database.
            prefork = OdooServer(odoo.database, work_dir / "odoo-prefork", workers=2)
            with running(prefork):
                bench_ingest(prefork, args.ingest_events, "prefork --workers=2")
            old_rate = bench_old_design(odoo, 1000)
            report(
                "ingest, older design (ORM write + history + bus + commit per event)",
                f"{old_rate:,.0f} events/s",
            )
            report("batched ingest ÷ older design", f"{batched_rate / old_rate:.1f} times")
            if args.dashboard_entities:
                bench_dashboard(odoo, args.dashboard_entities)
    finally:
        odoo.drop()
    print_end(args.results)


def bench_dashboard(odoo: OdooServer, entities: int) -> None:
    """First paint and live updates of the dashboard in headless Chromium (bench_dashboard.py)."""
    from bench_dashboard import measure_dashboard  # noqa: PLC0415 - it imports this module

    try:
        result = measure_dashboard(odoo, entities, repeat=3, updates=10)
    except RuntimeError as error:  # the dashboard never showed its cards: say why, go on
        report("dashboard", f"NOT measured: {error}"[:300])
        return
    screen, paint, frame = (
        result["first_screen_ms"],
        result["first_paint_ms"],
        result["first_frame_ms"],
    )
    live = result["live_bus_to_card_ms"]
    if not (screen and paint and frame and live):
        report("dashboard", f"NOT measured; page errors: {result['page_errors'][:3]}")
        return
    report(
        f"dashboard first screen painted, {entities} entities (3 loads)",
        f"median {screen['median'] / 1000:.2f} s, max {screen['max'] / 1000:.2f} s",
        "≤ 2 s",
    )
    report(
        f"dashboard all {entities} cards (3 loads; in DOM / painted)",
        f"median {paint['median'] / 1000:.2f} s / {frame['median'] / 1000:.2f} s,"
        f" max {paint['max'] / 1000:.2f} s",
        "≤ 2 s",
    )
    report(
        f"dashboard live update, bus message → card ({len(live['samples'])} updates)",
        f"median {live['median']:.0f} ms, max {live['max']:.0f} ms",
        "≤ 100 ms",
    )


if __name__ == "__main__":
    main()
