"""The command webhook Odoo calls (docs/protocol.md §4): authenticate, parse, then dispatch.

Every answer is an explicit JSON response: Home Assistant's webhook component would turn an
escaping exception into an empty 200, which Odoo could not tell from success.
"""

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.json import json_bytes
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.json import json_loads_object

from .const import (
    DOMAIN,
    ERROR_INVALID,
    ERROR_SERVICE_FAILED,
    ERROR_STALE_TIMESTAMP,
    ERROR_TOO_LARGE,
    ERROR_TOO_MANY_REQUESTS,
    ERROR_UNAUTHORIZED,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    MAX_COMMAND_BYTES,
    NONCE_CACHE_LIMIT,
    PURPOSE_COMMAND,
    SIGNATURE_MAX_AGE,
)
from .signing import Verdict, verify

_LOGGER = logging.getLogger(__name__)

READ_CHUNK_BYTES = 64 * 1024

# Kept across reloads of an entry, so reloading never reopens the replay window.
DATA_NONCES: HassKey[dict[str, NonceCache]] = HassKey(f"{DOMAIN}_nonces")


class NonceCache:
    """Nonces of accepted commands, remembered for as long as their signature could be valid."""

    def __init__(self, limit: int = NONCE_CACHE_LIMIT) -> None:
        """Start empty."""
        self._limit = limit
        # Nonce → time after which it can be forgotten; insertion order is expiry order.
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, nonce: object) -> bool:
        """Tell whether a nonce was already accepted inside the window."""
        return nonce in self._expiry

    def __len__(self) -> int:
        """Return how many nonces are remembered."""
        return len(self._expiry)

    def prune(self, now: float) -> None:
        """Forget nonces whose signature can no longer be valid."""
        while self._expiry and next(iter(self._expiry.values())) < now:
            self._expiry.popitem(last=False)

    def add(self, nonce: str, now: float) -> bool:
        """Remember an accepted nonce; False when the cache is full of live nonces."""
        self.prune(now)
        if len(self._expiry) >= self._limit:
            return False
        # A timestamp may lie up to the window in the past or the future of `now`, so the
        # signature stays valid for at most two windows after arrival.
        self._expiry[nonce] = now + 2 * SIGNATURE_MAX_AGE
        return True


def error_response(status: HTTPStatus, code: str, message: str) -> Response:
    """Return the error body of docs/protocol.md §1: `{"ok": false, "error": {code, message}}`."""
    return json_response({"ok": False, "error": {"code": code, "message": message}}, status)


def json_response(body: dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> Response:
    """Return a JSON response."""
    return Response(body=json_bytes(body), status=status, content_type="application/json")


async def _read_body(request: Request) -> bytes | None:
    """Return the raw body, or None when it exceeds the command size limit."""
    stream = request.content
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_COMMAND_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


type Dispatcher = Callable[[dict[str, Any]], Awaitable[tuple[HTTPStatus, dict[str, Any]]]]


class CommandWebhook:
    """The webhook of one pairing: verifies each request, then hands the command on."""

    def __init__(
        self, hass: HomeAssistant, secret: str, webhook_id: str, dispatch: Dispatcher
    ) -> None:
        """Bind the webhook to a pairing's secret, its replay cache and its commands."""
        self._hass = hass
        self._secret = secret
        self.webhook_id = webhook_id
        self._dispatch = dispatch
        self._nonces = hass.data.setdefault(DATA_NONCES, {}).setdefault(webhook_id, NonceCache())

    @callback
    def renew_secret(self, secret: str) -> None:
        """Verify commands with a renewed pairing's secret from now on."""
        self._secret = secret

    @callback
    def async_register(self, name: str) -> None:
        """Register the webhook with Home Assistant (POST only)."""
        webhook.async_register(
            self._hass, DOMAIN, name, self.webhook_id, self.async_handle, allowed_methods=["POST"]
        )

    @callback
    def async_unregister(self) -> None:
        """Remove the webhook; the replay cache stays for a reload."""
        webhook.async_unregister(self._hass, self.webhook_id)

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        """Answer one request; nothing escapes as an exception."""
        try:
            body = await _read_body(request)
            if body is None:
                return error_response(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    ERROR_TOO_LARGE,
                    "The command is too large.",
                )
            if (refusal := self._authenticate(request, body)) is not None:
                return refusal
            try:
                command = json_loads_object(body)
            except ValueError:
                return error_response(
                    HTTPStatus.BAD_REQUEST, ERROR_INVALID, "The body is not a JSON object."
                )
            status, answer = await self._dispatch(command)
            return json_response(answer, status)
        except Exception:
            _LOGGER.exception("An Odoo command failed unexpectedly")
            return error_response(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                ERROR_SERVICE_FAILED,
                "Home Assistant failed to run the command; see its log.",
            )

    def _authenticate(self, request: Request, body: bytes) -> Response | None:
        """Return the refusal of a request whose signature, freshness or nonce fails, else None.

        Checked on the raw bytes before anything is parsed (docs/protocol.md §1). Only a correct
        signature with a stale timestamp gets its own answer (`stale_timestamp`).
        """
        nonce = request.headers.get(HEADER_NONCE)
        now = time.time()
        self._nonces.prune(now)
        verdict = verify(
            self._secret,
            PURPOSE_COMMAND,
            request.headers.get(HEADER_TIMESTAMP),
            nonce,
            request.headers.get(HEADER_SIGNATURE),
            body,
            now,
        )
        if verdict is Verdict.STALE:
            # Signed with the secret, so telling the sender our clock helps and reveals nothing.
            return json_response(
                {
                    "ok": False,
                    "error": {
                        "code": ERROR_STALE_TIMESTAMP,
                        "message": "The request timestamp is more than "
                        f"{SIGNATURE_MAX_AGE} s away from Home Assistant's clock.",
                        "server_time": int(now),
                    },
                },
                HTTPStatus.UNAUTHORIZED,
            )
        if verdict is not Verdict.VALID or nonce is None or nonce in self._nonces:
            # One answer for every other failure: never reveal which part was wrong.
            return error_response(
                HTTPStatus.UNAUTHORIZED, ERROR_UNAUTHORIZED, "The request signature was refused."
            )
        if not self._nonces.add(nonce, now):
            return error_response(
                HTTPStatus.TOO_MANY_REQUESTS,
                ERROR_TOO_MANY_REQUESTS,
                "Too many commands; retry later.",
            )
        return None


@callback
def async_forget_nonces(hass: HomeAssistant, webhook_id: str) -> None:
    """Drop the replay cache of a removed pairing."""
    hass.data.get(DATA_NONCES, {}).pop(webhook_id, None)
