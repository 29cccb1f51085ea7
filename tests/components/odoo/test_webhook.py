"""The command webhook: authentication, schema, allow-list, every command of docs/protocol.md §4."""

import asyncio
import hashlib
import hmac
import time
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

import orjson
import probatio as vol
import pytest
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)

from custom_components.odoo.const import (
    CONF_ALLOWED_SERVICES,
    CONF_SECRET,
    CONF_USER_ID,
    DOMAIN,
    EVENT_COMMAND_RECEIVED,
)
from custom_components.odoo.webhook import NonceCache

from .conftest import Post, assert_error, command, wait_for
from .fake_odoo import FakeOdoo


def light_on(**fields: Any) -> dict[str, Any]:
    """Return a call_service command turning the kitchen light on."""
    return command(
        "call_service",
        domain="light",
        service="turn_on",
        target={"entity_id": ["light.kitchen"]},
        data={"brightness_pct": 40},
        **fields,
    )


async def test_call_service_runs_as_the_integrations_user(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """An allowed call runs blocking, with the dedicated user, and answers 200."""
    calls = async_mock_service(hass, "light", "turn_on")
    response = await post(light_on())
    assert response.status == HTTPStatus.OK
    assert await response.json() == {"ok": True, "id": "c-call_service", "response": None}
    assert len(calls) == 1
    assert calls[0].data == {"entity_id": ["light.kitchen"], "brightness_pct": 40}
    user_id = config_entry.data[CONF_USER_ID]
    assert calls[0].context.user_id == user_id
    user = await hass.auth.async_get_user(user_id)
    assert user is not None
    assert user.system_generated
    assert not user.is_admin
    assert [group.id for group in user.groups] == [GROUP_ID_USER]


async def test_a_real_entity_service_changes_state_as_the_integrations_user(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry, odoo: FakeOdoo
) -> None:
    """input_boolean.turn_on checks entity permissions: the ordinary-user group may control."""
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"pump": {}}})
    response = await post(
        command(
            "call_service",
            domain="input_boolean",
            service="turn_on",
            target={"entity_id": "input_boolean.pump"},
        )
    )
    assert response.status == HTTPStatus.OK
    state = hass.states.get("input_boolean.pump")
    assert state is not None
    assert state.state == "on"
    assert state.context.user_id == config_entry.data[CONF_USER_ID]
    await wait_for(lambda: odoo.states.get("input_boolean.pump", {}).get("state") == "on")


async def test_call_service_returns_the_response(hass: HomeAssistant, post: Post) -> None:
    """`return_response` hands the service's response back to Odoo."""
    async_mock_service(
        hass, "script", "turn_on", response={"done": 3}, supports_response=SupportsResponse.ONLY
    )
    response = await post(
        command("call_service", domain="script", service="turn_on", return_response=True)
    )
    assert response.status == HTTPStatus.OK
    assert (await response.json())["response"] == {"done": 3}


