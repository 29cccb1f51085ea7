from . import (
    ha_area,
    ha_device,
    ha_entity,
    ha_entity_history,
    ha_instance,
    ha_push_batch,
    ha_push_nonce,
    ha_snapshot_part,
    ir_websocket,
)
