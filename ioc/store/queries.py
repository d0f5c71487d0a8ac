"""Every read query of the control room.

Results are the frozen records of :mod:`ioc.store.records` (or plain mappings of
them), which :mod:`ioc.cache` shares between workers.  ``wards=None`` means every ward; a list restricts the
result to those wards (ward staff).  Time series over more than a day read the
hourly rollup, shorter ones the minute rollup; nothing here scans raw
``readings`` except :func:`raw_metric_series`, kept for the benchmark baseline.

Event attributes read here (all optional, missing keys count as absent):

* services ``dossier.*``: ``channel`` ("online" | "in_person"), ``level`` (3 | 4),
  ``on_time`` (bool, on ``dossier.resolved``), ``procedure``, ``dossier`` (id);
* reports ``report.*``: ``report`` (id; else the event id), ``category``, ``text``,
  ``status``, ``lat``, ``lon``;
* egov: ``document.issued`` / ``document.signed`` carry ``count`` (documents in the
  event, 1 when absent); ``meeting.held`` counts one meeting per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar, cast

import psycopg
from psycopg import sql
from psycopg.rows import class_row, dict_row

# Incident reads live in their own module; these two keep their old names here.
from ioc.store.incident_queries import incident_severity_counts, incidents
from ioc.store.records import (
    BoundaryRow,
    CovidDay,
    DossierCounts,
    DossierDay,
    EgovCounts,
    LatestValues,
    OverdueDossier,
    ReportRow,
    SeriesPoint,
    WardDevice,
    WardDossiers,
    WardRow,
)

__all__ = [
    "Window",
    "boundary_rows",
    "covid_daily",
    "device_positions",
    "dossier_summary",
    "egov_summary",
    "incident_severity_counts",
    "incidents",
    "latest_readings",
    "metric_series",
    "open_reports",
    "overdue_dossiers",
    "raw_metric_series",
    "services_by_ward",
    "services_daily",
    "ward_devices",
    "ward_metric_window",
    "ward_rows",
]

Conn = psycopg.Connection[Any]
T = TypeVar("T")
Window = Literal["hour", "day", "week", "month"]
WINDOWS: dict[str, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
}
LOCAL_TZ = "Asia/Ho_Chi_Minh"
# Ward filter used by every query: NULL means all wards.
_WARDS = "(%(wards)s::text[] IS NULL OR ward_code = ANY(%(wards)s::text[]))"
# Documents an egov event stands for: its numeric "count" attribute, else one.
_N = "CASE WHEN jsonb_typeof(attrs->'count') = 'number' THEN (attrs->>'count')::numeric ELSE 1 END"


def _rows(conn: Conn, cls: type[T], query: str | sql.Composable, params: dict[str, Any]) -> list[T]:
    """The query's rows as ``cls`` records (columns by name)."""
    with conn.cursor(row_factory=class_row(cls)) as cur:
        cur.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall()


def _dicts(conn: Conn, query: str | sql.Composable, params: dict[str, Any]) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall()


def _w(wards: Sequence[str] | None) -> list[str] | None:
    return None if wards is None else list(wards)


def ward_rows(conn: Conn) -> list[WardRow]:
    return _rows(
        conn,
        WardRow,
        "SELECT code, name, name_en, kind, population, area_km2, lat, lon, boundary_source"
        " FROM wards ORDER BY code",
        {},
    )


def boundary_rows(conn: Conn) -> list[BoundaryRow]:
    """What ``geodata.features.ward_features`` needs to draw the wards."""
    rows = _dicts(
        conn,
        "SELECT code, name, name_en, kind, population, area_km2, geometry_simplified,"
        " boundary_source FROM wards ORDER BY code",
        {},
    )
    return cast(list[BoundaryRow], rows)


# ---- citizen reports ------------------------------------------------------


def open_reports(
    conn: Conn, wards: Sequence[str] | None, since: datetime, limit: int = 500
) -> list[ReportRow]:
    """Citizen reports whose newest event is not a closing one."""
    return _rows(
        conn,
        ReportRow,
        f"""
        WITH latest AS (
            SELECT DISTINCT ON (rid) rid, time, ward_code, type, attrs
            FROM (SELECT coalesce(attrs->>'report', attrs->>'report_id', event_id) AS rid, time, ward_code, type,
                         attrs
                  FROM events
                  WHERE domain = 'reports' AND time >= %(since)s AND {_WARDS}) e
            ORDER BY rid, time DESC
        )
        SELECT rid AS id, time, ward_code, attrs->>'category' AS category,
               attrs->>'text' AS text, coalesce(attrs->>'status', 'open') AS status,
               CASE WHEN jsonb_typeof(attrs->'lat') = 'number' THEN (attrs->>'lat')::float8 END AS lat,
               CASE WHEN jsonb_typeof(attrs->'lon') = 'number' THEN (attrs->>'lon')::float8 END AS lon
        FROM latest
        WHERE type <> 'report.closed'
          AND coalesce(attrs->>'status', 'open') NOT IN ('closed', 'resolved')
        ORDER BY time DESC
        LIMIT %(limit)s
        """,
        {"wards": _w(wards), "since": since, "limit": limit},
    )