async def test_command_event_and_logbook_name_the_odoo_user(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """Every command fires `odoo_command_received` with user, service and result."""
    events = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    async_mock_service(hass, "light", "turn_on")
    await post(light_on())
    await post(command("call_service", domain="homeassistant", service="restart"))
    await hass.async_block_till_done()
    assert [event.data["result"] for event in events] == ["ok", "not_allowed"]
    first = events[0]
    assert first.data == {
        "config_entry_id": config_entry.entry_id,
        "command_id": "c-call_service",
        "type": "call_service",
        "domain": "light",
        "service": "turn_on",
        "target": {"entity_id": ["light.kitchen"]},
        "event_type": None,
        "user_login": "jane@example.com",
        "user_name": "Jane",
        "status": 200,
        "result": "ok",
    }
    assert first.context.user_id == config_entry.data[CONF_USER_ID]


# ---- targets outside the export -------------------------------------------------------


@pytest.fixture
async def rooms(hass: HomeAssistant, post: Post, config_entry: MockConfigEntry) -> dict[str, str]:
    """A kitchen (ground floor) with an exported lamp, a vault (cellar) with a lamp excluded
    from the export and labelled "safe", an empty room, and an old-style group of both lamps.

    Returns the two devices' ids.
    """
    source = MockConfigEntry(domain="test")
    source.add_to_hass(hass)
    floors = fr.async_get(hass)
    areas = ar.async_get(hass)
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    floors.async_create("Ground")
    floors.async_create("Cellar")
    areas.async_create("Kitchen", floor_id="ground")
    areas.async_create("Vault", floor_id="cellar")
    areas.async_create("Empty room")
    lr.async_get(hass).async_create("Safe")
    device_ids = {}
    for room in ("kitchen", "vault"):
        device = devices.async_get_or_create(
            config_entry_id=source.entry_id, identifiers={("test", room)}, name=f"{room} lamp"
        )
        devices.async_update_device(device.id, area_id=room)
        entities.async_get_or_create(
            "light", "test", room, device_id=device.id, suggested_object_id=f"{room}_lamp"
        )
        hass.states.async_set(f"light.{room}_lamp", "off")
        device_ids[room] = device.id
    entities.async_update_entity("light.vault_lamp", labels={"safe"})
    assert await async_setup_component(
        hass,
        "group",
        {"group": {"lamps": {"entities": ["light.kitchen_lamp", "light.vault_lamp"]}}},
    )
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, "exclude_entities": ["light.vault_lamp"]}
    )
    await hass.async_block_till_done()
    return device_ids


def lamp_on(target: dict[str, Any] | None = None, **data: Any) -> dict[str, Any]:
    """Return a light.turn_on command with a target and service data."""
    return command(
        "call_service", domain="light", service="turn_on", target=target or {}, data=data
    )


@pytest.mark.parametrize(
    ("target", "data", "named"),
    [
        ({"entity_id": "light.vault_lamp"}, {}, "light.vault_lamp"),
        ({"entity_id": ["light.kitchen_lamp", "light.vault_lamp"]}, {}, "light.vault_lamp"),
        ({"entity_id": "light.kitchen_lamp, light.vault_lamp"}, {}, "light.vault_lamp"),
        ({}, {"entity_id": "light.vault_lamp"}, "light.vault_lamp"),
        ({"area_id": "kitchen"}, {"entity_id": ["light.vault_lamp"]}, "light.vault_lamp"),
        ({}, {"area_id": "vault"}, "light.vault_lamp"),
        ({"device_id": "vault"}, {}, "light.vault_lamp"),
        ({"area_id": "vault"}, {}, "light.vault_lamp"),
        ({"floor_id": "cellar"}, {}, "light.vault_lamp"),
        ({"label_id": "safe"}, {}, "light.vault_lamp"),
        ({"entity_id": "group.lamps"}, {}, "light.vault_lamp"),
        ({"entity_id": "all"}, {}, "entity_id: all"),
        ({"entity_id": "ALL"}, {}, "entity_id: all"),
        ({"entity_id": "none"}, {}, "entity_id: none"),
        ({"area_id": "none"}, {}, "area_id: none"),
        ({}, {"entity_id": "all"}, "entity_id: all"),
        ({"area_id": "attic"}, {}, "area attic"),
        ({"device_id": "0123456789abcdef"}, {}, "device 0123456789abcdef"),
        ({"floor_id": "roof"}, {}, "floor roof"),
        ({"label_id": "secret"}, {}, "label secret"),
        ({"area_id": "empty_room"}, {}, "hold no entity"),
    ],
)
async def test_a_target_outside_the_export_is_refused_and_nothing_is_called(
    hass: HomeAssistant,
    post: Post,
    rooms: dict[str, str],
    target: dict[str, Any],
    data: dict[str, Any],
    named: str,
) -> None:
    """Every target form (entity, device, area, floor, label, a group, entity ids in the data,
    all, none, unknown ids) is resolved to entities: one outside the export means 403."""
    calls = async_mock_service(hass, "light", "turn_on")
    if "device_id" in target and target["device_id"] in rooms:
        target = {"device_id": rooms[target["device_id"]]}
    response = await post(lamp_on(target, **data))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    assert named in (await response.json())["error"]["message"]
    assert calls == []


