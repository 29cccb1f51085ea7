"""`figures`: Odoo's figures as sensors under one "Odoo figures" device, kept across restarts."""

from http import HTTPStatus
from typing import Any

import pytest
from homeassistant.components.sensor import ATTR_STATE_CLASS
from homeassistant.const import ATTR_ICON, ATTR_UNIT_OF_MEASUREMENT, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.odoo.const import DOMAIN, EVENT_COMMAND_RECEIVED

from .conftest import Post, assert_error, command, wait_for
from .fake_odoo import FakeOdoo

TICKETS = "sensor.odoo_figures_open_tickets"
SALES = "sensor.odoo_figures_sales_today"


def figure(key: str, name: str, value: Any, **fields: Any) -> dict[str, Any]:
    """Return one figure of the `figures` command."""
    return {"key": key, "name": name, "value": value, **fields}


def open_tickets(value: Any = 12) -> dict[str, Any]:
    """Return the open tickets figure."""
    return figure(
        "figure_12", "Open tickets", value, unit=None, icon="mdi:ticket", state_class="measurement"
    )


def sales_today(value: Any = 1250.5) -> dict[str, Any]:
    """Return today's sales figure."""
    return figure("figure_7", "Sales today", value, unit="EUR", state_class="total")


def figures(*items: dict[str, Any], complete: bool = True) -> dict[str, Any]:
    """Return a `figures` command."""
    return command("figures", complete=complete, figures=list(items))


def storage_key(entry: MockConfigEntry) -> str:
    """Return the Store key of an entry's figures."""
    return f"{DOMAIN}.figures.{entry.entry_id}"


async def test_figures_become_sensors(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry
) -> None:
    """Each figure is a sensor with its unit, icon and state class, on the figures device."""
    response = await post(figures(open_tickets(), sales_today()))

    assert response.status == HTTPStatus.OK
    assert await response.json() == {"ok": True, "id": "c-figures", "figures": 2}
    await hass.async_block_till_done()
    tickets = hass.states.get(TICKETS)
    assert tickets.state == "12"
    assert tickets.attributes[ATTR_ICON] == "mdi:ticket"
    assert tickets.attributes[ATTR_STATE_CLASS] == "measurement"
    assert ATTR_UNIT_OF_MEASUREMENT not in tickets.attributes
    assert tickets.attributes["friendly_name"] == "Odoo figures Open tickets"
    sales = hass.states.get(SALES)
    assert sales.state == "1250.5"
    assert sales.attributes[ATTR_UNIT_OF_MEASUREMENT] == "EUR"
    assert sales.attributes[ATTR_STATE_CLASS] == "total"

    registry = er.async_get(hass)
    entry = registry.async_get(TICKETS)
    assert entry.unique_id == f"{config_entry.entry_id}_figure_figure_12"
    assert entry.has_entity_name
    device = dr.async_get(hass).async_get(entry.device_id)
    assert device.name == "Odoo figures"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert registry.async_get(SALES).device_id == device.id


async def test_figures_update_and_null_is_unknown(hass: HomeAssistant, post: Post) -> None:
    """A new value changes the state; null makes it unknown; a partial update keeps the rest."""
    await post(figures(open_tickets(), sales_today()))
    await hass.async_block_till_done()

    response = await post(figures(open_tickets(13), complete=False))
    assert (await response.json())["figures"] == 2
    await hass.async_block_till_done()
    assert hass.states.get(TICKETS).state == "13"
    assert hass.states.get(SALES).state == "1250.5"

    await post(figures(open_tickets(None), sales_today(0)))
    await hass.async_block_till_done()
    assert hass.states.get(TICKETS).state == STATE_UNKNOWN
    assert hass.states.get(SALES).state == "0"


async def test_a_complete_list_removes_absent_figures(hass: HomeAssistant, post: Post) -> None:
    """`complete: true` removes the sensors (and registry entries) of figures it leaves out."""
    await post(figures(open_tickets(), sales_today()))
    await hass.async_block_till_done()

    response = await post(figures(sales_today(99)))

    assert (await response.json())["figures"] == 1
    await hass.async_block_till_done()
    assert hass.states.get(TICKETS) is None
    assert er.async_get(hass).async_get(TICKETS) is None
    assert hass.states.get(SALES).state == "99"

    response = await post(figures())
    assert (await response.json())["figures"] == 0
    await hass.async_block_till_done()
    assert hass.states.get(SALES) is None


