"""The batch write path: one transaction per batch, COPY through staging tables, idempotent.

``write_batch`` stores readings, events, device sightings, status changes,
dead letters and incident openings of one batch atomically and returns what
was *new* (redelivered duplicates are skipped by the unique keys and not
returned).  The new readings -- only those ``INSERT ... RETURNING`` gives back --
are folded into ``readings_1m`` / ``readings_1h`` in the same statement, so
each reading counts once in the rollups whenever it arrives and however often
it is redelivered.  This is the same code on both flavours: on TimescaleDB the
rollups are hypertables, on plain PostgreSQL ordinary tables, and the one
flavour difference on this path -- plain PostgreSQL needs its weekly partitions
made before the insert -- lives in the schema's ``ensure_time_partitions()``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from ioc.model import (
    BatchRows,
    DeviceRow,
    EventRow,
    IncidentCandidate,
    ReadingRow,
    Resolution,
    WriteResult,
)
from ioc.store.incidents import IncidentChanges, open_incidents, resolve_incidents

__all__ = ["write_batch"]


_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS stage_readings (
    time timestamptz, ward_code text, device_id text, metric text, value float8
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_events (
    time timestamptz, ward_code text, domain text, source text, event_id text, type text,
    attrs jsonb
) ON COMMIT DELETE ROWS;
"""

_INSERT_READINGS = """
INSERT INTO readings (time, ward_code, device_id, metric, value)
SELECT time, ward_code, device_id, metric, value FROM stage_readings
ON CONFLICT DO NOTHING
RETURNING time, ward_code, device_id, metric, value
"""

_ROLLUP = """
INSERT INTO {table} AS r (ward_code, metric, bucket, avg, min, max, count, sum)
SELECT ward_code, metric, date_trunc('{unit}', time, 'UTC'),
       avg(value), min(value), max(value), count(*), sum(value)
FROM new_readings
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (ward_code, metric, bucket) DO UPDATE SET
    count = r.count + excluded.count,
    sum = r.sum + excluded.sum,
    min = least(r.min, excluded.min),
    max = greatest(r.max, excluded.max),
    avg = (r.sum + excluded.sum) / (r.count + excluded.count)
"""

# Insert and fold the new rows into both rollups in one statement (both flavours).
_INSERT_READINGS_WITH_ROLLUPS = (
    "WITH new_readings AS (" + _INSERT_READINGS + "), "
    "r1m AS (" + _ROLLUP.format(table="readings_1m", unit="minute") + "), "
    "r1h AS (" + _ROLLUP.format(table="readings_1h", unit="hour") + ") "
    "SELECT time, ward_code, device_id, metric, value FROM new_readings"
)

_INSERT_EVENTS = """
WITH keys AS (
    INSERT INTO event_keys (source, event_id, time)
    SELECT DISTINCT ON (source, event_id) source, event_id, time FROM stage_events
    ORDER BY source, event_id, time
    ON CONFLICT DO NOTHING
    RETURNING source, event_id, time
)
INSERT INTO events (time, ward_code, domain, source, event_id, type, attrs)
SELECT s.time, s.ward_code, s.domain, s.source, s.event_id, s.type, s.attrs
FROM keys k JOIN stage_events s USING (source, event_id, time)
ON CONFLICT DO NOTHING
RETURNING time, ward_code, domain, source, event_id, type, attrs
"""

_UPSERT_DEVICES = """
INSERT INTO devices (device_id, ward_code, domain, lat, lon, first_seen, last_seen, online, meta)
SELECT d, w, dom, la, lo, fs, ls, onl,
       CASE WHEN lw IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('located_ward', lw) END
FROM unnest(%s::text[], %s::text[], %s::text[], %s::float8[], %s::float8[],
            %s::timestamptz[], %s::timestamptz[], %s::bool[], %s::text[])
     AS u(d, w, dom, la, lo, fs, ls, onl, lw)
ON CONFLICT (device_id) DO UPDATE SET
    meta = devices.meta || excluded.meta,
    ward_code = excluded.ward_code,
    domain = excluded.domain,
    lat = coalesce(excluded.lat, devices.lat),
    lon = coalesce(excluded.lon, devices.lon),
    first_seen = least(devices.first_seen, excluded.first_seen),
    last_seen = greatest(devices.last_seen, excluded.last_seen),
    online = coalesce(excluded.online, devices.online)
"""


