"""The commands Odoo sends (docs/protocol.md §4): a registry of type → handler and schema.

`async_handle_command` checks the envelope, runs the handler, fires `odoo_command_received`
with the outcome, and returns the status and body to answer.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import Context, HomeAssistant, ServiceResponse
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceNotFound,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.decorator import Registry
from probatio.humanize import humanize_error

from .const import (
    COMMAND_TIMEOUT,
    CONF_ALLOWED_SERVICES,
    DEFAULT_ALLOWED_SERVICES,
    DOMAIN,
    ERROR_INVALID,
    ERROR_NOT_ALLOWED,
    ERROR_SERVICE_FAILED,
    ERROR_TIMEOUT,
    ERROR_UNKNOWN_SERVICE,
    ERROR_UNSUPPORTED_VERSION,
    EVENT_COMMAND_RECEIVED,
    HISTORY_MAX_ENTITIES,
    HISTORY_MAX_RANGE,
    PROTOCOL_VERSION,
    REFUSED_DOMAINS,
)
from .history import async_backfill, recorder_running
from .outbox import Outbox
from .targets import SERVICE_TARGET_SCHEMA, TargetRefused, check_target, target_fields

if TYPE_CHECKING:
    from .runtime import OdooConfigEntry

_LOGGER = logging.getLogger(__name__)

TARGET_SCHEMA = vol.Schema(cv.TARGET_FIELDS)


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """What a handler needs: the pairing it came through and the context it acts in."""

    hass: HomeAssistant
    entry: OdooConfigEntry
    outbox: Outbox
    context: Context


class CommandRefused(Exception):
    """A command is answered with an error (docs/protocol.md §4)."""

    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        """Remember the answer."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


type CommandBody = dict[str, Any]
type CommandHandler = Callable[
    [CommandRequest, CommandBody], Awaitable[tuple[HTTPStatus, CommandBody]]
]

COMMANDS: Registry[str, CommandHandler] = Registry()

ENVELOPE_SCHEMA = vol.Schema(
    {
        vol.Required("v"): int,
        vol.Required("id"): str,
        vol.Required("type"): vol.In(COMMANDS),
        vol.Optional("user", default={}): vol.Schema(
            {vol.Optional("login"): vol.Any(str, None), vol.Optional("name"): vol.Any(str, None)},
            extra=vol.ALLOW_EXTRA,
        ),
    },
    extra=vol.ALLOW_EXTRA,
)


def allowed_services(options: Mapping[str, Any]) -> frozenset[str]:
    """Return the allow-list of the options: `domain.service` and `domain.*` entries."""
    return frozenset(options.get(CONF_ALLOWED_SERVICES, DEFAULT_ALLOWED_SERVICES))


def is_allowed(domain: str, service: str, allowed: frozenset[str]) -> bool:
    """Tell whether Odoo may call a service."""
    if domain in REFUSED_DOMAINS:
        return False
    return f"{domain}.{service}" in allowed or f"{domain}.*" in allowed


def invalid(message: str) -> CommandRefused:
    """Return the refusal of a command that breaks its schema."""
    return CommandRefused(HTTPStatus.BAD_REQUEST, ERROR_INVALID, message)


def not_allowed(message: str) -> CommandRefused:
    """Return the refusal of a command Odoo may not send (an option off, an unexported target)."""
    return CommandRefused(HTTPStatus.FORBIDDEN, ERROR_NOT_ALLOWED, message)


def require_option(request: CommandRequest, option: str, refusal: str) -> None:
    """Refuse the command with `refusal` unless the HA admin turned `option` on (off by
    default)."""
    if not request.entry.options.get(option, False):
        raise not_allowed(refusal)


def validated(schema: vol.Schema, command: CommandBody) -> CommandBody:
    """Return `command` validated by `schema`; raise the refusal naming what is wrong."""
    try:
        result: CommandBody = schema(command)
    except vol.Invalid as err:
        raise invalid(humanize_error(command, err)) from err
    return result


def with_schema(
    schema: dict[Any, Any],
) -> Callable[[CommandHandler], CommandHandler]:
    """Decorate a handler so it receives its command validated by `schema`."""
    validator = vol.Schema(schema, extra=vol.ALLOW_EXTRA)

    def decorate(handler: CommandHandler) -> CommandHandler:
        """Wrap the handler with the validation."""

        @wraps(handler)
        async def validate_and_run(
            request: CommandRequest, command: CommandBody
        ) -> tuple[HTTPStatus, CommandBody]:
            """Validate, then run."""
            return await handler(request, validated(validator, command))

        return validate_and_run

    return decorate


# Odoo sends figures every few seconds while its records change, and each announcement is a
# logbook line; the figure sensors' own history records them. A refused one is announced.
UNANNOUNCED_WHEN_DELIVERED = frozenset({"figures"})


