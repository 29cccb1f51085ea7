"""What differs between the Odoo series this addon runs on (18.0 and 19.0), in one place.

Each difference names the series that needs it, so supporting a new series (or dropping
one) is a change to this file. The dashboard's differences are in
`static/src/dashboard/compat.js`.
"""

from odoo import models, release

SERIES = release.version_info[0]

# 19.0 ignores `_sql_constraints` (a warning per model) and reads `models.Constraint` class
# attributes instead; 18.0 has no `models.Constraint`.
MODEL_CONSTRAINTS = SERIES >= 19

# 19.0 renamed `res.users.groups_id` to `group_ids` and `res.groups.users` to `user_ids`.
USER_GROUPS_FIELD = "group_ids" if SERIES >= 19 else "groups_id"
GROUP_USERS_FIELD = "user_ids" if SERIES >= 19 else "users"
# ... and `ir.actions.act_window.groups_id` to `group_ids`.
ACTION_GROUPS_FIELD = "group_ids" if SERIES >= 19 else "groups_id"

# 19.0 renamed the JSON-RPC route type `json` to `jsonrpc` (the old name warns).
JSON_ROUTE = "jsonrpc" if SERIES >= 19 else "json"

# 19.0's `HttpCase.start_tour` stores and announces bus messages as they are sent (a test
# cursor drops post-commit hooks, the NOTIFY among them); on 18.0 a tour test does it itself.
TOURS_WAKE_THE_BUS = SERIES >= 19


def cached_value(record, field, default):
    """`record`'s value of `field` as the ORM holds it in its cache, else `default`.

    What the cache holds is the ORM's own representation: a many2one as its id (or None),
    a Json value as the stored object, None for a NULL column. Reading it skips what the
    record value builds (a recordset, a deep copy), for the hot paths of ingest. 18.0's
    `env.cache` and 19.0's (a facade over the fields' own caches, whose value for
    translated fields is no longer per language) agree on the untranslated fields read here.
    """
    return record.env.cache.get(record, field, default)


def cache_values(records, field, values):
    """Hold `values` (one per record, in the field's record format) as `records`' values of
    `field` in the ORM cache, as a write does, for records just written in SQL."""
    records.env.cache.update(
        records, field, [field.convert_to_cache(value, records) for value in values]
    )


def recompute(records, field_names):
    """Run the pending computations of the stored fields `field_names` of `records` now."""
    records._recompute_recordset(field_names)


def cron_progress(env, done, remaining):
    """Tell the running cron job how far it is, so its runner commits and calls it again
    while `remaining`; nothing outside a cron job.

    18.0 reads `_notify_progress` and commits between the calls itself; 19.0 deprecates it
    for `_commit_progress`, which commits (and, outside a cron job, would commit anyway).
    """
    if not env.context.get("ir_cron_progress_id"):
        return
    if SERIES >= 19:
        env["ir.cron"]._commit_progress(done, remaining=remaining)
    else:
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)


def sql_constraints(*constraints):
    """Declare a model's table constraints, each `(name, definition, message)`, on every series.

    The constraint's name in the database is `<table>_<name>` on both series, so a database
    upgraded from 18.0 to 19.0 keeps its constraints.
    """

    def declare(model_class):
        if not MODEL_CONSTRAINTS:
            model_class._sql_constraints = list(constraints)
            return model_class
        for name, definition, message in constraints:
            constraint = models.Constraint(definition, message)
            attribute = f"_{name}"
            setattr(model_class, attribute, constraint)
            # A class attribute set after the class statement is not named by Python.
            constraint.__set_name__(model_class, attribute)
        return model_class

    return declare


def attach_groups(env, category, groups):
    """File the addon's `groups` under `category` (Settings → Users shows them there).

    18.0 files groups by `res.groups.category_id`. 19.0 files them by a
    `res.groups.privilege`, which belongs to the category; the privilege is created once
    with an XML id of this addon, so uninstalling removes it.
    """
    if SERIES >= 19:
        privilege = env.ref("home_assistant.privilege_home_assistant", raise_if_not_found=False)
        if not privilege:
            privilege = env["res.groups.privilege"].create(
                {"name": category.name, "category_id": category.id, "sequence": category.sequence}
            )
            env["ir.model.data"]._update_xmlids(
                [{"xml_id": "home_assistant.privilege_home_assistant", "record": privilege}]
            )
        groups.write({"privilege_id": privilege.id})
    else:
        groups.write({"category_id": category.id})


def add_group_users(group, users):
    """Put `users` in `group`, keeping its other members."""
    group.write({GROUP_USERS_FIELD: [(4, user.id) for user in users]})
