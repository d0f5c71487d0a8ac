"""Read queries of incidents: lists with filters, one incident with its log and causes,
severity counts and response times.

Same conventions as :mod:`ioc.store.queries` (which re-exports :func:`incidents` and
:func:`incident_severity_counts` under their old names): ``wards=None`` means every
ward *and* the city-level incidents; a list restricts to those wards, so ward
staff and ward pages never see city-level items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row, dict_row

from ioc.store.records import IncidentCauseRow, IncidentLogRow, IncidentRow, ResponseStat
from vocab.severity import ACTIVE_STATUSES, SEVERITIES

__all__ = [
    "incident",
    "incident_causes",
    "incident_count",
    "incident_log",
    "incident_severity_counts",
    "incidents",
    "response_times",
]

Conn = psycopg.Connection[Any]

_COLUMNS = """
    i.id, i.opened_at, i.updated_at, i.ward_code, i.domain, i.kind, i.severity, i.status, i.title,
    i.lat, i.lon, i.version, i.cause, i.current_value, i.peak_value, i.acknowledged_at,
    i.dispatched_at, i.resolved_at, i.closed_at, i.team, i.assignee, i.resolution,
    (SELECT count(*) FROM incident_causes c WHERE c.incident_id = i.id)::int AS causes
"""

_FILTER = """
    (%(wards)s::text[] IS NULL OR i.ward_code = ANY(%(wards)s::text[]))
    AND (NOT %(city_only)s OR i.ward_code IS NULL)
    AND (%(domain)s::text IS NULL OR i.domain = %(domain)s)
    AND (%(severity)s::text IS NULL OR i.severity = %(severity)s)
    AND (%(status)s::text IS NULL OR i.status = %(status)s)
    AND (NOT %(active_only)s OR i.status = ANY(%(active)s))
    AND (%(since)s::timestamptz IS NULL OR i.opened_at >= %(since)s)
"""


def _params(
    wards: Sequence[str] | None,
    domain: str | None,
    severity: str | None,
    status: str | None,
    active_only: bool,
    city_only: bool,
    since: datetime | None,
) -> dict[str, Any]:
    return {
        "wards": None if wards is None else list(wards),
        "domain": domain,
        "severity": severity,
        "status": status,
        "active_only": active_only,
        "city_only": city_only,
        "since": since,
        "active": list(ACTIVE_STATUSES),
        "severities": list(SEVERITIES),
    }


def incidents(
    conn: Conn,
    wards: Sequence[str] | None,
    *,
    domain: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    active_only: bool = False,
    city_only: bool = False,
    since: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[IncidentRow]:
    """Newest first, most severe first among the same minute."""
    params = _params(wards, domain, severity, status, active_only, city_only, since)
    with conn.cursor(row_factory=class_row(IncidentRow)) as cur:
        cur.execute(
            f"""
            SELECT {_COLUMNS} FROM incidents i WHERE {_FILTER}
            ORDER BY date_trunc('minute', i.opened_at) DESC,
                     array_position(%(severities)s::text[], i.severity),
                     i.opened_at DESC, i.id DESC
            LIMIT %(limit)s OFFSET %(offset)s
            """,
            {**params, "limit": limit, "offset": offset},
        )
        return cur.fetchall()


def incident_count(
    conn: Conn,
    wards: Sequence[str] | None,
    *,
    domain: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    active_only: bool = False,
    city_only: bool = False,
    since: datetime | None = None,
) -> int:
    """How many incidents :func:`incidents` would list without a limit."""
    params = _params(wards, domain, severity, status, active_only, city_only, since)
    row = conn.execute(f"SELECT count(*) FROM incidents i WHERE {_FILTER}", params).fetchone()
    return int(row[0]) if row else 0


def incident_severity_counts(conn: Conn, wards: Sequence[str] | None) -> dict[str, int]:
    """Active incidents per severity."""
    params = _params(wards, None, None, None, True, False, None)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            f"SELECT i.severity, count(*) AS n FROM incidents i WHERE {_FILTER} GROUP BY 1", params
        )
        return {r["severity"]: int(r["n"]) for r in cur.fetchall()}


def incident(conn: Conn, incident_id: int) -> IncidentRow | None:
    with conn.cursor(row_factory=class_row(IncidentRow)) as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM incidents i WHERE i.id = %s", (incident_id,))
        return cur.fetchone()


def incident_log(conn: Conn, incident_id: int) -> list[IncidentLogRow]:
    """The incident's changes, oldest first."""
    with conn.cursor(row_factory=class_row(IncidentLogRow)) as cur:
        cur.execute(
            "SELECT id, incident_id, at, actor, action, from_status, to_status, severity_from,"
            " severity_to, version, note, data FROM incident_log WHERE incident_id = %s"
            " ORDER BY at, id",
            (incident_id,),
        )
        return cur.fetchall()


def incident_causes(conn: Conn, incident_id: int) -> list[IncidentCauseRow]:
    """The causes linked to the incident: the opening one first, then by time."""
    with conn.cursor(row_factory=class_row(IncidentCauseRow)) as cur:
        cur.execute(
            "SELECT id, incident_id, cause_key, at, is_primary, domain, kind, severity, cause,"
            " value, peak_value FROM incident_causes WHERE incident_id = %s"
            " ORDER BY is_primary DESC, at, id",
            (incident_id,),
        )
        return cur.fetchall()


def response_times(conn: Conn, wards: Sequence[str] | None, since: datetime) -> list[ResponseStat]:
    """Median and 90th percentile of time to acknowledge and to resolve, per domain and
    severity, over the incidents opened since ``since`` (the ones not yet acknowledged or
    resolved count in ``n`` but not in the percentiles)."""
    params = _params(wards, None, None, None, False, False, since)
    ack = "extract(epoch FROM i.acknowledged_at - i.opened_at)"
    res = "extract(epoch FROM i.resolved_at - i.opened_at)"
    with conn.cursor(row_factory=class_row(ResponseStat)) as cur:
        cur.execute(
            f"""
            SELECT i.domain, i.severity, count(*)::int AS n,
                   count(i.acknowledged_at)::int AS acked, count(i.resolved_at)::int AS resolved,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {ack}) AS ack_median_s,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY {ack}) AS ack_p90_s,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {res}) AS resolve_median_s,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY {res}) AS resolve_p90_s
            FROM incidents i WHERE {_FILTER}
            GROUP BY i.domain, i.severity
            ORDER BY i.domain, array_position(%(severities)s::text[], i.severity)
            """,
            params,
        )
        return cur.fetchall()
