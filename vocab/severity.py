"""Incident severities and statuses, defined once for the store, the rules and the screens."""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ACTIVE_STATUSES",
    "SEVERITIES",
    "STATUSES",
    "TRANSITIONS",
    "IncidentStatus",
    "Severity",
    "is_severity",
    "severity_rank",
    "worst",
]

Severity = Literal["low", "medium", "high", "critical"]
# Most severe first: the order lists, tiles and filters show them in.
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")

IncidentStatus = Literal["open", "acknowledged", "dispatched", "resolved", "closed"]
STATUSES: tuple[IncidentStatus, ...] = ("open", "acknowledged", "dispatched", "resolved", "closed")
# Someone still has to act on these.
ACTIVE_STATUSES: tuple[IncidentStatus, ...] = ("open", "acknowledged", "dispatched")

# Allowed status changes; anything else is refused.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    "open": frozenset({"acknowledged", "dispatched", "resolved", "closed"}),
    "acknowledged": frozenset({"dispatched", "resolved", "closed"}),
    "dispatched": frozenset({"resolved", "closed"}),
    "resolved": frozenset({"closed", "open"}),
    "closed": frozenset(),
}


def is_severity(value: object) -> bool:
    return value in SEVERITIES


def severity_rank(severity: Severity) -> int:
    """0 for low up to 3 for critical: larger is worse."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


def worst(a: Severity, b: Severity) -> Severity:
    return a if severity_rank(a) >= severity_rank(b) else b
