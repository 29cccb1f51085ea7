"""Config flow: pairing through odoorpc against the fake Odoo's JSON-RPC, every error, reauth."""

import asyncio
import logging
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import instance_id
from homeassistant.helpers import label_registry as lr
from pytest_aiohttp import AiohttpServer
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.odoo as integration
from custom_components.odoo.const import (
    CONF_API_KEY,
    CONF_DATABASE,
    CONF_HA_URL,
    CONF_HA_UUID,
    CONF_MAX_BATCH,
    CONF_PUSH_URL,
    CONF_SECRET,
    CONF_URL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.odoo.outbox_journal import journal_path
from custom_components.odoo.pairing import async_pair

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo, ScriptedAnswer

CREDENTIALS = {
    CONF_DATABASE: "prod",
    CONF_USERNAME: "admin",
    CONF_API_KEY: "key-123",
    CONF_HA_URL: "http://192.168.1.2:8123",
}


async def _start(hass: HomeAssistant, url: str) -> dict[str, Any]:
    """Start a flow and submit the Odoo URL."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: url})


def _selector(result: dict[str, Any], key: str) -> dict[str, Any]:
    """Return the serialized selector of a form field."""
    for marker, selector in result["data_schema"].schema.items():
        if marker == key:
            return dict(selector.serialize()["selector"])
    raise AssertionError(key)


def _suggested(result: dict[str, Any], key: str) -> Any:
    """Return the suggested value of a form field."""
    for marker in result["data_schema"].schema:
        if marker == key:
            return (marker.description or {}).get("suggested_value")
    raise AssertionError(key)


async def test_pairs_and_creates_the_entry(hass: HomeAssistant, odoo: FakeOdoo) -> None:
    """URL → credentials with a database dropdown → ha_pair as the user → entry → snapshot."""
    await hass.config.async_update(internal_url="http://192.168.1.2:8123")
    result = await _start(hass, odoo.base_url + "/")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "credentials"
    assert _selector(result, CONF_DATABASE)["select"]["options"] == ["prod", "test"]
    assert _suggested(result, CONF_HA_URL) == "http://192.168.1.2:8123"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    uuid = await instance_id.async_get(hass)
    data = result["data"]
    assert data[CONF_URL] == odoo.base_url
    assert data[CONF_HA_UUID] == uuid
    assert "instance_id" not in data  # Odoo's record id: nothing in Home Assistant reads it
    assert data[CONF_PUSH_URL] == f"{odoo.base_url}/home_assistant/push/{uuid}"
    assert result["result"].unique_id == f"{odoo.base_url}|prod|{uuid}"
    (values,) = odoo.pair_calls
    assert values == {
        "uuid": uuid,
        "name": hass.config.location_name,
        "ha_url": "http://192.168.1.2:8123",
        "webhook_id": data[CONF_WEBHOOK_ID],
        "secret": data[CONF_SECRET],
        "ha_version": HA_VERSION,
        "protocol": 1,
    }
    assert len(data[CONF_SECRET]) == 43
    assert len(data[CONF_WEBHOOK_ID]) == 64
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED
    await wait_for(lambda: any(batch["snapshot"] for batch in odoo.batches))


async def test_free_text_database_when_the_server_hides_the_list(
    hass: HomeAssistant, odoo: FakeOdoo
) -> None:
    """With `list_db = False` the database is typed; a wrong name is reported at login."""
    odoo.list_databases = False
    result = await _start(hass, odoo.base_url)
    assert "text" in _selector(result, CONF_DATABASE)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**CREDENTIALS, CONF_DATABASE: "nope"}
    )
    assert result["errors"] == {"base": "unknown_database"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("url", ["ftp://odoo.example", "http://odoo.example/odoo", "odoo", ""])
async def test_invalid_url(hass: HomeAssistant, url: str) -> None:
    """Something that is not the http(s) root of a server is refused before any request."""
    result = await _start(hass, url)
    assert result["errors"] == {CONF_URL: "invalid_url"}


async def test_cannot_connect_then_recovers(
    hass: HomeAssistant, odoo: FakeOdoo, socket_enabled: None, aiohttp_server: AiohttpServer
) -> None:
    """A web server that is not Odoo, and a closed port, are `cannot_connect`; Odoo then works."""
    other: TestServer = await aiohttp_server(web.Application())
    result = await _start(hass, str(other.make_url("")))
    assert result["errors"] == {CONF_URL: "cannot_connect"}
    port = other.port
    await other.close()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: f"http://127.0.0.1:{port}"}
    )
    assert result["errors"] == {CONF_URL: "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo.base_url}
    )
    assert result["step_id"] == "credentials"


@pytest.mark.parametrize(
    ("change", "submitted", "errors"),
    [
        ({}, {CONF_API_KEY: "wrong"}, {"base": "invalid_auth"}),
        ({}, {CONF_USERNAME: "nobody"}, {"base": "invalid_auth"}),
        ({"addon_installed": False}, {}, {"base": "addon_not_installed"}),
        ({"ha_admins": set()}, {}, {"base": "not_ha_admin"}),
        ({}, {CONF_HA_URL: "not a url"}, {CONF_HA_URL: "invalid_url"}),
    ],
)
async def test_credential_errors_then_recovery(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    change: dict[str, Any],
    submitted: dict[str, str],
    errors: dict[str, str],
) -> None:
    """Each problem gets its own error, nothing is paired, and fixing it pairs."""
    for attribute, value in change.items():
        setattr(odoo, attribute, value)
    result = await _start(hass, odoo.base_url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**CREDENTIALS, **submitted}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert odoo.pair_calls == []
    assert _suggested(result, CONF_API_KEY) is None
    assert _suggested(result, CONF_USERNAME) == {**CREDENTIALS, **submitted}[CONF_USERNAME]
    odoo.addon_installed = True
    odoo.ha_admins = {"admin"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_pairing_twice_is_refused(hass: HomeAssistant, odoo: FakeOdoo) -> None:
    """The same Home Assistant cannot pair twice with the same database."""
    result = await _start(hass, odoo.base_url)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await _start(hass, odoo.base_url)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(odoo.pair_calls) == 1


async def test_reauth_pairs_again_with_a_new_secret(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Re-authentication keeps uuid and webhook, rotates the secret and reloads the entry."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    old_secret = config_entry.data[CONF_SECRET]
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert _suggested(result, CONF_USERNAME) == "admin"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    odoo.users["admin"] = "key-456"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "key-456"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    (values,) = odoo.pair_calls
    assert values["uuid"] == config_entry.data[CONF_HA_UUID]
    assert values["webhook_id"] == config_entry.data[CONF_WEBHOOK_ID]
    assert config_entry.data[CONF_SECRET] == values["secret"] != old_secret
    assert config_entry.data[CONF_API_KEY] == "key-456"
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


async def test_pairing_again_holds_pushes_until_the_entry_reloads(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """No push races a renewed pairing, and what queued meanwhile follows with the new secret.

    Every push updates the instance's row that pairing rewrites: a stream in flight made
    Odoo fail the pairing on serialization conflicts, and a push signed with the old secret
    after the rotation would be refused and start a re-authentication.
    """
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))
    pushes_while_pairing: list[int] = []

    async def pair_while_the_stream_goes_on(*args: Any) -> dict[str, Any]:
        before = len(odoo.requests)
        hass.states.async_set("sensor.during_pairing", "1")
        config_entry.runtime_data.outbox.async_request_flush()
        await asyncio.sleep(0.5)
        pushes_while_pairing.append(len(odoo.requests) - before)
        return await async_pair(*args)

    result = await config_entry.start_reauth_flow(hass)
    with patch(f"{integration.__name__}.config_flow.async_pair", pair_while_the_stream_goes_on):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "key-123"}
        )

    assert result["reason"] == "reauth_successful"
    assert pushes_while_pairing == [0]
    await hass.async_block_till_done()
    await wait_for(lambda: "sensor.during_pairing" in odoo.states)
    assert odoo.rejected_signatures == 0
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_a_failed_pairing_again_resumes_the_pushes(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """When pairing again fails the entry keeps its pairing, and its held pushes go on."""
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    hass.states.async_set("sensor.after_the_failure", "1")
    config_entry.runtime_data.outbox.async_request_flush()
    await wait_for(lambda: "sensor.after_the_failure" in odoo.states)


async def test_removing_the_entry_unpairs(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Removing the entry calls ha_unpair and deletes the saved outbox and its journal."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: bool(odoo.batches))
    assert journal_path(hass, config_entry.entry_id).exists()
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    assert odoo.unpair_calls == [config_entry.data[CONF_HA_UUID]]
    assert f"odoo.outbox.{config_entry.entry_id}" not in hass_storage
    assert not journal_path(hass, config_entry.entry_id).exists()


async def test_unpair_failure_does_not_block_removal(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unreachable or refusing Odoo still lets the user remove the entry, secrets unlogged."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    odoo.users["admin"] = "rotated"
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    assert odoo.unpair_calls == []
    assert "Could not unpair" in caplog.text
    assert "key-123" not in caplog.text
    assert config_entry.data[CONF_SECRET] not in caplog.text


async def test_secrets_never_reach_the_log(
    hass: HomeAssistant, odoo: FakeOdoo, caplog: pytest.LogCaptureFixture
) -> None:
    """With debug logging on, pairing and pushing never log the API key, secret or webhook id."""
    caplog.set_level(logging.DEBUG)
    result = await _start(hass, odoo.base_url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**CREDENTIALS, CONF_API_KEY: "wrong-key-456"}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    data = result["data"]
    await wait_for(lambda: any(batch["snapshot"] for batch in odoo.batches))
    odoo.scripted.append(ScriptedAnswer(401, "bad_signature"))
    hass.states.async_set("sensor.x", "1")
    await wait_for(lambda: "refused the credentials" in caplog.text)
    for secret in ("key-123", "wrong-key-456", data[CONF_SECRET], data[CONF_WEBHOOK_ID]):
        assert secret not in caplog.text


async def test_reconfigure_pairs_again_at_new_addresses(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    aiohttp_server: AiohttpServer,
) -> None:
    """Reconfigure moves the pairing to new URLs with the stored credentials and a new secret."""
    await setup_entry(hass, config_entry)
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_URL) == odoo.base_url
    # The same Odoo at a second address (the tests resolve no host names).
    moved: TestServer = await aiohttp_server(odoo.app())
    new_url = str(moved.make_url("")).rstrip("/")

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: "ftp://nope", CONF_HA_URL: "nope"}
    )
    assert result["errors"] == {CONF_URL: "invalid_url", CONF_HA_URL: "invalid_url"}
    odoo.users["admin"] = "revoked"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: new_url, CONF_HA_URL: "http://ha.lan:8123"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    odoo.users["admin"] = "key-123"
    old_secret = config_entry.data[CONF_SECRET]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: new_url, CONF_HA_URL: "http://ha.lan:8123"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_URL] == new_url
    assert config_entry.data[CONF_HA_URL] == "http://ha.lan:8123"
    assert config_entry.data[CONF_SECRET] != old_secret
    assert config_entry.unique_id == f"{new_url}|prod|{config_entry.data[CONF_HA_UUID]}"
    (values,) = odoo.pair_calls
    assert values["ha_url"] == "http://ha.lan:8123"
    assert values["webhook_id"] == config_entry.data[CONF_WEBHOOK_ID]
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


async def test_renewed_pairings_apply_in_place_and_a_halted_sender_reloads(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    aiohttp_server: AiohttpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Options, re-auth and reconfigure apply to the running entry: the stream goes on with
    the new secret (a reload would miss the changes made meanwhile). Only a sender that
    halted on refused credentials needs the reload. None of it trips Home Assistant's check
    that breaks in 2026.12 (a flow reloading an entry that has an update listener)."""
    await setup_entry(hass, config_entry)
    outbox = config_entry.runtime_data.outbox
    with patch.object(
        integration, "async_setup_entry", wraps=integration.async_setup_entry
    ) as setup:
        result = await hass.config_entries.options.async_init(config_entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_MAX_BATCH: 10}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()

        result = await config_entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "key-123"}
        )
        assert result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
        hass.states.async_set("sensor.after_reauth", "1")
        outbox.async_request_flush()
        await wait_for(lambda: "sensor.after_reauth" in odoo.states)

        moved: TestServer = await aiohttp_server(odoo.app())
        result = await config_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_URL: str(moved.make_url("")), CONF_HA_URL: "http://ha.lan:8123"},
        )
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
        hass.states.async_set("sensor.after_reconfigure", "1")
        outbox.async_request_flush()
        await wait_for(lambda: "sensor.after_reconfigure" in odoo.states)
        assert config_entry.runtime_data.outbox is outbox
        assert setup.await_count == 0
        assert odoo.rejected_signatures == 0

        odoo.scripted.append(ScriptedAnswer(401, "bad_signature"))
        hass.states.async_set("sensor.refused", "1")
        outbox.async_request_flush()
        await wait_for(lambda: "refused the credentials" in caplog.text)
        result = await config_entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "key-123"}
        )
        assert result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
        assert config_entry.state is ConfigEntryState.LOADED
        assert setup.await_count == 1
        await wait_for(lambda: "sensor.refused" in odoo.states)
    assert "update listener" not in caplog.text
    assert "2026.12" not in caplog.text


