"""Validation of a pairing request (docs/protocol.md §2) and of the URLs signed requests go to.

No ORM here: `pairing_values` turns what Home Assistant sends into the instance's field
values, or raises `PairingError` with a lazy translation the caller renders in the user's
language.
"""

import re
from urllib.parse import urlsplit

from odoo.tools.translate import LazyTranslate

from .signing import PROTOCOL_VERSION

_lt = LazyTranslate(__name__)

UUID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
# What a pairing sets that nobody may see (they are never part of a logged query).
PAIRING_CREDENTIALS = ("secret", "webhook_id", "command_url")
REQUIRED_TEXT = ("uuid", "name", "ha_url", "webhook_id", "secret", "ha_version")
MAX_URL_LENGTH = 2048
MAX_NAME_LENGTH = 256
MAX_VERSION_LENGTH = 64


class PairingError(ValueError):
    """A pairing request Odoo refuses; `message` is a lazy translation of why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def pairing_values(values):
    """Return the instance values of a pairing request, or raise `PairingError`."""
    if not isinstance(values, dict):
        raise PairingError(_lt("Pairing values must be an object."))
    if values.get("protocol") != PROTOCOL_VERSION:
        raise PairingError(
            _lt(
                "Home Assistant speaks protocol %(theirs)s, this Odoo speaks %(ours)s: "
                "update the older side.",
                theirs=values.get("protocol"),
                ours=PROTOCOL_VERSION,
            )
        )
    for key in REQUIRED_TEXT:
        if not isinstance(values.get(key), str) or not values[key]:
            raise PairingError(_lt("Pairing value %s is missing.", key))
    if not UUID_PATTERN.match(values["uuid"]):
        raise PairingError(_lt("The Home Assistant instance id is not valid."))
    if not SECRET_PATTERN.match(values["secret"]):
        raise PairingError(_lt("The shared secret must be at least 32 base64url characters."))
    if not UUID_PATTERN.match(values["webhook_id"]):
        raise PairingError(_lt("The webhook id is not valid."))
    # A path is Home Assistant's to give: behind a reverse proxy, or a cloudhook's.
    if not is_http_url(values["ha_url"], allow_path=True):
        raise PairingError(
            _lt(
                "The Home Assistant URL must be an http(s) URL with a host, and no user "
                "name, query or fragment."
            )
        )
    command_url = values.get("command_url")
    if command_url is not None and not is_http_url(command_url, allow_path=True):
        raise PairingError(
            _lt(
                "The command URL must be an http(s) URL with a host, and no user name, "
                "query or fragment."
            )
        )
    return {
        "uuid": values["uuid"],
        "name": values["name"][:MAX_NAME_LENGTH],
        "ha_url": values["ha_url"].rstrip("/"),
        "webhook_id": values["webhook_id"],
        "secret": values["secret"],
        # A pairing without it clears the stored one: the cloud subscription ended.
        "command_url": command_url or False,
        "ha_version": values["ha_version"][:MAX_VERSION_LENGTH],
        "protocol": PROTOCOL_VERSION,
    }


def is_http_url(value, allow_path):
    """Tell whether `value` is an absolute http(s) URL with a host and a valid port.

    Never with user info, a query or a fragment (nor with a path unless `allow_path`):
    signed requests go exactly there, and `ha_url` is shown to every user.
    """
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        return False
    if any(character.isspace() or character in "?#@\\" for character in value):
        return False
    try:
        url = urlsplit(value)
        port = url.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return False
    return (
        url.scheme in ("http", "https")
        and bool(url.hostname)
        and port != 0
        and (allow_path or url.path in ("", "/"))
    )
