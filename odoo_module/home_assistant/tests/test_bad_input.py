"""PROTOCOL §1/§3 refusals: each bad push gets its status and code and changes nothing."""

import gzip
import json
import time

from odoo.addons.home_assistant.signing import MAX_BODY_BYTES, MAX_DECODED_BYTES
from odoo.addons.home_assistant.tests.common import SECRET, HomeAssistantHttpCase, state_event
from odoo.tests import tagged


class RefusalCase(HomeAssistantHttpCase):
    """A valid body to break, and the proof that a refused push changed nothing."""

    def setUp(self):
        super().setUp()
        self.valid_body = json.dumps(self.make_batch([state_event("sensor.x", "1")])).encode()

    def database_state(self):
        """Everything a push could change, to prove a refused one changed nothing."""
        counts = {
            model: self.env[model].sudo().with_context(active_test=False).search_count([])
            for model in (
                "ha.entity",
                "ha.entity.history",
                "ha.area",
                "ha.device",
                "ha.push.batch",
                "ha.push.nonce",
                "ha.snapshot.part",
            )
        }
        counters = self.instance.read(
            ["last_seen", "batch_count", "event_count", "duplicate_count", "last_seq"]
        )
        return counts, counters

    def assert_refused(self, response, status, code):
        self.assert_error(response, status, code)
        self.assertEqual(self.database_state(), self.before)