async def test_a_renewed_pairing_of_an_unloaded_entry_loads_it(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """An entry that is not loaded has no update listener: the flow loads it itself."""
    config_entry.add_to_hass(hass)
    assert config_entry.state is ConfigEntryState.NOT_LOADED
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo.base_url, CONF_HA_URL: "http://ha.lan:8123"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


async def test_pushes_go_to_the_url_the_user_entered(
    hass: HomeAssistant, odoo: FakeOdoo, caplog: pytest.LogCaptureFixture
) -> None:
    """Odoo's push_url names its web.base.url (here a closed port): only its path
    is used, after the URL the user entered; pairing delivers a first push there, and the log
    names that URL when Odoo goes away."""
    odoo.web_base_url = "http://127.0.0.1:1"
    result = await _start(hass, odoo.base_url)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    push_url = f"{odoo.base_url}/home_assistant/push/{await instance_id.async_get(hass)}"
    assert result["data"][CONF_PUSH_URL] == push_url
    first = odoo.batches[0]
    assert (first["seq"], first["events"], first["snapshot"]) == (0, [], False)
    await wait_for(lambda: any(batch["snapshot"] for batch in odoo.batches))
    odoo.down = True
    hass.states.async_set("sensor.x", "1")
    await wait_for(lambda: "Odoo is unreachable" in caplog.text)
    assert f"Odoo is unreachable at {push_url}" in caplog.text
    assert "127.0.0.1:1/" not in caplog.text


async def test_pairing_that_cannot_push_fails_naming_the_url(
    hass: HomeAssistant, odoo: FakeOdoo, caplog: pytest.LogCaptureFixture
) -> None:
    """When the first push fails the flow stays on its form with `cannot_push` and the URL."""
    odoo.down = True
    result = await _start(hass, odoo.base_url)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_push"}
    push_url = f"{odoo.base_url}/home_assistant/push/{await instance_id.async_get(hass)}"
    placeholders = result["description_placeholders"]
    assert placeholders["push_url"] == push_url
    assert "503" in placeholders["push_error"]
    assert f"first push to {push_url} failed" in caplog.text
    assert hass.config_entries.async_entries(DOMAIN) == []
    odoo.down = False
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reconfigure_may_keep_the_odoo_url(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Only Home Assistant moved: the same Odoo URL pairs again (it is this entry's own id)."""
    await setup_entry(hass, config_entry)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo.base_url, CONF_HA_URL: "http://ha.lan:8123"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_HA_URL] == "http://ha.lan:8123"
    (values,) = odoo.pair_calls
    assert values["ha_url"] == "http://ha.lan:8123"
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("target", "step"),
    [
        ("custom_components.odoo.config_flow.async_list_databases", "user"),
        ("custom_components.odoo.config_flow.async_pair", "credentials"),
    ],
)
async def test_an_unexpected_error_is_unknown_then_recovers(
    hass: HomeAssistant, odoo: FakeOdoo, target: str, step: str
) -> None:
    """An error nobody foresaw shows `unknown` on the step that met it; the next try pairs."""
    with patch(target, side_effect=RuntimeError("boom")):
        result = await _start(hass, odoo.base_url)
        if step == "credentials":
            result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    assert result["errors"] == {"base": "unknown"}
    assert odoo.pair_calls == []
    assert hass.config_entries.async_entries(DOMAIN) == []
    if step == "user":
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_URL: odoo.base_url}
        )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_options_flow_sets_filter_and_batching(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """The options form stores the filter and batching settings, which take effect at once."""
    await setup_entry(hass, config_entry)
    hass.states.async_set("light.a", "on")
    await wait_for(lambda: bool(odoo.state_events("light.a")))
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "include_domains": ["light"],
            "include_entities": [],
            "include_entity_globs": [],
            "exclude_domains": [],
            "exclude_entities": ["light.b"],
            "exclude_entity_globs": [],
            "flush_delay_ms": 50,
            "max_batch": 200,
            "heartbeat_interval": 60,
            "send_attributes": False,
            "buffer_limit": 50_000,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options["max_batch"] == 200
    assert config_entry.options["exclude_entities"] == ["light.b"]
    before = len(odoo.batches)
    hass.states.async_set("light.b", "on")
    hass.states.async_set("light.a", "off")
    hass.states.async_set("switch.c", "on")
    await wait_for(lambda: any(not b["snapshot"] for b in odoo.batches[before:] if b["events"]))
    live = [e for b in odoo.batches[before:] if not b["snapshot"] for e in b["events"]]
    assert [(e["entity_id"], e["state"]) for e in live] == [("light.a", "off")]
    assert "attributes" not in live[0]
    snapshot = next(b for b in odoo.batches[before:] if b["snapshot"])
    assert {e["entity_id"] for e in snapshot["events"] if e["t"] == "state"} == {"light.a"}


async def test_options_flow_sets_registry_filter_and_edits(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """The form takes labels, areas, floors and devices, and registry edits stay off unasked."""
    label = lr.async_get(hass).async_create("Safe").label_id
    area = ar.async_get(hass).async_create("Vault").id
    await setup_entry(hass, config_entry)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    schema_keys = {str(key) for key in result["data_schema"].schema}
    assert {
        f"{kind}_{choice}"
        for kind in ("include", "exclude")
        for choice in ("labels", "areas", "floors", "devices")
    } <= schema_keys
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"include_labels": [label], "exclude_areas": [area]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options["include_labels"] == [label]
    assert config_entry.options["exclude_areas"] == [area]
    assert config_entry.options["allow_registry_edits"] is False
    await hass.async_block_till_done()
    assert not config_entry.runtime_data.outbox.is_exported_entity("light.unlabelled")
