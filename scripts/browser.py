"""A small Chrome DevTools Protocol client: headless Chromium logged into an Odoo server.

Shared by scripts/bench_dashboard.py and scripts/screenshots.py; runs in the Odoo venv
(websocket-client, requests). One page, driven synchronously: each command waits for its
answer, and the events that arrive meanwhile are kept in `events` (console errors and
uncaught exceptions are what the callers look at).

    with Browser(width=1440, height=900) as browser:
        browser.login(odoo.url, odoo.database, "admin", "admin")
        browser.navigate(f"{odoo.url}/odoo/home-assistant")
        browser.wait_for("document.querySelectorAll('.o_ha_card').length > 0")
        browser.screenshot(Path("dashboard.png"))
"""

from __future__ import annotations

import base64
import collections
import contextlib
import io
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
import websocket

CHROMIUM = "/usr/bin/chromium"
# The flags this machine needs: without the background-networking ones Chromium keeps
# dialling Google services, which the closed network refuses, and the page waits on them.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--disable-breakpad",
    "--hide-scrollbars",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def web_login(url: str, database: str, login: str, password: str) -> tuple[str, int]:
    """Log in as a browser does (JSON-RPC `/web/session/authenticate`): (session id, uid)."""
    session = requests.Session()
    session.trust_env = False  # loopback: never through a proxy
    response = session.post(
        f"{url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": database, "login": login, "password": password},
        },
        timeout=60,
    )
    answer = response.json()
    if response.status_code != 200 or "error" in answer or not answer["result"].get("uid"):
        raise BrowserError(f"Odoo refused the login {login}: {answer.get('error', answer)}")
    return session.cookies["session_id"], int(answer["result"]["uid"])


class BrowserError(RuntimeError):
    """Chromium refused a command, a page script threw, or a wait timed out."""


class Browser:
    """Headless Chromium with one page, driven through the DevTools protocol."""

    def __init__(self, width: int = 1440, height: int = 900, executable: str = CHROMIUM) -> None:
        self.width = width
        self.height = height
        self.executable = executable
        self.process: subprocess.Popen[bytes] | None = None
        self.profile: Path | None = None
        self.connection: websocket.WebSocket | None = None
        self.ids = itertools.count(1)
        self.events: collections.deque[dict[str, Any]] = collections.deque(maxlen=2000)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Start Chromium with a fresh profile and attach to its first page."""
        self.profile = Path(tempfile.mkdtemp(prefix="ha-odoo-chromium-"))
        command = [
            self.executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self.profile}",
            f"--window-size={self.width},{self.height}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        # With port 0 Chromium picks a free port and writes it to DevToolsActivePort.
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.stat().st_size > 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BrowserError(f"Chromium did not start ({' '.join(command)})")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(target for target in pages if target["type"] == "page")
        # No Origin header: Chromium refuses DevTools websockets from other origins.
        self.connection = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Network.enable")
        self.set_viewport(self.width, self.height)

    def close(self) -> None:
        """Close Chromium (gracefully, then by force) and remove its profile."""
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.send(json.dumps({"id": next(self.ids), "method": "Browser.close"}))
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None
        if self.process is not None:
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60) -> Any:
        """Send one command and return its result; events received meanwhile are kept."""
        if self.connection is None:
            raise BrowserError("the browser is not started")
        command_id = next(self.ids)
        message = {"id": command_id, "method": method, "params": params or {}}
        self.connection.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            self.connection.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.connection.recv())
            except websocket.WebSocketTimeoutException as error:
                raise BrowserError(f"{method}: no answer within {timeout:.0f} s") from error
            if message.get("id") == command_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        """Evaluate JavaScript in the page (awaiting a promise) and return its JSON value."""
        result = self.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "awaitPromise": True,
                "returnByValue": True,
                "timeout": int(timeout * 1000),
            },
            timeout=timeout + 5,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"page script failed: {text}")
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 60, what: str = "") -> None:
        """Wait until the JavaScript expression `condition` is truthy (checked in the page)."""
        script = f"""new Promise((resolve) => {{
            const deadline = performance.now() + {timeout * 1000};
            const check = () => {{
                let ok = false;
                try {{ ok = Boolean({condition}); }} catch (error) {{}}
                if (ok || performance.now() > deadline) {{ resolve(ok); }}
                else {{ setTimeout(check, 20); }}
            }};
            check();
        }})"""
        if not self.evaluate(script, timeout=timeout + 5):
            raise BrowserError(
                f"timed out after {timeout:.0f} s waiting for {what or condition}"
                f" (page: {self.evaluate('location.href')})"
            )

    def page_errors(self) -> list[str]:
        """Uncaught exceptions and console errors seen so far."""
        errors = []
        for event in self.events:
            if event["method"] == "Runtime.exceptionThrown":
                details = event["params"]["exceptionDetails"]
                errors.append(details.get("exception", {}).get("description") or details["text"])
            elif (
                event["method"] == "Runtime.consoleAPICalled" and event["params"]["type"] == "error"
            ):
                errors.append(
                    " ".join(
                        str(arg.get("value", arg.get("description", "")))
                        for arg in event["params"]["args"]
                    )
                )
        return errors

    # ------------------------------------------------------------------ page helpers

    def navigate(self, url: str) -> None:
        """Start loading `url` in the page (returns once the navigation is committed)."""
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"navigating to {url}: {result['errorText']}")

    def set_viewport(self, width: int, height: int, mobile: bool = False, scale: float = 1) -> None:
        """Emulate a window of `width` by `height` CSS pixels (a phone with `mobile`)."""
        self.width, self.height = width, height
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )
        self.send("Emulation.setTouchEmulationEnabled", {"enabled": mobile})

    def set_cookie(self, url: str, name: str, value: str) -> None:
        """Set a cookie for `url`'s host, as the server would have."""
        result = self.send("Network.setCookie", {"url": url, "name": name, "value": value})
        if not result.get("success", True):
            raise BrowserError(f"Chromium refused the cookie {name}")

    def login(self, url: str, database: str, login: str, password: str) -> int:
        """Log in through Odoo's JSON-RPC and give the page that session; return the uid."""
        session_id, uid = web_login(url, database, login, password)
        self.set_cookie(url, "session_id", session_id)
        return uid

    def screenshot(self, path: Path, full_page: bool = False, colors: int = 0) -> int:
        """Save the viewport (or the whole page) as a PNG; return its size in bytes.

        With Pillow installed the PNG is re-encoded with the best compression, and with
        `colors` quantized to that many colors (a palette PNG, a fraction of the size).
        """
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": self.width,
                "height": size["height"],
                "scale": 1,
            }
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        try:
            from PIL import Image  # noqa: PLC0415 - optional: smaller files when present
        except ImportError:
            pass
        else:
            image = Image.open(io.BytesIO(data)).convert("RGB")
            if colors:
                image = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=0)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            data = buffer.getvalue()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return len(data)
