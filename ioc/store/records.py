"""The typed records the store's read queries return (:mod:`ioc.store.queries`).

Pure (no driver import), so pages, widgets' callers and tests can name them
without a database.  Frozen: a cached answer shared between app workers
(:mod:`ioc.cache`) is the same value as a fresh one.  Column names match the
SQL that fills them (psycopg's ``class_row``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# pydantic (the cache's codec) needs typing_extensions' TypedDict before Python 3.12.
from typing_extensions import TypedDict

from vocab.severity import IncidentStatus, Severity
from vocab.text import in_lang

__all__ = [
    "ActiveRuleIncident",
    "BoundaryRow",
    "ChannelHealth",
    "CovidDay",
    "DeliveryRow",
    "DossierCounts",
    "DossierDay",
    "EgovCounts",
    "FeedRow",
    "IncidentCauseRow",
    "IncidentChange",
    "IncidentLogRow",
    "IncidentRow",
    "LatestValues",
    "OutboxItem",
    "OutboxRow",
    "OverdueDossier",
    "ReportRow",
    "ResponseStat",
    "SeriesPoint",
    "WardDevice",
    "WardDossiers",
    "WardRow",
]

# device -> metric -> (value, epoch seconds): the newest reading of each metric.
LatestValues = dict[str, dict[str, tuple[float, float]]]


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


@dataclass(frozen=True, slots=True)
class WardRow:
    code: str
    name: str
    name_en: str
    kind: str
    population: int | None
    area_km2: float | None
    lat: float | None
    lon: float | None
    boundary_source: str

    def label(self, lang: str) -> str:
        return in_lang(lang, self.name, self.name_en)


class BoundaryRow(TypedDict):
    """A ward as :func:`geodata.features.ward_features` draws it (that function takes mappings)."""

    code: str
    name: str
    name_en: str
    kind: str
    population: int | None
    area_km2: float | None
    geometry_simplified: dict[str, Any] | None
    boundary_source: str


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """An incident as lists and the detail view show it.

    ``cause`` is the stored :class:`ioc.model.IncidentCause` (``{}`` for incidents
    stored before causes were data: those show their stored ``title``);
    ``ward_code`` None is a city-level incident.
    """

    id: int
    opened_at: datetime
    updated_at: datetime
    ward_code: str | None
    domain: str
    kind: str
    severity: Severity
    status: IncidentStatus
    title: str
    lat: float | None
    lon: float | None
    version: int = 1
    cause: dict[str, Any] = field(default_factory=dict)
    current_value: float | None = None
    peak_value: float | None = None
    acknowledged_at: datetime | None = None
    dispatched_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    team: str | None = None
    assignee: str | None = None
    resolution: str | None = None
    causes: int = 1  # how many causes are linked to it, the opening one included

    @property
    def ack_s(self) -> float | None:
        """Seconds from opening to the first acknowledgement (or dispatch / resolution)."""
        return _secs(self.opened_at, self.acknowledged_at)

    @property
    def resolve_s(self) -> float | None:
        """Seconds from opening to its resolution."""
        return _secs(self.opened_at, self.resolved_at)


def _secs(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds())


@dataclass(frozen=True, slots=True)
class IncidentLogRow:
    """One change of an incident (``incident_log``), oldest first in a timeline."""

    id: int
    incident_id: int
    at: datetime
    actor: str
    action: str  # open, escalate, attach, ack, dispatch, comment, resolve, auto_resolve, ...
    from_status: str | None
    to_status: str | None
    severity_from: str | None
    severity_to: str | None
    version: int | None
    note: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IncidentCauseRow:
    """A cause linked to an incident: the one that opened it (``is_primary``) or a correlated one."""

    id: int
    incident_id: int
    cause_key: str
    at: datetime
    is_primary: bool
    domain: str
    kind: str
    severity: Severity
    cause: dict[str, Any]
    value: float | None
    peak_value: float | None


@dataclass(frozen=True, slots=True)
class ResponseStat:
    """Response times of the incidents of one domain and severity opened in a period (seconds)."""

    domain: str
    severity: Severity
    n: int
    acked: int
    resolved: int
    ack_median_s: float | None
    ack_p90_s: float | None
    resolve_median_s: float | None
    resolve_p90_s: float | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A citizen report as its newest event leaves it."""

    id: str
    time: datetime
    ward_code: str
    category: str | None
    text: str | None
    status: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DossierCounts:
    """Public-service dossiers over a period (see :mod:`ioc.store.queries` for the attributes)."""

    received: int
    online: int
    in_person: int
    level34: int
    resolved: int
    on_time: int
    overdue: int

    @property
    def on_time_pct(self) -> float | None:
        """Resolved on time, percent of resolved; None when none was resolved."""
        return _pct(self.on_time, self.resolved)

    @property
    def online_pct(self) -> float | None:
        return _pct(self.online, self.received)

    @property
    def level34_pct(self) -> float | None:
        return _pct(self.level34, self.received)


