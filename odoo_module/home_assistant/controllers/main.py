"""The push endpoint Home Assistant streams its batches to (PROTOCOL.md §1 and §3).

Thin on purpose: check size and signature, decode, and hand the batch to
`ha.instance._ingest_batch` (`ingest.py`). Nothing is parsed, and nothing is done with
elevated rights, before the signature verified.
"""

import logging
import time

from odoo import http
from odoo.http import request

from ..push_schema import PushSchemaError, decode_content, decode_json
from ..signing import (
    CODE_INSTANCE_REMOVED,
    CODE_LENGTH_REQUIRED,
    CODE_STALE_TIMESTAMP,
    CODE_TOO_LARGE,
    CODE_UNAUTHORIZED,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    MAX_BODY_BYTES,
    PURPOSE_PUSH,
    PUSH_ROUTE,
    TIMESTAMP_WINDOW_SECONDS,
    is_valid_nonce,
    is_valid_signature_header,
    parse_timestamp,
    verify,
)

_logger = logging.getLogger(__name__)

# Unknown instance and wrong signature get the same answer: never reveal which was wrong.
NOT_AUTHENTICATED = "The request's signature could not be verified."


class PushRefused(Exception):
    """A push answered with an error before its batch was looked at.

    `details` are extra members of the answer's `error` object (`server_time`).
    """

    def __init__(self, status, code, message, **details):
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details


class HomeAssistantPushController(http.Controller):
    @http.route(
        PUSH_ROUTE,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def push(self, instance_uuid, **_params):
        """Receive one signed batch of state and registry events from Home Assistant."""
        try:
            instance, body = _authenticate(instance_uuid)
        except PushRefused as refusal:
            if refusal.status == 401:
                # Info level only: strangers can trigger this at will.
                _logger.info("Refused push to instance %r: %s", instance_uuid[:64], refusal)
            return _error(refusal.status, refusal.code, str(refusal), **refusal.details)
        try:
            encoding = request.httprequest.headers.get("Content-Encoding", "")
            answer = instance._ingest_batch(decode_json(decode_content(body, encoding)))
        except PushSchemaError as error:
            # Nothing of the batch (nor its nonce) may stay; only the reason is remembered.
            request.env.cr.rollback()
            _logger.warning("Refused push from Home Assistant %r: %s", instance_uuid, error)
            instance._record_push_error(f"{error.code}: {error}")
            return _error(error.status, error.code, str(error))
        return request.make_json_response(answer)


def _authenticate(instance_uuid):
    """Return the (sudo) instance and raw body of a correctly signed push, or raise.

    Order matters: size before reading, header syntax before any database work, the secret
    only to verify, the clock once the signature proved its sender (so `stale_timestamp`
    means exactly that the clocks differ, and strangers only ever get `unauthorized`), the
    nonce last.
    """
    httprequest = request.httprequest
    if httprequest.content_length is None:
        raise PushRefused(411, CODE_LENGTH_REQUIRED, "A Content-Length header is required.")
    if httprequest.content_length > MAX_BODY_BYTES:
        raise PushRefused(413, CODE_TOO_LARGE, f"The body exceeds {MAX_BODY_BYTES} bytes.")

    headers = httprequest.headers
    timestamp = parse_timestamp(headers.get(HEADER_TIMESTAMP))
    nonce = headers.get(HEADER_NONCE)
    signature = headers.get(HEADER_SIGNATURE)
    if timestamp is None or not is_valid_nonce(nonce) or not is_valid_signature_header(signature):
        raise PushRefused(401, CODE_UNAUTHORIZED, "The signature headers are missing or malformed.")

    body = httprequest.get_data()
    instance = request.env["ha.instance"]._find_by_uuid(instance_uuid)
    if not (
        instance
        and instance.secret
        and verify(instance.secret, PURPOSE_PUSH, str(timestamp), nonce, body, signature)
    ):
        raise PushRefused(401, CODE_UNAUTHORIZED, NOT_AUTHENTICATED)
    now = int(time.time())
    if abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS:
        direction = "ahead of" if timestamp > now else "behind"
        message = (
            f"The request's timestamp is {abs(timestamp - now)} s {direction} Odoo's clock "
            f"(at most {TIMESTAMP_WINDOW_SECONDS} s are accepted): the clocks of Home "
            "Assistant and Odoo differ."
        )
        instance._record_push_error(f"{CODE_STALE_TIMESTAMP}: {message}")
        raise PushRefused(401, CODE_STALE_TIMESTAMP, message, server_time=now)
    if not instance.active:
        raise PushRefused(410, CODE_INSTANCE_REMOVED, "This Home Assistant instance was unpaired.")
    if not request.env["ha.push.nonce"].sudo()._use(instance, nonce):
        raise PushRefused(401, CODE_UNAUTHORIZED, "This nonce was already used.")
    return instance, body


def _error(status, code, message, **details):
    """The protocol's error body with its HTTP status."""
    return request.make_json_response(
        {"ok": False, "error": {"code": code, "message": message, **details}}, status=status
    )
