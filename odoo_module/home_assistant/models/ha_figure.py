"""An Odoo figure (count, sum or average of records) shown as a sensor in Home Assistant."""

import re

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.safe_eval import datetime, dateutil, safe_eval, time

from ..signing import (
    FIGURE_ICON_PATTERN,
    FIGURE_STATE_CLASSES,
    MAX_FIGURE_NAME_LENGTH,
    MAX_FIGURE_UNIT_LENGTH,
    MAX_FIGURES,
)

AGGREGATES = [("count", "Count"), ("sum", "Sum"), ("avg", "Average")]
NUMERIC_FIELD_TYPES = ("integer", "float", "monetary")
ICON = re.compile(FIGURE_ICON_PATTERN)
# Models whose records the figures' own sending writes: a figure on them would resend
# itself forever.
REFUSED_MODELS = frozenset(
    {
        "ha.figure",
        "ha.figure.change",
        "ha.command",
        "ir.cron",
        "ir.cron.trigger",
        "ir.cron.progress",
        "ir.logging",
        "bus.bus",
    }
)


class HaFigure(models.Model):
    _name = "ha.figure"
    _description = "Home Assistant Figure"
    _order = "instance_id, sequence, id"

    name = fields.Char(required=True, help="The sensor's name in Home Assistant.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, help="Archived figures leave Home Assistant.")
    instance_id = fields.Many2one(
        "ha.instance", string="Home Assistant Instance", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False), ("abstract", "=", False)],
        help="The records the figure counts or adds up.",
    )
    model_name = fields.Char(string="Model Name", related="model_id.model", store=True, index=True)
    domain = fields.Char(default="[]", required=True, help="Which records count.")
    aggregate = fields.Selection(AGGREGATES, required=True, default="count")
    field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('integer', 'float', 'monetary')),"
        " ('store', '=', True)]",
        help="The numeric field a sum or an average is taken of.",
    )
    unit = fields.Char(help="Unit of measurement in Home Assistant, e.g. EUR or tickets.")
    icon = fields.Char(help="A Material Design icon, e.g. mdi:ticket.")
    state_class = fields.Selection(
        [(name, name) for name in FIGURE_STATE_CLASSES],
        default="measurement",
        help="How Home Assistant's statistics treat the sensor.",
    )
    key = fields.Char(compute="_compute_key", help="The figure's key in Home Assistant.")
    value = fields.Float(readonly=True, help="The value last sent to Home Assistant.")
    value_known = fields.Boolean(readonly=True)
    error = fields.Char(readonly=True, help="Why the last value could not be computed.")
    computed_at = fields.Datetime(readonly=True)

    def _compute_key(self):
        for figure in self:
            figure.key = f"figure_{figure.id}" if figure.id else False

    @api.constrains("name", "unit", "icon", "aggregate", "field_id", "model_id", "domain")
    def _check_figure(self):
        for figure in self:
            if len(figure.name) > MAX_FIGURE_NAME_LENGTH:
                raise ValidationError(self.env._("A figure's name has at most 128 characters."))
            if figure.unit and len(figure.unit) > MAX_FIGURE_UNIT_LENGTH:
                raise ValidationError(self.env._("A figure's unit has at most 32 characters."))
            if figure.icon and not ICON.match(figure.icon):
                raise ValidationError(
                    self.env._("An icon is mdi: followed by its name, e.g. mdi:ticket.")
                )
            if figure.model_name in REFUSED_MODELS:
                raise ValidationError(
                    self.env._("A figure cannot count %s records.", figure.model_id.name)
                )
            if figure.aggregate != "count" and (
                not figure.field_id
                or figure.field_id.model_id != figure.model_id
                or figure.field_id.ttype not in NUMERIC_FIELD_TYPES
            ):
                raise ValidationError(
                    self.env._("A sum or an average is taken of a numeric field of the model.")
                )
            _value, error = figure._compute_figure()
            if error:
                raise ValidationError(error)

    @api.constrains("active", "instance_id")
    def _check_figure_count(self):
        for instance in self.instance_id:
            if self.search_count([("instance_id", "=", instance.id)]) > MAX_FIGURES:
                raise ValidationError(
                    self.env._("Home Assistant takes at most 200 figures per instance.")
                )

    # ------------------------------------------------------------------ computing

    def _paired_user(self):
        """The Odoo user the instance paired as: figures are computed with its rights."""
        return self.instance_id.sudo().user_ids[:1]

    def _compute_figure(self):
        """The figure's value as the paired user, and why not (a message) when it cannot be."""
        self.ensure_one()
        user = self._paired_user()
        if not user:
            return None, self.env._("The instance has no paired user to compute figures as.")
        env = self.env(user=user.id, su=False)
        records = env[self.model_name]
        no_access = self.env._(
            "%(user)s, the user Home Assistant paired as, may not read %(model)s.",
            user=user.name,
            model=self.model_id.name,
        )
        if not records.has_access("read"):
            return None, no_access
        try:
            domain = safe_eval(
                self.domain or "[]",
                {
                    "datetime": datetime,
                    "dateutil": dateutil,
                    "time": time,
                    "context_today": lambda: fields.Date.context_today(records),
                    "uid": user.id,
                    "user": env.user,
                },
            )
            if self.aggregate == "count":
                return records.search_count(domain), False
            [(value,)] = records._read_group(domain, [], [f"{self.field_id.name}:{self.aggregate}"])
            return value, False
        except AccessError:  # a record rule, or a field the user may not read
            return None, no_access
        except Exception as error:
            return None, self.env._("The figure cannot be computed: %s", error)

    def _figure_message(self, value):
        """The figure as the `figures` command carries it (docs/protocol.md §4)."""
        return {
            "key": self.key,
            "name": self.name,
            "value": value,
            "unit": self.unit or None,
            "icon": self.icon or None,
            "state_class": self.state_class or None,
        }

    # ------------------------------------------------------------------ change detection

    @api.model_create_multi
    def create(self, vals_list):
        figures = super().create(vals_list)
        self.env.registry.clear_cache()
        self._mark_changed(figures.instance_id.ids)
        return figures

    def write(self, vals):
        instance_ids = self.instance_id.ids
        result = super().write(vals)
        if set(vals) - {"value", "value_known", "error", "computed_at"}:
            self.env.registry.clear_cache()
            self._mark_changed(instance_ids + self.instance_id.ids)
        return result

    def unlink(self):
        instance_ids = self.instance_id.ids
        result = super().unlink()
        self.env.registry.clear_cache()
        self._mark_changed(instance_ids)
        return result

    @api.model
    @tools.ormcache()
    def _watched_models(self):
        """{model name: instance ids} of the active figures, cached until a figure changes."""
        self.flush_model(["model_name", "instance_id", "active"])
        self.env.cr.execute(
            "SELECT model_name, array_agg(DISTINCT instance_id) FROM ha_figure"
            " WHERE active GROUP BY model_name"
        )
        return {model: tuple(ids) for model, ids in self.env.cr.fetchall()}

    @api.model
    def _mark_changed(self, instance_ids):
        """Note, in this transaction, that the figures of `instance_ids` must be sent again.

        A change mark is a row of its own (inserts never conflict across transactions); it
        and the cron's trigger exist only if the transaction commits.
        """
        marked = self.env.cr.precommit.data.setdefault("home_assistant.figures_marked", set())
        new_ids = sorted(set(instance_ids) - marked)
        if not new_ids:
            return
        marked.update(new_ids)
        self.env["ha.figure.change"]._insert(new_ids)
        self.env.ref("home_assistant.ir_cron_ha_figures").sudo()._trigger()