@dataclass(frozen=True, slots=True, kw_only=True)
class DossierDay(DossierCounts):
    day: str  # local (Asia/Ho_Chi_Minh) date, ``yyyy-mm-dd``


@dataclass(frozen=True, slots=True, kw_only=True)
class WardDossiers(DossierCounts):
    ward_code: str


@dataclass(frozen=True, slots=True)
class OverdueDossier:
    time: datetime
    ward_code: str
    dossier: str
    procedure: str | None
    channel: str | None


@dataclass(frozen=True, slots=True)
class EgovCounts:
    issued: int  # e-documents (an event's ``count``, else one)
    signed: int
    meetings: int

    @property
    def signed_pct(self) -> float | None:
        return _pct(self.signed, self.issued)


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One rollup bucket of a ward's metric."""

    bucket: datetime
    avg: float
    min: float
    max: float
    count: int


@dataclass(frozen=True, slots=True)
class WardDevice:
    device_id: str
    domain: str
    lat: float | None
    lon: float | None
    last_seen: datetime
    online: bool | None


@dataclass(frozen=True, slots=True)
class CovidDay:
    """One ward's local day: new cases (sum of the day's reports), first doses (running total)."""

    ward_code: str
    day: str  # local date, ``yyyy-mm-dd``
    new_cases: float | None
    dose1: float | None


# ---- notifications (ioc.store.outbox) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentChange:
    """An incident_log row with its incident as it is now: what one notification tells."""

    log_id: int
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    severity_from: str | None  # set when the change raised the severity
    severity_to: str | None
    note: str
    incident_id: int
    opened_at: datetime
    ward_code: str | None
    domain: str
    kind: str
    severity: Severity
    status: IncidentStatus
    title: str
    cause: dict[str, Any]  # the incident's primary cause (ioc.model.IncidentCause, stored)
    current_value: float | None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message to put in the outbox (the notifier plans them, the store inserts them)."""

    dedup_key: str
    channel: str
    route: str
    incident_id: int
    log_id: int | None
    kind: str  # change | repeat | escalate
    severity: str
    payload: dict[str, Any]
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    created_at: datetime
    channel: str
    route: str
    incident_id: int
    kind: str
    severity: str
    payload: dict[str, Any]
    attempts: int
    status: str
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    channel: str
    kind: str
    state: str  # ok | failing
    failures: int
    retry_at: datetime
    last_ok_at: datetime | None
    last_failed_at: datetime | None
    last_error: str | None
    pending: int


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    at: datetime
    outbox_id: int
    channel: str
    incident_id: int
    outcome: str  # sent | failed
    detail: str
    duration_ms: int


# ---- the periodic checks (ioc.store.feeds) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedRow:
    device_id: str
    ward_code: str
    domain: str
    last_seen: datetime  # ioc.model.NEVER until it sends data
    online: bool | None


@dataclass(frozen=True, slots=True)
class ActiveRuleIncident:
    dedup_key: str
    step: int
