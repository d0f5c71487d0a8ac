"""The notification outbox in the store: filled from incident_log, drained channel by channel.

* :func:`fill` reads the incident_log rows not yet seen (above the floor, not in
  ``notify_seen``), hands them to a planner that decides the messages, inserts
  them, and marks the rows seen — all in one transaction under the cursor's row
  lock, so a crash loses nothing and two notifiers never plan the same rows.
  Nothing on the ingest write path changes: the log it already writes in the
  same transaction as every incident change is the feed.
* :func:`claim` / :func:`deliver` drain one channel: its due messages are locked
  (``FOR UPDATE SKIP LOCKED``) for the whole send, and marked sent in the same
  transaction; a process killed mid-send leaves them pending, so they go again
  (at least once; receivers deduplicate on the outbox id).  A failure stops the
  channel's batch and backs the whole channel off, so its messages keep their order.
* :func:`unacknowledged` finds the open incidents that repeat and escalation
  routes remind about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from ioc.store.records import ChannelHealth, DeliveryRow, IncidentChange, OutboxItem, OutboxRow

__all__ = [
    "channel_health",
    "claim",
    "deliveries",
    "enqueue",
    "fill",
    "outbox_rows",
    "record_failure",
    "record_success",
    "unacknowledged",
]

Conn = psycopg.Connection[Any]
SEEN_GRACE = timedelta(minutes=10)  # a log row may commit this late and still be seen

_CHANGES = """
SELECT l.id AS log_id, l.at, l.actor, l.action, l.from_status, l.to_status, l.severity_from,
       l.severity_to, l.note,
       i.id AS incident_id, i.opened_at, i.ward_code, i.domain, i.kind, i.severity, i.status,
       i.title, i.cause, i.current_value
