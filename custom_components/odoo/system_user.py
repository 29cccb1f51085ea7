"""The Home Assistant user Odoo's commands act as: a system user created with the pairing.

It belongs to the ordinary users' group, not to administrators, so admin-only services stay
out of reach even when the allow-list names them.
"""

from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.core import HomeAssistant

USER_NAME = "Odoo"


async def async_get_or_create_user(hass: HomeAssistant, user_id: str | None) -> str:
    """Return the id of the pairing's user, creating it when missing."""
    if user_id is not None and await hass.auth.async_get_user(user_id) is not None:
        return user_id
    user = await hass.auth.async_create_system_user(USER_NAME, group_ids=[GROUP_ID_USER])
    return user.id


async def async_remove_user(hass: HomeAssistant, user_id: str | None) -> None:
    """Remove the pairing's user."""
    if user_id is not None and (user := await hass.auth.async_get_user(user_id)) is not None:
        await hass.auth.async_remove_user(user)
