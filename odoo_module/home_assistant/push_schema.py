"""Validation of a push batch's JSON (PROTOCOL.md §3) into plain, typed Python objects.

The controller calls `parse_batch` on the decoded body; every problem raises
`PushSchemaError` with a message that names the offending field (`events[3].state: ...`),
so Home Assistant can isolate the bad event. Unknown extra fields are ignored (§5).
Timestamps come out as naive UTC datetimes with microseconds, as Odoo stores them.
"""

import json
import math
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .attribute_credentials import without_credentials
from .signing import (
    CODE_BAD_REQUEST,
    CODE_TOO_LARGE,
    CODE_UNSUPPORTED_VERSION,
    MAX_DECODED_BYTES,
    MAX_EVENTS_PER_BATCH,
    PROTOCOL_VERSION,
)

ENTITY_ID_PATTERN = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")
# A \u0000 escape not itself escaped (an odd number of backslashes before "u0000").
# PostgreSQL stores no NUL character in text or jsonb: without this check such a batch
# would fail in the database with a 500, which Home Assistant retries for ever.
NUL_ESCAPE_PATTERN = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
# A \uD800-\uDFFF escape: half of a surrogate pair, which alone is no character and cannot
# be encoded as UTF-8 for the database. Seeing one only means the document must be checked.
SURROGATE_ESCAPE_PATTERN = re.compile(r"\\u[dD][89a-fA-F]")
MAX_ID_LENGTH = 255
MAX_STATE_LENGTH = 255
MAX_TEXT_LENGTH = 1024
MAX_LABELS = 256
MAX_LEVEL = 1000
MAX_INTERFACES = 64
MAX_ADDRESSES = 64
MAX_ADDRESS_LENGTH = 64
# Sequence numbers are kept exactly in Odoo's NUMERIC counters and in JSON doubles.
MAX_INTEGER = 2**53


class PushSchemaError(ValueError):
    """The body is not a valid push batch; the message says where and why."""

    status = 400
    code = CODE_BAD_REQUEST


class UnsupportedVersionError(PushSchemaError):
    """The batch speaks a protocol major version this addon does not know."""

    code = CODE_UNSUPPORTED_VERSION


class TooLargeError(PushSchemaError):
    """The batch is bigger than Odoo accepts; Home Assistant splits it and retries."""

    status = 413
    code = CODE_TOO_LARGE


@dataclass(frozen=True)
class StateEvent:
    """An entity's state at `last_updated`; `state` None means it left HA's state machine.

    `attributes` is None when Home Assistant does not send attributes (an option there).
    """

    entity_id: str
    state: str | None
    attributes: dict | None
    last_changed: datetime
    last_updated: datetime


@dataclass(frozen=True)
class EntityEvent:
    """An entity registry entry (created, updated or removed)."""

    entity_id: str
    name: str | None
    device_id: str | None
    area_id: str | None
    platform: str | None
    entity_category: str | None
    disabled: bool
    removed: bool
    labels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DeviceEvent:
    """A device registry entry (created, updated or removed)."""

    device_id: str
    name: str | None
    manufacturer: str | None
    model: str | None
    sw_version: str | None
    area_id: str | None
    removed: bool
    model_id: str | None = None
    serial_number: str | None = None
    hw_version: str | None = None
    configuration_url: str | None = None
    via_device_id: str | None = None
    entry_type: str | None = None
    disabled: bool = False
    labels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AreaEvent:
    """An area registry entry (created, updated or removed)."""

    area_id: str
    name: str | None
    removed: bool
    floor_id: str | None = None
    icon: str | None = None
    labels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LabelEvent:
    """A label registry entry (created, updated or removed)."""

    label_id: str
    name: str | None
    color: str | None
    icon: str | None
    description: str | None
    removed: bool


@dataclass(frozen=True)
class FloorEvent:
    """A floor registry entry (created, updated or removed)."""

    floor_id: str
    name: str | None
    level: int | None
    icon: str | None
    removed: bool


