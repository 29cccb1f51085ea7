"""Parts of a (possibly multi-batch) snapshot received so far.

A snapshot lists every exported entity, label and floor; those absent from it are archived,
but only once every part arrived, so the ids seen are kept per part until then.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat

# A snapshot whose parts stop arriving is abandoned by Home Assistant (it starts a new one).
INCOMPLETE_SNAPSHOT_RETENTION_DAYS = 1


@compat.sql_constraints(
    (
        "part_unique",
        "UNIQUE(instance_id, snapshot_id, part)",
        "A snapshot part is stored only once.",
    ),
    ("part_in_range", "CHECK(part >= 1 AND part <= parts)", "Part must be within parts."),
)
class HaSnapshotPart(models.Model):
    _name = "ha.snapshot.part"
    _description = "Home Assistant Snapshot Part"
    _order = "instance_id, snapshot_id, part"

    instance_id = fields.Many2one("ha.instance", required=True, ondelete="cascade")
    snapshot_id = fields.Char(required=True)
    part = fields.Integer(required=True)
    parts = fields.Integer(required=True)
    entity_ids = fields.Json(string="Entity IDs", help="HA entity ids this part mentioned.")
    ha_label_ids = fields.Json(string="Label IDs", help="HA label ids this part listed.")
    ha_floor_ids = fields.Json(string="Floor IDs", help="HA floor ids this part listed.")

    @api.model
    def _record(self, instance, batch):
        """Store this part; when it completes its snapshot, archive what was absent from it.

        Returns the entities archived (empty while parts are missing).
        """
        seen = {event.entity_id for event in batch.states if event.state is not None}
        seen |= {event.entity_id for event in batch.entities if not event.removed}
        seen_values = {
            "entity_ids": sorted(seen),
            "ha_label_ids": sorted({event.label_id for event in batch.labels if not event.removed}),
            "ha_floor_ids": sorted({event.floor_id for event in batch.floors if not event.removed}),
        }
        snapshot = batch.snapshot
        parts = self.search(
            [("instance_id", "=", instance.id), ("snapshot_id", "=", snapshot.snapshot_id)]
        )
        # The same part re-sent under a new batch id replaces what it said before.
        resent = parts.filtered(lambda existing: existing.part == snapshot.part)
        if resent:
            resent.write(seen_values)
        else:
            parts |= self.create(
                {
                    "instance_id": instance.id,
                    "snapshot_id": snapshot.snapshot_id,
                    "part": snapshot.part,
                    "parts": snapshot.parts,
                    **seen_values,
                }
            )
        if len(parts) < snapshot.parts:
            return self.env["ha.entity"]
        present = {
            name: {ha_id for part in parts for ha_id in part[name] or []} for name in seen_values
        }
        parts.unlink()
        self.env["ha.label"]._archive_absent(instance, present["ha_label_ids"])
        self.env["ha.floor"]._archive_absent(instance, present["ha_floor_ids"])
        return self.env["ha.entity"]._archive_absent(instance, present["entity_ids"])

    @api.autovacuum
    def _gc_abandoned_parts(self):
        """Drop parts of snapshots that never completed."""
        limit = fields.Datetime.now() - timedelta(days=INCOMPLETE_SNAPSHOT_RETENTION_DAYS)
        self.env.cr.execute(SQL("DELETE FROM ha_snapshot_part WHERE create_date < %s", limit))
