"""The fake Odoo's RPC face: web routes, JSON-RPC (what odoorpc calls) and JSON-2 (Odoo 19).

`OdooRpcRoutes` answers over the state `FakeOdoo` declares (users, databases, records, the
pairing calls it records); `fake_odoo.py` adds the push endpoint and serves both.
"""

import re
import secrets
from typing import Any

from aiohttp import web

PUSH_PATH = "/home_assistant/push/{uuid}"
# The parameters of the methods the fake knows, by name, as JSON-2 wants them and in the
# order JSON-RPC passes them; `ids` is the records a method runs on.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "context_get": (),
    "read": ("ids", "fields"),
    "ha_pair": ("values",),
    "ha_unpair": ("uuid",),
    "create": ("vals_list",),
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "write": ("ids", "vals"),
}


class OdooException(Exception):
    """An exception the fake raises as Odoo would; JSON-2 answers it with `status`."""

    def __init__(self, name: str, message: str, status: int = 422) -> None:
        """Remember Odoo's exception class, its message and JSON-2's status."""
        super().__init__(message)
        self.name = name
        self.message = message
        self.status = status


def access_error(message: str) -> OdooException:
    """Return Odoo's AccessError (403 on JSON-2)."""
    return OdooException("odoo.exceptions.AccessError", message, 403)


def not_found(message: str) -> OdooException:
    """Return the NotFound JSON-2 raises for an unknown model or method."""
    return OdooException("werkzeug.exceptions.NotFound", message, 404)


