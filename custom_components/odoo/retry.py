"""When to retry a failed push, and how to describe the failure."""

import random

from .const import BACKOFF_INITIAL, BACKOFF_JITTER, BACKOFF_MAX
from .odoo_client import PushAnswer


def describe_failure(answer: PushAnswer) -> str:
    """Return a failed push in a few words, for diagnostics."""
    if answer.status is None:
        return str(answer.error_message)
    return f"HTTP {answer.status} {answer.error_code or ''}: {answer.error_message or ''}".strip()


def backoff_delay(attempt: int) -> float:
    """Return the wait before retry number `attempt`: 1 s doubling to 300 s, ±20 % jitter."""
    base: float = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** min(attempt, 16))
    return base * random.uniform(1 - BACKOFF_JITTER, 1 + BACKOFF_JITTER)  # noqa: S311
