"""Odoo's figures as sensors: one per figure, under the pairing's "Odoo figures" device."""

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_URL, DOMAIN
from .figures import Figure, FigureBook
from .runtime import DATA_OWN_ENTITIES, OdooConfigEntry


def figure_unique_id(entry_id: str, key: str) -> str:
    """Return the unique id of a figure's sensor."""
    return f"{entry_id}_figure_{key}"


@callback
def async_setup_figure_sensors(
    hass: HomeAssistant, entry: OdooConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a sensor per figure, and follow the figures Odoo adds and removes."""
    book = entry.runtime_data.figures
    own_entities = hass.data[DATA_OWN_ENTITIES]
    registry = er.async_get(hass)
    prefix = figure_unique_id(entry.entry_id, "")
    # A figure removed while its sensor was not loaded leaves a registry entry behind.
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            registered.unique_id.startswith(prefix)
            and registered.unique_id.removeprefix(prefix) not in book.figures
        ):
            registry.async_remove(registered.entity_id)
    known = set(book.figures)
    async_add_entities(
        OdooFigureSensor(entry, book, own_entities, figure) for figure in book.figures.values()
    )

    @callback
    def figures_changed(changed: set[str], removed: set[str]) -> None:
        """Add sensors of new figures; remove those of removed figures with their entry."""
        added = changed - known
        known.update(added)
        async_add_entities(
            OdooFigureSensor(entry, book, own_entities, book.figures[key]) for key in added
        )
        for key in removed:
            known.discard(key)
            unique_id = figure_unique_id(entry.entry_id, key)
            if entity_id := registry.async_get_entity_id(SENSOR_DOMAIN, DOMAIN, unique_id):
                registry.async_remove(entity_id)

    entry.async_on_unload(book.async_add_listener(figures_changed))


class OdooFigureSensor(SensorEntity):
    """One figure Odoo computes; its state is the figure's value (unknown when null)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: OdooConfigEntry, book: FigureBook, own_entities: set[str], figure: Figure
    ) -> None:
        """Attach the sensor to the pairing's figures device."""
        self._book = book
        self._own_entities = own_entities
        self._figure = figure
        self._attr_unique_id = figure_unique_id(entry.entry_id, figure.key)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_figures")},
            translation_key="figures",
            manufacturer="Odoo",
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=entry.data[CONF_URL],
        )

    async def async_added_to_hass(self) -> None:
        """Follow the figure; keep this sensor out of the export."""
        # Never discarded: the removal of this sensor's state must not be exported either.
        self._own_entities.add(self.entity_id)
        self.async_on_remove(self._book.async_add_listener(self._figures_changed))

    @callback
    def _figures_changed(self, changed: set[str], removed: set[str]) -> None:
        """Write the new state when this figure changed."""
        if self._figure.key in changed:
            self._figure = self._book.figures[self._figure.key]
            self.async_write_ha_state()

    @property
    def name(self) -> str:
        """Return the figure's name, as Odoo's administrator gave it."""
        return self._figure.name

    @property
    def native_value(self) -> float | None:
        """Return the figure's value."""
        return self._figure.value

    @property
    def native_unit_of_measurement(self) -> str | None:
        """Return the figure's unit."""
        return self._figure.unit

    @property
    def icon(self) -> str | None:
        """Return the figure's icon."""
        return self._figure.icon

    @property
    def state_class(self) -> SensorStateClass | None:
        """Return the figure's state class."""
        return SensorStateClass(self._figure.state_class) if self._figure.state_class else None
