"""Labels, floors, device details and Home Assistant's facts from push batches (§3)."""

import re
from unittest.mock import patch

from odoo.addons.home_assistant.push_schema import PushSchemaError
from odoo.addons.home_assistant.tests.common import (
    HomeAssistantCase,
    area_event,
    device_event,
    entity_event,
    floor_event,
    label_event,
    system_event,
)
from odoo.sql_db import Cursor
from odoo.tests import tagged

SUPERVISOR = {
    "host_os": "Home Assistant OS 16.0",
    "board": "rpi5-64",
    "disk_total_gb": 58.0,
    "disk_used_gb": 12.3,
    "memory_total_mb": 8000,
    "network": [{"interface": "end0", "ipv4": ["192.168.1.2/24"], "ipv6": []}],
}
DETAILS = {
    "model_id": "9290022166",
    "serial_number": "ABC123",
    "hw_version": "1.0",
    "configuration_url": "http://192.168.1.20/",
    "via_device_id": "d0",
    "entry_type": None,
    "disabled": False,
}


def labelled(event, *labels):
    """`event` carrying the complete list `labels`."""
    return {**event, "labels": list(labels)}


@tagged("post_install", "-at_install")
class TestIngestLabelsAndFloors(HomeAssistantCase):
    def ingest(self, events, snapshot=False):
        return self.instance._ingest_batch(self.make_batch(events, snapshot))

    def records(self, model, key, ha_id):
        return (
            self.env[model]
            .with_context(active_test=False)
            .search([("instance_id", "=", self.instance.id), (key, "=", ha_id)])
        )

    def label(self, ha_id):
        return self.records("ha.label", "ha_label_id", ha_id)

    def floor(self, ha_id):
        return self.records("ha.floor", "ha_floor_id", ha_id)

    def test_labels_and_floors_are_created_renamed_recoloured_and_archived(self):
        self.ingest(
            [
                label_event("safe", "Safe", "red"),
                floor_event("cellar", "Cellar", -1),
                area_event("vault", "Vault", floor_id="cellar", labels=["safe"]),
            ]
        )
        safe, cellar = self.label("safe"), self.floor("cellar")
        self.assertEqual((safe.name, safe.color, safe.icon), ("Safe", "red", "mdi:lock"))
        self.assertEqual(safe.color_index, 1)
        self.assertEqual((cellar.name, cellar.level), ("Cellar", -1))
        vault = self.records("ha.area", "ha_area_id", "vault")
        self.assertEqual(vault.floor_id, cellar)
        self.assertEqual(vault.label_ids, safe)

        self.ingest(
            [label_event("safe", "Strongbox", "#123456"), floor_event("cellar", "Basement")]
        )
        self.assertEqual((safe.name, safe.color, safe.color_index), ("Strongbox", "#123456", 0))
        self.assertEqual(cellar.name, "Basement")

        self.ingest(
            [
                {"t": "label", "label_id": "safe", "removed": True},
                {"t": "floor", "floor_id": "cellar", "removed": True},
            ]
        )
        self.assertFalse(safe.active)
        self.assertFalse(cellar.active)
        self.assertEqual(safe.name, "Strongbox", "a removal keeps what Odoo knows")
        vault.invalidate_recordset()
        self.assertFalse(vault.label_ids, "an archived label is not shown on its items")
        self.assertFalse(vault.floor_id, "nor an archived floor on its areas")

    def test_entities_devices_and_areas_carry_their_complete_label_lists(self):
        self.ingest(
            [
                labelled(entity_event("light.kitchen", device_id="d1"), "safe", "night"),
                labelled(device_event("d1"), "night"),
                label_event("safe", "Safe"),
            ]
        )
        kitchen = self.entity("light.kitchen")
        self.assertEqual(set(kitchen.label_ids.mapped("ha_label_id")), {"safe", "night"})
        self.assertEqual(kitchen.device_id.label_ids.mapped("ha_label_id"), ["night"])
        self.assertEqual(self.label("night").name, "night", "a placeholder until its event")

        self.ingest([labelled(entity_event("light.kitchen", device_id="d1"))])
        self.assertFalse(kitchen.label_ids)
        self.ingest([entity_event("light.kitchen", device_id="d1")])
        self.assertFalse(kitchen.label_ids, "an event without labels (older HA) keeps them")
        self.ingest([labelled(entity_event("light.kitchen", device_id="d1"), "safe")])
        self.ingest([entity_event("light.kitchen", device_id="d1")])
        self.assertEqual(kitchen.label_ids, self.label("safe"))

    def test_entities_are_on_the_floor_of_their_area(self):
        self.ingest(
            [
                floor_event("ground", "Ground floor"),
                area_event("kitchen", "Kitchen", floor_id="ground"),
                device_event("d1", area_id="kitchen"),
                entity_event("light.kitchen", device_id="d1"),
            ]
        )
        kitchen = self.entity("light.kitchen")
        self.assertEqual(kitchen.floor_id, self.floor("ground"))
        self.ingest([area_event("kitchen", "Kitchen", floor_id=None)])
        self.assertFalse(kitchen.floor_id)

    def test_a_complete_snapshot_archives_the_labels_and_floors_it_does_not_list(self):
        self.ingest(
            [
                label_event("safe", "Safe"),
                label_event("old", "Old"),
                floor_event("ground", "Ground"),
                floor_event("attic", "Attic", 2),
            ]
        )
        part = {"id": "snap-1", "parts": 2}
        self.ingest([label_event("safe", "Safe")], {**part, "part": 1})
        self.assertTrue(self.label("old").active, "not before the last part")
        self.ingest([floor_event("ground", "Ground")], {**part, "part": 2})
        self.assertTrue(self.label("safe").active)
        self.assertTrue(self.floor("ground").active)
        self.assertFalse(self.label("old").active)
        self.assertFalse(self.floor("attic").active)

    def test_device_details_are_stored_and_the_connecting_device_resolved(self):
        self.ingest([{**device_event("d1"), **DETAILS}, {**device_event("d0", name="Hue bridge")}])
        bulb = self.records("ha.device", "ha_device_id", "d1")
        self.assertEqual(
            bulb.read(["model_id", "serial_number", "hw_version", "configuration_url"])[0]
            | {"id": 0},
            {
                "id": 0,
                "model_id": "9290022166",
                "serial_number": "ABC123",
                "hw_version": "1.0",
                "configuration_url": "http://192.168.1.20/",
            },
        )
        self.assertEqual(bulb.via_device_id.name, "Hue bridge")
        self.assertFalse(bulb.entry_type)
        self.assertEqual(bulb.ha_page_url, "http://ha.local:8123/config/devices/device/d1")

        self.ingest(
            [
                {
                    **device_event("d1"),
                    **DETAILS,
                    "configuration_url": "http://admin:hunter2@192.168.1.20/",
                    "entry_type": "service",
                    "disabled": True,
                }
            ]
        )
        self.assertFalse(bulb.configuration_url, "a URL with credentials is never kept")
        self.assertEqual(bulb.entry_type, "service")
        self.assertTrue(bulb.disabled)

    def test_the_system_event_sets_home_assistants_facts_on_the_instance(self):
        self.ingest([system_event(SUPERVISOR)])
        instance = self.instance
        self.assertEqual(instance.ha_version, "2026.11.0")
        self.assertEqual(instance.installation_type, "Home Assistant Container")
        self.assertEqual(
            (instance.time_zone, instance.unit_system, instance.country, instance.currency),
            ("Europe/Brussels", "metric", "BE", "EUR"),
        )
        self.assertEqual((instance.host_os, instance.board), ("Home Assistant OS 16.0", "rpi5-64"))
        self.assertEqual(instance.disk_used_gb, 12.3)
        self.assertEqual(instance.memory_total_mb, 8000)
        self.assertEqual(instance.network_text, "end0: 192.168.1.2/24")
        self.assertTrue(instance.system_updated)

        self.ingest([system_event(None, ha_version="2026.12.0")])
        self.assertEqual(instance.ha_version, "2026.12.0")
        self.assertFalse(instance.host_os, "no Supervisor any more: no host facts")
        self.assertFalse(instance.network_text)

    def test_bad_registry_events_are_refused_and_change_nothing(self):
        self.ingest([label_event("safe", "Safe")])
        bad_events = [
            ({"t": "label", "name": "No id"}, "label_id"),
            (label_event("safe", "Safe", color=3), "color"),
            (floor_event("ground", "Ground", level="1"), "level"),
            (floor_event("ground", "Ground", level=10**6), "level"),
            (area_event("kitchen", "Kitchen", labels="safe"), "labels"),
            (area_event("kitchen", "Kitchen", labels=["x" * 300]), "labels[0]"),
            (labelled(entity_event("light.a"), *[f"l{n}" for n in range(300)]), "labels"),
            (system_event({"network": "eth0"}), "network"),
            (system_event({"disk_total_gb": -1}), "disk_total_gb"),
            ({"t": "zone", "zone_id": "home"}, "unknown event type"),
        ]
        for event, where in bad_events:
            with (
                self.subTest(where=where),
                self.assertRaisesRegex(PushSchemaError, re.escape(where)),
            ):
                self.ingest([label_event("safe", "Renamed"), event])
        self.assertEqual(self.label("safe").name, "Safe")
        self.assertFalse(self.floor("ground"))


