"""18.0.1.1.0: a history row no longer stores its instance, it reads it from its entity.

Dropping the column also drops its foreign key and the (instance_id, last_updated) index,
which every inserted row paid for.
"""


def migrate(cr, version):
    cr.execute("ALTER TABLE ha_entity_history DROP COLUMN IF EXISTS instance_id")
