"""The services Odoo offers per entity domain and the data each takes, in one table.

`validate_service_data` checks a service call on one entity against `SERVICES` and the
entity's attributes (ranges, steps, options) before anything is sent, and returns the data
to send. Every refusal is a translated `ValidationError` naming the field.
"""

import math
import re
from dataclasses import dataclass, field

from odoo.exceptions import ValidationError


@dataclass(frozen=True)
class Service:
    """A service's data fields (name → validator), the required ones, and "one of these".

    `response`: the service answers with data (Home Assistant's `SupportsResponse`), which
    the command asks for (`return_response`) and hands back to the caller.
    """

    fields: dict = field(default_factory=dict)
    required: tuple = ()
    any_of: tuple = ()
    response: bool = False


def _number(env, name, value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(env._("%s must be a number.", name))
    return value


def _check_range(env, name, value, low, high):
    if high is None:
        if low is not None and value < low:
            raise ValidationError(env._("%(name)s must be at least %(low)s.", name=name, low=low))
        return value
    if (low is not None and value < low) or value > high:
        raise ValidationError(
            env._("%(name)s must be between %(low)s and %(high)s.", name=name, low=low, high=high)
        )
    return value


def in_range(low, high, integer=False):
    """A number between fixed bounds (an integer when `integer`)."""

    def check(env, name, value, attributes):
        _number(env, name, value)
        if integer and value != int(value):
            raise ValidationError(env._("%s must be a whole number.", name))
        return _check_range(env, name, value, low, high)

    return check


def in_attribute_range(low_attribute, high_attribute, default_low=None, default_high=None):
    """A number between the bounds the entity reports in its attributes."""

    def check(env, name, value, attributes):
        _number(env, name, value)
        low = _attribute_number(attributes, low_attribute, default_low)
        high = _attribute_number(attributes, high_attribute, default_high)
        return _check_range(env, name, value, low, high)

    return check


def number_value(env, name, value, attributes):
    """A number/input_number value: within min and max, on the entity's step."""
    _number(env, name, value)
    low = _attribute_number(attributes, "min", None)
    high = _attribute_number(attributes, "max", None)
    _check_range(env, name, value, low, high)
    step = _attribute_number(attributes, "step", None)
    if step and step > 0:
        steps = (value - (low or 0)) / step
        if abs(steps - round(steps)) > 1e-9 * max(1.0, abs(steps)):
            raise ValidationError(
                env._("%(name)s must be a multiple of %(step)s.", name=name, step=step)
            )
    return value


def one_of(*choices):
    """One of fixed choices."""

    def check(env, name, value, attributes):
        if value not in choices:
            raise ValidationError(
                env._(
                    "%(name)s must be one of: %(choices)s.", name=name, choices=", ".join(choices)
                )
            )
        return value

    return check


def attribute_choice(attribute):
    """One of the choices the entity lists in an attribute (e.g. options, hvac_modes)."""

    def check(env, name, value, attributes):
        choices = attributes.get(attribute)
        if not isinstance(choices, list) or value not in choices:
            raise ValidationError(
                env._(
                    "%(name)s must be one of the entity's %(attribute)s: %(choices)s.",
                    name=name,
                    attribute=attribute,
                    choices=", ".join(map(str, choices)) if isinstance(choices, list) else "-",
                )
            )
        return value

    return check


def boolean(env, name, value, attributes):
    """True or false."""
    if not isinstance(value, bool):
        raise ValidationError(env._("%s must be true or false.", name))
    return value


def short_text(env, name, value, attributes):
    """A short text (codes, date and time strings)."""
    if not isinstance(value, str) or len(value) > 255:
        raise ValidationError(env._("%s must be a text of at most 255 characters.", name))
    return value


def entity_text(env, name, value, attributes):
    """A text/input_text value: within the entity's min and max length, matching its pattern."""
    if not isinstance(value, str):
        raise ValidationError(env._("%s must be a text.", name))
    low = int(_attribute_number(attributes, "min", 0))
    high = int(_attribute_number(attributes, "max", 255))
    if not low <= len(value) <= high:
        raise ValidationError(
            env._(
                "%(name)s must be %(low)s to %(high)s characters long.",
                name=name,
                low=low,
                high=high,
            )
        )
    pattern = attributes.get("pattern")
    if isinstance(pattern, str) and pattern:
        try:
            matches = re.fullmatch(pattern, value)
        except re.error:
            matches = True  # Home Assistant's own (JavaScript-flavoured) pattern decides.
        if not matches:
            raise ValidationError(
                env._("%(name)s must match the pattern %(pattern)s.", name=name, pattern=pattern)
            )
    return value


def number_list(*bounds):
    """A list of numbers, one per (low, high) bound, e.g. rgb_color or hs_color."""
    integer = all(isinstance(low, int) and isinstance(high, int) for low, high in bounds)

    def check(env, name, value, attributes):
        if not isinstance(value, list) or len(value) != len(bounds):
            raise ValidationError(
                env._("%(name)s must be a list of %(count)s numbers.", name=name, count=len(bounds))
            )
        for item, (low, high) in zip(value, bounds, strict=True):
            in_range(low, high, integer)(env, name, item, attributes)
        return value

    return check


def text_or_texts(max_items):
    """A text, or a non-empty list of at most `max_items` texts (remote commands, todo items)."""

    def check(env, name, value, attributes):
        values = value if isinstance(value, list) else [value]
        if not values or len(values) > max_items:
            raise ValidationError(
                env._("%(name)s takes 1 to %(count)s texts.", name=name, count=max_items)
            )
        for item in values:
            item_text(env, name, item, attributes)
        return value

    return check


def item_text(env, name, value, attributes):
    """A non-empty text of at most 255 characters (a todo item's summary)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ValidationError(env._("%s must be a non-empty text of at most 255 characters.", name))
    return value


def choices_list(*choices):
    """A list of fixed choices, e.g. the todo item statuses to list."""
    pick = one_of(*choices)

    def check(env, name, value, attributes):
        if not isinstance(value, list) or not value:
            raise ValidationError(env._("%s must be a non-empty list.", name))
        for item in value:
            pick(env, name, item, attributes)
        return value

    return check


def alarm_code(env, name, value, attributes):
    """An alarm panel's code: a text, digits only when the panel's `code_format` is number.

    The messages never repeat the value: it is a credential.
    """
    short_text(env, name, value, attributes)
    # ASCII digits only: `str.isdigit` passes "²" and "٣", which no keypad sends.
    if attributes.get("code_format") == "number" and not re.fullmatch(r"[0-9]+", value):
        raise ValidationError(env._("%s must be digits only for this alarm panel.", name))
    return value


def when_supported(feature, check, attribute="supported_features"):
    """`check` for a field the entity supports only with the `feature` bit set."""

    def check_supported(env, name, value, attributes):
        supported = _attribute_number(attributes, attribute, 0)
        if not int(supported) & feature:
            raise ValidationError(env._("This entity does not support %s.", name))
        return check(env, name, value, attributes)

    return check_supported


def siren_tone(env, name, value, attributes):
    """One of the siren's `available_tones`: a list of tones, or a {tone: name} mapping."""
    tones = attributes.get("available_tones")
    keys = list(tones) if isinstance(tones, dict | list) else []
    # A mapping's keys arrive as JSON texts; the tone may be given by its name too.
    names = list(tones.values()) if isinstance(tones, dict) else []
    allowed = {str(tone) for tone in keys + names}
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) not in allowed:
        raise ValidationError(
            env._(
                "%(name)s must be one of the siren's tones: %(choices)s.",
                name=name,
                choices=", ".join(map(str, keys)) or "-",
            )
        )
    return value


