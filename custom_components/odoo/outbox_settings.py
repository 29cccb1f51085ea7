"""The pairing's options as the outbox uses them."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.helpers.entityfilter import EntityFilter, convert_filter

from .const import (
    CONF_BUFFER_LIMIT,
    CONF_FLUSH_DELAY_MS,
    CONF_HEARTBEAT_INTERVAL,
    CONF_MAX_BATCH,
    CONF_SEND_ATTRIBUTES,
    DEFAULT_BUFFER_LIMIT,
    DEFAULT_FLUSH_DELAY_MS,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_MAX_BATCH,
    DEFAULT_SEND_ATTRIBUTES,
    FILTER_KEYS,
    MAX_BATCH_EVENTS,
)
from .export_filter import RegistryChoices


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    """The user's options as the outbox uses them."""

    exported: EntityFilter
    registry_choices: RegistryChoices
    flush_delay: float
    max_batch: int
    heartbeat_interval: float
    send_attributes: bool
    buffer_limit: int


def settings_from_options(options: Mapping[str, Any]) -> OutboxSettings:
    """Turn config entry options into outbox settings."""
    return OutboxSettings(
        exported=convert_filter({key: list(options.get(key, [])) for key in FILTER_KEYS}),
        registry_choices=RegistryChoices.from_options(options),
        flush_delay=options.get(CONF_FLUSH_DELAY_MS, DEFAULT_FLUSH_DELAY_MS) / 1000,
        max_batch=min(int(options.get(CONF_MAX_BATCH, DEFAULT_MAX_BATCH)), MAX_BATCH_EVENTS),
        heartbeat_interval=float(options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)),
        send_attributes=bool(options.get(CONF_SEND_ATTRIBUTES, DEFAULT_SEND_ATTRIBUTES)),
        buffer_limit=int(options.get(CONF_BUFFER_LIMIT, DEFAULT_BUFFER_LIMIT)),
    )
