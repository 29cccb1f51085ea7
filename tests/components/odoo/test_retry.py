"""The answer table of docs/protocol.md §3 as a pure function, tested without Home Assistant."""

import math

import pytest

from custom_components.odoo.push_client import PushAnswer, parse_retry_after
from custom_components.odoo.retry import (
    Delivered,
    Halt,
    Outcome,
    Retry,
    Split,
    backoff_delay,
    clamp_retry_after,
    outcome,
)

NOW = 1_764_352_800


def retried_with_backoff(result: Outcome, attempt: int = 0) -> bool:
    """Tell whether an outcome is a retry after the backoff of `attempt`."""
    base = min(300.0, 2.0**attempt)
    return (
        isinstance(result, Retry)
        and result.backs_off
        and base * 0.8 <= result.delay <= base * 1.2
        and result.clock_skew is None
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (PushAnswer(200), Delivered()),
        (PushAnswer(400, error_code="bad_request"), Split()),
        (PushAnswer(413, error_code="too_large"), Split()),
        (PushAnswer(401, error_code="unauthorized"), Halt(removed=False)),
        (PushAnswer(401), Halt(removed=False)),
        (PushAnswer(403, error_code="forbidden"), Halt(removed=False)),
        (PushAnswer(410, error_code="instance_removed"), Halt(removed=True)),
        (PushAnswer(429, retry_after=7), Retry(7, backs_off=False, busy=True)),
        (PushAnswer(503, retry_after=7), Retry(7, backs_off=False)),
    ],
)
def test_answers_map_to_their_outcome(answer: PushAnswer, expected: Outcome) -> None:
    """Each row of the table gives its outcome."""
    assert outcome(answer, 0, NOW) == expected


@pytest.mark.parametrize(
    "answer",
    [
        # A 400/413 without a protocol error body (a proxy's page) is not the batch's fault.
        PushAnswer(400),
        PushAnswer(413),
        PushAnswer(413, error_message="<html>Request Entity Too Large</html>"),
        # Odoo is too old or too new: splitting would dead-letter every event.
        PushAnswer(400, error_code="unsupported_version"),
        PushAnswer(500, error_code="server_error"),
        PushAnswer(502),
        PushAnswer(None, error_message="ClientConnectorError"),
        PushAnswer(503),
        PushAnswer(411, error_code="length_required"),
    ],
)
def test_other_answers_are_retried_with_backoff(answer: PushAnswer) -> None:
    """Never split, never halted: retried after the exponential backoff."""
    for attempt in (0, 3, 12):
        assert retried_with_backoff(outcome(answer, attempt, NOW), attempt)


def test_rate_limiting_without_retry_after_backs_off_as_busy() -> None:
    """429 without Retry-After: the backoff, and Odoo is not counted as down."""
    result = outcome(PushAnswer(429), 2, NOW)
    assert retried_with_backoff(result, 2)
    assert isinstance(result, Retry)
    assert result.busy


@pytest.mark.parametrize(("server_time", "skew"), [(NOW + 420, 420), (NOW - 3600, -3600)])
def test_a_stale_timestamp_is_retried_and_measures_the_clocks(server_time: int, skew: int) -> None:
    """stale_timestamp is a clock problem, not bad credentials: retried with the backoff,
    carrying Odoo's clock minus Home Assistant's."""
    answer = PushAnswer(401, error_code="stale_timestamp", server_time=server_time)
    result = outcome(answer, 4, NOW + 0.9)
    assert isinstance(result, Retry)
    assert result.backs_off
    assert not result.busy
    assert result.clock_skew == skew
    assert 16 * 0.8 <= result.delay <= 16 * 1.2


def test_a_stale_timestamp_without_server_time_is_retried_too() -> None:
    """An Odoo that does not say its time still gets the backoff, not a halt."""
    result = outcome(PushAnswer(401, error_code="stale_timestamp"), 0, NOW)
    assert isinstance(result, Retry)
    assert result.clock_skew is None
    assert result.backs_off


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [
        (0, 1),
        (0.2, 1),
        (1, 1),
        (42, 42),
        (300, 300),
        (301, 300),
        (10**12, 300),
        (math.inf, 300),
        (math.nan, 300),
    ],
)
def test_retry_after_is_clamped_to_one_second_and_the_backoff_maximum(
    retry_after: float, delay: float
) -> None:
    """A huge or infinite Retry-After never stalls the sender; zero never spins it."""
    assert clamp_retry_after(retry_after) == delay
    result = outcome(PushAnswer(503, retry_after=retry_after), 0, NOW)
    assert result == Retry(delay, backs_off=False)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("soon", None),
        ("9" * 400, math.inf),
    ],
    ids=["seconds", "blanks", "superscript", "arabic", "negative", "word", "400_digits"],
)
def test_retry_after_headers_parse_without_raising(header: str, seconds: float | None) -> None:
    """Only ASCII digits are a delay in seconds; anything unreadable is no Retry-After."""
    assert parse_retry_after(header) == seconds


def test_backoff_doubles_to_five_minutes_with_jitter() -> None:
    """1 s doubling to 300 s, each within ±20 %."""
    for attempt, base in [(0, 1), (1, 2), (3, 8), (8, 256), (9, 300), (50, 300)]:
        for _ in range(50):
            assert base * 0.8 <= backoff_delay(attempt) <= base * 1.2