def _attribute_number(attributes, name, default):
    value = attributes.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return value


ON_OFF = {"turn_on": Service(), "turn_off": Service(), "toggle": Service()}
TRANSITION = in_range(0, 300)
LIGHT_ON = Service(
    {
        "brightness": in_range(0, 255, integer=True),
        "brightness_pct": in_range(0, 100),
        "brightness_step": in_range(-255, 255, integer=True),
        "brightness_step_pct": in_range(-100, 100),
        "color_temp_kelvin": in_attribute_range(
            "min_color_temp_kelvin", "max_color_temp_kelvin", 1000, 40000
        ),
        "rgb_color": number_list((0, 255), (0, 255), (0, 255)),
        "hs_color": number_list((0.0, 360.0), (0.0, 100.0)),
        "xy_color": number_list((0.0, 1.0), (0.0, 1.0)),
        "effect": attribute_choice("effect_list"),
        "flash": one_of("short", "long"),
        "transition": TRANSITION,
    }
)
CLIMATE_TEMPERATURE = in_attribute_range("min_temp", "max_temp", 7, 35)
SELECT = {
    "select_option": Service({"option": attribute_choice("options")}, required=("option",)),
    "select_first": Service(),
    "select_last": Service(),
    "select_next": Service({"cycle": boolean}),
    "select_previous": Service({"cycle": boolean}),
}
LOCK_CODE = Service({"code": short_text})
NUMBER = Service({"value": number_value}, required=("value",))
ALARM_CODE = Service({"code": alarm_code})
# Siren features (Home Assistant's SirenEntityFeature).
SIREN_TONES, SIREN_VOLUME_SET, SIREN_DURATION = 4, 8, 16
TODO_ITEM = item_text
TODO_STATUS = one_of("needs_action", "completed")
TEXT = Service({"value": entity_text}, required=("value",))