@pytest.mark.parametrize(
    "target",
    [
        {"entity_id": "light.kitchen_lamp"},
        {"device_id": "kitchen"},
        {"area_id": "kitchen"},
        {"floor_id": "ground"},
        {"area_id": ["kitchen"], "entity_id": "light.kitchen_lamp"},
    ],
)
async def test_a_target_inside_the_export_is_called(
    hass: HomeAssistant, post: Post, rooms: dict[str, str], target: dict[str, Any]
) -> None:
    """Devices, areas and floors whose entities are all exported reach the service."""
    calls = async_mock_service(hass, "light", "turn_on")
    if "device_id" in target:
        target = {"device_id": rooms[target["device_id"]]}
    response = await post(lamp_on(target, brightness_pct=40))
    assert response.status == HTTPStatus.OK
    assert len(calls) == 1


async def test_entity_ids_in_the_data_reach_a_real_entity_service_only_when_exported(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """Home Assistant merges data into the target: `data.entity_id` is checked like the target
    (measured end to end before the fix: the excluded entity was switched on)."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"pump": {}, "vault_door": {}}}
    )
    hass.config_entries.async_update_entry(
        config_entry, options={"exclude_entities": ["input_boolean.vault_door"]}
    )
    await hass.async_block_till_done()

    def switch_on(target: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        return command(
            "call_service", domain="input_boolean", service="turn_on", target=target, data=data
        )

    def state(entity_id: str) -> str | None:
        current = hass.states.get(entity_id)
        return current.state if current else None

    refused = await post(switch_on({}, {"entity_id": "input_boolean.vault_door"}))
    await assert_error(refused, HTTPStatus.FORBIDDEN, "not_allowed")
    assert state("input_boolean.vault_door") == "off"
    # The target's entity_id replaces the data's, as in Home Assistant: only the pump runs.
    accepted = await post(
        switch_on({"entity_id": "input_boolean.pump"}, {"entity_id": "input_boolean.vault_door"})
    )
    assert accepted.status == HTTPStatus.OK
    assert state("input_boolean.pump") == "on"
    assert state("input_boolean.vault_door") == "off"


@pytest.mark.parametrize(
    ("domain", "service", "allowed"),
    [
        ("homeassistant", "restart", None),
        ("hassio", "host_reboot", None),
        ("shell_command", "wipe", ["shell_command.wipe", "shell_command.*"]),
        ("notify", "send_message", None),
        ("light", "turn_on", ["switch.*"]),
    ],
)
async def test_services_outside_the_allow_list_are_refused(
    hass: HomeAssistant,
    post: Post,
    config_entry: MockConfigEntry,
    domain: str,
    service: str,
    allowed: list[str] | None,
) -> None:
    """Unlisted services and Home Assistant's own are refused with 403, and never run."""
    if allowed is not None:
        hass.config_entries.async_update_entry(
            config_entry, options={**config_entry.options, CONF_ALLOWED_SERVICES: allowed}
        )
    calls = async_mock_service(hass, domain, service)
    response = await post(command("call_service", domain=domain, service=service))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    assert calls == []


async def test_a_wildcard_allows_a_whole_domain(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """`domain.*` in the allow-list allows every service of that domain."""
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_ALLOWED_SERVICES: ["notify.*"]}
    )
    calls = async_mock_service(hass, "notify", "send_message")
    response = await post(command("call_service", domain="notify", service="send_message"))
    assert response.status == HTTPStatus.OK
    assert len(calls) == 1


async def test_unknown_service_is_404(post: Post) -> None:
    """An allowed service Home Assistant does not have answers 404."""
    response = await post(command("call_service", domain="light", service="turn_off"))
    await assert_error(response, HTTPStatus.NOT_FOUND, "unknown_service")


async def test_a_service_vanishing_before_the_call_is_404(post: Post) -> None:
    """A service removed between the check and the call still answers 404."""
    with patch("homeassistant.core.ServiceRegistry.has_service", return_value=True):
        response = await post(command("call_service", domain="light", service="turn_off"))
    await assert_error(response, HTTPStatus.NOT_FOUND, "unknown_service")


