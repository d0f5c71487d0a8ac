"""Value types of the data path: the rows a batch becomes, what a write reports, incident
changes, and how long the store keeps each kind of data.

Pure (no driver imports), so the ingest stages that build them and the tests that
check them need no database.  :mod:`ioc.store.writer` stores them.

An incident's cause is data (:class:`IncidentCause`), never frozen text: the
screens and the API render its title at display time in the reader's language
and number format (:mod:`ioc.incident_text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from vocab.severity import Severity, severity_rank

# The last_seen of a device that has sent no data yet (only a status message).
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

__all__ = [
    "NEVER",
    "BatchRows",
    "DeadLetterRow",
    "DeviceRow",
    "EventRow",
    "IncidentCandidate",
    "IncidentCause",
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
class IncidentCause:
    """What an incident (or one of its linked causes) is about, as data.

    A sensor alarm fills ``metric``, ``value``, ``unit``, ``threshold`` and ``device``;
    an event (field alert, security alert, citizen report) fills ``source`` and
    ``event_ids``, and ``text`` / ``category`` when the source sent them (its own
    words, shown as they are).  ``ward_code`` None: a city-level cause.  A finding of
    the rules file names its ``rule`` and ``step`` (1-based), so its title is the
    rule's message in the reader's language (:func:`ioc.rules.render.cause_message`).
    """

    domain: str
    kind: str  # "flood_depth_cm.alarm", "traffic.accident", "alert.raised", "report.created"
    ward_code: str | None = None
    metric: str | None = None
    value: float | None = None
    unit: str | None = None
    threshold: float | None = None
    device: str | None = None
    source: str | None = None
    event_ids: tuple[str, ...] = ()
    text: str | None = None
    category: str | None = None
    rule: str | None = None
    step: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The stored form (``incidents.cause``, ``incident_causes.cause``): set fields only."""
        out: dict[str, Any] = {"domain": self.domain, "kind": self.kind}
        for name in ("ward_code", "metric", "value", "unit", "threshold", "device", "source",
                     "text", "category", "rule", "step"):  # fmt: skip
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.event_ids:
            out["event_ids"] = list(self.event_ids)
        return out

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> IncidentCause | None:
        """The cause stored by :meth:`to_json`; None for incidents stored before causes were data."""
        if not isinstance(doc.get("domain"), str) or not isinstance(doc.get("kind"), str):
            return None

        def num(key: str) -> float | None:
            v = doc.get(key)
            return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

        def text(key: str) -> str | None:
            v = doc.get(key)
            return v if isinstance(v, str) else None

        ids = doc.get("event_ids")
        return cls(
            domain=doc["domain"],
            kind=doc["kind"],
            ward_code=text("ward_code"),
            metric=text("metric"),
            value=num("value"),
            unit=text("unit"),
            threshold=num("threshold"),
            device=text("device"),
            source=text("source"),
            event_ids=tuple(str(i) for i in ids) if isinstance(ids, list) else (),
            text=text("text"),
            category=text("category"),
            rule=text("rule"),
            step=int(step) if (step := num("step")) is not None else None,
        )


@dataclass(frozen=True, slots=True)
class IncidentCandidate:
    """A rule's finding: open an incident, refresh the active one holding the same key, or
    attach to an active incident of the same ward and correlation ``group``.

    ``ward_code`` None: a city-level incident (the security centre).  ``group`` names
    what causes of different domains have in common ("flood": a flood-depth alarm, a
    field flood alert, a citizen report of flooding); None: never correlated.
    ``opens`` False: the finding only ever attaches to an existing incident (a citizen
    report alone opens none).  ``title`` is the stored Vietnamese text for readers of
    the table; the screens render the cause instead.
    """

    dedup_key: str
    ward_code: str | None
    domain: str
    kind: str
    severity: Severity
    title: str
    cause: IncidentCause
    group: str | None = None
    opens: bool = True
    detail: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    lat: float | None = None
    lon: float | None = None
    time: datetime | None = None  # when it happened (the reading's or event's time)

    def worse_than(self, severity: str) -> bool:
        """True when this finding's severity is above ``severity`` (an escalation)."""
        return severity_rank(self.severity) > severity_rank(severity)  # type: ignore[arg-type]


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
    incidents_escalated: int = 0
    causes_attached: int = 0


@dataclass(frozen=True, slots=True)
class Policies:
    """Retention and compression, as the settings give them (``Settings.policies``)."""

    raw: timedelta  # readings, events, event keys, hourly rollups
    minute_rollups: timedelta
    compress_after: timedelta  # TimescaleDB only
