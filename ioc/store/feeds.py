"""What the periodic checks read: every device's feed, and the rule incidents still active."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
from psycopg.rows import class_row

from ioc.model import IncidentCandidate, Resolution
from ioc.store.incidents import IncidentChanges, open_incidents, resolve_incidents
from ioc.store.records import ActiveRuleIncident, FeedRow

__all__ = ["active_rule_incidents", "feed_rows", "record_findings"]

Conn = psycopg.Connection[Any]


def feed_rows(conn: Conn) -> list[FeedRow]:
    """Every device: its ward, domain, newest data and last status."""
    with conn.cursor(row_factory=class_row(FeedRow)) as cur:
        cur.execute("SELECT device_id, ward_code, domain, last_seen, online FROM devices")
        return cur.fetchall()


def active_rule_incidents(conn: Conn) -> list[ActiveRuleIncident]:
    """Incidents of the rules (dedup key ``rule:…``) that are still active, with their step."""
    with conn.cursor(row_factory=class_row(ActiveRuleIncident)) as cur:
        cur.execute(
            "SELECT dedup_key, coalesce((cause->>'step')::int, 1) AS step FROM incidents"
            " WHERE dedup_key LIKE 'rule:%' AND status NOT IN ('resolved', 'closed')"
        )
        return cur.fetchall()


def record_findings(
    conn: Conn,
    candidates: list[IncidentCandidate],
    resolutions: list[Resolution],
    correlation_window: timedelta | None = None,
) -> tuple[IncidentChanges, int]:
    """Open, refresh, escalate, attach and resolve in one transaction; (changes, resolved)."""
    with conn.transaction():
        changes = open_incidents(conn, candidates, correlation_window=correlation_window)
        return changes, resolve_incidents(conn, resolutions)