async def test_admin_services_stay_refused_even_when_allowed(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """The integration's user is no administrator: an allowed admin-only service answers 403."""
    calls: list[ServiceCall] = []
    async_register_admin_service(hass, "notify", "reset", calls.append)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_ALLOWED_SERVICES: ["notify.reset"]}
    )
    response = await post(command("call_service", domain="notify", service="reset"))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    assert calls == []


async def test_invalid_service_data_is_400(hass: HomeAssistant, post: Post) -> None:
    """Data the service's schema refuses answers 400 and runs nothing."""
    calls = async_mock_service(
        hass, "light", "turn_on", schema=vol.Schema({vol.Required("brightness"): int})
    )
    response = await post(light_on())
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert calls == []


async def test_response_of_a_service_without_one_is_invalid(
    hass: HomeAssistant, post: Post
) -> None:
    """Asking a response of a service that gives none answers 400."""
    async_mock_service(hass, "light", "turn_on")
    response = await post(light_on(return_response=True))
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ServiceValidationError("brightness out of range"), HTTPStatus.BAD_REQUEST, "invalid"),
        (HomeAssistantError("bulb offline"), HTTPStatus.INTERNAL_SERVER_ERROR, "service_failed"),
        (RuntimeError("bug"), HTTPStatus.INTERNAL_SERVER_ERROR, "service_failed"),
    ],
)
async def test_service_errors_map_to_status(
    hass: HomeAssistant, post: Post, error: Exception, status: int, code: str
) -> None:
    """A service raising answers 400 (validation) or 500 (failure), never an empty 200."""
    async_mock_service(hass, "light", "turn_on", raise_exception=error)
    response = await post(light_on())
    await assert_error(response, status, code)


async def test_a_slow_service_answers_504_and_keeps_running(
    hass: HomeAssistant, post: Post
) -> None:
    """A service outlasting the command timeout answers 504; the call still completes."""
    release = asyncio.Event()
    finished: list[ServiceCall] = []

    async def slow(call: ServiceCall) -> None:
        """Wait until released."""
        await release.wait()
        finished.append(call)

    hass.services.async_register("light", "turn_on", slow)
    with patch("custom_components.odoo.commands.COMMAND_TIMEOUT", 0.05):
        response = await post(light_on())
    await assert_error(response, HTTPStatus.GATEWAY_TIMEOUT, "timeout")
    release.set()
    await hass.async_block_till_done()
    assert len(finished) == 1


async def test_a_slow_service_failing_later_is_logged(
    hass: HomeAssistant, post: Post, caplog: pytest.LogCaptureFixture
) -> None:
    """A service that fails after its 504 is collected and logged, not left unretrieved."""
    release = asyncio.Event()

    async def slow_failure(call: ServiceCall) -> None:
        """Fail once released."""
        await release.wait()
        raise HomeAssistantError("too late")

    hass.services.async_register("light", "turn_on", slow_failure)
    with patch("custom_components.odoo.commands.COMMAND_TIMEOUT", 0.05):
        await post(light_on())
    release.set()
    await hass.async_block_till_done()
    assert "failed after its answer timed out: too late" in caplog.text


async def test_ping_reports_version_time_and_outbox(post: Post) -> None:
    """`ping` answers with Home Assistant's version, clock and outbox size."""
    response = await post(command("ping"))
    assert response.status == HTTPStatus.OK
    body = await response.json()
    assert body["ok"] is True
    assert body["ha_version"] == HA_VERSION
    assert body["outbox"] == 0
    assert body["time"].endswith("+00:00")


async def test_resync_pushes_a_snapshot(hass: HomeAssistant, post: Post, odoo: FakeOdoo) -> None:
    """`resync` answers 202, then a snapshot reaches Odoo; an older addon's `scope` is ignored."""
    hass.states.async_set("sensor.freezer", "-18")
    snapshots = sum(1 for batch in odoo.batches if batch["snapshot"])
    response = await post(command("resync", scope="everything"))
    assert response.status == HTTPStatus.ACCEPTED
    await wait_for(lambda: sum(1 for batch in odoo.batches if batch["snapshot"]) > snapshots)
    assert odoo.states["sensor.freezer"]["state"] == "-18"


