"""What the bus NOTIFY after a push costs: Odoo's fresh connection vs one kept connection.

`bus.bus` sends `NOTIFY imbus` after each commit on a new connection to the `postgres`
database (Odoo's pool keeps none to it). This times that step alone, 300 times each way,
twice, on the local PostgreSQL: `scripts/odoo-env.sh python scripts/bench_bus_notify.py`.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.environ.get("ODOO_PATH", "/opt/odoo-18"))

import psycopg2

from odoo.sql_db import connection_info_for, db_connect
from odoo.tools import SQL, config

ROUNDS = 300
PAYLOAD = '["bench"]'


def fresh():
    """As `bus.bus` does: a pooled cursor on `postgres`, closed (and not kept) after use."""
    with db_connect("postgres").cursor() as cr:
        cr.execute(SQL("SELECT %s('imbus', %s)", SQL.identifier("pg_notify"), PAYLOAD))


def main():
    config.parse_config(["--db_host=127.0.0.1", "--db_user=odoo", "--db_password=odoo"])
    kept = psycopg2.connect(**connection_info_for("postgres")[1])
    kept.autocommit = True

    def keep():
        with kept.cursor() as cursor:
            cursor.execute("SELECT pg_notify('imbus', %s)", (PAYLOAD,))

    for name, notify in (("fresh", fresh), ("kept", keep)) * 2:
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            notify()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(
            f"{name}: p50 {statistics.median(times):.2f} ms,"
            f" p90 {times[int(ROUNDS * 0.9)]:.2f} ms, p99 {times[int(ROUNDS * 0.99)]:.2f} ms"
        )


if __name__ == "__main__":
    main()
