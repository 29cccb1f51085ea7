"""Start a real Odoo 18 and a real Home Assistant on loopback, for the demo and the e2e tests.

Runs in the Odoo venv (Python 3.10-3.12, see scripts/odoo-env.sh). Home Assistant needs
Python >= 3.14.2, so it is started through scripts/ha-env.sh, which may enter a chroot;
both processes share the host's network namespace and /tmp. HA_RELEASE=newest (passed on to
ha-env.sh) runs the newest Home Assistant release instead of the pinned one.

    python scripts/stack.py demo      the README's demo: both systems up, paired, streaming
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(os.environ.get("HA_ODOO_CACHE", "/var/cache/ha-odoo-bridge"))
ODOO_ENV = REPO_ROOT / "scripts" / "odoo-env.sh"
HA_ENV = REPO_ROOT / "scripts" / "ha-env.sh"

ODOO_ADMIN_LOGIN = "admin"
ODOO_ADMIN_PASSWORD = "admin"  # the throw-away demo/test database's admin
HA_USERNAME = "demo"
HA_PASSWORD = "demo-password"  # the throw-away demo/test HA owner
HA_CLIENT_ID = "http://127.0.0.1/"
# The Odoo series at ODOO_PATH, set by scripts/odoo-env.sh ("18.0", "19.0").
ODOO_SERIES = os.environ.get("ODOO_SERIES", "18.0")
# 18.0 installs demo data unless told not to; 19.0 installs none and warns about 18's flag.
WITHOUT_DEMO_ARGS = ["--without-demo=all"] if ODOO_SERIES == "18.0" else []
# 19.0 renamed res.users.groups_id to group_ids.
USER_GROUPS_FIELD = "groups_id" if ODOO_SERIES == "18.0" else "group_ids"


def _load_signing() -> ModuleType:
    """The addon's signing module (pure Python, no Odoo import).

    The protocol lives in one module per side; the harness plays either side from the Odoo
    venv, so it borrows this one rather than re-typing the scheme.
    """
    spec = importlib.util.spec_from_file_location(
        "bridge_signing", REPO_ROOT / "odoo_module" / "home_assistant" / "signing.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


signing = _load_signing()


def signed_headers(secret: str, purpose: str, body: bytes) -> dict[str, str]:
    """The protocol's three signature headers for `body`, signed now with a fresh nonce."""
    timestamp = str(int(time.time()))
    nonce = secrets.token_urlsafe(16)
    return {
        signing.HEADER_TIMESTAMP: timestamp,
        signing.HEADER_NONCE: nonce,
        signing.HEADER_SIGNATURE: signing.sign(secret, purpose, timestamp, nonce, body),
    }


def pair_synthetic_instance(odoo: OdooServer, name: str) -> dict[str, Any]:
    """Pair a Home Assistant that does not exist through `ha_pair`, as its admin.

    Returns the values sent (secret and webhook id included) merged with Odoo's answer
    (`instance_id`, `push_url`): a test or benchmark then pushes as that instance.
    """
    values = {
        "uuid": uuid.uuid4().hex,
        "name": name,
        "ha_url": "http://127.0.0.1:9",
        "webhook_id": secrets.token_hex(32),
        "secret": secrets.token_urlsafe(32),
        "ha_version": "2026.10.4",
        "protocol": 1,
    }
    return {**values, **odoo.rpc().env["ha.instance"].ha_pair(values)}


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.25) -> Any:
    """Poll `predicate` until it returns a truthy value; raise TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            result = predicate()
            if result:
                return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def http_json(
    method: str,
    url: str,
    payload: Any = None,
    token: str | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send one HTTP request and return (status, decoded JSON body or None)."""
    headers = {}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None


