"""The outbox's listener: state and registry changes on Home Assistant's bus → the send queue.

The state listener runs on the event loop for every exported state change, so it stays O(1):
it appends the `State` as it is (encoding waits for the sender), makes sure a commit is
pending, and compares the queue's length with one threshold.
"""

from collections.abc import Callable

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE, EVENT_STATE_CHANGED
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr

from .events import (
    WireEvent,
    area_event,
    device_event,
    entity_event,
    floor_event,
    is_own_device,
    is_own_entity_entry,
    label_event,
    removed_registry_event,
    removed_state_event,
)
from .export_filter import ExportFilter, entities_in_area, entities_of_device
from .outbox_store import OutboxSaver
from .send_queue import SendQueue
from .system_facts import async_system_event


class OutboxListener:
    """Queues the exported changes of one pairing; `on_attention` hears a crossed threshold."""

    def __init__(
        self,
        hass: HomeAssistant,
        queue: SendQueue,
        saver: OutboxSaver,
        exported: ExportFilter,
        own_entities: set[str],
        on_attention: CALLBACK_TYPE,
    ) -> None:
        """Prepare a listener that is not yet subscribed."""
        self._hass = hass
        self._queue = queue
        self._saver = saver
        self._filter = exported
        self._exported = exported.test
        self._own_entities = own_entities
        self._on_attention = on_attention

    @callback
    def async_subscribe(self) -> list[CALLBACK_TYPE]:
        """Listen to state and registry changes; return the unsubscribe callbacks."""
        self._filter.async_resolve_all(self._hass)
        bus = self._hass.bus
        return [
            bus.async_listen(
                EVENT_STATE_CHANGED,
                self._async_state_changed,
                event_filter=self._async_is_exported,
            ),
            bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_entity_updated),
            bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, self._async_device_updated),
            bus.async_listen(ar.EVENT_AREA_REGISTRY_UPDATED, self._async_area_updated),
            bus.async_listen(fr.EVENT_FLOOR_REGISTRY_UPDATED, self._async_floor_updated),
            bus.async_listen(lr.EVENT_LABEL_REGISTRY_UPDATED, self._async_label_updated),
            bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._async_core_config_updated),
        ]

    @callback
    def set_filter(self, exported: ExportFilter) -> None:
        """Export what a new filter passes from now on (resolving its registry choices)."""
        exported.async_resolve_all(self._hass)
        self._filter = exported
        self._exported = exported.test

    def is_exported_entity(self, entity_id: str) -> bool:
        """Tell whether an entity id passes the filter and is not one of ours."""
        return entity_id not in self._own_entities and self._exported(entity_id)

    @callback
    def frozen_filter(self) -> Callable[[str], bool]:
        """Return the test of `is_exported_entity` as it is now, safe for a worker thread."""
        own, test = self._own_entities, self._filter.frozen()
        return lambda entity_id: entity_id not in own and test(entity_id)

    # ---- the hot path -------------------------------------------------------------------

    @callback
    def _async_is_exported(self, event_data: EventStateChangedData) -> bool:
        """Tell whether a state change belongs to Odoo (the bus runs this before the listener)."""
        return self.is_exported_entity(event_data["entity_id"])

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        """Queue a state change (a removal as its wire event); encoding waits for the sender."""
        new_state = event.data["new_state"]
        needs_attention = self._queue.append(
            new_state
            if new_state is not None
            else removed_state_event(event.data["entity_id"], event.time_fired)
        )
        self._saver.schedule()
        if needs_attention:
            self._on_attention()

    # ---- registries and history (rare) --------------------------------------------------

    @callback
    def _async_queue_event(self, event: WireEvent) -> None:
        """Queue a ready wire event; like a state change, it is journaled within the delay."""
        needs_attention = self._queue.append(event)
        self._saver.schedule()
        if needs_attention:
            self._on_attention()

    @callback
    def async_queue_history(self, states: list[State]) -> int:
        """Queue recorded states of exported entities as ordinary state events; return how many."""
        exported = [state for state in states if self.is_exported_entity(state.entity_id)]
        if self._queue.extend(exported) and exported:
            self._on_attention()
        self._saver.schedule()
        return len(exported)

    @callback
    def _async_entity_updated(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        """Stream an entity registry change; one moving it out of the export removes it."""
        data = event.data
        entity_id = data["entity_id"]
        old_entity_id = data.get("old_entity_id") if data["action"] == "update" else None
        was_exported = self.is_exported_entity(entity_id)
        old_was_exported = bool(old_entity_id) and self.is_exported_entity(str(old_entity_id))
        self._filter.async_resolve(
            self._hass, [entity_id, old_entity_id] if old_entity_id else [entity_id]
        )
        if old_entity_id and old_was_exported:
            self._async_queue_event(removed_registry_event("entity", old_entity_id))
        if data["action"] == "remove" or not self.is_exported_entity(entity_id):
            # Removed, or moved out of the export by its new labels, area or device.
            if was_exported and data["action"] != "create":
                self._async_queue_event(removed_registry_event("entity", entity_id))
            return
        if (entry := er.async_get(self._hass).async_get(entity_id)) and not is_own_entity_entry(
            entry
        ):
            self._async_queue_event(entity_event(entry))
            if not was_exported:
                self._async_queue_state(entity_id)

    @callback
    def _async_queue_state(self, entity_id: str) -> None:
        """Queue the current state of an entity that entered the export."""
        if (state := self._hass.states.get(entity_id)) is not None:
            needs_attention = self._queue.append(state)
            self._saver.schedule()
            if needs_attention:
                self._on_attention()

    @callback
    def _async_refilter(self, entity_ids: list[str]) -> None:
        """Match entities again after a device or area change; send those that moved."""
        if not self._filter.choices:
            return
        before = {entity_id: self.is_exported_entity(entity_id) for entity_id in entity_ids}
        self._filter.async_resolve(self._hass, entity_ids)
        entities = er.async_get(self._hass)
        for entity_id, was_exported in before.items():
            if self.is_exported_entity(entity_id) == was_exported:
                continue
            if was_exported:
                self._async_queue_event(removed_registry_event("entity", entity_id))
            elif entry := entities.async_get(entity_id):
                self._async_queue_event(entity_event(entry))
                self._async_queue_state(entity_id)

    @callback
    def _async_device_updated(self, event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        """Stream a device registry change; its entities follow its area in or out."""
        device_id = event.data["device_id"]
        device = dr.async_get(self._hass).async_get(device_id)
        if device is not None and is_own_device(device):
            return
        if event.data["action"] == "remove" or device is None:
            self._async_queue_event(removed_registry_event("device", device_id))
        else:
            self._async_queue_event(device_event(device))
            self._async_refilter(entities_of_device(self._hass, device_id))

    @callback
    def _async_area_updated(self, event: Event[ar.EventAreaRegistryUpdatedData]) -> None:
        """Stream an area registry change."""
        area_id = event.data["area_id"]
        if area_id is None:
            return
        area = ar.async_get(self._hass).async_get_area(area_id)
        if event.data["action"] == "remove" or area is None:
            self._async_queue_event(removed_registry_event("area", area_id))
        else:
            self._async_queue_event(area_event(area))
            # Its floor may have changed, and with it what a floor choice exports.
            self._async_refilter(entities_in_area(self._hass, area_id))

    @callback
    def _async_floor_updated(self, event: Event[fr.EventFloorRegistryUpdatedData]) -> None:
        """Stream a floor registry change; a reorder changes no floor's level, so none is sent.

        A removed floor's areas are cleared by Home Assistant, whose area events follow.
        """
        data = event.data
        if data["action"] == "reorder":
            return
        floor_id = data["floor_id"]
        floor = fr.async_get(self._hass).async_get_floor(floor_id)
        if data["action"] == "remove" or floor is None:
            self._async_queue_event(removed_registry_event("floor", floor_id))
        else:
            self._async_queue_event(floor_event(floor))

    @callback
    def _async_label_updated(self, event: Event[lr.EventLabelRegistryUpdatedData]) -> None:
        """Stream a label registry change.

        A removed label is taken off its entities, devices and areas by Home Assistant,
        whose registry events follow.
        """
        label_id = event.data["label_id"]
        label = lr.async_get(self._hass).async_get_label(label_id)
        if event.data["action"] == "remove" or label is None:
            self._async_queue_event(removed_registry_event("label", label_id))
        else:
            self._async_queue_event(label_event(label))

    @callback
    def _async_core_config_updated(self, _event: Event) -> None:
        """Send Home Assistant's facts again: its time zone, units or location changed."""
        self._hass.async_create_task(self._async_queue_system(), "odoo system facts")

    async def _async_queue_system(self) -> None:
        """Queue the `system` event as it is now."""
        self._async_queue_event(await async_system_event(self._hass))
