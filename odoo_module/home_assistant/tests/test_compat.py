"""`compat`: the ORM cache reads and recomputations ingest relies on, pinned per series."""

from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.tests.common import HomeAssistantCase
from odoo.tests import tagged

MISSING = object()


@tagged("post_install", "-at_install")
class TestCompat(HomeAssistantCase):
    def setUp(self):
        super().setUp()
        self.area = self.env["ha.area"].create(
            {"instance_id": self.instance.id, "ha_area_id": "hall", "name": "Hall"}
        )
        self.device = self.env["ha.device"].create(
            {"instance_id": self.instance.id, "ha_device_id": "d1", "name": "Bulb"}
        )
        self.entity = self.env["ha.entity"].create(
            {
                "instance_id": self.instance.id,
                "entity_id": "light.hall",
                "device_id": self.device.id,
                "attributes": {"brightness": 9},
            }
        )
        self.env.flush_all()
        self.env.invalidate_all()

    def field(self, name):
        return self.entity._fields[name]

    def test_cached_values_are_the_orm_representation_once_fetched(self):
        self.assertIs(compat.cached_value(self.entity, self.field("entity_id"), MISSING), MISSING)
        self.entity.fetch(["entity_id", "device_id", "own_area_id", "attributes", "state"])
        cached = {
            name: compat.cached_value(self.entity, self.field(name), MISSING)
            for name in ("entity_id", "device_id", "own_area_id", "attributes", "state")
        }
        self.assertEqual(
            cached,
            {
                "entity_id": "light.hall",
                "device_id": self.device.id,
                "own_area_id": None,
                "attributes": {"brightness": 9},
                "state": None,
            },
        )

    def test_recompute_runs_the_pending_computation_into_the_cache(self):
        self.device.area_id = self.area
        compat.recompute(self.entity, ["area_id"])
        self.assertEqual(
            compat.cached_value(self.entity, self.field("area_id"), MISSING), self.area.id
        )
