"""PROTOCOL §3 through the real endpoint: registry events and snapshots in Odoo's data."""

from datetime import timedelta

from odoo.addons.home_assistant.tests.common import (
    T0,
    HomeAssistantHttpCase,
    area_event,
    device_event,
    entity_event,
    state_event,
)
from odoo.tests import tagged

LATER = T0 + timedelta(seconds=5)


@tagged("post_install", "-at_install")
class TestRegistryAndSnapshots(HomeAssistantHttpCase):
    def test_registry_events_and_area_falls_back_to_the_device(self):
        self.push_ok(
            self.make_batch(
                [
                    entity_event("light.kitchen", device_id="d1"),
                    entity_event("light.porch", device_id="d1", area_id="garden", name="Porch"),
                    area_event("kitchen", "Kitchen"),
                    area_event("garden", "Garden"),
                    device_event("d1", area_id="kitchen"),
                    state_event("light.kitchen", "on", attributes={"friendly_name": "Kitchen"}),
                ]
            )
        )
        kitchen = self.entity("light.kitchen")
        porch = self.entity("light.porch")
        self.assertEqual(kitchen.device_id.name, "Hue bulb")
        self.assertEqual(kitchen.device_id.manufacturer, "Signify")
        self.assertEqual(kitchen.area_id.name, "Kitchen")
        self.assertEqual(porch.area_id.name, "Garden")
        self.assertEqual(porch.name, "Porch")
        self.assertEqual(kitchen.name, "Kitchen")

        self.push_ok(self.make_batch([area_event("hall", "Hall"), device_event("d1", "hall")]))
        self.assertEqual(kitchen.area_id.name, "Hall")
        self.assertEqual(porch.area_id.name, "Garden")

        self.push_ok(
            self.make_batch(
                [
                    entity_event("light.porch", removed=True),
                    device_event("d1", removed=True),
                    area_event("garden", "Garden", removed=True),
                ]
            )
        )
        self.assertFalse(porch.active)
        self.assertFalse(kitchen.device_id.active)
        garden = (
            self.env["ha.area"]
            .with_context(active_test=False)
            .search([("ha_area_id", "=", "garden")])
        )
        self.assertFalse(garden.active)

    def test_a_state_without_attributes_keeps_what_odoo_knows(self):
        attributes = {"friendly_name": "Grid power", "unit_of_measurement": "W"}
        self.push_ok(self.make_batch([state_event("sensor.grid", "100", T0, attributes)]))
        without_attributes = state_event("sensor.grid", "120", LATER)
        del without_attributes["attributes"]
        self.push_ok(self.make_batch([without_attributes]))
        grid = self.entity("sensor.grid")
        self.assertEqual(grid.state, "120")
        self.assertEqual(grid.attributes, attributes)
        self.assertEqual(grid.name, "Grid power")
        self.assertEqual(grid.unit_of_measurement, "W")

    def test_removal_events_archive_and_keep_the_registry_details(self):
        self.push_ok(
            self.make_batch(
                [
                    area_event("kitchen", "Kitchen"),
                    device_event("d1", area_id="kitchen"),
                    entity_event("light.kitchen", device_id="d1"),
                ]
            )
        )
        self.push_ok(
            self.make_batch(
                [
                    {"t": "entity", "entity_id": "light.kitchen", "removed": True},
                    {"t": "device", "device_id": "d1", "removed": True},
                ]
            )
        )
        kitchen = self.entity("light.kitchen")
        self.assertFalse(kitchen.active)
        self.assertEqual(kitchen.platform, "demo")
        self.assertEqual(kitchen.device_id.manufacturer, "Signify")
        self.assertFalse(kitchen.device_id.active)
        self.assertEqual(kitchen.area_id.name, "Kitchen")

    def test_a_snapshot_archives_exported_entities_it_does_not_mention(self):
        self.push_ok(self.make_batch([state_event("sensor.a", "1"), state_event("sensor.b", "1")]))
        self.push_ok(self.make_batch([state_event("sensor.a", "2", LATER)], snapshot=True))
        self.assertTrue(self.entity("sensor.a").active)
        gone = self.entity("sensor.b")
        self.assertFalse(gone.active)
        self.assertEqual(len(self.history(gone)), 1)

    def test_a_multi_part_snapshot_archives_only_after_its_last_part(self):
        self.push_ok(
            self.make_batch(
                [
                    state_event("sensor.a", "1"),
                    state_event("sensor.b", "1"),
                    state_event("c.c", "1"),
                ]
            )
        )
        part = {"id": "snap-1", "parts": 2}
        self.push_ok(self.make_batch([state_event("sensor.a", "2", LATER)], {**part, "part": 1}))
        self.assertTrue(self.entity("sensor.b").active)
        self.assertTrue(self.entity("c.c").active)
        self.push_ok(self.make_batch([entity_event("sensor.b")], {**part, "part": 2}))
        self.assertTrue(self.entity("sensor.a").active)
        self.assertTrue(self.entity("sensor.b").active)
        self.assertFalse(self.entity("c.c").active)
        self.assertFalse(
            self.env["ha.snapshot.part"].search([("instance_id", "=", self.instance.id)])
        )
