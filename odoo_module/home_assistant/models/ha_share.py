"""Entities shared with a portal user (or an internal user without the Home Assistant groups).

A share grants its user, from `date_start` to `date_end`, the states of its entities and,
with `control` access, the entity controls; nothing else. The user never gets access to
`ha.entity` itself: states go out through `portal_states` and the bus (`_notify_shares`),
commands come in through `portal_call`, each checking the share is valid *now*. Record
rules cannot say "now" (Odoo caches a rule's domain per user), so validity is checked in
those code paths, not by the rules.
"""

import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..audit import share_audit_values
from ..entity_services import SERVICES

BUS_NOTIFICATION_TYPE = "home_assistant/share"
# The one-click control the portal page offers per domain, first match wins.
PORTAL_CONTROLS = ("toggle", "press")
# The fields a change of which is a new grant, audited as a share.
TERMS = frozenset({"user_id", "entity_ids", "access", "date_start", "date_end"})


class HaShare(models.Model):
    _name = "ha.share"
    _inherit = ["bus.listener.mixin"]  # the share is its user's live channel
    _description = "Home Assistant Share"
    _order = "date_end desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Shared With",
        required=True,
        index=True,
        ondelete="cascade",
        help="A portal user, or an internal user without the Home Assistant groups.",
    )
    entity_ids = fields.Many2many(
        "ha.entity",
        "ha_share_entity_rel",
        "share_id",
        "entity_id",
        string="Entities",
        required=True,
    )
    access = fields.Selection(
        [("view", "View"), ("control", "View and Control")],
        required=True,
        default="view",
    )
    date_start = fields.Datetime(string="From", required=True, default=fields.Datetime.now)
    date_end = fields.Datetime(string="Until", required=True)
    revoked = fields.Boolean(readonly=True, copy=False)
    active = fields.Boolean(default=True)
    status = fields.Selection(
        [
            ("scheduled", "Scheduled"),
            ("valid", "Valid"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
        ],
        compute="_compute_status",
    )

    @api.depends("user_id.name", "entity_ids")
    def _compute_name(self):
        for share in self:
            share.name = self.env._(
                "%(user)s: %(count)s entities",
                user=share.user_id.name or "",
                count=len(share.entity_ids),
            )

    def _compute_status(self):
        now = fields.Datetime.now()
        for share in self:
            if share.revoked or not share.active:
                share.status = "revoked"
            elif share.date_start and share.date_start > now:
                share.status = "scheduled"
            elif share.date_end and share.date_end <= now:
                share.status = "expired"
            else:
                share.status = "valid"

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for share in self:
            if share.date_end <= share.date_start:
                raise ValidationError(self.env._("A share must end after it starts."))

    @api.constrains("user_id")
    def _check_user(self):
        for share in self:
            if share.user_id._is_public():
                raise ValidationError(self.env._("Entities cannot be shared with the public."))
            if share.user_id.has_group("home_assistant.group_home_assistant_user"):
                raise ValidationError(
                    self.env._(
                        "%s is a Home Assistant user already: allow them on the instance "
                        "instead of sharing entities.",
                        share.user_id.name,
                    )
                )

    # ------------------------------------------------------------------ validity

    @api.model
    def _valid_domain(self, user=None):
        """The shares granting now, of `user` when given."""
        now = fields.Datetime.now()
        domain = [
            ("revoked", "=", False),
            ("active", "=", True),
            ("date_start", "<=", now),
            ("date_end", ">", now),
        ]
        return [*domain, ("user_id", "=", user.id)] if user is not None else domain

    def _valid_for(self, user):
        """Whether this share grants `user` anything now."""
        self.ensure_one()
        return self.user_id == user and self.status == "valid"

    @api.model
    def _valid_shares(self):
        """The current user's shares that grant now (sudo: the user cannot read entities)."""
        return self.sudo().search(self._valid_domain(self.env.user))

    # ------------------------------------------------------------------ the portal

    @api.model
    def portal_states(self):
        """The current user's valid shares, each with its active entities' states."""
        result = []
        for share in self._valid_shares():
            entities = share.entity_ids.filtered("active")
            states = {row["id"]: row for row in entities._compact_states()}
            result.append(
                {
                    "id": share.id,
                    "access": share.access,
                    "date_end": fields.Datetime.to_string(share.date_end),
                    "entities": [
                        {
                            **states[entity.id],
                            "name": entity.name or entity.entity_id,
                            "domain": entity.domain,
                            "unit": entity.unit_of_measurement or "",
                            "control": portal_control(entity.domain)
                            if share.access == "control"
                            else False,
                        }
                        for entity in entities
                    ],
                }
            )
        return result

    @api.model
    def portal_call(self, share_id, entity_id, service, data=None):
        """Call `service` on the entity `entity_id` (an `ha.entity` id) through a share.

        Only the share's user, while it is valid, with `control` access, on one of its
        entities, and a service of the entity's domain table; else an `AccessError` (or a
        `ValidationError` for the service and its data). Sent, and audited, as that user.
        """
        share = self.sudo().browse(share_id).exists() if isinstance(share_id, int) else None
        if not share or not share._valid_for(self.env.user):
            raise AccessError(self.env._("This share does not exist or is no longer valid."))
        if share.access != "control":
            raise AccessError(
                self.env._("This share lets you view its entities, not control them.")
            )
        entity = share.entity_ids.filtered(lambda record: record.id == entity_id)
        if not entity:
            raise AccessError(self.env._("This entity is not part of the share."))
        return entity._call_entity_service(service, data, share=share)

    @api.model
    def _notify_shares(self, entities, states):
        """Send `states` (compact, of `entities`) on the channels of the valid shares holding
        them, each share its own entities only. Checked at send time: an expired or revoked
        share gets nothing, whatever its user's websocket subscribed to earlier."""
        valid = self._valid_domain()
        # Most databases share nothing: one look at the shares spares every push the
        # matching of its entities against theirs (≈ 3 ms for 500 entities).
        if not self.sudo().search_count(valid, limit=1):
            return
        shares = self.sudo().search([*valid, ("entity_ids", "in", entities.ids)])
        for share in shares:
            shared = set(share.entity_ids.ids)
            share._bus_send(
                BUS_NOTIFICATION_TYPE,
                {"share_id": share.id, "entities": [row for row in states if row["id"] in shared]},
            )

    # ------------------------------------------------------------------ audit

    @api.model_create_multi
    def create(self, vals_list):
        shares = super().create(vals_list)
        shares._check_entities_readable()
        shares._audit("share")
        return shares

    def write(self, vals):
        ending = self.filtered(
            lambda share: (vals.get("revoked") and not share.revoked)
            or ("active" in vals and not vals["active"] and share.active)
        )
        result = super().write(vals)
        if "entity_ids" in vals:
            self._check_entities_readable()
        ending._audit("share_revoked")
        if TERMS & vals.keys():
            (self - ending).filtered(lambda share: not share.revoked)._audit("share")
        return result

    def unlink(self):
        self.filtered(lambda share: not share.revoked and share.active)._audit("share_revoked")
        return super().unlink()

    def action_revoke(self):
        """Stop the shares now, for good (the audit log keeps who revoked them)."""
        self.write({"revoked": True})
        return True

    def _check_entities_readable(self):
        """Raise an `AccessError` unless the current user may read every shared entity.

        The many2many as superuser: read as the user, it would silently leave out the
        entities the user cannot see (another company's), which would be shared anyway.
        """
        self.sudo().entity_ids.with_env(self.env).check_access("read")

    def _audit(self, kind):
        """One audit row per share and instance of its entities, by the current user."""
        rows = []
        for share in self.sudo():
            for instance in share.entity_ids.instance_id:
                rows.append(
                    share_audit_values(
                        uuid.uuid4().hex,
                        instance,
                        self.env.user,
                        share,
                        share.entity_ids.filtered(lambda e, i=instance: e.instance_id == i),
                        kind,
                    )
                )
        self.env["ha.command"].sudo().create(rows)


def portal_control(domain):
    """The service the portal page's button calls on an entity of `domain`, if any."""
    services = SERVICES.get(domain, {})
    return next((service for service in PORTAL_CONTROLS if service in services), False)
