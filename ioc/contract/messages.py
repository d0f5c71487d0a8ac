"""Message models of the wire contract and the pure decode / validate step.

``decode()`` turns (topic, payload bytes, receive time) into a frozen
:class:`Telemetry`, :class:`Event` or :class:`Status`, or raises
:class:`~ioc.contract.errors.Rejected` with the first rule the message breaks.
``encode_*()`` are what publishers (simulators, devices' test rigs) use.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ioc.contract.catalogue import CATALOGUE
from ioc.contract.errors import Reason, Rejected
from ioc.contract.topics import CITY, DEFAULT_ROOT, Topic, parse_topic

__all__ = [
    "MAX_PAYLOAD",
    "Event",
    "Message",
    "Status",
    "Telemetry",
    "Validator",
    "encode_event",
    "encode_status",
    "encode_telemetry",
]

MAX_PAYLOAD = 64 * 1024
_MAX_ID = 128
_MAX_ATTRS = 16 * 1024


@dataclass(frozen=True, slots=True)
class Telemetry:
    topic: Topic
    ts: datetime
    values: Mapping[str, float]
    lat: float | None = None
    lon: float | None = None
    ts_from_receipt: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    topic: Topic
    ts: datetime
    event_id: str
    type: str
    attrs: Mapping[str, Any] = field(default_factory=dict)
    ts_from_receipt: bool = False


@dataclass(frozen=True, slots=True)
class Status:
    topic: Topic
    online: bool
    ts: datetime


Message = Telemetry | Event | Status


def _reject_constant(name: str) -> float:
    raise Rejected(Reason.NON_FINITE, f"{name} is not a number JSON allows")


def _parse_ts(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise Rejected(Reason.BAD_TIMESTAMP, "ts must be an RFC 3339 string")
    try:
        ts = datetime.fromisoformat(raw)
    except ValueError:
        raise Rejected(Reason.BAD_TIMESTAMP, f"ts {raw[:40]!r} is not RFC 3339") from None
    if ts.tzinfo is None:
        raise Rejected(Reason.BAD_TIMESTAMP, "ts has no UTC offset")
    return ts.astimezone(UTC)


def _finite_number(name: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise Rejected(Reason.BAD_SHAPE, f"{name} must be a number")
    value = float(raw)
    if not math.isfinite(value):
        raise Rejected(Reason.NON_FINITE, f"{name} is not finite")
    # -1e-400 parses as -0.0: one zero, so a stored value never prints as "-0".
    return 0.0 if value == 0.0 else value


# PostgreSQL refuses NUL in text and jsonb (one such message made a whole batch fall back
# to row-by-row writes), and control characters have no place in what the wall shows.
# Identifiers (ids, types, attribute names) take no control or format characters at all
# (bidi overrides such as U+202E included); text values keep tab and line breaks.  Lone
# surrogates ("\ud800" is valid JSON) are not text either: UTF-8 cannot hold them.
_BAD_IN_ID = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_BAD_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _check_id(name: str, value: str) -> None:
    if _BAD_IN_ID.search(value):
        raise Rejected(Reason.BAD_SHAPE, f"{name} holds a control or format character")


def _check_text(where: str, value: object, depth: int = 0) -> None:
    """Every string in ``value`` (attribute values, nested) and every key."""
    if isinstance(value, str):
        if _BAD_IN_TEXT.search(value):
            raise Rejected(Reason.BAD_SHAPE, f"{where} holds a control character")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_id(f"{where} key", key)
            _check_text(f"{where}.{key[:40]}", item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_text(f"{where}[]", item, depth + 1)


@dataclass(frozen=True, slots=True)
class Validator:
    """Checks messages against the contract.  Pure: the caller passes ``now``."""

    wards: Collection[str]
    root: str = DEFAULT_ROOT
    max_future: timedelta = timedelta(minutes=5)
    retention: timedelta = timedelta(days=400)

    def decode(self, topic: str, payload: bytes, now: datetime) -> Message:
        t = parse_topic(topic, self.root)
        if len(payload) > MAX_PAYLOAD:
            raise Rejected(Reason.TOO_LARGE, f"{len(payload)} bytes > {MAX_PAYLOAD}")
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Rejected(Reason.NOT_UTF8, f"invalid byte at {exc.start}") from None
        try:
            doc = json.loads(text, parse_constant=_reject_constant)
        except Rejected:
            raise
        except (ValueError, RecursionError) as exc:
            raise Rejected(Reason.MALFORMED_JSON, str(exc)[:120]) from None
        dom = CATALOGUE.get(t.domain)
        if t.city:
            if dom is None or not dom.city or t.kind != "event":
                raise Rejected(
                    Reason.UNKNOWN_WARD,
                    f"the city code {CITY} carries events of city-level domains only",
                )
        elif t.ward not in self.wards:
            raise Rejected(Reason.UNKNOWN_WARD, f"ward {t.ward} is not in the registry")
        if dom is None:
            raise Rejected(Reason.UNKNOWN_DOMAIN, f"domain {t.domain!r} is not in the catalogue")
        if t.kind == "status":
            return self._status(t, doc, now)
        if t.kind == "telemetry":
            if dom.kind != "telemetry":
                raise Rejected(Reason.UNKNOWN_DOMAIN, f"{t.domain} carries events, not telemetry")
            return self._telemetry(t, doc, now)
        if dom.kind != "event":
            raise Rejected(Reason.UNKNOWN_DOMAIN, f"{t.domain} carries telemetry, not events")
        return self._event(t, doc, now)

    def _timestamp(self, doc: Mapping[str, Any], now: datetime) -> tuple[datetime, bool]:
        if "ts" not in doc or doc["ts"] is None:
            return now, True
        ts = _parse_ts(doc["ts"])
        if ts - now > self.max_future:
            raise Rejected(Reason.TS_IN_FUTURE, f"ts is {ts - now} ahead of the receive time")
        if now - ts > self.retention:
            raise Rejected(Reason.TS_TOO_OLD, "ts is older than the retention window")
        return ts, False

    def _telemetry(self, t: Topic, doc: object, now: datetime) -> Telemetry:
        if not isinstance(doc, dict):
            raise Rejected(Reason.BAD_SHAPE, "telemetry payload must be a JSON object")
        values = doc.get("values")
        if not isinstance(values, dict) or not values:
            raise Rejected(Reason.BAD_SHAPE, "'values' must be a non-empty object")
        unknown = set(doc) - {"ts", "values", "lat", "lon"}
        if unknown:
            raise Rejected(Reason.BAD_SHAPE, f"unexpected keys {sorted(unknown)[:5]}")
        catalogue = CATALOGUE[t.domain].metrics
        clean: dict[str, float] = {}
        for name, raw in values.items():
            m = catalogue.get(name)
            if m is None:
                raise Rejected(Reason.UNKNOWN_METRIC, f"{t.domain}.{name[:40]} is not catalogued")
            value = _finite_number(name, raw)
            if not m.in_range(value):
                raise Rejected(
                    Reason.OUT_OF_RANGE, f"{name}={value} outside [{m.min}, {m.max}] {m.unit}"
                )
            clean[name] = value
        lat = lon = None
        if "lat" in doc or "lon" in doc:
            lat = _finite_number("lat", doc.get("lat"))
            lon = _finite_number("lon", doc.get("lon"))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise Rejected(Reason.OUT_OF_RANGE, "lat/lon outside the globe")
        ts, from_receipt = self._timestamp(doc, now)
        return Telemetry(t, ts, clean, lat, lon, from_receipt)

    def _event(self, t: Topic, doc: object, now: datetime) -> Event:
        if not isinstance(doc, dict):
            raise Rejected(Reason.BAD_SHAPE, "event payload must be a JSON object")
        event_id, etype, attrs = doc.get("id"), doc.get("type"), doc.get("attrs", {})
        if not isinstance(event_id, str) or not 0 < len(event_id) <= _MAX_ID:
            raise Rejected(Reason.BAD_SHAPE, f"'id' must be a string of 1-{_MAX_ID} chars")
        if not isinstance(etype, str):
            raise Rejected(Reason.BAD_SHAPE, "'type' must be a string")
        _check_id("'id'", event_id)
        _check_id("'type'", etype)
        if etype not in CATALOGUE[t.domain].events:
            raise Rejected(Reason.UNKNOWN_EVENT_TYPE, f"{t.domain}: {etype[:40]!r} not catalogued")
        if not isinstance(attrs, dict):
            raise Rejected(Reason.BAD_SHAPE, "'attrs' must be an object")
        if len(json.dumps(attrs, ensure_ascii=False)) > _MAX_ATTRS:
            raise Rejected(Reason.TOO_LARGE, "attrs larger than 16 KiB")
        _check_text("attrs", attrs)
        for key in ("lat", "lon"):
            if key in attrs:
                _finite_number(f"attrs.{key}", attrs[key])
        ts, from_receipt = self._timestamp(doc, now)
        return Event(t, ts, event_id, etype, attrs, from_receipt)

    def _status(self, t: Topic, doc: object, now: datetime) -> Status:
        if doc not in ("online", "offline"):
            raise Rejected(Reason.BAD_SHAPE, 'status must be "online" or "offline"')
        return Status(t, doc == "online", now)


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None:
        raise ValueError("timestamps on the wire carry an offset")
    return ts.isoformat(timespec="milliseconds")


def encode_telemetry(
    ts: datetime, values: Mapping[str, float], lat: float | None = None, lon: float | None = None
) -> bytes:
    doc: dict[str, Any] = {"ts": _iso(ts), "values": dict(values)}
    if lat is not None and lon is not None:
        doc["lat"], doc["lon"] = round(lat, 6), round(lon, 6)
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode()


def encode_status(online: bool) -> bytes:
    """A status payload: the JSON string ``"online"`` (retained) or ``"offline"`` (last will)."""
    return b'"online"' if online else b'"offline"'


def encode_event(ts: datetime, event_id: str, type_: str, attrs: Mapping[str, Any]) -> bytes:
    doc = {"ts": _iso(ts), "id": event_id, "type": type_, "attrs": dict(attrs)}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode()
