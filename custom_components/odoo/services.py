"""Services: resync and flush the outbox; call Odoo methods and create records as the paired user.

`odoo.resync` and `odoo.flush` act on the outbox; `odoo.call_method` and `odoo.create_record`
run with the paired Odoo user's rights, over the transport the pairing chose (JSON-RPC on
Odoo 18, JSON-2 on Odoo 19).
"""

from collections.abc import Awaitable, Callable
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from .const import (
    ATTR_ARGS,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_IDS,
    ATTR_KWARGS,
    ATTR_METHOD,
    ATTR_MODEL,
    ATTR_VALUES,
    DOMAIN,
    SERVICE_CALL_METHOD,
    SERVICE_CREATE_RECORD,
    SERVICE_FLUSH,
    SERVICE_RESYNC,
)
from .odoo_client import entry_rpc_client
from .outbox import Outbox
from .rpc import USER_ERRORS, ArgumentsByName, InvalidAuth, OdooError, OdooRefused, OdooRpc
from .runtime import OdooConfigEntry

SERVICE_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
MODEL = vol.All(cv.string, vol.Match(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"))
# Odoo refuses private methods over RPC anyway; refusing them here gives a clear message.
METHOD = vol.All(cv.string, vol.Match(r"^[a-zA-Z][a-zA-Z0-9_]*$"))
CALL_METHOD_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_MODEL): MODEL,
        vol.Required(ATTR_METHOD): METHOD,
        vol.Optional(ATTR_IDS, default=list): [cv.positive_int],
        vol.Optional(ATTR_ARGS, default=list): list,
        vol.Optional(ATTR_KWARGS, default=dict): dict,
    }
)
CREATE_RECORD_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_MODEL): MODEL,
        vol.Required(ATTR_VALUES): dict,
    }
)


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> OdooConfigEntry:
    """Return a loaded entry of this integration, or raise a translated validation error."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_entry",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    return entry


def _target_outboxes(hass: HomeAssistant, call: ServiceCall) -> list[Outbox]:
    """Return the outboxes a call targets: one entry's, or every loaded entry's."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is not None:
        entries = [_loaded_entry(hass, entry_id)]
    else:
        entries = hass.config_entries.async_loaded_entries(DOMAIN)
    return [entry.runtime_data.outbox for entry in entries]


def _single_entry(hass: HomeAssistant, call: ServiceCall) -> OdooConfigEntry:
    """Return the entry a call targets: the one named, or the only loaded one."""
    if (entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID)) is not None:
        return _loaded_entry(hass, entry_id)
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    if len(entries) != 1:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="entry_required")
    return entries[0]


def _service_handler(
    hass: HomeAssistant, action: Callable[[Outbox], None]
) -> Callable[[ServiceCall], None]:
    """Build a handler applying `action` to the targeted outboxes."""

    @callback
    def handle(call: ServiceCall) -> None:
        """Apply the action."""
        for outbox in _target_outboxes(hass, call):
            action(outbox)

    return handle


async def _async_execute(
    hass: HomeAssistant,
    entry: OdooConfigEntry,
    model: str,
    method: str,
    action: Callable[[OdooRpc], Awaitable[Any]],
) -> Any:
    """Run `action` with the entry's Odoo client as the paired user; map failures to HA errors."""
    try:
        return await action(entry_rpc_client(hass, entry.data))
    except ArgumentsByName as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="arguments_by_name",
            translation_placeholders={"model": model, "method": method},
        ) from err
    except OdooRefused as err:
        placeholders = {"model": model, "method": method, "message": err.message}
        if err.name.endswith(USER_ERRORS):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="odoo_refused",
                translation_placeholders=placeholders,
            ) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="odoo_failed",
            translation_placeholders=placeholders,
        ) from err
    except InvalidAuth as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="auth_failed",
            translation_placeholders={"title": entry.title},
        ) from err
    except OdooError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"title": entry.title},
        ) from err


def _call_method_handler(hass: HomeAssistant) -> Callable[[ServiceCall], Any]:
    """Build the `odoo.call_method` handler."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        """Run the method and return its result."""
        entry = _single_entry(hass, call)
        model, method = call.data[ATTR_MODEL], call.data[ATTR_METHOD]
        result = await _async_execute(
            hass,
            entry,
            model,
            method,
            lambda client: client.async_call(
                model, method, call.data[ATTR_IDS], call.data[ATTR_ARGS], call.data[ATTR_KWARGS]
            ),
        )
        return {"result": result}

    return handle


def _create_record_handler(hass: HomeAssistant) -> Callable[[ServiceCall], Any]:
    """Build the `odoo.create_record` handler."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        """Create the record and return its id."""
        entry = _single_entry(hass, call)
        model = call.data[ATTR_MODEL]
        record_id = await _async_execute(
            hass,
            entry,
            model,
            "create",
            lambda client: client.async_create(model, call.data[ATTR_VALUES]),
        )
        return {"id": record_id}

    return handle


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_RESYNC,
        _service_handler(hass, Outbox.async_request_snapshot),
        schema=SERVICE_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_FLUSH,
        _service_handler(hass, Outbox.async_request_flush),
        schema=SERVICE_SCHEMA,
    )
    # Admin only: they act in Odoo with the paired user's rights, whoever calls them in HA.
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_CALL_METHOD,
        _call_method_handler(hass),
        schema=CALL_METHOD_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_CREATE_RECORD,
        _create_record_handler(hass),
        schema=CREATE_RECORD_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