@dataclass(frozen=True)
class SupervisorFacts:
    """What the Supervisor tells about the host; every part may be unknown."""

    host_os: str | None
    board: str | None
    disk_total_gb: float | None
    disk_used_gb: float | None
    memory_total_mb: float | None
    network: list[dict] | None


@dataclass(frozen=True)
class SystemEvent:
    """Home Assistant's own facts: version, installation, locale, and the host's."""

    ha_version: str | None
    installation_type: str | None
    python_version: str | None
    time_zone: str | None
    unit_system: str | None
    location_name: str | None
    country: str | None
    currency: str | None
    supervisor: SupervisorFacts | None


@dataclass(frozen=True)
class SnapshotPart:
    """Which part of which snapshot a batch carries; a one-batch snapshot is part 1 of 1."""

    snapshot_id: str
    part: int
    parts: int


@dataclass(frozen=True)
class Batch:
    """A validated push batch."""

    batch_id: str
    seq: int
    sent_at: datetime
    snapshot: SnapshotPart | None
    states: list[StateEvent] = field(default_factory=list)
    entities: list[EntityEvent] = field(default_factory=list)
    devices: list[DeviceEvent] = field(default_factory=list)
    areas: list[AreaEvent] = field(default_factory=list)
    labels: list[LabelEvent] = field(default_factory=list)
    floors: list[FloorEvent] = field(default_factory=list)
    systems: list[SystemEvent] = field(default_factory=list)

    @property
    def event_count(self) -> int:
        """Number of events of every kind in the batch."""
        registries = len(self.labels) + len(self.floors) + len(self.systems)
        return (
            len(self.states) + len(self.entities) + len(self.devices) + len(self.areas) + registries
        )


def decode_content(body: bytes, content_encoding: str) -> bytes:
    """Undo the body's Content-Encoding, never producing more than the decoded size cap.

    gzip is inflated incrementally with an output limit, so a small "gzip bomb" costs at
    most `MAX_DECODED_BYTES` of memory before it is refused.
    """
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise PushSchemaError(f"Content-Encoding: {encoding[:32]!r} is not supported (use gzip)")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        decoded = inflater.decompress(body, MAX_DECODED_BYTES + 1)
    except zlib.error as error:
        raise PushSchemaError("body: not valid gzip data") from error
    if len(decoded) > MAX_DECODED_BYTES:
        raise TooLargeError(f"body: more than {MAX_DECODED_BYTES} bytes once decoded")
    if not inflater.eof or inflater.unused_data:
        raise PushSchemaError("body: truncated gzip data or trailing bytes")
    return decoded


def _refuse_constant(name: str) -> None:
    raise PushSchemaError(f"body: {name} is not valid JSON")


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when no double holds it (`1e400`).

    json.loads would make it infinity, which PostgreSQL's jsonb refuses: a 500 otherwise.
    """
    number = float(text)
    if not math.isfinite(number):
        shown = text if len(text) <= 32 else f"{text[:32]}…"
        raise PushSchemaError(f"body: the number {shown} is out of range")
    return number


def decode_json(body: bytes) -> dict:
    """Parse the body as a UTF-8 JSON object that PostgreSQL can store as it is.

    Refused: NaN/Infinity, numbers no double holds, integers of more digits than Python
    converts, NUL characters, lone surrogates and deep nesting.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PushSchemaError("body: not UTF-8 encoded") from error
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        raise PushSchemaError("body: JSON nested too deeply") from error
    except json.JSONDecodeError as error:
        raise PushSchemaError(
            f"body: malformed JSON ({error.msg} at offset {error.pos})"
        ) from error
    except PushSchemaError:
        raise
    except ValueError as error:
        # Python refuses to convert integers of more than 4 300 digits (CVE-2020-10735).
        raise PushSchemaError("body: an integer has too many digits") from error
    if not isinstance(document, dict):
        raise PushSchemaError("body: expected a JSON object")
    # The substring tests first: scanning every body with a pattern costs 9 ms per 100 kB.
    if "\\u" in text:
        if "\\u0000" in text and NUL_ESCAPE_PATTERN.search(text):
            raise PushSchemaError("body: a string contains the NUL character (\\u0000)")
        if SURROGATE_ESCAPE_PATTERN.search(text):
            _check_no_lone_surrogate(document)
    return document


