"""Which API the integration calls: JSON-RPC on Odoo 18, JSON-2 on Odoo 19, picked at pairing.

The fake plays Odoo 19 with `series = 19`: JSON-2 with the bearer API key and the database
header, and a count of the deprecated `/jsonrpc` calls it received (Odoo 19 logs each).
"""

from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo.const import (
    CONF_API_KEY,
    CONF_DATABASE,
    CONF_HA_URL,
    CONF_ODOO_VERSION,
    CONF_TRANSPORT,
    CONF_URL,
    CONF_USERNAME,
    DOMAIN,
    TRANSPORT_JSON2,
    TRANSPORT_JSONRPC,
)

from .conftest import first_snapshot, setup_entry
from .fake_odoo import FakeOdoo
from .test_services import assert_a_refused_key_starts_reauthentication, call

CREDENTIALS = {
    CONF_DATABASE: "prod",
    CONF_USERNAME: "admin",
    CONF_API_KEY: "key-123",
    CONF_HA_URL: "http://192.168.1.2:8123",
}


@pytest.fixture
def odoo19(odoo: FakeOdoo) -> FakeOdoo:
    """Return the fake Odoo playing 19.0."""
    odoo.series = 19
    return odoo


@pytest.fixture
def entry19(odoo19: FakeOdoo, config_entry: MockConfigEntry) -> MockConfigEntry:
    """Return an entry paired with Odoo 19 over JSON-2."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data={**config_entry.data, CONF_TRANSPORT: TRANSPORT_JSON2, CONF_ODOO_VERSION: "19.0"},
    )


async def _pair(hass: HomeAssistant, odoo: FakeOdoo, **submitted: str) -> dict[str, Any]:
    """Walk the config flow to its credentials step and submit them."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo.base_url}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {**CREDENTIALS, **submitted}
    )


@pytest.mark.parametrize(("series", "transport"), [(18, TRANSPORT_JSONRPC), (19, TRANSPORT_JSON2)])
async def test_the_server_version_picks_the_transport(
    hass: HomeAssistant, odoo: FakeOdoo, series: int, transport: str
) -> None:
    """Pairing reads the server's version and stores the transport; 19 never hears /jsonrpc."""
    odoo.series = series
    result = await _pair(hass, odoo)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TRANSPORT] == transport
    assert result["data"][CONF_ODOO_VERSION] == f"{series}.0"
    assert len(odoo.pair_calls) == 1
    assert odoo.deprecated_calls == 0
    if series == 19:
        assert ("prod", "ha.instance", "ha_pair") in odoo.json2_calls
        assert {database for database, _, _ in odoo.json2_calls} == {"prod"}
    else:
        assert odoo.json2_calls == []


@pytest.mark.parametrize("series", [18, 19])
async def test_every_push_names_the_paired_database(
    hass: HomeAssistant, odoo: FakeOdoo, series: int
) -> None:
    """The pairing heartbeat and the stream name their database: Odoo 19 then never lists
    the databases of a `--db-filter` server per push (Odoo 18 ignores the header)."""
    odoo.series = series
    odoo.databases = ["prod", "test"]
    result = await _pair(hass, odoo)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await first_snapshot(odoo)
    assert len(odoo.push_databases) >= 2  # the pairing's heartbeat, then the snapshot
    assert set(odoo.push_databases) == {"prod"}


@pytest.mark.parametrize(
    ("change", "submitted", "error"),
    [
        ({}, {CONF_API_KEY: "wrong"}, "invalid_auth"),
        (
            {"users": {"admin": "key-123", "jane": "key-456"}},
            {CONF_USERNAME: "jane"},
            "invalid_auth",
        ),
        ({"list_databases": False}, {CONF_DATABASE: "nope"}, "unknown_database"),
        ({"addon_installed": False}, {}, "addon_not_installed"),
        ({"ha_admins": set()}, {}, "not_ha_admin"),
    ],
)
async def test_json2_pairing_errors(
    hass: HomeAssistant,
    odoo19: FakeOdoo,
    change: dict[str, Any],
    submitted: dict[str, str],
    error: str,
) -> None:
    """On Odoo 19 each problem gets the same distinct error as on 18, and nothing is paired.

    An API key that belongs to another user than the login is refused like a wrong key.
    """
    for attribute, value in change.items():
        setattr(odoo19, attribute, value)
    result = await _pair(hass, odoo19, **submitted)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert odoo19.pair_calls == []
    assert odoo19.deprecated_calls == 0


async def test_a_password_on_odoo_19_asks_for_an_api_key(
    hass: HomeAssistant, odoo19: FakeOdoo
) -> None:
    """JSON-2 takes API keys only: a password gets its own error, its web session is closed."""
    result = await _pair(hass, odoo19, **{CONF_API_KEY: "admin-password"})
    assert result["errors"] == {"base": "api_key_required"}
    assert odoo19.pair_calls == []
    assert odoo19.web_sessions == set()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CREDENTIALS)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reauth_moves_an_upgraded_odoo_to_json2(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """An entry paired with 18 (no transport stored) moves to JSON-2 when it pairs again on 19."""
    await setup_entry(hass, config_entry)
    odoo.series = 19
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_API_KEY: "key-123"}
    )
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_TRANSPORT] == TRANSPORT_JSON2
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert odoo.deprecated_calls == 0


