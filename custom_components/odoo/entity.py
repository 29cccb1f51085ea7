"""Base class of the status entities: one service device per paired Odoo database."""

from homeassistant.const import EntityCategory
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import CONF_DATABASE, CONF_URL, DOMAIN
from .outbox import Outbox
from .runtime import OdooConfigEntry


class OdooStatusEntity(Entity):
    """A diagnostic entity showing the state of one pairing's outbox."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self,
        entry: OdooConfigEntry,
        outbox: Outbox,
        own_entities: set[str],
        description: EntityDescription,
    ) -> None:
        """Attach the entity to the pairing's device."""
        self.entity_description = description
        self._outbox = outbox
        self._own_entities = own_entities
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=f"Odoo {entry.data[CONF_DATABASE]}",
            manufacturer="Odoo",
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=entry.data[CONF_URL],
        )

    async def async_added_to_hass(self) -> None:
        """Follow the outbox status; keep this entity out of the export."""
        # Never discarded: the removal of this entity's state must not be exported either.
        self._own_entities.add(self.entity_id)
        self.async_on_remove(self._outbox.async_add_status_listener(self.async_write_ha_state))
