"""Export by label, area, floor and device; registry changes move entities in and out (issue 14)."""

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr
from homeassistant.helpers.entityfilter import convert_filter
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo.const import FILTER_KEYS
from custom_components.odoo.export_filter import (
    ExportFilter,
    RegistryChoices,
)

from .conftest import first_snapshot, setup_entry, wait_for
from .fake_odoo import FakeOdoo
from .test_outbox import outbox_of


class Home:
    """A small home: a floor with an area, a label, a device and three lights."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create it in the registries, with a state for each light."""
        demo = MockConfigEntry(domain="demo")
        demo.add_to_hass(hass)
        self.floor = fr.async_get(hass).async_create("Cellar").floor_id
        self.area = ar.async_get(hass).async_create("Vault", floor_id=self.floor).id
        self.other_area = ar.async_get(hass).async_create("Attic").id
        self.label = lr.async_get(hass).async_create("Safe").label_id
        self.device = (
            dr.async_get(hass)
            .async_get_or_create(config_entry_id=demo.entry_id, identifiers={("demo", "hub")})
            .id
        )
        dr.async_get(hass).async_update_device(self.device, area_id=self.area)
        entities = er.async_get(hass)
        # On the device, so in its area (and on its floor).
        self.on_device = entities.async_get_or_create(
            "light", "demo", "a", device_id=self.device
        ).entity_id
        # Its own area, and the label.
        self.labelled = entities.async_get_or_create("light", "demo", "b").entity_id
        entities.async_update_entity(self.labelled, area_id=self.other_area, labels={self.label})
        self.plain = entities.async_get_or_create("light", "demo", "c").entity_id
        for entity_id in (self.on_device, self.labelled, self.plain):
            hass.states.async_set(entity_id, "on")


def _resolved(hass: HomeAssistant, **options: list[str]) -> ExportFilter:
    """Return the filter of some options, resolved against the registries."""
    choices = RegistryChoices.from_options(options)
    base = {key: options.get(key, []) for key in FILTER_KEYS}
    export = ExportFilter(convert_filter(base), choices)
    export.async_resolve_all(hass)
    return export


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("label", {"labelled"}),
        ("area", {"on_device"}),
        ("floor", {"on_device"}),
        ("device", {"on_device"}),
    ],
)
async def test_include_and_exclude_by_registry(
    hass: HomeAssistant, choice: str, expected: set[str]
) -> None:
    """Each choice includes exactly what it names, and excludes it."""
    home = Home(hass)
    value = {"label": home.label, "area": home.area, "floor": home.floor, "device": home.device}
    names = {"on_device": home.on_device, "labelled": home.labelled, "plain": home.plain}
    wanted = {names[name] for name in expected}

    included = _resolved(hass, **{f"include_{choice}s": [value[choice]]})
    assert {e for e in names.values() if included.test(e)} == wanted
    excluded = _resolved(hass, **{f"exclude_{choice}s": [value[choice]]})
    assert {e for e in names.values() if excluded.test(e)} == set(names.values()) - wanted
    # An entity the registry does not know matches no choice.
    assert not included.test("sensor.unknown")
    assert excluded.test("sensor.unknown")


async def test_includes_add_up_and_registry_excludes_win(hass: HomeAssistant) -> None:
    """A domain include and a label include add up; a label exclude beats a domain include."""
    home = Home(hass)
    both = _resolved(hass, include_domains=["switch"], include_labels=[home.label])
    assert both.test(home.labelled)
    assert both.test("switch.any")
    assert not both.test(home.plain)
    excluded = _resolved(hass, include_domains=["light"], exclude_labels=[home.label])
    assert {e for e in (home.on_device, home.labelled, home.plain) if excluded.test(e)} == {
        home.on_device,
        home.plain,
    }
    # An entity exclude still applies to an entity a label includes.
    narrowed = _resolved(hass, include_labels=[home.label], exclude_entities=[home.labelled])
    assert not narrowed.test(home.labelled)


async def test_frozen_filter_ignores_later_changes(hass: HomeAssistant) -> None:
    """A snapshot's copy keeps the export of the moment it was taken."""
    home = Home(hass)
    export = _resolved(hass, include_labels=[home.label])
    frozen = export.frozen()
    er.async_get(hass).async_update_entity(home.plain, labels={home.label})
    export.async_resolve(hass, [home.plain])
    assert export.test(home.plain)
    assert not frozen(home.plain)