class OdooRpcRoutes:
    """The RPC routes of the fake; mixed into `FakeOdoo`, whose fields they read and record."""

    # ---- web routes (JSON-RPC `type=json` routes of the web module, both series) --------

    async def version_info(self, request: web.Request) -> web.Response:
        """Answer /web/webclient/version_info."""
        payload = await request.json()
        return _rpc_result(
            payload,
            {
                "server_version": self.version,
                "server_version_info": [self.series, 0, 0, "final", 0, ""],
                "server_serie": self.version,
                "protocol_version": 1,
            },
        )

    async def database_list(self, request: web.Request) -> web.Response:
        """Answer /web/database/list; refused when `list_db = False`."""
        payload = await request.json()
        if not self.list_databases:
            return _rpc_error(payload, "odoo.exceptions.AccessDenied", "Access Denied")
        return _rpc_result(payload, self.databases)

    async def session_authenticate(self, request: web.Request) -> web.Response:
        """Answer /web/session/authenticate: a web login with the password opens a session."""
        payload = await request.json()
        params = payload["params"]
        if self.passwords.get(params["login"]) != params["password"]:
            return _rpc_error(payload, "odoo.exceptions.AccessDenied", "Access Denied")
        session_id = secrets.token_hex(8)
        self.web_sessions.add(session_id)
        response = _rpc_result(payload, {"uid": 2, "db": params["db"]})
        response.set_cookie("session_id", session_id)
        return response

    async def session_destroy(self, request: web.Request) -> web.Response:
        """Answer /web/session/destroy: log the cookie's session out."""
        payload = await request.json()
        self.web_sessions.discard(request.cookies.get("session_id", ""))
        return _rpc_result(payload, None)

    # ---- JSON-RPC (what odoorpc calls) --------------------------------------------------

    async def jsonrpc(self, request: web.Request) -> web.Response:
        """Answer /jsonrpc for the db, common and object services."""
        if self.series >= 19:
            self.deprecated_calls += 1
        payload = await request.json()
        params = payload["params"]
        service, method, args = params["service"], params["method"], params["args"]
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

    def _object(self, payload: dict[str, Any], args: list[Any]) -> web.Response:
        """Answer object.execute / object.execute_kw calls."""
        _database, _uid, password, model, method, *rest = args
        if password not in self.users.values():
            return _rpc_error(payload, "odoo.exceptions.AccessDenied", "Access Denied")
        login = next(name for name, key in self.users.items() if key == password)
        if model == "ir.model" and method == "search":
            found = self.addon_installed and rest[0] == [["model", "=", "ha.instance"]]
            return _rpc_result(payload, [42] if found else [])
        if model == "ha.instance" and method == "fields_get":
            return _rpc_result(payload, {})
        positional = rest[0] if rest else []
        keywords = {k: v for k, v in (rest[1] if len(rest) > 1 else {}).items() if k != "context"}
        if model in self.records:
            self.method_calls.append((model, method, positional, keywords))
        try:
            return _rpc_result(payload, self._execute(login, model, method, positional, keywords))
        except OdooException as err:
            if err.name.endswith("NotFound"):
                # Over JSON-RPC Odoo reports an unknown model as a plain error.
                return _rpc_error(payload, "odoo.exceptions.UserError", err.message)
            return _rpc_error(payload, err.name, err.message)

    # ---- JSON-2 (Odoo 19) ---------------------------------------------------------------

    async def json2(self, request: web.Request) -> web.Response:
        """Answer POST /json/2/<model>/<method> with the bearer key's user."""
        if self.series < 19:
            raise web.HTTPNotFound
        database = request.headers.get("X-Odoo-Database", "")
        if database not in self.databases:
            # Odoo serves its HTML 404 page when no database is selected.
            return web.Response(status=404, text="<h1>Not Found</h1>", content_type="text/html")
        header = request.headers.get("Authorization", "")
        match = re.fullmatch(r"bearer\s+(.+)", header, re.IGNORECASE)
        login = next((n for n, k in self.users.items() if match and k == match[1]), None)
        if login is None:
            return _json2_error(
                OdooException("werkzeug.exceptions.Unauthorized", "Invalid apikey", 401)
            )
        model, method = request.match_info["model"], request.match_info["method"]
        self.json2_calls.append((database, model, method))
        body = await request.json()
        arguments = {key: value for key, value in body.items() if key != "context"}
        if model in self.records:
            self.method_calls.append((model, method, [], arguments))
        try:
            return web.json_response(self._execute(login, model, method, [], arguments))
        except OdooException as err:
            return _json2_error(err)

    # ---- the methods both APIs reach -----------------------------------------------------

    def _execute(
        self, login: str, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Bind the arguments to the method's parameters by name, as Odoo does, and run it."""
        names = SIGNATURES.get(method)
        if names is None:
            raise OdooException("builtins.AttributeError", f"no method {method} on {model}", 500)
        if len(args) > len(names) or not set(kwargs) <= set(names):
            raise OdooException(
                "werkzeug.exceptions.UnprocessableEntity", f"wrong arguments for {method}"
            )
        params = dict(zip(names, args, strict=False)) | kwargs
        if model == "res.users":
            return self._users(login, method, params)
        if model == "ha.instance":
            return self._instance(login, method, params)
        if model in self.records:
            return self._model_method(model, method, params)
        raise not_found(f"the model {model!r} does not exist")

    def _users(self, login: str, method: str, params: dict[str, Any]) -> Any:
        """Answer res.users: the caller's context (with its uid) and logins."""
        uid = 2 + list(self.users).index(login)
        if method == "context_get":
            return {"lang": "en_US", "tz": "UTC", "uid": uid}
        logins = {2 + index: name for index, name in enumerate(self.users)}
        return [{"id": i, "login": logins[i]} for i in params.get("ids", []) if i in logins]

    def _instance(self, login: str, method: str, params: dict[str, Any]) -> Any:
        """Answer ha.instance's pairing methods."""
        if not self.addon_installed:
            raise not_found("the model 'ha.instance' does not exist")
        if login not in self.ha_admins:
            raise access_error("Only Home Assistant administrators")
        if method == "ha_pair":
            values = params["values"]
            self.pair_calls.append(values)
            self.secret = values["secret"]
            base = self.web_base_url or self.base_url
            return {
                "instance_id": 7,
                "push_url": base + PUSH_PATH.format(uuid=values["uuid"]),
                "odoo_version": self.version,
                "protocol": 1,
            }
        if method == "ha_unpair":
            self.unpair_calls.append(params["uuid"])
            return True
        raise OdooException("builtins.AttributeError", f"no method {method}", 500)

    def _model_method(self, model: str, method: str, params: dict[str, Any]) -> Any:
        """Run create or search_read on an ordinary model, or raise Odoo's errors."""
        if model in self.forbidden_models:
            raise access_error(f"No access to {model}")
        table = self.records[model]
        if method == "create":
            vals_list = params["vals_list"]
            created = []
            for values in vals_list if isinstance(vals_list, list) else [vals_list]:
                if not values.get("name"):
                    raise OdooException("odoo.exceptions.ValidationError", "name is required")
                record_id = len(table) + 1
                table[record_id] = {"id": record_id, **values}
                created.append(record_id)
            # One dict creates one record and answers its id; a list answers the ids.
            return created if isinstance(vals_list, list) else created[0]
        if method == "search_read":
            fields = params.get("fields")
            return [
                {key: row.get(key) for key in ["id", *fields]} if fields else row
                for row in table.values()
            ]
        if method == "write":
            for record_id in params["ids"]:
                table[record_id].update(params["vals"])
            return True
        raise OdooException("builtins.AttributeError", f"no method {method} on {model}", 500)


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


def _json2_error(err: OdooException) -> web.Response:
    """Return a JSON-2 error: the HTTP status and Odoo's exception as JSON."""
    body = {"name": err.name, "message": err.message, "arguments": [err.message], "debug": ""}
    return web.json_response(body, status=err.status)
