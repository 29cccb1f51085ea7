"""`command_messages`: what a failed command tells its user (rendered by `env._`)."""

from odoo.addons.home_assistant.command_client import CommandAnswer
from odoo.addons.home_assistant.command_messages import clock_message, error_message
from odoo.tests import TransactionCase, tagged


def refused(code, message="", http_status=400, clock_offset_seconds=None):
    return CommandAnswer(False, http_status, None, code, message, 5, clock_offset_seconds)


@tagged("post_install", "-at_install")
class TestCommandMessages(TransactionCase):
    def test_each_code_names_the_instance_the_command_and_home_assistant_words(self):
        for answer, expected in (
            (refused("unreachable", http_status=0), "cannot be reached at its address"),
            (refused("invalid", "bad brightness"), "refused the data of light.turn_on: bad"),
            (refused("bad_answer", http_status=None), "(HTTP status -)"),
            (refused("brand_new", "why"), "refused light.turn_on (brand_new): why"),
        ):
            with self.subTest(code=answer.code):
                message = self.env._(error_message("Hall", "its address", "light.turn_on", answer))
                self.assertIn(expected, message)
                self.assertIn("Hall", message)

    def test_a_stale_timestamp_names_the_clocks_difference(self):
        answer = refused("stale_timestamp", http_status=401, clock_offset_seconds=-42)
        self.assertIn("42 seconds behind", self.env._(error_message("Hall", "x", "ping", answer)))
        self.assertIn("12 seconds ahead", self.env._(clock_message("Hall", 12)))
        self.assertIn("differ by more than 300 seconds", self.env._(clock_message("Hall", None)))
