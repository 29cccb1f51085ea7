"""Rollups of numeric states (ha.entity.statistic): maintained as states are stored, counted
once, purged by period, built for old history in chunks, and what long charts and
sparklines read — with the values the raw history gives over the same buckets."""

import math
from collections import defaultdict
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.addons.home_assistant.models import ha_entity_history, ha_entity_statistic
from odoo.addons.home_assistant.models.ha_dashboard_history import (
    EPOCH,
    HISTORY_RANGES,
    SPARKLINE_BUCKETS,
)
from odoo.addons.home_assistant.models.ha_entity_statistic import PERIODS
from odoo.addons.home_assistant.tests.common import HomeAssistantCase, state_event
from odoo.tests import tagged
from odoo.tools import mute_logger

BUILD_CRON = "home_assistant.ir_cron_ha_statistics_build"


def bucket_start(moment, seconds):
    """The start of the epoch-aligned bucket of `seconds` holding `moment`."""
    return EPOCH + timedelta(
        seconds=math.floor((moment - EPOCH).total_seconds() / seconds) * seconds
    )


def aggregate(rows, seconds):
    """{bucket start: (count, mean, min, max)} of (moment, value) rows, computed naively."""
    buckets = defaultdict(list)
    for moment, value in rows:
        buckets[bucket_start(moment, seconds)].append(value)
    return {
        start: (len(values), sum(values) / len(values), min(values), max(values))
        for start, values in buckets.items()
    }


def numeric_history(env, entity):
    """(last_updated, numeric value) of the entity's stored numeric states."""
    env["ha.entity.history"].flush_model()
    env.cr.execute(
        "SELECT last_updated, numeric_value FROM ha_entity_history"
        " WHERE entity_id = %s AND numeric_value IS NOT NULL ORDER BY last_updated",
        (entity.id,),
    )
    return env.cr.fetchall()


