"""What the ingest worker needs from the objects it is handed: broker, store, live state.

The real ones are :class:`ioc.mqtt.Consumer`, :class:`ioc.store.ingest_store.IngestStore`
and :class:`ioc.live.LiveState`, built by :func:`ingest.assemble.build_worker`;
tests hand in small in-memory ones.  The worker owns what it is handed: its
``stop`` stops and closes them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from ingest.acks import Acker
from ingest.live_updater import LiveSink
from ingest.stats import StatsSink
from ioc.model import BatchRows, IncidentCandidate, Resolution, WriteResult
from ioc.mqtt import Delivery
from ioc.store.ingest_store import StoreSetup

__all__ = ["Consumer", "Live", "Store"]


class Consumer(Acker, Protocol):
    """A persistent broker session with manual acknowledgement."""

    subscribed: threading.Event
    generation: int  # connection number; an ack of an earlier one is stale

    def start(self, on_message: Callable[[Delivery, int], None]) -> None: ...

    def unsubscribe(self) -> None: ...

    def stop(self, *, end_session: bool = False) -> None: ...


class Store(Protocol):
    """One batch, one transaction; errors as :mod:`ioc.errors` (see :mod:`ingest.retry`)."""

    @property
    def is_open(self) -> bool: ...

    def open(self) -> StoreSetup: ...

    def write(
        self,
        rows: BatchRows,
        *,
        incidents: Sequence[IncidentCandidate] = (),
        resolutions: Sequence[Resolution] = (),
    ) -> WriteResult: ...

    def close(self) -> None: ...


class Live(LiveSink, StatsSink, Protocol):
    """Live state: committed values, the worker's stats.  Raises ServiceUnavailable when down."""

    def close(self) -> None: ...
