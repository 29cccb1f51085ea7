"""Which entities a command reaches, resolved as Home Assistant's entity services resolve them.

A service call merges its data into its target (`ServiceRegistry.async_call`), so the target
fields of both count. Home Assistant's own helper turns entity, device, area, floor and label
ids into entity ids, expanding groups, exactly as `entity_service_call` does before it acts.
"""

from collections.abc import Callable, Mapping
from typing import Any

import probatio as vol
from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
    ENTITY_MATCH_ALL,
    ENTITY_MATCH_NONE,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids

TARGET_KEYS = (ATTR_ENTITY_ID, ATTR_DEVICE_ID, ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID)
# What entity services accept: `all`, `none`, comma-separated entity ids, single ids or lists.
SERVICE_TARGET_SCHEMA = vol.Schema(cv.ENTITY_SERVICE_FIELDS)
# How many refused ids an answer names.
NAMED_AT_MOST = 10


class TargetRefused(Exception):
    """The command names a target Odoo may not reach."""


def target_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the target fields found in service data, validated (raises vol.Invalid)."""
    fields: dict[str, Any] = SERVICE_TARGET_SCHEMA(
        {key: data[key] for key in TARGET_KEYS if key in data}
    )
    return fields


@callback
def check_target(
    hass: HomeAssistant, target: Mapping[str, Any], is_exported: Callable[[str], bool]
) -> None:
    """Raise TargetRefused unless every entity a validated target reaches is exported.

    Also refused: `all` or `none`, a device, area, floor or label Home Assistant does not
    know, and devices, areas, floors or labels that reach no entity.
    """
    for key, value in target.items():
        if value in (ENTITY_MATCH_ALL, ENTITY_MATCH_NONE):
            raise TargetRefused(f"A command from Odoo may not target {key}: {value}.")
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(dict(target)))
    for kind, missing in (
        ("device", selected.missing_devices),
        ("area", selected.missing_areas),
        ("floor", selected.missing_floors),
        ("label", selected.missing_labels),
    ):
        if missing:
            raise TargetRefused(f"Home Assistant knows no {kind} {_named(missing)}.")
    indirect = any(target.get(key) for key in TARGET_KEYS if key != ATTR_ENTITY_ID)
    if indirect and not selected.indirectly_referenced:
        raise TargetRefused("The target's devices, areas, floors or labels hold no entity.")
    reached = selected.referenced | selected.indirectly_referenced
    if refused := {entity_id for entity_id in reached if not is_exported(entity_id)}:
        raise TargetRefused(
            f"Odoo may not reach {_named(refused)}: not exported to Odoo "
            "(the entity filter in the options of the Odoo integration)."
        )


def _named(ids: set[str]) -> str:
    """Return a few ids for a message."""
    shown = sorted(ids)[:NAMED_AT_MOST]
    more = len(ids) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")
