"""The live dashboard's server side: one compact initial load and catch-up.

The history series (sparklines, charts) are in ha_dashboard_history.py.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import MissingError

from ..push_schema import numeric_value

# A catch-up after a bus reconnect looks this much further back than the last applied
# update: a transaction that started before it but committed after it is not missed.
# Fetching a state twice is harmless, the client keeps the newest by `last_updated`.
CATCH_UP_MARGIN = timedelta(seconds=60)
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
    def _readable(self, model, record_id):
        """The record of `model` with id `record_id` if it exists and the user may read it."""
        record = model.browse(record_id).exists() if isinstance(record_id, int) else model
        if not record:
            raise MissingError(self.env._("This record no longer exists."))
        record.check_access("read")
        return record


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
