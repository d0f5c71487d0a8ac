"""The ingest worker: broker -> bounded queue -> decode/validate -> batch -> prepare -> write -> ack.

Two threads: the consumer's network thread only enqueues raw deliveries (it
never waits on the database, only on a full queue: back-pressure); the writer
thread decodes, batches, prepares each batch once (:mod:`ingest.pipeline`),
writes it until it commits (:mod:`ingest.retry`), and only then acknowledges
its messages (:mod:`ingest.acks`), counts them (:mod:`ingest.stats`) and hands
the change to live state (:mod:`ingest.live_updater`).

The worker receives its I/O objects (:mod:`ingest.ports`) and owns them from
then on; :func:`ingest.assemble.build_worker` builds the real ones.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta

from geodata.registry import ward_codes
from ingest.acks import ack_batch
from ingest.batcher import Batcher
from ingest.decode import Decoded, RawMessage, decode
from ingest.live_updater import LiveUpdater, live_changes
from ingest.metrics import MetricsServer
from ingest.pipeline import Pipeline, Prepared, ward_index
from ingest.ports import Consumer, Live, Store
from ingest.retry import retry, write_with_retry
from ingest.stats import StatsPublisher, count_batch
from ioc.config import Settings
from ioc.contract import Validator
from ioc.model import WriteResult
from ioc.mqtt import Delivery
from ioc.rules.loader import RuleSource

__all__ = ["IngestWorker"]

log = logging.getLogger(__name__)

_STOP = object()


class IngestWorker:
    def __init__(
        self,
        consumer: Consumer,
        store: Store,
        live: Live,
        clock: Callable[[], float] = time.time,
        *,
        settings: Settings,
        metrics: MetricsServer | None = None,
        rules: RuleSource | None = None,
    ) -> None:
        self.consumer, self.store, self.live, self.clock = consumer, store, live, clock
        self.settings = settings
        self.metrics = metrics
        cfg = settings.ingest
        self.queue: queue.Queue[object] = queue.Queue(maxsize=cfg.queue_size)
        self.counters: Counter[str] = Counter()
        self.batcher: Batcher[Decoded] = Batcher(
            cfg.batch_size, cfg.batch_age_ms / 1000, time.monotonic
        )
        # The alarm rules, re-read when their file changes (a bad file keeps the old ones).
        self.rules = rules or RuleSource(settings.rules.path, every_s=settings.rules.reload_s)
        self.pipeline = Pipeline(rules=self.rules.current())
        self.updater = LiveUpdater(live, self.counters, clock)
        self.stats = StatsPublisher(cfg.client_id, live, cfg.stats_interval_s, self.counters)
        self._validator: Validator | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.error: BaseException | None = None

    # ---- network thread -----------------------------------------------------

    def _enqueue(self, d: Delivery, generation: int) -> None:
        self.counters["received"] += 1
        # Blocks when the writer is behind: back-pressure to the broker, whose
        # receive-maximum bounds what it sends us unacknowledged.
        self.queue.put(RawMessage(d.topic, d.payload, d.received_at, d.mid, d.qos, generation))

    # ---- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        """Connect the store (waiting out an outage), then start the threads and the consumer."""
        retry(self._open, stop=self._stopping, counters=self.counters, what="database unavailable")
        if self._stopping.is_set():
            return  # stopped while waiting for the database
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._thread.start()
        self.updater.start()
        if self.metrics:
            self.metrics.start(self.snapshot)
        self.consumer.start(self._enqueue)

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """True once subscribed at the broker (tests wait on it before publishing)."""
        return self.consumer.subscribed.wait(timeout)

    def retire(self, idle_s: float = 2.0, timeout: float = 300.0) -> bool:
        """Leave the shared subscription for good without losing anything.

        A stopped worker's persistent session keeps receiving its round-robin
        share at the broker until it comes back.  To remove a worker: run it
        once with ``--retire``: it takes its held messages, unsubscribes,
        writes what is in hand, and ends its session.  True when drained.
        """
        self.consumer.subscribed.wait(30)
        self.consumer.unsubscribe()
        deadline = time.monotonic() + timeout
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            seen = self.counters["received"]
            busy = seen != last or self.queue.qsize() or len(self.batcher)
            if busy:
                last, quiet_since = seen, time.monotonic()
            elif self.counters["messages"] >= seen and time.monotonic() - quiet_since >= idle_s:
                self.stop(end_session=True)
                return True
            time.sleep(0.1)
        self.stop()
        return False

    def stop(self, timeout: float = 10.0, *, end_session: bool = False) -> None:
        """Stop consuming, let the writer finish its current write, close everything handed in."""
        self.consumer.stop(end_session=end_session)
        self._stopping.set()
        self.queue.put(_STOP)
        if self._thread:
            self._thread.join(timeout)
        self.updater.stop()
        if self.metrics:
            self.metrics.stop()
        self.store.close()
        self.live.close()

    def snapshot(self) -> dict[str, int]:
        snap = dict(self.counters)
        snap["queue_depth"] = self.queue.qsize()
        snap["subscribed"] = int(self.consumer.subscribed.is_set())
        snap["generation"] = self.consumer.generation
        return snap

    # ---- writer thread ------------------------------------------------------

    def _open(self) -> None:
        """(Re)connect the store and adopt what it knows: wards, boundaries."""
        setup = self.store.open()
        codes = setup.ward_codes or ward_codes()
        self.pipeline.index = ward_index(setup.boundaries)
        self.pipeline.rules.seed(setup.active_rules, self.clock())
        self._validator = Validator(
            codes,
            self.settings.topic_root,
            max_future=timedelta(seconds=self.settings.ingest.max_future_s),
            retention=self.settings.retention,
        )
        log.info("database connected (%s flavour, %d wards)", setup.flavour, len(codes))

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                left = self.batcher.time_left()
                try:
                    item = self.queue.get(timeout=left if left is not None else 0.5)
                except queue.Empty:
                    item = None
                if item is _STOP:
                    break
                batch = None
                if isinstance(item, RawMessage):
                    assert self._validator is not None
                    batch = self.batcher.add(decode(self._validator, item))
                batch = batch or self.batcher.due()
                if self.rules.check():
                    self.pipeline.rules.set_rules(self.rules.current())
                if batch:
                    self._process(batch)
                self.stats.maybe_publish(self.snapshot)
        except BaseException as exc:  # surfaced to whoever supervises the worker
            self.error = exc
            log.exception("ingest writer stopped")
            raise

    def _process(self, batch: Sequence[Decoded]) -> None:
        prepared = self.pipeline.prepare(batch)
        result = write_with_retry(
            prepared, self._write, self.pipeline, stop=self._stopping, counters=self.counters
        )
        if result is None:
            return  # stopping; nothing acknowledged, the broker will redeliver
        ack_batch(self.consumer, batch, self.counters)
        count_batch(self.counters, batch, result)
        self.updater.submit(live_changes(batch, prepared.rows, result, self.pipeline.domain_of))

    def _write(self, prepared: Prepared) -> WriteResult:
        if not self.store.is_open:
            self._open()  # after an outage: raises ServiceUnavailable until the database is back
        return self.store.write(
            prepared.rows, incidents=prepared.incidents, resolutions=prepared.resolutions
        )
