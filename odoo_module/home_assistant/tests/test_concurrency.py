"""Concurrent pushes and pairings in real, separately committed transactions, retried.

The other tests share one test transaction. Here two pushes get their own database
connections, as with prefork workers or several Odoo servers behind a load balancer, and
interleave deterministically: push B starts its transaction, push A commits, then B runs
and is retried by Odoo's own `retrying` exactly as an HTTP request would be.
"""

from contextlib import ExitStack

from odoo import SUPERUSER_ID, api
from odoo.addons.home_assistant.signing import PROTOCOL_VERSION
from odoo.addons.home_assistant.tests.common import SECRET, T0, iso, state_event
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

ENTITIES = [f"sensor.shared_{index}" for index in range(20)]
PAIRING = {
    "uuid": "ha-test-concurrent-pairing",
    "name": "Twin",
    "ha_url": "http://ha.local:8123",
    "webhook_id": "webhook-first-pairing",
    "secret": "Zmlyc3Qtc2VjcmV0LWZpcnN0LXNlY3JldC1maXJzdA",
    "ha_version": "2026.10.4",
    "protocol": PROTOCOL_VERSION,
}


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            instance = self.superuser(cr)["ha.instance"].create(
                {
                    "uuid": "ha-test-concurrency",
                    "name": "Concurrency",
                    "ha_url": "http://ha.local:8123",
                    "webhook_id": "webhook-concurrency",
                    "secret": SECRET,
                    "ha_version": "2026.10.4",
                    "protocol": PROTOCOL_VERSION,
                }
            )
            self.instance_id = instance.id
        self.addCleanup(self.delete_instance)

    def superuser(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def delete_instance(self):
        with self.registry.cursor() as cr:
            self.superuser(cr)["ha.instance"].browse(self.instance_id).unlink()

    def batch(self, batch_id, seq, state, second):
        at = T0.replace(second=second)
        return {
            "v": PROTOCOL_VERSION,
            "batch_id": batch_id,
            "seq": seq,
            "sent_at": iso(at),
            "snapshot": False,
            "events": [state_event(entity_id, state, at) for entity_id in ENTITIES],
        }

    def push_while_another_commits(self, first, second):
        """Run `first` in transaction A and `second` in B, B's snapshot taken before A commits.

        Returns B's answer; B runs under Odoo's `retrying`, like a request, and must have
        needed exactly one retry.
        """
        with ExitStack() as stack:
            cr_a = stack.enter_context(self.registry.cursor())
            cr_b = stack.enter_context(self.registry.cursor())
            env_a, env_b = self.superuser(cr_a), self.superuser(cr_b)
            cr_b.execute("SELECT 1")  # B's transaction and snapshot begin, as a request's would
            env_a["ha.instance"].browse(self.instance_id)._ingest_batch(first)
            cr_a.commit()
            attempts = []

            def push_b():
                attempts.append(len(attempts) + 1)
                return env_b["ha.instance"].browse(self.instance_id)._ingest_batch(second)

            with mute_logger("odoo.service.model"):
                answer = retrying(push_b, env_b)
            # B saw A's commit as a serialization failure and was run again.
            self.assertEqual(attempts, [1, 2])
            return answer

    def stored(self):
        with self.registry.cursor() as cr:
            env = self.superuser(cr)
            counters = (
                env["ha.instance"]
                .browse(self.instance_id)
                .read(["batch_count", "duplicate_count", "event_count"])[0]
            )
            mine = [("instance_id", "=", self.instance_id)]
            history = env["ha.entity.history"].search_count(mine)
            states = set(env["ha.entity"].search(mine).mapped("state"))
            return counters, history, states

    def test_the_same_batch_from_two_workers_is_stored_once(self):
        batch = self.batch("twin", 1, "on", second=1)
        answer = self.push_while_another_commits(batch, batch)
        self.assertTrue(answer["duplicate"])
        counters, history, _states = self.stored()
        self.assertEqual(history, len(ENTITIES))
        self.assertEqual(counters["batch_count"], 1)
        self.assertEqual(counters["duplicate_count"], 1)

    def test_batches_from_two_workers_are_both_stored_and_newest_wins(self):
        newer = self.batch("newer", 2, "new", second=5)
        older = self.batch("older", 1, "old", second=1)
        answer = self.push_while_another_commits(newer, older)
        self.assertEqual(answer["accepted"], len(ENTITIES))
        counters, history, states = self.stored()
        self.assertEqual(history, 2 * len(ENTITIES))
        self.assertEqual(counters["batch_count"], 2)
        self.assertEqual(counters["event_count"], 2 * len(ENTITIES))
        self.assertEqual(states, {"new"})

    def test_a_concurrent_first_pairing_fails_without_logging_its_credentials(self):
        second = dict(
            PAIRING,
            webhook_id="webhook-second-pairing",
            secret="c2Vjb25kLXNlY3JldC1zZWNvbmQtc2VjcmV0LXNlY29uZA",
            command_url="https://hooks.example.com/second-cloudhook",
        )
        self.addCleanup(self.delete_paired)
        with ExitStack() as stack:
            cr_a = stack.enter_context(self.registry.cursor())
            cr_b = stack.enter_context(self.registry.cursor())
            env_a, env_b = self.superuser(cr_a), self.superuser(cr_b)
            cr_b.execute("SELECT 1")  # B's snapshot predates A's instance, as a request's would
            env_a["ha.instance"].ha_pair(PAIRING)
            cr_a.commit()
            with (
                self.assertLogs("odoo", level="DEBUG") as logs,
                self.assertRaisesRegex(ValidationError, "already paired"),
            ):
                retrying(lambda: env_b["ha.instance"].ha_pair(second), env_b)
        messages = "\n".join(record.getMessage() for record in logs.records)
        self.assertIn("bad query", messages)  # B did hit the unique uuid
        for credential in ("secret", "webhook_id", "command_url"):
            self.assertNotIn(second[credential], messages)
        with self.registry.cursor() as cr:
            instance = self.superuser(cr)["ha.instance"].search([("uuid", "=", PAIRING["uuid"])])
            self.assertEqual(
                (instance.secret, instance.webhook_id), (PAIRING["secret"], PAIRING["webhook_id"])
            )

    def delete_paired(self):
        with self.registry.cursor() as cr:
            instances = self.superuser(cr)["ha.instance"].with_context(active_test=False)
            instances.search([("uuid", "=", PAIRING["uuid"])]).unlink()
