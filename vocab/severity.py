"""Incident severities, statuses and operator actions, defined once for the store, the rules,
the API and the screens.

An action moves an incident along its lifecycle (:data:`ACTION_RULES`)::

    open ─ack→ acknowledged ─dispatch→ dispatched ─resolve→ resolved ─close→ closed
      └──────────dispatch / resolve──────────┘                 └──reopen──┘ (→ open)

``comment`` is allowed in every status and changes none; ``dispatch`` on a dispatched
incident hands it to another team.  Ingest's automatic resolution is not an action
(it is ``auto_resolve`` in the log).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ACTIONS",
    "ACTION_RULES",
    "ACTIVE_STATUSES",
    "SEVERITIES",
    "STATUSES",
    "TRANSITIONS",
    "Action",
    "IncidentStatus",
    "Severity",
    "is_action",
    "is_severity",
    "next_status",
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

Action = Literal["ack", "dispatch", "comment", "resolve", "close", "reopen"]
ACTIONS: tuple[Action, ...] = ("ack", "dispatch", "comment", "resolve", "close", "reopen")

# action -> (the statuses it applies to, the status it leads to; None keeps the status)
ACTION_RULES: dict[Action, tuple[frozenset[IncidentStatus], IncidentStatus | None]] = {
    "ack": (frozenset({"open"}), "acknowledged"),
    "dispatch": (frozenset({"open", "acknowledged", "dispatched"}), "dispatched"),
    "comment": (frozenset(STATUSES), None),
    "resolve": (frozenset(ACTIVE_STATUSES), "resolved"),
    "close": (frozenset({"resolved"}), "closed"),
    "reopen": (frozenset({"resolved", "closed"}), "open"),
}

# Allowed status changes (by an action), derived from the rules above.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    s: frozenset(
        to for froms, to in ACTION_RULES.values() if to is not None and to != s and s in froms
    )
    for s in STATUSES
}


def is_severity(value: object) -> bool:
    return value in SEVERITIES


def is_action(value: object) -> bool:
    return value in ACTIONS


def next_status(status: IncidentStatus, action: Action) -> IncidentStatus | None:
    """The status ``action`` leaves an incident in, or None when it is not possible from
    ``status`` (a comment keeps the status)."""
    froms, to = ACTION_RULES[action]
    if status not in froms:
        return None
    return status if to is None else to


def severity_rank(severity: Severity) -> int:
    """0 for low up to 3 for critical: larger is worse."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


def worst(a: Severity, b: Severity) -> Severity:
    return a if severity_rank(a) >= severity_rank(b) else b
