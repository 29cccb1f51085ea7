"""Helpers of the fault and security tests: a switchable proxy, a private PostgreSQL cluster,
counting what Odoo stored, and signing requests as either side does."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import shutil
import socketserver
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from stack import (
    ODOO_ADMIN_LOGIN,
    HomeAssistant,
    OdooServer,
    config_flow,
    free_port,
    wait_for,
)

T = TypeVar("T")

# Every secret, API key and webhook id a test created, for the log scan at the end.
CREATED_SECRETS: set[str] = set()


@contextlib.contextmanager
def running_hass(config_dir: Path, **options: Any) -> Iterator[HomeAssistant]:
    """A started, onboarded `hass` (options as `HomeAssistant` takes them), always stopped."""
    server = HomeAssistant(config_dir, **options)
    try:
        server.start()
        server.onboard()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def running_odoo(
    name: str, work_dir: Path, drop: bool = False, **options: Any
) -> Iterator[OdooServer]:
    """Odoo on a fresh database `name_<random>` with the addon installed, always stopped.

    `drop` removes the database afterwards (a private cluster is destroyed whole instead).
    """
    server = OdooServer(f"{name}_{uuid.uuid4().hex[:8]}", work_dir, **options)
    server.install()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if drop:
            server.drop()


class FaultProxy:
    """An HTTP proxy between Home Assistant and Odoo that can fail or slow down on demand.

    mode "pass" forwards; "error" answers `error_status` without forwarding; `delay` seconds
    are waited before forwarding. A target that does not answer gives 502, as a real
    reverse proxy would.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.mode = "pass"
        self.error_status = 503
        self.delay = 0.0
        self.answers: Counter[int] = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                """Quiet: the paths hold instance ids."""

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.mode == "error":
                    self._answer(proxy.error_status, b'{"ok": false}', "application/json")
                    return
                if proxy.delay:
                    time.sleep(proxy.delay)
                headers = {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() not in ("host", "connection", "keep-alive")
                }
                try:
                    connection = http.client.HTTPConnection(
                        "127.0.0.1", proxy.target_port, timeout=120
                    )
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    content_type = response.getheader("Content-Type", "application/json")
                    status = response.status
                    connection.close()
                except OSError:
                    self._answer(502, b"", "text/plain")
                    return
                self._answer(status, payload, content_type)

            def _answer(self, status: int, payload: bytes, content_type: str) -> None:
                with proxy._lock:
                    proxy.answers[status] += 1
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the proxy."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    @contextlib.contextmanager
    def failing(self, status: int) -> Iterator[None]:
        """Answer `status` to everything inside the block."""
        self.mode, self.error_status = "error", status
        try:
            yield
        finally:
            self.mode = "pass"

    @contextlib.contextmanager
    def slow(self, seconds: float) -> Iterator[None]:
        """Wait `seconds` before forwarding each request inside the block."""
        self.delay = seconds
        try:
            yield
        finally:
            self.delay = 0.0


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster of its own under /tmp, so a test may restart it.

    Other test runs on the machine use the default cluster; restarting that one would
    break them.
    """

    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pg-fault-")))

    def _as_postgres(self, command: str) -> None:
        subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)

    def _ctl(self, action: str) -> None:
        binary = Path("/usr/lib/postgresql") / self._version() / "bin" / "pg_ctl"
        self._as_postgres(
            f"{binary} -D {self.directory / 'data'} -l {self.directory / 'postgres.log'} -w "
            f"-o '-p {self.port} -c listen_addresses=127.0.0.1 "
            # Also the default socket folder: odoo-env.sh checks its role through it (PGPORT).
            f"-c unix_socket_directories={self.directory},/var/run/postgresql' {action}"
        )

    @staticmethod
    def _version() -> str:
        return sorted(Path("/usr/lib/postgresql").iterdir())[-1].name

    def create(self) -> None:
        """initdb, start, and create the role odoo-env.sh connects with."""
        shutil.chown(self.directory, "postgres", "postgres")
        binary = Path("/usr/lib/postgresql") / self._version() / "bin" / "initdb"
        self._as_postgres(f"{binary} -D {self.directory / 'data'} -A trust -U postgres")
        self._ctl("start")
        self._as_postgres(
            f"psql -h 127.0.0.1 -p {self.port} -c "
            "\"CREATE ROLE odoo LOGIN SUPERUSER PASSWORD 'odoo'\""
        )

    def restart(self) -> None:
        """Restart the cluster (fast mode: open connections are cut)."""
        self._ctl("-m fast restart")

    def destroy(self) -> None:
        """Stop the cluster and remove its files."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m immediate stop")
        shutil.rmtree(self.directory, ignore_errors=True)


