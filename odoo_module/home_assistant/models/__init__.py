# The mixin first: models inheriting it must find it in the registry when they are built.
from . import ha_synced_mixin  # isort: skip
from . import (
    base,
    ha_area,
    ha_command,
    ha_command_after_commit,
    ha_dashboard,
    ha_device,
    ha_entity,
    ha_entity_history,
    ha_figure,
    ha_figure_change,
    ha_instance,
    ha_instance_pairing,
    ha_push_batch,
    ha_push_nonce,
    ha_snapshot_part,
    ha_template_renderer,
    ir_actions_server,
    ir_websocket,
    res_groups,
)
