"""The Odoo integration: streams states to Odoo in signed batches and runs Odoo's commands."""

import logging
from functools import partial
from http import HTTPStatus
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from . import (
    business_commands,  # noqa: F401 - registers fire_event and figures
    camera_commands,  # noqa: F401 - registers camera_snapshot
    registry_commands,  # noqa: F401 - registers update_registry
)
from .cloudhook import async_delete_command_url
from .commands import async_handle_command
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_DATABASE,
    CONF_HA_UUID,
    CONF_PUSH_URL,
    CONF_SECRET,
    CONF_USER_ID,
    CONF_WEBHOOK_ID,
    DOMAIN,
    ISSUE_CLOCK_SKEW,
    ISSUE_INSTANCE_REMOVED,
    ISSUE_OUTBOX_OVERFLOW,
)
from .entry_effects import async_apply_effect, async_clear_issues
from .figures import FigureBook
from .odoo_client import entry_rpc_client
from .outbox import Outbox
from .outbox_settings import settings_from_options
from .push_client import PushClient
from .rpc import OdooError
from .runtime import DATA_OWN_ENTITIES, OdooConfigEntry, OdooRuntime
from .services import async_setup_services
from .system_user import async_get_or_create_user, async_remove_user
from .webhook import CommandWebhook, async_forget_nonces

_LOGGER = logging.getLogger(__name__)

PLATFORMS = [Platform.BINARY_SENSOR, Platform.SENSOR]
# Pairing data a running entry cannot take over in place: the webhook it registered, whom it
# pairs as, the user its commands run as, its cloudhook.
RELOAD_KEYS = (CONF_WEBHOOK_ID, CONF_HA_UUID, CONF_USER_ID, CONF_CLOUDHOOK_URL)
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's services."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OdooConfigEntry) -> bool:
    """Start streaming to a paired Odoo database."""
    # A new attempt: if Odoo still refuses the pairing, the first push raises the issue again.
    async_clear_issues(hass, entry.entry_id, ISSUE_INSTANCE_REMOVED, ISSUE_CLOCK_SKEW)
    user_id = await async_get_or_create_user(hass, entry.data.get(CONF_USER_ID))
    if user_id != entry.data.get(CONF_USER_ID):
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_USER_ID: user_id})
    client = _push_client(hass, entry)
    own_entities = hass.data.setdefault(DATA_OWN_ENTITIES, set())
    outbox = Outbox(
        hass,
        entry,
        client,
        settings_from_options(entry.options),
        own_entities,
        partial(async_apply_effect, hass, entry),
    )
    await outbox.async_load()
    figures = FigureBook(hass, entry.entry_id)
    await figures.async_load()
    command_webhook = CommandWebhook(
        hass,
        entry.data[CONF_SECRET],
        entry.data[CONF_WEBHOOK_ID],
        partial(_async_dispatch, hass, entry),
    )
    entry.runtime_data = OdooRuntime(
        outbox=outbox,
        figures=figures,
        command_webhook=command_webhook,
        user_id=user_id,
        pairing=dict(entry.data),
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    outbox.async_start()
    entry.async_on_unload(outbox.async_stop)
    command_webhook.async_register(f"Odoo {entry.title}")
    entry.async_on_unload(command_webhook.async_unregister)
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


def _push_client(hass: HomeAssistant, entry: OdooConfigEntry) -> PushClient:
    """The push client of the pairing `entry` holds now."""
    data = entry.data
    return PushClient(hass, data[CONF_PUSH_URL], data[CONF_SECRET], data[CONF_DATABASE])


async def _async_dispatch(
    hass: HomeAssistant, entry: OdooConfigEntry, command: dict[str, Any]
) -> tuple[HTTPStatus, dict[str, Any]]:
    """Run an authenticated command with the entry's current options."""
    runtime = entry.runtime_data
    return await async_handle_command(hass, entry, runtime.outbox, runtime.user_id, command)


async def _async_entry_updated(hass: HomeAssistant, entry: OdooConfigEntry) -> None:
    """Apply a renewed pairing (re-auth, reconfigure) and new options in place.

    The config flows leave this to the listener, as Home Assistant asks of an integration
    with one. In place, the stream goes on: a reload would miss the state changes made while
    it runs. Only a changed webhook or identity, or a sender that halted, needs a reload.
    """
    runtime = entry.runtime_data
    if entry.data != runtime.pairing:
        renewable = all(runtime.pairing.get(key) == entry.data.get(key) for key in RELOAD_KEYS)
        client = _push_client(hass, entry)
        if not renewable or not runtime.outbox.async_renew_pairing(client):
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        runtime.command_webhook.renew_secret(entry.data[CONF_SECRET])
        runtime.pairing = dict(entry.data)
    runtime.outbox.async_update_settings(settings_from_options(entry.options))


async def async_unload_entry(hass: HomeAssistant, entry: OdooConfigEntry) -> bool:
    """Stop streaming; the outbox is saved by its unload callback."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: OdooConfigEntry) -> None:
    """Tell Odoo the pairing is gone (best effort); delete the outbox, figures, user, cloudhook."""
    data = entry.data
    try:
        await entry_rpc_client(hass, data).async_unpair(data[CONF_HA_UUID])
    except OdooError as err:
        _LOGGER.warning(
            "Could not unpair from Odoo database %s (%s); archive the instance in Odoo",
            data[CONF_DATABASE],
            type(err).__name__,
        )
    await Outbox.async_remove_store(hass, entry.entry_id)
    await FigureBook.async_remove_store(hass, entry.entry_id)
    await async_remove_user(hass, data.get(CONF_USER_ID))
    async_forget_nonces(hass, data[CONF_WEBHOOK_ID])
    if data.get(CONF_CLOUDHOOK_URL):
        await async_delete_command_url(hass, data[CONF_WEBHOOK_ID])
    async_clear_issues(
        hass, entry.entry_id, ISSUE_INSTANCE_REMOVED, ISSUE_OUTBOX_OVERFLOW, ISSUE_CLOCK_SKEW
    )
