"""History backfill from the recorder, and how Odoo's commands read in the logbook."""

import time
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

import orjson
import pytest
from homeassistant.components.recorder import Recorder, history, statistics
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo.const import CONF_SECRET, CONF_USER_ID, CONF_WEBHOOK_ID
from custom_components.odoo.signing import sign

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo
from .test_attributes import CAMERA_ATTRIBUTES


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """Prepare the recorder's database before `hass` exists, then allow custom integrations."""


async def send(
    hass_client_no_auth: ClientSessionGenerator, entry: MockConfigEntry, command: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """POST one signed command and return the status and JSON answer."""
    client = await hass_client_no_auth()
    body = orjson.dumps({"v": 1, "id": "c1", **command})
    stamp, nonce = int(time.time()), f"nonce-{time.monotonic_ns():020d}"
    response = await client.post(
        f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}",
        data=body,
        headers={
            "X-Bridge-Timestamp": str(stamp),
            "X-Bridge-Nonce": nonce,
            "X-Bridge-Signature": sign(entry.data[CONF_SECRET], "command", stamp, nonce, body),
        },
    )
    return response.status, await response.json()


def history_command(entity_ids: Any, start: datetime) -> dict[str, Any]:
    """A `history` command for `entity_ids` from `start` until now."""
    return {
        "type": "history",
        "entity_ids": entity_ids,
        "start": start.isoformat(),
        "end": dt_util.utcnow().isoformat(),
    }


