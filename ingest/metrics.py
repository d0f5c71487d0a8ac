"""The worker's counters for Prometheus, through prometheus-client.

:class:`SnapshotCollector` turns the worker's counter snapshot into metric
families at scrape time, so the counters stay one ``Counter`` shared with the
Redis stats: ``ioc_ingest_{name}_total`` (counters), ``ioc_ingest_{name}``
(gauges: queue depth, subscribed, connection generation) and
``ioc_ingest_rejected_total{reason=…}`` for each rejection reason, every one
labelled with the ``worker`` (client id).  :class:`MetricsServer` serves them
with the process, platform and GC metrics prometheus-client gives for free,
from a registry of its own (two workers in one process do not collide).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["MetricsServer", "SnapshotCollector", "render"]

log = logging.getLogger(__name__)

Snapshot = Callable[[], Mapping[str, int | float]]

_GAUGES = {"queue_depth", "subscribed", "generation"}
_HELP = {
    "received": "messages received from the broker",
    "messages": "messages processed (stored or dead-lettered)",
    "acked": "messages acknowledged after commit",
    "readings": "new reading rows",
    "events": "new event rows",
    "dead_letters": "messages rejected into dead_letters",
    "duplicate_readings": "redelivered readings skipped by the unique key",
    "db_errors": "database connection failures",
    "redis_errors": "live-state writes that failed",
}


class SnapshotCollector(Collector):
    """Metric families built from ``snapshot()`` on each scrape."""

    def __init__(self, worker: str, snapshot: Snapshot) -> None:
        self.worker, self.snapshot = worker, snapshot

    def collect(self) -> Iterator[Metric]:
        counters = self.snapshot()
        reasons = {k[len("dead.") :]: v for k, v in counters.items() if k.startswith("dead.")}
        if reasons:
            rejected = CounterMetricFamily(
                "ioc_ingest_rejected", "rejected messages by reason", labels=["worker", "reason"]
            )
            for reason, value in sorted(reasons.items()):
                rejected.add_metric([self.worker, reason], value)
            yield rejected
        for name, value in sorted(counters.items()):
            if name.startswith("dead."):
                continue
            doc = _HELP.get(name, name.replace("_", " "))
            family: CounterMetricFamily | GaugeMetricFamily
            if name in _GAUGES:
                family = GaugeMetricFamily(f"ioc_ingest_{name}", doc, labels=["worker"])
            else:
                family = CounterMetricFamily(f"ioc_ingest_{name}", doc, labels=["worker"])
            family.add_metric([self.worker], value)
            yield family


def render(worker: str, counters: Mapping[str, int | float]) -> str:
    """The counters alone in the Prometheus text format."""
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(worker, lambda: counters))
    return generate_latest(registry).decode()


class MetricsServer:
    """``/metrics`` of one worker on ``host:port`` (0 picks a free port), on its own thread."""

    def __init__(self, host: str, port: int, worker: str) -> None:
        self.host, self.port, self.worker = host, port, worker
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, snapshot: Snapshot) -> None:
        registry = CollectorRegistry()
        registry.register(SnapshotCollector(self.worker, snapshot))
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self._server, self._thread = start_http_server(self.port, self.host, registry)
        self.port = int(self._server.server_address[1])
        log.info("metrics on http://%s:%d/metrics", self.host, self.port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
