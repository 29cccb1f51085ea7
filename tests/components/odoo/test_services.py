"""Services `odoo.call_method` and `odoo.create_record`: odoorpc as the paired user."""

from typing import Any

import probatio as vol
import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.odoo.const import CONF_API_KEY, DOMAIN

from .conftest import setup_entry
from .fake_odoo import FakeOdoo


async def call(
    hass: HomeAssistant, service: str, context: Context | None = None, **data: Any
) -> Any:
    """Call a service of the integration and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True, context=context
    )


async def test_create_record_returns_the_new_id(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """`create_record` creates the record as the paired user and answers its id."""
    await setup_entry(hass, config_entry)
    response = await call(
        hass,
        "create_record",
        model="maintenance.request",
        values={"name": "Freezer too warm", "priority": "3"},
    )
    assert response == {"id": 1}
    assert odoo.records["maintenance.request"][1]["name"] == "Freezer too warm"


async def test_call_method_returns_the_result(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """`call_method` passes args and kwargs through and answers the method's result."""
    odoo.records["res.partner"][1] = {"id": 1, "name": "Jane", "email": "jane@example.com"}
    await setup_entry(hass, config_entry)
    response = await call(
        hass,
        "call_method",
        config_entry_id=config_entry.entry_id,
        model="res.partner",
        method="search_read",
        args=[[["id", "=", 1]]],
        kwargs={"fields": ["name"]},
    )
    assert response == {"result": [{"id": 1, "name": "Jane"}]}
    assert odoo.method_calls[-1] == ("res.partner", "search_read", [[["id", "=", 1]]], {
        "fields": ["name"]
    })  # fmt: skip


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"model": "maintenance.request", "values": {"priority": "3"}}, "odoo_refused"),
        ({"model": "res.partner", "values": {"name": "x"}, "forbidden": True}, "odoo_refused"),
    ],
)
async def test_odoo_refusals_are_validation_errors(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Odoo's ValidationError and AccessError reach the user as translated validation errors."""
    if data.pop("forbidden", False):
        odoo.forbidden_models.add(data["model"])
    await setup_entry(hass, config_entry)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "create_record", **data)
    assert raised.value.translation_key == key
    assert raised.value.translation_placeholders["message"]


async def test_server_failures_are_home_assistant_errors(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """A method Odoo fails on (not a user error) raises HomeAssistantError `odoo_failed`."""
    await setup_entry(hass, config_entry)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "call_method", model="res.partner", method="explode")
    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_key == "odoo_failed"


async def assert_a_refused_key_starts_reauthentication(
    hass: HomeAssistant, odoo: FakeOdoo, entry: MockConfigEntry
) -> HomeAssistantError:
    """Once Odoo no longer accepts the entry's API key, a call fails as `auth_failed` and a
    reauth flow starts; return the call's error."""
    await setup_entry(hass, entry)
    odoo.users["admin"] = "rotated"
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "create_record", model="res.partner", values={"name": "x"})
    assert raised.value.translation_key == "auth_failed"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    return raised.value


async def test_refused_credentials_start_reauthentication(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """When Odoo no longer accepts the API key the call fails and a reauth flow starts."""
    error = await assert_a_refused_key_starts_reauthentication(hass, odoo, config_entry)
    assert config_entry.data[CONF_API_KEY] not in str(error)


async def test_unreachable_odoo_is_a_home_assistant_error(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """No Odoo answering raises HomeAssistantError `cannot_connect`."""
    await setup_entry(hass, config_entry)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "url": "http://127.0.0.1:9"}
    )
    # A changed pairing reloads the entry.
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "call_method", model="res.partner", method="search_read")
    assert raised.value.translation_key == "cannot_connect"


@pytest.mark.parametrize(
    "data",
    [
        {"model": "res.partner", "method": "_private"},
        {"model": "Res Partner", "method": "search_read"},
        {"model": "res.partner", "method": "search_read", "args": {"not": "a list"}},
    ],
)
async def test_bad_input_is_refused_before_odoo_is_called(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry, data: dict[str, Any]
) -> None:
    """Private methods, malformed models and wrong types never reach Odoo."""
    await setup_entry(hass, config_entry)
    with pytest.raises(vol.Invalid):
        await call(hass, "call_method", **data)
    assert odoo.method_calls == []


async def test_the_entry_must_be_loaded_and_known(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """With no entry loaded, or the entry id unknown, the call is refused clearly."""
    await setup_entry(hass, config_entry)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "create_record", model="res.partner", values={"name": "x"})
    assert raised.value.translation_key == "entry_required"
    with pytest.raises(ServiceValidationError) as raised:
        await call(
            hass,
            "create_record",
            config_entry_id="nope",
            model="res.partner",
            values={"name": "x"},
        )
    assert raised.value.translation_key == "unknown_entry"


async def test_only_administrators_may_call_odoo_methods(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """Non-admin Home Assistant users cannot act in Odoo with the paired user's rights."""
    await setup_entry(hass, config_entry)
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "create_record",
            context=Context(user_id=hass_read_only_user.id),
            model="res.partner",
            values={"name": "x"},
        )
    assert odoo.method_calls == []
