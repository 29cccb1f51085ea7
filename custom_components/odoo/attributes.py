"""Which state attributes leave Home Assistant: never a credential, and what the recorder keeps.

Home Assistant's recorder leaves out each entity's unrecorded attributes (the entity's
`_unrecorded_attributes` and its component's `_entity_component_unrecorded_attributes`,
which reach the state as `state.state_info["unrecorded_attributes"]`). Among them are the
camera's and image's `access_token` and their tokenised `entity_picture`, which open the live
picture to whoever holds them. Odoo gets the same cut, with two differences:

- a token is always removed, even from a state without `state_info` (one set through the REST
  API, or a recorded one sent as history);
- the attributes Odoo's dashboard and its command checks read (`ODOO_READS`) are kept: the
  recorder leaves out a light's brightness or a select's options only to save disk space.
"""

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_ENTITY_PICTURE,
    ATTR_FRIENDLY_NAME,
    ATTR_ICON,
    ATTR_UNIT_OF_MEASUREMENT,
    MATCH_ALL,
)
from homeassistant.core import State

ACCESS_TOKEN: Final = "access_token"  # noqa: S105 - the attribute name
# Pictures served by Home Assistant's own proxies carry `?token=…` (rotated every 5 minutes).
ENTITY_PICTURE_LOCAL: Final = "entity_picture_local"
PICTURES: Final = frozenset({ATTR_ENTITY_PICTURE, ENTITY_PICTURE_LOCAL})
TOKEN_MARK: Final = "token="  # noqa: S105 - the query parameter name

# Attributes read by the Odoo addon (static/src/dashboard and entity_services.py); a test
# checks that this list holds every one of them and no credential.
ODOO_READS: Final = frozenset(
    {
        "activity_list",
        "available_modes",
        "available_tones",
        "battery_level",
        "brightness",
        "code_arm_required",
        "code_format",
        "color_temp_kelvin",
        "current_position",
        "current_temperature",
        ATTR_DEVICE_CLASS,
        "effect_list",
        "fan_modes",
        ATTR_FRIENDLY_NAME,
        "humidity",
        "hvac_modes",
        ATTR_ICON,
        "in_progress",
        "installed_version",
        "latest_version",
        "max",
        "max_color_temp_kelvin",
        "max_humidity",
        "max_temp",
        "min",
        "min_color_temp_kelvin",
        "min_humidity",
        "min_temp",
        "operation_list",
        "options",
        "pattern",
        "percentage",
        "percentage_step",
        "preset_modes",
        "rgb_color",
        "source_list",
        "source_type",
        "step",
        "supported_color_modes",
        "supported_features",
        "swing_modes",
        "target_temp_step",
        "temperature",
        "temperature_unit",
        ATTR_UNIT_OF_MEASUREMENT,
        "volume_level",
        "wind_bearing",
        "wind_speed",
        "wind_speed_unit",
    }
)
# What the recorder keeps of an entity that leaves out everything (MATCH_ALL): device class,
# unit, friendly name (all in ODOO_READS) and state class.
KEPT_OF_MATCH_ALL: Final = ODOO_READS | {"state_class"}
NOTHING: Final[frozenset[str]] = frozenset()


@cache
def _left_out(unrecorded: frozenset[str]) -> frozenset[str]:
    """Return which of an entity's unrecorded attributes stay in Home Assistant.

    Entities of one class share one frozenset, so this runs once per class.
    """
    return unrecorded - ODOO_READS


def _is_credential(key: str, value: Any) -> bool:
    """Tell whether an attribute hands out access to Home Assistant."""
    if key == ACCESS_TOKEN:
        return True
    return key in PICTURES and isinstance(value, str) and TOKEN_MARK in value


def exported_attributes(state: State) -> Mapping[str, Any]:
    """Return the attributes of a state that may leave Home Assistant.

    Most states have neither unrecorded attributes nor a token: they cost a few lookups and
    keep their own (read-only) attributes object.
    """
    attributes = state.attributes
    # The recorder's LazyState (history backfill) never sets the slot.
    info = getattr(state, "state_info", None)
    unrecorded = info["unrecorded_attributes"] if info is not None else NOTHING
    if MATCH_ALL in unrecorded:
        return {
            key: value
            for key, value in attributes.items()
            if key in KEPT_OF_MATCH_ALL and not _is_credential(key, value)
        }
    left_out = _left_out(unrecorded)
    if (
        not left_out
        and ACCESS_TOKEN not in attributes
        and ATTR_ENTITY_PICTURE not in attributes
        and ENTITY_PICTURE_LOCAL not in attributes
    ):
        return attributes
    return {
        key: value
        for key, value in attributes.items()
        if key not in left_out and not _is_credential(key, value)
    }
