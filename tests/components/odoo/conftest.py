"""Fixtures of the Odoo integration tests: a fake Odoo on loopback and a paired config entry."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

import orjson
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestServer
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from pytest_aiohttp import AiohttpServer
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.odoo.const import (
    CONF_API_KEY,
    CONF_DATABASE,
    CONF_HA_URL,
    CONF_HA_UUID,
    CONF_PUSH_URL,
    CONF_SECRET,
    CONF_URL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.odoo.signing import generate_secret, sign

from .fake_odoo import PUSH_PATH, FakeOdoo, ScriptedAnswer

HA_UUID = "0123456789abcdef0123456789abcdef"
FIXED_ENTRY_ID = "01JODOOPAIRINGPROD000000000"


@pytest.fixture(autouse=True)
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Give each test its own config directory: the outbox journal is a real SQLite file."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return syrupy's snapshot with Home Assistant's serializer (ids and times left out)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
async def odoo_server(
    socket_enabled: None, aiohttp_server: AiohttpServer
) -> tuple[FakeOdoo, TestServer]:
    """Start the fake Odoo on 127.0.0.1 (sockets stay limited to loopback)."""
    odoo = FakeOdoo()
    server = await aiohttp_server(odoo.app())
    odoo.base_url = str(server.make_url("")).rstrip("/")
    return odoo, server


@pytest.fixture
def odoo(odoo_server: tuple[FakeOdoo, TestServer]) -> FakeOdoo:
    """Return the fake Odoo."""
    return odoo_server[0]


@pytest.fixture
def config_entry(odoo: FakeOdoo) -> MockConfigEntry:
    """Return a config entry paired with the fake Odoo (not yet added to hass)."""
    odoo.secret = generate_secret()
    return MockConfigEntry(
        domain=DOMAIN,
        title="prod (fake)",
        unique_id=f"{odoo.base_url}|prod|{HA_UUID}",
        data={
            CONF_URL: odoo.base_url,
            CONF_DATABASE: "prod",
            CONF_USERNAME: "admin",
            CONF_API_KEY: "key-123",
            CONF_HA_URL: "http://127.0.0.1:8123",
            CONF_HA_UUID: HA_UUID,
            CONF_WEBHOOK_ID: "webhook-id-0123",
            CONF_SECRET: odoo.secret,
            CONF_PUSH_URL: odoo.base_url + PUSH_PATH.format(uuid=HA_UUID),
        },
    )


async def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    """Wait in real time until `condition()` holds; fail the test after `seconds`."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - polls state the fake and hass both change
            await asyncio.sleep(0.01)


async def first_snapshot(odoo: FakeOdoo) -> dict[str, Any]:
    """Wait for the snapshot batch Odoo receives after pairing, and return it (the only one)."""
    await wait_for(lambda: any(b["snapshot"] for b in odoo.batches))
    (snapshot,) = [b for b in odoo.batches if b["snapshot"]]
    return snapshot


async def setup_entry(
    hass: HomeAssistant, entry: MockConfigEntry, **options: Any
) -> MockConfigEntry:
    """Add the entry with options, set it up and wait until setup is done."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def setup_platform(
    hass: HomeAssistant, odoo: FakeOdoo, entry: MockConfigEntry, platform: Platform
) -> MockConfigEntry:
    """Set up one platform of a pairing Odoo keeps refusing (503), so every value is fixed.

    The entry gets a fixed id: the entities' unique ids are built from it.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=entry.data,
        entry_id=FIXED_ENTRY_ID,
    )
    odoo.scripted.extend(ScriptedAnswer(503, "unavailable") for _ in range(10))
    with patch("custom_components.odoo.PLATFORMS", [platform]):
        await setup_entry(hass, entry)
    return entry


JANE = {"login": "jane@example.com", "name": "Jane"}

type Post = Callable[..., Awaitable[ClientResponse]]


@pytest.fixture
async def post(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> Post:
    """Set the entry up and return a function POSTing signed commands to its webhook."""
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))
    client = await hass_client_no_auth()
    url = f"/api/webhook/{config_entry.data[CONF_WEBHOOK_ID]}"

    async def send(
        command: dict[str, Any] | None = None,
        *,
        body: bytes | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
        timestamp_offset: int = 0,
        nonce: str | None = None,
        signed: bool = True,
        signed_body: bytes | None = None,
        method: str = "POST",
        extra_headers: dict[str, str] | None = None,
    ) -> ClientResponse:
        """POST a command, signed with purpose `command` unless told otherwise."""
        raw = body if body is not None else orjson.dumps(command)
        headers = {"Content-Type": "application/json", **(extra_headers or {})}
        if signed:
            stamp = int(time.time()) + timestamp_offset if timestamp is None else timestamp
            once = nonce or f"nonce-{time.monotonic_ns():020d}"
            key = secret or config_entry.data[CONF_SECRET]
            headers |= {
                "X-Bridge-Timestamp": str(stamp),
                "X-Bridge-Nonce": once,
                "X-Bridge-Signature": sign(key, "command", stamp, once, signed_body or raw),
            }
        return await client.request(method, url, data=raw, headers=headers)

    return send


def command(kind: str, **fields: Any) -> dict[str, Any]:
    """Return a command envelope of docs/protocol.md §4 sent by Jane."""
    return {"v": 1, "id": f"c-{kind}", "type": kind, "user": JANE, **fields}


async def assert_error(response: ClientResponse, status: int, code: str) -> None:
    """Assert an error answer of the PROTOCOL shape."""
    assert response.status == status
    body = await response.json()
    assert body["ok"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
