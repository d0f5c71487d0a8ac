"""Rule evaluation hook: which new readings and events open, refresh or resolve an incident.

Pure.  Readings at a metric's alarm level open one incident per ward and metric
(deduplicated while it is active; its severity follows the value, so a value
that crosses a higher level escalates it); :class:`AlarmTracker` resolves it
when no device of that ward is at the alarm level any more.  Field alerts and
security alerts open one incident each; a security ``alert.resolved`` resolves
the incident of the alert it names.  Citizen reports of a category that matches
a correlation group only ever attach to an incident.  Warning levels only colour
devices on the map.

Each finding carries its cause as data (:class:`ioc.model.IncidentCause`) and a
correlation group (:data:`METRIC_GROUPS`, :data:`EVENT_GROUPS`,
:data:`REPORT_GROUPS`): the store attaches findings of one ward and group within
the correlation window to one incident.  City-level events (the city code in the
ward position) give incidents without a ward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from ioc.contract import CATALOGUE, CITY, EVENT_TYPES
from ioc.incident_text import cause_title
from ioc.model import EventRow, IncidentCandidate, IncidentCause, ReadingRow, Resolution
from vocab.severity import Severity, is_severity

__all__ = [
    "EVENT_GROUPS",
    "METRIC_GROUPS",
    "REPORT_GROUPS",
    "AlarmTracker",
    "evaluate",
    "event_resolutions",
]

# Correlation groups: findings of different domains about the same thing on the ground.
METRIC_GROUPS: dict[str, str] = {
    "flood_depth_cm": "flood", "level_m": "flood", "rain_mm": "flood",
    "speed_kmh": "traffic", "occupancy_pct": "traffic",
    "lamps_fault": "lighting",
    "pm25": "air", "pm10": "air", "no2": "air", "so2": "air", "co": "air", "o3": "air",
    "laeq_db": "noise",
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


def _reading_candidates(
    readings: Iterable[ReadingRow], domain_of: Mapping[str, str]
) -> dict[str, IncidentCandidate]:
    worst: dict[str, tuple[ReadingRow, str]] = {}
    for r in readings:
        dom = domain_of.get(r.device_id)
        if dom is None:
            continue
        m = CATALOGUE[dom].metrics.get(r.metric)
        if m is None or m.state(r.value) != "alarm":
            continue
        key = f"alarm:{r.ward_code}:{dom}:{r.metric}"
        prev = worst.get(key)
        if prev is None or (r.value > prev[0].value) == (m.bad == "high"):
            worst[key] = (r, dom)
    out = {}
    for key, (r, dom) in worst.items():
        m = CATALOGUE[dom].metrics[r.metric]
        level = m.alarm if m.alarm is not None else r.value
        severe = (r.value >= 1.5 * level) if m.bad == "high" else (r.value <= 0.5 * level)
        cause = IncidentCause(
            domain=dom, kind=f"{r.metric}.alarm", ward_code=r.ward_code, metric=r.metric,
            value=r.value, unit=m.unit, threshold=m.alarm, device=r.device_id,
        )  # fmt: skip
        out[key] = IncidentCandidate(
            dedup_key=key,
            ward_code=r.ward_code,
            domain=dom,
            kind=f"{r.metric}.alarm",
            severity="critical" if severe else "high",
            title=cause_title(cause, "vi"),
            cause=cause,
            group=METRIC_GROUPS.get(r.metric),
            detail={"time": r.time.isoformat()},
            source=r.device_id,
            time=r.time,
        )
    return out


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


def evaluate(
    readings: Iterable[ReadingRow], events: Iterable[EventRow], domain_of: Mapping[str, str]
) -> list[IncidentCandidate]:
    """Incident candidates for the *new* rows of one batch.

    ``domain_of`` maps device id to domain (readings do not carry it).
    """
    found: dict[str, IncidentCandidate] = _reading_candidates(readings, domain_of)
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


class AlarmTracker:
    """Which (ward, domain, metric) are at their alarm level, from each device's newest reading.

    Kept by the ingest worker across batches.  ``update`` only proposes the new
    state; ``commit`` adopts it once the batch's transaction has committed, so a
    retried batch is judged against the state from before it.  After a restart
    the tracker knows only the devices heard from since.
    """

    def __init__(self) -> None:
        self._state: dict[tuple[str, str, str], dict[str, tuple[float, bool]]] = {}
        self._pending: dict[tuple[str, str, str], dict[str, tuple[float, bool]]] = {}

    def update(
        self, readings: Iterable[ReadingRow], domain_of: Mapping[str, str]
    ) -> list[Resolution]:
        """Resolutions for the ward alarms this batch clears (call ``commit`` after writing)."""
        pending: dict[tuple[str, str, str], dict[str, tuple[float, bool]]] = {}
        last: dict[tuple[str, str, str], datetime] = {}
        for r in readings:
            dom = domain_of.get(r.device_id)
            m = CATALOGUE[dom].metrics.get(r.metric) if dom in CATALOGUE else None
            if dom is None or m is None or m.alarm is None:
                continue
            key = (r.ward_code, dom, r.metric)
            devices = pending.get(key)
            if devices is None:
                devices = pending[key] = dict(self._state.get(key, {}))
            ts = r.time.timestamp()
            prev = devices.get(r.device_id)
            if prev is None or ts >= prev[0]:
                devices[r.device_id] = (ts, m.state(r.value) == "alarm")
            last[key] = max(last.get(key, r.time), r.time)
        self._pending = pending
        out = []
        for key, devices in pending.items():
            before = any(alarm for _, alarm in self._state.get(key, {}).values())
            if before and not any(alarm for _, alarm in devices.values()):
                ward, dom, metric = key
                note = "alarm_cleared"  # a code: the timeline shows it translated
                out.append(Resolution(f"alarm:{ward}:{dom}:{metric}", last[key], note))
        return out

    def commit(self) -> None:
        self._state.update(self._pending)
        self._pending = {}
