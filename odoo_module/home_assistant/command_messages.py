"""Why a command failed, in words for its user (docs/protocol.md §4's error codes).

No ORM here: each function returns a lazy translation that `ha.command` renders in the
user's language; messages name the instance and the command, never a webhook id.
"""

from odoo.tools.translate import LazyTranslate

from .command_client import CODE_BAD_ANSWER, CODE_UNREACHABLE
from .signing import (
    CODE_IMAGE_TOO_LARGE,
    CODE_INVALID,
    CODE_NOT_ALLOWED,
    CODE_SERVICE_FAILED,
    CODE_STALE_TIMESTAMP,
    CODE_TIMEOUT,
    CODE_TOO_LARGE,
    CODE_TOO_MANY_REQUESTS,
    CODE_UNAUTHORIZED,
    CODE_UNKNOWN_SERVICE,
    CODE_UNSUPPORTED_VERSION,
    TIMESTAMP_WINDOW_SECONDS,
)

_lt = LazyTranslate(__name__)


def error_message(instance_name, address, subject, answer, command_type="call_service"):
    """Why `answer` is a failure, as a lazy translation naming the instance and the command.

    `address` says where commands go without revealing a webhook id (`_address_label`).
    """
    context = {"instance": instance_name, "subject": subject}
    if answer.code == CODE_STALE_TIMESTAMP:
        return clock_message(instance_name, answer.clock_offset_seconds)
    details = answer.message or ""
    if answer.code == CODE_NOT_ALLOWED and command_type == "update_registry":
        return _lt(
            "Home Assistant “%(instance)s” does not allow Odoo to edit its registry. A Home "
            "Assistant administrator can allow it in the Odoo integration's options (“Allow "
            "Odoo to rename and re-area”). Home Assistant says: %(details)s",
            details=details,
            **context,
        )
    if answer.code == CODE_NOT_ALLOWED and command_type == "camera_snapshot":
        return _lt(
            "Home Assistant “%(instance)s” does not give Odoo this camera's images. A Home "
            "Assistant administrator can allow it in the Odoo integration's options (“Allow "
            "Odoo to fetch camera snapshots”) and export the camera. Home Assistant says: "
            "%(details)s",
            details=details,
            **context,
        )
    messages = {
        CODE_IMAGE_TOO_LARGE: _lt(
            "The camera's image is too large to send to Odoo (at most 2 MiB). Home Assistant "
            "says: %(details)s",
            details=details,
        ),
        CODE_UNREACHABLE: _lt(
            "Home Assistant “%(instance)s” cannot be reached at %(address)s. Check that it "
            "is running and that Odoo can reach that address.",
            address=address,
            **context,
        ),
        CODE_TIMEOUT: _lt(
            "Home Assistant “%(instance)s” did not finish %(subject)s in time. It may still "
            "complete: check the device's state before trying again.",
            **context,
        ),
        CODE_TOO_LARGE: _lt(
            "The command is too large for Home Assistant (at most 1 MiB).",
        ),
        CODE_BAD_ANSWER: _lt(
            "Home Assistant “%(instance)s” did not answer like the Odoo integration "
            "(HTTP status %(status)s). The integration may be disabled or removed there, "
            "or its webhook changed: pair Home Assistant again.",
            status=answer.http_status or "-",
            **context,
        ),
        CODE_UNAUTHORIZED: _lt(
            "Home Assistant “%(instance)s” refused the command's signature. Pair it again "
            "(in Home Assistant: Settings > Devices & services > Odoo > Reconfigure) and "
            "check that both computers' clocks are right.",
            **context,
        ),
        CODE_NOT_ALLOWED: _lt(
            "Home Assistant “%(instance)s” does not allow Odoo to call %(subject)s. A Home "
            "Assistant administrator can allow it in the Odoo integration's options "
            "(“Services Odoo may call”). Home Assistant says: %(details)s",
            details=details,
            **context,
        ),
        CODE_INVALID: _lt(
            "Home Assistant “%(instance)s” refused the data of %(subject)s: %(details)s",
            details=details,
            **context,
        ),
        CODE_UNSUPPORTED_VERSION: _lt(
            "Home Assistant “%(instance)s” speaks another protocol version: update the Odoo "
            "integration in Home Assistant and this module. Home Assistant says: %(details)s",
            details=details,
            **context,
        ),
        CODE_UNKNOWN_SERVICE: _lt(
            "Home Assistant “%(instance)s” has no service %(subject)s (is the integration "
            "providing it loaded?).",
            **context,
        ),
        CODE_TOO_MANY_REQUESTS: _lt(
            "Home Assistant “%(instance)s” is receiving too many commands; try again in a moment.",
            **context,
        ),
        CODE_SERVICE_FAILED: _lt(
            "%(subject)s failed in Home Assistant “%(instance)s”: %(details)s",
            details=details,
            **context,
        ),
    }
    return messages.get(answer.code) or _lt(
        "Home Assistant “%(instance)s” refused %(subject)s (%(code)s): %(details)s",
        code=answer.code,
        details=details,
        **context,
    )


def clock_message(instance_name, offset):
    """Why Home Assistant refused a command's timestamp, naming the clocks' difference."""
    context = {"instance": instance_name, "window": TIMESTAMP_WINDOW_SECONDS}
    if offset is None:
        return _lt(
            "The clocks of Odoo and Home Assistant “%(instance)s” differ by more than "
            "%(window)s seconds, so Home Assistant refused the command. Set both "
            "computers' clocks right (e.g. with NTP) and try again.",
            **context,
        )
    if offset > 0:
        return _lt(
            "The clocks of Odoo and Home Assistant “%(instance)s” differ: Home Assistant's "
            "clock is %(seconds)s seconds ahead of Odoo's, and it refuses commands more "
            "than %(window)s seconds away from its own time. Set both computers' clocks "
            "right (e.g. with NTP) and try again.",
            seconds=offset,
            **context,
        )
    return _lt(
        "The clocks of Odoo and Home Assistant “%(instance)s” differ: Home Assistant's "
        "clock is %(seconds)s seconds behind Odoo's, and it refuses commands more than "
        "%(window)s seconds away from its own time. Set both computers' clocks right "
        "(e.g. with NTP) and try again.",
        seconds=-offset,
        **context,
    )
