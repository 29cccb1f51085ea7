"""The connectivity sensor of a pairing: on while Odoo accepts pushes."""

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import OdooStatusEntity
from .runtime import DATA_OWN_ENTITIES, OdooConfigEntry

# Values are pushed by the outbox; nothing is fetched, so updates need no throttling.
PARALLEL_UPDATES = 0

CONNECTED = BinarySensorEntityDescription(
    key="connected",
    translation_key="connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OdooConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the pairing's connectivity sensor."""
    outbox = entry.runtime_data.outbox
    async_add_entities(
        [OdooConnectedSensor(entry, outbox, hass.data[DATA_OWN_ENTITIES], CONNECTED)]
    )


class OdooConnectedSensor(OdooStatusEntity, BinarySensorEntity):
    """On when the last push reached Odoo."""

    @property
    def is_on(self) -> bool:
        """Return whether Odoo accepted the last push."""
        return self._outbox.status.connected
