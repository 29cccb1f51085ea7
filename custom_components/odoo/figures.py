"""Odoo's figures (docs/protocol.md §4 `figures`): their schema, and the book each entry keeps.

The book is saved in a Store per config entry, so the figure sensors come back after a restart
with their last value.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import probatio as vol
from homeassistant.components.sensor import SensorStateClass
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN, FIGURES_MAX

STORAGE_VERSION = 1

STATE_CLASSES = (
    SensorStateClass.MEASUREMENT,
    SensorStateClass.TOTAL,
    SensorStateClass.TOTAL_INCREASING,
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure Odoo computes: a number with its name, unit, icon and state class."""

    key: str
    name: str
    value: float | None
    unit: str | None
    icon: str | None
    state_class: str | None

    def to_store(self) -> dict[str, Any]:
        """Return the storable form."""
        return asdict(self)

    @classmethod
    def from_store(cls, data: dict[str, Any]) -> Figure:
        """Return the figure a stored form holds."""
        return cls(**FIGURE_SCHEMA(data))


def finite_number(value: Any) -> float | None:
    """Accept a finite number (not a boolean) or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise vol.Invalid("value must be a finite number or null")
    number: float = value
    return number


FIGURE_SCHEMA = vol.Schema(
    {
        vol.Required("key"): vol.All(str, vol.Match(r"^[a-z0-9_]{1,64}$")),
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=128)),
        vol.Required("value"): finite_number,
        vol.Optional("unit", default=None): vol.Any(None, vol.All(str, vol.Length(max=32))),
        vol.Optional("icon", default=None): vol.Any(
            None, vol.All(str, vol.Match(r"^mdi:[a-z0-9-]{1,64}$"))
        ),
        vol.Optional("state_class", default=None): vol.Any(None, vol.In(STATE_CLASSES)),
    },
    # Like the envelope: a field a newer Odoo adds is left out, not refused.
    extra=vol.REMOVE_EXTRA,
)


def unique_keys(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Refuse a list naming one key twice."""
    keys = [figure["key"] for figure in figures]
    if len(set(keys)) != len(keys):
        raise vol.Invalid("each figure key may appear only once")
    return figures


FIGURES_FIELDS: dict[Any, Any] = {
    vol.Required("figures"): vol.All([FIGURE_SCHEMA], vol.Length(max=FIGURES_MAX), unique_keys),
    vol.Optional("complete", default=False): bool,
}


class FigureBook:
    """The figures of one pairing, saved with the entry; listeners hear what changed."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty; `async_load` reads the saved figures."""
        self._store = figure_store(hass, entry_id)
        self.figures: dict[str, Figure] = {}
        self._listeners: list[Callable[[set[str], set[str]], None]] = []

    async def async_load(self) -> None:
        """Read the saved figures."""
        stored = await self._store.async_load() or {}
        for data in stored.get("figures", []):
            figure = Figure.from_store(data)
            self.figures[figure.key] = figure

    @callback
    def async_add_listener(self, listener: Callable[[set[str], set[str]], None]) -> CALLBACK_TYPE:
        """Call `listener(changed_keys, removed_keys)` after each change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def count_after(self, figures: Iterable[Figure], complete: bool) -> int:
        """Return how many figures the book would hold after `async_apply`."""
        keys = {figure.key for figure in figures}
        if complete:
            return len(keys)
        return len(keys | self.figures.keys())

    async def async_apply(self, figures: list[Figure], complete: bool) -> None:
        """Add or update the figures; with `complete`, drop every other one; save, then tell."""
        changed = {f.key for f in figures if self.figures.get(f.key) != f}
        removed = self.figures.keys() - {f.key for f in figures} if complete else set()
        for key in removed:
            del self.figures[key]
        self.figures.update((figure.key, figure) for figure in figures)
        await self._store.async_save(self._to_store())
        if changed or removed:
            for listener in list(self._listeners):
                listener(changed, removed)

    def _to_store(self) -> dict[str, Any]:
        """Return what the Store saves."""
        return {"figures": [figure.to_store() for figure in self.figures.values()]}

    @staticmethod
    async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
        """Delete a removed pairing's figures."""
        await figure_store(hass, entry_id).async_remove()


def figure_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the Store holding one pairing's figures."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.figures.{entry_id}", private=True)