def _check_no_lone_surrogate(document: dict) -> None:
    """Refuse a document holding half a surrogate pair, which no database text can store.

    Only run when the body has a surrogate escape at all: Home Assistant sends UTF-8, so
    pairs (an emoji written as two escapes) are rare and lone halves rarer still.
    """
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise PushSchemaError(
            "body: a string contains a lone surrogate (half of a \\uD800-\\uDFFF pair)"
        ) from error


def parse_batch(document: dict) -> Batch:
    """Validate a decoded push document and return it as a `Batch`."""
    version = document.get("v")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        raise UnsupportedVersionError(
            f"v: protocol version {version!r} is not supported (expected {PROTOCOL_VERSION})"
        )
    events = document.get("events")
    if not isinstance(events, list):
        raise PushSchemaError("events: expected a list")
    if len(events) > MAX_EVENTS_PER_BATCH:
        raise TooLargeError(
            f"events: {len(events)} events, at most {MAX_EVENTS_PER_BATCH} per batch"
        )
    batch_id = _identifier(document, "batch_id", "batch_id")
    batch = Batch(
        batch_id=batch_id,
        seq=_integer(document, "seq", "seq"),
        sent_at=_timestamp(document, "sent_at", "sent_at"),
        snapshot=_snapshot(document.get("snapshot", False), batch_id),
    )
    for index, event in enumerate(events):
        _parse_event(batch, event, f"events[{index}]")
    return batch


def _snapshot(value: object, batch_id: str) -> SnapshotPart | None:
    """A one-batch snapshot (`true`) is identified by its batch id."""
    if value is False:
        return None
    if value is True:
        return SnapshotPart(snapshot_id=batch_id, part=1, parts=1)
    if not isinstance(value, dict):
        raise PushSchemaError('snapshot: expected true, false or {"id", "part", "parts"}')
    snapshot_id = _identifier(value, "id", "snapshot.id")
    part = _integer(value, "part", "snapshot.part", minimum=1)
    parts = _integer(value, "parts", "snapshot.parts", minimum=1)
    if part > parts:
        raise PushSchemaError(f"snapshot.part: {part} is greater than snapshot.parts ({parts})")
    return SnapshotPart(snapshot_id=snapshot_id, part=part, parts=parts)


def _parse_event(batch: Batch, event: object, where: str) -> None:
    if not isinstance(event, dict):
        raise PushSchemaError(f"{where}: expected an object")
    kind = event.get("t")
    if kind == "state":
        batch.states.append(_state_event(event, where))
    elif kind == "entity":
        batch.entities.append(_entity_event(event, where))
    elif kind == "device":
        batch.devices.append(_device_event(event, where))
    elif kind == "area":
        batch.areas.append(_area_event(event, where))
    elif kind == "label":
        batch.labels.append(_label_event(event, where))
    elif kind == "floor":
        batch.floors.append(_floor_event(event, where))
    elif kind == "system":
        batch.systems.append(_system_event(event, where))
    else:
        raise PushSchemaError(
            f"{where}.t: unknown event type {kind!r} "
            "(expected state, entity, device, area, label, floor or system)"
        )


def _state_event(event: dict, where: str) -> StateEvent:
    state = event.get("state")
    if state is not None:
        if not isinstance(state, str):
            raise PushSchemaError(f"{where}.state: expected a string or null")
        if len(state) > MAX_STATE_LENGTH:
            raise PushSchemaError(f"{where}.state: longer than {MAX_STATE_LENGTH} characters")
    attributes = event.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        raise PushSchemaError(f"{where}.attributes: expected an object")
    last_updated = _timestamp(event, "last_updated", f"{where}.last_updated")
    changed = event.get("last_changed")
    # Home Assistant sends both equal whenever the state itself changed: parse once.
    last_changed = (
        _timestamp(event, "last_changed", f"{where}.last_changed")
        if changed is not None and changed != event["last_updated"]
        else last_updated
    )
    entity_id = _entity_id(event, where)
    return StateEvent(
        entity_id=entity_id,
        state=state,
        attributes=None if attributes is None else without_credentials(entity_id, attributes),
        last_changed=last_changed,
        last_updated=last_updated,
    )


