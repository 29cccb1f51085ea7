"""PROTOCOL §3 through the real endpoint: what an accepted push does to Odoo's data."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.ingest import sequence_gap
from odoo.addons.home_assistant.models.ha_entity_history import HaEntityHistory
from odoo.addons.home_assistant.tests.common import (
    T0,
    HomeAssistantCase,
    HomeAssistantHttpCase,
    area_event,
    device_event,
    entity_event,
    state_event,
)
from odoo.sql_db import Cursor
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

LATER = T0 + timedelta(seconds=5)


@tagged("post_install", "-at_install")
class TestIngest(HomeAssistantHttpCase):
    def test_states_create_entities_with_current_state_and_history(self):
        attributes = {
            "friendly_name": "Outdoor temperature",
            "unit_of_measurement": "°C",
            "device_class": "temperature",
        }
        batch = self.make_batch(
            [
                state_event("sensor.outdoor", "12.5", T0, attributes),
                state_event("light.kitchen", "on", T0, {"brightness": 180}),
            ]
        )
        answer = self.push_ok(batch)
        self.assertEqual(
            answer, {"ok": True, "batch_id": batch["batch_id"], "accepted": 2, "duplicate": False}
        )
        sensor = self.entity("sensor.outdoor")
        self.assertEqual(sensor.name, "Outdoor temperature")
        self.assertEqual(sensor.domain, "sensor")
        self.assertEqual(sensor.state, "12.5")
        self.assertEqual(sensor.numeric_value, 12.5)
        self.assertEqual(sensor.unit_of_measurement, "°C")
        self.assertEqual(sensor.device_class, "temperature")
        self.assertEqual(sensor.last_updated, T0)
        self.assertTrue(sensor.available)
        self.assertEqual(self.entity("light.kitchen").attributes, {"brightness": 180})
        self.assertEqual(self.history(sensor).mapped("state"), ["12.5"])
        self.assertEqual(self.history(sensor).numeric_value, 12.5)
        self.assertEqual(self.instance.batch_count, 1)
        self.assertEqual(self.instance.event_count, 2)
        self.assertTrue(self.instance.connected)

    def test_a_retried_batch_is_answered_as_duplicate_and_written_once(self):
        batch = self.make_batch([state_event("switch.pump", "on")])
        self.push_ok(batch)
        answer = self.push_ok(batch)
        self.assertEqual(answer["duplicate"], True)
        self.assertEqual(answer["accepted"], 0)
        self.assertEqual(len(self.history(self.entity("switch.pump"))), 1)
        self.assertEqual(self.instance.batch_count, 1)
        self.assertEqual(self.instance.duplicate_count, 1)

    def test_newest_state_wins_and_older_ones_are_still_history(self):
        self.push_ok(self.make_batch([state_event("sensor.power", "200", LATER)]))
        self.push_ok(self.make_batch([state_event("sensor.power", "100", T0)]))
        power = self.entity("sensor.power")
        self.assertEqual(power.state, "200")
        self.assertEqual(power.last_updated, LATER)
        self.assertEqual(self.history(power).mapped("state"), ["100", "200"])

    def test_newest_wins_inside_one_batch_and_microseconds_count(self):
        first = T0 + timedelta(microseconds=1)
        self.push_ok(
            self.make_batch(
                [
                    state_event("sensor.fast", "3", first + timedelta(microseconds=2)),
                    state_event("sensor.fast", "1", first),
                    state_event("sensor.fast", "2", first + timedelta(microseconds=1)),
                ]
            )
        )
        fast = self.entity("sensor.fast")
        self.assertEqual(fast.state, "3")
        self.assertEqual(self.history(fast).mapped("state"), ["1", "2", "3"])

    def test_the_same_state_delivered_twice_is_stored_once(self):
        self.push_ok(self.make_batch([state_event("sensor.door", "closed")]))
        self.push_ok(self.make_batch([state_event("sensor.door", "closed")]))
        self.assertEqual(len(self.history(self.entity("sensor.door"))), 1)

    def test_history_can_be_switched_off_per_entity(self):
        self.push_ok(self.make_batch([state_event("sensor.noisy", "1")]))
        noisy = self.entity("sensor.noisy")
        noisy.record_history = False
        self.push_ok(self.make_batch([state_event("sensor.noisy", "2", LATER)]))
        self.assertEqual(noisy.state, "2")
        self.assertEqual(self.history(noisy).mapped("state"), ["1"])

    def test_unavailable_and_non_numeric_states(self):
        self.push_ok(self.make_batch([state_event("sensor.broken", "unavailable")]))
        broken = self.entity("sensor.broken")
        self.assertFalse(broken.available)
        self.assertFalse(self.history(broken).numeric_value)

    def test_numbers_of_any_magnitude_and_precision_are_numeric_values(self):
        self.push_ok(
            self.make_batch(
                [
                    state_event("sensor.bytes_sent", "123456789012345678901234"),
                    state_event("sensor.tiny", "-1.5e-300"),
                    state_event("sensor.overflow", "1e999"),
                ]
            )
        )
        self.assertEqual(self.entity("sensor.bytes_sent").numeric_value, 1.2345678901234568e23)
        tiny = self.entity("sensor.tiny")
        self.assertEqual(tiny.numeric_value, -1.5e-300)
        self.assertEqual(self.history(tiny).numeric_value, -1.5e-300)
        self.assertEqual(self.entity("sensor.overflow").state, "1e999")
        self.assertFalse(self.history(self.entity("sensor.overflow")).numeric_value)

    def test_a_null_state_means_the_entity_left_home_assistant(self):
        self.push_ok(self.make_batch([state_event("sensor.old", "5")]))
        self.push_ok(self.make_batch([state_event("sensor.old", None, LATER)]))
        old = self.entity("sensor.old")
        self.assertFalse(old.active)
        self.assertFalse(old.available)
        self.assertFalse(old.state)
        self.assertEqual(self.history(old).mapped("state"), ["5"])
        self.push_ok(self.make_batch([state_event("sensor.old", "6", LATER + timedelta(1))]))
        self.assertTrue(old.active)

    def test_a_null_state_for_an_unknown_entity_creates_nothing(self):
        self.push_ok(self.make_batch([state_event("sensor.never", None)]))
        self.assertFalse(self.entity("sensor.never"))

    def test_an_empty_batch_is_a_heartbeat(self):
        self.assertFalse(self.instance.last_seen)
        self.assertFalse(self.instance.connected)
        answer = self.push_ok(self.make_batch())
        self.assertEqual(answer["accepted"], 0)
        self.assertTrue(self.instance.last_seen)
        self.assertTrue(self.instance.connected)
        self.assertIn(self.instance, self.env["ha.instance"].search([("connected", "=", True)]))
        self.instance.last_seen -= timedelta(seconds=3 * self.instance.heartbeat_interval + 1)
        self.assertFalse(self.instance.connected)
        self.assertIn(self.instance, self.env["ha.instance"].search([("connected", "=", False)]))

    def test_sequence_gaps_are_counted(self):
        self.push_ok(self.make_batch(seq=10))
        self.push_ok(self.make_batch(seq=11))
        self.push_ok(self.make_batch(seq=15))
        self.assertEqual(self.instance.seq_gap_count, 3)
        self.assertEqual(self.instance.last_seq, 15)

    def test_counters_and_sequence_numbers_go_beyond_32_bits(self):
        self.instance.write({"event_count": 2**31 + 5, "last_seq": 2**40})
        self.push_ok(self.make_batch([state_event("sensor.big", "1")], seq=2**40 + 3))
        self.assertEqual(self.instance.event_count, 2**31 + 6)
        self.assertEqual(self.instance.last_seq, 2**40 + 3)
        self.assertEqual(self.instance.seq_gap_count, 2)

    def test_the_database_header_picks_the_database_when_several_are_served(self):
        """A server whose `--db-filter` lets two databases through for the push's host: Odoo
        19 serves a push on the database its `X-Odoo-Database` header names, as Home
        Assistant sends it; Odoo 18 ignores the header and has no database to serve the push
        on (docs/odoo-addon.md, *Choosing the database*)."""
        named = {"X-Odoo-Database": self.env.cr.dbname}
        with patch("odoo.http.db_list", return_value=[self.env.cr.dbname, "another_company"]):
            self.assertEqual(self.push(self.make_batch()).status_code, 404)
            response = self.push(self.make_batch([state_event("sensor.named", "3")]), headers=named)
        if compat.SERIES >= 19:
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(self.entity("sensor.named").state, "3")
        else:
            self.assertEqual(response.status_code, 404)
            self.assertFalse(self.env["ha.entity"].search([("entity_id", "=", "sensor.named")]))

    def test_a_gzip_body_is_accepted(self):
        self.push_ok(self.make_batch([state_event("sensor.zipped", "7")]), compress=True)
        self.assertEqual(self.entity("sensor.zipped").state, "7")

    def test_a_serialization_failure_is_retried_and_stores_everything_once(self):
        original = HaEntityHistory._insert_states
        calls = []

        def fail_once(records, *args):
            calls.append(1)
            if len(calls) == 1:
                records.env.cr.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'simulated concurrent update'"
                    " USING ERRCODE = 'serialization_failure'; END $$"
                )
            return original(records, *args)

        batch = self.make_batch([state_event("sensor.retried", "1")])
        with (
            patch.object(HaEntityHistory, "_insert_states", fail_once),
            mute_logger("odoo.sql_db"),
        ):
            answer = self.push_ok(batch)
        self.assertEqual(len(calls), 2)
        self.assertFalse(answer["duplicate"])
        self.assertEqual(len(self.history(self.entity("sensor.retried"))), 1)
        self.assertEqual(self.instance.batch_count, 1)
        self.assertEqual(self.instance.event_count, 1)

    def test_an_odoo_automation_reacts_to_a_state_change(self):
        self.create_state_automation(
            "Kitchen light turned on",
            "[('entity_id', '=', 'light.kitchen'), ('state', '=', 'on')]",
            "env['res.partner'].create({'name': 'Light on: ' + record.name})",
        )
        self.push_ok(self.make_batch([state_event("light.kitchen", "off")]))
        self.assertFalse(self.env["res.partner"].search([("name", "=like", "Light on: %")]))
        self.push_ok(self.make_batch([state_event("light.kitchen", "on", LATER)]))
        fired = self.env["res.partner"].search([("name", "=", "Light on: light.kitchen")])
        self.assertEqual(len(fired), 1)
        # Only the attributes change: the state is not written again, the automation stays quiet.
        dimmed = state_event("light.kitchen", "on", LATER + timedelta(seconds=1), {"brightness": 9})
        self.push_ok(self.make_batch([dimmed]))
        self.assertEqual(self.entity("light.kitchen").attributes, {"brightness": 9})
        partners = self.env["res.partner"].search_count([("name", "=like", "Light on: %")])
        self.assertEqual(partners, 1)


@tagged("post_install", "-at_install")
class TestIngestBatchCost(HomeAssistantCase):
    """What a batch costs does not grow per event or per entity, and stays on the ORM."""

    maxDiff = None

    def ingest(self, events, snapshot=False):
        return self.instance._ingest_batch(self.make_batch(events, snapshot))

    def queries(self, events, snapshot=False):
        """SQL statements of one batch, its flush included.

        Once an automation rule on ha.entity existed (in an earlier test), base_automation's
        `write` looks its rules up with one query per call; those are not the batch's own.
        """
        self.env.cr.precommit.run()  # the bus messages of earlier batches
        self.env.flush_all()
        self.env.invalidate_all()
        statements = []
        execute = Cursor.execute

        def counting(cr, query, params=None, log_exceptions=True):
            if "base_automation" not in str(getattr(query, "code", query)):
                statements.append(query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", counting):
            self.ingest(events, snapshot)
            self.env.cr.precommit.run()  # the commit's work: the bus message, the flush
            self.env.flush_all()
        return len(statements)

    @staticmethod
    def states(entities, events, start, prefix="sensor.s"):
        return [
            state_event(f"{prefix}{index % entities}", str(index), start + timedelta(seconds=index))
            for index in range(events)
        ]

    def test_queries_per_batch_do_not_grow_with_events_or_entities(self):
        self.ingest(self.states(100, 100, T0))
        small = self.queries(self.states(5, 10, LATER))
        large = self.queries(self.states(100, 1000, LATER + timedelta(hours=1)))
        self.assertEqual(large, small)
        self.assertLessEqual(large, 12)

    def test_new_entities_are_created_in_bulk(self):
        small = self.queries(self.states(3, 3, T0, "sensor.a"), snapshot=True)
        large = self.queries(self.states(300, 300, T0, "sensor.b"), snapshot=True)
        # Odoo writes new rows and their stored computes in statements of 100 rows at most;
        # nothing is queried per entity.
        self.assertLessEqual(large - small, 2 * 2)
        entities = self.env["ha.entity"].with_context(active_test=False)
        self.assertEqual(entities.search_count([("domain", "=", "sensor")]), 303)

    def test_only_the_newest_state_per_entity_is_written_and_history_keeps_all(self):
        self.ingest([state_event("sensor.p", "0", T0)])
        self.ingest(
            [
                state_event("sensor.p", "3", T0 + timedelta(seconds=3)),
                state_event("sensor.p", "1", T0 + timedelta(seconds=1)),
                state_event("sensor.p", "2", T0 + timedelta(seconds=2)),
            ]
        )
        power = self.entity("sensor.p")
        self.assertEqual((power.state, power.numeric_value), ("3", 3.0))
        self.assertEqual(power.last_updated, T0 + timedelta(seconds=3))
        self.assertEqual(self.history(power).mapped("state"), ["0", "1", "2", "3"])

    def test_automations_see_each_entity_once_with_its_newest_state(self):
        self.create_state_automation(
            "A light turned on",
            "[('domain', '=', 'light'), ('state', '=', 'on')]",
            "env['res.partner'].create({'name': 'On: ' + record.entity_id})",
        )
        lights = ["light.a", "light.b", "light.c", "light.d"]
        self.ingest([state_event(light, "off", T0) for light in lights])
        self.ingest(
            [
                state_event("light.a", "on", LATER),
                state_event("light.b", "on", LATER),
                state_event("light.c", "off", LATER),  # unchanged
                # on, then off again within the batch: only the newest state is written
                state_event("light.d", "on", LATER),
                state_event("light.d", "off", LATER + timedelta(seconds=1)),
            ]
        )
        fired = self.env["res.partner"].search([("name", "=like", "On: %")])
        self.assertEqual(sorted(fired.mapped("name")), ["On: light.a", "On: light.b"])
        self.assertEqual(self.history(self.entity("light.d")).mapped("state"), ["off", "on", "off"])

    def test_the_bus_message_carries_the_changed_entities_compact_states(self):
        self.ingest([area_event("hall", "Hall"), device_event("d1", area_id="hall")])
        celsius = {"unit_of_measurement": "°C"}
        self.ingest([state_event("sensor.t", "20.5", T0, celsius)])
        hall = self.env["ha.area"].search([("ha_area_id", "=", "hall")])
        self.ingest(
            [
                entity_event("light.porch", device_id="d1"),
                state_event("light.porch", "on", LATER, {"brightness": 9}),
                state_event("sensor.t", "21", LATER, celsius, last_changed=T0),
            ]
        )
        self.env.cr.precommit.run()  # the bus stores its messages at commit
        message = self.env["bus.bus"].search([], order="id desc", limit=1).message
        porch, sensor = self.entity("light.porch"), self.entity("sensor.t")
        self.assertEqual(
            json.loads(message),
            {
                "type": "home_assistant/entities",
                "payload": {
                    "instance_id": self.instance.id,
                    "entities": [
                        {
                            "id": sensor.id,
                            "entity_id": "sensor.t",
                            "state": "21",
                            "attributes": {"unit_of_measurement": "°C"},
                            "numeric_value": 21.0,
                            "available": True,
                            "active": True,
                            "area_id": None,
                            "last_changed": "2026-11-28 18:00:00",
                            "last_updated": "2026-11-28 18:00:05",
                        },
                        {
                            "id": porch.id,
                            "entity_id": "light.porch",
                            "state": "on",
                            "attributes": {"brightness": 9},
                            "numeric_value": None,
                            "available": True,
                            "active": True,
                            "area_id": hall.id,
                            "last_changed": "2026-11-28 18:00:05",
                            "last_updated": "2026-11-28 18:00:05",
                        },
                    ],
                },
            },
        )


@tagged("post_install", "-at_install")
class TestSequenceGap(BaseCase):
    def test_only_numbers_skipped_after_a_known_sequence_are_missing(self):
        for last_seq, seq, gap in ((0, 7, 0), (4, 5, 0), (4, 8, 3), (9, 2, 0), (5, 5, 0)):
            with self.subTest(last_seq=last_seq, seq=seq):
                self.assertEqual(sequence_gap(last_seq, seq), gap)
