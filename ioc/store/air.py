"""Hourly means of the air pollutants of the VN_AQI, per ward, from the hourly rollup.

The input of :func:`vocab.indicators.hourly_aqi`: for each ward and pollutant the
means of the last ``hours`` clock hours, the hour holding ``now`` first (it may be
partly filled: the wall shows the freshest hour), ``None`` for an hour without
readings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

from vocab.indicators import AQI_POLLUTANTS

__all__ = ["HourlyMeans", "ward_air_hourly"]

# ward -> pollutant -> hourly means, the newest hour first
HourlyMeans = dict[str, dict[str, list[float | None]]]


def ward_air_hourly(
    conn: psycopg.Connection[Any], wards: Sequence[str] | None, now: datetime, hours: int = 12
) -> HourlyMeans:
    """Each ward's hourly means of the AQI pollutants over the last ``hours`` hours."""
    top = now.replace(minute=0, second=0, microsecond=0)
    since = top - timedelta(hours=hours - 1)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """
            SELECT ward_code, metric, bucket, avg FROM readings_1h
            WHERE metric = ANY(%(metrics)s::text[]) AND bucket >= %(since)s AND bucket <= %(top)s
              AND (%(wards)s::text[] IS NULL OR ward_code = ANY(%(wards)s::text[]))
            """,
            {
                "metrics": list(AQI_POLLUTANTS),
                "since": since,
                "top": top,
                "wards": None if wards is None else list(wards),
            },
        )
        rows = cur.fetchall()
    out: HourlyMeans = {}
    for r in rows:
        age = int((top - r["bucket"]).total_seconds() // 3600)
        if not 0 <= age < hours:
            continue
        series = out.setdefault(r["ward_code"], {}).setdefault(r["metric"], [None] * hours)
        series[age] = float(r["avg"])
    return out
