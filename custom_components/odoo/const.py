"""Constants of the Odoo integration: config keys, defaults, wire protocol v1 (docs/protocol.md)."""

from datetime import timedelta
from typing import Final

DOMAIN: Final = "odoo"

# Config entry data (written by the config flow).
CONF_URL: Final = "url"
CONF_DATABASE: Final = "database"
CONF_USERNAME: Final = "username"
CONF_API_KEY: Final = "api_key"
CONF_HA_URL: Final = "ha_url"
CONF_HA_UUID: Final = "ha_uuid"
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_SECRET: Final = "secret"  # noqa: S105 - the key, not a secret
CONF_PUSH_URL: Final = "push_url"
CONF_USER_ID: Final = "user_id"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"
CONF_ODOO_VERSION: Final = "odoo_version"
CONF_TRANSPORT: Final = "transport"

# How the integration calls Odoo's external API (pairing, services, unpairing): Odoo 18 has
# JSON-RPC (`/jsonrpc`, through odoorpc); Odoo 19 deprecates it for JSON-2 (`/json/2`).
TRANSPORT_JSONRPC: Final = "jsonrpc"
TRANSPORT_JSON2: Final = "json2"
JSON2_FIRST_SERIES: Final = 19

# Options (written by the options flow).
CONF_INCLUDE_DOMAINS: Final = "include_domains"
CONF_INCLUDE_ENTITIES: Final = "include_entities"
CONF_INCLUDE_ENTITY_GLOBS: Final = "include_entity_globs"
CONF_EXCLUDE_DOMAINS: Final = "exclude_domains"
CONF_EXCLUDE_ENTITIES: Final = "exclude_entities"
CONF_EXCLUDE_ENTITY_GLOBS: Final = "exclude_entity_globs"
FILTER_KEYS: Final = (
    CONF_INCLUDE_DOMAINS,
    CONF_INCLUDE_ENTITIES,
    CONF_INCLUDE_ENTITY_GLOBS,
    CONF_EXCLUDE_DOMAINS,
    CONF_EXCLUDE_ENTITIES,
    CONF_EXCLUDE_ENTITY_GLOBS,
)
CONF_FLUSH_DELAY_MS: Final = "flush_delay_ms"
CONF_MAX_BATCH: Final = "max_batch"
CONF_HEARTBEAT_INTERVAL: Final = "heartbeat_interval"
CONF_SEND_ATTRIBUTES: Final = "send_attributes"
CONF_BUFFER_LIMIT: Final = "buffer_limit"
CONF_ALLOWED_SERVICES: Final = "allowed_services"
# Odoo may rename entities and devices, move them to an area and label them (update_registry).
CONF_ALLOW_REGISTRY_EDITS: Final = "allow_registry_edits"
# Odoo may fetch still images of exported cameras (camera_snapshot).
CONF_ALLOW_CAMERA_SNAPSHOTS: Final = "allow_camera_snapshots"

DEFAULT_FLUSH_DELAY_MS: Final = 100
DEFAULT_MAX_BATCH: Final = 1000
DEFAULT_HEARTBEAT_INTERVAL: Final = 30
DEFAULT_SEND_ATTRIBUTES: Final = True
DEFAULT_BUFFER_LIMIT: Final = 200_000

