"""Record every message under a topic filter to JSON lines, and replay a recording.

A line is ``{"t": receive epoch, "topic", "payload", "qos", "retain"}``; the
payload is UTF-8 text, or base64 with ``"b64": true`` when it is not UTF-8.
Replay republishes in file order with the original spacing divided by
``speed``; ``rewrite_ts`` shifts every payload's ``ts`` so the first message
is "now" (spacing kept); ``root`` moves the messages under another topic root.
Without rewriting, a replayed recording carries the same payloads, so the
store keeps the same rows as for the original run.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from ioc.config import MqttUrl
from ioc.mqtt import Delivery, Publisher, Subscription

__all__ = ["Line", "Recorder", "read_lines", "replay", "retarget", "rewrite_payload_ts"]


@dataclass(frozen=True, slots=True)
class Line:
    t: float
    topic: str
    payload: bytes
    qos: int
    retain: bool

    def to_json(self) -> str:
        doc: dict[str, Any] = {"t": round(self.t, 6), "topic": self.topic}
        try:
            doc["payload"] = self.payload.decode("utf-8")
        except UnicodeDecodeError:
            doc["payload"], doc["b64"] = base64.b64encode(self.payload).decode("ascii"), True
        doc["qos"], doc["retain"] = self.qos, self.retain
        return json.dumps(doc, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Line:
        doc = json.loads(text)
        raw = doc["payload"]
        payload = base64.b64decode(raw) if doc.get("b64") else raw.encode("utf-8")
        return cls(
            float(doc["t"]), doc["topic"], payload, int(doc.get("qos", 1)), bool(doc["retain"])
        )


class Recorder:
    """Subscribes to ``topic_filter`` and appends one JSON line per message to ``out``."""

    def __init__(self, url: MqttUrl, topic_filter: str, out: IO[str], client_id: str) -> None:
        self._out, self._lock = out, threading.Lock()
        self.count = 0
        self.changed = threading.Event()
        self._sub = Subscription(url, client_id, topic_filter, self._on_message)

    def _on_message(self, d: Delivery) -> None:
        line = Line(d.received_at, d.topic, d.payload, d.qos, d.retain).to_json()
        with self._lock:
            self._out.write(line + "\n")
            self.count += 1
        self.changed.set()

    def close(self) -> None:
        self._sub.close()
        with self._lock:
            self._out.flush()


def read_lines(path: Path) -> Iterator[Line]:
    with path.open(encoding="utf-8") as fh:
        for text in fh:
            if text.strip():
                yield Line.from_json(text)


def rewrite_payload_ts(payload: bytes, shift: timedelta) -> bytes:
    """The payload with its ``ts`` moved by ``shift`` (unchanged when it has none or is not JSON)."""
    try:
        doc = json.loads(payload)
        ts = datetime.fromisoformat(doc["ts"])
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return payload
    doc["ts"] = (ts + shift).isoformat(timespec="milliseconds")
    return json.dumps(doc, ensure_ascii=False).encode()


def _first_ts(path: Path) -> datetime | None:
    for line in read_lines(path):
        try:
            return datetime.fromisoformat(json.loads(line.payload)["ts"])
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            continue
    return None


def retarget(topic: str, new_root: str | None) -> str:
    """Move ``{root}/{ward}/{domain}/{device}/{kind}`` under ``new_root``."""
    parts = topic.split("/")
    if new_root is None or len(parts) < 5:
        return topic
    return "/".join([new_root, *parts[-4:]])


def replay(
    path: Path,
    pub: Publisher,
    *,
    speed: float = 1.0,
    rewrite_ts: bool = False,
    new_root: str | None = None,
    stop: threading.Event | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Republish a recording; returns how many messages were published."""
    stop = stop or threading.Event()
    shift = timedelta(0)
    if rewrite_ts:
        first = _first_ts(path)
        if first is not None:
            shift = datetime.now(UTC) - first
    n, t0_file, t0_wall, last = 0, None, time.monotonic(), time.monotonic()
    for line in read_lines(path):
        if stop.is_set():
            break
        if t0_file is None:
            t0_file = line.t
        wait = (line.t - t0_file) / speed - (time.monotonic() - t0_wall) if speed > 0 else 0
        if wait > 0 and stop.wait(wait):
            break
        payload = rewrite_payload_ts(line.payload, shift) if rewrite_ts else line.payload
        pub.publish(retarget(line.topic, new_root), payload, qos=line.qos, retain=line.retain)
        n += 1
        if progress and time.monotonic() - last >= 1.0:
            last = time.monotonic()
            progress(n)
    pub.flush(30.0)
    return n
