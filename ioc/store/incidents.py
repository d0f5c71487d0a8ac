"""Incidents from ingest: open, refresh, escalate, correlate and resolve, each change logged.

Runs inside the batch's transaction (:func:`ioc.store.writer.write_batch`).  An
active incident is found by any of its causes (``incident_causes.cause_key``, the
rule's dedup key), so a second alarm for the same ward and metric refreshes the
incident instead of opening another.  For each finding, in a fixed order:

1. an active incident already holds its key: refresh the cause's current value and
   peak; when the finding is more severe, **escalate** (severity, version and a log
   row with the severity before and after — never silently);
2. else, with a correlation window, an active incident of the same ward (or both
   city-level) and correlation group whose newest cause is within the window:
   **attach** the finding as a linked cause (log row ``attach``);
3. else, if the finding may open one: **open** a new incident (log row ``open``).

Every change moves ``incidents.version`` and writes one ``incident_log`` row with
what a notifier needs: incident, action, status and severity before and after,
actor (``ingest``), note, time, and the cause in ``data``.  Value refreshes that
change nothing else move neither.  Operator actions are in
:mod:`ioc.store.incident_actions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from ioc.contract.catalogue import CATALOGUE
from ioc.model import IncidentCandidate, Resolution
from vocab.severity import ACTIVE_STATUSES

__all__ = ["IncidentChanges", "log_change", "open_incidents", "resolve_incidents"]

Cursor = psycopg.Cursor[Any]
ACTOR = "ingest"
_ACTIVE = list(ACTIVE_STATUSES)


@dataclass(slots=True)
class IncidentChanges:
    opened: int = 0
    escalated: int = 0
    attached: int = 0


def log_change(
    cur: Cursor,
    incident_id: int,
    actor: str,
    action: str,
    *,
    version: int,
    from_status: str | None = None,
    to_status: str | None = None,
    severity_from: str | None = None,
    severity_to: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """One ``incident_log`` row: the change feed every screen and notifier reads."""
    cur.execute(
        "INSERT INTO incident_log (incident_id, actor, action, from_status, to_status,"
        " severity_from, severity_to, version, note, data)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (incident_id, actor, action, from_status, to_status, severity_from, severity_to,
         version, note, Jsonb(data or {})),
    )  # fmt: skip


def _high_is_bad(c: IncidentCandidate) -> bool:
    dom = CATALOGUE.get(c.cause.domain)
    m = dom.metrics.get(c.cause.metric or "") if dom else None
    return m is None or m.bad == "high"


# The worse of the stored peak and the new value, by the metric's direction.
_PEAK = "CASE WHEN %(high)s THEN greatest({col}, %(value)s) ELSE least({col}, %(value)s) END"

_HOLDER = """
SELECT i.id, i.status, i.severity, i.version, c.id, c.is_primary
FROM incident_causes c JOIN incidents i ON i.id = c.incident_id
WHERE c.cause_key = %s AND i.status = ANY(%s)
ORDER BY i.id DESC LIMIT 1
FOR UPDATE OF i
"""

_CORRELATED = """
SELECT id, status, severity, version FROM incidents
WHERE status = ANY(%(active)s) AND corr_group = %(group)s
  AND ward_code IS NOT DISTINCT FROM %(ward)s
  AND last_cause_at >= %(at)s - %(window)s AND opened_at <= %(at)s + %(window)s
ORDER BY last_cause_at DESC, id DESC LIMIT 1
FOR UPDATE
"""

_INSERT = """
INSERT INTO incidents (ward_code, domain, kind, severity, title, detail, source, dedup_key,
                       lat, lon, opened_at, cause, corr_group, current_value, peak_value,
                       last_cause_at)
VALUES (%(ward)s, %(domain)s, %(kind)s, %(severity)s, %(title)s, %(detail)s, %(source)s,
        %(key)s, %(lat)s, %(lon)s, coalesce(%(at)s, now()), %(cause)s, %(group)s,
        %(value)s, %(value)s, coalesce(%(at)s, now()))