# Services Odoo may call until the user edits the list: the common controllable domains.
# An entry is `domain.service` or `domain.*`.
DEFAULT_ALLOWED_SERVICES: Final = (
    "alarm_control_panel.alarm_arm_away",
    "alarm_control_panel.alarm_arm_home",
    "alarm_control_panel.alarm_arm_night",
    "alarm_control_panel.alarm_arm_vacation",
    "alarm_control_panel.alarm_disarm",
    "automation.trigger",
    "automation.turn_off",
    "automation.turn_on",
    "button.press",
    "climate.set_fan_mode",
    "climate.set_humidity",
    "climate.set_hvac_mode",
    "climate.set_preset_mode",
    "climate.set_swing_mode",
    "climate.set_temperature",
    "climate.toggle",
    "climate.turn_off",
    "climate.turn_on",
    "cover.close_cover",
    "cover.close_cover_tilt",
    "cover.open_cover",
    "cover.open_cover_tilt",
    "cover.set_cover_position",
    "cover.set_cover_tilt_position",
    "cover.stop_cover",
    "cover.stop_cover_tilt",
    "cover.toggle",
    "fan.decrease_speed",
    "fan.increase_speed",
    "fan.oscillate",
    "fan.set_direction",
    "fan.set_percentage",
    "fan.set_preset_mode",
    "fan.toggle",
    "fan.turn_off",
    "fan.turn_on",
    "humidifier.set_humidity",
    "humidifier.set_mode",
    "humidifier.toggle",
    "humidifier.turn_off",
    "humidifier.turn_on",
    "input_boolean.toggle",
    "input_boolean.turn_off",
    "input_boolean.turn_on",
    "input_button.press",
    "input_datetime.set_datetime",
    "input_number.decrement",
    "input_number.increment",
    "input_number.set_value",
    "input_select.select_first",
    "input_select.select_last",
    "input_select.select_next",
    "input_select.select_option",
    "input_select.select_previous",
    "input_text.set_value",
    "lawn_mower.dock",
    "lawn_mower.pause",
    "lawn_mower.start_mowing",
    "light.toggle",
    "light.turn_off",
    "light.turn_on",
    "lock.lock",
    "lock.open",
    "lock.unlock",
    "media_player.media_next_track",
    "media_player.media_pause",
    "media_player.media_play",
    "media_player.media_play_pause",
    "media_player.media_previous_track",
    "media_player.media_stop",
    "media_player.select_source",
    "media_player.toggle",
    "media_player.turn_off",
    "media_player.turn_on",
    "media_player.volume_down",
    "media_player.volume_mute",
    "media_player.volume_set",
    "media_player.volume_up",
    "number.set_value",
    "remote.send_command",
    "remote.toggle",
    "remote.turn_off",
    "remote.turn_on",
    "scene.turn_on",
    "script.toggle",
    "script.turn_off",
    "script.turn_on",
    "select.select_first",
    "select.select_last",
    "select.select_next",
    "select.select_option",
    "select.select_previous",
    "siren.toggle",
    "siren.turn_off",
    "siren.turn_on",
    "switch.toggle",
    "switch.turn_off",
    "switch.turn_on",
    "text.set_value",
    "todo.add_item",
    "todo.get_items",
    "todo.remove_item",
    "todo.update_item",
    "vacuum.clean_spot",
    "vacuum.locate",
    "vacuum.pause",
    "vacuum.return_to_base",
    "vacuum.start",
    "vacuum.stop",
    "valve.close_valve",
    "valve.open_valve",
    "valve.set_valve_position",
    "valve.stop_valve",
    "valve.toggle",
    "water_heater.set_away_mode",
    "water_heater.set_operation_mode",
    "water_heater.set_temperature",
    "water_heater.turn_off",
    "water_heater.turn_on",
    "weather.get_forecasts",
)
# Domains Odoo may never call, whatever the allow-list says: they control Home Assistant
# itself, its host, or run shell commands.
REFUSED_DOMAINS: Final = frozenset({"homeassistant", "hassio", "shell_command"})

# Wire protocol v1 (docs/protocol.md §1 and §3).
PROTOCOL_VERSION: Final = 1
HEADER_TIMESTAMP: Final = "X-Bridge-Timestamp"
HEADER_NONCE: Final = "X-Bridge-Nonce"
HEADER_SIGNATURE: Final = "X-Bridge-Signature"
# Odoo's own header naming the database of a request without a session (Odoo 19).
HEADER_ODOO_DATABASE: Final = "X-Odoo-Database"
PURPOSE_PUSH: Final = "push"
PURPOSE_COMMAND: Final = "command"
SIGNATURE_MAX_AGE: Final = 300
MAX_BATCH_EVENTS: Final = 1000
MAX_BATCH_BYTES: Final = 1024 * 1024
MAX_COMMAND_BYTES: Final = 1024 * 1024
# Answer before Odoo's HTTP client gives up; the service keeps running after a 504.
COMMAND_TIMEOUT: Final = 10.0
# Nonces of accepted commands remembered against replay; beyond this many inside the
# signature window, commands are refused (429) rather than forgetting a nonce too early.
NONCE_CACHE_LIMIT: Final = 10_000
EVENT_COMMAND_RECEIVED: Final = "odoo_command_received"
# Bounds of one `history` command (Odoo's wizard keeps to them too).
HISTORY_MAX_ENTITIES: Final = 100
HISTORY_MAX_RANGE: Final = timedelta(days=31)
GZIP_THRESHOLD_BYTES: Final = 4096
# Bounds of `fire_event` and `figures` (docs/protocol.md §4).
EVENT_TYPE_PATTERN: Final = r"^odoo_[a-z0-9_]{1,59}$"
EVENT_DATA_MAX_BYTES: Final = 16 * 1024
FIGURES_MAX: Final = 200
# Bounds of `camera_snapshot`: the still's bytes before base64, and its asked width/height.
CAMERA_IMAGE_MAX_BYTES: Final = 2 * 1024 * 1024
CAMERA_IMAGE_MAX_PIXELS: Final = 4096

