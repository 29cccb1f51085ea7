"""Sensors of a pairing: outbox size, events sent, last successful push, and Odoo's figures."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import OdooStatusEntity
from .figure_sensor import async_setup_figure_sensors
from .outbox import Outbox
from .runtime import DATA_OWN_ENTITIES, OdooConfigEntry

# Values are pushed by the outbox; nothing is fetched, so updates need no throttling.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class OdooSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor reading one value of the outbox."""

    value: Callable[[Outbox], int | datetime | None]


SENSORS: tuple[OdooSensorEntityDescription, ...] = (
    OdooSensorEntityDescription(
        key="outbox_size",
        translation_key="outbox_size",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda outbox: outbox.pending,
    ),
    OdooSensorEntityDescription(
        key="events_sent",
        translation_key="events_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value=lambda outbox: outbox.status.events_sent,
    ),
    OdooSensorEntityDescription(
        key="last_successful_push",
        translation_key="last_successful_push",
        device_class=SensorDeviceClass.TIMESTAMP,
        value=lambda outbox: outbox.status.last_success,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OdooConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the pairing's status sensors and its figure sensors."""
    outbox = entry.runtime_data.outbox
    own_entities = hass.data[DATA_OWN_ENTITIES]
    async_add_entities(
        OdooSensor(entry, outbox, own_entities, description) for description in SENSORS
    )
    async_setup_figure_sensors(hass, entry, async_add_entities)


class OdooSensor(OdooStatusEntity, SensorEntity):
    """A number or time read from the outbox."""

    entity_description: OdooSensorEntityDescription

    @property
    def native_value(self) -> int | datetime | None:
        """Return the current value."""
        return self.entity_description.value(self._outbox)