async def test_services_over_json2_pass_arguments_by_name(
    hass: HomeAssistant, odoo19: FakeOdoo, entry19: MockConfigEntry
) -> None:
    """create_record sends `vals_list`, call_method its kwargs and `ids`; no /jsonrpc call."""
    await setup_entry(hass, entry19)
    response = await call(hass, "create_record", model="res.partner", values={"name": "Jane"})
    assert response == {"id": 1}
    assert odoo19.method_calls[-1] == (
        "res.partner",
        "create",
        [],
        {"vals_list": [{"name": "Jane"}]},
    )
    response = await call(
        hass,
        "call_method",
        model="res.partner",
        method="write",
        ids=[1],
        kwargs={"vals": {"name": "Janet"}},
    )
    assert response == {"result": True}
    assert odoo19.records["res.partner"][1]["name"] == "Janet"
    response = await call(
        hass,
        "call_method",
        model="res.partner",
        method="search_read",
        kwargs={"domain": [["id", "=", 1]], "fields": ["name"]},
    )
    assert response == {"result": [{"id": 1, "name": "Janet"}]}
    assert odoo19.deprecated_calls == 0
    assert {database for database, _, _ in odoo19.json2_calls} == {"prod"}


async def test_record_ids_are_the_first_argument_over_jsonrpc(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """On Odoo 18 `ids` goes first among the positional arguments, as execute_kw wants."""
    odoo.records["res.partner"][1] = {"id": 1, "name": "Jane"}
    await setup_entry(hass, config_entry)
    response = await call(
        hass, "call_method", model="res.partner", method="write", ids=[1], args=[{"name": "Janet"}]
    )
    assert response == {"result": True}
    assert odoo.method_calls[-1] == ("res.partner", "write", [[1], {"name": "Janet"}], {})
    assert odoo.records["res.partner"][1]["name"] == "Janet"


async def test_positional_arguments_are_refused_over_json2(
    hass: HomeAssistant, odoo19: FakeOdoo, entry19: MockConfigEntry
) -> None:
    """JSON-2 has no positional arguments: the call is refused, translated, before Odoo."""
    await setup_entry(hass, entry19)
    with pytest.raises(ServiceValidationError) as raised:
        await call(
            hass, "call_method", model="res.partner", method="search_read", args=[[["id", "=", 1]]]
        )
    assert raised.value.translation_key == "arguments_by_name"
    assert raised.value.translation_placeholders == {
        "model": "res.partner",
        "method": "search_read",
    }
    assert odoo19.method_calls == []


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"model": "maintenance.request", "method": "create", "kwargs": {"vals_list": [{}]}},
         "odoo_refused"),
        ({"model": "no.such.model", "method": "search_read"}, "odoo_refused"),
        ({"model": "res.partner", "method": "search_read", "kwargs": {"zzz": 1}}, "odoo_refused"),
        ({"model": "res.partner", "method": "explode"}, "odoo_failed"),
    ],
)  # fmt: skip
async def test_json2_failures_map_to_home_assistant_errors(
    hass: HomeAssistant,
    odoo19: FakeOdoo,
    entry19: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Odoo's user errors (422, 404) are validation errors; its failures (500) are not."""
    await setup_entry(hass, entry19)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "call_method", **data)
    assert raised.value.translation_key == key
    assert isinstance(raised.value, ServiceValidationError) is (key == "odoo_refused")


async def test_a_refused_api_key_over_json2_starts_reauthentication(
    hass: HomeAssistant, odoo19: FakeOdoo, entry19: MockConfigEntry
) -> None:
    """JSON-2's 401 is the same `auth_failed` as on 18, and a reauth flow starts."""
    await assert_a_refused_key_starts_reauthentication(hass, odoo19, entry19)


async def test_removing_a_json2_entry_unpairs_over_json2(
    hass: HomeAssistant, odoo19: FakeOdoo, entry19: MockConfigEntry
) -> None:
    """Unpairing on Odoo 19 is a JSON-2 call too."""
    await setup_entry(hass, entry19)
    assert await hass.config_entries.async_remove(entry19.entry_id)
    assert odoo19.unpair_calls == [entry19.data["ha_uuid"]]
    assert ("prod", "ha.instance", "ha_unpair") in odoo19.json2_calls
    assert odoo19.deprecated_calls == 0


@pytest.mark.parametrize(("series", "transport"), [(18, TRANSPORT_JSONRPC), (19, TRANSPORT_JSON2)])
async def test_diagnostics_show_the_transport(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    odoo: FakeOdoo,
    series: int,
    transport: str,
) -> None:
    """Diagnostics name Odoo's version and the transport; the API key stays redacted."""
    odoo.series = series
    result = await _pair(hass, odoo)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, result["result"])
    assert diagnostics["versions"]["rpc_transport"] == transport
    assert diagnostics["versions"]["odoo"] == f"{series}.0"
    assert diagnostics["entry"]["data"][CONF_TRANSPORT] == transport
    assert "key-123" not in str(diagnostics)


async def test_an_entry_paired_before_transports_is_jsonrpc(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
) -> None:
    """An entry without a stored transport (paired by an older release) keeps JSON-RPC."""
    await setup_entry(hass, config_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    assert diagnostics["versions"]["rpc_transport"] == TRANSPORT_JSONRPC
