"""History at scale, read side: sparklines and charts from the rollups, and their write cost.

    scripts/odoo-env.sh python scripts/bench_history.py [--history-rows 20000000]
    (`make bench` runs it once per Odoo series; BENCH_HISTORY_ROWS sets the rows)

A real Odoo with the addon and a fresh database:

- `--history-rows` states built set-based over `--entities` sensors (evenly over the last
  `--days`), plus one chart sensor read every 10 s for 30 days and hourly for a year;
- the rollups built from them by the addon's own build cron (`_cron_build`, as after the
  1.2.0 migration), timed;
- through JSON-RPC, best of 3: sparklines of all sensors, the chart sensor's 24 h / 7 d /
  30 d / 365 d charts, and the dashboard's `load()`;
- what a 500-sensor batch costs the history write with and without its rollups
  (`_insert_states`, rolled back), and a signed 500-event push end to end.

Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import (
    SignedPusher,
    database_cursor,
    machine_line,
    odoo_shell,
    pair_fake_instance,
    print_end,
    report,
    state_events,
)
from bench_ingest_scale import entity_ids
from stack import CACHE_DIR, ODOO_SERIES, OdooServer, running

INSTANCE = "History at scale"
CHART_SENSOR = "sensor.bench_chart"

SPREAD_ROWS = """
INSERT INTO ha_entity_history (entity_id, state, numeric_value, last_changed, last_updated)
SELECT ids[1 + serial %% n], value::text, value, moment, moment
FROM (SELECT %(ids)s::int[] AS ids, cardinality(%(ids)s::int[]) AS n) entities,
     LATERAL (SELECT serial, 20 + serial %% 997 / 100.0 AS value,
                     %(end)s::timestamp - (serial / n) * %(step)s * interval '1 second'
                     - (serial %% n) * interval '1 millisecond' AS moment
              FROM generate_series(0, %(rows)s - 1) serial) series
"""
CHART_ROWS = """
INSERT INTO ha_entity_history (entity_id, state, numeric_value, last_changed, last_updated)
SELECT %(id)s, value::text, value, moment, moment
FROM (SELECT moment, 20 + 5 * sin(extract(epoch FROM moment) / 7200) AS value
      FROM (SELECT generate_series(%(end)s::timestamp - interval '30 days', %(end)s,
                                   interval '10 seconds') AS moment
            UNION ALL
            SELECT generate_series(%(end)s::timestamp - interval '365 days',
                                   %(end)s::timestamp - interval '30 days 1 hour',
                                   interval '1 hour')) moments) readings
ON CONFLICT (entity_id, last_updated) DO NOTHING
"""
# The addon's own build cron, called until done (the running server's cron thread may run
# some of the chunks too: the progress row's lock refuses a call beside it).
BUILD_SCRIPT = """
import time
import psycopg2
from odoo.addons.home_assistant.models.ha_entity_statistic import (
    BUILD_DONE_PARAM, BUILD_UNTIL_PARAM)
began = time.perf_counter()
env['ha.entity.statistic']._schedule_build()
env.cr.commit()
while True:
    try:
        env['ha.entity.statistic']._cron_build()
        env.cr.commit()
    except psycopg2.errors.SerializationFailure:
        env.cr.rollback()  # the cron thread rolled up that chunk meanwhile
    env.cr.execute("SELECT (SELECT value::bigint FROM ir_config_parameter WHERE key = %s)"
                   " >= (SELECT value::bigint FROM ir_config_parameter WHERE key = %s)",
                   [BUILD_DONE_PARAM, BUILD_UNTIL_PARAM])
    if env.cr.fetchone()[0]:
        break
print('BUILD:%f' % (time.perf_counter() - began))
"""
# `_insert_states` of a 500-sensor batch, rolled back each time, median of 30: as it is, and
# with the rollups left out (the history insert alone). A first batch is committed, so the
# measured ones update its rollups, as most batches of a site do (a sensor read every 30 s
# opens a 5-minute rollup once in 10 batches, an hourly one once in 120).
WRITE_SCRIPT = """
import statistics, time, types
from datetime import datetime, timedelta
from unittest.mock import patch
entities = {e.entity_id: e for e in env['ha.entity'].search(
    [('entity_id', '=like', 'sensor.bench_%%'), ('entity_id', '!=', '%(chart)s')], limit=500)}
def write(offset, keep=False):
    base = datetime(2030, 1, 1) + timedelta(seconds=offset)
    events = [types.SimpleNamespace(entity_id=key, state=str(20 + index %% 97 / 10),
                                    last_changed=base + timedelta(milliseconds=index),
                                    last_updated=base + timedelta(milliseconds=index))
              for index, key in enumerate(entities)]
    began = time.perf_counter()
    env['ha.entity.history']._insert_states(entities, events)
    elapsed = time.perf_counter() - began
    env.cr.commit() if keep else env.cr.rollback()
    return elapsed * 1000
write(0, keep=True)
with_rollups = statistics.median(write(index) for index in range(1, 31))
with patch.object(type(env['ha.entity.statistic']), '_add_states',
                  lambda self, states: self.env.cr.execute(states)):
    without = statistics.median(write(index) for index in range(1, 31))
opening = statistics.median(write(-3600 * index) for index in range(1, 31))  # new rollups
print('WRITE:%%f:%%f:%%f:%%d' %% (with_rollups, without, opening, len(entities)))
"""


def best_ms(call: Any, runs: int = 3) -> float:
    """The fastest of `runs` calls, in milliseconds (the first warms the caches)."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        timings.append((time.perf_counter() - began) * 1000)
    return min(timings)


