"""Every rejection case of DESIGN.md §2 lands in dead_letters with its reason; good messages between them are stored."""

from __future__ import annotations

import json
import random
import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ingest.worker import IngestWorker
from ioc.config import Settings
from ioc.contract import encode_event
from tests.ingest_helpers import (
    count,
    publish_all,
    running_ingest,
    telemetry_messages,
    wait_for,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def service(settings: Settings) -> Iterator[IngestWorker]:
    with running_ingest(settings, "test-dl", metrics_port=_free_port()) as svc:
        yield svc


def bad_corpus(root: str) -> list[tuple[str, bytes, str]]:
    now = datetime.now(UTC)
    ok_ts = now.isoformat()
    t = f"{root}/27694/air/aq-bad/telemetry"
    return [
        (t, b'{"ts": "' + ok_ts.encode() + b'", "values": {"pm25": 1', "malformed_json"),
        (t, b'{"values": {"pm25": \xff\xfe}}', "not_utf8"),
        (t, b'["values", 1]', "bad_shape"),
        (t, b'{"values": {}}', "bad_shape"),
        (t, b'{"values": {"pm25": "high"}}', "bad_shape"),
        (f"{root}/99999/air/aq-bad/telemetry", b'{"values": {"pm25": 1}}', "unknown_ward"),
        (f"{root}/27694/weather/aq-bad/telemetry", b'{"values": {"pm25": 1}}', "unknown_domain"),
        (t, b'{"values": {"pm1": 1}}', "unknown_metric"),
        (t, b'{"values": {"pm25": NaN}}', "non_finite"),
        (t, b'{"values": {"pm25": Infinity}}', "non_finite"),
        (t, b'{"values": {"pm25": 1e400}}', "non_finite"),
        (t, b'{"values": {"pm25": -5}}', "out_of_range"),
        (t, b'{"values": {"pm25": 100000}}', "out_of_range"),
        (
            t,
            json.dumps(
                {"ts": (now + timedelta(minutes=10)).isoformat(), "values": {"pm25": 1}}
            ).encode(),
            "ts_in_future",
        ),
        (t, b'{"ts": "2001-01-01T00:00:00+07:00", "values": {"pm25": 1}}', "ts_too_old"),
        (t, b'{"ts": "yesterday", "values": {"pm25": 1}}', "bad_timestamp"),
        (t, b'{"ts": "2026-11-26T08:00:00", "values": {"pm25": 1}}', "bad_timestamp"),
        (t, b'{"values": {"pm25": 1}, "pad": "' + b"x" * (65 * 1024) + b'"}', "too_large"),
        (f"{root}/27694/air/bad device!/telemetry", b'{"values": {"pm25": 1}}', "bad_topic"),
        (f"{root}/27694/air/aq-bad/readings", b'{"values": {"pm25": 1}}', "bad_topic"),
        (
            f"{root}/27694/services/portal/event",
            b'{"id": "x", "type": "dossier.lost"}',
            "unknown_event_type",
        ),
        (f"{root}/27694/services/portal/event", b'{"type": "dossier.received"}', "bad_shape"),
        (f"{root}/27694/air/aq-bad/status", b'"sleeping"', "bad_shape"),
        (  # PostgreSQL refuses NUL: the validator must, before the batch reaches it
            f"{root}/27694/reports/app/event",
            b'{"id": "nul-1", "type": "report.created", "attrs": {"text": "a\\u0000b"}}',
            "bad_shape",
        ),
    ]


def fuzzed(root: str, n: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """Random mutations of a valid payload: every one is either stored or dead-lettered."""
    rng = random.Random(seed)
    base = (
        b'{"ts": "%s", "values": {"pm25": 12.5, "pm10": 30}}'
        % datetime.now(UTC).isoformat().encode()
    )
    out = []
    for i in range(n):
        b = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        out.append((f"{root}/27697/air/fz-{i:03d}/telemetry", bytes(b)))
    return out


def test_each_rejection_case_is_kept_with_its_reason(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    corpus = bad_corpus(settings.topic_root)
    good = telemetry_messages(settings.topic_root, len(corpus) * 5)
    mixed: list[tuple[str, bytes]] = []
    for i, (topic, payload, _) in enumerate(corpus):
        mixed += good[i * 5 : (i + 1) * 5]
        mixed.append((topic, payload))
    publish_all(settings, mixed)
    assert wait_for(lambda: count(db, "SELECT count(*) FROM dead_letters") >= len(corpus), 30)
    assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= len(good), 30)
    rows = db.execute("SELECT topic, payload, reason, detail FROM dead_letters").fetchall()
    got = sorted((r[0], bytes(r[1]), r[2]) for r in rows)
    assert got == sorted(corpus)
    assert all(r[3] for r in rows if r[2] != "not_utf8"), "every rejection says why"
    assert count(db, "SELECT count(*) FROM readings") == len(good)
    assert service.counters["dead.out_of_range"] == 2
    assert service.counters["dead_letters"] == len(corpus)
    # The per-reason counters are scrapeable.
    assert service.metrics is not None
    url = f"http://127.0.0.1:{service.metrics.port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    rejected = {
        s.labels["reason"]: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "ioc_ingest_rejected_total"
    }
    assert rejected["out_of_range"] == 2
    assert (
        f'ioc_ingest_dead_letters_total{{worker="{service.settings.ingest.client_id}"}} {len(corpus)}'
        in text
    )
    assert "process_cpu_seconds_total" in text  # the standard process metrics come along


def test_fuzzed_batch_loses_nothing(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    msgs = fuzzed(settings.topic_root, 300)
    publish_all(settings, msgs)
    assert wait_for(lambda: service.counters["messages"] >= len(msgs), 30)
    stored_devices = count(db, "SELECT count(DISTINCT device_id) FROM readings")
    dead = count(db, "SELECT count(*) FROM dead_letters")
    # Each message either made its device's readings or a dead letter, never both or neither.
    assert stored_devices + dead == len(msgs)
    assert dead > 0 and stored_devices >= 0


def test_data_the_database_refuses_is_dead_lettered_alone(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    """1e400 in attrs passes the validator (only lat/lon are checked) but PostgreSQL's jsonb
    refuses Infinity: that message alone is kept aside.  (NUL used to be the example; the
    validator refuses it now, as bad_shape.)"""
    root = settings.topic_root
    now = datetime.now(UTC)
    good = [
        (
            f"{root}/27694/reports/app/event",
            encode_event(now, f"ok-{i}", "report.created", {"text": "ổ gà"}),
        )
        for i in range(20)
    ]
    poison = (
        f"{root}/27694/reports/app/event",
        b'{"id": "inf", "type": "report.created", "attrs": {"votes": 1e400}}',
    )
    publish_all(settings, [*good[:10], poison, *good[10:]])
    assert wait_for(lambda: count(db, "SELECT count(*) FROM events") == 20, 30)
    assert wait_for(lambda: count(db, "SELECT count(*) FROM dead_letters") == 1, 30)
    row = db.execute("SELECT reason, detail, payload FROM dead_letters").fetchone()
    assert row is not None and row[0] == "store_rejected" and b"1e400" in bytes(row[2])
    assert service.counters["dead.store_rejected"] == 1
    assert service.counters["dead_letters"] == 1  # the total counts it too