@pytest.mark.parametrize(
    "bad",
    [
        {"v": 1, "type": "ping"},
        {"v": "1", "id": "x", "type": "ping"},
        {"v": 1, "id": "x", "type": "reboot"},
        {"v": 1, "id": "x", "type": "call_service", "domain": "light"},
        {"v": 1, "id": "x", "type": "call_service", "domain": "light", "service": "turn_on",
         "target": {"entity_id": ["not an entity"]}},
        {"v": 1, "id": "x", "type": "history", "entity_ids": [], "start": "2026-01-01T00:00:00",
         "end": "2026-01-02T00:00:00"},
        {"v": 1, "id": "x", "type": "history", "entity_ids": ["sensor.a"],
         "start": "2026-01-02T00:00:00+00:00", "end": "2026-01-01T00:00:00+00:00"},
    ],
)  # fmt: skip
async def test_schema_violations_are_400_invalid(
    hass: HomeAssistant, post: Post, bad: dict[str, Any]
) -> None:
    """Missing fields, wrong types, unknown types and bad ranges answer 400 `invalid`."""
    calls = async_mock_service(hass, "light", "turn_on")
    await assert_error(await post(bad), HTTPStatus.BAD_REQUEST, "invalid")
    assert calls == []


async def test_unsupported_version_is_refused(hass: HomeAssistant, post: Post) -> None:
    """An unknown major version answers 400 `unsupported_version`."""
    calls = async_mock_service(hass, "light", "turn_on")
    response = await post({**light_on(), "v": 2})
    await assert_error(response, HTTPStatus.BAD_REQUEST, "unsupported_version")
    assert calls == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
async def test_malformed_json_is_400(post: Post, body: bytes) -> None:
    """A signed body that is not a JSON object answers 400."""
    await assert_error(await post(body=body), HTTPStatus.BAD_REQUEST, "invalid")


@pytest.mark.parametrize(
    "tamper",
    [
        {"signed": False},
        {"secret": "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZy0x"},
        {"nonce": "short"},
        {"secret": "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZy0x", "timestamp_offset": 400},
    ],
)
async def test_unauthenticated_commands_are_401_and_change_nothing(
    hass: HomeAssistant, post: Post, tamper: dict[str, Any]
) -> None:
    """Unsigned, wrongly signed or badly formed requests answer 401 and run nothing."""
    events = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    calls = async_mock_service(hass, "light", "turn_on")
    response = await post(light_on(), **tamper)
    await assert_error(response, HTTPStatus.UNAUTHORIZED, "unauthorized")
    assert calls == []
    assert events == []


# Offsets from the moment of sending: a slow run must not age them into the window.
@pytest.mark.parametrize("offset", [-301, 400])
async def test_a_stale_timestamp_is_named_with_home_assistants_clock(
    hass: HomeAssistant, post: Post, offset: int
) -> None:
    """A correctly signed command from a clock more than 300 s off answers 401
    `stale_timestamp` with HA's time (contract), runs nothing, and keeps no nonce."""
    events = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    calls = async_mock_service(hass, "light", "turn_on")
    before = int(time.time())
    response = await post(light_on(), timestamp_offset=offset, nonce="nonce-stale-0000001")
    await assert_error(response, HTTPStatus.UNAUTHORIZED, "stale_timestamp")
    server_time = (await response.json())["error"]["server_time"]
    assert before <= server_time <= int(time.time())
    assert calls == []
    assert events == []
    # The nonce was not used up: the same request with a fresh timestamp runs.
    response = await post(light_on(), nonce="nonce-stale-0000001")
    assert response.status == HTTPStatus.OK
    assert len(calls) == 1


@pytest.mark.parametrize(
    "timestamp", ["²", "9" * 5000, "١٧٦٤٣٥٢٨٠٠"], ids=["superscript", "5000_digits", "arabic"]
)
async def test_a_timestamp_of_other_digits_is_401(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry, timestamp: str
) -> None:
    """Digits other than a few ASCII ones are refused with 401, never an error 500."""
    calls = async_mock_service(hass, "light", "turn_on")
    body = orjson.dumps(light_on())
    nonce = "nonce-digits-000001"
    message = f"v1\ncommand\n{timestamp}\n{nonce}\n".encode() + body
    key = config_entry.data[CONF_SECRET].encode()
    response = await post(
        body=body,
        signed=False,
        extra_headers={
            "X-Bridge-Timestamp": timestamp,
            "X-Bridge-Nonce": nonce,
            "X-Bridge-Signature": "v1=" + hmac.new(key, message, hashlib.sha256).hexdigest(),
        },
    )
    await assert_error(response, HTTPStatus.UNAUTHORIZED, "unauthorized")
    assert calls == []


