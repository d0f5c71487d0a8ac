"""The ingest service: broker -> bounded queue -> decode/validate -> batch -> write -> ack.

Two threads: paho's network thread only enqueues raw deliveries (it never
blocks on the database); the writer thread decodes, batches, writes each batch
in one transaction, then acknowledges its messages and updates live state.

Failure handling:
- database down: the batch is retried with backoff until it commits; nothing
  is acknowledged meanwhile, so a crash during the outage loses nothing;
- a batch the database refuses for its data (not its availability) is split
  and the offending messages go to ``dead_letters`` as ``store_rejected``;
- Redis down: logged, counted, skipped; the database path goes on;
- broker down: paho reconnects; acks of the old connection are dropped and
  the broker redelivers those messages (idempotent writes absorb them).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from geodata.features import ward_features
from geodata.index import WardIndex
from geodata.registry import ward_codes
from ingest.batcher import Batcher
from ingest.decode import Decoded, RawMessage, decode
from ingest.live_updater import LiveUpdater
from ingest.metrics import MetricsServer, render
from ingest.rows import to_rows, week_starts
from ingest.rules import AlarmTracker, evaluate, event_resolutions
from ioc.config import Settings
from ioc.contract import Status, Validator, subscription
from ioc.errors import ServiceUnavailable
from ioc.live import DeviceValue, LiveState
from ioc.model import BatchRows, DeadLetterRow, WriteResult
from ioc.mqtt import Consumer, Delivery
from ioc.store.db import connect
from ioc.store.migrate import flavour
from ioc.store.wards import known_ward_codes, load_boundaries
from ioc.store.writer import ensure_partitions, write_batch

__all__ = ["IngestService"]

log = logging.getLogger(__name__)

_STOP = object()
# The database refused the *data* (a value, a constraint): split the batch and
# dead-letter the offender.  Any other error is a bug or an outage: the batch is
# retried or the worker stops, and nothing unwritten is acknowledged.
_DATA_ERRORS = (psycopg.DataError, psycopg.IntegrityError)


class IngestService:
    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        cfg = settings.ingest
        self.queue: queue.Queue[object] = queue.Queue(maxsize=cfg.queue_size)
        self.counters: Counter[str] = Counter()
        self.batcher: Batcher[Decoded] = Batcher(
            cfg.batch_size, cfg.batch_age_ms / 1000, time.monotonic
        )
        self.consumer = Consumer(
            settings.mqtt,
            cfg.client_id,
            subscription(settings.topic_root, cfg.share_group or None),
            self._enqueue,
            session_expiry_s=cfg.session_expiry_s,
            receive_maximum=cfg.receive_maximum,
        )
        self.live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
        self.updater = LiveUpdater(self.live, self.counters, clock)
        self.metrics: MetricsServer | None = None
        if cfg.metrics_port:
            self.metrics = MetricsServer(cfg.metrics_host, cfg.metrics_port, self.render_metrics)
        self._conn: psycopg.Connection[Any] | None = None
        self._rollups = True
        self._validator: Validator | None = None
        self._weeks_ready: set[datetime] = set()
        self._index: WardIndex | None = None
        self._alarms = AlarmTracker()
        self._domain_of: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._last_stats = 0.0
        self.error: BaseException | None = None

    # ---- network thread -----------------------------------------------------

    def _enqueue(self, d: Delivery, generation: int) -> None:
        self.counters["received"] += 1
        # Blocks when the writer is behind: back-pressure to the broker, whose
        # receive-maximum bounds what it sends us unacknowledged.
        self.queue.put(RawMessage(d.topic, d.payload, d.received_at, d.mid, d.qos, generation))

    # ---- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        self._connect_db()
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._thread.start()
        self.updater.start()
        if self.metrics:
            self.metrics.start()
        self.consumer.start()

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
        self.consumer.stop(end_session=end_session)
        self._stopping.set()
        self.queue.put(_STOP)
        if self._thread:
            self._thread.join(timeout)
        self.updater.stop()
        if self.metrics:
            self.metrics.stop()
        if self._conn is not None:
            self._conn.close()
        self.live.r.close()

    # ---- writer thread ------------------------------------------------------

    def _connect_db(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            try:
                conn = connect(self.settings.database_url, self.settings.db_schema)
                flav = flavour(conn)
                if flav is None:
                    raise RuntimeError("the schema has no migrations: run 'ioc db upgrade'")
                codes = known_ward_codes(conn) or ward_codes()
                self._index = _ward_index(load_boundaries(conn))
                conn.rollback()
                self._conn, self._rollups = conn, flav == "plain"
                self._validator = Validator(
                    codes,
                    self.settings.topic_root,
                    max_future=timedelta(seconds=self.settings.ingest.max_future_s),
                    retention=self.settings.retention,
                )
                self._weeks_ready.clear()
                log.info("database connected (%s flavour, %d wards)", flav, len(codes))
                return
            except psycopg.OperationalError as exc:
                self.counters["db_errors"] += 1
                log.warning(
                    "database unavailable (%s); retrying in %.1fs", str(exc).strip()[:200], delay
                )
                self._stopping.wait(delay)
                delay = min(delay * 2, 10.0)

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
                if batch:
                    self._process(batch)
                self._maybe_stats()
        except BaseException as exc:  # surfaced to whoever supervises the service
            self.error = exc
            log.exception("ingest writer stopped")
            raise

    def _process(self, batch: Sequence[Decoded]) -> None:
        rows = to_rows(batch, self._index)
        result = self._write_with_retry(batch, rows)
        if result is None:
            return  # stopping; nothing acknowledged, the broker will redeliver
        self._ack(batch)
        self._count(batch, result)
        self._update_live(batch, rows, result)

    def _write_with_retry(self, batch: Sequence[Decoded], rows: BatchRows) -> WriteResult | None:
        delay = 0.5
        split = False  # after a data error: message by message, offenders dead-lettered
        while not self._stopping.is_set():
            try:
                if self._conn is None or self._conn.closed:
                    self._connect_db()
                    continue
                return self._write_one_by_one(batch) if split else self._write(rows)
            except psycopg.OperationalError as exc:
                self.counters["db_errors"] += 1
                log.warning(
                    "batch of %d not written (%s); retrying in %.1fs",
                    len(batch), str(exc).strip()[:200], delay,
                )  # fmt: skip
                self._drop_conn()
                self._stopping.wait(delay)
                delay = min(delay * 2, 10.0)
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                self.counters["db_retries"] += 1
                self._stopping.wait(0.05)
            except _DATA_ERRORS as exc:
                if split:
                    raise
                log.warning("batch refused by the database (%s); writing message by message", exc)
                split = True
        return None

    def _write(self, rows: BatchRows) -> WriteResult:
        assert self._conn is not None
        if self._rollups:
            weeks = [w for w in week_starts(rows) if w not in self._weeks_ready]
            ensure_partitions(self._conn, weeks)
            self._weeks_ready.update(weeks)
        for d in rows.devices:
            self._domain_of[d.device_id] = d.domain
        incidents = evaluate(rows.readings, rows.events, self._domain_of)
        cleared = self._alarms.update(rows.readings, self._domain_of)
        cleared += event_resolutions(rows.events)
        result = write_batch(
            self._conn, rows, rollups=self._rollups, incidents=incidents, resolutions=cleared
        )
        self._alarms.commit()  # only a committed batch moves the alarm state on
        return result

    def _write_one_by_one(self, batch: Sequence[Decoded]) -> WriteResult:
        results = []
        for item in batch:
            try:
                res = self._write(to_rows([item], self._index))
            except _DATA_ERRORS as exc:
                # transaction() rolled back; the connection is idle and usable.
                dl = DeadLetterRow(
                    datetime.fromtimestamp(item.raw.received_at, UTC),
                    item.raw.topic,
                    item.raw.payload,
                    "store_rejected",
                    f"{type(exc).__name__}: {exc}"[:300],
                )
                res = self._write(BatchRows(dead_letters=[dl]))
                self.counters["dead.store_rejected"] += 1
                self.counters["dead_letters"] += 1
            results.append(res)
        # The same totals a single write of the batch would report.
        return WriteResult(
            new_readings=[r for res in results for r in res.new_readings],
            new_events=[e for res in results for e in res.new_events],
            duplicate_readings=sum(res.duplicate_readings for res in results),
            duplicate_events=sum(res.duplicate_events for res in results),
            dead_letters=sum(res.dead_letters for res in results),
            incidents_opened=sum(res.incidents_opened for res in results),
            incidents_resolved=sum(res.incidents_resolved for res in results),
        )

    def _drop_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.debug("closing a broken connection failed", exc_info=True)
        self._conn = None

    def _ack(self, batch: Sequence[Decoded]) -> None:
        for item in batch:
            if item.raw.qos == 0:
                continue
            if self.consumer.ack(item.raw.mid, item.raw.generation):
                self.counters["acked"] += 1
            else:
                self.counters["ack_stale"] += 1

    def _count(self, batch: Sequence[Decoded], result: WriteResult) -> None:
        c = self.counters
        c["batches"] += 1
        c["messages"] += len(batch)
        c["readings"] += len(result.new_readings)
        c["events"] += len(result.new_events)
        c["duplicate_readings"] += result.duplicate_readings
        c["duplicate_events"] += result.duplicate_events
        c["incidents_opened"] += result.incidents_opened
        c["incidents_resolved"] += result.incidents_resolved
        for item in batch:
            if item.reason is not None:
                c["dead_letters"] += 1
                c[f"dead.{item.reason.value}"] += 1

    def _update_live(self, batch: Sequence[Decoded], rows: BatchRows, result: WriteResult) -> None:
        where = {d.device_id: (d.lat, d.lon) for d in rows.devices if d.lat is not None}
        values = [
            DeviceValue(
                r.device_id,
                r.ward_code,
                self._domain_of.get(r.device_id, ""),
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
        self.updater.submit(values, statuses, len(result.new_events))

    def snapshot(self) -> dict[str, int]:
        snap = dict(self.counters)
        snap["queue_depth"] = self.queue.qsize()
        snap["subscribed"] = int(self.consumer.subscribed.is_set())
        snap["generation"] = self.consumer.generation
        return snap

    def render_metrics(self) -> str:
        return render(self.settings.ingest.client_id, self.snapshot())

    def _maybe_stats(self) -> None:
        now = time.monotonic()
        if now - self._last_stats < self.settings.ingest.stats_interval_s:
            return
        self._last_stats = now
        snapshot = self.snapshot()
        log.info("ingest stats %s", snapshot)
        try:
            self.live.write_stats(self.settings.ingest.client_id, snapshot)
        except ServiceUnavailable:
            self.counters["redis_errors"] += 1


def _ward_index(rows: Sequence[dict[str, Any]]) -> WardIndex | None:
    """A point-in-ward index over the imported boundaries; None while only the schematic exists."""
    real = [r for r in rows if r.get("geometry_simplified") is not None]
    return WardIndex(ward_features(real)) if real else None
