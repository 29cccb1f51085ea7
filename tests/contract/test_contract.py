"""What the two halves must agree on, checked against each other and against docs/protocol.md.

Each half has its own copy of the protocol's constants (neither ships the other), so a
change to one side alone fails here instead of in a user's installation.
"""

from __future__ import annotations

import re

import pytest

from .halves import PROTOCOL_DOC, addon, integration

ha_const = integration("const")
ha_signing = integration("signing")
odoo_signing = addon("signing")
odoo_services = addon("entity_services")


def protocol_vectors() -> list[tuple[str, str, str, str, bytes, str]]:
    """The signing test vectors of docs/protocol.md §1: (secret, purpose, timestamp, …)."""
    cell = r" `([^`]+)` \|"
    row = rf"^\| (`[^`]+`|same) \|{cell * 4} `(v1=[0-9a-f]{{64}})` \|$"
    rows = re.findall(row, PROTOCOL_DOC.read_text(), re.MULTILINE)
    vectors, secret = [], ""
    for raw_secret, purpose, timestamp, nonce, body, signature in rows:
        secret = secret if raw_secret == "same" else raw_secret.strip("`")
        assert timestamp.isdigit(), timestamp
        vectors.append((secret, purpose, timestamp, nonce, body.encode(), signature))
    return vectors


def test_the_protocol_document_holds_both_vectors():
    assert {vector[1] for vector in protocol_vectors()} == {"push", "command"}


@pytest.mark.parametrize("vector", protocol_vectors(), ids=lambda vector: vector[1])
def test_both_halves_sign_the_protocol_vectors(vector):
    secret, purpose, timestamp, nonce, body, signature = vector
    assert ha_signing.sign(secret, purpose, int(timestamp), nonce, body) == signature
    assert odoo_signing.sign(secret, purpose, timestamp, nonce, body) == signature


def test_headers_purposes_and_version_are_the_same():
    for name in (
        "PROTOCOL_VERSION",
        "HEADER_TIMESTAMP",
        "HEADER_NONCE",
        "HEADER_SIGNATURE",
        "PURPOSE_PUSH",
        "PURPOSE_COMMAND",
        "MAX_COMMAND_BYTES",
    ):
        assert getattr(ha_const, name) == getattr(odoo_signing, name), name


def test_the_replay_window_is_the_same():
    assert ha_const.SIGNATURE_MAX_AGE == odoo_signing.TIMESTAMP_WINDOW_SECONDS


def test_what_home_assistant_sends_fits_what_odoo_accepts():
    assert ha_const.MAX_BATCH_EVENTS <= odoo_signing.MAX_EVENTS_PER_BATCH
    assert ha_const.MAX_BATCH_BYTES <= odoo_signing.MAX_BODY_BYTES


def test_the_history_limits_are_the_same():
    assert ha_const.HISTORY_MAX_ENTITIES == odoo_signing.MAX_HISTORY_ENTITIES
    assert ha_const.HISTORY_MAX_RANGE.days == odoo_signing.MAX_HISTORY_DAYS


def test_the_business_commands_bounds_are_the_same():
    assert ha_const.EVENT_TYPE_PATTERN == odoo_signing.EVENT_TYPE_PATTERN
    assert ha_const.EVENT_COMMAND_RECEIVED == odoo_signing.RESERVED_EVENT_TYPE
    assert ha_const.EVENT_DATA_MAX_BYTES == odoo_signing.MAX_EVENT_DATA_BYTES
    assert ha_const.FIGURES_MAX == odoo_signing.MAX_FIGURES


def test_the_default_allow_list_is_the_addon_service_table():
    """Every control Odoo offers is allowed by default in HA, and nothing else is."""
    offered = {
        f"{domain}.{service}"
        for domain, services in odoo_services.SERVICES.items()
        for service in services
    }
    assert set(ha_const.DEFAULT_ALLOWED_SERVICES) == offered


def protocol_error_codes() -> set[str]:
    """The codes of the error-code table of docs/protocol.md."""
    section = PROTOCOL_DOC.read_text().split("### Error codes", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))


def test_the_integration_knows_exactly_the_protocol_error_codes():
    assert set(ha_const.ERROR_CODES) == protocol_error_codes()


def test_the_addon_knows_exactly_the_protocol_error_codes():
    assert set(odoo_signing.ERROR_CODES) == protocol_error_codes()


def test_the_camera_snapshot_bounds_are_the_same():
    assert ha_const.CAMERA_IMAGE_MAX_BYTES == odoo_signing.MAX_CAMERA_IMAGE_BYTES
    assert ha_const.CAMERA_IMAGE_MAX_PIXELS == odoo_signing.MAX_CAMERA_IMAGE_PIXELS
    assert ha_const.ERROR_IMAGE_TOO_LARGE == odoo_signing.CODE_IMAGE_TOO_LARGE


def test_the_largest_camera_still_fits_the_answer_odoo_reads():
    """Base64 makes 4 characters of 3 bytes; the rest of the answer is under 1 KiB."""
    client = addon("command_client")
    encoded = 4 * -(-ha_const.CAMERA_IMAGE_MAX_BYTES // 3)
    assert encoded + 1024 <= client.MAX_ANSWER_BYTES