SERVICES = {
    "alarm_control_panel": {
        "alarm_arm_away": ALARM_CODE,
        "alarm_arm_home": ALARM_CODE,
        "alarm_arm_night": ALARM_CODE,
        "alarm_arm_vacation": ALARM_CODE,
        "alarm_disarm": ALARM_CODE,
    },
    "automation": {
        "trigger": Service({"skip_condition": boolean}),
        "turn_off": Service({"stop_actions": boolean}),
        "turn_on": Service(),
    },
    "button": {"press": Service()},
    "climate": {
        **ON_OFF,
        "set_hvac_mode": Service(
            {"hvac_mode": attribute_choice("hvac_modes")}, required=("hvac_mode",)
        ),
        "set_temperature": Service(
            {
                "temperature": CLIMATE_TEMPERATURE,
                "target_temp_low": CLIMATE_TEMPERATURE,
                "target_temp_high": CLIMATE_TEMPERATURE,
                "hvac_mode": attribute_choice("hvac_modes"),
            },
            any_of=("temperature", "target_temp_low", "target_temp_high"),
        ),
        "set_fan_mode": Service({"fan_mode": attribute_choice("fan_modes")}, ("fan_mode",)),
        "set_preset_mode": Service(
            {"preset_mode": attribute_choice("preset_modes")}, ("preset_mode",)
        ),
        "set_swing_mode": Service({"swing_mode": attribute_choice("swing_modes")}, ("swing_mode",)),
        "set_humidity": Service(
            {"humidity": in_attribute_range("min_humidity", "max_humidity", 30, 99)},
            ("humidity",),
        ),
    },
    "cover": {
        "open_cover": Service(),
        "close_cover": Service(),
        "stop_cover": Service(),
        "toggle": Service(),
        "set_cover_position": Service({"position": in_range(0, 100, True)}, ("position",)),
        "open_cover_tilt": Service(),
        "close_cover_tilt": Service(),
        "stop_cover_tilt": Service(),
        "set_cover_tilt_position": Service(
            {"tilt_position": in_range(0, 100, True)}, ("tilt_position",)
        ),
    },
    "fan": {
        "turn_on": Service(
            {"percentage": in_range(0, 100, True), "preset_mode": attribute_choice("preset_modes")}
        ),
        "turn_off": Service(),
        "toggle": Service(),
        "set_percentage": Service({"percentage": in_range(0, 100, True)}, ("percentage",)),
        "set_preset_mode": Service(
            {"preset_mode": attribute_choice("preset_modes")}, ("preset_mode",)
        ),
        "oscillate": Service({"oscillating": boolean}, ("oscillating",)),
        "set_direction": Service({"direction": one_of("forward", "reverse")}, ("direction",)),
        "increase_speed": Service({"percentage_step": in_range(0, 100, True)}),
        "decrease_speed": Service({"percentage_step": in_range(0, 100, True)}),
    },
    "humidifier": {
        **ON_OFF,
        "set_humidity": Service(
            {"humidity": in_attribute_range("min_humidity", "max_humidity", 0, 100)},
            ("humidity",),
        ),
        "set_mode": Service({"mode": attribute_choice("available_modes")}, ("mode",)),
    },
    "input_boolean": ON_OFF,
    "input_button": {"press": Service()},
    "input_datetime": {
        "set_datetime": Service(
            {
                "date": short_text,
                "time": short_text,
                "datetime": short_text,
                "timestamp": in_range(0, None),
            },
            any_of=("date", "time", "datetime", "timestamp"),
        )
    },
    "input_number": {"set_value": NUMBER, "increment": Service(), "decrement": Service()},
    "input_select": SELECT,
    "input_text": {"set_value": TEXT},
    "light": {
        "turn_on": LIGHT_ON,
        "turn_off": Service({"transition": TRANSITION, "flash": one_of("short", "long")}),
        "toggle": LIGHT_ON,
    },
    "lawn_mower": {"start_mowing": Service(), "pause": Service(), "dock": Service()},
    "lock": {"lock": LOCK_CODE, "unlock": LOCK_CODE, "open": LOCK_CODE},
    "media_player": {
        **ON_OFF,
        "media_play": Service(),
        "media_pause": Service(),
        "media_play_pause": Service(),
        "media_stop": Service(),
        "media_next_track": Service(),
        "media_previous_track": Service(),
        "volume_up": Service(),
        "volume_down": Service(),
        "volume_set": Service({"volume_level": in_range(0, 1)}, ("volume_level",)),
        "volume_mute": Service({"is_volume_muted": boolean}, ("is_volume_muted",)),
        "select_source": Service({"source": attribute_choice("source_list")}, ("source",)),
    },
    "number": {"set_value": NUMBER},
    "remote": {
        "turn_on": Service({"activity": attribute_choice("activity_list")}),
        "turn_off": Service(),
        "toggle": Service(),
        "send_command": Service(
            {
                "command": text_or_texts(64),
                "device": short_text,
                "num_repeats": in_range(1, 255, integer=True),
                "delay_secs": in_range(0, 60),
                "hold_secs": in_range(0, 60),
            },
            ("command",),
        ),
    },
    "scene": {"turn_on": Service({"transition": TRANSITION})},
    "script": ON_OFF,
    "select": SELECT,
    "siren": {
        "turn_on": Service(
            {
                "tone": when_supported(SIREN_TONES, siren_tone),
                "volume_level": when_supported(SIREN_VOLUME_SET, in_range(0, 1)),
                "duration": when_supported(SIREN_DURATION, in_range(1, 3600, integer=True)),
            }
        ),
        "turn_off": Service(),
        "toggle": Service(),
    },
    "switch": ON_OFF,
    "text": {"set_value": TEXT},
    "todo": {
        "get_items": Service({"status": choices_list("needs_action", "completed")}, response=True),
        "add_item": Service({"item": TODO_ITEM, "description": short_text}, ("item",)),
        "update_item": Service(
            {
                "item": TODO_ITEM,
                "rename": TODO_ITEM,
                "status": TODO_STATUS,
                "description": short_text,
            },
            ("item",),
            any_of=("rename", "status", "description"),
        ),
        "remove_item": Service({"item": text_or_texts(100)}, ("item",)),
    },
    "vacuum": {
        name: Service()
        for name in ("start", "pause", "stop", "return_to_base", "clean_spot", "locate")
    },
    "valve": {
        "open_valve": Service(),
        "close_valve": Service(),
        "stop_valve": Service(),
        "toggle": Service(),
        "set_valve_position": Service({"position": in_range(0, 100, True)}, ("position",)),
    },
    "weather": {
        "get_forecasts": Service(
            {"type": one_of("daily", "hourly", "twice_daily")}, ("type",), response=True
        )
    },
    "water_heater": {
        "turn_on": Service(),
        "turn_off": Service(),
        "set_temperature": Service(
            {
                "temperature": in_attribute_range("min_temp", "max_temp", None, None),
                "operation_mode": attribute_choice("operation_list"),
            },
            ("temperature",),
        ),
        "set_operation_mode": Service(
            {"operation_mode": attribute_choice("operation_list")}, ("operation_mode",)
        ),
        "set_away_mode": Service({"away_mode": boolean}, ("away_mode",)),
    },
}


def validate_service_data(env, domain, service, attributes, data):
    """Return the data to send for `domain.service` on an entity, or raise ValidationError."""
    spec = SERVICES.get(domain, {}).get(service)
    full_name = f"{domain}.{service}"
    if spec is None:
        raise ValidationError(
            env._(
                "Entities of domain %(domain)s offer no service %(service)s.",
                domain=domain,
                service=service,
            )
        )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(env._("A service's data must be an object."))
    unknown = sorted(set(data) - set(spec.fields))
    if unknown:
        raise ValidationError(
            env._(
                "%(service)s takes no %(fields)s.",
                service=full_name,
                fields=", ".join(map(str, unknown)),
            )
        )
    missing = [name for name in spec.required if name not in data]
    if missing:
        raise ValidationError(
            env._(
                "%(service)s needs %(fields)s.",
                service=full_name,
                fields=", ".join(missing),
            )
        )
    if spec.any_of and not set(spec.any_of) & set(data):
        raise ValidationError(
            env._(
                "%(service)s needs one of %(fields)s.",
                service=full_name,
                fields=", ".join(spec.any_of),
            )
        )
    attributes = attributes if isinstance(attributes, dict) else {}
    return {name: spec.fields[name](env, name, value, attributes) for name, value in data.items()}
