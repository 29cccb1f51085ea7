"""History backfill: read recorded states from Home Assistant's recorder and push them to Odoo.

The states travel through the outbox as ordinary state events (docs/protocol.md §4 `history`);
Odoo keeps one history row per entity and `last_updated`, so a backfill never duplicates.
"""

import logging
from datetime import datetime

from homeassistant.components.recorder import history
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.recorder import DATA_INSTANCE, get_instance

from .outbox import Outbox

_LOGGER = logging.getLogger(__name__)


def recorder_running(hass: HomeAssistant) -> bool:
    """Tell whether Home Assistant records history."""
    return DATA_INSTANCE in hass.data


def _recorded_states(
    hass: HomeAssistant, entity_ids: list[str], start: datetime, end: datetime
) -> list[State]:
    """Return every recorded state of the entities changed inside [start, end) (blocking)."""
    by_entity = history.get_significant_states(
        hass,
        start,
        end,
        entity_ids,
        include_start_time_state=False,
        significant_changes_only=False,
    )
    return [state for states in by_entity.values() for state in states if isinstance(state, State)]


async def async_backfill(
    hass: HomeAssistant, outbox: Outbox, entity_ids: list[str], start: datetime, end: datetime
) -> None:
    """Queue the recorded states of a range; what the outbox cannot hold is left out.

    Only exported entities are read from the recorder.
    """
    entity_ids = [entity_id for entity_id in entity_ids if outbox.is_exported_entity(entity_id)]
    if not entity_ids:
        _LOGGER.debug("History backfill queued %s recorded states", 0)
        return
    states = await get_instance(hass).async_add_executor_job(
        _recorded_states, hass, entity_ids, start, end
    )
    room = max(0, outbox.buffer_limit - outbox.pending)
    if len(states) > room:
        # Past the outbox limit, compaction would drop this very history again.
        _LOGGER.warning(
            "History backfill of %s states exceeds the outbox's free room; sending the oldest %s",
            len(states),
            room,
        )
        states.sort(key=lambda state: state.last_updated)
        del states[room:]
    queued = outbox.async_queue_history(states)
    _LOGGER.debug("History backfill queued %s recorded states", queued)
