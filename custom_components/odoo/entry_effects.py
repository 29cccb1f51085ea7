"""What the outbox asks of its config entry: re-authentication and repair issues.

The outbox only names the effect (`Reauthenticate`, `RaiseIssue`, `ClearIssue`) through the
callback it is given; `async_apply_effect` carries it out on the entry, so the outbox is
tested without a config entry and every issue is described in one table.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, ISSUE_CLOCK_SKEW, ISSUE_INSTANCE_REMOVED, ISSUE_OUTBOX_OVERFLOW

if TYPE_CHECKING:
    from .runtime import OdooConfigEntry


@dataclass(frozen=True, slots=True)
class Reauthenticate:
    """Odoo refused the pairing's credentials: ask the user for new ones."""


@dataclass(frozen=True, slots=True)
class RaiseIssue:
    """Raise (or update) one of the entry's repair issues."""

    issue: str
    placeholders: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClearIssue:
    """Delete one of the entry's repair issues."""

    issue: str


type EntryEffect = Reauthenticate | RaiseIssue | ClearIssue
type EntryEffects = Callable[[EntryEffect], None]

# Issue → severity and whether it has a fix flow (`repairs.py`: pair again).
ISSUES: dict[str, tuple[ir.IssueSeverity, bool]] = {
    ISSUE_INSTANCE_REMOVED: (ir.IssueSeverity.ERROR, True),
    ISSUE_OUTBOX_OVERFLOW: (ir.IssueSeverity.WARNING, False),
    ISSUE_CLOCK_SKEW: (ir.IssueSeverity.ERROR, False),
}


@callback
def async_apply_effect(hass: HomeAssistant, entry: OdooConfigEntry, effect: EntryEffect) -> None:
    """Carry out what the outbox asks of the entry."""
    match effect:
        case Reauthenticate():
            entry.async_start_reauth(hass)
        case RaiseIssue(issue=issue, placeholders=placeholders):
            severity, fixable = ISSUES[issue]
            ir.async_create_issue(
                hass,
                DOMAIN,
                f"{issue}_{entry.entry_id}",
                is_fixable=fixable,
                data={"entry_id": entry.entry_id} if fixable else None,
                severity=severity,
                translation_key=issue,
                translation_placeholders={"title": entry.title, **placeholders},
            )
        case ClearIssue(issue=issue):
            async_clear_issues(hass, entry.entry_id, issue)


@callback
def async_clear_issues(hass: HomeAssistant, entry_id: str, *issues: str) -> None:
    """Delete repair issues of an entry (those not raised are skipped)."""
    for issue in issues:
        ir.async_delete_issue(hass, DOMAIN, f"{issue}_{entry_id}")