@tagged("post_install", "-at_install")
class TestBadInput(RefusalCase):
    def test_refusals(self):
        # One method so `before` is taken once; each case is a subTest with its own request.
        self.before = self.database_state()
        now = int(time.time())
        bomb = gzip.compress(b"0" * (MAX_DECODED_BYTES + 1))
        cases = {
            "unsigned": (
                lambda: self.url_open(
                    f"/home_assistant/push/{self.instance.uuid}",
                    data=self.valid_body,
                    headers={"Content-Type": "application/json"},
                ),
                401,
                "unauthorized",
            ),
            "wrong signature": (
                lambda: self.push_raw(
                    self.valid_body, secret="V3JvbmctU2VjcmV0LVdyb25nLVNlY3JldC0tLS0tLQ"
                ),
                401,
                "unauthorized",
            ),
            "malformed signature header": (
                lambda: self.push_raw(self.valid_body, signature="v1=zz"),
                401,
                "unauthorized",
            ),
            "stale timestamp": (
                lambda: self.push_raw(self.valid_body, timestamp=now - 330),
                401,
                "stale_timestamp",
            ),
            "future timestamp": (
                lambda: self.push_raw(self.valid_body, timestamp=now + 330),
                401,
                "stale_timestamp",
            ),
            "stale timestamp and wrong signature": (
                lambda: self.push_raw(self.valid_body, timestamp=now - 330, secret=SECRET[::-1]),
                401,
                "unauthorized",
            ),
            "stale timestamp to an unknown instance": (
                lambda: self.push_raw(
                    self.valid_body, timestamp=now - 330, instance_uuid="no-such-instance"
                ),
                401,
                "unauthorized",
            ),
            "unknown instance": (
                lambda: self.push_raw(self.valid_body, instance_uuid="no-such-instance"),
                401,
                "unauthorized",
            ),
            "malformed JSON": (lambda: self.push_raw(b'{"v": 1, "events": ['), 400, "bad_request"),
            "not an object": (lambda: self.push_raw(b"[1, 2]"), 400, "bad_request"),
            "not UTF-8": (lambda: self.push_raw(b'{"v": "\xff"}'), 400, "bad_request"),
            "NaN": (lambda: self.push_raw(b'{"v": NaN}'), 400, "bad_request"),
            "unsupported version": (
                lambda: self.push(dict(self.make_batch(), v=2)),
                400,
                "unsupported_version",
            ),
            "oversized body": (
                lambda: self.push_raw(b" " * (MAX_BODY_BYTES + 1)),
                413,
                "too_large",
            ),
            "too many events": (
                lambda: self.push(self.make_batch([state_event("sensor.x", "1")] * 5001)),
                413,
                "too_large",
            ),
            "no Content-Length": (
                lambda: self.push_raw(self.valid_body, chunked=True),
                411,
                "length_required",
            ),
            "gzip bomb": (
                lambda: self.push_raw(bomb, headers={"Content-Encoding": "gzip"}),
                413,
                "too_large",
            ),
            "not gzip": (
                lambda: self.push_raw(b"plain", headers={"Content-Encoding": "gzip"}),
                400,
                "bad_request",
            ),
            "unknown encoding": (
                lambda: self.push_raw(self.valid_body, headers={"Content-Encoding": "br"}),
                400,
                "bad_request",
            ),
        }
        for name, (send, status, code) in cases.items():
            with self.subTest(name):
                self.assert_refused(send(), status, code)

    def test_wrong_types_are_named_precisely(self):
        self.before = self.database_state()
        good = state_event("sensor.x", "1")
        cases = {
            "seq": ({"seq": "1"}, "seq: expected an integer"),
            "seq bool": ({"seq": True}, "seq: expected an integer"),
            "seq too big": ({"seq": 2**53 + 1}, "seq: 9007199254740993 is out of range"),
            "seq negative": ({"seq": -1}, "seq: -1 is out of range"),
            "batch_id": ({"batch_id": 5}, "batch_id: expected a non-empty string"),
            "events": ({"events": {}}, "events: expected a list"),
            "sent_at": ({"sent_at": "yesterday"}, "sent_at: 'yesterday' is not an ISO 8601"),
            "snapshot": ({"snapshot": {"id": "s", "part": 3, "parts": 2}}, "snapshot.part"),
            "state type": (
                {"events": [good, dict(good, state=5)]},
                "events[1].state: expected a string or null",
            ),
            "entity id": (
                {"events": [dict(good, entity_id="Not An Entity")]},
                "events[0].entity_id:",
            ),
            "attributes": (
                {"events": [dict(good, attributes=[1])]},
                "events[0].attributes: expected an object",
            ),
            "naive time": (
                {"events": [dict(good, last_updated="2026-11-28T18:00:00")]},
                "events[0].last_updated: '2026-11-28T18:00:00' has no time zone offset",
            ),
            "event type": ({"events": [dict(good, t="weather")]}, "events[0].t: unknown event"),
            "removed flag": (
                {"events": [{"t": "area", "area_id": "a", "removed": "no"}]},
                "events[0].removed: expected true or false",
            ),
        }
        for name, (changes, message) in cases.items():
            with self.subTest(name):
                response = self.push({**self.make_batch(), **changes})
                self.assert_refused(response, 400, "bad_request")
                self.assertIn(message, response.json()["error"]["message"])

    def test_a_nul_character_anywhere_is_refused_not_a_server_error(self):
        # PostgreSQL stores no NUL in text or jsonb; a 500 would make HA retry for ever.
        self.before = self.database_state()
        good = state_event("sensor.x", "1")
        cases = {
            "state": [dict(good, state="on\x00")],
            "attribute value": [dict(good, attributes={"friendly_name": "a\x00b"})],
            "attribute key": [dict(good, attributes={"\x00": 1})],
            "registry name": [{"t": "entity", "entity_id": "sensor.x", "name": "\x00"}],
        }
        for name, events in cases.items():
            with self.subTest(name):
                response = self.push(self.make_batch(events))
                self.assert_refused(response, 400, "bad_request")
                self.assertIn("NUL character", response.json()["error"]["message"])

    def test_number_bombs_and_lone_surrogates_are_refused_not_a_server_error(self):
        # json.loads makes 1e400 infinity and refuses 5 000-digit integers with a bare
        # ValueError; lone surrogates cannot be encoded for the database. Each was a 500.
        self.before = self.database_state()
        good = json.dumps(state_event("sensor.x", "1"))
        attribute = good.replace('"attributes": {}', '"attributes": {"reading": %s}')
        big = "9" * 5000
        cases = {
            "1e400 in an attribute": (attribute % "1e400", "out of range"),
            "-1e400 in an attribute": (attribute % "-1e400", "out of range"),
            "a 400-digit mantissa": (attribute % ("1" * 400 + ".5"), "out of range"),
            "5 000-digit integer in an attribute": (attribute % big, "too many digits"),
            "5 000-digit seq": (None, "too many digits"),
            "lone high surrogate in a state": (
                good.replace('"state": "1"', '"state": "\\ud800"'),
                "lone surrogate",
            ),
            "lone low surrogate in an attribute key": (attribute % '{"\\udc00": 1}', "lone"),
            "reversed pair in a name": (
                good.replace(
                    '"attributes": {}', '"attributes": {"friendly_name": "\\udc00\\ud800"}'
                ),
                "lone surrogate",
            ),
        }
        for name, (event, message) in cases.items():
            with self.subTest(name):
                batch = json.dumps(self.make_batch())
                if event is None:
                    body = batch.replace('"seq": ', f'"seq": {big}, "old_seq": ')
                else:
                    body = batch.replace('"events": []', f'"events": [{event}]')
                response = self.push_raw(body.encode())
                self.assert_refused(response, 400, "bad_request")
                self.assertIn(message, response.json()["error"]["message"])

    def test_surrogate_pairs_and_big_but_finite_numbers_are_stored(self):
        event = json.dumps(
            state_event("sensor.x", "1", attributes={"icon": "\U0001f600", "big": 10**400})
        )
        event = event.replace('"attributes": {', '"attributes": {"tiny": 1e-400, "huge": 1e300, ')
        batch = json.dumps(self.make_batch()).replace('"events": []', f'"events": [{event}]')
        self.assertIn("\\ud83d\\ude00", batch)
        response = self.push_raw(batch.encode())
        self.assertEqual(response.status_code, 200, response.text)
        attributes = self.entity("sensor.x").attributes
        self.assertEqual(attributes["icon"], "\U0001f600")
        self.assertEqual(attributes["big"], 10**400)
        # jsonb keeps numbers as NUMERIC: 1e300 comes back as its 301 digits.
        self.assertEqual((attributes["tiny"], float(attributes["huge"])), (0, 1e300))

    def test_an_escaped_backslash_before_u0000_is_text_not_nul(self):
        answer = self.push_ok(self.make_batch([state_event("sensor.x", "C:\\u0000")]))
        self.assertEqual(answer["accepted"], 1)
        self.assertEqual(self.entity("sensor.x").state, "C:\\u0000")


