"""A stand-in for the integration's command webhook on 127.0.0.1, for the command tests.

It checks every request the way the integration does, with its own HMAC code (not the
addon's signing module, so a mistake there cannot hide itself): headers present, nonce never
seen, `v1=` HMAC-SHA256 over the purpose `command` string-to-sign, then the timestamp within
300 s of its own clock (which a test may set off by `clock_offset` seconds: a correctly
signed but stale command gets 401 `stale_timestamp` with its `server_time`). Then it answers
like the integration, or with whatever answer a test scripted.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from odoo import Command
from odoo.addons.home_assistant.tests.common import SECRET, HomeAssistantHttpCase
from odoo.tests.common import _super_send

WEBHOOK_PATH = "/api/webhook/"
# A real 1 by 1 PNG: the still the fake camera answers `camera_snapshot` with.
STILL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)


def integration_answer(command):
    """The integration's success answer to a command (PROTOCOL §4)."""
    if command["type"] == "call_service":
        return 200, {"ok": True, "id": command["id"], "response": None}
    if command["type"] == "update_registry":
        return 200, {"ok": True, "id": command["id"]}
    if command["type"] == "camera_snapshot":
        return 200, {
            "ok": True,
            "id": command["id"],
            "entity_id": command["entity_id"],
            "content_type": "image/png",
            "bytes": len(STILL_PNG),
            "image": base64.b64encode(STILL_PNG).decode(),
        }
    if command["type"] == "ping":
        return 200, {
            "ok": True,
            "id": command["id"],
            "ha_version": "2026.11.1",
            "time": "2026-11-28T18:00:00+00:00",
            "outbox": 42,
        }
    return 202, {"ok": True, "id": command["id"]}


def todo_answer(lists, command):
    """Play Home Assistant's todo services on `lists` ({entity id: [item]}) as its local
    lists do: items by uid or summary, `get_items` answering per entity id."""
    (entity_id,) = command["target"]["entity_id"]
    items, data, service = lists[entity_id], command["data"], command["service"]
    response = None
    if service == "get_items":
        statuses = data.get("status") or ["needs_action", "completed"]
        response = {entity_id: {"items": [item for item in items if item["status"] in statuses]}}
    elif service == "add_item":
        uid = f"uid-{len(items) + 1}"
        items.append({"uid": uid, "summary": data["item"], "status": "needs_action"})
    else:
        names = data["item"] if isinstance(data["item"], list) else [data["item"]]
        chosen = [item for item in items if item["uid"] in names or item["summary"] in names]
        if not chosen:
            return error(400, "invalid", "Unable to find to-do list item")
        for item in chosen:
            if service == "remove_item":
                items.remove(item)
            else:
                item.update(status=data.get("status", item["status"]))
                item.update(summary=data.get("rename", item["summary"]))
    return 200, {"ok": True, "id": command["id"], "response": response}


def error(status, code, message):
    """A scripted error answer in the protocol's error shape."""
    return status, {"ok": False, "error": {"code": code, "message": message}}


class FakeHomeAssistant(ThreadingHTTPServer):
    """The webhook server; `requests` holds what it received, `script` what it answers next."""

    daemon_threads = True

    def __init__(self, secret=SECRET):
        super().__init__(("127.0.0.1", 0), FakeWebhookHandler)
        self.secret = secret
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.received = []
        self.refused = []
        self.seen_nonces = set()
        # (status, body) to answer instead of the integration's; body may be bytes.
        self.script = None
        # Seconds to wait before answering (to play a slow Home Assistant).
        self.delay = 0
        # {entity id: (status, body)}: the answer to any service call targeting that entity,
        # like the integration refusing a service outside its allow-list (see `refuse`).
        self.entity_answers = {}
        # Seconds this Home Assistant's clock is ahead of the real one (negative: behind).
        self.clock_offset = 0
        # {entity id: [item]}: todo lists whose services this Home Assistant plays.
        self.todo_lists = {}
        # {(domain, service): response}: what a service answering with data answers.
        self.responses = {}
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def handle_error(self, request, client_address):
        """Stay quiet when Odoo hung up first (the timeout tests do so on purpose)."""

    def stop(self):
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    def refuse(self, entity_id, service):
        """Answer calls on `entity_id` as the integration answers a service not allowed."""
        self.entity_answers[entity_id] = error(
            403, "not_allowed", f"Odoo may not call {service} (not in the allowed services)"
        )

    def answer_for(self, command):
        """The entity's scripted answer when the command targets one, else the integration's."""
        targets = command.get("target", {}).get("entity_id") or []
        for entity_id in targets if isinstance(targets, list) else [targets]:
            if entity_id in self.entity_answers:
                return self.entity_answers[entity_id]
            if entity_id in self.todo_lists and command.get("domain") == "todo":
                return todo_answer(self.todo_lists, command)
        key = (command.get("domain"), command.get("service"))
        if command["type"] == "call_service" and key in self.responses:
            return 200, {"ok": True, "id": command["id"], "response": self.responses[key]}
        return integration_answer(command)

    def signature_refusal(self, headers, body):
        """The integration's check of a command's signature headers (PROTOCOL §1).

        None when the command may pass, else the (status, body) it is refused with.
        """
        timestamp = headers.get("X-Bridge-Timestamp", "")
        nonce = headers.get("X-Bridge-Nonce", "")
        signature = headers.get("X-Bridge-Signature", "")
        refused = error(401, "unauthorized", "The request signature was refused.")
        if not timestamp.isdigit() or len(nonce) < 16 or nonce in self.seen_nonces:
            return refused
        signed = b"v1\ncommand\n" + timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
        expected = "v1=" + hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return refused
        now = int(time.time()) + self.clock_offset
        if abs(now - int(timestamp)) > 300:
            status, answer = error(401, "stale_timestamp", "The timestamp is too far away.")
            answer["error"]["server_time"] = now
            return status, answer
        self.seen_nonces.add(nonce)
        return None


class FakeWebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        refusal = (
            server.signature_refusal(self.headers, body)
            if self.path.startswith(WEBHOOK_PATH)
            else error(401, "unauthorized", "The request signature was refused.")
        )
        if refusal:
            server.refused.append({"path": self.path, "headers": dict(self.headers)})
            self.answer(*refusal)
            return
        command = json.loads(body)
        server.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if server.delay:
            time.sleep(server.delay)
        self.answer(*(server.script or server.answer_for(command)))

    def answer(self, status, body):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        if raw:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format, *args):
        """Keep the test log quiet."""


class HomeAssistantCommandCase(HomeAssistantHttpCase):
    """Tests sending commands to a `FakeHomeAssistant` that the paired instance points at.

    An `HttpCase`: its registry test mode lets the audit log's own transactions run on the
    test's cursor.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.home_assistant = FakeHomeAssistant().start()
        cls.addClassCleanup(cls.home_assistant.stop)
        cls.instance.ha_url = cls.home_assistant.url
        cls.member = cls._create_user("ha_command_member", name="Jane Member")
        cls.instance.user_ids = [Command.link(cls.member.id)]
        # Only Home Assistant administrators may call any service (`call_service`).
        cls.administrator = cls._create_user(
            "ha_command_administrator",
            groups="home_assistant.group_home_assistant_manager",
            name="Joe Administrator",
        )

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        """Send loopback requests (the fake Home Assistant, a closed port) with their timeouts.

        Odoo 19's test handler compares every timeout with 10 s, which fails on the addon's
        (connect, read) pair, and lengthens shorter ones, which the timeout tests must not
        have. Anything else still goes through Odoo's handler, which blocks it.
        """
        if urlsplit(request.url).hostname == "127.0.0.1":
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)

    def setUp(self):
        super().setUp()
        self.home_assistant.received.clear()
        self.home_assistant.refused.clear()
        self.home_assistant.script = None
        self.home_assistant.delay = 0
        self.home_assistant.entity_answers.clear()
        self.home_assistant.clock_offset = 0
        self.home_assistant.todo_lists.clear()
        self.home_assistant.responses.clear()
        # The audit log writes through another (test) cursor: the fixtures must be in the DB.
        self.env.flush_all()

    def sent(self):
        """The commands the fake Home Assistant accepted, decoded."""
        return [json.loads(request["body"]) for request in self.home_assistant.received]

    def assert_raises_keeping_writes(self, exception):
        """`assertRaises` without Odoo's savepoint, which would also roll back the audit log.

        In production the log has its own transaction; here it shares the test's cursor.
        """
        return unittest.TestCase.assertRaises(self, exception)

    def audit_log(self):
        """Every ha.command row, oldest first."""
        return self.env["ha.command"].sudo().search([], order="id")


class EntityServiceCase(HomeAssistantCommandCase):
    """Commands sent by the entity controls: the class's `ENTITIES` ({entity id: (state,
    attributes)}) created once, and `act`, the instance member calling one's service."""

    ENTITIES = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.entities = cls._create_entities(cls.ENTITIES)

    def act(self, entity_id, service, data=None):
        return self.entities[entity_id].with_user(self.member).call_entity_service(service, data)
