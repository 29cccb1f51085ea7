"""The live dashboard's feed as production serves it: Odoo in prefork mode, where browsers'
websockets are served by the separate evented (gevent) worker, not by the HTTP workers.

A logged-in session subscribes on the evented port, as the dashboard's bus service does; a
signed push to an HTTP worker must reach it through PostgreSQL's NOTIFY.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import websocket
from bench import pair_fake_instance
from browser import web_login
from stack import ODOO_ADMIN_LOGIN, ODOO_ADMIN_PASSWORD, OdooServer, running, wait_for

from .bridge import CREATED_SECRETS

BUS_TYPE = "home_assistant/entities"
ENTITY_ID = "sensor.live_bus_probe"


@pytest.fixture(scope="module")
def prefork(odoo: OdooServer, work_dir: Path) -> Iterator[OdooServer]:
    """A second server on the session's database with two HTTP workers and its evented one."""
    server = OdooServer(odoo.database, work_dir / "odoo-prefork", workers=2)
    with running(server):
        yield server


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


def state_event(state: str) -> dict[str, Any]:
    """A state event of `ENTITY_ID`, now."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    return {
        "t": "state",
        "entity_id": ENTITY_ID,
        "state": state,
        "attributes": {"friendly_name": "Live bus probe"},
        "last_changed": now,
        "last_updated": now,
    }


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
    pusher = pair_fake_instance(prefork, "Live bus, prefork")
    CREATED_SECRETS.add(pusher.secret)
    instance_id = prefork.rpc().env["ha.instance"].search([("name", "=", "Live bus, prefork")])[0]
    session_id, _ = web_login(prefork.url, prefork.database, ODOO_ADMIN_LOGIN, ODOO_ADMIN_PASSWORD)
    connection = subscribed_websocket(prefork, session_id)
    try:
        pusher.push([state_event("21.5")])
        first = next_states(connection, instance_id)
        pusher.push([state_event("22.0")])
        second = next_states(connection, instance_id)
    finally:
        connection.close()
    assert (first, second) == ([(ENTITY_ID, "21.5")], [(ENTITY_ID, "22.0")])