FROM incident_log l JOIN incidents i ON i.id = l.incident_id
WHERE l.id > %(floor)s AND NOT EXISTS (SELECT 1 FROM notify_seen s WHERE s.log_id = l.id)
ORDER BY l.id LIMIT %(limit)s
"""


def enqueue(conn: Conn, items: Sequence[OutboxItem]) -> int:
    """Insert messages (a repeated dedup key is ignored); returns how many are new."""
    added = 0
    with conn.cursor() as cur:
        for it in items:
            cur.execute(
                "INSERT INTO outbox (dedup_key, channel, route, incident_id, log_id, kind,"
                " severity, payload, not_before) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
                " coalesce(%s, now())) ON CONFLICT (dedup_key) DO NOTHING",
                (it.dedup_key, it.channel, it.route, it.incident_id, it.log_id, it.kind,
                 it.severity, Jsonb(it.payload), it.not_before),
            )  # fmt: skip
            added += cur.rowcount
    return added


def fill(
    conn: Conn, plan: Callable[[list[IncidentChange]], list[OutboxItem]], limit: int = 500
) -> tuple[int, int]:
    """Turn new incident_log rows into outbox messages; returns (rows read, messages added)."""
    with conn.transaction():
        row = conn.execute(
            "SELECT floor_id FROM notify_cursor WHERE name = 'outbox' FOR UPDATE"
        ).fetchone()
        floor = int(row[0]) if row else 0
        with conn.cursor(row_factory=class_row(IncidentChange)) as cur:
            cur.execute(_CHANGES, {"floor": floor, "limit": limit})
            changes = cur.fetchall()
        added = enqueue(conn, plan(changes)) if changes else 0
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO notify_seen (log_id) VALUES (%s) ON CONFLICT DO NOTHING",
                [(c.log_id,) for c in changes],
            )
        # Move the floor past rows seen long enough ago that nothing below them can
        # still appear, and forget those rows.
        got = conn.execute(
            "SELECT max(log_id) FROM notify_seen WHERE seen_at < now() - %s", (SEEN_GRACE,)
        ).fetchone()
        if got and got[0] is not None and int(got[0]) > floor:
            conn.execute("DELETE FROM notify_seen WHERE log_id <= %s", (got[0],))
            conn.execute("UPDATE notify_cursor SET floor_id = %s WHERE name = 'outbox'", (got[0],))
    return len(changes), added


@contextmanager
def claim(conn: Conn, channel: str, kind: str, limit: int) -> Iterator[list[OutboxRow]]:
    """The channel's due messages, oldest first, locked until the block ends (one transaction).

    None while the channel is backing off.  Mark each with :func:`record_success` or
    :func:`record_failure` inside the block.
    """
    with conn.transaction():
        conn.execute(
            "INSERT INTO notify_channels (channel, kind) VALUES (%s, %s)"
            " ON CONFLICT (channel) DO UPDATE SET kind = excluded.kind",
            (channel, kind),
        )
        ready = conn.execute(
            "SELECT retry_at <= now() FROM notify_channels WHERE channel = %s FOR UPDATE"
            " SKIP LOCKED",
            (channel,),
        ).fetchone()
        rows: list[OutboxRow] = []
        if ready and ready[0]:
            with conn.cursor(row_factory=class_row(OutboxRow)) as cur:
                cur.execute(
                    "SELECT id, created_at, channel, route, incident_id, kind, severity, payload,"
                    " attempts, status, sent_at, last_error FROM outbox"
                    " WHERE channel = %s AND status = 'pending' AND not_before <= now()"
                    " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                    (channel, limit),
                )
                rows = cur.fetchall()
        yield rows


def record_success(conn: Conn, row: OutboxRow, duration_ms: int, detail: str = "") -> None:
    conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,"
        " last_error = NULL WHERE id = %s",
        (row.id,),
    )
    _log(conn, row, "sent", detail, duration_ms)
    conn.execute(
        "UPDATE notify_channels SET state = 'ok', failures = 0, retry_at = now(),"
        " last_ok_at = now(), updated_at = now() WHERE channel = %s",
        (row.channel,),
    )


def record_failure(
    conn: Conn,
    row: OutboxRow,
    duration_ms: int,
    error: str,
    backoff: Callable[[int], float],
    failing_after: int,
) -> None:
    """Count the failure; the channel waits ``backoff(failures)`` seconds before its next try."""
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = %s WHERE id = %s",
        (error[:500], row.id),
    )
    _log(conn, row, "failed", error, duration_ms)
    got = conn.execute(
        "UPDATE notify_channels SET failures = failures + 1, last_failed_at = now(),"
        " last_error = %s, updated_at = now() WHERE channel = %s RETURNING failures",
        (error[:500], row.channel),
    ).fetchone()
    failures = int(got[0]) if got else 1
    conn.execute(
        "UPDATE notify_channels SET retry_at = now() + %s,"
        " state = CASE WHEN %s THEN 'failing' ELSE state END WHERE channel = %s",
        (timedelta(seconds=backoff(failures)), failures >= failing_after, row.channel),
    )


def _log(conn: Conn, row: OutboxRow, outcome: str, detail: str, duration_ms: int) -> None:
    conn.execute(
        "INSERT INTO delivery_log (outbox_id, channel, incident_id, outcome, detail, duration_ms)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (row.id, row.channel, row.incident_id, outcome, detail[:500], duration_ms),
    )


def unacknowledged(conn: Conn, opened_before: datetime) -> list[IncidentChange]:
    """Incidents still ``open`` (nobody acknowledged them) that opened before a time, as
    their opening log row: what repeat and escalation routes remind about."""
    with conn.cursor(row_factory=class_row(IncidentChange)) as cur:
        cur.execute(
            """
            SELECT coalesce(l.id, 0) AS log_id, coalesce(l.at, i.opened_at) AS at,
                   coalesce(l.actor, '') AS actor, 'open' AS action, NULL AS from_status,
                   'open' AS to_status, NULL AS severity_from, NULL AS severity_to,
                   '' AS note, i.id AS incident_id, i.opened_at,
                   i.ward_code, i.domain, i.kind, i.severity, i.status, i.title, i.cause,
                   i.current_value
            FROM incidents i
            LEFT JOIN LATERAL (SELECT id, at, actor FROM incident_log
                               WHERE incident_id = i.id ORDER BY id LIMIT 1) l ON true
            WHERE i.status = 'open' AND i.opened_at <= %s
            ORDER BY i.id
            """,
            (opened_before,),
        )
        return cur.fetchall()


# ---- what the admins see ---------------------------------------------------------------


def channel_health(conn: Conn) -> list[ChannelHealth]:
    with conn.cursor(row_factory=class_row(ChannelHealth)) as cur:
        cur.execute(
            """
            SELECT c.channel, c.kind, c.state, c.failures, c.retry_at, c.last_ok_at,
                   c.last_failed_at, c.last_error,
                   (SELECT count(*) FROM outbox o
                    WHERE o.channel = c.channel AND o.status = 'pending')::int AS pending
            FROM notify_channels c ORDER BY c.channel
            """
        )
        return cur.fetchall()


def deliveries(conn: Conn, limit: int = 100) -> list[DeliveryRow]:
    with conn.cursor(row_factory=class_row(DeliveryRow)) as cur:
        cur.execute(
            "SELECT id, at, outbox_id, channel, incident_id, outcome, detail, duration_ms"
            " FROM delivery_log ORDER BY id DESC LIMIT %s",
            (limit,),
        )
        return cur.fetchall()


def outbox_rows(conn: Conn, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
    with conn.cursor(row_factory=class_row(OutboxRow)) as cur:
        cur.execute(
            "SELECT id, created_at, channel, route, incident_id, kind, severity, payload,"
            " attempts, status, sent_at, last_error FROM outbox"
            " WHERE %(status)s::text IS NULL OR status = %(status)s ORDER BY id DESC LIMIT %(n)s",
            {"status": status, "n": limit},
        )
        return cur.fetchall()