def pair_through(hass: HomeAssistant, odoo: OdooServer, odoo_url: str) -> dict[str, Any]:
    """Pair `hass` with `odoo` reached at `odoo_url`, remembering the secrets created.

    HA pushes to `odoo_url` whatever Odoo's web.base.url says. The synthetic instances a test
    pairs through `ha_pair` push to the push_url Odoo answers, built from web.base.url, so it
    is set (and frozen against the admin's next login) to `odoo_url` first.
    """
    client = odoo.rpc()
    parameters = client.env["ir.config_parameter"]
    parameters.set_param("web.base.url", odoo_url)
    parameters.set_param("web.base.url.freeze", "True")
    api_key = odoo.create_api_key(ODOO_ADMIN_LOGIN, "Home Assistant")
    CREATED_SECRETS.add(api_key)
    target = SimpleNamespace(url=odoo_url, database=odoo.database)
    result = config_flow(hass, target, ODOO_ADMIN_LOGIN, api_key)  # type: ignore[arg-type]
    if result.get("type") != "create_entry":
        raise RuntimeError(f"pairing failed: {result}")
    remember_pairing_secrets(odoo)
    return dict(result)


def set_options(hass: HomeAssistant, entry_id: str, options: dict[str, Any]) -> None:
    """Submit the integration's options form with `options` (the others get their defaults)."""
    status, flow = hass.api(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    assert status == 200, flow
    status, result = hass.api(
        "POST", f"/api/config/config_entries/options/flow/{flow['flow_id']}", options
    )
    assert status == 200, result
    assert result["type"] == "create_entry", result


def instance_secrets(odoo: OdooServer) -> list[dict[str, Any]]:
    """uuid, secret, webhook id and push URL of every instance, read as the administrator."""
    return list(
        odoo.rpc()
        .env["ha.instance"]
        .with_context(active_test=False)
        .search_read([], ["uuid", "secret", "webhook_id", "push_url", "ha_url", "active"])
    )


def pair_new_instance(odoo: OdooServer, pairing: Callable[[], T]) -> tuple[T, dict[str, Any]]:
    """Run `pairing`; return what it returned and the row (secrets included) of the one
    instance it created in `odoo`, which other modules' Home Assistants may share."""
    before = {row["id"] for row in instance_secrets(odoo)}
    result = pairing()
    rows = [row for row in instance_secrets(odoo) if row["id"] not in before]
    assert len(rows) == 1, rows
    return result, rows[0]


def remember_pairing_secrets(odoo: OdooServer) -> None:
    """Add every instance's secret and webhook id to CREATED_SECRETS."""
    for row in instance_secrets(odoo):
        CREATED_SECRETS.update(value for value in (row["secret"], row["webhook_id"]) if value)


class StateStream:
    """Changes plain sensors in Home Assistant at a steady rate, counting what was sent."""

    def __init__(self, hass: HomeAssistant, prefix: str, sensors: int = 5) -> None:
        self.hass = hass
        self.entity_ids = [f"sensor.{prefix}_{index}" for index in range(sensors)]
        self.sent: dict[str, list[str]] = {entity_id: [] for entity_id in self.entity_ids}
        self.sent_at: list[tuple[float, str, str]] = []
        self.counter = 0
        self.failures = 0

    def run(self, seconds: float, rate: float, stop: threading.Event | None = None) -> None:
        """Send `rate` changes per second for `seconds` (or until `stop` is set)."""
        started = time.monotonic()
        index = 0
        while time.monotonic() - started < seconds and not (stop and stop.is_set()):
            due = started + index / rate
            if (pause := due - time.monotonic()) > 0:
                time.sleep(pause)
            self.change()
            index += 1

    def change(self) -> None:
        """One state change, round robin over the sensors."""
        entity_id = self.entity_ids[self.counter % len(self.entity_ids)]
        value = str(self.counter)
        self.counter += 1
        status, _ = self.hass.api("POST", f"/api/states/{entity_id}", {"state": value})
        if status not in (200, 201):
            self.failures += 1
            return
        self.sent[entity_id].append(value)
        self.sent_at.append((time.monotonic(), entity_id, value))

    @property
    def total(self) -> int:
        """How many changes HA accepted."""
        return sum(len(values) for values in self.sent.values())

    def stored(self, odoo: OdooServer) -> dict[str, list[str]]:
        """Every state of the stream's sensors Odoo keeps as history, oldest first."""
        rows = (
            odoo.rpc()
            .env["ha.entity.history"]
            .search_read(
                [("entity_id.entity_id", "in", self.entity_ids)],
                ["entity_id", "state"],
                order="last_updated asc, id asc",
                context={"active_test": False},
            )
        )
        entities = (
            odoo.rpc()
            .env["ha.entity"]
            .with_context(active_test=False)
            .search_read([("entity_id", "in", self.entity_ids)], ["entity_id"])
        )
        names = {row["id"]: row["entity_id"] for row in entities}
        stored: dict[str, list[str]] = {entity_id: [] for entity_id in self.entity_ids}
        for row in rows:
            stored[names[row["entity_id"][0]]].append(row["state"])
        return stored

    def count(self, odoo: OdooServer) -> dict[str, int]:
        """sent, stored, duplicated and lost over the stream, from Odoo's history."""
        stored = self.stored(odoo)
        sent_values = {(e, v) for e, values in self.sent.items() for v in values}
        stored_values = [(e, v) for e, values in stored.items() for v in values]
        stored_set = set(stored_values)
        return {
            "sent": len(sent_values),
            "stored": len(stored_set & sent_values),
            "duplicated": len(stored_values) - len(stored_set),
            "lost": len(sent_values - stored_set),
        }

    def lost(self, odoo: OdooServer) -> set[tuple[str, str]]:
        """The (entity, value) changes sent but not in Odoo's history."""
        stored = self.stored(odoo)
        return {
            (e, v) for e, values in self.sent.items() for v in values if v not in set(stored[e])
        }

    def wait_delivered(self, odoo: OdooServer, timeout: float) -> float:
        """Wait until Odoo holds every sent change; return how long that took."""
        started = time.monotonic()
        wait_for(lambda: not self.lost(odoo), timeout, "every sent change in Odoo", interval=1)
        return time.monotonic() - started


def current_states_match(hass: HomeAssistant, odoo: OdooServer, entity_ids: list[str]) -> bool:
    """Whether Odoo's current state of each entity is HA's (a state HA lacks: archived)."""
    rows = {
        row["entity_id"]: row
        for row in odoo.rpc()
        .env["ha.entity"]
        .with_context(active_test=False)
        .search_read([("entity_id", "in", entity_ids)], ["entity_id", "state", "active"])
    }
    for entity_id in entity_ids:
        status, state = hass.api("GET", f"/api/states/{entity_id}")
        row = rows.get(entity_id)
        if status == 404:
            if row and row["active"]:
                return False
        elif not row or not row["active"] or row["state"] != state["state"]:
            return False
    return True


def print_counts(what: str, counts: dict[str, Any]) -> None:
    """One line a reader of the test output (and docs/reliability.md) can quote."""
    print(f"\n[{what}] " + ", ".join(f"{key}={value}" for key, value in counts.items()), flush=True)


def json_body(payload: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(payload, separators=(",", ":")).encode()
