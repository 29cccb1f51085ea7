"""Odoo's external API as the integration uses it: credentials, errors, and the client interface.

Two transports implement `OdooRpc`: `rpc_jsonrpc` (odoorpc over `/jsonrpc`, Odoo 18) and
`rpc_json2` (Odoo 19's JSON-2 API over Home Assistant's aiohttp session).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .const import CONF_API_KEY, CONF_DATABASE, CONF_URL, CONF_USERNAME

PAIRING_MODEL = "ha.instance"
RPC_TIMEOUT = 20
# Odoo's exceptions for a call the user got wrong (as opposed to a server failure); JSON-2
# answers an unknown model or method with NotFound and wrong arguments with UnprocessableEntity.
USER_ERRORS = (
    "UserError",
    "ValidationError",
    "AccessError",
    "MissingError",
    "RedirectWarning",
    "NotFound",
    "UnprocessableEntity",
)


@dataclass(frozen=True, slots=True)
class OdooCredentials:
    """Where and as whom the integration calls Odoo."""

    url: str
    database: str
    username: str
    api_key: str = field(repr=False)

    @classmethod
    def from_entry_data(cls, data: Mapping[str, Any]) -> OdooCredentials:
        """Return the credentials a config entry (or a flow's input) holds."""
        return cls(data[CONF_URL], data[CONF_DATABASE], data[CONF_USERNAME], data[CONF_API_KEY])


class OdooError(Exception):
    """Base class of the errors a call to Odoo reports; `translation_key` names it in the UI."""

    translation_key = "cannot_connect"

    @property
    def placeholders(self) -> dict[str, str]:
        """Return the values the translated message names."""
        return {}


class InvalidUrl(OdooError):
    """The URL is not an http(s) URL of a server root."""

    translation_key = "invalid_url"


class CannotConnect(OdooError):
    """The server cannot be reached or is not an Odoo server."""


class UnknownDatabase(OdooError):
    """The database does not exist on the server."""

    translation_key = "unknown_database"


class InvalidAuth(OdooError):
    """The login or API key is wrong."""

    translation_key = "invalid_auth"


class ApiKeyRequired(InvalidAuth):
    """A password was given where the server takes only API keys (JSON-2)."""

    translation_key = "api_key_required"


class AddonNotInstalled(OdooError):
    """The Home Assistant addon is not installed in the database."""

    translation_key = "addon_not_installed"


class NotHaAdmin(OdooError):
    """The user is not in the group Home Assistant / Administrator."""

    translation_key = "not_ha_admin"


class OdooRefused(OdooError):
    """Odoo ran a method call and raised; `name` is Odoo's exception class."""

    def __init__(self, name: str, message: str) -> None:
        """Remember Odoo's exception class and message."""
        super().__init__(message)
        self.name = name
        self.message = message


class ArgumentsByName(OdooError):
    """Positional arguments were given to a server that takes arguments by name only (JSON-2)."""

    translation_key = "arguments_by_name"


@dataclass(frozen=True, slots=True)
class PairingResult:
    """What the integration keeps of Odoo's answer to `ha.instance.ha_pair`."""

    push_url: str


def pairing_result(result: Any) -> PairingResult:
    """Read `ha_pair`'s answer, or raise CannotConnect when it is not one."""
    if not isinstance(result, dict) or not result.get("push_url"):
        raise CannotConnect
    return PairingResult(push_url=str(result["push_url"]))


class OdooRpc(Protocol):
    """What the integration asks of Odoo, as the paired Odoo user, whatever the transport."""

    @property
    def transport(self) -> str:
        """Return the transport's name as stored in the entry (`jsonrpc` or `json2`)."""

    async def async_pair(self, values: dict[str, Any]) -> PairingResult:
        """Check the credentials and call `ha.instance.ha_pair(values)`."""

    async def async_unpair(self, uuid: str) -> None:
        """Call `ha.instance.ha_unpair(uuid)`."""

    async def async_call(
        self, model: str, method: str, ids: list[int], args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Run `model.method` on the records `ids` (none: on the model) and return its result."""

    async def async_create(self, model: str, values: dict[str, Any]) -> int:
        """Create one record and return its id."""
