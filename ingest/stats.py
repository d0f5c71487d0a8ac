"""The worker's counters: what each committed batch adds, and their periodic publication.

The counters are one :class:`collections.Counter` shared by the worker's
stages; :func:`count_batch` adds a committed batch, :class:`StatsPublisher`
logs them and writes them to live state (``ioc ingest stats``) every
``interval_s``.  Prometheus reads the same snapshot (:mod:`ingest.metrics`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ingest.decode import Decoded
from ioc.errors import ServiceUnavailable
from ioc.model import WriteResult

__all__ = ["StatsPublisher", "StatsSink", "count_batch"]

log = logging.getLogger(__name__)


def count_batch(counters: Counter[str], batch: Sequence[Decoded], result: WriteResult) -> None:
    c = counters
    c["batches"] += 1
    c["messages"] += len(batch)
    c["readings"] += len(result.new_readings)
    c["events"] += len(result.new_events)
    c["duplicate_readings"] += result.duplicate_readings
    c["duplicate_events"] += result.duplicate_events
    c["incidents_opened"] += result.incidents_opened
    c["incidents_resolved"] += result.incidents_resolved
    c["incidents_escalated"] += result.incidents_escalated
    c["causes_attached"] += result.causes_attached
    for item in batch:
        if item.reason is not None:
            c["dead_letters"] += 1
            c[f"dead.{item.reason.value}"] += 1


class StatsSink(Protocol):
    def write_stats(self, worker: str, counters: Mapping[str, int | float]) -> None: ...


class StatsPublisher:
    """Every ``interval_s``: log the snapshot and write it to live state under ``worker``."""

    def __init__(
        self,
        worker: str,
        sink: StatsSink,
        interval_s: float,
        counters: Counter[str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.worker, self.sink, self.interval_s = worker, sink, interval_s
        self.counters, self.clock = counters, clock
        self._last = float("-inf")

    def maybe_publish(self, snapshot: Callable[[], Mapping[str, int | float]]) -> bool:
        """Publish when due; True when it did."""
        now = self.clock()
        if now - self._last < self.interval_s:
            return False
        self._last = now
        snap = snapshot()
        log.info("ingest stats %s", dict(snap))
        try:
            self.sink.write_stats(self.worker, snap)
        except ServiceUnavailable:
            self.counters["redis_errors"] += 1
        return True