async def test_a_replayed_nonce_is_refused(hass: HomeAssistant, post: Post) -> None:
    """The same signed request sent twice runs once."""
    calls = async_mock_service(hass, "light", "turn_on")
    first = await post(light_on(), nonce="replayed-nonce-000001")
    second = await post(light_on(), nonce="replayed-nonce-000001")
    assert first.status == HTTPStatus.OK
    await assert_error(second, HTTPStatus.UNAUTHORIZED, "unauthorized")
    assert len(calls) == 1


async def test_the_signature_covers_the_body(hass: HomeAssistant, post: Post) -> None:
    """A body changed after signing is refused."""
    calls = async_mock_service(hass, "light", "turn_on")
    original = orjson.dumps(light_on())
    response = await post(body=original.replace(b"40", b"99"), signed_body=original)
    await assert_error(response, HTTPStatus.UNAUTHORIZED, "unauthorized")
    assert calls == []


async def test_wrong_method_is_refused_by_home_assistant(hass: HomeAssistant, post: Post) -> None:
    """The webhook takes POST only: Home Assistant answers PUT with 405 and runs nothing."""
    calls = async_mock_service(hass, "light", "turn_on")
    response = await post(light_on(), method="PUT")
    assert response.status == HTTPStatus.METHOD_NOT_ALLOWED
    assert calls == []


async def test_an_oversized_body_is_413(post: Post) -> None:
    """A body over 1 MiB is refused before its signature is even checked."""
    response = await post(body=b"{" + b" " * (1024 * 1024) + b"}")
    await assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large")


async def test_nonce_cache_is_bounded_and_pruned() -> None:
    """The replay cache refuses new nonces when full of live ones, and forgets expired ones."""
    cache = NonceCache(limit=2)
    assert cache.add("a" * 16, now=1000.0)
    assert cache.add("b" * 16, now=1001.0)
    assert not cache.add("c" * 16, now=1002.0)
    assert "a" * 16 in cache
    assert cache.add("c" * 16, now=1000.0 + 601)
    assert "a" * 16 not in cache
    assert len(cache) == 2


async def test_a_full_nonce_cache_answers_429(hass: HomeAssistant, post: Post) -> None:
    """When the replay cache is full of live nonces, commands are refused with 429."""
    calls = async_mock_service(hass, "light", "turn_on")
    with patch("custom_components.odoo.webhook.NonceCache.add", return_value=False):
        response = await post(light_on())
    await assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "too_many_requests")
    assert calls == []


async def test_an_unexpected_failure_still_answers_json(hass: HomeAssistant, post: Post) -> None:
    """Even a bug in the dispatcher answers an explicit JSON 500, never an empty 200."""
    with patch("custom_components.odoo.async_handle_command", side_effect=RuntimeError("bug")):
        response = await post(command("ping"))
    await assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "service_failed")


async def test_the_webhook_goes_away_with_the_entry(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """After unload Home Assistant no longer routes the webhook to the integration."""
    calls = async_mock_service(hass, "light", "turn_on")
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    response = await post(light_on())
    assert response.status == HTTPStatus.OK
    assert await response.read() == b""
    assert calls == []


async def test_removing_the_entry_removes_its_user(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """The dedicated user lives and dies with the pairing; a reload keeps it."""
    user_id = config_entry.data[CONF_USER_ID]
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    assert config_entry.data[CONF_USER_ID] == user_id
    await hass.config_entries.async_remove(config_entry.entry_id)
    assert await hass.auth.async_get_user(user_id) is None
    assert DOMAIN not in {entry.domain for entry in hass.config_entries.async_entries()}
