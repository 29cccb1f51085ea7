from . import ha_history_backfill, ha_registry_edit