async def test_figures_survive_a_restart_and_leave_with_the_entry(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """The Store brings the sensors back with their last value; removing the entry deletes it."""
    await post(figures(open_tickets(), sales_today()))
    await hass.async_block_till_done()
    assert [f["key"] for f in hass_storage[storage_key(config_entry)]["data"]["figures"]] == [
        "figure_12",
        "figure_7",
    ]

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.states.get(TICKETS).state == "12"
    assert hass.states.get(SALES).attributes[ATTR_UNIT_OF_MEASUREMENT] == "EUR"

    await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert storage_key(config_entry) not in hass_storage


async def test_a_registry_entry_left_behind_is_removed_at_setup(
    hass: HomeAssistant, post: Post, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """A figure's registry entry without a stored figure is cleaned up when the entry loads."""
    await post(figures(open_tickets()))
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    hass_storage[storage_key(config_entry)]["data"]["figures"] = []

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert er.async_get(hass).async_get(TICKETS) is None


@pytest.mark.parametrize(
    ("command_fields", "message"),
    [
        ({"figures": [figure(f"k{i}", "n", i) for i in range(201)]}, "at most 200"),
        ({"figures": [figure("Bad-Key", "n", 1)]}, "key"),
        ({"figures": [figure("k" * 65, "n", 1)]}, "key"),
        ({"figures": [figure("k", "n", 1), figure("k", "m", 2)]}, "only once"),
        ({"figures": [figure("k", "", 1)]}, "name"),
        ({"figures": [figure("k", "n" * 129, 1)]}, "name"),
        ({"figures": [figure("k", "n", "12")]}, "finite number"),
        ({"figures": [figure("k", "n", True)]}, "finite number"),
        ({"figures": [figure("k", "n", 1, unit="u" * 33)]}, "unit"),
        ({"figures": [figure("k", "n", 1, icon="ticket")]}, "icon"),
        ({"figures": [figure("k", "n", 1, icon="mdi:Ticket")]}, "icon"),
        ({"figures": [figure("k", "n", 1, state_class="average")]}, "state_class"),
        ({"figures": [{"key": "k", "name": "n"}]}, "value"),
        ({"figures": {"k": 1}}, "figures"),
        ({"figures": [open_tickets()], "complete": "yes"}, "complete"),
        ({}, "figures"),
    ],
)
async def test_refused_figures_are_400_and_change_nothing(
    hass: HomeAssistant,
    post: Post,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    command_fields: dict[str, Any],
    message: str,
) -> None:
    """Any figure breaking a rule refuses the whole command: no sensor changes, none goes."""
    await post(figures(open_tickets(), sales_today()))
    await hass.async_block_till_done()
    stored = hass_storage[storage_key(config_entry)]["data"]

    response = await post({**command("figures", complete=True), **command_fields})

    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert message in (await response.json())["error"]["message"]
    await hass.async_block_till_done()
    assert hass.states.get(TICKETS).state == "12"
    assert hass.states.get(SALES).state == "1250.5"
    assert hass_storage[storage_key(config_entry)]["data"] == stored


async def test_home_assistant_holds_at_most_200_figures(hass: HomeAssistant, post: Post) -> None:
    """Partial updates cannot grow the figures past 200 either."""
    await post(figures(*(figure(f"a{i}", "n", i) for i in range(150))))

    response = await post(figures(*(figure(f"b{i}", "n", i) for i in range(51)), complete=False))

    await assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    await hass.async_block_till_done()
    assert len(hass.states.async_entity_ids("sensor")) == 150 + 3
    response = await post(figures(*(figure(f"b{i}", "n", i) for i in range(200))))
    assert (await response.json())["figures"] == 200


async def test_figure_sensors_are_not_exported(
    hass: HomeAssistant, post: Post, odoo: FakeOdoo
) -> None:
    """Figures came from Odoo: their sensors, registry entries and device never go back."""
    await post(figures(open_tickets(), sales_today()))
    await hass.async_block_till_done()
    await post(figures(open_tickets(14), complete=False))
    await post(figures(sales_today()))
    await post(command("resync"))
    hass.states.async_set("sensor.tick", "after")
    await wait_for(lambda: bool(odoo.state_events("sensor.tick")))
    await wait_for(lambda: any(batch.get("snapshot") for batch in odoo.batches[1:]))
    await wait_for(
        lambda: not hass.config_entries.async_entries(DOMAIN)[0].runtime_data.outbox.pending
    )

    sent = {event.get("entity_id") for event in odoo.events}
    assert not {TICKETS, SALES} & sent
    names = {event.get("name") for event in odoo.events if event.get("t") == "device"}
    assert "Odoo figures" not in names


async def test_fields_a_newer_odoo_adds_are_ignored(hass: HomeAssistant, post: Post) -> None:
    """A figure with a field this version does not know is taken without it."""
    response = await post(figures({**open_tickets(), "model": "helpdesk.ticket"}))

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert hass.states.get(TICKETS).state == "12"


async def test_delivered_figures_stay_out_of_the_logbook(hass: HomeAssistant, post: Post) -> None:
    """Figures every few seconds would flood the logbook: only a refused one is announced."""
    announced = async_capture_events(hass, EVENT_COMMAND_RECEIVED)
    assert (await post(figures(open_tickets()))).status == HTTPStatus.OK
    assert (await post(figures(open_tickets(value="twelve")))).status == HTTPStatus.BAD_REQUEST
    await hass.async_block_till_done()
    assert [(event.data["type"], event.data["result"]) for event in announced] == [
        ("figures", "invalid")
    ]
