"""The page under /my of the entities shared with the user, and its controls.

Everything goes through `ha.share.portal_states` and `ha.share.portal_call`, which check
the caller's shares are valid now; this controller adds no access of its own.
"""

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request
from odoo.tools.misc import format_datetime

from .. import compat

PORTAL_PATH = "/my/home-assistant"


class HomeAssistantPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        """The number of valid shares for the card on /my."""
        values = super()._prepare_home_portal_values(counters)
        if "ha_share_count" in counters:
            values["ha_share_count"] = len(request.env["ha.share"]._valid_shares())
        return values

    @http.route(PORTAL_PATH, type="http", auth="user", website=True)
    def portal_my_home_assistant(self):
        """The shared entities, their states, and controls where the share allows them."""
        shares = request.env["ha.share"].portal_states()
        for share in shares:
            share["until"] = format_datetime(
                request.env, fields.Datetime.to_datetime(share["date_end"])
            )
        values = self._prepare_portal_layout_values()
        values.update(shares=shares, page_name="home_assistant")
        return request.render("home_assistant.portal_my_home_assistant", values)

    @http.route(f"{PORTAL_PATH}/call", type=compat.JSON_ROUTE, auth="user")
    def portal_call(self, share_id, entity_id, service):
        """A control of the page: `service` on an entity of one of the user's shares."""
        return request.env["ha.share"].portal_call(share_id, entity_id, service)
