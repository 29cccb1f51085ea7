"""What is exported: Home Assistant's entity filter, plus labels, areas, floors and devices.

The registry choices are resolved to sets of entity ids when a registry changes, never per
state change: the state listener's test stays one or two set look-ups and the entity
filter's cached answer. An entity's area is its own, else its device's; its floor is its
area's; its labels are its own.

Includes add up (domains, entities, patterns, labels, areas, floors, devices); with none,
everything is included. The domain, entity and pattern excludes act as in Home Assistant's
entity filter; a label, area, floor or device exclude always wins.
"""

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, fields
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entityfilter import EntityFilter, convert_filter

from .const import (
    CONF_EXCLUDE_DOMAINS,
    CONF_EXCLUDE_ENTITIES,
    CONF_EXCLUDE_ENTITY_GLOBS,
    CONF_INCLUDE_DOMAINS,
    CONF_INCLUDE_ENTITIES,
    CONF_INCLUDE_ENTITY_GLOBS,
    FILTER_KEYS,
)
from .events import is_own_entity_entry

type EntityTest = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class RegistryChoices:
    """The label, area, floor and device includes and excludes of the options."""

    include_labels: frozenset[str] = frozenset()
    include_areas: frozenset[str] = frozenset()
    include_floors: frozenset[str] = frozenset()
    include_devices: frozenset[str] = frozenset()
    exclude_labels: frozenset[str] = frozenset()
    exclude_areas: frozenset[str] = frozenset()
    exclude_floors: frozenset[str] = frozenset()
    exclude_devices: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RegistryChoices:
        """Read the choices from config entry options (the option keys are the field names)."""
        return cls(**{f.name: frozenset(options.get(f.name, ())) for f in fields(cls)})

    @property
    def includes(self) -> bool:
        """Tell whether any label, area, floor or device is included."""
        return bool(
            self.include_labels or self.include_areas or self.include_floors or self.include_devices
        )

    def __bool__(self) -> bool:
        """Tell whether any choice is made (else the registries do not matter)."""
        return any(getattr(self, f.name) for f in fields(self))


class ExportFilter:
    """Tells which entity ids are exported; `resolve*` keeps the registry choices current."""

    def __init__(self, entity_filter: EntityFilter, choices: RegistryChoices) -> None:
        """Prepare a filter; until `async_resolve_all`, no registry choice matches."""
        self.choices = choices
        self._included: set[str] = set()
        self._excluded: set[str] = set()
        config = entity_filter.config
        self._base = entity_filter.get_filter()
        excludes = (CONF_EXCLUDE_DOMAINS, CONF_EXCLUDE_ENTITIES, CONF_EXCLUDE_ENTITY_GLOBS)
        self._not_excluded = convert_filter(
            {key: list(config.get(key, [])) if key in excludes else [] for key in FILTER_KEYS}
        ).get_filter()
        self._base_includes = any(
            config.get(key)
            for key in (CONF_INCLUDE_DOMAINS, CONF_INCLUDE_ENTITIES, CONF_INCLUDE_ENTITY_GLOBS)
        )
        # Reads the live sets, which `async_resolve` keeps current.
        self.test = self._build(self._included, self._excluded)

    def _build(self, included: Set[str], excluded: Set[str]) -> EntityTest:
        """Return the test of one entity id, with as little work as the options allow."""
        base, not_excluded = self._base, self._not_excluded
        if not self.choices:
            return base
        if not self.choices.includes:
            return lambda entity_id: entity_id not in excluded and base(entity_id)
        if self._base_includes:
            return lambda entity_id: entity_id not in excluded and (
                base(entity_id) or (entity_id in included and not_excluded(entity_id))
            )
        return lambda entity_id: (
            entity_id in included and entity_id not in excluded and not_excluded(entity_id)
        )

    def frozen(self) -> EntityTest:
        """Return a test that ignores later registry changes (for a snapshot's worker thread)."""
        if not self.choices:
            return self.test
        return self._build(frozenset(self._included), frozenset(self._excluded))

    @callback
    def async_resolve_all(self, hass: HomeAssistant) -> None:
        """Match every registry entry against the choices (at start and on new options)."""
        self._included.clear()
        self._excluded.clear()
        if self.choices:
            self.async_resolve(hass, er.async_get(hass).entities)

    @callback
    def async_resolve(self, hass: HomeAssistant, entity_ids: Iterable[str]) -> None:
        """Match some entities again after a registry change (a missing one matches nothing)."""
        if not self.choices:
            return
        entities = er.async_get(hass)
        areas = ar.async_get(hass)
        for entity_id in entity_ids:
            self._included.discard(entity_id)
            self._excluded.discard(entity_id)
            entry = entities.async_get(entity_id)
            if entry is None or is_own_entity_entry(entry):
                continue
            area_id = er.async_get_effective_area_id(hass, entry)
            area = areas.async_get_area(area_id) if area_id else None
            floor_id = area.floor_id if area else None
            if self._matches(entry, area_id, floor_id, "include"):
                self._included.add(entity_id)
            if self._matches(entry, area_id, floor_id, "exclude"):
                self._excluded.add(entity_id)

    def _matches(
        self, entry: er.RegistryEntry, area_id: str | None, floor_id: str | None, kind: str
    ) -> bool:
        """Tell whether an entry meets one of the include (or exclude) choices."""
        choices = self.choices
        labels: frozenset[str] = getattr(choices, f"{kind}_labels")
        return (
            bool(labels and not labels.isdisjoint(entry.labels))
            or (area_id is not None and area_id in getattr(choices, f"{kind}_areas"))
            or (floor_id is not None and floor_id in getattr(choices, f"{kind}_floors"))
            or (
                entry.device_id is not None
                and entry.device_id in getattr(choices, f"{kind}_devices")
            )
        )


def entities_of_device(hass: HomeAssistant, device_id: str) -> list[str]:
    """Return the entity ids of a device, disabled ones included."""
    return [
        entry.entity_id
        for entry in er.async_entries_for_device(
            er.async_get(hass), device_id, include_disabled_entities=True
        )
    ]


def entities_in_area(hass: HomeAssistant, area_id: str) -> list[str]:
    """Return the entity ids whose own area, or whose device's area, is an area."""
    entities = er.async_get(hass)
    entity_ids = [entry.entity_id for entry in er.async_entries_for_area(entities, area_id)]
    for device in dr.async_entries_for_area(dr.async_get(hass), area_id):
        entity_ids.extend(entities_of_device(hass, device.id))
    return entity_ids
