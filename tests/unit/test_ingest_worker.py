"""The worker's guarantees with in-memory collaborators: ack only after commit, retry, dead letters.

The worker receives its broker session, store and live state, so these run
without PostgreSQL, Redis or Mosquitto (the integration tests run the same
worker on the real ones).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from ingest.worker import IngestWorker
from ioc.config import IngestSettings, Settings
from ioc.contract import encode_event, encode_telemetry
from tests.ingest_helpers import wait_for
from tests.unit.ingest_fakes import FakeConsumer, FakeLive, FakeStore, Log

ROOT = "tanan/v1"


def _settings() -> Settings:
    ingest = IngestSettings(client_id="unit-worker", batch_size=50, batch_age_ms=20)
    return Settings(topic_root=ROOT, ingest=ingest)


@contextmanager
def worker(store: FakeStore, log: Log) -> Iterator[tuple[IngestWorker, FakeConsumer, FakeLive]]:
    consumer, live = FakeConsumer(log), FakeLive()
    w = IngestWorker(consumer, store, live, settings=_settings())
    w.start()
    try:
        yield w, consumer, live
    finally:
        w.stop()


def telemetry(consumer: FakeConsumer, n: int, first_mid: int = 1) -> None:
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    for i in range(n):
        topic = f"{ROOT}/27694/air/aq-{i}/telemetry"
        consumer.deliver(topic, encode_telemetry(t0, {"pm25": 12.0 + i}), first_mid + i)


def test_messages_are_acknowledged_only_after_their_commit_through_an_outage() -> None:
    from ioc.errors import ServiceUnavailable

    log: Log = []
    store = FakeStore(log, failures=[ServiceUnavailable("down"), ServiceUnavailable("down")])
    with worker(store, log) as (w, consumer, _):
        telemetry(consumer, 5)
        assert wait_for(lambda: len(consumer.acked()) == 5, 10)
    commits = [i for i, (what, _) in enumerate(log) if what == "commit"]
    acks = [i for i, (what, _) in enumerate(log) if what == "ack"]
    assert len(commits) == 1 and min(acks) > commits[0]
    assert w.counters["db_errors"] == 2 and store.opened == 3  # reconnected after each
    assert w.counters["messages"] == 5 and w.counters["acked"] == 5


def test_nothing_is_acknowledged_while_the_database_is_down() -> None:
    log: Log = []
    store = FakeStore(log)
    with worker(store, log) as (w, consumer, _):
        store.down = True
        telemetry(consumer, 3)
        assert wait_for(lambda: w.counters["db_errors"] >= 1, 5)
        time.sleep(0.2)
    assert consumer.acked() == [] and w.error is None
    assert w.counters["messages"] == 0


def test_refused_data_is_dead_lettered_alone_and_everything_acknowledged() -> None:
    log: Log = []
    # The stand-in database refuses one event (as PostgreSQL refuses a value it cannot store).
    store = FakeStore(log, refuse=lambda rows: any(e.event_id == "r-3" for e in rows.events))
    now = datetime.now(UTC)
    with worker(store, log) as (w, consumer, _):
        topic = f"{ROOT}/27694/reports/app/event"
        for i in range(6):
            payload = encode_event(now, f"r-{i}", "report.created", {"text": "ổ gà"})
            consumer.deliver(topic, payload, i + 1)
        assert wait_for(lambda: len(consumer.acked()) == 6, 10)
    stored = [e.event_id for rows in store.written for e in rows.events]
    dead = [d for rows in store.written for d in rows.dead_letters]
    assert sorted(stored) == ["r-0", "r-1", "r-2", "r-4", "r-5"]
    assert [(d.reason, d.topic) for d in dead] == [("store_rejected", topic)]
    assert b'"r-3"' in dead[0].payload
    assert w.counters["dead.store_rejected"] == 1 and w.counters["dead_letters"] == 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_bug_stops_the_writer_and_acknowledges_nothing() -> None:
    log: Log = []
    store = FakeStore(log, failures=[RuntimeError("a bug in the write path")])
    with worker(store, log) as (w, consumer, _):
        telemetry(consumer, 2)
        assert wait_for(lambda: w.error is not None, 5)
    assert isinstance(w.error, RuntimeError) and consumer.acked() == []


def test_committed_values_reach_live_state_and_stop_closes_what_it_was_handed() -> None:
    log: Log = []
    store = FakeStore(log)
    with worker(store, log) as (w, consumer, live):
        telemetry(consumer, 3)
        assert wait_for(lambda: w.updater.applied.is_set(), 5)
        assert wait_for(lambda: "unit-worker" in live.stats, 5)
    values = [v for applied in live.applied for v in applied[0]]
    assert sorted((v.device, v.domain, v.value) for v in values) == [
        ("aq-0", "air", 12.0), ("aq-1", "air", 13.0), ("aq-2", "air", 14.0),
    ]  # fmt: skip
    assert store.closed and live.closed and consumer.stopped
