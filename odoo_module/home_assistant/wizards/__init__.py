from . import ha_history_backfill
