"""Current states written set-based: what the ORM write did still happens, rules still fire."""

from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.addons.home_assistant.tests.common import T0, HomeAssistantCase, state_event
from odoo.sql_db import Cursor
from odoo.tests import tagged

SENSORS = [f"sensor.s{index}" for index in range(50)]
CELSIUS = {"unit_of_measurement": "°C", "friendly_name": "Probe"}


@tagged("post_install", "-at_install")
class TestSetBasedStateWrite(HomeAssistantCase):
    def ingest(self, events):
        self.instance._ingest_batch(self.make_batch(events))

    def entity_updates(self, events):
        """Ingest `events` (the commit's flush included); return its own UPDATEs of ha_entity.

        The ORM's flush sends its UPDATEs through psycopg2 directly, unseen here.
        """
        self.env.flush_all()
        statements = []
        execute = Cursor.execute

        def recording(cr, query, params=None, log_exceptions=True):
            if str(getattr(query, "code", query)).startswith('UPDATE "ha_entity" '):
                statements.append(query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", recording):
            self.ingest(events)
            self.env.flush_all()
        return len(statements)

    def orm_written(self, events):
        """Ingest `events`; return the entity ids the ORM `write` (rules included) wrote."""
        written = []
        model_class = type(self.env["ha.entity"])
        write = model_class.write  # base_automation's patched write, when a rule exists

        def spying(records, vals):
            written.extend(records.mapped("entity_id"))
            return write(records, vals)

        with patch.object(model_class, "write", spying):
            self.ingest(events)
        return sorted(written)

    def states(self, state, at, attributes=None, names=SENSORS):
        # A different value per entity: the ORM could not group the entities' writes.
        return [
            state_event(name, f"{state}{index}", at, attributes) for index, name in enumerate(names)
        ]

    def create_rule(self, trigger, pre_domain="", trigger_fields=("state",)):
        """An automation creating a partner "Rule: <entity id> <state>" each time it runs."""
        fields = self.env["ir.model.fields"].search(
            [("model", "=", "ha.entity"), ("name", "in", list(trigger_fields))]
        )
        rule = self.env["base.automation"].create(
            {
                "name": "Rule",
                "model_id": self.env["ir.model"]._get_id("ha.entity"),
                "trigger": trigger,
                "trigger_field_ids": [Command.set(fields.ids)],
            }
        )
        rule.filter_pre_domain = pre_domain  # after: its compute resets it as trigger fields change
        rule.action_server_ids = [
            Command.create(
                {
                    "name": "Note the state",
                    "model_id": rule.model_id.id,
                    "state": "code",
                    "code": "env['res.partner'].create("
                    "{'name': 'Rule: %s %s' % (record.entity_id, record.state)})",
                }
            )
        ]
        return rule

    def fired(self):
        partners = self.env["res.partner"].search([("name", "=like", "Rule: %")], order="id")
        return partners.mapped("name")

    def test_all_changed_entities_are_written_in_one_statement(self):
        self.ingest(self.states("1", T0))
        self.assertEqual(self.entity_updates(self.states("2", T0 + timedelta(seconds=1))), 1)
        self.assertEqual(self.entity("sensor.s7").state, "27")
        self.assertEqual(self.orm_written(self.states("3", T0 + timedelta(seconds=2))), [])
        self.assertEqual(self.entity("sensor.s7").state, "37")

    def test_the_set_based_write_keeps_what_the_orm_write_did(self):
        self.ingest(self.states("1", T0, CELSIUS, names=["sensor.a"]))
        entity = self.entity("sensor.a")
        entity.write_date = T0 - timedelta(days=1)
        self.env.flush_all()
        later = T0 + timedelta(minutes=1)
        attributes = {"friendly_name": "Renamed", "device_class": "temperature", "x": [1]}
        self.assertEqual(
            self.entity_updates(self.states("-4.25", later, attributes, names=["sensor.a"])), 1
        )
        # Read in the same transaction: the cache holds the new values, not the old ones.
        self.assertEqual(entity.state, "-4.250")
        self.assertEqual(entity.numeric_value, -4.25)
        self.assertEqual((entity.last_changed, entity.last_updated), (later, later))
        self.assertEqual(entity.attributes, attributes)
        self.assertEqual(entity.name, "Renamed")
        self.assertEqual(entity.device_class, "temperature")
        self.assertFalse(entity.unit_of_measurement)  # no longer in the attributes
        self.assertTrue(entity.available)
        self.assertGreater(entity.write_date, T0)
        self.assertEqual(entity.write_uid, self.env.user)
        self.env.cr.execute(
            "SELECT unit_of_measurement IS NULL, attributes->'x' FROM ha_entity WHERE id = %s",
            (entity.id,),
        )
        self.assertEqual(self.env.cr.fetchone(), (True, [1]))
        self.ingest([state_event("sensor.a", "unavailable", later + timedelta(seconds=1))])
        self.assertFalse(entity.available)
        self.assertFalse(entity.attributes)

    def test_figures_counting_entities_are_marked_by_a_set_based_write(self):
        self.ingest(self.states("1", T0))
        member = self._create_user("ha_set_based_member")
        self.instance.user_ids = [Command.set(member.ids)]  # figures count as this user
        self.env["ha.figure"].create(
            {
                "name": "Sensors",
                "instance_id": self.instance.id,
                "model_id": self.env["ir.model"]._get_id("ha.entity"),
                "domain": "[('domain', '=', 'sensor')]",
            }
        )
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM ha_figure_change")
        self.env.cr.precommit.data.pop("home_assistant.figures_marked", None)
        self.assertEqual(self.entity_updates(self.states("2", T0 + timedelta(seconds=1))), 1)
        self.env.cr.execute("SELECT instance_id FROM ha_figure_change")
        self.assertEqual(self.env.cr.fetchall(), [(self.instance.id,)])

    def test_a_rule_fires_once_per_change_and_the_other_entities_stay_set_based(self):
        self.ingest(self.states("off", T0))
        self.create_rule("on_create_or_write", "[('entity_id', '=', 'sensor.s3')]")
        later = T0 + timedelta(seconds=1)
        # The ORM writes sensor.s3 alone; the 49 entities no rule can match are set-based.
        self.assertEqual(self.orm_written(self.states("on", later)), ["sensor.s3"])
        self.assertEqual(self.entity("sensor.s4").state, "on4")
        self.assertEqual(self.fired(), ["Rule: sensor.s3 on3"])
        # Only the attributes change: the rule's trigger field is not written, it stays quiet.
        self.assertEqual(
            self.orm_written(self.states("on", later + timedelta(seconds=1), {"battery": 80})),
            [],
        )
        self.assertEqual(self.entity("sensor.s3").attributes, {"battery": 80})
        self.assertEqual(self.entity("sensor.s4").attributes, {"battery": 80})
        self.ingest(self.states("off", later + timedelta(seconds=2)))
        self.assertEqual(self.fired(), ["Rule: sensor.s3 on3", "Rule: sensor.s3 off3"])

    def test_a_precondition_is_evaluated_on_the_state_before_the_write(self):
        self.ingest(self.states("off", T0, names=["light.a", "light.b"]))
        self.create_rule("on_write", "[('state', '=like', 'off%')]", trigger_fields=())
        self.ingest(self.states("on", T0 + timedelta(seconds=1), names=["light.a", "light.b"]))
        self.assertEqual(self.fired(), ["Rule: light.a on0", "Rule: light.b on1"])
        # Now "on": no entity matches the precondition, the write is set-based and silent.
        later = T0 + timedelta(seconds=2)
        written = self.orm_written(self.states("off", later, names=["light.a", "light.b"]))
        self.assertEqual(written, [])
        self.assertEqual(self.fired(), ["Rule: light.a on0", "Rule: light.b on1"])
        self.assertEqual(self.entity("light.b").state, "off1")

    def test_a_rule_without_trigger_fields_sees_every_write_of_the_entities_it_can_match(self):
        names = ["sensor.a", "sensor.b"]
        self.ingest(self.states("1", T0, names=names))
        self.create_rule("on_create_or_write", trigger_fields=())
        written = self.orm_written(self.states("2", T0 + timedelta(seconds=1), names=names))
        self.assertEqual(written, names)
        self.assertEqual(self.fired(), ["Rule: sensor.a 20", "Rule: sensor.b 21"])

    def test_a_rule_on_other_fields_leaves_state_changes_set_based(self):
        names = ["sensor.a", "sensor.b"]
        self.ingest(self.states("1", T0, names=names))
        self.create_rule("on_create_or_write", trigger_fields=("disabled",))
        written = self.orm_written(self.states("2", T0 + timedelta(seconds=1), names=names))
        self.assertEqual(written, [])
        self.assertEqual(self.entity("sensor.b").state, "21")
        self.assertEqual(self.fired(), [])
