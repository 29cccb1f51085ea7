"""Events JSON cannot hold: set aside as dead letters so the rest of the stream flows."""

import logging
from collections.abc import Callable

from homeassistant.core import State

from .const import DEAD_LETTER_UNENCODABLE
from .events import WireEvent, event_key, event_reference
from .outbox_status import OutboxStatus

_LOGGER = logging.getLogger(__name__)


class UnencodableSetAside:
    """Counts and keeps each event orjson refused (an attribute), and logs it once per item.

    Once per entity (or device, area): a sensor with such an attribute would otherwise log
    at every change.
    """

    def __init__(self, title: str, status: OutboxStatus, save: Callable[[], None]) -> None:
        """Keep the dead letters in `status`; `save` schedules writing it."""
        self._title = title
        self._status = status
        self._save = save
        self._logged: set[tuple[str, str]] = set()

    def __call__(self, item: State | WireEvent, err: TypeError) -> None:
        """Set aside `item`, which `err` says JSON cannot hold."""
        kind, key = ("state", item.entity_id) if isinstance(item, State) else event_key(item)
        self._status.add_dead_letter(
            None, DEAD_LETTER_UNENCODABLE, str(err), event_reference(kind, key)
        )
        if (kind, key) not in self._logged:
            self._logged.add((kind, key))
            _LOGGER.warning(
                "The %s event of %s cannot be encoded as JSON for %s (%s); it was set aside",
                kind,
                key,
                self._title,
                err,
            )
        self._save()
