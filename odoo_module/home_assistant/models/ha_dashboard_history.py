"""The dashboard's history series: sparklines and the history dialog's charts.

Up to a day they read the raw states; beyond, and for sparklines, the rollups
(ha.entity.statistic), whose buckets are whole rollup periods: a 365-day chart reads
8 760 hourly rows, not the ≈ 1 M raw states of a sensor read every 30 s.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..push_schema import numeric_value


@dataclass(frozen=True)
class HistoryRange:
    span: timedelta
    # The rollup period read and the chart's bucket in seconds, a whole number of periods
    # so that no rollup straddles two buckets (tested); no period reads the raw states.
    period: str | None = None
    bucket: int = 0


HISTORY_RANGES = {
    "1h": HistoryRange(timedelta(hours=1)),
    "24h": HistoryRange(timedelta(hours=24)),
    # ≈ 400 buckets each, under HISTORY_BUCKETS.
    "7d": HistoryRange(timedelta(days=7), "5m", 25 * 60),
    "30d": HistoryRange(timedelta(days=30), "1h", 2 * 3600),
    "365d": HistoryRange(timedelta(days=365), "1h", 18 * 3600),
}
# Above this many stored states in a range, a numeric series is sent as bucket averages
# with their minimum and maximum instead: the browser never gets more points than this.
MAX_HISTORY_POINTS = 1500
HISTORY_BUCKETS = 500
MAX_TIMELINE_SEGMENTS = 2000
SPARKLINE_BUCKETS = 24
EPOCH = datetime(1970, 1, 1)


class HaDashboardHistory(models.AbstractModel):
    _inherit = "ha.dashboard"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def sparklines(self, entity_ids):
        """The current clock hour and the 23 before it, as hourly averages of numeric
        entities: {entity id: [value|null], 24 long}, from the hourly rollups."""
        entities = self.env["ha.entity"].search([("id", "in", list(entity_ids))])
        if not entities:
            return {}
        now = fields.Datetime.now()
        first = now.replace(minute=0, second=0, microsecond=0) - timedelta(
            hours=SPARKLINE_BUCKETS - 1
        )
        self.env.cr.execute(
            SQL(
                "SELECT entity_id, (extract(epoch FROM start - %s) / 3600)::int, sum / count"
                " FROM ha_entity_statistic"
                " WHERE entity_id = ANY(%s) AND period = '1h' AND start >= %s",
                first,
                entities.ids,
                first,
            )
        )
        series = {entity_id: [None] * SPARKLINE_BUCKETS for entity_id in entities.ids}
        for entity_id, bucket, value in self.env.cr.fetchall():
            if 0 <= bucket < SPARKLINE_BUCKETS:
                series[entity_id][bucket] = value
        return {
            entity_id: values
            for entity_id, values in series.items()
            if any(value is not None for value in values)
        }

    @api.model
    def history(self, entity_id, range_key):
        """An entity's history over `range_key` (1h, 24h, 7d, 30d, 365d), ready for a chart.

        Numeric entities get `points` [epoch ms, value, min, max]: up to a day the stored
        states when there are few enough, else bucket averages with their extremes; longer
        ranges always bucket averages of the rollups. Other entities get a `timeline` of
        [epoch ms, state] at each change, starting with the state the range began in.
        """
        if range_key not in HISTORY_RANGES:
            raise ValidationError(self.env._("Unknown history range %s.", range_key))
        entity = self._readable(self.env["ha.entity"].with_context(active_test=False), entity_id)
        end = fields.Datetime.now()
        span = HISTORY_RANGES[range_key]
        start = end - span.span
        result = {
            "start": _epoch_ms(start),
            "end": _epoch_ms(end),
            "unit": entity.unit_of_measurement or "",
        }
        # Readings have a unit or a numeric state; anything else is a sequence of states.
        if entity.unit_of_measurement or numeric_value(entity.state or None) is not None:
            result["kind"] = "numeric"
            result["points"] = (
                self._rollup_points(entity, start, span)
                if span.period
                else self._numeric_points(entity, start, end)
            )
        else:
            result["kind"] = "timeline"
            result["timeline"] = self._timeline(entity, start)
        return result

    def _rollup_points(self, entity, start, span):
        """Buckets of `span.bucket` seconds, aligned on the epoch like the rollups, from the
        bucket holding `start` on: the average, minimum and maximum of their states."""
        bucket = span.bucket
        first = EPOCH + timedelta(
            seconds=math.floor((start - EPOCH).total_seconds() / bucket) * bucket
        )
        self.env.cr.execute(
            SQL(
                "SELECT (floor(extract(epoch FROM start) / %s) + 0.5) * %s * 1000,"
                " sum(sum) / sum(count), min(min), max(max)"
                " FROM ha_entity_statistic"
                " WHERE entity_id = %s AND period = %s AND start >= %s"
                " GROUP BY floor(extract(epoch FROM start) / %s)"
                " ORDER BY 1",
                bucket,
                bucket,
                entity.id,
                span.period,
                first,
                bucket,
            )
        )
        return [[int(moment), *values] for moment, *values in self.env.cr.fetchall()]

    def _numeric_points(self, entity, start, end):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM ha_entity_history"
                " WHERE entity_id = %s AND last_updated >= %s AND numeric_value IS NOT NULL",
                entity.id,
                start,
            )
        )
        if self.env.cr.fetchone()[0] <= MAX_HISTORY_POINTS:
            self.env.cr.execute(
                SQL(
                    "SELECT extract(epoch FROM last_updated) * 1000, numeric_value,"
                    " numeric_value, numeric_value"
                    " FROM ha_entity_history"
                    " WHERE entity_id = %s AND last_updated >= %s AND numeric_value IS NOT NULL"
                    " ORDER BY last_updated",
                    entity.id,
                    start,
                )
            )
        else:
            bucket_seconds = (end - start).total_seconds() / HISTORY_BUCKETS
            self.env.cr.execute(
                SQL(
                    "SELECT (extract(epoch FROM %s::timestamp)"
                    " + (floor(extract(epoch FROM last_updated - %s) / %s) + 0.5) * %s) * 1000,"
                    " avg(numeric_value), min(numeric_value), max(numeric_value)"
                    " FROM ha_entity_history"
                    " WHERE entity_id = %s AND last_updated >= %s AND numeric_value IS NOT NULL"
                    " GROUP BY floor(extract(epoch FROM last_updated - %s) / %s)"
                    " ORDER BY 1",
                    start,
                    start,
                    bucket_seconds,
                    bucket_seconds,
                    entity.id,
                    start,
                    start,
                    bucket_seconds,
                )
            )
        return [[int(moment), *values] for moment, *values in self.env.cr.fetchall()]

    def _timeline(self, entity, start):
        self.env.cr.execute(
            SQL(
                "(SELECT last_updated, state FROM ha_entity_history"
                "  WHERE entity_id = %s AND last_updated < %s"
                "  ORDER BY last_updated DESC LIMIT 1)"
                " UNION ALL"
                " (SELECT last_updated, state FROM ha_entity_history"
                "  WHERE entity_id = %s AND last_updated >= %s ORDER BY last_updated)",
                entity.id,
                start,
                entity.id,
                start,
            )
        )
        timeline = []
        for moment, state in self.env.cr.fetchall():
            if timeline and timeline[-1][1] == state:
                continue
            timeline.append([max(_epoch_ms(moment), _epoch_ms(start)), state])
        return timeline[-MAX_TIMELINE_SEGMENTS:]


def _epoch_ms(moment):
    """Milliseconds since the epoch of a naive UTC datetime."""
    return int((moment - EPOCH).total_seconds() * 1000)
