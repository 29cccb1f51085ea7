"""What Odoo's answer to a push leads to (docs/protocol.md §3), and how long to wait before a retry.

`outcome` is the whole answer table in one pure function; the outbox only carries it out.
"""

import math
import random
from dataclasses import dataclass

from .const import (
    BACKOFF_INITIAL,
    BACKOFF_JITTER,
    BACKOFF_MAX,
    ERROR_STALE_TIMESTAMP,
    ERROR_UNSUPPORTED_VERSION,
    RETRY_AFTER_MIN,
)
from .push_client import PushAnswer

# A 400/413 with a protocol error code refuses what the batch holds: halving it finds the
# event to set aside. Without a code (a proxy's page) it is transient; an unsupported
# version is Odoo's to fix by an upgrade. Both are retried.
NOT_SPLIT_CODES = frozenset({None, ERROR_UNSUPPORTED_VERSION})


@dataclass(frozen=True, slots=True)
class Delivered:
    """Odoo committed the batch (or already had it): drop it."""


@dataclass(frozen=True, slots=True)
class Split:
    """Odoo refused something inside the batch: halve it, set a lone bad event aside."""


@dataclass(frozen=True, slots=True)
class Halt:
    """Odoo refused the pairing: stop pushing until the user acts, keep buffering."""

    # True: the pairing is gone in Odoo (410); False: its credentials were refused.
    removed: bool


@dataclass(frozen=True, slots=True)
class Retry:
    """Send the same batch again after `delay` seconds."""

    delay: float
    # The delay came from the backoff, so the next one doubles.
    backs_off: bool
    # Odoo answers but asks to slow down (429): not an outage.
    busy: bool = False
    # Seconds Odoo's clock is ahead of Home Assistant's (negative: behind), when Odoo
    # refused the push as signed at a stale time.
    clock_skew: int | None = None


type Outcome = Delivered | Split | Halt | Retry


def outcome(answer: PushAnswer, attempt: int, now: float) -> Outcome:  # noqa: PLR0911 - the answer table
    """Return what to do with a batch given Odoo's answer.

    `attempt` counts the failed retries of this batch so far; `now` is Home Assistant's clock
    (Unix seconds) when the answer came.
    """
    status, code = answer.status, answer.error_code
    if status == 200:
        return Delivered()
    if status in (400, 413) and code not in NOT_SPLIT_CODES:
        return Split()
    if status == 401 and code == ERROR_STALE_TIMESTAMP:
        skew = None if answer.server_time is None else answer.server_time - int(now)
        return Retry(backoff_delay(attempt), backs_off=True, clock_skew=skew)
    if status in (401, 403):
        return Halt(removed=False)
    if status == 410:
        return Halt(removed=True)
    if status in (429, 503) and answer.retry_after is not None:
        return Retry(clamp_retry_after(answer.retry_after), backs_off=False, busy=status == 429)
    return Retry(backoff_delay(attempt), backs_off=True, busy=status == 429)


def clamp_retry_after(seconds: float) -> float:
    """Return a `Retry-After` wait within [1 s, the backoff maximum]; nonsense waits the most."""
    if not math.isfinite(seconds):
        return BACKOFF_MAX
    return min(BACKOFF_MAX, max(RETRY_AFTER_MIN, seconds))


def describe_failure(answer: PushAnswer) -> str:
    """Return a failed push in a few words, for diagnostics."""
    if answer.status is None:
        return str(answer.error_message)
    return f"HTTP {answer.status} {answer.error_code or ''}: {answer.error_message or ''}".strip()


def backoff_delay(attempt: int) -> float:
    """Return the wait before retry number `attempt`: 1 s doubling to 300 s, ±20 % jitter."""
    base: float = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** min(attempt, 16))
    return base * random.uniform(1 - BACKOFF_JITTER, 1 + BACKOFF_JITTER)  # noqa: S311
