"""Housekeeping the plain-PostgreSQL flavour does itself (TimescaleDB has policies for it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from ioc.store.migrate import flavour

__all__ = ["apply_retention"]


def apply_retention(conn: psycopg.Connection[Any], retention: timedelta) -> int:
    """Drop whole weekly partitions older than ``retention``; returns how many."""
    if flavour(conn) != "plain":
        return 0
    cutoff = datetime.now(UTC) - retention
    total = 0
    for table in ("readings", "events"):
        row = conn.execute(
            "SELECT drop_partitions_before(%s::regclass, %s)", (table, cutoff)
        ).fetchone()
        total += int(row[0]) if row else 0
    for table in ("readings_1m", "readings_1h"):
        conn.execute(f"DELETE FROM {table} WHERE bucket < %s", (cutoff,))
    return total