class ManagedProcess:
    """A child process in its own process group, logged to a file, stopped as a group."""

    def __init__(
        self, name: str, command: list[str], log_path: Path, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.command = command
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process; its output goes to the log file."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # A new session: stop() can signal the wrapper scripts and the server together.
        self.process = subprocess.Popen(
            self.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=self.env,
        )
        log.close()

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        """Send a signal to the whole process group."""
        if self.process is not None and self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 30) -> None:
        """Stop gracefully (SIGTERM), then SIGKILL if it does not exit in time."""
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """Kill at once (SIGKILL), as a crash would."""
        if self.process is None:
            return
        self.signal(signal.SIGKILL)
        self.process.wait(30)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the log, for error messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class OdooServer:
    """A real Odoo 18 server for one database, with the addon installed."""

    database: str
    work_dir: Path
    http_port: int = field(default_factory=free_port)
    gevent_port: int = field(default_factory=free_port)
    workers: int = 0
    # Serve the database as a multi-database server does: chosen per request by --db-filter,
    # not given with -d. Prefork then runs no cron: its cron worker would run every database's
    # on this cluster (the threaded server's runs only the databases it has loaded).
    multi_database: bool = False
    # Another PostgreSQL cluster (e.g. a private one a fault test may restart); None: the default.
    db_port: int | None = None
    # Connect as Odoo's own packages do: over the unix socket, peer authentication, no
    # password (scripts/odoo-env.sh allows it on the default cluster); False: TCP + password.
    db_socket: bool = False
    process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.http_port}"

    def _odoo(self, *args: str) -> list[str]:
        return [str(ODOO_ENV), "odoo", *args]

    def _env(self) -> dict[str, str] | None:
        """The environment for odoo-env.sh: PGPORT selects the cluster (None: inherit)."""
        return None if self.db_port is None else {**os.environ, "PGPORT": str(self.db_port)}

    def _psql_port(self) -> str:
        return "" if self.db_port is None else f" -h 127.0.0.1 -p {self.db_port}"

    def database_exists(self) -> bool:
        """Whether the database exists in PostgreSQL."""
        listing = subprocess.run(
            ["su", "postgres", "-c", f"psql -lqtA{self._psql_port()}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return self.database in {line.split("|", 1)[0] for line in listing.stdout.splitlines()}

    def install(self, update: bool = False) -> None:
        """Create the database with the addon installed (or update the addon in it)."""
        flag = "-u" if update else "-i"
        log_path = self.work_dir / "odoo-install.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            result = subprocess.run(
                self._odoo(
                    "-d",
                    self.database,
                    flag,
                    "home_assistant",
                    *WITHOUT_DEMO_ARGS,
                    "--stop-after-init",
                    "--http-port",
                    str(self.http_port),
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                env=self._env(),
            )
        if result.returncode != 0:
            raise RuntimeError(f"installing the addon into {self.database} failed, see {log_path}")

    def drop(self) -> None:
        """Drop the database."""
        subprocess.run(
            [
                "su",
                "postgres",
                "-c",
                f"dropdb{self._psql_port()} --if-exists --force {self.database}",
            ],
            check=False,
            capture_output=True,
        )

    def start(self) -> None:
        """Start the server and wait until it answers its health check."""
        database = (
            [f"--db-filter=^{re.escape(self.database)}$"]
            + (["--max-cron-threads=0"] if self.workers else [])
            if self.multi_database
            else ["-d", self.database]
        )
        command = self._odoo(
            *database,
            "--http-interface=127.0.0.1",
            f"--http-port={self.http_port}",
            f"--gevent-port={self.gevent_port}",
            f"--workers={self.workers}",
            "--log-level=info",
            "--log-handler=werkzeug:WARNING",
            # After odoo-env.sh's TCP settings: the last value of an option wins.
            *(["--db_host=", "--db_password="] if self.db_socket else []),
        )
        self.process = ManagedProcess("odoo", command, self.work_dir / "odoo.log", self._env())
        self.process.start()
        try:
            wait_for(self.healthy, 120, "Odoo's /web/health")
        except TimeoutError as error:
            raise RuntimeError(f"{error}\n{self.process.log_tail()}") from error

    def healthy(self) -> bool:
        """Whether /web/health answers 200."""
        if self.process is None or not self.process.running:
            raise RuntimeError(f"Odoo exited:\n{self.process.log_tail() if self.process else ''}")
        status, _ = http_json("GET", f"{self.url}/web/health")
        return status == 200

    def stop(self) -> None:
        """Stop the server."""
        if self.process:
            self.process.stop()

    def create_api_key(self, login: str, name: str) -> str:
        """Create an Odoo API key for a user, as the user would in Preferences → Security.

        Odoo's own wizard wants an interactive password check, so this runs the same model
        method through `odoo-bin shell` against the running server's database.
        """
        script = (
            "import sys\n"
            f"user = env['res.users'].search([('login', '=', {login!r})])\n"
            f"key = env['res.users.apikeys'].with_user(user)._generate(None, {name!r}, None)\n"
            "env.cr.commit()\n"
            "sys.stdout.write('API-KEY:' + key + '\\n')\n"
        )
        result = subprocess.run(
            self._odoo("shell", "-d", self.database, "--no-http", "--log-level=warn"),
            input=script,
            capture_output=True,
            text=True,
            check=False,
            env=self._env(),
        )
        for line in result.stdout.splitlines():
            if line.startswith("API-KEY:"):
                return line.removeprefix("API-KEY:")
        raise RuntimeError(f"creating an API key failed:\n{result.stdout}\n{result.stderr}")

    def rpc(self) -> Any:
        """An odoorpc session logged in as the database's administrator."""
        import odoorpc  # noqa: PLC0415 - only in the Odoo venv

        client = odoorpc.ODOO("127.0.0.1", port=self.http_port, timeout=60)
        client.login(self.database, ODOO_ADMIN_LOGIN, ODOO_ADMIN_PASSWORD)
        return client


@dataclass
class HomeAssistant:
    """A real Home Assistant (`hass`) with this repository's integration available."""

    config_dir: Path
    port: int = field(default_factory=free_port)
    demo_devices: bool = False
    # Debug logging for the integration (the security tests scan that log for secrets).
    debug_logging: bool = False
    # More configuration.yaml, appended as given (a test's own helpers and templates).
    extra_config: str = ""
    process: ManagedProcess | None = None
    token: str | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> None:
        """Write configuration.yaml and link the repository's integration into the config."""
        custom = self.config_dir / "custom_components"
        custom.mkdir(parents=True, exist_ok=True)
        link = custom / "odoo"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(REPO_ROOT / "custom_components" / "odoo")
        demo = "frontend:\ndemo:\nhistory:\nlogbook:\n" if self.demo_devices else ""
        debug = "  logs:\n    custom_components.odoo: debug\n" if self.debug_logging else ""
        (self.config_dir / "configuration.yaml").write_text(
            f"""homeassistant:
  name: Demo Building
  time_zone: UTC
  latitude: 25.03
  longitude: 121.56
  elevation: 10
  unit_system: metric
  internal_url: {self.url}
http:
  server_host: 127.0.0.1
  server_port: {self.port}
api:
config:
onboarding:
recorder:
  commit_interval: 1
{demo}input_boolean:
  coffee_machine:
    name: Coffee machine
  hall_heating:
    name: Hall heating
input_number:
  boiler_setpoint:
    name: Boiler setpoint
    min: 30
    max: 80
    step: 0.5
    unit_of_measurement: "°C"
logger:
  default: info
{debug}{self.extra_config}"""
        )

    def start(self) -> None:
        """Start hass and wait until its HTTP API answers."""
        self.write_config()
        command = [str(HA_ENV), "run", "hass", "-c", str(self.config_dir), "--skip-pip"]
        self.process = ManagedProcess("hass", command, self.config_dir / "hass.log")
        self.process.start()
        try:
            wait_for(self.answering, 180, "Home Assistant's HTTP server")
        except TimeoutError as error:
            raise RuntimeError(f"{error}\n{self.process.log_tail()}") from error

    def answering(self) -> bool:
        """Whether the HTTP server answers (onboarding or API)."""
        if self.process is None or not self.process.running:
            raise RuntimeError(f"hass exited:\n{self.process.log_tail() if self.process else ''}")
        # /api/ needs a token: 401 means the HTTP server is up (200 with a token).
        status, _ = http_json("GET", f"{self.url}/api/")
        return status in (200, 401)

    def stop(self) -> None:
        """Stop hass gracefully (it saves its stores on the way out)."""
        if self.process:
            self.process.stop(timeout=60)

    def onboard(self) -> str:
        """Create the owner user on first start (HA's onboarding API) and log in; return a token."""
        # Once onboarding is complete HA no longer serves /api/onboarding at all (404).
        status, steps = http_json("GET", f"{self.url}/api/onboarding")
        done = {step["step"] for step in steps or [] if step.get("done")}
        if status == 200 and "user" not in done:
            status, body = http_json(
                "POST",
                f"{self.url}/api/onboarding/users",
                {
                    "client_id": HA_CLIENT_ID,
                    "name": "Demo",
                    "username": HA_USERNAME,
                    "password": HA_PASSWORD,
                    "language": "en",
                },
            )
            if status != 200:
                raise RuntimeError(f"HA onboarding failed: {status} {body}")
            self.token = self._exchange(body["auth_code"])
            for step, payload in (
                ("core_config", {}),
                ("analytics", {}),
                ("integration", {"client_id": HA_CLIENT_ID, "redirect_uri": HA_CLIENT_ID}),
            ):
                http_json("POST", f"{self.url}/api/onboarding/{step}", payload, token=self.token)
        else:
            self.token = self._login()
        self.confirm_http_config()
        return self.token

    def confirm_http_config(self) -> None:
        """Confirm the `http:` settings of configuration.yaml (HA's `http/config/promote`).

        Home Assistant 2026 tries new HTTP settings as "pending" and, unless an admin
        confirms them within 5 minutes, reverts them and restarts itself, which ends a
        `hass` that no supervisor restarts. Nothing pending (a later start): HA refuses.
        """
        self.websocket_calls({"type": "http/config/promote"}, check=False)

    def websocket_calls(self, *commands: dict[str, Any], check: bool = True) -> list[Any]:
        """Run websocket commands as the owner, in order; return their results.

        With `check`, a command HA answers with an error raises.
        """
        import websocket  # noqa: PLC0415 - websocket-client, in the Odoo venv

        connection = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/api/websocket", timeout=30
        )
        try:
            connection.recv()  # auth_required
            connection.send(json.dumps({"type": "auth", "access_token": self.token}))
            if json.loads(connection.recv()).get("type") != "auth_ok":
                raise RuntimeError("HA refused the owner's token on its websocket")
            results = []
            for number, command in enumerate(commands, start=1):
                connection.send(json.dumps({"id": number, **command}))
                while (message := json.loads(connection.recv())).get("id") != number:
                    pass
                if check and not message.get("success"):
                    raise RuntimeError(f"{command['type']} failed: {message}")
                results.append(message.get("result"))
            return results
        finally:
            connection.close()

    def _login(self) -> str:
        """Log in with the owner's password through HA's login flow."""
        status, flow = http_json(
            "POST",
            f"{self.url}/auth/login_flow",
            {
                "client_id": HA_CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": HA_CLIENT_ID,
            },
        )
        status, result = http_json(
            "POST",
            f"{self.url}/auth/login_flow/{flow['flow_id']}",
            {
                "client_id": HA_CLIENT_ID,
                "username": HA_USERNAME,
                "password": HA_PASSWORD,
            },
        )
        if status != 200 or result.get("type") != "create_entry":
            raise RuntimeError(f"HA login failed: {status} {result}")
        return self._exchange(result["result"])

    def _exchange(self, code: str) -> str:
        """Exchange an authorization code for an access token."""
        status, body = http_json(
            "POST",
            f"{self.url}/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": HA_CLIENT_ID,
            },
        )
        if status != 200:
            raise RuntimeError(f"HA token exchange failed: {status} {body}")
        return str(body["access_token"])

    def api(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        """Call HA's REST API as the owner."""
        return http_json(method, f"{self.url}{path}", payload, token=self.token)


def config_flow(
    hass: HomeAssistant, odoo: OdooServer, login: str, api_key: str, url: str | None = None
) -> dict[str, Any]:
    """Walk the integration's config flow through HA's REST API, as the UI does.

    Returns the last step's answer: `create_entry` when paired, else the form with errors.
    """
    status, flow = hass.api("POST", "/api/config/config_entries/flow", {"handler": "odoo"})
    if status != 200 or flow.get("step_id") != "user":
        raise RuntimeError(f"the Odoo config flow did not start: {status} {flow}")
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    status, flow = hass.api("POST", path, {"url": url or odoo.url})
    if status != 200 or flow.get("step_id") != "credentials":
        raise RuntimeError(f"the Odoo config flow refused the URL: {status} {flow}")
    credentials = {
        "database": odoo.database,
        "username": login,
        "api_key": api_key,
        "ha_url": hass.url,
    }
    status, result = hass.api("POST", path, credentials)
    if status != 200:
        raise RuntimeError(f"the Odoo config flow failed: {status} {result}")
    return dict(result)


def pair(hass: HomeAssistant, odoo: OdooServer) -> dict[str, Any]:
    """Pair HA with Odoo's admin through the real config flow, with a fresh API key."""
    api_key = odoo.create_api_key(ODOO_ADMIN_LOGIN, "Home Assistant")
    result = config_flow(hass, odoo, ODOO_ADMIN_LOGIN, api_key)
    if result.get("type") != "create_entry":
        raise RuntimeError(f"pairing failed: {result}")
    return result


def allow_camera_snapshots(hass: HomeAssistant) -> None:
    """Let Odoo show the demo cameras' stills: turn the integration's option on (default off)."""
    _, (entry,) = hass.api("GET", "/api/config/config_entries/entry?domain=odoo")
    path = "/api/config/config_entries/options/flow"
    status, flow = hass.api("POST", path, {"handler": entry["entry_id"]})
    if status == 200:
        status, flow = hass.api(
            "POST", f"{path}/{flow['flow_id']}", {"allow_camera_snapshots": True}
        )
    if status != 200 or flow.get("type") != "create_entry":
        raise RuntimeError(f"the Odoo integration's options were refused: {status} {flow}")


@contextlib.contextmanager
def running(*servers: OdooServer | HomeAssistant) -> Iterator[None]:
    """Start servers in order and always stop them in reverse order."""
    started: list[OdooServer | HomeAssistant] = []
    try:
        for server in servers:
            server.start()
            started.append(server)
        yield
    finally:
        for server in reversed(started):
            server.stop()


def demo() -> None:
    """The README's demo: Odoo on :8069 and HA with demo devices on :8123, paired, until Ctrl-C."""
    work_dir = CACHE_DIR / "state" / "demo"
    odoo = OdooServer("demo", work_dir, http_port=8069, gevent_port=8072)
    # Each Home Assistant release keeps its own config: a store written by a newer one may
    # not load in an older one.
    release = os.environ.get("HA_RELEASE", "pinned")
    config_dir = work_dir / ("ha-config" if release == "pinned" else f"ha-config-{release}")
    hass = HomeAssistant(config_dir, port=8123, demo_devices=True)
    print("Preparing the Odoo database 'demo' (first run: about a minute)…", flush=True)
    odoo.install(update=odoo.database_exists())
    with running(odoo, hass):
        hass.onboard()
        _, entries = hass.api("GET", "/api/config/config_entries/entry?domain=odoo")
        if not entries:
            print("Pairing Home Assistant with Odoo through the integration's config flow…")
            pair(hass, odoo)
            allow_camera_snapshots(hass)
        print(
            f"""
  Odoo            {odoo.url}   login {ODOO_ADMIN_LOGIN} / {ODOO_ADMIN_PASSWORD}  (database 'demo')
  Home Assistant  {hass.url}   login {HA_USERNAME} / {HA_PASSWORD}
  Logs            {work_dir}/odoo.log, {hass.config_dir}/hass.log

  Press Ctrl-C to stop both.
""",
            flush=True,
        )
        stop = False

        def request_stop(*_: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        while not stop and all(
            server.process and server.process.running for server in (odoo, hass)
        ):
            time.sleep(0.5)
    print("Stopped.")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["demo"])
    args = parser.parse_args()
    if args.command == "demo":
        if shutil.which("su") is None:
            sys.exit("the demo needs `su` to manage PostgreSQL databases")
        demo()


if __name__ == "__main__":
    main()
