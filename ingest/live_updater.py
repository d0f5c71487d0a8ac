"""Live-state updates off the write path: a thread that applies committed batches to Redis.

:func:`live_changes` says what a committed batch changes (newest values with
positions, device status, how many new events); the writer hands that to
:class:`LiveUpdater` without waiting; its thread
merges whatever has piled up into one Redis round of writes, so a slow or
absent Redis never slows the database path.  Live state is rebuildable (the
next reading of a device refreshes it), so when Redis is down the pending
updates are dropped and counted rather than held without bound.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ingest.decode import Decoded
from ioc.contract import Status
from ioc.errors import ServiceUnavailable
from ioc.live import DeviceValue
from ioc.model import BatchRows, WriteResult

__all__ = ["LiveSink", "LiveUpdater", "live_changes"]

log = logging.getLogger(__name__)

Update = tuple[Sequence[DeviceValue], Mapping[str, bool], int]  # values, statuses, new events


class LiveSink(Protocol):
    def apply(
        self,
        values: Sequence[DeviceValue],
        statuses: Mapping[str, bool] | None = None,
        *,
        events: int = 0,
        now: float = 0.0,
    ) -> int: ...


def live_changes(
    batch: Sequence[Decoded], rows: BatchRows, result: WriteResult, domain_of: Mapping[str, str]
) -> Update:
    """The new readings (with the batch's positions), status changes and new-event count."""
    where = {d.device_id: (d.lat, d.lon) for d in rows.devices if d.lat is not None}
    values = [
        DeviceValue(
            r.device_id,
            r.ward_code,
            domain_of.get(r.device_id, ""),
            r.metric,
            r.value,
            r.time.timestamp(),
            *where.get(r.device_id, (None, None)),
        )
        for r in result.new_readings
    ]
    statuses = {
        i.message.topic.device: i.message.online for i in batch if isinstance(i.message, Status)
    }
    return values, statuses, len(result.new_events)


class LiveUpdater:
    def __init__(
        self,
        live: LiveSink,
        counters: Counter[str],
        clock: Callable[[], float] = time.time,
        max_pending: int = 256,
    ) -> None:
        self.live = live
        self.counters = counters
        self.clock = clock
        self._q: queue.Queue[Update | None] = queue.Queue(maxsize=max_pending)
        self._thread = threading.Thread(target=self._run, name="ingest-live", daemon=True)
        self._last_warning = 0.0
        self.applied = threading.Event()  # set after each successful apply (tests wait on it)

    def start(self) -> None:
        self._thread.start()

    def submit(self, change: Update) -> None:
        """Queue a committed batch's change; never blocks (a full queue drops it, counted)."""
        values, statuses, events = change
        if not (values or statuses or events):
            return
        try:
            self._q.put_nowait(change)
        except queue.Full:
            self.counters["live_dropped"] += 1

    def stop(self, timeout: float = 5.0) -> None:
        with contextlib.suppress(queue.Full):
            self._q.put(None, timeout=timeout)
        self._thread.join(timeout)

    def _drain(self, first: Update) -> tuple[Update, bool]:
        values, statuses, events = list(first[0]), dict(first[1]), first[2]
        stop = False
        while True:
            try:
                more = self._q.get_nowait()
            except queue.Empty:
                break
            if more is None:
                stop = True
                break
            values += more[0]
            statuses.update(more[1])
            events += more[2]
        return (values, statuses, events), stop

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            merged, stop = self._drain(item)
            try:
                values, statuses, events = merged
                self.live.apply(values, statuses, events=events, now=self.clock())
                self.applied.set()
            except ServiceUnavailable as exc:
                self.counters["redis_errors"] += 1
                now = time.monotonic()
                if now - self._last_warning > 30:
                    log.warning("live state not updated, Redis unavailable: %s", exc)
                    self._last_warning = now
            except Exception:
                self.counters["live_errors"] += 1
                log.exception("live state update failed")
            if stop:
                return