async def async_handle_command(
    hass: HomeAssistant,
    entry: OdooConfigEntry,
    outbox: Outbox,
    user_id: str,
    command: CommandBody,
) -> tuple[HTTPStatus, CommandBody]:
    """Run an authenticated command; return the status and JSON body of the answer."""
    context = Context(user_id=user_id)
    try:
        status, body = await _async_run(CommandRequest(hass, entry, outbox, context), command)
        result = "ok"
    except CommandRefused as err:
        status = err.status
        body = {"ok": False, "error": {"code": err.code, "message": err.message}}
        result = err.code
    if result == "ok" and command.get("type") in UNANNOUNCED_WHEN_DELIVERED:
        return status, body
    user = command.get("user")
    if not isinstance(user, dict):
        user = {}
    hass.bus.async_fire(
        EVENT_COMMAND_RECEIVED,
        {
            "config_entry_id": entry.entry_id,
            "command_id": _text(command.get("id")),
            "type": _text(command.get("type")),
            "domain": _text(command.get("domain")),
            "service": _text(command.get("service")),
            "target": _target(command.get("target", _top_level_target(command))),
            "event_type": _text(command.get("event_type")),
            "user_login": _text(user.get("login")),
            "user_name": _text(user.get("name")),
            "status": int(status),
            "result": result,
        },
        context=context,
    )
    return status, body


def _target(value: Any) -> dict[str, list[str]] | None:
    """Return a command's target for the event in its list form, or None when malformed."""
    try:
        target: dict[str, list[str]] = TARGET_SCHEMA(value)
    except vol.Invalid:
        return None
    return target


# Commands that name their entity (or device) at the top level rather than in a target.
TOP_LEVEL_TARGETS = frozenset({"update_registry", "camera_snapshot"})


def _top_level_target(command: CommandBody) -> dict[str, Any] | None:
    """Return what an `update_registry` or `camera_snapshot` names, as a target; else None."""
    named = {key: command[key] for key in ("entity_id", "device_id") if key in command}
    return named if command.get("type") in TOP_LEVEL_TARGETS and named else None


def _text(value: Any) -> str | None:
    """Return a command field for the event when it is text, else None."""
    return value if isinstance(value, str) else None


async def _async_run(
    request: CommandRequest, command: CommandBody
) -> tuple[HTTPStatus, CommandBody]:
    """Check the envelope and run the command's handler."""
    version = command.get("v")
    if isinstance(version, int) and version != PROTOCOL_VERSION:
        raise CommandRefused(
            HTTPStatus.BAD_REQUEST,
            ERROR_UNSUPPORTED_VERSION,
            f"This Home Assistant speaks protocol version {PROTOCOL_VERSION}.",
        )
    try:
        envelope = ENVELOPE_SCHEMA(command)
    except vol.Invalid as err:
        raise invalid(humanize_error(command, err)) from err
    return await COMMANDS[envelope["type"]](request, envelope)


@COMMANDS.register("call_service")
@with_schema(
    {
        vol.Required("domain"): cv.string,
        vol.Required("service"): cv.string,
        vol.Optional("target", default={}): vol.Any(None, SERVICE_TARGET_SCHEMA),
        vol.Optional("data", default={}): vol.Any(None, dict),
        vol.Optional("return_response", default=False): bool,
    }
)
async def _call_service(
    request: CommandRequest, command: CommandBody
) -> tuple[HTTPStatus, CommandBody]:
    """Call a Home Assistant service in the integration's user context."""
    hass = request.hass
    domain, service = command["domain"].lower(), command["service"].lower()
    if not is_allowed(domain, service, allowed_services(request.entry.options)):
        raise CommandRefused(
            HTTPStatus.FORBIDDEN,
            ERROR_NOT_ALLOWED,
            f"Odoo may not call {domain}.{service}; allow it in the options of the Odoo "
            "integration in Home Assistant (Allowed services).",
        )
    _check_reach(request, command["data"] or {}, command["target"] or {})
    if not hass.services.has_service(domain, service):
        raise CommandRefused(
            HTTPStatus.NOT_FOUND,
            ERROR_UNKNOWN_SERVICE,
            f"Home Assistant has no {domain}.{service}.",
        )
    # Shielded like Home Assistant's REST API: a service that outlasts the answer keeps running.
    task = hass.async_create_task(
        hass.services.async_call(
            domain,
            service,
            command["data"] or {},
            blocking=True,
            context=request.context,
            target=command["target"] or None,
            return_response=command["return_response"],
        ),
        f"{DOMAIN} command {domain}.{service}",
        eager_start=True,
    )
    done, _pending = await asyncio.wait({task}, timeout=COMMAND_TIMEOUT)
    if not done:
        task.add_done_callback(_log_late_outcome)
        raise CommandRefused(
            HTTPStatus.GATEWAY_TIMEOUT,
            ERROR_TIMEOUT,
            f"{domain}.{service} did not finish within {COMMAND_TIMEOUT:g} s; it keeps running.",
        )
    response = _service_outcome(task, domain, service)
    return HTTPStatus.OK, {"ok": True, "id": command["id"], "response": response}