def _weeks(rows: BatchRows) -> list[datetime]:
    """The distinct Monday-00:00-UTC weeks the batch's readings and events fall in."""
    days = {r.time.astimezone(UTC).date() for r in rows.readings}
    days |= {e.time.astimezone(UTC).date() for e in rows.events}
    mondays = {d - timedelta(days=d.weekday()) for d in days}
    return [datetime(m.year, m.month, m.day, tzinfo=UTC) for m in sorted(mondays)]


def _prepare_partitions(conn: psycopg.Connection[Any], rows: BatchRows) -> None:
    """Let the schema make the time partitions this batch needs.

    Its own short transaction: creating a partition locks the parent table, a
    lock that must not be held for the whole batch while other workers write.
    """
    weeks = _weeks(rows)
    if weeks:
        with conn.transaction():
            conn.execute("SELECT ensure_time_partitions(%s::timestamptz[])", (weeks,))


def _merge_devices(rows: Sequence[DeviceRow]) -> list[DeviceRow]:
    merged: dict[str, DeviceRow] = {}
    for d in rows:
        prev = merged.get(d.device_id)
        if prev is None:
            merged[d.device_id] = d
            continue
        merged[d.device_id] = DeviceRow(
            d.device_id,
            d.ward_code,
            d.domain,
            min(prev.first_seen, d.first_seen),
            max(prev.last_seen, d.last_seen),
            d.lat if d.lat is not None else prev.lat,
            d.lon if d.lon is not None else prev.lon,
            d.online if d.online is not None else prev.online,
            d.located_ward or prev.located_ward,
        )
    # A fixed order keeps two workers from deadlocking on the same device rows.
    return [merged[k] for k in sorted(merged)]


def write_batch(
    conn: psycopg.Connection[Any],
    rows: BatchRows,
    *,
    incidents: Sequence[IncidentCandidate] = (),
    resolutions: Sequence[Resolution] = (),
    correlation_window: timedelta | None = None,
) -> WriteResult:
    """Write one batch in one transaction; the caller acknowledges after this returns.

    ``correlation_window``: findings of the same ward and group within it attach to one
    incident (:func:`~ioc.store.incidents.open_incidents`); None: no correlation.
    """
    new_readings: list[ReadingRow] = []
    new_events: list[EventRow] = []
    changes = IncidentChanges()
    resolved = 0
    _prepare_partitions(conn, rows)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(_STAGING)
        if rows.readings:
            with cur.copy(
                "COPY stage_readings (time, ward_code, device_id, metric, value) FROM STDIN"
            ) as copy:
                for r in rows.readings:
                    copy.write_row((r.time, r.ward_code, r.device_id, r.metric, r.value))
            cur.execute(_INSERT_READINGS_WITH_ROLLUPS)
            new_readings = [ReadingRow(*t) for t in cur.fetchall()]
        if rows.events:
            with cur.copy(
                "COPY stage_events (time, ward_code, domain, source, event_id, type, attrs) "
                "FROM STDIN"
            ) as copy:
                for e in rows.events:
                    copy.write_row(
                        (
                            e.time,
                            e.ward_code,
                            e.domain,
                            e.source,
                            e.event_id,
                            e.type,
                            json.dumps(e.attrs, ensure_ascii=False),
                        )
                    )
            cur.execute(_INSERT_EVENTS)
            new_events = [EventRow(*t) for t in cur.fetchall()]
        devices = _merge_devices(rows.devices)
        if devices:
            cur.execute(
                _UPSERT_DEVICES,
                (
                    [d.device_id for d in devices],
                    [d.ward_code for d in devices],
                    [d.domain for d in devices],
                    [d.lat for d in devices],
                    [d.lon for d in devices],
                    [d.first_seen for d in devices],
                    [d.last_seen for d in devices],
                    [d.online for d in devices],
                    [d.located_ward for d in devices],
                ),
            )
        if rows.dead_letters:
            with cur.copy(
                "COPY dead_letters (received_at, topic, payload, reason, detail) FROM STDIN"
            ) as copy:
                for d in rows.dead_letters:
                    copy.write_row((d.received_at, d.topic, d.payload, d.reason, d.detail))
        if incidents:
            changes = open_incidents(conn, incidents, correlation_window=correlation_window)
        if resolutions:
            resolved = resolve_incidents(conn, resolutions)
    return WriteResult(
        new_readings=new_readings,
        new_events=new_events,
        duplicate_readings=len(rows.readings) - len(new_readings),
        duplicate_events=len(rows.events) - len(new_events),
        dead_letters=len(rows.dead_letters),
        incidents_opened=changes.opened,
        incidents_resolved=resolved,
        incidents_escalated=changes.escalated,
        causes_attached=changes.attached,
    )