@tagged("post_install", "-at_install")
class TestRollups(HomeAssistantCase):
    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now()

    def push(self, events):
        self.instance._ingest_batch(self.make_batch(events))

    def readings(self, entity_id, values, start, step):
        """State events of `entity_id` with `values`, one every `step` from `start`."""
        return [
            state_event(entity_id, str(value), at=start + index * step)
            for index, value in enumerate(values)
        ]

    def raw(self, entity):
        return numeric_history(self.env, entity)

    def rollups(self, entity, period):
        """{start: (count, mean, min, max)} of the entity's rollups of `period`."""
        statistics = self.env["ha.entity.statistic"].search(
            [("entity_id", "=", entity.id), ("period", "=", period)]
        )
        return {row.start: (row.count, row.mean, row.min, row.max) for row in statistics}

    def assert_rollups_match_history(self, entity):
        for period, seconds in PERIODS.items():
            expected = aggregate(self.raw(entity), seconds)
            actual = self.rollups(entity, period)
            self.assertEqual(set(actual), set(expected), period)
            for start, (count, mean, low, high) in expected.items():
                self.assertEqual(actual[start][0], count, (period, start))
                self.assertAlmostEqual(actual[start][1], mean, places=9)
                self.assertEqual(actual[start][2:], (low, high))

    def test_rollups_equal_a_group_by_over_the_raw_history(self):
        start = self.now - timedelta(hours=8)
        values = [20.5, 21, 19.25, 30, -4, 22, 22, 1e3, 7, 8.5] * 9
        self.push(
            self.readings("sensor.temperature", values, start, timedelta(seconds=197))
            + self.readings("sensor.power", values[::-1], start, timedelta(minutes=4))
        )
        for entity_id in ("sensor.temperature", "sensor.power"):
            entity = self.entity(entity_id)
            self.assertEqual(len(self.history(entity)), len(values))
            self.assert_rollups_match_history(entity)
        temperature = self.rollups(self.entity("sensor.temperature"), "1h")
        self.assertEqual(sum(count for count, *_ in temperature.values()), len(values))

    def test_a_redelivered_batch_and_a_backfill_count_once(self):
        start = self.now - timedelta(days=2)
        first = self.readings("sensor.energy", range(40), start, timedelta(minutes=7))
        self.push(first)
        self.push(first)  # delivered again under a new batch id
        # A backfill: the same period again, overlapping and extending the stored states.
        self.push(self.readings("sensor.energy", range(80), start, timedelta(minutes=7)))
        entity = self.entity("sensor.energy")
        self.assertEqual(len(self.history(entity)), 80)
        self.assert_rollups_match_history(entity)
        hourly = self.rollups(entity, "1h")
        self.assertEqual(sum(count for count, *_ in hourly.values()), 80)

    def test_only_numeric_states_count(self):
        start = self.now - timedelta(hours=1)
        self.push(
            self.readings(
                "sensor.flaky",
                ["12.5", "unavailable", "unknown", "13.5", "nan"],
                start,
                timedelta(seconds=30),
            )
            + self.readings("light.hall", ["on", "off", "on"], start, timedelta(seconds=30))
        )
        flaky = self.rollups(self.entity("sensor.flaky"), "1h")
        self.assertEqual([count for count, *_ in flaky.values()], [2])
        self.assertEqual(sum(mean for _count, mean, *_ in flaky.values()), 13)
        self.assertFalse(self.rollups(self.entity("light.hall"), "5m"))
        self.assertFalse(self.rollups(self.entity("light.hall"), "1h"))

    def test_history_created_through_the_orm_is_rolled_up(self):
        entity = self.env["ha.entity"].create(
            {"instance_id": self.instance.id, "entity_id": "sensor.imported"}
        )
        self.env["ha.entity.history"].create(
            [
                {
                    "entity_id": entity.id,
                    "state": str(value),
                    "numeric_value": value,
                    "last_updated": self.now - timedelta(minutes=3 * value),
                }
                for value in range(50)
            ]
        )
        self.assert_rollups_match_history(entity)

    def test_users_read_the_rollups_of_their_instances_only(self):
        self.push(
            self.readings(
                "sensor.power", [1, 2], self.now - timedelta(hours=1), timedelta(minutes=1)
            )
        )
        member = self._create_user("ha_rollup_member")
        outsider = self._create_user("ha_rollup_outsider")
        self.instance.user_ids = [Command.link(member.id)]
        domain = [("entity_id", "=", self.entity("sensor.power").id)]
        statistics = self.env["ha.entity.statistic"]
        self.assertGreaterEqual(statistics.search_count(domain), 2)
        self.assertEqual(
            statistics.with_user(member).search_count(domain), statistics.search_count(domain)
        )
        self.assertEqual(statistics.with_user(outsider).search_count(domain), 0)


