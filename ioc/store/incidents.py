"""Incident lifecycle in the store: opening (deduplicated), transitions and the audit log.

An incident is identified while it is active by its ``dedup_key``: a second
alarm for the same ward and metric refreshes the open incident instead of
opening another.  Every change is written to ``incident_log``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from ioc.errors import StoreError
from ioc.model import IncidentCandidate, Resolution
from vocab.severity import SEVERITIES, TRANSITIONS

__all__ = [
    "open_incidents",
    "resolve_incidents",
    "transition",
]

_OPEN = """
INSERT INTO incidents (ward_code, domain, kind, severity, title, detail, source, dedup_key,
                       lat, lon, opened_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, coalesce(%s, now()))
ON CONFLICT (dedup_key) WHERE status NOT IN ('resolved', 'closed') DO UPDATE SET
    updated_at = now(),
    detail = excluded.detail,
    severity = CASE WHEN array_position(%s::text[], excluded.severity)
                       < array_position(%s::text[], incidents.severity)
                    THEN excluded.severity ELSE incidents.severity END
RETURNING id, (xmax = 0) AS inserted
"""


def open_incidents(conn: psycopg.Connection[Any], candidates: Sequence[IncidentCandidate]) -> int:
    """Open or refresh incidents; returns how many were newly opened."""
    opened = 0
    with conn.cursor() as cur:
        for c in sorted(candidates, key=lambda c: c.dedup_key):
            cur.execute(
                _OPEN,
                (
                    c.ward_code,
                    c.domain,
                    c.kind,
                    c.severity,
                    c.title,
                    Jsonb(c.detail),
                    c.source,
                    c.dedup_key,
                    c.lat,
                    c.lon,
                    c.time,
                    list(SEVERITIES),  # most severe first: a lower position is worse
                    list(SEVERITIES),
                ),
            )
            row = cur.fetchone()
            if row and row[1]:
                opened += 1
                cur.execute(
                    "INSERT INTO incident_log (incident_id, actor, action, to_status, note) "
                    "VALUES (%s, 'ingest', 'open', 'open', %s)",
                    (row[0], c.title),
                )
    return opened


# Operators own an incident once it is dispatched; only open or acknowledged
# ones are resolved automatically when their cause ends.
def resolve_incidents(conn: psycopg.Connection[Any], resolutions: Sequence[Resolution]) -> int:
    """Resolve the active incidents these name; returns how many were resolved."""
    done = 0
    with conn.cursor() as cur:
        for r in sorted(resolutions, key=lambda r: r.dedup_key):
            cur.execute(
                "SELECT id, status FROM incidents WHERE dedup_key = %s "
                "AND status IN ('open', 'acknowledged') FOR UPDATE",
                (r.dedup_key,),
            )
            row = cur.fetchone()
            if row is None:
                continue
            cur.execute(
                "UPDATE incidents SET status = 'resolved', updated_at = now(), closed_at = %s "
                "WHERE id = %s",
                (r.time, row[0]),
            )
            cur.execute(
                "INSERT INTO incident_log (incident_id, actor, action, from_status, to_status, note)"
                " VALUES (%s, 'ingest', 'auto_resolve', %s, 'resolved', %s)",
                (row[0], row[1], r.note),
            )
            done += 1
    return done


def transition(
    conn: psycopg.Connection[Any], incident_id: int, to_status: str, actor: str, note: str = ""
) -> None:
    """Move an incident to ``to_status`` if allowed, with an audit-log entry."""
    with conn.transaction():
        row = conn.execute(
            "SELECT status FROM incidents WHERE id = %s FOR UPDATE", (incident_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"incident {incident_id} does not exist")
        current = str(row[0])
        allowed: frozenset[str] = TRANSITIONS.get(current, frozenset())  # type: ignore[call-overload]
        if to_status not in allowed:
            raise StoreError(f"incident {incident_id}: {current} -> {to_status} is not allowed")
        conn.execute(
            "UPDATE incidents SET status = %s, updated_at = now(), "
            "closed_at = CASE WHEN %s IN ('resolved', 'closed') THEN now() END WHERE id = %s",
            (to_status, to_status, incident_id),
        )
        conn.execute(
            "INSERT INTO incident_log (incident_id, actor, action, from_status, to_status, note) "
            "VALUES (%s, %s, 'transition', %s, %s, %s)",
            (incident_id, actor, current, to_status, note),
        )
