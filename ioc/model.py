"""Value types of the data path: the rows a batch becomes, what a write reports, incident
changes, and how long the store keeps each kind of data.

Pure (no driver imports), so the ingest stages that build them and the tests that
check them need no database.  :mod:`ioc.store.writer` stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vocab.severity import Severity

__all__ = [
    "BatchRows",
    "DeadLetterRow",
    "DeviceRow",
    "EventRow",
    "IncidentCandidate",
    "Policies",
    "ReadingRow",
    "Resolution",
    "WriteResult",
]


@dataclass(frozen=True, slots=True)
class ReadingRow:
    time: datetime
    ward_code: str
    device_id: str
    metric: str
    value: float


@dataclass(frozen=True, slots=True)
class EventRow:
    time: datetime
    ward_code: str
    domain: str
    source: str
    event_id: str
    type: str
    attrs: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeviceRow:
    device_id: str
    ward_code: str
    domain: str
    first_seen: datetime
    last_seen: datetime
    lat: float | None = None
    lon: float | None = None
    online: bool | None = None
    located_ward: str | None = None  # from its coordinates, when boundaries are imported


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    received_at: datetime
    topic: str
    payload: bytes
    reason: str
    detail: str


@dataclass(slots=True)
class BatchRows:
    readings: list[ReadingRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    devices: list[DeviceRow] = field(default_factory=list)
    dead_letters: list[DeadLetterRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IncidentCandidate:
    """A rule's finding: open an incident, or refresh the active one with the same key."""

    dedup_key: str
    ward_code: str
    domain: str
    kind: str
    severity: Severity
    title: str
    detail: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    lat: float | None = None
    lon: float | None = None
    time: datetime | None = None  # when it happened (the reading's or event's time)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The condition behind an active incident has ended (alarm cleared, alert resolved)."""

    dedup_key: str
    time: datetime
    note: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    new_readings: list[ReadingRow]
    new_events: list[EventRow]
    duplicate_readings: int
    duplicate_events: int
    dead_letters: int
    incidents_opened: int
    incidents_resolved: int = 0


@dataclass(frozen=True, slots=True)
class Policies:
    """Retention and compression, as the settings give them (``Settings.policies``)."""

    raw: timedelta  # readings, events, event keys, hourly rollups
    minute_rollups: timedelta
    compress_after: timedelta  # TimescaleDB only
