"""A recorded simulated run, replayed, stores exactly the rows the original run stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ingest.worker import IngestWorker
from ioc.config import Settings
from ioc.mqtt import Publisher
from simulators.domains.base import TZ
from simulators.engine import Simulation
from simulators.record import Recorder, replay
from simulators.runner import run
from tests.ingest_helpers import count, running_ingest, wait_for
from tests.unit.sim_helpers import small_fleet

SNAPSHOT = {
    "readings": "SELECT time, ward_code, device_id, metric, value FROM readings ORDER BY 1, 3, 4",
    "events": "SELECT time, ward_code, domain, source, event_id, type, attrs FROM events ORDER BY 4, 5",
    "readings_1m": "SELECT * FROM readings_1m ORDER BY 1, 2, 3",
}


@pytest.fixture
def service(settings: Settings) -> Iterator[IngestWorker]:
    with running_ingest(settings, "test-replay") as svc:
        yield svc


def _snapshot(db: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {name: db.execute(q).fetchall() for name, q in SNAPSHOT.items()}


def _settled(service: IngestWorker, expected: int) -> bool:
    return service.counters["messages"] >= expected and service.queue.qsize() == 0


def test_replay_stores_the_same_rows(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    root = settings.topic_root
    out = tmp_path / "run.jsonl"
    start = datetime.now(TZ) - timedelta(hours=2)
    sim = Simulation(11, start, small_fleet(11, air=3, water=2, traffic=3, services=2, reports=2))
    with out.open("w", encoding="utf-8") as fh:
        rec = Recorder(settings.mqtt, f"{root}/#", fh, "test-replay-rec")
        pub = Publisher(settings.mqtt, "test-replay-sim")
        try:
            stats = run(sim, pub, root, speed=3600, duration_s=1.5)
        finally:
            pub.close()
        assert wait_for(lambda: rec.count >= stats.sent, 10)
        rec.close()
    assert stats.sent > 50
    assert wait_for(lambda: _settled(service, stats.sent), 30)
    time.sleep(0.5)
    original = _snapshot(db)
    assert original["readings"] and original["events"]
    assert count(db, "SELECT count(*) FROM dead_letters") == 0

    db.execute("TRUNCATE readings, events, event_keys, readings_1m, readings_1h")
    before = service.counters["messages"]
    pub = Publisher(settings.mqtt, "test-replay-pub")
    try:
        n = replay(out, pub, speed=0)
    finally:
        pub.close()
    assert n == stats.sent
    assert wait_for(lambda: service.counters["messages"] >= before + n, 30)
    time.sleep(0.5)
    assert _snapshot(db) == original
