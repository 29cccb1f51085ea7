"""The live dashboard's server side: one compact initial load, catch-up, history series."""

from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import MissingError, ValidationError
from odoo.tools import SQL

from ..push_schema import numeric_value

# A catch-up after a bus reconnect looks this much further back than the last applied
# update: a transaction that started before it but committed after it is not missed.
# Fetching a state twice is harmless, the client keeps the newest by `last_updated`.
CATCH_UP_MARGIN = timedelta(seconds=60)
HISTORY_RANGES = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
# Above this many stored states in a range, a numeric series is sent as bucket averages
# with their minimum and maximum instead: the browser never gets more points than this.
MAX_HISTORY_POINTS = 1500
HISTORY_BUCKETS = 500
MAX_TIMELINE_SEGMENTS = 2000
SPARKLINE_BUCKETS = 24
EPOCH = datetime(1970, 1, 1)
DASHBOARD_FIELDS = (
    "entity_id",
    "name",
    "domain",
    "state",
    "attributes",
    "unit_of_measurement",
    "device_class",
    "icon",
    "area_id",
    "label_ids",
    "available",
    "last_updated",
)
# Attributes the rows already carry as fields of their own: not sent twice (a fifth of
# the initial load of a dashboard with 2 000 entities).
DUPLICATED_ATTRIBUTES = ("friendly_name", "unit_of_measurement", "device_class", "icon")


class HaDashboard(models.AbstractModel):
    _name = "ha.dashboard"
    _description = "Home Assistant Dashboard"

    @api.model
    def load(self, instance_id=None):
        """Everything the dashboard paints first, in one call.

        The instances the user may read with their connection status, and for the chosen
        one (default: the first) its areas, floors, labels and active entities as compact
        rows.
        """
        # Every instance the rules let the user read: a few per database.
        instances = self.env["ha.instance"].search([])  # pylint: disable=no-search-all
        instance = instances.filtered(lambda record: record.id == instance_id)[:1] or instances[:1]
        result = {
            "server_time": fields.Datetime.to_string(fields.Datetime.now()),
            "instances": [_instance_status(record) for record in instances],
            "instance_id": instance.id or None,
            "areas": [],
            "floors": [],
            "labels": [],
            "entities": [],
        }
        if instance:
            entities = self.env["ha.entity"].search([("instance_id", "=", instance.id)])
            result.update(self._places(instance), entities=_entity_rows(entities))
        return result

    @api.model
    def _places(self, instance):
        """The instance's areas (with their floor), floors and labels, for the filters."""
        domain = [("instance_id", "=", instance.id)]
        areas = self.env["ha.area"].search(domain)
        return {
            "areas": [
                {"id": area.id, "name": area.name, "floor_id": area.floor_id.id or None}
                for area in areas
            ],
            "floors": [
                {"id": floor.id, "name": floor.name}
                for floor in self.env["ha.floor"].search(domain)
            ],
            "labels": [
                {"id": label.id, "name": label.name, "color": label.color_index}
                for label in self.env["ha.label"].search(domain)
            ],
        }

    @api.model
    def changes_since(self, instance_id, since):
        """What changed on an instance since `since` (a server time from `load` or here).

        Called when the bus reconnects, since messages sent while it was away are lost.
        Archived entities are included (with `active` false) so the client drops them.
        """
        instance = self._readable(self.env["ha.instance"], instance_id)
        after = fields.Datetime.to_datetime(since) - CATCH_UP_MARGIN
        now = fields.Datetime.now()
        entities = (
            self.env["ha.entity"]
            .with_context(active_test=False)
            .search([("instance_id", "=", instance.id), ("write_date", ">=", after)])
        )
        return {
            "server_time": fields.Datetime.to_string(now),
            "instance": _instance_status(instance),
            **self._places(instance),
            "entities": _entity_rows(entities),
        }

    @api.model
    def instance_statuses(self):
        """Connection status of every instance the user may read."""
        return [_instance_status(record) for record in self.env["ha.instance"].search([])]

    @api.model
    def sparklines(self, entity_ids):
        """Last 24 hours of numeric entities as hourly averages: {entity id: [value|null]}."""
        entities = self.env["ha.entity"].search([("id", "in", list(entity_ids))])
        if not entities:
            return {}
        start = fields.Datetime.now() - timedelta(hours=SPARKLINE_BUCKETS)
        self.env.cr.execute(
            SQL(
                "SELECT entity_id, floor(extract(epoch FROM last_updated - %s) / 3600)::int,"
                " avg(numeric_value)"
                " FROM ha_entity_history"
                " WHERE entity_id = ANY(%s) AND last_updated >= %s"
                " AND numeric_value IS NOT NULL"
                " GROUP BY 1, 2",
                start,
                entities.ids,
                start,
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
        """An entity's history over `range_key` (1h, 24h, 7d, 30d), ready for a chart.

        Numeric entities get `points` [epoch ms, value, min, max]: the stored states when
        there are few enough, else bucket averages with their extremes. Other entities get
        a `timeline` of [epoch ms, state] at each change, starting with the state the range
        began in.
        """
        if range_key not in HISTORY_RANGES:
            raise ValidationError(self.env._("Unknown history range %s.", range_key))
        entity = self._readable(self.env["ha.entity"].with_context(active_test=False), entity_id)
        end = fields.Datetime.now()
        start = end - HISTORY_RANGES[range_key]
        result = {
            "start": _epoch_ms(start),
            "end": _epoch_ms(end),
            "unit": entity.unit_of_measurement or "",
        }
        # Readings have a unit or a numeric state; anything else is a sequence of states.
        if entity.unit_of_measurement or numeric_value(entity.state or None) is not None:
            result["kind"] = "numeric"
            result["points"] = self._numeric_points(entity, start, end)
        else:
            result["kind"] = "timeline"
            result["timeline"] = self._timeline(entity, start)
        return result

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

    @api.model
    def _readable(self, model, record_id):
        """The record of `model` with id `record_id` if it exists and the user may read it."""
        record = model.browse(record_id).exists() if isinstance(record_id, int) else model
        if not record:
            raise MissingError(self.env._("This record no longer exists."))
        record.check_access("read")
        return record


def _epoch_ms(moment):
    """Milliseconds since the epoch of a naive UTC datetime."""
    return int((moment - EPOCH).total_seconds() * 1000)


def _instance_status(instance):
    return {
        "id": instance.id,
        "name": instance.name,
        "connected": instance.connected,
        "last_seen": fields.Datetime.to_string(instance.last_seen) or None,
        "heartbeat_interval": instance.heartbeat_interval,
        "last_error": instance.last_error or None,
    }


def _entity_rows(entities):
    """The dashboard's compact rows of `entities`: what its cards show and control.

    The keys of the bus messages but `last_changed`, which no card shows, and without the
    attributes that are fields here too (`name`, `unit_of_measurement`, ...).
    """
    rows = entities.read([*DASHBOARD_FIELDS, "active"], load=None)
    for row in rows:
        row["numeric_value"] = numeric_value(row["state"] or None)
        row["last_updated"] = fields.Datetime.to_string(row["last_updated"]) or None
        for key in ("name", "state", "unit_of_measurement", "device_class", "icon"):
            row[key] = row[key] or None
        attributes = row["attributes"] or {}
        if any(key in attributes for key in DUPLICATED_ATTRIBUTES):
            attributes = {
                key: value for key, value in attributes.items() if key not in DUPLICATED_ATTRIBUTES
            }
        row["attributes"] = attributes
    return rows