def _entity_event(event: dict, where: str) -> EntityEvent:
    return EntityEvent(
        entity_id=_entity_id(event, where),
        **_texts(event, where, "name", "device_id", "area_id", "platform", "entity_category"),
        disabled=_boolean(event, "disabled", where),
        removed=_boolean(event, "removed", where),
        labels=_labels(event, where),
    )


def _device_event(event: dict, where: str) -> DeviceEvent:
    texts = _texts(
        event,
        where,
        *("name", "manufacturer", "model", "model_id", "serial_number", "hw_version"),
        *("sw_version", "area_id", "via_device_id", "entry_type"),
    )
    return DeviceEvent(
        device_id=_identifier(event, "device_id", f"{where}.device_id"),
        **texts,
        configuration_url=_web_url(_optional_text(event, "configuration_url", where)),
        removed=_boolean(event, "removed", where),
        disabled=_boolean(event, "disabled", where),
        labels=_labels(event, where),
    )


def _area_event(event: dict, where: str) -> AreaEvent:
    return AreaEvent(
        area_id=_identifier(event, "area_id", f"{where}.area_id"),
        **_texts(event, where, "name", "floor_id", "icon"),
        removed=_boolean(event, "removed", where),
        labels=_labels(event, where),
    )


def _label_event(event: dict, where: str) -> LabelEvent:
    return LabelEvent(
        label_id=_identifier(event, "label_id", f"{where}.label_id"),
        **_texts(event, where, "name", "color", "icon", "description"),
        removed=_boolean(event, "removed", where),
    )


def _floor_event(event: dict, where: str) -> FloorEvent:
    level = event.get("level")
    if level is not None:
        level = _integer(event, "level", f"{where}.level", minimum=-MAX_LEVEL)
        if level > MAX_LEVEL:
            raise PushSchemaError(f"{where}.level: {level} is out of range")
    return FloorEvent(
        floor_id=_identifier(event, "floor_id", f"{where}.floor_id"),
        name=_optional_text(event, "name", where),
        level=level,
        icon=_optional_text(event, "icon", where),
        removed=_boolean(event, "removed", where),
    )


def _system_event(event: dict, where: str) -> SystemEvent:
    return SystemEvent(
        ha_version=_optional_text(event, "ha_version", where),
        installation_type=_optional_text(event, "installation_type", where),
        python_version=_optional_text(event, "python_version", where),
        time_zone=_optional_text(event, "time_zone", where),
        unit_system=_optional_text(event, "unit_system", where),
        location_name=_optional_text(event, "location_name", where),
        country=_optional_text(event, "country", where),
        currency=_optional_text(event, "currency", where),
        supervisor=_supervisor(event.get("supervisor"), f"{where}.supervisor"),
    )


def _supervisor(value: object, where: str) -> SupervisorFacts | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PushSchemaError(f"{where}: expected an object or null")
    return SupervisorFacts(
        host_os=_optional_text(value, "host_os", where),
        board=_optional_text(value, "board", where),
        disk_total_gb=_optional_size(value, "disk_total_gb", where),
        disk_used_gb=_optional_size(value, "disk_used_gb", where),
        memory_total_mb=_optional_size(value, "memory_total_mb", where),
        network=_network(value.get("network"), f"{where}.network"),
    )