@tagged("post_install", "-at_install")
class TestSignatureRefusals(RefusalCase):
    def test_a_signed_push_off_the_clock_names_odoo_time_and_keeps_its_nonce_unused(self):
        self.before = self.database_state()
        now = int(time.time())
        nonce = "clock-skew-nonce-0001"
        response = self.push_raw(self.valid_body, timestamp=now + 412, nonce=nonce)
        self.assert_refused(response, 401, "stale_timestamp")
        error = response.json()["error"]
        self.assertAlmostEqual(error["server_time"], now, delta=5)
        self.assertIn("s ahead of Odoo's clock", error["message"])
        self.assertTrue(self.instance.last_error.startswith("stale_timestamp: "))
        # The same nonce on time is accepted: the refused request used nothing up.
        self.push_raw(self.valid_body, nonce=nonce)
        self.assertEqual(self.instance.batch_count, self.before[1][0]["batch_count"] + 1)

    def test_other_signature_failures_never_reveal_odoo_time(self):
        stale = int(time.time()) - 400
        for response in (
            self.push_raw(self.valid_body, timestamp=stale, secret=SECRET[::-1]),
            self.push_raw(self.valid_body, timestamp=stale, instance_uuid="no-such-instance"),
            self.push_raw(self.valid_body, timestamp=stale, signature="v1=" + "0" * 64),
        ):
            self.assert_error(response, 401, "unauthorized")
            self.assertNotIn("server_time", response.json()["error"])
        self.assertFalse(self.instance.last_error)

    def test_a_replayed_nonce_is_refused(self):
        self.push_raw(self.valid_body, nonce="replayed-nonce-0001")
        self.before = self.database_state()
        self.assert_refused(
            self.push_raw(self.valid_body, nonce="replayed-nonce-0001"), 401, "unauthorized"
        )

    def test_an_unpaired_instance_answers_gone_only_to_a_valid_signature(self):
        self.instance.active = False
        self.before = self.database_state()
        self.assert_refused(self.push_raw(self.valid_body), 410, "instance_removed")
        self.assert_refused(
            self.push_raw(self.valid_body, secret=SECRET[::-1]), 401, "unauthorized"
        )

    def test_unknown_instance_and_wrong_signature_look_the_same(self):
        unknown = self.push_raw(self.valid_body, instance_uuid="no-such-instance").json()
        wrong = self.push_raw(self.valid_body, secret=SECRET[::-1]).json()
        self.assertEqual(unknown, wrong)

    def test_a_refused_signed_batch_is_shown_to_the_administrator(self):
        self.push(dict(self.make_batch(), seq="x"))
        self.assertEqual(self.instance.last_error, "bad_request: seq: expected an integer")
        self.assertTrue(self.instance.last_error_date)

    def test_secrets_never_appear_in_answers(self):
        response = self.push_raw(self.valid_body, secret=SECRET[::-1])
        self.assertNotIn(SECRET, response.text)
        self.assertNotIn(SECRET[::-1], response.text)
