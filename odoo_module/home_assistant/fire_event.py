"""The `fire_event` command's payload and its bounds (docs/protocol.md §4), checked before it goes.

No ORM here beyond the environment's translations: refusals are `ValidationError`s naming
the rule Home Assistant would refuse the command by.
"""

import json
import re

from odoo.exceptions import ValidationError

from .signing import EVENT_TYPE_PATTERN, MAX_EVENT_DATA_BYTES, RESERVED_EVENT_TYPE

EVENT_TYPE = re.compile(EVENT_TYPE_PATTERN)


def check_event_type(env, event_type):
    """Raise a `ValidationError` unless `event_type` is in the `odoo_` namespace."""
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        raise ValidationError(
            env._(
                "An event type sent to Home Assistant starts with odoo_ followed by 1 to 59 "
                "lowercase letters, digits or underscores, e.g. odoo_rush_order (not %s).",
                event_type if isinstance(event_type, str) else "-",
            )
        )
    if event_type == RESERVED_EVENT_TYPE:
        raise ValidationError(
            env._("%s is Home Assistant's own event; choose another event type.", event_type)
        )


def event_payload(env, event_type, data=None):
    """The `fire_event` command's fields for `event_type` and `data`; raise when HA would refuse."""
    check_event_type(env, event_type)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ValidationError(env._("The data of an event must be a JSON object."))
    try:
        size = len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())
    except (TypeError, ValueError) as error:
        raise ValidationError(env._("The data of an event must be JSON: %s", error)) from error
    if size > MAX_EVENT_DATA_BYTES:
        raise ValidationError(
            env._(
                "The data of an event is too large for Home Assistant (%(size)s bytes, at most "
                "%(limit)s).",
                size=size,
                limit=MAX_EVENT_DATA_BYTES,
            )
        )
    return {"event_type": event_type, "data": data}
