"""A stand-in Odoo on 127.0.0.1: its state, the push endpoint, and the RPC of fake_odoo_rpc.py.

The push endpoint checks every request the way docs/protocol.md §1 requires of Odoo (its own HMAC
code, independent of the integration's `signing` module), then records what it accepted.
Tests script failures by queueing answers or by naming entity ids it must refuse.

`series` picks what the server plays: 18 answers `/jsonrpc` as odoorpc calls it; 19 also
answers JSON-2 (`/json/2/<model>/<method>`, bearer API key, `X-Odoo-Database`) and counts every
`/jsonrpc` call it gets in `deprecated_calls`, as Odoo 19 logs a warning for each.
"""

import gzip
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from .fake_odoo_rpc import PUSH_PATH, OdooRpcRoutes


@dataclass
class ScriptedAnswer:
    """An answer the push endpoint gives instead of processing the request."""

    status: int
    code: str = "scripted"
    headers: dict[str, str] = field(default_factory=dict)
    # More fields of the error object, such as `server_time`.
    details: dict[str, Any] = field(default_factory=dict)
    # A body that is not the protocol's (a proxy's HTML page) replaces the error object.
    page: str | None = None


@dataclass
class FakeOdoo(OdooRpcRoutes):
    """State and behaviour of the fake Odoo server."""

    series: int = 18
    databases: list[str] = field(default_factory=lambda: ["prod", "test"])
    list_databases: bool = True
    users: dict[str, str] = field(default_factory=lambda: {"admin": "key-123"})
    passwords: dict[str, str] = field(default_factory=lambda: {"admin": "admin-password"})
    ha_admins: set[str] = field(default_factory=lambda: {"admin"})
    addon_installed: bool = True
    secret: str | None = None
    base_url: str = ""
    # What Odoo's web.base.url says; `ha_pair` builds its push_url from it.
    web_base_url: str = ""
    pair_calls: list[dict[str, Any]] = field(default_factory=list)
    unpair_calls: list[str] = field(default_factory=list)
    scripted: list[ScriptedAnswer] = field(default_factory=list)
    refuse_entities: set[str] = field(default_factory=set)
    down: bool = False
    lose_next_answer: bool = False
    attempts: list[str] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    # The `X-Odoo-Database` header of every push, in arrival order ("" when absent).
    push_databases: list[str] = field(default_factory=list)
    rejected_signatures: int = 0
    gzipped_batches: int = 0
    seen_nonces: set[str] = field(default_factory=set)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"maintenance.request": {}, "res.partner": {}}
    )
    forbidden_models: set[str] = field(default_factory=set)
    method_calls: list[tuple[str, str, list[Any], dict[str, Any]]] = field(default_factory=list)
    deprecated_calls: int = 0
    json2_calls: list[tuple[str, str, str]] = field(default_factory=list)
    web_sessions: set[str] = field(default_factory=set)

    # ---- what the tests read ----------------------------------------------------------

    @property
    def version(self) -> str:
        """Return the server version text, `18.0` or `19.0`."""
        return f"{self.series}.0"

    @property
    def events(self) -> list[dict[str, Any]]:
        """Return every accepted event in arrival order."""
        return [event for batch in self.batches for event in batch["events"]]

    def state_events(self, entity_id: str) -> list[dict[str, Any]]:
        """Return the accepted state events of one entity, in arrival order."""
        return [e for e in self.events if e["t"] == "state" and e["entity_id"] == entity_id]

    # ---- push endpoint (docs/protocol.md §1, §3) ---------------------------------------------

    async def push(self, request: web.Request) -> web.Response:
        """Verify, decode and record a pushed batch, or give a scripted answer."""
        self.requests.append(time.monotonic())
        self.push_databases.append(request.headers.get("X-Odoo-Database", ""))
        body = await request.read()
        if not self._signature_valid(request, body):
            self.rejected_signatures += 1
            return _push_error(401, "bad_signature")
        if request.headers.get("Content-Encoding") == "gzip":
            self.gzipped_batches += 1
            body = gzip.decompress(body)
        batch = orjson.loads(body)
        if batch.get("v") != 1 or not isinstance(batch.get("events"), list):
            return _push_error(400, "bad_request")
        self.attempts.append(batch["batch_id"])
        if (refusal := self._refusal(batch)) is not None:
            return refusal
        duplicate = any(seen["batch_id"] == batch["batch_id"] for seen in self.batches)
        if not duplicate:
            self.batches.append(batch)
            for event in batch["events"]:
                self._apply(event)
        if self.lose_next_answer:
            # Committed, but the answer never reaches Home Assistant (as on a timeout).
            self.lose_next_answer = False
            return _push_error(502, "bad_gateway")
        return web.json_response(
            {
                "ok": True,
                "batch_id": batch["batch_id"],
                "accepted": 0 if duplicate else len(batch["events"]),
                "duplicate": duplicate,
            }
        )

    def _refusal(self, batch: dict[str, Any]) -> web.Response | None:
        """Return the failure the test asked for, if any."""
        if self.down:
            return _push_error(503, "unavailable")
        if self.scripted:
            answer = self.scripted.pop(0)
            if answer.page is not None:
                return web.Response(
                    status=answer.status, text=answer.page, content_type="text/html"
                )
            return _push_error(answer.status, answer.code, answer.headers, answer.details)
        if any(event.get("entity_id") in self.refuse_entities for event in batch["events"]):
            return _push_error(400, "bad_request")
        return None

    def _signature_valid(self, request: web.Request, body: bytes) -> bool:
        """Check timestamp, nonce and HMAC exactly as docs/protocol.md §1 describes."""
        timestamp = request.headers.get("X-Bridge-Timestamp", "")
        nonce = request.headers.get("X-Bridge-Nonce", "")
        signature = request.headers.get("X-Bridge-Signature", "")
        if self.secret is None or not timestamp.isdigit() or len(nonce) < 16:
            return False
        if abs(time.time() - int(timestamp)) > 300 or nonce in self.seen_nonces:
            return False
        message = b"v1\npush\n" + timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
        expected = hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest("v1=" + expected, signature):
            return False
        self.seen_nonces.add(nonce)
        return True

    def _apply(self, event: dict[str, Any]) -> None:
        """Keep the newest state per entity, as Odoo does (newest wins by last_updated)."""
        if event["t"] != "state":
            return
        current = self.states.get(event["entity_id"])
        if current is None or current["last_updated"] <= event["last_updated"]:
            self.states[event["entity_id"]] = event

    def app(self) -> web.Application:
        """Return the aiohttp application serving both faces of Odoo."""
        # Like Odoo (werkzeug), hand the handler the body exactly as sent: the signature covers it.
        application = web.Application(handler_args={"auto_decompress": False})
        application.router.add_post("/web/webclient/version_info", self.version_info)
        application.router.add_post("/web/database/list", self.database_list)
        application.router.add_post("/web/session/authenticate", self.session_authenticate)
        application.router.add_post("/web/session/destroy", self.session_destroy)
        application.router.add_post("/jsonrpc", self.jsonrpc)
        application.router.add_post("/json/2/{model}/{method}", self.json2)
        application.router.add_post(PUSH_PATH, self.push)
        return application


def _push_error(
    status: int,
    code: str,
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> web.Response:
    """Return an error answer of the push endpoint."""
    return web.json_response(
        {"ok": False, "error": {"code": code, "message": f"scripted {code}", **(details or {})}},
        status=status,
        headers=headers,
    )