# ---- public services and e-government ---------------------------------------

_DOSSIER_COUNTS = """
    count(*) FILTER (WHERE type = 'dossier.received') AS received,
    count(*) FILTER (WHERE type = 'dossier.received' AND attrs->>'channel' = 'online') AS online,
    count(*) FILTER (WHERE type = 'dossier.received' AND attrs->>'channel' = 'in_person')
        AS in_person,
    count(*) FILTER (WHERE type = 'dossier.received' AND attrs->>'level' IN ('3', '4')) AS level34,
    count(*) FILTER (WHERE type = 'dossier.resolved') AS resolved,
    count(*) FILTER (WHERE type = 'dossier.resolved' AND attrs->'on_time' = 'true'::jsonb)
        AS on_time,
    count(*) FILTER (WHERE type = 'dossier.overdue') AS overdue
"""


def dossier_summary(conn: Conn, wards: Sequence[str] | None, since: datetime) -> DossierCounts:
    (row,) = _rows(
        conn,
        DossierCounts,
        f"SELECT {_DOSSIER_COUNTS} FROM events"
        f" WHERE domain = 'services' AND time >= %(since)s AND {_WARDS}",
        {"wards": _w(wards), "since": since},
    )
    return row


def services_daily(conn: Conn, wards: Sequence[str] | None, since: datetime) -> list[DossierDay]:
    """One row per local (Asia/Ho_Chi_Minh) day."""
    return _rows(
        conn,
        DossierDay,
        f"""
        SELECT (time AT TIME ZONE '{LOCAL_TZ}')::date::text AS day, {_DOSSIER_COUNTS}
        FROM events WHERE domain = 'services' AND time >= %(since)s AND {_WARDS}
        GROUP BY 1 ORDER BY 1
        """,
        {"wards": _w(wards), "since": since},
    )


def services_by_ward(
    conn: Conn, wards: Sequence[str] | None, since: datetime
) -> list[WardDossiers]:
    return _rows(
        conn,
        WardDossiers,
        f"SELECT ward_code, {_DOSSIER_COUNTS} FROM events"
        f" WHERE domain = 'services' AND time >= %(since)s AND {_WARDS}"
        " GROUP BY ward_code ORDER BY ward_code",
        {"wards": _w(wards), "since": since},
    )


def overdue_dossiers(
    conn: Conn, wards: Sequence[str] | None, since: datetime, limit: int = 50
) -> list[OverdueDossier]:
    return _rows(
        conn,
        OverdueDossier,
        f"""
        SELECT time, ward_code, coalesce(attrs->>'dossier', attrs->>'dossier_id', event_id) AS dossier,
               attrs->>'procedure' AS procedure, attrs->>'channel' AS channel
        FROM events
        WHERE domain = 'services' AND type = 'dossier.overdue' AND time >= %(since)s AND {_WARDS}
        ORDER BY time DESC LIMIT %(limit)s
        """,
        {"wards": _w(wards), "since": since, "limit": limit},
    )


def egov_summary(conn: Conn, wards: Sequence[str] | None, since: datetime) -> EgovCounts:
    (row,) = _rows(
        conn,
        EgovCounts,
        f"""
        SELECT coalesce(sum({_N}) FILTER (WHERE type = 'document.issued'), 0)::bigint AS issued,
               coalesce(sum({_N}) FILTER (WHERE type = 'document.signed'), 0)::bigint AS signed,
               count(*) FILTER (WHERE type = 'meeting.held') AS meetings
        FROM events WHERE domain = 'egov' AND time >= %(since)s AND {_WARDS}
        """,
        {"wards": _w(wards), "since": since},
    )
    return row


# ---- telemetry from the rollups -------------------------------------------------


def _rollup(window: timedelta) -> sql.Identifier:
    return sql.Identifier("readings_1m" if window <= timedelta(days=1) else "readings_1h")


def metric_series(
    conn: Conn, ward: str, metric: str, window: Window, now: datetime
) -> list[SeriesPoint]:
    """bucket, avg, min, max of one ward's metric over the window, from a rollup."""
    span = WINDOWS[window]
    query = sql.SQL(
        "SELECT bucket, avg, min, max, count FROM {} WHERE ward_code = %(ward)s"
        " AND metric = %(metric)s AND bucket >= %(since)s AND bucket <= %(now)s ORDER BY bucket"
    ).format(_rollup(span))
    params = {"ward": ward, "metric": metric, "since": now - span, "now": now}
    return _rows(conn, SeriesPoint, query, params)


