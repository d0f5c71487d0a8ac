"""Helpers for ingest tests: publishing telemetry, waiting for rows, running a worker process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from ingest.assemble import build_worker
from ingest.worker import IngestWorker
from ioc.config import Settings
from ioc.contract import build_topic, encode_telemetry
from ioc.mqtt import Publisher

WARDS = ["27694", "27688", "27697", "27691", "27685"]


def telemetry_messages(
    root: str, n: int, start: datetime | None = None, devices: int = 10
) -> list[tuple[str, bytes]]:
    """n valid air-quality messages, one pm25 value each, distinct (device, time)."""
    start = start or datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    out = []
    for i in range(n):
        dev = i % devices
        ward = WARDS[dev % len(WARDS)]
        ts = start + timedelta(seconds=i // devices)
        topic = build_topic(ward, "air", f"aq-{dev:03d}", "telemetry", root)
        out.append((topic, encode_telemetry(ts, {"pm25": float(10 + i % 40)})))
    return out


def publish_all(
    settings: Settings, messages: list[tuple[str, bytes]], client_id: str = "test-pub"
) -> None:
    pub = Publisher(settings.mqtt, f"{client_id}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        for topic, payload in messages:
            pub.publish(topic, payload)
        assert pub.flush(60), f"broker acknowledged {pub.acked} of {pub.sent}"
    finally:
        pub.close()


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def count(conn: psycopg.Connection[Any], query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


def settings_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        IOC_DATABASE_URL=settings.database_url,
        IOC_DB_SCHEMA=settings.db_schema,
        IOC_REDIS_URL=settings.redis_url,
        IOC_REDIS_PREFIX=settings.redis_prefix,
        IOC_MQTT_URL=settings.mqtt_url,
        IOC_TOPIC_ROOT=settings.topic_root,
        IOC_INGEST__STATS_INTERVAL_S="1",
    )
    return env


@contextmanager
def ioc_process(
    settings: Settings, args: list[str], label: str, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """An ``ioc`` command in its own process (so it can be killed with SIGKILL).

    Its log goes to a file (a pipe nobody reads would fill and block the
    worker); the tail is printed when the block exits, so a failing test shows it.
    """
    with tempfile.NamedTemporaryFile(prefix=f"{label}-", suffix=".log") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", *args],
            env={**settings_env(settings), **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            tail = Path(log.name).read_text(errors="replace").splitlines()[-15:]
            print(f"--- ioc {label} (exit {proc.returncode}) ---", *tail, sep="\n")


@contextmanager
def ingest_process(
    settings: Settings, client_id: str, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`ioc ingest` in its own process (see :func:`ioc_process`)."""
    with ioc_process(
        settings, ["ingest", "--client-id", client_id], f"ingest {client_id}", **env
    ) as proc:
        yield proc


def ingest_settings(
    settings: Settings, prefix: str = "test-ingest", **overrides: object
) -> Settings:
    """The test's settings with a fresh ingest client id and any ingest overrides."""
    cfg = settings.ingest.model_copy(
        update={"client_id": f"{prefix}-{uuid.uuid4().hex[:8]}", **overrides}
    )
    return settings.model_copy(update={"ingest": cfg})


@contextmanager
def running_ingest(
    settings: Settings, prefix: str = "test-ingest", **overrides: object
) -> Iterator[IngestWorker]:
    """An in-process ingest worker, subscribed before the block starts, stopped after it."""
    svc = build_worker(ingest_settings(settings, prefix, **overrides))
    svc.start()
    try:
        assert svc.wait_ready(10), "the worker did not subscribe"
        yield svc
    finally:
        svc.stop()
