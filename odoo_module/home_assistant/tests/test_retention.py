"""History and commands older than their retention are purged in chunks: history by its own
cron, commands by autovacuum."""

import secrets
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.addons.home_assistant.models import ha_command, ha_entity_history
from odoo.addons.home_assistant.tests.common import HomeAssistantCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestRetention(HomeAssistantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.history_retention_days = 30
        cls.keeper = cls._create_instance("ha-test-keeps-forever", "Archive")
        cls.keeper.history_retention_days = 0

    def add_history(self, instance, ages_in_days):
        entity = self.env["ha.entity"].create(
            {"instance_id": instance.id, "entity_id": f"sensor.h{len(ages_in_days)}"}
        )
        now = fields.Datetime.now()
        self.env["ha.entity.history"].create(
            [
                {
                    "entity_id": entity.id,
                    "state": str(age),
                    "last_updated": now - timedelta(days=age, seconds=index),
                }
                for index, age in enumerate(ages_in_days)
            ]
        )
        return entity

    def test_old_history_is_purged_recent_history_kept(self):
        entity = self.add_history(self.instance, [1, 29, 31, 400])
        self.purge()
        self.assertEqual(sorted(self.history(entity).mapped("state")), ["1", "29"])

    def test_retention_zero_keeps_everything(self):
        entity = self.add_history(self.keeper, [1, 400, 4000])
        self.purge()
        self.assertEqual(len(self.history(entity)), 3)

    def purge(self):
        """One call of the purge cron; the progress it told."""
        return self.cron_call(
            "home_assistant.ir_cron_ha_history_purge", "_cron_purge_expired_history"
        )

    def test_a_purge_deletes_one_chunk_and_asks_for_another_call(self):
        entity = self.add_history(self.instance, [31, 32, 33, 34, 35, 1])
        cron = self.env.ref("home_assistant.ir_cron_ha_history_purge")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with patch.object(ha_entity_history, "PURGE_CHUNK_SIZE", 2):
            self.assertEqual(self.purge(), (2, 1))
            self.assertEqual(len(self.history(entity)), 4)
            after = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
            self.assertEqual(after, triggers + 1)  # the cron thread is woken for the rest
            self.assertEqual(self.purge(), (2, 1))
            self.assertEqual(self.purge(), (1, 0))
        self.assertEqual(self.history(entity).mapped("state"), ["1"])

    def test_the_history_purge_is_its_own_cron_not_autovacuum(self):
        cron = self.env.ref("home_assistant.ir_cron_ha_history_purge")
        self.assertTrue(cron.active)
        self.assertEqual(cron.code.strip(), "model._cron_purge_expired_history()")


@tagged("post_install", "-at_install")
class TestReplayStateCleanup(HomeAssistantCase):
    def test_expired_nonces_and_old_batch_ids_are_forgotten(self):
        nonces = self.env["ha.push.nonce"]
        batches = self.env["ha.push.batch"]
        now = fields.Datetime.now()
        for age, name in ((timedelta(seconds=30), "recent"), (timedelta(hours=1), "expired")):
            nonces.create(
                {"instance_id": self.instance.id, "nonce": name, "received_at": now - age}
            )
        for age, name in ((timedelta(days=1), "recent"), (timedelta(days=8), "expired")):
            batches.create(
                {"instance_id": self.instance.id, "batch_id": name, "received_at": now - age}
            )
        nonces._gc_expired_nonces()
        batches._gc_old_batches()
        mine = [("instance_id", "=", self.instance.id)]
        self.assertEqual(nonces.search(mine).mapped("nonce"), ["recent"])
        self.assertEqual(batches.search(mine).mapped("batch_id"), ["recent"])


@tagged("post_install", "-at_install")
class TestCommandRetention(HomeAssistantCase):
    def add_commands(self, ages_in_days):
        commands = self.env["ha.command"].create(
            [
                {
                    "command_uuid": f"retention-{index}-{secrets.token_hex(4)}",
                    "instance_id": self.instance.id,
                    "user_id": self.env.uid,
                    "command_type": "ping",
                }
                for index in range(len(ages_in_days))
            ]
        )
        now = fields.Datetime.now()
        for command, age in zip(commands, ages_in_days, strict=True):
            self.env.cr.execute(
                "UPDATE ha_command SET create_date = %s WHERE id = %s",
                (now - timedelta(days=age), command.id),
            )
        commands.invalidate_recordset()
        return commands

    def kept(self, commands):
        """The positions in `commands` of those still there."""
        return [index for index, command in enumerate(commands) if command.exists()]

    def set_retention(self, value):
        self.env["ir.config_parameter"].set_param(ha_command.RETENTION_PARAMETER, value)

    def test_the_default_keeps_90_days(self):
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(ha_command.RETENTION_PARAMETER), "90"
        )
        commands = self.add_commands([1, 89, 91, 400])
        self.env["ha.command"]._gc_expired_commands()
        self.assertEqual(self.kept(commands), [0, 1])

    def test_the_retention_is_a_system_parameter_zero_keeps_everything(self):
        commands = self.add_commands([1, 10, 4000])
        self.set_retention("7")
        self.env["ha.command"]._gc_expired_commands()
        self.assertEqual(self.kept(commands), [0])
        commands = self.add_commands([4000])
        self.set_retention("0")
        self.env["ha.command"]._gc_expired_commands()
        self.assertTrue(commands.exists())

    def test_a_parameter_that_is_no_number_of_days_keeps_the_default(self):
        commands = self.add_commands([30, 100])
        for value in ("ninety", "-5"):
            with self.subTest(value=value):
                self.set_retention(value)
                with self.assertLogs(ha_command.__name__, "WARNING"):
                    self.env["ha.command"]._gc_expired_commands()
                self.assertEqual(self.kept(commands), [0])

    def test_a_purge_deletes_one_chunk_and_schedules_the_rest(self):
        commands = self.add_commands([100, 101, 102, 103, 104])
        autovacuum = self.env.ref("base.autovacuum_job")
        with (
            patch.object(ha_command, "PURGE_CHUNK_SIZE", 2),
            patch.object(type(autovacuum), "_trigger") as trigger,
        ):
            self.env["ha.command"]._gc_expired_commands()
            self.assertEqual(len(commands.exists()), 3)
            trigger.assert_called_once()
            self.env["ha.command"]._gc_expired_commands()
            self.env["ha.command"]._gc_expired_commands()
            self.assertFalse(commands.exists())
