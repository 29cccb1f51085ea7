"""What the outbox tells about itself: counters, connection, the last error and dead letters.

The counters and dead letters survive restarts (`to_store` / `restore`, kept in the same
document as the queue); the connection state and the error of the moment do not.
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from homeassistant.util import dt as dt_util

DEAD_LETTERS_KEPT = 20


@dataclass(slots=True)
class OutboxStatus:
    """One pairing's delivery counters and state, as sensors and diagnostics show them."""

    events_sent: int = 0
    failed_pushes: int = 0
    dropped_events: int = 0
    dead_letter_count: int = 0
    dead_letters: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=DEAD_LETTERS_KEPT)
    )
    last_success: datetime | None = None
    last_error: str | None = None
    # Odoo accepts pushes.
    connected: bool = False
    # Odoo refused the pairing: pushing stopped until the user acts.
    halted: bool = False
    # Failed retries of the batch in flight, in a row.
    backoff_attempt: int = 0

    def add_dead_letter(
        self, status: int | None, code: str | None, message: str | None, event: Any
    ) -> None:
        """Count an event set aside and keep it among the latest ones."""
        self.dead_letter_count += 1
        self.dead_letters.append(
            {
                "time": dt_util.utcnow().isoformat(),
                "status": status,
                "code": code,
                "message": message,
                "event": event,
            }
        )

    def to_store(self) -> dict[str, Any]:
        """Return the part that survives a restart, as the store keeps it."""
        return {
            "events_sent": self.events_sent,
            "dropped_events": self.dropped_events,
            "dead_letter_count": self.dead_letter_count,
            "dead_letters": list(self.dead_letters),
            "last_success": self.last_success.isoformat() if self.last_success else None,
        }

    def restore(self, stored: dict[str, Any]) -> None:
        """Take in place the part saved by `to_store`: the outbox's parts share this status."""
        saved = self.from_store(stored)
        for name in ("events_sent", "dropped_events", "dead_letter_count", "last_success"):
            setattr(self, name, getattr(saved, name))
        self.dead_letters.extend(saved.dead_letters)

    @classmethod
    def from_store(cls, stored: dict[str, Any]) -> Self:
        """Return the status saved by `to_store` (an empty document: a fresh status)."""
        status = cls(
            events_sent=int(stored.get("events_sent", 0)),
            dropped_events=int(stored.get("dropped_events", 0)),
            dead_letter_count=int(stored.get("dead_letter_count", 0)),
        )
        status.dead_letters.extend(stored.get("dead_letters", []))
        if last_success := stored.get("last_success"):
            status.last_success = dt_util.parse_datetime(last_success)
        return status
