"""The send queue and the outbox status on their own, without a running Home Assistant."""

from datetime import UTC, datetime

from homeassistant.core import State

from custom_components.odoo.outbox_status import DEAD_LETTERS_KEPT, OutboxStatus
from custom_components.odoo.send_queue import NEVER, Attention, SendQueue


def _state(value: int) -> State:
    """Return a state of the test sensor."""
    return State("sensor.power", str(value))


def _refuse(item: object, err: TypeError) -> None:
    """Fail: nothing in these queues is unencodable."""
    raise AssertionError(item)


def test_an_append_asks_for_attention_only_at_the_threshold() -> None:
    """The sender is woken once at the asked length; later appends stay silent."""
    queue = SendQueue(buffer_limit=100)
    queue.wake_at(3)
    assert [queue.append(_state(value)) for value in range(2)] == [False, False]
    assert queue.append(_state(2))
    assert queue.attend() == Attention(wake=True, over_limit=False)
    # Woken once: the threshold moved to the buffer limit.
    assert not any(queue.append(_state(value)) for value in range(3, 100))
    assert queue.append(_state(100))
    assert queue.attend() == Attention(wake=False, over_limit=True)


def test_a_lower_buffer_limit_lowers_the_threshold() -> None:
    """With the sender asleep, a smaller buffer makes the next append ask for compaction."""
    queue = SendQueue(buffer_limit=1000)
    queue.wake_at(NEVER)
    assert not queue.extend(_state(value) for value in range(10))
    queue.set_buffer_limit(5)
    assert queue.append(_state(10))
    assert queue.attend() == Attention(wake=False, over_limit=True)


def test_batches_come_from_the_front_and_leave_flight_when_delivered() -> None:
    """A sealed batch is in flight and counted as pending until delivered."""
    queue = SendQueue(buffer_limit=100)
    queue.extend(_state(value) for value in range(5))
    batch = queue.take_batch(3, include_attributes=True, set_aside=_refuse)
    assert len(batch.events) == 3
    assert queue.inflight is batch
    assert (len(queue), queue.pending) == (2, 5)
    queue.delivered()
    assert queue.inflight is None
    assert queue.pending == 2
    assert queue.take_batch(3, include_attributes=True, set_aside=_refuse).seq == batch.seq + 1


def test_a_refused_batch_is_split_in_front_of_the_queue() -> None:
    """Halves go first, the first half leading; a lone refused event is handed back."""
    queue = SendQueue(buffer_limit=100)
    queue.extend(_state(value) for value in range(4))
    batch = queue.take_batch(4, include_attributes=True, set_aside=_refuse)
    assert queue.split_refused(batch) is None
    assert queue.inflight is None
    assert queue.pending == 4
    assert queue.front_is_chunk()
    first = queue.take_batch(4, include_attributes=True, set_aside=_refuse)
    assert first.events == batch.events[:2]
    lone = queue.take_batch(4, include_attributes=True, set_aside=_refuse)
    queue.split_refused(lone)
    single = queue.take_batch(4, include_attributes=True, set_aside=_refuse)
    assert queue.split_refused(single) == batch.events[2]


def test_the_status_survives_a_round_trip_through_the_store() -> None:
    """Counters, dead letters and the last success come back; the moment's state does not."""
    status = OutboxStatus(events_sent=7, dropped_events=2, failed_pushes=3, connected=True)
    status.last_success = datetime(2026, 1, 1, tzinfo=UTC)
    for index in range(DEAD_LETTERS_KEPT + 1):
        status.add_dead_letter(400, "bad_request", "no", {"index": index})
    restored = OutboxStatus.from_store(status.to_store())
    assert (restored.events_sent, restored.dropped_events) == (7, 2)
    assert restored.dead_letter_count == DEAD_LETTERS_KEPT + 1
    assert [letter["event"]["index"] for letter in restored.dead_letters] == list(
        range(1, DEAD_LETTERS_KEPT + 1)
    )
    assert restored.last_success == status.last_success
    assert (restored.failed_pushes, restored.connected) == (0, False)
    assert OutboxStatus.from_store({}) == OutboxStatus()
