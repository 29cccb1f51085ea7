"""The `update_registry` command: opt-in registry edits from Odoo (issue 14)."""

from http import HTTPStatus
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import label_registry as lr
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.odoo.const import CONF_ALLOW_REGISTRY_EDITS, EVENT_COMMAND_RECEIVED
from custom_components.odoo.logbook import describe_command

from .conftest import Post, assert_error, command, wait_for
from .fake_odoo import FakeOdoo


class Items:
    """A device with an exported light, an area and a label to edit them with."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create them in the registries."""
        demo = MockConfigEntry(domain="demo")
        demo.add_to_hass(hass)
        self.area = ar.async_get(hass).async_create("Kitchen").id
        self.label = lr.async_get(hass).async_create("Safe").label_id
        self.device = (
            dr.async_get(hass)
            .async_get_or_create(
                config_entry_id=demo.entry_id, identifiers={("demo", "bulb")}, name="Bulb"
            )
            .id
        )
        self.light = (
            er.async_get(hass)
            .async_get_or_create(
                "light", "demo", "bulb", device_id=self.device, original_name="Bulb"
            )
            .entity_id
        )
        self.lonely = (
            dr.async_get(hass)
            .async_get_or_create(config_entry_id=demo.entry_id, identifiers={("demo", "x")})
            .id
        )
        self.hidden = er.async_get(hass).async_get_or_create("switch", "demo", "hidden").entity_id
        er.async_get(hass).async_get_or_create("switch", "demo", "x", device_id=self.lonely)


async def _allow(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    """Turn registry edits on (and set other options), and wait until the entry reloaded."""
    hass.config_entries.async_update_entry(
        entry, options={CONF_ALLOW_REGISTRY_EDITS: True, **options}
    )
    await hass.async_block_till_done()


async def test_entity_edit_applies_and_streams_back(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry, post: Post
) -> None:
    """With the option on, an entity is renamed, re-areaed and labelled; the event follows."""
    items = Items(hass)
    await _allow(hass, config_entry)
    fired = async_capture_events(hass, EVENT_COMMAND_RECEIVED)

    response = await post(
        command(
            "update_registry",
            entity_id=items.light,
            name="Kitchen ceiling",
            area_id=items.area,
            labels=[items.label],
        )
    )

    assert response.status == HTTPStatus.OK
    assert await response.json() == {"ok": True, "id": "c-update_registry"}
    entry = er.async_get(hass).async_get(items.light)
    assert entry is not None
    assert (entry.name, entry.area_id, entry.labels) == (
        "Kitchen ceiling",
        items.area,
        {items.label},
    )
    await wait_for(
        lambda: any(e["t"] == "entity" and e.get("name") == "Kitchen ceiling" for e in odoo.events)
    )
    (event,) = fired
    assert event.data["result"] == "ok"
    assert event.data["target"] == {"entity_id": [items.light]}
    assert event.data["user_login"] == "jane@example.com"
    assert "edited the name, area or labels via Odoo" in describe_command(event)["message"]

    # name null resets to the default name, area null clears it.
    response = await post(
        command("update_registry", entity_id=items.light, name=None, area_id=None)
    )
    assert response.status == HTTPStatus.OK
    entry = er.async_get(hass).async_get(items.light)
    assert entry is not None
    assert (entry.name, entry.area_id, entry.labels) == (None, None, {items.label})


async def test_device_edit_applies(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """A device with an exported entity gets the user's name, an area and labels."""
    items = Items(hass)
    await _allow(hass, config_entry)
    response = await post(
        command(
            "update_registry",
            device_id=items.device,
            name="Ceiling bulb",
            area_id=items.area,
            labels=[items.label],
        )
    )
    assert response.status == HTTPStatus.OK
    device = dr.async_get(hass).async_get(items.device)
    assert device is not None
    assert (device.name_by_user, device.name, device.area_id, device.labels) == (
        "Ceiling bulb",
        "Bulb",
        items.area,
        {items.label},
    )


async def test_refused_while_the_option_is_off(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """Off by default: 403 not_allowed, nothing changes, and the refusal is recorded."""
    items = Items(hass)
    fired = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    response = await post(command("update_registry", entity_id=items.light, name="Hacked"))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    entry = er.async_get(hass).async_get(items.light)
    assert entry is not None
    assert entry.name is None
    assert [e.data["result"] for e in fired] == ["not_allowed"]
    assert "refused: not_allowed" in describe_command(fired[0])["message"]


async def test_refused_outside_the_export(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """An entity outside the export, or a device with none exported: 403, nothing changes."""
    items = Items(hass)
    await _allow(hass, config_entry, exclude_domains=["switch"])
    response = await post(command("update_registry", entity_id=items.hidden, name="X"))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    response = await post(command("update_registry", device_id=items.lonely, name="X"))
    await assert_error(response, HTTPStatus.FORBIDDEN, "not_allowed")
    entry = er.async_get(hass).async_get(items.hidden)
    device = dr.async_get(hass).async_get(items.lonely)
    assert entry is not None
    assert device is not None
    assert (entry.name, device.name_by_user) == (None, None)


@pytest.mark.parametrize(
    "fields",
    [
        {"area_id": "nowhere"},
        {"labels": ["nolabel"]},
        {"labels": "safe"},
        {},
        {"name": ""},
        {"device_id": "d1", "name": "Both"},
    ],
)
async def test_invalid_edits_change_nothing(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post, fields: dict[str, Any]
) -> None:
    """Unknown area or label, no edit, both targets: 400 invalid and the entry is unchanged."""
    items = Items(hass)
    await _allow(hass, config_entry)
    before = er.async_get(hass).async_get(items.light)
    response = await post(command("update_registry", entity_id=items.light, **fields))
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert er.async_get(hass).async_get(items.light) == before


async def test_unknown_device_is_invalid(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Post
) -> None:
    """A device Home Assistant does not know is 400 invalid."""
    await _allow(hass, config_entry)
    response = await post(command("update_registry", device_id="nope", name="X"))
    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
