"""The event rules and the correlation groups: which new events open, attach to or resolve an incident.

Pure.  Readings are judged by the rules file's evaluator (:mod:`ioc.rules`,
turned into incident changes by :mod:`ingest.findings`); what is left here is
about events.  Field alerts and security alerts of medium severity or more open
one incident each; a security ``alert.resolved`` resolves the incident of the
alert it names.  Citizen reports of a category that matches a correlation group
only ever attach to an incident.

Each finding carries its cause as data (:class:`ioc.model.IncidentCause`) and a
correlation group (:data:`METRIC_GROUPS` for the rules' metrics, :data:`EVENT_GROUPS`,
:data:`REPORT_GROUPS`): the store attaches findings of one ward and group within
the correlation window to one incident.  City-level events (the city code in the
ward position) give incidents without a ward.
"""

from __future__ import annotations

from collections.abc import Iterable

from ioc.contract import CITY, EVENT_TYPES
from ioc.incident_text import cause_title
from ioc.model import EventRow, IncidentCandidate, IncidentCause, Resolution
from vocab.severity import Severity, is_severity

__all__ = [
    "EVENT_GROUPS",
    "METRIC_GROUPS",
    "REPORT_GROUPS",
    "event_candidates",
    "event_resolutions",
]

# Correlation groups: findings of different domains about the same thing on the ground.
METRIC_GROUPS: dict[str, str] = {
    "flood_depth_cm": "flood", "level_m": "flood", "rain_mm": "flood",
    "speed_kmh": "traffic", "occupancy_pct": "traffic",
    "lamps_fault": "lighting",
    "pm25": "air", "pm10": "air", "no2": "air", "so2": "air", "co": "air", "o3": "air",
    "laeq_db": "noise",
    "vn_aqi": "air", "fault_pct": "lighting",
}  # fmt: skip
EVENT_GROUPS: dict[str, str] = {
    "flood.reported": "flood",
    "traffic.accident": "traffic",
    "lighting.cabinet_fault": "lighting",
}
# Citizen report categories (attrs.category).
REPORT_GROUPS: dict[str, str] = {
    "ngap_ung": "flood",
    "giao_thong": "traffic",
    "chieu_sang": "lighting",
    "moi_truong": "air",
}


def _ward(code: str) -> str | None:
    return None if code == CITY else code


def _event_severity(e: EventRow) -> Severity | None:
    declared = e.attrs.get("severity")
    if isinstance(declared, str) and is_severity(declared):
        return declared  # type: ignore[return-value]
    et = EVENT_TYPES.get(e.type)
    if et is None or et.severity == "info":
        return None
    return et.severity


def _point(e: EventRow) -> tuple[float | None, float | None]:
    lat, lon = e.attrs.get("lat"), e.attrs.get("lon")
    ok = isinstance(lat, int | float) and isinstance(lon, int | float)
    return (float(lat), float(lon)) if ok else (None, None)  # type: ignore[arg-type]


def _text(e: EventRow, key: str) -> str | None:
    value = e.attrs.get(key)
    return str(value)[:200] if isinstance(value, str) and value else None


def _report_candidate(e: EventRow) -> IncidentCandidate | None:
    """A new citizen report about a correlated matter: a cause to attach, never an incident."""
    category = e.attrs.get("category")
    group = REPORT_GROUPS.get(category) if isinstance(category, str) else None
    if e.type != "report.created" or group is None:
        return None
    report = e.attrs.get("report")
    rid = report if isinstance(report, str) and report else e.event_id
    cause = IncidentCause(
        domain=e.domain, kind=e.type, ward_code=_ward(e.ward_code), source=e.source,
        event_ids=(e.event_id,), text=_text(e, "text"), category=category,
    )  # fmt: skip
    lat, lon = _point(e)
    return IncidentCandidate(
        dedup_key=f"report:{e.source}:{rid}", ward_code=_ward(e.ward_code), domain=e.domain,
        kind=e.type, severity="low", title=cause_title(cause, "vi"), cause=cause, group=group,
        opens=False, source=e.source, time=e.time, lat=lat, lon=lon,
    )  # fmt: skip


def _event_candidate(e: EventRow) -> IncidentCandidate | None:
    if e.domain == "reports":
        return _report_candidate(e)
    if e.domain not in ("alerts", "security") or e.type.endswith(".resolved"):
        return None
    severity = _event_severity(e)
    if severity is None or severity == "low":
        return None
    cause = IncidentCause(
        domain=e.domain, kind=e.type, ward_code=_ward(e.ward_code), source=e.source,
        event_ids=(e.event_id,), text=_text(e, "text"),
    )  # fmt: skip
    lat, lon = _point(e)
    return IncidentCandidate(
        dedup_key=f"event:{e.source}:{e.event_id}",
        ward_code=_ward(e.ward_code),
        domain=e.domain,
        kind=e.type,
        severity=severity,
        title=cause_title(cause, "vi"),
        cause=cause,
        group=EVENT_GROUPS.get(e.type),
        detail={"event_id": e.event_id, "attrs": e.attrs, "time": e.time.isoformat()},
        source=e.source,
        time=e.time,
        lat=lat,
        lon=lon,
    )


def event_candidates(events: Iterable[EventRow]) -> list[IncidentCandidate]:
    """Incident candidates for the *new* events of one batch (one per key)."""
    found: dict[str, IncidentCandidate] = {}
    for e in events:
        c = _event_candidate(e)
        if c is not None:
            found[c.dedup_key] = c
    return list(found.values())


def event_resolutions(events: Iterable[EventRow]) -> list[Resolution]:
    """``alert.resolved`` names the raised alert in ``attrs.alert``: resolve its incident."""
    out = []
    for e in events:
        alert = e.attrs.get("alert")
        if e.type == "alert.resolved" and isinstance(alert, str):
            out.append(Resolution(f"event:{e.source}:{alert}", e.time, "alert.resolved"))
    return out