def _check_reach(request: CommandRequest, data: dict[str, Any], target: dict[str, Any]) -> None:
    """Refuse a call reaching an entity outside the export, as its target and data name them.

    Home Assistant merges the data into the target, the target winning (`async_call`).
    """
    try:
        merged = {**target_fields(data), **target}
    except vol.Invalid as err:
        raise invalid(humanize_error(data, err)) from err
    try:
        check_target(request.hass, merged, request.outbox.is_exported_entity)
    except TargetRefused as err:
        raise CommandRefused(HTTPStatus.FORBIDDEN, ERROR_NOT_ALLOWED, str(err)) from err


def _service_outcome(
    task: asyncio.Task[ServiceResponse], domain: str, service: str
) -> ServiceResponse:
    """Return a finished service call's response, or the refusal its exception maps to."""
    try:
        return task.result()
    except ServiceNotFound as err:
        raise CommandRefused(
            HTTPStatus.NOT_FOUND,
            ERROR_UNKNOWN_SERVICE,
            f"Home Assistant has no {domain}.{service}.",
        ) from err
    # After ServiceNotFound, which is a ServiceValidationError too.
    except (vol.Invalid, ServiceValidationError) as err:
        raise invalid(str(err) or type(err).__name__) from err
    except Unauthorized as err:
        raise CommandRefused(
            HTTPStatus.FORBIDDEN,
            ERROR_NOT_ALLOWED,
            f"The Odoo user of Home Assistant may not call {domain}.{service}.",
        ) from err
    except HomeAssistantError as err:
        raise CommandRefused(
            HTTPStatus.INTERNAL_SERVER_ERROR, ERROR_SERVICE_FAILED, str(err) or type(err).__name__
        ) from err
    except Exception as err:
        _LOGGER.exception("Odoo's call of %s.%s failed", domain, service)
        raise CommandRefused(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            ERROR_SERVICE_FAILED,
            f"{domain}.{service} failed unexpectedly: {type(err).__name__}.",
        ) from err


def _log_late_outcome(task: asyncio.Task[ServiceResponse]) -> None:
    """Collect the outcome of a service call that outlasted its answer."""
    if not task.cancelled() and (err := task.exception()) is not None:
        _LOGGER.warning("A service call from Odoo failed after its answer timed out: %s", err)


@COMMANDS.register("resync")
async def _resync(request: CommandRequest, command: CommandBody) -> tuple[HTTPStatus, CommandBody]:
    """Queue a full snapshot (states and registries); a `scope` older addons send is ignored."""
    request.outbox.async_request_snapshot()
    return HTTPStatus.ACCEPTED, {"ok": True, "id": command["id"]}


@COMMANDS.register("ping")
async def _ping(request: CommandRequest, command: CommandBody) -> tuple[HTTPStatus, CommandBody]:
    """Answer with Home Assistant's version, its clock and the outbox size."""
    return HTTPStatus.OK, {
        "ok": True,
        "id": command["id"],
        "ha_version": HA_VERSION,
        "time": dt_util.utcnow().isoformat(),
        "outbox": request.outbox.pending,
    }


@COMMANDS.register("history")
@with_schema(
    {
        vol.Required("entity_ids"): vol.All(
            cv.ensure_list, [cv.entity_id], vol.Length(min=1, max=HISTORY_MAX_ENTITIES)
        ),
        vol.Required("start"): cv.datetime,
        vol.Required("end"): cv.datetime,
    }
)
async def _history(request: CommandRequest, command: CommandBody) -> tuple[HTTPStatus, CommandBody]:
    """Start pushing recorded states of a time range (history backfill)."""
    start, end = _utc(command["start"]), _utc(command["end"])
    if start >= end:
        raise invalid("start must be before end.")
    if end - start > HISTORY_MAX_RANGE:
        raise invalid(f"A history range spans at most {HISTORY_MAX_RANGE.days} days.")
    if not recorder_running(request.hass):
        raise CommandRefused(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            ERROR_SERVICE_FAILED,
            "Home Assistant's recorder is not running: there is no history to send.",
        )
    # Tied to the entry: unloading it cancels a backfill still reading the recorder.
    request.entry.async_create_background_task(
        request.hass,
        async_backfill(request.hass, request.outbox, command["entity_ids"], start, end),
        f"{DOMAIN} history backfill",
    )
    return HTTPStatus.ACCEPTED, {"ok": True, "id": command["id"]}


def _utc(value: datetime) -> datetime:
    """Return a datetime in UTC; a time without zone is read as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt_util.UTC)
    return dt_util.as_utc(value)
