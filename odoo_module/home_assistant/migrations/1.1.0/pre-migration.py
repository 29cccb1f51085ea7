"""1.1.0 (18.0.1.1.0): a history row no longer stores its instance, it reads it from its entity.

Dropping the column also drops its foreign key and the (instance_id, last_updated) index,
which every inserted row paid for; the key's record in Odoo's constraint registry goes too.
"""


def migrate(cr, version):
    cr.execute("ALTER TABLE ha_entity_history DROP COLUMN IF EXISTS instance_id")
    cr.execute("DELETE FROM ir_model_constraint WHERE name = 'ha_entity_history_instance_id_fkey'")