@tagged("post_install", "-at_install")
class TestIngestLabelsCost(HomeAssistantCase):
    """Labels and floors cost the same few queries, however many items carry them."""

    def queries(self, events):
        self.env.flush_all()
        self.env.invalidate_all()
        statements = []
        execute = Cursor.execute

        def counting(cr, query, params=None, log_exceptions=True):
            statements.append(query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", counting):
            self.instance._ingest_batch(self.make_batch(events))
            self.env.cr.precommit.run()
            self.env.flush_all()
        return len(statements)

    @staticmethod
    def labelled_home(count, labels, generation):
        """`count` labelled entities on areas on floors, every one relabelled per generation."""
        label_ids = [f"label{index}" for index in range(labels)]
        events = [label_event(label_id, f"{label_id} {generation}") for label_id in label_ids]
        events += [floor_event(f"floor{index}", f"Floor {generation}") for index in range(3)]
        events += [
            area_event(f"area{index}", f"Area {generation}", floor_id=f"floor{index % 3}")
            for index in range(3)
        ]
        events += [
            labelled(
                entity_event(f"sensor.s{index}", area_id=f"area{index % 3}"),
                label_ids[(index + generation) % labels],
            )
            for index in range(count)
        ]
        return events

    def test_queries_do_not_grow_with_labels_or_labelled_entities(self):
        self.queries(self.labelled_home(5, 2, 0))
        self.queries(self.labelled_home(200, 40, 0))
        small = self.queries(self.labelled_home(5, 2, 1))
        large = self.queries(self.labelled_home(200, 40, 1))
        self.assertLessEqual(large - small, 4, "a few more batched statements, none per item")
        self.assertEqual(self.entity("sensor.s7").label_ids.ha_label_id, "label8")
