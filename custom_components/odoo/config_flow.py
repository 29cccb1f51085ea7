"""Config flow: pair with an Odoo database (docs/protocol.md §2), re-authenticate, and set options.

Steps: `user` (Odoo URL) → `credentials` (database, login, API key, URL of Home Assistant).
Re-authentication: `reauth_confirm` (login, API key) pairs again with a fresh secret.
Reconfiguration: `reconfigure` (Odoo URL, URL of Home Assistant) pairs again at new URLs.
"""

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import probatio as vol
from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers import instance_id
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.selector import (
    AreaSelector,
    AreaSelectorConfig,
    BooleanSelector,
    DeviceSelector,
    DeviceSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    FloorSelector,
    FloorSelectorConfig,
    LabelSelector,
    LabelSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .cloudhook import async_delete_command_url
from .const import (
    CONF_ALLOW_CAMERA_SNAPSHOTS,
    CONF_ALLOW_REGISTRY_EDITS,
    CONF_ALLOWED_SERVICES,
    CONF_API_KEY,
    CONF_BUFFER_LIMIT,
    CONF_DATABASE,
    CONF_EXCLUDE_DOMAINS,
    CONF_EXCLUDE_ENTITIES,
    CONF_EXCLUDE_ENTITY_GLOBS,
    CONF_FLUSH_DELAY_MS,
    CONF_HA_URL,
    CONF_HA_UUID,
    CONF_HEARTBEAT_INTERVAL,
    CONF_INCLUDE_DOMAINS,
    CONF_INCLUDE_ENTITIES,
    CONF_INCLUDE_ENTITY_GLOBS,
    CONF_MAX_BATCH,
    CONF_SEND_ATTRIBUTES,
    CONF_URL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DEFAULT_ALLOWED_SERVICES,
    DEFAULT_BUFFER_LIMIT,
    DEFAULT_FLUSH_DELAY_MS,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_MAX_BATCH,
    DEFAULT_SEND_ATTRIBUTES,
    DOMAIN,
    MAX_BATCH_EVENTS,
    REFUSED_DOMAINS,
)
from .odoo_client import normalize_url
from .odoo_web import async_list_databases
from .pairing import async_pair
from .rpc import InvalidUrl, OdooCredentials, OdooError
from .runtime import OdooConfigEntry

_LOGGER = logging.getLogger(__name__)

# `domain.service` or `domain.*`, as Home Assistant spells them.
SERVICE_PATTERN = re.compile(r"[a-z0-9_]+\.([a-z0-9_]+|\*)")
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def _valid_ha_url(url: str) -> bool:
    """Tell whether a URL of Home Assistant is an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class OdooConfigFlow(ConfigFlow, domain=DOMAIN):
    """Pair Home Assistant with an Odoo database."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing known about the server."""
        self._url = ""
        self._databases: list[str] | None = None
        # What the last pairing error names (the push URL tried, for `cannot_push`).
        self._placeholders: dict[str, str] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: OdooConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return OdooOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the Odoo URL and check that an Odoo server answers there."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                self._url = normalize_url(user_input[CONF_URL])
                self._databases = await async_list_databases(self.hass, self._url)
            except OdooError as err:
                errors[CONF_URL] = err.translation_key
            except Exception:
                _LOGGER.exception("Unexpected error while reaching Odoo")
                errors["base"] = "unknown"
            else:
                return await self.async_step_credentials()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_URL): URL}), user_input
            ),
            errors=errors,
        )

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for database, login, API key and Home Assistant's URL, then pair."""
        errors: dict[str, str] = {}
        if user_input is not None:
            database = user_input[CONF_DATABASE].strip()
            ha_url = user_input[CONF_HA_URL].strip().rstrip("/")
            uuid = await instance_id.async_get(self.hass)
            await self.async_set_unique_id(f"{self._url}|{database}|{uuid}")
            self._abort_if_unique_id_configured()
            if not _valid_ha_url(ha_url):
                errors[CONF_HA_URL] = "invalid_url"
            else:
                webhook_id = webhook.async_generate_id()
                pairing = await self._async_pair(
                    {**user_input, CONF_DATABASE: database}, uuid, ha_url, webhook_id, errors
                )
                if pairing is None:
                    # A cloudhook made for this attempt must not outlive it.
                    await async_delete_command_url(self.hass, webhook_id)
                else:
                    return self.async_create_entry(
                        title=f"{database} ({urlsplit(self._url).netloc})",
                        data={
                            CONF_URL: self._url,
                            CONF_DATABASE: database,
                            CONF_USERNAME: user_input[CONF_USERNAME],
                            CONF_API_KEY: user_input[CONF_API_KEY],
                            CONF_HA_URL: ha_url,
                            CONF_HA_UUID: uuid,
                            CONF_WEBHOOK_ID: webhook_id,
                            **pairing,
                        },
                    )
        return self.async_show_form(
            step_id="credentials",
            data_schema=self.add_suggested_values_to_schema(
                self._credentials_schema(), self._suggestions(user_input)
            ),
            errors=errors,
            description_placeholders={"url": self._url, **self._placeholders},
        )

    def _credentials_schema(self) -> vol.Schema:
        """Return the credentials form: a database dropdown when the server lists them."""
        database: SelectSelector | TextSelector = TextSelector()
        if self._databases:
            database = SelectSelector(
                SelectSelectorConfig(options=self._databases, mode=SelectSelectorMode.DROPDOWN)
            )
        return vol.Schema(
            {
                vol.Required(CONF_DATABASE): database,
                vol.Required(CONF_USERNAME): TextSelector(),
                vol.Required(CONF_API_KEY): PASSWORD,
                vol.Required(CONF_HA_URL): URL,
            }
        )

    def _suggestions(self, user_input: dict[str, Any] | None) -> dict[str, Any]:
        """Return what the form shows again: the user's input, never the API key."""
        if user_input is None:
            return {CONF_HA_URL: self._default_ha_url()}
        return {key: value for key, value in user_input.items() if key != CONF_API_KEY}

    def _default_ha_url(self) -> str:
        """Return Home Assistant's own URL from its network settings, if it has one."""
        try:
            return get_url(self.hass, allow_cloud=False)
        except NoURLAvailableError:
            return ""

    async def _async_pair(
        self,
        user_input: Mapping[str, Any],
        uuid: str,
        ha_url: str,
        webhook_id: str,
        errors: dict[str, str],
        entry: OdooConfigEntry | None = None,
    ) -> dict[str, Any] | None:
        """Pair as the user at the flow's Odoo URL; return the entry data, or None and errors.

        Pairing an `entry` that runs again holds its pushes meanwhile. They stay held when the
        pairing succeeds: a push signed with the old secret would be refused and start a
        re-authentication, and the entry reloads with the new one anyway.
        """
        credentials = OdooCredentials.from_entry_data({**user_input, CONF_URL: self._url})
        resume: CALLBACK_TYPE | None = None
        if entry is not None and entry.state is ConfigEntryState.LOADED:
            resume = await entry.runtime_data.outbox.async_pause_pushes()
        try:
            return await async_pair(self.hass, credentials, uuid, ha_url, webhook_id)
        except OdooError as err:
            errors["base"] = err.translation_key
            self._placeholders = err.placeholders
        except Exception:
            _LOGGER.exception("Unexpected error while pairing with Odoo")
            errors["base"] = "unknown"
        if resume is not None:
            resume()
        return None

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Odoo or Home Assistant moved: pair again at the new URLs with the same credentials."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            ha_url = user_input[CONF_HA_URL].strip().rstrip("/")
            try:
                self._url = normalize_url(user_input[CONF_URL])
            except InvalidUrl:
                errors[CONF_URL] = "invalid_url"
            if not _valid_ha_url(ha_url):
                errors[CONF_HA_URL] = "invalid_url"
            if not errors:
                database = entry.data[CONF_DATABASE]
                uuid = entry.data[CONF_HA_UUID]
                await self.async_set_unique_id(f"{self._url}|{database}|{uuid}")
                # The entry's own id comes back when only Home Assistant's URL changed.
                if self.unique_id != entry.unique_id:
                    self._abort_if_unique_id_configured()
                pairing = await self._async_pair(
                    entry.data, uuid, ha_url, entry.data[CONF_WEBHOOK_ID], errors, entry
                )
                if pairing is not None:
                    return self._async_update_and_abort(
                        entry,
                        unique_id=self.unique_id,
                        title=f"{database} ({urlsplit(self._url).netloc})",
                        data_updates={CONF_URL: self._url, CONF_HA_URL: ha_url, **pairing},
                    )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_URL): URL, vol.Required(CONF_HA_URL): URL}),
                user_input or entry.data,
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Odoo refused the pairing's pushes: ask for credentials again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pair again with a new API key, rotating the shared secret."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            self._url = entry.data[CONF_URL]
            pairing = await self._async_pair(
                {**entry.data, **user_input},
                entry.data[CONF_HA_UUID],
                entry.data[CONF_HA_URL],
                entry.data[CONF_WEBHOOK_ID],
                errors,
                entry,
            )
            if pairing is not None:
                return self._async_update_and_abort(
                    entry,
                    data_updates={
                        CONF_USERNAME: user_input[CONF_USERNAME],
                        CONF_API_KEY: user_input[CONF_API_KEY],
                        **pairing,
                    },
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_USERNAME): TextSelector(),
                        vol.Required(CONF_API_KEY): PASSWORD,
                    }
                ),
                {CONF_USERNAME: entry.data[CONF_USERNAME]},
            ),
            errors=errors,
            description_placeholders={"title": entry.title, **self._placeholders},
        )

    def _async_update_and_abort(self, entry: OdooConfigEntry, **changes: Any) -> ConfigFlowResult:
        """Store the renewed pairing and finish; the entry's update listener reloads it.

        An entry that is not loaded has no listener, so it is reloaded here. Asked before the
        update: the listener runs at once, and the reload it starts removes the listener.
        """
        listening = bool(entry.update_listeners)
        result = self.async_update_and_abort(entry, **changes)
        if not listening:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return result


