"""Subscribe each web client to the bus channels of the instances its user may read."""

from odoo import models


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """Add one channel per Home Assistant instance the user is allowed to read, and one
        per share valid now of which the user is the user.

        The instance record is the channel; the search runs as the connecting user, so the
        record rules (membership, company) decide who receives an instance's live states.
        """
        channels = list(channels)
        user = self.env.user
        if user and user.has_group("home_assistant.group_home_assistant_user"):
            # Every instance the rules let the user read: a few per database.
            instances = self.env["ha.instance"].with_user(user)
            channels.extend(instances.search([]))  # pylint: disable=no-search-all
        if user:
            # The shares granting the user something now; messages are filtered again
            # when sent, so a share ending after this subscription gets nothing more.
            channels.extend(self.env["ha.share"].with_user(user)._valid_shares())
        return super()._build_bus_channel_list(channels)
