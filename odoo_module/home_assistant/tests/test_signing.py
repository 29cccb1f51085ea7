"""PROTOCOL §1: both test vectors, and what verification refuses."""

from odoo.addons.home_assistant.signing import (
    PURPOSE_COMMAND,
    PURPOSE_PUSH,
    is_valid_nonce,
    is_valid_signature_header,
    parse_timestamp,
    sign,
    verify,
)
from odoo.tests import TransactionCase, tagged

SECRET = "S2V5LWZvci10ZXN0LXZlY3RvcnMtb25seS0zMmJ5dGVz"
PUSH_BODY = (
    b'{"v":1,"batch_id":"b1","seq":1,"sent_at":"2025-11-28T18:00:00+00:00",'
    b'"snapshot":false,"events":[]}'
)
PUSH_SIGNATURE = "v1=3d490d0d27dc3144f144f634c39ff6c42d935fef34dd1b53e084d14e776690f6"
COMMAND_BODY = b'{"v":1,"id":"c1","type":"ping"}'
COMMAND_SIGNATURE = "v1=1c243a59d7b581ad77abb936eb6e23e69774faa65eca25f1a67d9fc2aeed0652"


@tagged("post_install", "-at_install")
class TestSigning(TransactionCase):
    def test_push_test_vector(self):
        signature = sign(SECRET, PURPOSE_PUSH, "1764352800", "bm9uY2UtMDAwMDAwMDE", PUSH_BODY)
        self.assertEqual(signature, PUSH_SIGNATURE)

    def test_command_test_vector(self):
        signature = sign(SECRET, PURPOSE_COMMAND, "1764352800", "bm9uY2UtMDAwMDAwMDI", COMMAND_BODY)
        self.assertEqual(signature, COMMAND_SIGNATURE)

    def test_verify_accepts_the_vector(self):
        self.assertTrue(
            verify(
                SECRET, PURPOSE_PUSH, "1764352800", "bm9uY2UtMDAwMDAwMDE", PUSH_BODY, PUSH_SIGNATURE
            )
        )

    def test_a_push_signature_is_not_valid_as_a_command(self):
        self.assertFalse(
            verify(
                SECRET,
                PURPOSE_COMMAND,
                "1764352800",
                "bm9uY2UtMDAwMDAwMDE",
                PUSH_BODY,
                PUSH_SIGNATURE,
            )
        )

    def test_any_changed_part_breaks_the_signature(self):
        arguments = (SECRET, PURPOSE_PUSH, "1764352800", "bm9uY2UtMDAwMDAwMDE", PUSH_BODY)
        for index, changed in (
            (0, SECRET[:-1] + "A"),
            (2, "1764352801"),
            (3, "bm9uY2UtMDAwMDAwMDX"),
            (4, PUSH_BODY + b" "),
        ):
            tampered = list(arguments)
            tampered[index] = changed
            with self.subTest(part=index):
                self.assertFalse(verify(*tampered, PUSH_SIGNATURE))

    def test_header_syntax(self):
        self.assertEqual(parse_timestamp("1764352800"), 1764352800)
        for bad in (None, "", "-5", "12.5", "1e9", "١٢٣", "9" * 20):
            with self.subTest(timestamp=bad):
                self.assertIsNone(parse_timestamp(bad))
        self.assertTrue(is_valid_nonce("bm9uY2UtMDAwMDAwMDE"))
        for bad in (None, "short", "has space in it!!", "a" * 129):
            with self.subTest(nonce=bad):
                self.assertFalse(is_valid_nonce(bad))
        self.assertTrue(is_valid_signature_header(PUSH_SIGNATURE))
        for bad in (None, "", PUSH_SIGNATURE.upper(), "v2=" + "0" * 64, PUSH_SIGNATURE[:-1]):
            with self.subTest(signature=bad):
                self.assertFalse(is_valid_signature_header(bad))