class OdooOptionsFlow(OptionsFlow):
    """Choose what is exported and how it is batched."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options form."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if refused := _refused_services(user_input.get(CONF_ALLOWED_SERVICES, [])):
                errors[CONF_ALLOWED_SERVICES] = refused
            else:
                return self.async_create_entry(data=user_input)
        services = {
            f"{domain}.{service}"
            for domain, names in self.hass.services.async_services().items()
            if domain not in REFUSED_DOMAINS
            for service in names
        }
        service_selector = SelectSelector(
            SelectSelectorConfig(
                options=sorted(services | set(DEFAULT_ALLOWED_SERVICES)),
                multiple=True,
                custom_value=True,
            )
        )
        domains = sorted({state.domain for state in self.hass.states.async_all()})
        domain_selector = SelectSelector(
            SelectSelectorConfig(options=domains, multiple=True, custom_value=True, sort=True)
        )
        entity_selector = EntitySelector(EntitySelectorConfig(multiple=True))
        glob_selector = TextSelector(TextSelectorConfig(multiple=True))
        label_selector = LabelSelector(LabelSelectorConfig(multiple=True))
        area_selector = AreaSelector(AreaSelectorConfig(multiple=True))
        floor_selector = FloorSelector(FloorSelectorConfig(multiple=True))
        device_selector = DeviceSelector(DeviceSelectorConfig(multiple=True))
        schema = vol.Schema(
            {
                vol.Optional(CONF_INCLUDE_DOMAINS, default=[]): domain_selector,
                vol.Optional(CONF_INCLUDE_ENTITIES, default=[]): entity_selector,
                vol.Optional(CONF_INCLUDE_ENTITY_GLOBS, default=[]): glob_selector,
                vol.Optional("include_labels", default=[]): label_selector,
                vol.Optional("include_areas", default=[]): area_selector,
                vol.Optional("include_floors", default=[]): floor_selector,
                vol.Optional("include_devices", default=[]): device_selector,
                vol.Optional(CONF_EXCLUDE_DOMAINS, default=[]): domain_selector,
                vol.Optional(CONF_EXCLUDE_ENTITIES, default=[]): entity_selector,
                vol.Optional(CONF_EXCLUDE_ENTITY_GLOBS, default=[]): glob_selector,
                vol.Optional("exclude_labels", default=[]): label_selector,
                vol.Optional("exclude_areas", default=[]): area_selector,
                vol.Optional("exclude_floors", default=[]): floor_selector,
                vol.Optional("exclude_devices", default=[]): device_selector,
                vol.Required(CONF_FLUSH_DELAY_MS, default=DEFAULT_FLUSH_DELAY_MS): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=10000,
                        step=10,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="ms",
                    )
                ),
                vol.Required(CONF_MAX_BATCH, default=DEFAULT_MAX_BATCH): vol.All(
                    NumberSelector(
                        NumberSelectorConfig(
                            min=1, max=MAX_BATCH_EVENTS, step=1, mode=NumberSelectorMode.BOX
                        )
                    ),
                    vol.Coerce(int),
                ),
                vol.Required(
                    CONF_HEARTBEAT_INTERVAL, default=DEFAULT_HEARTBEAT_INTERVAL
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=5,
                        max=3600,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
                vol.Required(
                    CONF_SEND_ATTRIBUTES, default=DEFAULT_SEND_ATTRIBUTES
                ): BooleanSelector(),
                vol.Required(CONF_BUFFER_LIMIT, default=DEFAULT_BUFFER_LIMIT): vol.All(
                    NumberSelector(
                        NumberSelectorConfig(
                            min=1000, max=2_000_000, step=1000, mode=NumberSelectorMode.BOX
                        )
                    ),
                    vol.Coerce(int),
                ),
                vol.Required(
                    CONF_ALLOWED_SERVICES, default=list(DEFAULT_ALLOWED_SERVICES)
                ): service_selector,
                vol.Required(CONF_ALLOW_REGISTRY_EDITS, default=False): BooleanSelector(),
                vol.Required(CONF_ALLOW_CAMERA_SNAPSHOTS, default=False): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )


def _refused_services(entries: list[str]) -> str | None:
    """Return the error key of an allow-list naming malformed or forbidden services."""
    for entry in entries:
        if not SERVICE_PATTERN.fullmatch(entry):
            return "invalid_service"
        if entry.split(".", 1)[0] in REFUSED_DOMAINS:
            return "refused_service"
    return None
