"""The composition root of ingest: the real broker, database and Redis adapters for a worker.

The CLI and the integration tests build workers here; unit tests build
:class:`~ingest.worker.IngestWorker` with in-memory stand-ins instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ingest.metrics import MetricsServer
from ingest.worker import IngestWorker
from ioc.config import Settings
from ioc.contract import subscription
from ioc.live import LiveState
from ioc.mqtt import Consumer
from ioc.store.ingest_store import IngestStore

__all__ = ["build_worker"]


def build_worker(settings: Settings, clock: Callable[[], float] = time.time) -> IngestWorker:
    """A worker on the configured broker, database and Redis; not started."""
    cfg = settings.ingest
    consumer = Consumer(
        settings.mqtt,
        cfg.client_id,
        subscription(settings.topic_root, cfg.share_group or None),
        session_expiry_s=cfg.session_expiry_s,
        receive_maximum=cfg.receive_maximum,
    )
    store = IngestStore(
        settings.database_url,
        settings.db_schema,
        correlation_window=settings.incidents.correlation_window,
    )
    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    metrics = None
    if cfg.metrics_port:
        metrics = MetricsServer(cfg.metrics_host, cfg.metrics_port, cfg.client_id)
    return IngestWorker(consumer, store, live, clock, settings=settings, metrics=metrics)