async def test_history_backfill_pushes_recorded_states(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """`history` answers 202, then the recorded states of the range reach Odoo as state events."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    for value in ("-18", "-12", "-5"):
        hass.states.async_set("sensor.freezer", value)
        hass.states.async_set("sensor.not_asked", value)
    await async_wait_recording_done(hass)
    latest = hass.states.get("sensor.freezer")
    assert latest is not None
    await setup_entry(hass, config_entry)
    await wait_for(lambda: "sensor.freezer" in odoo.states)
    assert [e["state"] for e in odoo.state_events("sensor.freezer")] == ["-5"]

    status, answer = await send(
        hass_client_no_auth,
        config_entry,
        history_command(["sensor.freezer"], start),
    )
    assert (status, answer) == (HTTPStatus.ACCEPTED, {"ok": True, "id": "c1"})
    await wait_for(lambda: len(odoo.state_events("sensor.freezer")) == 4)
    backfilled = odoo.state_events("sensor.freezer")[1:]
    assert [event["state"] for event in backfilled] == ["-18", "-12", "-5"]
    assert backfilled[-1]["last_updated"] == latest.last_updated.isoformat()
    assert len(odoo.state_events("sensor.not_asked")) == 1


async def test_history_backfill_carries_no_credentials(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A recorded state with a token (set without state_info, so the recorder kept it) is
    backfilled without it."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    hass.states.async_set("camera.door", "idle", CAMERA_ATTRIBUTES)
    await async_wait_recording_done(hass)
    await setup_entry(hass, config_entry)
    await wait_for(lambda: "camera.door" in odoo.states)
    command = history_command(["camera.door"], start)
    status, _ = await send(hass_client_no_auth, config_entry, command)
    assert status == 202
    await wait_for(lambda: len(odoo.state_events("camera.door")) == 2)
    for event in odoo.state_events("camera.door"):
        assert event["attributes"] == {"friendly_name": "Door", "brand": "Acme"}


async def test_history_of_unexported_entities_sends_nothing(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The export filter applies to a backfill too."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    hass.states.async_set("sensor.secret", "1")
    await async_wait_recording_done(hass)
    await setup_entry(hass, config_entry, exclude_entities=["sensor.secret"])
    await wait_for(lambda: bool(odoo.batches))
    with patch("custom_components.odoo.history._LOGGER.debug") as debug:
        status, _ = await send(
            hass_client_no_auth,
            config_entry,
            {
                "type": "history",
                "entity_ids": ["sensor.secret"],
                "start": start.isoformat(),
                "end": dt_util.utcnow().replace(tzinfo=None).isoformat(),
            },
        )
        assert status == HTTPStatus.ACCEPTED
        await wait_for(lambda: debug.called)
    assert debug.call_args.args[1] == 0
    assert odoo.state_events("sensor.secret") == []


async def test_a_backfill_larger_than_the_outbox_keeps_the_oldest(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A backfill never overflows the outbox (compaction would drop it again)."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    for value in range(1500):
        hass.states.async_set("sensor.busy", str(value))
    await async_wait_recording_done(hass)
    await setup_entry(hass, config_entry, buffer_limit=1000)
    await wait_for(lambda: "sensor.busy" in odoo.states)
    status, _ = await send(
        hass_client_no_auth,
        config_entry,
        history_command("sensor.busy", start),
    )
    assert status == HTTPStatus.ACCEPTED
    await wait_for(lambda: len(odoo.state_events("sensor.busy")) == 1001)
    assert odoo.state_events("sensor.busy")[1]["state"] == "0"
    assert "exceeds the outbox's free room" in caplog.text


async def test_history_without_recorder_fails_clearly(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a recorder there is no history: the answer says so."""
    await setup_entry(hass, config_entry)
    status, answer = await send(
        hass_client_no_auth,
        config_entry,
        {
            "type": "history",
            "entity_ids": ["sensor.a"],
            "start": "2026-01-01T00:00:00+00:00",
            "end": "2026-01-02T00:00:00+00:00",
        },
    )
    assert status == HTTPStatus.INTERNAL_SERVER_ERROR
    assert answer["error"]["code"] == "service_failed"
    assert "recorder" in answer["error"]["message"]


JANE = {"login": "jane@example.com", "name": "Jane"}


@pytest.fixture
async def logbook_since(
    recorder_mock: Recorder, hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> datetime:
    """The logbook and the entry set up; the moment from which the logbook is the test's."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow()
    await setup_entry(hass, config_entry)
    return start


async def odoo_logbook(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, start: datetime
) -> list[dict[str, Any]]:
    """Return the integration's logbook entries since `start`, once recorded."""
    await async_wait_recording_done(hass)
    client = await hass_client()
    response = await client.get(f"/api/logbook/{start.isoformat()}")
    return [entry for entry in await response.json() if entry.get("domain") == "odoo"]


async def test_logbook_shows_the_odoo_user(
    hass: HomeAssistant,
    logbook_since: datetime,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """The logbook reads "Jane called light.turn_on via Odoo", as the integration's user."""
    async_mock_service(hass, "light", "turn_on")
    for service in ("turn_on", "restart"):
        domain = "light" if service == "turn_on" else "homeassistant"
        await send(
            hass_client_no_auth,
            config_entry,
            {
                "type": "call_service",
                "domain": domain,
                "service": service,
                "target": {"entity_id": "light.kitchen"},
                "user": JANE,
            },
        )
    await send(hass_client_no_auth, config_entry, {"type": "ping", "user": {"login": "bob"}})
    await send(hass_client_no_auth, config_entry, {"type": "resync"})
    entries = await odoo_logbook(hass, hass_client, logbook_since)
    assert [(e["name"], e["message"]) for e in entries] == [
        ("Jane", "called light.turn_on via Odoo"),
        ("Jane", "called homeassistant.restart via Odoo (refused: not_allowed)"),
        ("bob", "tested the connection via Odoo"),
        ("Odoo", "requested a resync via Odoo"),
    ]
    assert entries[0]["entity_id"] == "light.kitchen"
    assert entries[0]["context_user_id"] == config_entry.data[CONF_USER_ID]


@pytest.mark.parametrize(
    ("entity_ids", "span", "message"),
    [
        ([f"sensor.s{index}" for index in range(101)], timedelta(hours=1), "at most 100"),
        (["sensor.a"], timedelta(days=31, seconds=1), "at most 31 days"),
        (["sensor.a"], timedelta(0), "before end"),
        (["sensor.a"], -timedelta(hours=1), "before end"),
    ],
)
async def test_history_beyond_its_bounds_is_400_and_reads_nothing(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    entity_ids: list[str],
    span: timedelta,
    message: str,
) -> None:
    """More than 100 entities, more than 31 days or an empty range: 400 `invalid`, and the
    recorder is never asked."""
    await setup_entry(hass, config_entry)
    end = dt_util.utcnow()
    with patch("custom_components.odoo.history.history.get_significant_states") as query:
        status, answer = await send(
            hass_client_no_auth,
            config_entry,
            {
                "type": "history",
                "entity_ids": entity_ids,
                "start": (end - span).isoformat(),
                "end": end.isoformat(),
            },
        )
        await hass.async_block_till_done()
    assert status == HTTPStatus.BAD_REQUEST
    assert answer["error"]["code"] == "invalid"
    assert message in answer["error"]["message"]
    query.assert_not_called()


async def test_history_reads_only_exported_entities(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The recorder is asked only for exported entities; 100 ids over 31 days is allowed."""
    await setup_entry(hass, config_entry, exclude_entities=["sensor.secret"])
    end = dt_util.utcnow()
    entity_ids = ["sensor.secret", *(f"sensor.s{index}" for index in range(99))]
    with patch(
        "custom_components.odoo.history.history.get_significant_states", return_value={}
    ) as query:
        status, _ = await send(
            hass_client_no_auth,
            config_entry,
            {
                "type": "history",
                "entity_ids": entity_ids,
                "start": (end - timedelta(days=31)).isoformat(),
                "end": end.isoformat(),
            },
        )
        assert status == HTTPStatus.ACCEPTED
        await wait_for(lambda: query.called)
    assert query.call_args.args[3] == entity_ids[1:]


async def test_logbook_shows_the_event_odoo_fired(
    hass: HomeAssistant,
    logbook_since: datetime,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """One entry per fired event, "Odoo fired odoo_rush_order for Jane", as the integration."""
    for event_type in ("odoo_rush_order", "rush_order"):
        await send(
            hass_client_no_auth,
            config_entry,
            {"type": "fire_event", "event_type": event_type, "data": {"order": "S1"}, "user": JANE},
        )
    entries = await odoo_logbook(hass, hass_client, logbook_since)
    assert [(e["name"], e["message"]) for e in entries] == [
        ("Odoo", "fired odoo_rush_order for Jane"),
        ("Odoo", "fired rush_order for Jane (refused: invalid)"),
    ]
    assert entries[0]["context_user_id"] == config_entry.data[CONF_USER_ID]


async def test_the_recorder_keeps_the_history_of_figures(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Figure sensors are recorded, and with a state class they qualify for statistics."""
    await setup_entry(hass, config_entry)
    start = dt_util.utcnow()
    for value in (3, 5):
        status, _answer = await send(
            hass_client_no_auth,
            config_entry,
            {
                "type": "figures",
                "complete": True,
                "figures": [
                    {"key": "tickets", "name": "Tickets", "value": value, "state_class": "total"}
                ],
            },
        )
        assert status == HTTPStatus.OK
        await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    states = await recorder_mock.async_add_executor_job(
        history.state_changes_during_period, hass, start, None, "sensor.odoo_figures_tickets"
    )
    assert [state.state for state in states["sensor.odoo_figures_tickets"]] == ["3", "5"]
    issues = await recorder_mock.async_add_executor_job(statistics.validate_statistics, hass)
    assert "sensor.odoo_figures_tickets" not in issues
    assert hass.states.get("sensor.odoo_figures_tickets").attributes["state_class"] == "total"
