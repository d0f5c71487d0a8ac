"""Turn a batch of decoded messages into the rows the store writes.  Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ingest.decode import Decoded
from ioc.contract import Event, Status, Telemetry
from ioc.store.writer import BatchRows, DeadLetterRow, DeviceRow, EventRow, ReadingRow

__all__ = ["to_rows", "week_starts"]


def to_rows(batch: Sequence[Decoded]) -> BatchRows:
    rows = BatchRows()
    for item in batch:
        msg = item.message
        if msg is None:
            rows.dead_letters.append(
                DeadLetterRow(
                    datetime.fromtimestamp(item.raw.received_at, UTC),
                    item.raw.topic,
                    item.raw.payload,
                    item.reason.value if item.reason else "unknown",
                    item.detail,
                )
            )
        elif isinstance(msg, Telemetry):
            t = msg.topic
            for metric, value in msg.values.items():
                rows.readings.append(ReadingRow(msg.ts, t.ward, t.device, metric, value))
            rows.devices.append(
                DeviceRow(t.device, t.ward, t.domain, msg.ts, msg.ts, msg.lat, msg.lon)
            )
        elif isinstance(msg, Event):
            t = msg.topic
            rows.events.append(
                EventRow(
                    msg.ts, t.ward, t.domain, t.device, msg.event_id, msg.type, dict(msg.attrs)
                )
            )
        elif isinstance(msg, Status):
            t = msg.topic
            rows.devices.append(
                DeviceRow(t.device, t.ward, t.domain, msg.ts, msg.ts, online=msg.online)
            )
    return rows


def week_starts(rows: BatchRows) -> list[datetime]:
    """The distinct Monday-00:00-UTC weeks that the batch's rows fall in."""
    weeks: set[datetime] = set()
    for ts in [r.time for r in rows.readings] + [e.time for e in rows.events]:
        day = ts.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        weeks.add(day - timedelta(days=day.weekday()))
    return sorted(weeks)