@tagged("post_install", "-at_install")
class TestRollupCharts(HomeAssistantCase):
    """Long charts and sparklines from the rollups equal the raw history's aggregation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls._create_user("ha_rollup_chart_member")
        cls.instance.user_ids = [Command.link(cls.member.id)]

        cls.now = fields.Datetime.now()
        cls.sensor = cls.env["ha.entity"].create(
            {
                "instance_id": cls.instance.id,
                "entity_id": "sensor.outside",
                "state": "1",
                "unit_of_measurement": "°C",
            }
        )
        # 400 days, denser in the last two: every 97 minutes, then every 41 s.
        moments = [cls.now - timedelta(minutes=97 * index) for index in range(5940)]
        moments += [cls.now - timedelta(seconds=41 * index + 13) for index in range(4200)]
        moments = sorted(set(moments))  # the two series meet at a few moments
        cls.env["ha.entity.history"].create(
            [
                {
                    "entity_id": cls.sensor.id,
                    "state": str(value),
                    "numeric_value": value,
                    "last_updated": moment,
                }
                for index, moment in enumerate(moments)
                for value in [round(math.sin(index / 50) * 20 + index % 7, 3)]
            ]
        )
        cls.rows = numeric_history(cls.env, cls.sensor)

    def dashboard(self):
        return self.env["ha.dashboard"].with_user(self.member)

    def test_a_chart_bucket_never_splits_a_rollup(self):
        for key, span in HISTORY_RANGES.items():
            if span.period:
                self.assertEqual(span.bucket % PERIODS[span.period], 0, key)
                self.assertLessEqual(span.span.total_seconds() / span.bucket + 1, 500, key)

    def test_long_charts_equal_the_raw_history_over_the_same_buckets(self):
        for key in ("7d", "30d", "365d"):
            span = HISTORY_RANGES[key]
            chart = self.dashboard().history(self.sensor.id, key)
            first = bucket_start(EPOCH + timedelta(milliseconds=chart["start"]), span.bucket)
            expected = aggregate(
                [(moment, value) for moment, value in self.rows if moment >= first], span.bucket
            )
            self.assertEqual(len(chart["points"]), len(expected), key)
            for (moment, mean, low, high), start in zip(
                chart["points"], sorted(expected), strict=True
            ):
                _count, raw_mean, raw_low, raw_high = expected[start]
                center = start + timedelta(seconds=span.bucket / 2)
                self.assertEqual(moment, int((center - EPOCH).total_seconds() * 1000), key)
                self.assertAlmostEqual(mean, raw_mean, places=9)
                self.assertEqual((low, high), (raw_low, raw_high), key)
            self.assertTrue(any(low < high for _moment, _mean, low, high in chart["points"]))

    def test_the_24_hour_chart_reads_the_raw_states(self):
        day = self.dashboard().history(self.sensor.id, "24h")
        start = self.now - timedelta(hours=24)
        expected = aggregate([(m, v) for m, v in self.rows if m >= start], 1)
        # Over MAX_HISTORY_POINTS states: buckets of the raw states, as before rollups.
        self.assertGreater(len(expected), 1500)
        # 500 buckets; a state at the very end of the range makes one of its own.
        self.assertIn(len(day["points"]), (500, 501))
        self.assertEqual(
            min(point[2] for point in day["points"]), min(v[2] for v in expected.values())
        )
        self.assertEqual(
            max(point[3] for point in day["points"]), max(v[3] for v in expected.values())
        )

    def test_sparklines_are_clock_hour_averages_of_the_raw_history(self):
        # The current clock hour, as the call below sees it (the data were made up to now).
        now = fields.Datetime.now()
        first = bucket_start(now, 3600) - timedelta(hours=SPARKLINE_BUCKETS - 1)
        hourly = aggregate([(m, v) for m, v in self.rows if m >= first], 3600)
        expected = [None] * SPARKLINE_BUCKETS
        for start, (_count, mean, _low, _high) in hourly.items():
            expected[int((start - first).total_seconds() // 3600)] = mean
        series = self.dashboard().sparklines([self.sensor.id])[self.sensor.id]
        self.assertEqual(len(series), SPARKLINE_BUCKETS)
        self.assertEqual([value is None for value in series], [v is None for v in expected])
        for value, mean in zip(series, expected, strict=True):
            if mean is not None:
                self.assertAlmostEqual(value, mean, places=9)


@tagged("post_install", "-at_install")
class TestRollupRetentionAndBuild(HomeAssistantCase):
    def add_rollups(self, ages_in_days):
        """One 5-minute and one hourly rollup per age, for a new sensor."""
        entity = self.env["ha.entity"].create(
            {"instance_id": self.instance.id, "entity_id": f"sensor.r{len(ages_in_days)}"}
        )
        now = fields.Datetime.now()
        self.env["ha.entity.statistic"].create(
            [
                {
                    "entity_id": entity.id,
                    "period": period,
                    "start": bucket_start(now - timedelta(days=age), seconds),
                    "count": 1,
                    "sum": age,
                    "min": age,
                    "max": age,
                }
                for age in ages_in_days
                for period, seconds in PERIODS.items()
            ]
        )
        return entity

    def ages(self, entity, period):
        statistics = self.env["ha.entity.statistic"].search(
            [("entity_id", "=", entity.id), ("period", "=", period)]
        )
        return sorted(statistics.mapped("sum"))

    def purge(self):
        return self.cron_call(
            "home_assistant.ir_cron_ha_history_purge", "_cron_purge_expired_history"
        )

    def test_rollups_are_purged_by_their_own_retention_per_period(self):
        self.assertEqual(
            (
                self.instance.statistics_short_retention_days,
                self.instance.statistics_long_retention_days,
            ),
            (30, 0),
        )
        entity = self.add_rollups([1, 29, 31, 400])
        self.purge()
        self.assertEqual(self.ages(entity, "5m"), [1, 29])
        self.assertEqual(self.ages(entity, "1h"), [1, 29, 31, 400])  # hourly: forever
        self.instance.statistics_long_retention_days = 100
        self.purge()
        self.assertEqual(self.ages(entity, "1h"), [1, 29, 31])

    def test_the_rollup_purge_is_bounded_by_the_chunk(self):
        entity = self.add_rollups([31, 32, 33, 1])
        with patch.object(ha_entity_history, "PURGE_CHUNK_SIZE", 2):
            self.assertEqual(self.purge(), (2, 1))
            self.assertEqual(len(self.ages(entity, "5m")), 2)  # one expired left
            self.assertEqual(self.purge(), (1, 0))
        self.assertEqual(self.ages(entity, "5m"), [1])

    def test_the_history_purge_waits_for_the_build(self):
        entity = self.env["ha.entity"].create(
            {"instance_id": self.instance.id, "entity_id": "sensor.unbuilt"}
        )
        self.env["ha.entity.history"].create(
            {
                "entity_id": entity.id,
                "state": "1",
                "last_updated": fields.Datetime.now() - timedelta(days=40),
            }
        )
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param(ha_entity_statistic.BUILD_UNTIL_PARAM, self.history(entity).id)
        parameters.set_param(ha_entity_statistic.BUILD_DONE_PARAM, self.history(entity).id - 1)
        self.assertEqual(self.purge(), (0, 0))
        self.assertEqual(len(self.history(entity)), 1)  # kept until rolled up
        parameters.set_param(ha_entity_statistic.BUILD_DONE_PARAM, self.history(entity).id)
        self.assertEqual(self.purge(), (1, 0))
        self.assertFalse(self.history(entity))

    def test_negative_retention_is_refused(self):
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.instance.statistics_short_retention_days = -1
            self.instance.flush_recordset()

    def test_the_build_cron_rolls_up_old_history_in_chunks_once(self):
        entity = self.env["ha.entity"].create(
            {"instance_id": self.instance.id, "entity_id": "sensor.before"}
        )
        now = fields.Datetime.now()
        # Stored before rollups existed: straight into the table, as a 1.1.0 database has it.
        self.env.cr.execute(
            "INSERT INTO ha_entity_history (entity_id, state, numeric_value, last_updated)"
            " SELECT %s, n::text, CASE WHEN n %% 5 = 0 THEN NULL ELSE n END,"
            " %s - n * interval '11 minutes' FROM generate_series(1, 30) n",
            (entity.id, now),
        )
        statistics = self.env["ha.entity.statistic"]
        self.assertFalse(statistics.search([("entity_id", "=", entity.id)]))
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param(ha_entity_statistic.BUILD_UNTIL_PARAM, False)
        statistics._schedule_build()
        until = int(parameters.get_param(ha_entity_statistic.BUILD_UNTIL_PARAM))
        self.env.cr.execute(
            "SELECT min(id) FROM ha_entity_history WHERE entity_id = %s", (entity.id,)
        )
        # Only this test's rows are walked: the build starts just before them.
        parameters.set_param(ha_entity_statistic.BUILD_DONE_PARAM, self.env.cr.fetchone()[0] - 1)
        calls = []
        with patch.object(ha_entity_statistic, "BUILD_CHUNK_SIZE", 7):
            while not calls or calls[-1][1]:
                calls.append(self.cron_call(BUILD_CRON, "_cron_build"))
            self.assertEqual([done for done, _ in calls], [7, 7, 7, 7, 2])
            self.assertEqual(self.cron_call(BUILD_CRON, "_cron_build"), (0, 0))  # done: no-op
        self.assertEqual(int(parameters.get_param(ha_entity_statistic.BUILD_DONE_PARAM)), until)
        self.assertFalse(statistics._build_pending())
        statistics._schedule_build()  # a second schedule would count everything again
        self.assertEqual(self.cron_call(BUILD_CRON, "_cron_build"), (0, 0))
        rows = numeric_history(self.env, entity)
        self.assertEqual(len(rows), 24)
        for period, seconds in PERIODS.items():
            expected = aggregate(rows, seconds)
            actual = {
                row.start: (row.count, row.mean, row.min, row.max)
                for row in statistics.search(
                    [("entity_id", "=", entity.id), ("period", "=", period)]
                )
            }
            self.assertEqual(actual, expected)