def _entity_events(odoo: FakeOdoo, entity_id: str, since: int) -> list[dict[str, Any]]:
    """Return the streamed entity and state events of one entity after the first `since`."""
    return [
        e
        for e in odoo.events[since:]
        if e["t"] in ("entity", "state") and e.get("entity_id") == entity_id
    ]


async def test_label_change_moves_an_entity_out_and_in(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Losing an excluded label sends the entity and its state; gaining it sends its removal."""
    home = Home(hass)
    await setup_entry(hass, config_entry, exclude_labels=[home.label])
    snapshot = await first_snapshot(odoo)
    assert home.labelled not in {e.get("entity_id") for e in snapshot["events"]}
    assert home.plain in {e.get("entity_id") for e in snapshot["events"]}
    entities = er.async_get(hass)

    since = len(odoo.events)
    entities.async_update_entity(home.plain, labels={home.label})
    await hass.async_block_till_done()
    await wait_for(lambda: bool(_entity_events(odoo, home.plain, since)))
    assert _entity_events(odoo, home.plain, since) == [
        {"t": "entity", "entity_id": home.plain, "removed": True}
    ]
    hass.states.async_set(home.plain, "off")
    await hass.async_block_till_done()
    outbox_of(config_entry).async_request_flush()

    since = len(odoo.events)
    entities.async_update_entity(home.labelled, labels=set())
    await hass.async_block_till_done()
    await wait_for(lambda: len(_entity_events(odoo, home.labelled, since)) == 2)
    entity, state = _entity_events(odoo, home.labelled, since)
    assert entity["t"] == "entity"
    assert entity["removed"] is False
    assert entity["labels"] == []
    assert (state["t"], state["state"]) == ("state", "on")
    # The entity moved out sends no state changes any more.
    assert not [
        e for e in odoo.events if e.get("entity_id") == home.plain and e.get("state") == "off"
    ]


async def test_removing_an_entity_included_by_label_sends_its_removal(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """An entity exported through its label is removed in Odoo when it leaves the registry."""
    home = Home(hass)
    await setup_entry(hass, config_entry, include_labels=[home.label])
    await wait_for(lambda: any(b["snapshot"] for b in odoo.batches))
    since = len(odoo.events)
    er.async_get(hass).async_remove(home.labelled)
    er.async_get(hass).async_remove(home.plain)
    await hass.async_block_till_done()
    await wait_for(lambda: bool(_entity_events(odoo, home.labelled, since)))
    assert _entity_events(odoo, home.labelled, since) == [
        {"t": "entity", "entity_id": home.labelled, "removed": True}
    ]
    assert not _entity_events(odoo, home.plain, since)


async def test_area_floor_change_moves_entities(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Moving an area off an included floor removes its entities; moving a device in adds them."""
    home = Home(hass)
    await setup_entry(hass, config_entry, include_floors=[home.floor])
    snapshot = await first_snapshot(odoo)
    exported = {e.get("entity_id") for e in snapshot["events"]} - {None}
    assert exported == {home.on_device}

    since = len(odoo.events)
    ar.async_get(hass).async_update(home.area, floor_id=None)
    await hass.async_block_till_done()
    await wait_for(lambda: bool(_entity_events(odoo, home.on_device, since)))
    assert _entity_events(odoo, home.on_device, since) == [
        {"t": "entity", "entity_id": home.on_device, "removed": True}
    ]
    assert not outbox_of(config_entry).is_exported_entity(home.on_device)

    since = len(odoo.events)
    ar.async_get(hass).async_update(home.other_area, floor_id=home.floor)
    await hass.async_block_till_done()
    await wait_for(lambda: len(_entity_events(odoo, home.labelled, since)) == 2)
    assert [e["t"] for e in _entity_events(odoo, home.labelled, since)] == ["entity", "state"]

    since = len(odoo.events)
    dr.async_get(hass).async_update_device(home.device, area_id=home.other_area)
    await hass.async_block_till_done()
    await wait_for(lambda: len(_entity_events(odoo, home.on_device, since)) == 2)
    assert [e["t"] for e in _entity_events(odoo, home.on_device, since)] == ["entity", "state"]


async def test_new_options_resolve_the_registries(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """Options naming a label apply at once to the running outbox."""
    home = Home(hass)
    await setup_entry(hass, config_entry)
    outbox = outbox_of(config_entry)
    assert outbox.is_exported_entity(home.plain)
    hass.config_entries.async_update_entry(config_entry, options={"include_labels": [home.label]})
    await hass.async_block_till_done()
    outbox = outbox_of(config_entry)
    assert outbox.is_exported_entity(home.labelled)
    assert not outbox.is_exported_entity(home.plain)
