"""History at a real site's scale: ingest in its shape, the set-based floor, a large purge.

    scripts/odoo-env.sh python scripts/bench_ingest_scale.py [--purge-rows 10000000]
    (`make bench` runs it once per Odoo series, after scripts/bench.py)

A real Odoo served as a multi-database server does (`--db-filter`, no `-d`), history on:

- ingest of signed 1 000-event batches spread over 500 sensors with attributes, through the
  real push endpoint, threaded and prefork (`--workers=2`), each over TCP with a password
  and over the unix socket with peer authentication (how Odoo's own packages connect);
  timed with the batches signed in the timed loop and signed beforehand, `--repeats` times
  (the median is printed, with the range);
- the floor: a set-based `INSERT … SELECT` into the same history table, with its indexes, in
  the same run, and ingest's ratio to it;
- `--purge-rows` expired rows built set-based, then purged by the addon's cron in the running
  server while signed pushes go on beside it: push latency before and during the purge, and
  the purge rate.

Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg2
from bench import (
    SignedPusher,
    database_cursor,
    machine_line,
    pair_fake_instance,
    percentile,
    print_end,
    report,
    state_events,
)
from stack import CACHE_DIR, ODOO_SERIES, OdooServer, running

BATCH = 1000
# Timed runs per server; the median is reported, with the range.
REPEATS = 3
RETENTION_DAYS = 30
# How a server reaches PostgreSQL: TCP with a password (this project's default), or the
# unix socket with peer authentication, as Odoo's own packages connect.
SERVER_LINKS = {False: "TCP", True: "unix socket"}
# (workers, over the socket) of the servers measured after the threaded one over TCP.
OTHER_SERVERS = ((2, False), (0, True), (2, True))


def bench_ingest(
    odoo: OdooServer, total: int, entities: int, server: str, repeats: int = REPEATS
) -> float:
    """Events/s of `total` events in 1 000-event batches over `entities` sensors.

    Timed twice: with each batch encoded, compressed and signed in the timed loop (Home
    Assistant's share of the work, here on the same two cores), and with the batches signed
    beforehand (Odoo's share alone). Each `repeats` times, with newer states each time (so
    every push updates the current states): a single run of 20 pushes varies by ±20 % on a
    shared two-core machine. Returns the median of the first.
    """
    pusher = pair_fake_instance(odoo, f"Ingest at scale, {server}")
    start = datetime.now(UTC) - timedelta(days=1)
    pusher.push(state_events(entities, entities, start - timedelta(hours=1)))  # entities exist
    events = state_events(2 * total * repeats, entities, start)
    in_loop, signed_before = [], []
    for run in range(repeats):
        first = 2 * total * run
        began = time.perf_counter()
        for offset in range(first, first + total, BATCH):
            pusher.push(events[offset : offset + BATCH])
        in_loop.append(total / (time.perf_counter() - began))
        offsets = range(first + total, first + 2 * total, BATCH)
        signed = [pusher.sign(events[offset : offset + BATCH]) for offset in offsets]
        began = time.perf_counter()
        for body, headers in signed:
            pusher.send(body, headers)
        signed_before.append(total / (time.perf_counter() - began))
    report(
        f"ingest, {BATCH}-event batches over {entities} sensors, --db-filter ({server})",
        f"{spread(in_loop)}; signed beforehand: {spread(signed_before)}",
        "≥ 10 000 events/s",
    )
    return statistics.median(in_loop)


def spread(rates: list[float]) -> str:
    """The median of `rates` in events/s, with their range when there are several."""
    median = f"{statistics.median(rates):,.0f} events/s"
    if len(rates) == 1:
        return median
    return f"{median} (median of {len(rates)}: {min(rates):,.0f} to {max(rates):,.0f})"


def socket_login_allowed() -> bool:
    """Whether this user may log in as the odoo role over the unix socket (odoo-env.sh)."""
    try:
        psycopg2.connect(user="odoo", dbname="postgres").close()
    except psycopg2.OperationalError:
        return False
    return True


def entity_ids(odoo: OdooServer, name_like: str, instance_name: str) -> list[int]:
    """The ids of the entities of the instance named `instance_name`."""
    cursor = database_cursor(odoo)
    cursor.execute(
        "SELECT entity.id FROM ha_entity entity JOIN ha_instance instance"
        " ON instance.id = entity.instance_id"
        " WHERE instance.name = %s AND entity.entity_id LIKE %s ORDER BY entity.id",
        (instance_name, name_like),
    )
    return [row[0] for row in cursor.fetchall()]


INSERT_ROWS = """
INSERT INTO ha_entity_history (entity_id, state, numeric_value, last_changed, last_updated)
SELECT ids[1 + serial %% cardinality(ids)], (20 + serial %% 997 / 100.0)::text,
       20 + serial %% 997 / 100.0, moment, moment
FROM (SELECT %s::int[] AS ids) entities,
     LATERAL (SELECT serial, %s::timestamp + serial * interval '1 millisecond' AS moment
              FROM generate_series(1, %s) serial) series
"""


def insert_rows(odoo: OdooServer, ids: list[int], rows: int, since: datetime, keep: bool) -> float:
    """Insert `rows` history rows set-based over `ids`; return rows/s (rolled back unless keep)."""
    connection = psycopg2.connect(
        host="127.0.0.1", user="odoo", password="odoo", dbname=odoo.database
    )
    try:
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(INSERT_ROWS, (ids, since.replace(tzinfo=None), rows))
            elapsed = time.perf_counter() - began
        if keep:
            connection.commit()
        else:
            connection.rollback()
    finally:
        connection.close()
    return rows / elapsed


def bench_floor(odoo: OdooServer, rows: int, instance_name: str) -> float:
    """The set-based insert floor, into the same table with its indexes (rolled back)."""
    ids = entity_ids(odoo, "sensor.bench_%", instance_name)
    rate = insert_rows(odoo, ids, rows, datetime(2001, 1, 1), keep=False)
    report(
        f"floor: set-based INSERT … SELECT into the history ({rows:,} rows)", f"{rate:,.0f} rows/s"
    )
    return rate


class PushProbe:
    """Signed 200-event pushes, one every 0.1 s at most, timed one by one, in a thread."""

    def __init__(self, pusher: SignedPusher, entities: int) -> None:
        self.pusher = pusher
        self.entities = entities
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.moment = datetime.now(UTC) - timedelta(hours=12)

    def run(self) -> None:
        while not self.stop.is_set():
            events = state_events(200, self.entities, self.moment)
            self.moment += timedelta(seconds=1)
            began = time.perf_counter()
            self.pusher.push(events)
            elapsed = time.perf_counter() - began
            self.latencies.append(elapsed * 1000)
            time.sleep(max(0.0, 0.1 - elapsed))

    def measure(self, until: Any) -> list[float]:
        """Push until `until()` is true; return the latencies of the pushes meanwhile (ms)."""
        self.latencies = []
        self.stop.clear()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        try:
            while not until():
                time.sleep(0.5)
        finally:
            self.stop.set()
            self.thread.join()
        return self.latencies


def purge_done(odoo: OdooServer) -> tuple[int, int]:
    """(rows deleted by the purge cron so far, its cron id), from its progress records."""
    cursor = database_cursor(odoo)
    cursor.execute(
        "SELECT res_id FROM ir_model_data"
        " WHERE module = 'home_assistant' AND name = 'ir_cron_ha_history_purge'"
    )
    cron_id = cursor.fetchone()[0]
    cursor.execute(
        "SELECT coalesce(sum(done), 0) FROM ir_cron_progress WHERE cron_id = %s", (cron_id,)
    )
    return int(cursor.fetchone()[0]), cron_id


def bench_purge(odoo: OdooServer, rows: int, entities: int) -> None:
    """Build `rows` expired rows, then time the cron purging them beside signed pushes."""
    name = "Purge at scale"
    purged = pair_fake_instance(odoo, name)
    purged.push(state_events(1000, 1000, datetime.now(UTC) - timedelta(minutes=1)))
    client = odoo.rpc()
    instance_ids = client.env["ha.instance"].search([("name", "=", name)])
    client.env["ha.instance"].browse(instance_ids).write({"history_retention_days": RETENTION_DAYS})
    ids = entity_ids(odoo, "sensor.bench_%", name)
    began = time.perf_counter()
    since = datetime.now(UTC) - timedelta(days=RETENTION_DAYS + 1) - timedelta(milliseconds=rows)
    insert_rows(odoo, ids, rows, since, keep=True)
    database_cursor(odoo).execute("ANALYZE ha_entity_history")
    report(
        f"built {rows:,} expired history rows set-based (with their indexes)",
        f"{time.perf_counter() - began:.0f} s",
    )
    probe = PushProbe(pair_fake_instance(odoo, "Pushes beside the purge"), entities)
    quiet_until = time.monotonic() + 15
    quiet = probe.measure(lambda: time.monotonic() > quiet_until)
    report(
        f"push latency, 200-event batches, no purge ({len(quiet)} pushes)",
        f"p50 {percentile(quiet, 0.5):.0f} ms, p99 {percentile(quiet, 0.99):.0f} ms",
        "p99 ≤ 500 ms",
    )
    done_before, cron_id = purge_done(odoo)
    cursor = database_cursor(odoo)
    cursor.execute(
        "UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' WHERE id = %s", (cron_id,)
    )
    wake = psycopg2.connect(host="127.0.0.1", user="odoo", password="odoo", dbname="postgres")
    wake.autocommit = True
    wake.cursor().execute("SELECT pg_notify('cron_trigger', %s)", (odoo.database,))
    wake.close()
    began = time.perf_counter()
    deadline = time.monotonic() + 3600
    during = probe.measure(
        lambda: purge_done(odoo)[0] - done_before >= rows or time.monotonic() > deadline
    )
    elapsed = time.perf_counter() - began
    deleted = purge_done(odoo)[0] - done_before
    report(
        f"purge of {rows:,} expired rows by its cron ({deleted:,} deleted)",
        f"{deleted / elapsed:,.0f} rows/s ({elapsed:.0f} s)",
    )
    report(
        f"push latency during the purge ({len(during)} pushes)",
        f"p50 {percentile(during, 0.5):.0f} ms, p99 {percentile(during, 0.99):.0f} ms",
        "p99 ≤ 500 ms",
    )


def main() -> None:
    """Run the three benchmarks on a fresh database and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-events", type=int, default=20_000)
    parser.add_argument("--entities", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timed runs per server")
    parser.add_argument("--floor-rows", type=int, default=500_000)
    parser.add_argument("--purge-rows", type=int, default=10_000_000, help="0 skips it")
    parser.add_argument("--results", help="also write the rows to this JSON file")
    args = parser.parse_args()
    print(machine_line(f"History at scale with Odoo {ODOO_SERIES}"))
    work_dir = CACHE_DIR / "state" / "bench-scale"
    database = f"ha_bridge_bench_scale_{uuid.uuid4().hex[:6]}"
    odoo = OdooServer(database, work_dir / "odoo", multi_database=True)
    odoo.install()
    try:
        with running(odoo):
            threaded = bench_ingest(
                odoo, args.ingest_events, args.entities, "threaded, TCP", args.repeats
            )
            floor = bench_floor(odoo, args.floor_rows, "Ingest at scale, threaded, TCP")
            report("threaded ingest over TCP ÷ floor", f"{threaded / floor:.2f}")
            for workers, db_socket in OTHER_SERVERS:
                server = f"{'prefork' if workers else 'threaded'}, {SERVER_LINKS[db_socket]}"
                if db_socket and not socket_login_allowed():
                    report(f"ingest ({server})", "not measured: no socket login as odoo")
                    continue
                other = OdooServer(
                    database,
                    work_dir / f"ingest-{workers}-{db_socket}",
                    workers=workers,
                    multi_database=True,
                    db_socket=db_socket,
                )
                with running(other):
                    rate = bench_ingest(
                        other, args.ingest_events, args.entities, server, args.repeats
                    )
                report(f"{server} ingest ÷ floor", f"{rate / floor:.2f}")
            if args.purge_rows:
                bench_purge(odoo, args.purge_rows, args.entities)
    finally:
        odoo.drop()
    print_end(args.results)


if __name__ == "__main__":
    main()
