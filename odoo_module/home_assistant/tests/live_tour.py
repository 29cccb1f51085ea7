"""What the browser tours with live updates share: pushes the browser POSTs like Home
Assistant, and a bus that announces its messages at once (see the tours' files)."""

import json
import secrets
import time

from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.signing import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    PURPOSE_PUSH,
    PUSH_PATH,
    sign,
)
from odoo.addons.home_assistant.tests.common import SECRET
from odoo.addons.home_assistant.tests.fake_home_assistant import HomeAssistantCommandCase

# Where the tours find the signed pushes the test prepared (static/tests/tours).
PUSHES_KEY = "home_assistant_tour_pushes"


class LiveTourCase(HomeAssistantCommandCase, WebsocketCase):
    """A tour in headless Chromium against a fake Home Assistant, with live updates.

    `WebsocketCase` lets the browser's bus websocket connect (Odoo refuses it in tests
    otherwise). Pushes during the tour are posted by the browser itself: the test signs them
    beforehand and leaves them in sessionStorage.
    """

    def setUp(self):
        super().setUp()
        if not compat.TOURS_WAKE_THE_BUS:
            self.wake_the_bus_on_send()

    def wake_the_bus_on_send(self):
        """Store and announce every bus message at once, as 19.0's `start_tour` does itself.

        A test cursor's commit drops the post-commit hooks, so the NOTIFY that wakes the bus
        after a push would never be sent and the browser would never hear of the push. The
        whole test shares one transaction, so the bus can be woken at once instead.
        """
        bus = type(self.env["bus.bus"])
        sendone = bus._sendone

        def sendone_and_wake(records, target, notification_type, message):
            sendone(records, target, notification_type, message)
            records.env.cr.precommit.run()  # stores the bus.bus rows
            records.env.cr.postcommit.run()  # sends the NOTIFY

        self.patch(bus, "_sendone", sendone_and_wake)

    def signed_push(self, events):
        """A push of `events` signed now, for the browser to POST: URL, headers and body."""
        body = json.dumps(self.make_batch(events))
        timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(16)
        return {
            "url": PUSH_PATH.format(uuid=self.instance.uuid),
            "headers": {
                "Content-Type": "application/json",
                HEADER_TIMESTAMP: timestamp,
                HEADER_NONCE: nonce,
                HEADER_SIGNATURE: sign(SECRET, PURPOSE_PUSH, timestamp, nonce, body.encode()),
            },
            "body": body,
        }

    def start_live_tour(self, url, tour, login, pushes):
        """Run `tour` from `url` as `login`, the signed `pushes` (name → push) at hand."""
        options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False, "startUrl": url}
        store = f"sessionStorage.setItem({PUSHES_KEY!r}, {json.dumps(json.dumps(pushes))});"
        self.start_tour(
            url, tour, login=login, code=f"{store} odoo.startTour({tour!r}, {json.dumps(options)})"
        )
