"""What a loaded pairing holds while it runs, and the config entry type that carries it."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .figures import FigureBook
from .outbox import Outbox
from .webhook import CommandWebhook

# Entity ids of this integration's own entities (status and figure sensors), never exported:
# exporting them would feed back (a push changes "events sent", which is a state change to push,
# and so on; a figure came from Odoo in the first place).
DATA_OWN_ENTITIES: HassKey[set[str]] = HassKey(f"{DOMAIN}_own_entities")


@dataclass(slots=True)
class OdooRuntime:
    """What a loaded pairing holds while it runs."""

    outbox: Outbox
    figures: FigureBook
    command_webhook: CommandWebhook
    user_id: str
    # The pairing the entry runs with: when the entry's data differs, it is renewed in place
    # or, when its webhook or identity changed, reloaded.
    pairing: Mapping[str, Any]


type OdooConfigEntry = ConfigEntry[OdooRuntime]
