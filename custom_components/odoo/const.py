"""Constants of the Odoo integration: config keys, defaults and wire protocol v1 (PROTOCOL.md)."""

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
CONF_INSTANCE_ID: Final = "instance_id"

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

DEFAULT_FLUSH_DELAY_MS: Final = 100
DEFAULT_MAX_BATCH: Final = 1000
DEFAULT_HEARTBEAT_INTERVAL: Final = 30
DEFAULT_SEND_ATTRIBUTES: Final = True
DEFAULT_BUFFER_LIMIT: Final = 200_000

# Wire protocol v1 (PROTOCOL.md §1 and §3).
PROTOCOL_VERSION: Final = 1
HEADER_TIMESTAMP: Final = "X-Bridge-Timestamp"
HEADER_NONCE: Final = "X-Bridge-Nonce"
HEADER_SIGNATURE: Final = "X-Bridge-Signature"
PURPOSE_PUSH: Final = "push"
PURPOSE_COMMAND: Final = "command"
SIGNATURE_MAX_AGE: Final = 300
MAX_BATCH_EVENTS: Final = 1000
MAX_BATCH_BYTES: Final = 1024 * 1024
GZIP_THRESHOLD_BYTES: Final = 4096

# Retry policy for an unreachable Odoo (PROTOCOL.md §3).
BACKOFF_INITIAL: Final = 1.0
BACKOFF_MAX: Final = 300.0
BACKOFF_JITTER: Final = 0.2
PUSH_TIMEOUT: Final = 30.0

# Repair issue ids (suffixed with the entry id).
ISSUE_INSTANCE_REMOVED: Final = "instance_removed"
ISSUE_OUTBOX_OVERFLOW: Final = "outbox_overflow"

SERVICE_RESYNC: Final = "resync"
SERVICE_FLUSH: Final = "flush"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