# Error codes of an error answer's `error.code` (docs/protocol.md §4, "Error codes").
ERROR_UNAUTHORIZED: Final = "unauthorized"
ERROR_STALE_TIMESTAMP: Final = "stale_timestamp"
ERROR_BAD_REQUEST: Final = "bad_request"
ERROR_UNSUPPORTED_VERSION: Final = "unsupported_version"
ERROR_LENGTH_REQUIRED: Final = "length_required"
ERROR_TOO_LARGE: Final = "too_large"
ERROR_INSTANCE_REMOVED: Final = "instance_removed"
ERROR_INVALID: Final = "invalid"
ERROR_NOT_ALLOWED: Final = "not_allowed"
ERROR_UNKNOWN_SERVICE: Final = "unknown_service"
ERROR_TOO_MANY_REQUESTS: Final = "too_many_requests"
ERROR_SERVICE_FAILED: Final = "service_failed"
ERROR_TIMEOUT: Final = "timeout"
ERROR_IMAGE_TOO_LARGE: Final = "image_too_large"
# The whole table, which the repository's contract test compares with the addon's.
ERROR_CODES: Final = frozenset(
    {
        ERROR_UNAUTHORIZED,
        ERROR_STALE_TIMESTAMP,
        ERROR_BAD_REQUEST,
        ERROR_UNSUPPORTED_VERSION,
        ERROR_LENGTH_REQUIRED,
        ERROR_TOO_LARGE,
        ERROR_INSTANCE_REMOVED,
        ERROR_INVALID,
        ERROR_NOT_ALLOWED,
        ERROR_UNKNOWN_SERVICE,
        ERROR_TOO_MANY_REQUESTS,
        ERROR_SERVICE_FAILED,
        ERROR_TIMEOUT,
        ERROR_IMAGE_TOO_LARGE,
    }
)
# The code of a dead letter Home Assistant set aside itself: JSON cannot hold the event.
DEAD_LETTER_UNENCODABLE: Final = "unencodable"

# Retry policy for an unreachable Odoo (docs/protocol.md §3).
BACKOFF_INITIAL: Final = 1.0
BACKOFF_MAX: Final = 300.0
# Odoo's Retry-After is obeyed within [RETRY_AFTER_MIN, BACKOFF_MAX] seconds.
RETRY_AFTER_MIN: Final = 1.0
BACKOFF_JITTER: Final = 0.2
PUSH_TIMEOUT: Final = 30.0

# Repair issue ids (suffixed with the entry id).
ISSUE_INSTANCE_REMOVED: Final = "instance_removed"
ISSUE_OUTBOX_OVERFLOW: Final = "outbox_overflow"
ISSUE_CLOCK_SKEW: Final = "clock_skew"

SERVICE_RESYNC: Final = "resync"
SERVICE_FLUSH: Final = "flush"
SERVICE_CALL_METHOD: Final = "call_method"
SERVICE_CREATE_RECORD: Final = "create_record"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_MODEL: Final = "model"
ATTR_METHOD: Final = "method"
ATTR_IDS: Final = "ids"
ATTR_ARGS: Final = "args"
ATTR_KWARGS: Final = "kwargs"
ATTR_VALUES: Final = "values"
