"""The live dashboard's feed as production serves it: Odoo in prefork mode, where browsers'
websockets are served by the separate evented (gevent) worker, not by the HTTP workers.

A logged-in session subscribes on the evented port, as the dashboard's bus service does; a
signed push to an HTTP worker must reach it through PostgreSQL's NOTIFY.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import websocket
from stack import (
    ODOO_ADMIN_LOGIN,
    ODOO_ADMIN_PASSWORD,
    OdooServer,
    pair_synthetic_instance,
    running,
    signed_headers,
    signing,
    wait_for,
)

from .bridge import CREATED_SECRETS, json_body

BUS_TYPE = "home_assistant/entities"
ENTITY_ID = "sensor.live_bus_probe"


@pytest.fixture(scope="module")
def prefork(odoo: OdooServer, work_dir: Path) -> Iterator[OdooServer]:
    """A second server on the session's database with two HTTP workers and its evented one."""
    server = OdooServer(odoo.database, work_dir / "odoo-prefork", workers=2)
    with running(server):
        yield server


def browser_session(server: OdooServer) -> str:
    """The session id of the admin logged in as a browser logs in."""
    response = requests.post(
        f"{server.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {
                "db": server.database,
                "login": ODOO_ADMIN_LOGIN,
                "password": ODOO_ADMIN_PASSWORD,
            },
        },
        timeout=30,
    )
    response.raise_for_status()
    assert "error" not in response.json(), response.text
    return response.cookies["session_id"]


def subscribed_websocket(server: OdooServer, session_id: str) -> websocket.WebSocket:
    """A websocket on the evented port, subscribed as the dashboard subscribes."""
    origin = f"http://127.0.0.1:{server.gevent_port}"
    connection = wait_for(
        lambda: websocket.create_connection(
            f"ws://127.0.0.1:{server.gevent_port}/websocket",
            cookie=f"session_id={session_id}",
            origin=origin,
            timeout=10,
        ),
        60,
        "a websocket on Odoo's evented port",
        interval=1,
    )
    connection.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
    return connection


def push(push_url: str, secret: str, seq: int, state: str) -> None:
    """Batch number `seq`, signed, with one state of `ENTITY_ID`."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    body = json_body(
        {
            "v": 1,
            "batch_id": uuid.uuid4().hex,
            "seq": seq,
            "sent_at": now,
            "snapshot": False,
            "events": [
                {
                    "t": "state",
                    "entity_id": ENTITY_ID,
                    "state": state,
                    "attributes": {"friendly_name": "Live bus probe"},
                    "last_changed": now,
                    "last_updated": now,
                }
            ],
        }
    )
    headers = {"Content-Type": "application/json"}
    headers.update(signed_headers(secret, signing.PURPOSE_PUSH, body))
    response = requests.post(push_url, data=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text


def next_states(
    connection: websocket.WebSocket, instance_id: int, timeout: float = 30
) -> list[tuple[str, str]]:
    """(entity id, state) of the next bus message about `instance_id`, within `timeout` s."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            frame = connection.recv()
        except websocket.WebSocketTimeoutException:
            break
        for notification in json.loads(frame):
            message = notification["message"]
            if message["type"] == BUS_TYPE and message["payload"]["instance_id"] == instance_id:
                return [
                    (state["entity_id"], state["state"]) for state in message["payload"]["entities"]
                ]
    raise AssertionError(f"no bus message about instance {instance_id} within {timeout} s")


def test_pushes_reach_a_browser_session_through_the_evented_worker(
    prefork: OdooServer,
) -> None:
    """Each pushed state arrives on the websocket of a logged-in, subscribed session.

    The second push is sent once the first arrived, so the subscription surely holds and it
    can only arrive through the NOTIFY that follows the push's commit.
    """
    instance = pair_synthetic_instance(prefork, "Live bus, prefork")
    CREATED_SECRETS.add(instance["secret"])
    push_url = f"{prefork.url}{urlsplit(instance['push_url']).path}"
    connection = subscribed_websocket(prefork, browser_session(prefork))
    try:
        push(push_url, instance["secret"], 1, "21.5")
        first = next_states(connection, instance["instance_id"])
        push(push_url, instance["secret"], 2, "22.0")
        second = next_states(connection, instance["instance_id"])
    finally:
        connection.close()
    assert (first, second) == ([(ENTITY_ID, "21.5")], [(ENTITY_ID, "22.0")])
