"""Turn a batch of decoded messages into the rows the store writes.  Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from geodata.index import WardIndex
from ingest.decode import Decoded, RawMessage
from ioc.contract import Event, Status, Telemetry
from ioc.model import NEVER, BatchRows, DeadLetterRow, DeviceRow, EventRow, ReadingRow

__all__ = ["dead_letter", "locate", "to_rows"]


def to_rows(batch: Sequence[Decoded], index: WardIndex | None = None) -> BatchRows:
    """Rows for the store; with a ward index, devices and located events get ``located_ward``."""
    rows = BatchRows()
    for item in batch:
        msg = item.message
        if msg is None:
            reason = item.reason.value if item.reason else "unknown"
            rows.dead_letters.append(dead_letter(item.raw, reason, item.detail))
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
            # A status is no data: it leaves last_seen alone (a retained "online" comes
            # again on every reconnect and must not make a silent device look fresh).
            rows.devices.append(
                DeviceRow(t.device, t.ward, t.domain, msg.ts, NEVER, online=msg.online)
            )
    return locate(rows, index) if index is not None else rows


def dead_letter(raw: RawMessage, reason: str, detail: str) -> DeadLetterRow:
    """The message kept as it arrived, with why it was not stored."""
    return DeadLetterRow(
        datetime.fromtimestamp(raw.received_at, UTC), raw.topic, raw.payload, reason, detail
    )


def _point(attrs: dict[str, object]) -> tuple[float, float] | None:
    lat, lon = attrs.get("lat"), attrs.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lon), float(lat)
    return None


def locate(rows: BatchRows, index: WardIndex) -> BatchRows:
    """Assign a ward to every coordinate in the batch with one vectorised lookup.

    The topic's ward stays authoritative (it is what the device or source was
    registered to); the located ward is kept beside it so the control room can
    flag a device or report placed outside the ward it reports for.
    """
    dev_idx = [i for i, d in enumerate(rows.devices) if d.lat is not None and d.lon is not None]
    ev_pts = [(i, _point(e.attrs)) for i, e in enumerate(rows.events)]
    ev_idx = [(i, p) for i, p in ev_pts if p is not None]
    if not dev_idx and not ev_idx:
        return rows
    lons = [rows.devices[i].lon for i in dev_idx] + [p[0] for _, p in ev_idx]
    lats = [rows.devices[i].lat for i in dev_idx] + [p[1] for _, p in ev_idx]
    found = index.locate_many(lons, lats)  # type: ignore[arg-type]
    for k, i in enumerate(dev_idx):
        rows.devices[i] = replace(rows.devices[i], located_ward=found[k])
    for k, (i, _) in enumerate(ev_idx):
        ward = found[len(dev_idx) + k]
        if ward is not None:
            e = rows.events[i]
            rows.events[i] = replace(e, attrs={**e.attrs, "located_ward": ward})
    return rows