def _network(value: object, where: str) -> list[dict] | None:
    """The host's interfaces as `{"interface", "ipv4", "ipv6"}` objects, nothing else kept."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_INTERFACES:
        raise PushSchemaError(f"{where}: expected a list of at most {MAX_INTERFACES} objects")
    interfaces = []
    for index, interface in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(interface, dict):
            raise PushSchemaError(f"{here}: expected an object")
        interfaces.append(
            {
                "interface": _identifier(interface, "interface", f"{here}.interface"),
                "ipv4": _addresses(interface, "ipv4", here),
                "ipv6": _addresses(interface, "ipv6", here),
            }
        )
    return interfaces


def _addresses(interface: dict, key: str, where: str) -> list[str]:
    value = interface.get(key) or []
    if (
        not isinstance(value, list)
        or len(value) > MAX_ADDRESSES
        or not all(isinstance(item, str) and len(item) <= MAX_ADDRESS_LENGTH for item in value)
    ):
        raise PushSchemaError(
            f"{where}.{key}: expected a list of at most {MAX_ADDRESSES} addresses"
        )
    return value


def _labels(event: dict, where: str) -> tuple[str, ...] | None:
    """The complete list of an item's label ids; None when the event has none (older HA)."""
    value = event.get("labels")
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_LABELS:
        raise PushSchemaError(f"{where}.labels: expected a list of at most {MAX_LABELS} ids")
    return tuple(
        dict.fromkeys(
            _identifier({"id": item}, "id", f"{where}.labels[{index}]")
            for index, item in enumerate(value)
        )
    )


def _web_url(value: str | None) -> str | None:
    """`value` when it is an http(s) URL without user info, else None: never credentials."""
    if value is None:
        return None
    try:
        url = urlsplit(value)
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.hostname or "@" in url.netloc:
        return None
    return value


def _optional_size(document: dict, key: str, where: str) -> float | None:
    value = document.get(key)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value < MAX_INTEGER
    ):
        raise PushSchemaError(f"{where}.{key}: expected a non-negative number or null")
    return float(value)


def _entity_id(event: dict, where: str) -> str:
    entity_id = _identifier(event, "entity_id", f"{where}.entity_id")
    if not ENTITY_ID_PATTERN.match(entity_id):
        raise PushSchemaError(f"{where}.entity_id: {entity_id!r} is not a valid entity id")
    return entity_id


def _identifier(document: dict, key: str, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise PushSchemaError(f"{where}: expected a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise PushSchemaError(f"{where}: longer than {MAX_ID_LENGTH} characters")
    return value


def _optional_text(event: dict, key: str, where: str) -> str | None:
    value = event.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PushSchemaError(f"{where}.{key}: expected a string or null")
    if len(value) > MAX_TEXT_LENGTH:
        raise PushSchemaError(f"{where}.{key}: longer than {MAX_TEXT_LENGTH} characters")
    return value


def _texts(event: dict, where: str, *keys: str) -> dict[str, str | None]:
    """The optional text fields `keys` of an event, by name."""
    return {key: _optional_text(event, key, where) for key in keys}


def _boolean(event: dict, key: str, where: str) -> bool:
    value = event.get(key, False)
    if not isinstance(value, bool):
        raise PushSchemaError(f"{where}.{key}: expected true or false")
    return value


def _integer(document: dict, key: str, where: str, minimum: int = 0) -> int:
    value = document.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PushSchemaError(f"{where}: expected an integer")
    if value < minimum or value > MAX_INTEGER:
        raise PushSchemaError(f"{where}: {value} is out of range")
    return value


def _timestamp(document: dict, key: str, where: str) -> datetime:
    value = document.get(key)
    if not isinstance(value, str):
        raise PushSchemaError(f"{where}: expected an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise PushSchemaError(f"{where}: {value[:64]!r} is not an ISO 8601 date-time") from error
    if moment.tzinfo is None:
        raise PushSchemaError(f"{where}: {value[:64]!r} has no time zone offset")
    if moment.tzinfo is UTC:  # "+00:00", what Home Assistant sends: no conversion needed
        return moment.replace(tzinfo=None)
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as error:
        raise PushSchemaError(f"{where}: {value[:64]!r} is out of range") from error


def numeric_value(state: str | None) -> float | None:
    """The state as a finite number, when it is one (sensor readings), else None."""
    if state is None:
        return None
    try:
        number = float(state)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
