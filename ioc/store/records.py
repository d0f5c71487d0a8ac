"""The typed records the store's read queries return (:mod:`ioc.store.queries`).

Pure (no driver import), so pages, widgets' callers and tests can name them
without a database.  Frozen: a cached answer shared between app workers
(:mod:`ioc.cache`) is the same value as a fresh one.  Column names match the
SQL that fills them (psycopg's ``class_row``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# pydantic (the cache's codec) needs typing_extensions' TypedDict before Python 3.12.
from typing_extensions import TypedDict

from vocab.severity import IncidentStatus, Severity
from vocab.text import in_lang

__all__ = [
    "BoundaryRow",
    "CovidDay",
    "DossierCounts",
    "DossierDay",
    "EgovCounts",
    "IncidentRow",
    "LatestValues",
    "OverdueDossier",
    "ReportRow",
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
