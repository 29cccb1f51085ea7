"""A stand-in Odoo on 127.0.0.1: the JSON-RPC endpoints odoorpc calls and the signed push endpoint.

The push endpoint checks every request the way PROTOCOL.md §1 requires of Odoo (its own HMAC
code, independent of the integration's `signing` module), then records what it accepted.
Tests script failures by queueing answers or by naming entity ids it must refuse.
"""

import gzip
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

SERVER_VERSION = "18.0"
PUSH_PATH = "/home_assistant/push/{uuid}"


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
class FakeOdoo:
    """State and behaviour of the fake Odoo server."""

    databases: list[str] = field(default_factory=lambda: ["prod", "test"])
    list_databases: bool = True
    users: dict[str, str] = field(default_factory=lambda: {"admin": "key-123"})
    ha_admins: set[str] = field(default_factory=lambda: {"admin"})
    addon_installed: bool = True
    secret: str | None = None
    base_url: str = ""
    pair_calls: list[dict[str, Any]] = field(default_factory=list)
    unpair_calls: list[str] = field(default_factory=list)
    scripted: list[ScriptedAnswer] = field(default_factory=list)
    refuse_entities: set[str] = field(default_factory=set)
    down: bool = False
    lose_next_answer: bool = False
    attempts: list[str] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    rejected_signatures: int = 0
    gzipped_batches: int = 0
    seen_nonces: set[str] = field(default_factory=set)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"maintenance.request": {}, "res.partner": {}}
    )
    forbidden_models: set[str] = field(default_factory=set)
    method_calls: list[tuple[str, str, list[Any], dict[str, Any]]] = field(default_factory=list)

    # ---- what the tests read ----------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """Return every accepted event in arrival order."""
        return [event for batch in self.batches for event in batch["events"]]

    def state_events(self, entity_id: str) -> list[dict[str, Any]]:
        """Return the accepted state events of one entity, in arrival order."""
        return [e for e in self.events if e["t"] == "state" and e["entity_id"] == entity_id]

    # ---- JSON-RPC (what odoorpc calls) --------------------------------------------------

    async def version_info(self, request: web.Request) -> web.Response:
        """Answer /web/webclient/version_info like Odoo 18."""
        payload = await request.json()
        return _rpc_result(
            payload, {"server_version": SERVER_VERSION, "server_serie": SERVER_VERSION}
        )

    async def jsonrpc(self, request: web.Request) -> web.Response:
        """Answer /jsonrpc for the db, common and object services."""
        payload = await request.json()
        params = payload["params"]
        service, method, args = params["service"], params["method"], params["args"]
        if service == "db" and method == "list":
            if not self.list_databases:
                return _rpc_error(payload, "odoo.exceptions.AccessDenied", "Access Denied")
            return _rpc_result(payload, self.databases)
        if service == "common" and method == "login":
            database, login, password = args
            if database not in self.databases:
                return _rpc_error(
                    payload,
                    "psycopg2.OperationalError",
                    f'connection failed: FATAL:  database "{database}" does not exist',
                )
            return _rpc_result(payload, 2 if self.users.get(login) == password else False)
        if service == "object":
            return self._object(payload, args)
        return _rpc_error(payload, "builtins.KeyError", "unknown service")

    def _object(  # noqa: PLR0911 - one answer per RPC the pairing makes
        self, payload: dict[str, Any], args: list[Any]
    ) -> web.Response:
        """Answer object.execute / object.execute_kw calls of the pairing."""
        _database, _uid, password, model, method, *rest = args
        if password not in self.users.values():
            return _rpc_error(payload, "odoo.exceptions.AccessDenied", "Access Denied")
        login = next(name for name, key in self.users.items() if key == password)
        if model == "res.users" and method == "context_get":
            return _rpc_result(payload, {"lang": "en_US", "tz": "UTC"})
        if model == "ir.model" and method == "search":
            found = self.addon_installed and rest[0] == [["model", "=", "ha.instance"]]
            return _rpc_result(payload, [42] if found else [])
        if model in self.records:
            return self._model_method(payload, model, method, *rest)
        if model != "ha.instance" or not self.addon_installed:
            return _rpc_error(payload, "odoo.exceptions.UserError", f"Object {model} doesn't exist")
        if method == "fields_get":
            return _rpc_result(payload, {})
        if login not in self.ha_admins:
            return _rpc_error(
                payload, "odoo.exceptions.AccessError", "Only Home Assistant administrators"
            )
        values = rest[0][0]
        if method == "ha_pair":
            self.pair_calls.append(values)
            self.secret = values["secret"]
            return _rpc_result(
                payload,
                {
                    "instance_id": 7,
                    "push_url": self.base_url + PUSH_PATH.format(uuid=values["uuid"]),
                    "odoo_version": SERVER_VERSION,
                    "protocol": 1,
                },
            )
        if method == "ha_unpair":
            self.unpair_calls.append(values)
            return _rpc_result(payload, True)
        return _rpc_error(payload, "builtins.AttributeError", f"no method {method}")

    def _model_method(
        self,
        payload: dict[str, Any],
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
    ) -> web.Response:
        """Answer execute_kw on an ordinary model: create, search_read, or Odoo's errors."""
        self.method_calls.append((model, method, args, kwargs or {}))
        if model in self.forbidden_models:
            return _rpc_error(payload, "odoo.exceptions.AccessError", f"No access to {model}")
        table = self.records[model]
        if method == "create":
            values = args[0]
            if not values.get("name"):
                return _rpc_error(payload, "odoo.exceptions.ValidationError", "name is required")
            record_id = len(table) + 1
            table[record_id] = {"id": record_id, **values}
            return _rpc_result(payload, record_id)
        if method == "search_read":
            fields = (kwargs or {}).get("fields")
            rows = [
                {key: row.get(key) for key in ["id", *fields]} if fields else row
                for row in table.values()
            ]
            return _rpc_result(payload, rows)
        return _rpc_error(payload, "builtins.AttributeError", f"no method {method} on {model}")

    # ---- push endpoint (PROTOCOL.md §1, §3) ---------------------------------------------

    async def push(self, request: web.Request) -> web.Response:
        """Verify, decode and record a pushed batch, or give a scripted answer."""
        self.requests.append(time.monotonic())
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
        """Check timestamp, nonce and HMAC exactly as PROTOCOL.md §1 describes."""
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
        application.router.add_post("/jsonrpc", self.jsonrpc)
        application.router.add_post(PUSH_PATH, self.push)
        return application


def _rpc_result(payload: dict[str, Any], result: Any) -> web.Response:
    """Return a JSON-RPC success."""
    return web.json_response({"jsonrpc": "2.0", "id": payload.get("id"), "result": result})


def _rpc_error(payload: dict[str, Any], name: str, message: str) -> web.Response:
    """Return a JSON-RPC error shaped like Odoo's."""
    error = {
        "code": 200,
        "message": "Odoo Server Error",
        "data": {"name": name, "message": message, "arguments": [message], "debug": ""},
    }
    return web.json_response({"jsonrpc": "2.0", "id": payload.get("id"), "error": error})


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
