"""Housekeeping the plain-PostgreSQL flavour does itself (TimescaleDB has policies for it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from ioc.store.migrate import flavour

__all__ = ["apply_retention"]


def apply_retention(conn: psycopg.Connection[Any], retention: timedelta) -> int:
    """Drop data older than ``retention``; returns how many partitions were dropped.

    ``event_keys`` is trimmed on both flavours (TimescaleDB's policies do not
    know it): an event older than retention is rejected at the door anyway,
    so its key can go.
    """
    cutoff = datetime.now(UTC) - retention
    conn.execute("DELETE FROM event_keys WHERE time < %s", (cutoff,))
    if flavour(conn) != "plain":
        return 0
    total = 0
    for table in ("readings", "events"):
        row = conn.execute(
            "SELECT drop_partitions_before(%s::regclass, %s)", (table, cutoff)
        ).fetchone()
        total += int(row[0]) if row else 0
    for table in ("readings_1m", "readings_1h"):
        conn.execute(f"DELETE FROM {table} WHERE bucket < %s", (cutoff,))
    return total