def raw_metric_series(
    conn: Conn, ward: str, metric: str, window: Window, now: datetime
) -> list[SeriesPoint]:
    """The same series computed from raw readings: the benchmark's baseline, not for pages."""
    span = WINDOWS[window]
    step = "minute" if span <= timedelta(days=1) else "hour"
    return _rows(
        conn,
        SeriesPoint,
        f"""
        SELECT date_trunc('{step}', time) AS bucket, avg(value) AS avg, min(value) AS min,
               max(value) AS max, count(*) AS count
        FROM readings WHERE ward_code = %(ward)s AND metric = %(metric)s
          AND time >= %(since)s AND time <= %(now)s
        GROUP BY 1 ORDER BY 1
        """,
        {"ward": ward, "metric": metric, "since": now - span, "now": now},
    )


def ward_metric_window(
    conn: Conn,
    metric: str,
    window: Window,
    now: datetime,
    wards: Sequence[str] | None,
    agg: Literal["avg", "sum", "max"] = "avg",
) -> dict[str, float]:
    """ward -> value of ``metric`` over the window: mean of bucket means, or max of maxima."""
    span = WINDOWS[window]
    expr = sql.SQL("max(max)" if agg == "max" else "avg(avg)")
    query = sql.SQL(
        "SELECT ward_code, {} AS v FROM {} WHERE metric = %(metric)s AND bucket >= %(since)s"
        " AND bucket <= %(now)s AND " + _WARDS + " GROUP BY ward_code"
    ).format(expr, _rollup(span))
    rows = _dicts(
        conn, query, {"metric": metric, "since": now - span, "now": now, "wards": _w(wards)}
    )
    return {r["ward_code"]: float(r["v"]) for r in rows if r["v"] is not None}


def ward_devices(conn: Conn, ward: str) -> list[WardDevice]:
    return _rows(
        conn,
        WardDevice,
        "SELECT device_id, domain, lat, lon, last_seen, online FROM devices"
        " WHERE ward_code = %(ward)s ORDER BY domain, device_id",
        {"ward": ward},
    )


def device_positions(conn: Conn, domain: str) -> dict[str, tuple[float, float]]:
    """device -> its last known (lat, lon), for the devices of ``domain`` that sent one.

    The live state carries positions too, but Redis is rebuilt from nothing after a
    restart and devices send their position only now and then: the map falls back on these.
    """
    rows = _dicts(
        conn,
        "SELECT device_id, lat, lon FROM devices"
        " WHERE domain = %(domain)s AND lat IS NOT NULL AND lon IS NOT NULL",
        {"domain": domain},
    )
    return {r["device_id"]: (float(r["lat"]), float(r["lon"])) for r in rows}


def covid_daily(
    conn: Conn, wards: Sequence[str] | None, since: datetime, now: datetime
) -> list[CovidDay]:
    """Per ward and local day: new cases (sum) and first-dose count (cumulative, so max).

    Reads the hourly rollup: ``sum`` of ``covid_new_cases`` adds every report of
    the day; ``vaccinated_dose1`` is a running total, so the day's ``max`` is it.
    """
    return _rows(
        conn,
        CovidDay,
        f"""
        SELECT ward_code, (bucket AT TIME ZONE '{LOCAL_TZ}')::date::text AS day,
               sum(sum) FILTER (WHERE metric = 'covid_new_cases') AS new_cases,
               max(max) FILTER (WHERE metric = 'vaccinated_dose1') AS dose1
        FROM readings_1h
        WHERE metric IN ('covid_new_cases', 'vaccinated_dose1')
          AND bucket >= %(since)s AND bucket <= %(now)s AND {_WARDS}
        GROUP BY 1, 2 ORDER BY 2, 1
        """,
        {"wards": _w(wards), "since": since, "now": now},
    )


def latest_readings(conn: Conn, devices: Sequence[str], since: datetime) -> LatestValues:
    """device -> metric -> (value, epoch s) of its newest reading since ``since``.

    The live state's answer from PostgreSQL, for when Redis is unavailable;
    bounded by the devices of one page and a short window.
    """
    rows = _dicts(
        conn,
        """
        SELECT DISTINCT ON (device_id, metric) device_id, metric, value, time
        FROM readings
        WHERE device_id = ANY(%(devices)s::text[]) AND time >= %(since)s
        ORDER BY device_id, metric, time DESC
        """,
        {"devices": list(devices), "since": since},
    )
    out: LatestValues = {d: {} for d in devices}
    for r in rows:
        out[r["device_id"]][r["metric"]] = (float(r["value"]), r["time"].timestamp())
    return out
