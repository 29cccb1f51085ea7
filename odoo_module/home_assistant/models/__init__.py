# The mixin first: models inheriting it must find it in the registry when they are built.
from . import ha_synced_mixin  # isort: skip
from . import (
    ha_area,
    ha_command,
    ha_dashboard,
    ha_device,
    ha_entity,
    ha_entity_group,
    ha_entity_history,
    ha_floor,
    ha_instance,
    ha_instance_pairing,
    ha_instance_system,
    ha_label,
    ha_push_batch,
    ha_push_nonce,
    ha_snapshot_part,
    ha_tag,
    ir_websocket,
    res_groups,
)