def create_entities(pusher: SignedPusher, entities: int, at: datetime) -> None:
    """The sensors and the chart sensor, through signed pushes."""
    events = state_events(entities, entities, at)
    chart = {**state_events(1, 1, at)[0], "entity_id": CHART_SENSOR}
    events.append(chart)
    for offset in range(0, len(events), 1000):
        pusher.push(events[offset : offset + 1000])


def build_history(
    odoo: OdooServer, rows: int, days: int, end: datetime
) -> tuple[list[int], int, int]:
    """Insert the rows set-based, as a database from before rollups holds them; return
    the sensors' ids, the chart sensor's and the number of rows."""
    sensors = entity_ids(odoo, "sensor.bench_%", INSTANCE)
    [chart] = entity_ids(odoo, CHART_SENSOR, INSTANCE)
    sensors.remove(chart)
    per_entity = max(1, -(-rows // len(sensors)))
    cursor = database_cursor(odoo)
    began = time.perf_counter()
    cursor.execute(
        SPREAD_ROWS,
        {"ids": sensors, "end": end, "step": days * 86400 / per_entity, "rows": rows},
    )
    cursor.execute(CHART_ROWS, {"id": chart, "end": end})
    chart_rows = cursor.rowcount
    # The pushes above were rolled up as they arrived; the build below starts from nothing.
    cursor.execute("TRUNCATE ha_entity_statistic")
    cursor.execute("ANALYZE ha_entity_history")
    report(
        f"built {rows:,} + {chart_rows:,} (chart sensor) history rows set-based",
        f"{time.perf_counter() - began:.0f} s",
    )
    return sensors, chart, rows + chart_rows


def bench_reads(odoo: OdooServer, sensors: list[int], chart: int) -> None:
    client = odoo.rpc()
    dashboard = "ha.dashboard"
    report(
        f"sparklines of {len(sensors):,} sensors (hourly rollups, one call)",
        f"{best_ms(lambda: client.execute(dashboard, 'sparklines', sensors)):.0f} ms",
        "≤ 300 ms",
    )
    for key in ("24h", "7d", "30d", "365d"):
        source = "raw states" if key == "24h" else "rollups"
        points = len(client.execute(dashboard, "history", chart, key)["points"])
        took = best_ms(lambda key=key: client.execute(dashboard, "history", chart, key))
        report(
            f"history chart {key} of a sensor read every 10 s ({source})",
            f"{took:.0f} ms ({points} points)",
            "≤ 150 ms",
        )
    [instance] = client.env["ha.instance"].search([("name", "=", INSTANCE)])
    report(
        f"dashboard load() with {len(sensors) + 1:,} entities",
        f"{best_ms(lambda: client.execute(dashboard, 'load', instance)):.0f} ms",
    )


def bench_write(odoo: OdooServer, pusher: SignedPusher) -> None:
    with_rollups, without, opening, count = odoo_shell(
        odoo, WRITE_SCRIPT % {"chart": CHART_SENSOR}, "WRITE:"
    ).split(":")
    report(
        f"history write of a {count}-sensor batch, with its rollups / history alone",
        f"{float(with_rollups):.1f} ms / {float(without):.1f} ms",
    )
    report(
        f"the same, opening {count} new 5-minute and hourly rollups (once per 5 minutes)",
        f"{float(opening):.1f} ms",
    )
    moment = datetime.now(UTC) - timedelta(minutes=30)
    latencies = []
    for index in range(20):
        events = state_events(500, 500, moment + timedelta(seconds=index))
        began = time.perf_counter()
        pusher.push(events)
        latencies.append((time.perf_counter() - began) * 1000)
    report(
        "signed 500-event push over 500 sensors, end to end",
        f"median {statistics.median(latencies):.0f} ms",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history-rows", type=int, default=200_000)
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7, help="the span the rows cover")
    parser.add_argument("--results", help="also write the rows to this JSON file")
    args = parser.parse_args()
    print(machine_line(f"History reads with Odoo {ODOO_SERIES}"))
    work_dir = CACHE_DIR / "state" / "bench-history"
    odoo = OdooServer(f"ha_bridge_bench_history_{uuid.uuid4().hex[:6]}", work_dir / "odoo")
    odoo.install()
    try:
        with running(odoo):
            pusher = pair_fake_instance(odoo, INSTANCE)
            # A year of raw states kept: the purge cron would delete them while measuring.
            client = odoo.rpc()
            instance = client.env["ha.instance"].search([("name", "=", INSTANCE)])
            client.env["ha.instance"].browse(instance).write({"history_retention_days": 0})
            end = datetime.now(UTC).replace(tzinfo=None)
            created = end.replace(tzinfo=UTC) - timedelta(days=args.days, hours=1)
            create_entities(pusher, args.entities, created)
            sensors, chart, total = build_history(odoo, args.history_rows, args.days, end)
            seconds = float(odoo_shell(odoo, BUILD_SCRIPT, "BUILD:"))
            database_cursor(odoo).execute("ANALYZE ha_entity_statistic")
            report(
                "rollups built by the build cron (5-minute and hourly)",
                f"{seconds:.1f} s ({total / seconds:,.0f} rows/s)",
            )
            bench_reads(odoo, sensors, chart)
            bench_write(odoo, pusher)
    finally:
        odoo.drop()
    print_end(args.results)


if __name__ == "__main__":
    main()