ON CONFLICT (dedup_key) WHERE status NOT IN ('resolved', 'closed') DO NOTHING
RETURNING id
"""

_INSERT_CAUSE = """
INSERT INTO incident_causes (incident_id, cause_key, at, is_primary, domain, kind, severity,
                             cause, value, peak_value)
VALUES (%s, %s, coalesce(%s, now()), %s, %s, %s, %s, %s, %s, %s)
"""


def _cause_params(c: IncidentCandidate) -> dict[str, Any]:
    return {"value": c.cause.value, "high": _high_is_bad(c), "at": c.time}


def _escalate_or_touch(
    cur: Cursor, incident: tuple[Any, ...], c: IncidentCandidate, action: str, data: dict[str, Any]
) -> bool:
    """Bump the incident for a change (``attach``) or a more severe finding; True if escalated."""
    iid, status, severity, version = incident[:4]
    escalate = c.worse_than(severity)
    if action != "attach" and not escalate:
        return False
    new_severity = c.severity if escalate else severity
    cur.execute(
        "UPDATE incidents SET severity = %s, version = version + 1, updated_at = now() "
        "WHERE id = %s",
        (new_severity, iid),
    )
    log_change(
        cur, iid, ACTOR, action, version=version + 1, from_status=status, to_status=status,
        severity_from=severity if escalate else None,
        severity_to=new_severity if escalate else None,
        data=data,
    )  # fmt: skip
    return escalate


def _refresh(cur: Cursor, holder: tuple[Any, ...], c: IncidentCandidate) -> bool:
    """The finding again: current value, peak, newest time; escalate when more severe."""
    iid, _status, _sev, _ver, cause_id, is_primary = holder
    p = {**_cause_params(c), "cause_id": cause_id, "iid": iid, "severity": c.severity}
    if c.cause.value is not None:
        cur.execute(
            "UPDATE incident_causes SET value = %(value)s, peak_value = "
            + _PEAK.format(col="coalesce(peak_value, %(value)s)")
            + " WHERE id = %(cause_id)s",
            p,
        )
        if is_primary:
            cur.execute(
                "UPDATE incidents SET current_value = %(value)s, peak_value = "
                + _PEAK.format(col="coalesce(peak_value, %(value)s)")
                + " WHERE id = %(iid)s",
                p,
            )
    cur.execute(
        "UPDATE incidents SET updated_at = now(),"
        " last_cause_at = greatest(last_cause_at, coalesce(%(at)s, now())) WHERE id = %(iid)s",
        p,
    )
    if c.worse_than(_sev):
        cur.execute("UPDATE incident_causes SET severity = %(severity)s WHERE id = %(cause_id)s", p)
    data = {"cause_key": c.dedup_key, "cause": c.cause.to_json()}
    return _escalate_or_touch(cur, holder, c, "escalate", data)


def _attach(cur: Cursor, incident: tuple[Any, ...], c: IncidentCandidate) -> bool:
    """Link the finding to a correlated incident as one more cause; True if that escalated it."""
    iid = incident[0]
    cur.execute(
        _INSERT_CAUSE,
        (iid, c.dedup_key, c.time, False, c.cause.domain, c.kind, c.severity,
         Jsonb(c.cause.to_json()), c.cause.value, c.cause.value),
    )  # fmt: skip
    cur.execute(
        "UPDATE incidents SET last_cause_at = greatest(last_cause_at, coalesce(%s, now()))"
        " WHERE id = %s",
        (c.time, iid),
    )
    data = {"cause_key": c.dedup_key, "cause": c.cause.to_json()}
    return _escalate_or_touch(cur, incident, c, "attach", data)


def _insert(cur: Cursor, c: IncidentCandidate) -> int | None:
    """A new incident with its first cause and its ``open`` log row; None if another
    transaction opened one for the same key meanwhile."""
    cur.execute(
        _INSERT,
        {
            "ward": c.ward_code, "domain": c.domain, "kind": c.kind, "severity": c.severity,
            "title": c.title, "detail": Jsonb(c.detail), "source": c.source, "key": c.dedup_key,
            "lat": c.lat, "lon": c.lon, "at": c.time, "cause": Jsonb(c.cause.to_json()),
            "group": c.group, "value": c.cause.value,
        },
    )  # fmt: skip
    row = cur.fetchone()
    if row is None:
        return None
    iid = int(row[0])
    cur.execute(
        _INSERT_CAUSE,
        (iid, c.dedup_key, c.time, True, c.cause.domain, c.kind, c.severity,
         Jsonb(c.cause.to_json()), c.cause.value, c.cause.value),
    )  # fmt: skip
    log_change(
        cur, iid, ACTOR, "open", version=1, to_status="open", severity_to=c.severity,
        data={"cause_key": c.dedup_key, "cause": c.cause.to_json()},
    )  # fmt: skip
    return iid


def _order(c: IncidentCandidate) -> tuple[str, str, str]:
    return (c.ward_code or "", c.group or "", c.dedup_key)


def open_incidents(
    conn: psycopg.Connection[Any],
    candidates: Sequence[IncidentCandidate],
    *,
    correlation_window: timedelta | None = None,
) -> IncidentChanges:
    """Open, refresh, escalate or attach (module docstring); inside the caller's transaction.

    ``correlation_window`` None or zero: findings never attach to another key's incident.
    """
    changes = IncidentChanges()
    correlate = correlation_window is not None and correlation_window > timedelta(0)
    with conn.cursor() as cur:
        # A fixed order (and per-group locks taken in it) keeps two workers from deadlocking
        # and from opening two incidents for one ward and group at the same moment.
        for c in sorted(candidates, key=_order):
            grouped = correlate and c.group is not None
            if grouped:
                cur.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    (f"incident-group:{c.ward_code or 'city'}:{c.group}",),
                )
            holder = cur.execute(_HOLDER, (c.dedup_key, _ACTIVE)).fetchone()
            if holder is not None:
                changes.escalated += _refresh(cur, holder, c)
                continue
            if grouped:
                target = cur.execute(
                    _CORRELATED,
                    {"active": _ACTIVE, "group": c.group, "ward": c.ward_code,
                     "at": c.time, "window": correlation_window},
                ).fetchone()  # fmt: skip
                if target is not None:
                    changes.attached += 1
                    changes.escalated += _attach(cur, target, c)
                    continue
            if not c.opens:
                continue
            if _insert(cur, c) is not None:
                changes.opened += 1
                continue
            holder = cur.execute(_HOLDER, (c.dedup_key, _ACTIVE)).fetchone()
            if holder is not None:  # opened by another worker since we looked
                changes.escalated += _refresh(cur, holder, c)
    return changes


# Operators own an incident once it is dispatched; only open or acknowledged
# ones are resolved automatically when their cause ends.
def resolve_incidents(conn: psycopg.Connection[Any], resolutions: Sequence[Resolution]) -> int:
    """Resolve the active incidents these name (by the key that opened them); how many."""
    done = 0
    with conn.cursor() as cur:
        for r in sorted(resolutions, key=lambda r: r.dedup_key):
            row = cur.execute(
                "SELECT id, status, version FROM incidents WHERE dedup_key = %s "
                "AND status IN ('open', 'acknowledged') FOR UPDATE",
                (r.dedup_key,),
            ).fetchone()
            if row is None:
                continue
            iid, status, version = row
            cur.execute(
                "UPDATE incidents SET status = 'resolved', version = version + 1,"
                " updated_at = now(), resolved_at = %s WHERE id = %s",
                (r.time, iid),
            )
            log_change(
                cur, iid, ACTOR, "auto_resolve", version=version + 1, from_status=status,
                to_status="resolved", note=r.note, data={"cause_key": r.dedup_key},
            )  # fmt: skip
            done += 1
    return done
