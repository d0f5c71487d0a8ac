"""In-memory stand-ins for what the ingest worker is handed: broker session, store, live state.

They are not imitations of PostgreSQL, Redis or Mosquitto (the integration tests
run those): they record what the worker asks of them and fail when told, so
the worker's guarantees can be checked in a unit test.  Every call lands in one
shared ``log`` so tests can check the order (a commit before its acks).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geodata.registry import ward_codes
from ioc.errors import DataRejected, ServiceUnavailable
from ioc.live import DeviceValue
from ioc.model import BatchRows, IncidentCandidate, Resolution, WriteResult
from ioc.mqtt import Delivery
from ioc.store.ingest_store import StoreSetup

Log = list[tuple[str, Any]]


def topics(rows: BatchRows) -> list[str]:
    """What a write held, for the log: devices and sources of its rows, dead letters' topics."""
    return (
        [f"{r.device_id}@{r.time:%H%M%S}" for r in rows.readings]
        + [f"{e.source}/{e.event_id}" for e in rows.events]
        + [f"dead:{d.topic}" for d in rows.dead_letters]
    )


class FakeConsumer:
    def __init__(self, log: Log) -> None:
        self.log = log
        self.subscribed = threading.Event()
        self.generation = 1
        self.on_message: Callable[[Delivery, int], None] | None = None
        self.stopped = False

    def start(self, on_message: Callable[[Delivery, int], None]) -> None:
        self.on_message = on_message
        self.subscribed.set()

    def deliver(self, topic: str, payload: bytes, mid: int) -> None:
        assert self.on_message is not None
        self.on_message(Delivery(topic, payload, 1, mid, False, time.time()), self.generation)

    def ack(self, mid: int, generation: int) -> bool:
        self.log.append(("ack", mid))
        return generation == self.generation

    def unsubscribe(self) -> None:
        self.log.append(("unsubscribe", None))

    def stop(self, *, end_session: bool = False) -> None:
        self.stopped = True

    def acked(self) -> list[int]:
        return [int(mid) for what, mid in self.log if what == "ack"]


@dataclass
class FakeStore:
    """Commits every write, except: the scripted ``failures`` first, then what ``refuse`` says."""

    log: Log
    failures: list[BaseException] = field(default_factory=list)
    refuse: Callable[[BatchRows], bool] = lambda rows: False
    down: bool = False  # every write and open fails with ServiceUnavailable
    is_open: bool = False
    opened: int = 0
    closed: bool = False
    written: list[BatchRows] = field(default_factory=list)

    def open(self) -> StoreSetup:
        if self.down:
            raise ServiceUnavailable("PostgreSQL: down")
        self.is_open, self.opened = True, self.opened + 1
        return StoreSetup("plain", frozenset(ward_codes()))

    def write(
        self,
        rows: BatchRows,
        *,
        incidents: Sequence[IncidentCandidate] = (),
        resolutions: Sequence[Resolution] = (),
    ) -> WriteResult:
        assert self.is_open, "the worker writes only through an open store"
        if self.down:
            self.is_open = False
            raise ServiceUnavailable("PostgreSQL: down")
        if self.failures:
            exc = self.failures.pop(0)
            if isinstance(exc, ServiceUnavailable):
                self.is_open = False
            raise exc
        if self.refuse(rows):
            raise DataRejected("UntranslatableCharacter: \\u0000 cannot be converted to text")
        self.written.append(rows)
        self.log.append(("commit", topics(rows)))
        return WriteResult(
            new_readings=list(rows.readings),
            new_events=list(rows.events),
            duplicate_readings=0,
            duplicate_events=0,
            dead_letters=len(rows.dead_letters),
            incidents_opened=len(incidents),
            incidents_resolved=len(resolutions),
        )

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeLive:
    applied: list[tuple[list[DeviceValue], dict[str, bool], int]] = field(default_factory=list)
    stats: dict[str, dict[str, int | float]] = field(default_factory=dict)
    closed: bool = False

    def apply(
        self,
        values: Sequence[DeviceValue],
        statuses: Mapping[str, bool] | None = None,
        *,
        events: int = 0,
        now: float = 0.0,
    ) -> int:
        self.applied.append((list(values), dict(statuses or {}), events))
        return len(self.applied)

    def write_stats(self, worker: str, counters: Mapping[str, int | float]) -> None:
        self.stats[worker] = dict(counters)

    def close(self) -> None:
        self.closed = True
