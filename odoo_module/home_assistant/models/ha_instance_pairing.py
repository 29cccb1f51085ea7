"""Pairing, as Home Assistant calls it over RPC, and who may point Odoo's signed commands.

`ha_pair` / `ha_unpair` are the entry points of docs/protocol.md §2; the URL guard keeps
everyone but Settings administrators (and pairing itself) from moving where commands go.
"""

import logging

from odoo import Command, api, models, release
from odoo.exceptions import AccessError, ValidationError

from ..pairing import PAIRING_CREDENTIALS, PairingError, is_http_url, pairing_values
from ..signing import PROTOCOL_VERSION

_logger = logging.getLogger(__name__)

# Where Odoo sends signed commands: set by pairing, else only by Settings administrators.
URL_FIELDS = ("ha_url", "command_url")


class HaInstancePairing(models.Model):
    _inherit = "ha.instance"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [self._checked_url_values(values, creating=True) for values in vals_list]
        )

    def write(self, vals):
        return super().write(self._checked_url_values(vals))

    @api.model
    def _checked_url_values(self, values, creating=False):
        """`values` with the URLs normalized, or raise unless the user may set them so.

        Only Settings administrators point Odoo's signed commands somewhere, and only at an
        origin (scheme, host, port). Code running as superuser is trusted: pairing checks
        what Home Assistant sends itself (a cloudhook URL has a path).
        """
        changed = [name for name in URL_FIELDS if name in values and (values[name] or not creating)]
        if not changed or self.env.su:
            return values
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._(
                    "Only Settings administrators may change the Home Assistant URL or the "
                    "command URL; pairing again from Home Assistant sets them too."
                )
            )
        values = dict(values)
        for name in changed:
            if not values[name]:
                continue
            if not is_http_url(values[name], allow_path=False):
                raise ValidationError(
                    self.env._(
                        "%(field)s must be an http or https address with a host and an optional "
                        "port only (no path, query, fragment or user name), e.g. "
                        "http://homeassistant.local:8123.",
                        field=self._fields[name]._description_string(self.env),
                    )
                )
            values[name] = values[name].rstrip("/")
        return values

    @api.model
    def ha_pair(self, values):
        """Pair (or re-pair) the calling Home Assistant; return where and how to push.

        Called by Home Assistant over JSON-RPC as an Odoo user of the group
        *Home Assistant / Administrator*. Pairing an already known `uuid` again updates its
        URL, webhook id and secret: this is how secrets rotate and how a re-installed
        Home Assistant re-attaches to its history. Only a user allowed to write that
        instance (its company, the record rules) may pair it again; anyone else gets the
        `AccessError` of an instance they cannot touch and nothing changes.
        """
        self._check_home_assistant_manager()
        try:
            pairing = pairing_values(values)
        except PairingError as error:
            raise ValidationError(self.env._(error.message)) from None
        instance = self._find_by_uuid(pairing["uuid"])
        if instance:
            instance._check_pairing_access()
            # Take the row lock pushes take first: a serialization failure against a push in
            # flight then hits this quiet statement and Odoo retries, instead of the UPDATE,
            # which Odoo would log with its parameters — the new secret among them.
            instance._lock_for_ingest()
            instance.write({**pairing, "active": True, "last_seq": 0})
        else:
            credentials = {name: pairing.pop(name) for name in PAIRING_CREDENTIALS}
            # The INSERT carries no credential: when a concurrent first pairing of the same
            # uuid committed first, it fails on the unique uuid, and Odoo logs a failed
            # query with its parameters. Only then are they written, to the row now ours.
            instance = self.sudo().create(
                {
                    **pairing,
                    "company_id": self.env.company.id,
                    "user_ids": [Command.link(self.env.uid)],
                }
            )
            instance.write(credentials)
        _logger.info("Home Assistant instance %s paired by user %s", instance.uuid, self.env.uid)
        return {
            "instance_id": instance.id,
            "push_url": instance.push_url,
            "odoo_version": release.major_version,
            "protocol": PROTOCOL_VERSION,
        }

    @api.model
    def ha_unpair(self, uuid):
        """Archive the instance Home Assistant unpaired, keeping its entities and history.

        An unknown uuid and an instance the user may not write get the same `AccessError`.
        """
        self._check_home_assistant_manager()
        instance = self._find_by_uuid(uuid) if isinstance(uuid, str) else self.browse()
        if not instance:
            raise self._pairing_access_error()
        instance._check_pairing_access()
        instance.active = False
        _logger.info("Home Assistant instance %s unpaired by user %s", uuid, self.env.uid)
        return True

    def _check_pairing_access(self):
        """Raise unless the calling user may write this (sudo) instance: company, rules."""
        if not self.sudo(False).has_access("write"):
            raise self._pairing_access_error()

    @api.model
    def _pairing_access_error(self):
        # One message whatever the reason: it never tells whose instance a uuid is.
        return AccessError(
            self.env._("You are not allowed to pair or unpair this Home Assistant instance.")
        )

    def _is_home_assistant_manager(self):
        return self.env.user.has_group("home_assistant.group_home_assistant_manager")

    def _check_home_assistant_manager(self):
        if not self._is_home_assistant_manager():
            raise AccessError(
                self.env._(
                    "Only members of Home Assistant / Administrator may pair Home Assistant."
                )
            )
