"""Ingest throughput against a plain paho QoS 1 publisher -> subscriber pair, in the same run.

    .venv/bin/python benchmarks/bench_ingest.py [--messages 40000] [--metrics 1]

Baseline: one process publishes N QoS 1 messages as fast as the broker acks
them; a second process subscribes at QoS 1 and counts; the rate is N over the
subscriber's first-to-last message time.  Ingest: the same publisher, with
`ioc ingest` in its own process writing to a scratch schema; the rate is N over
the time from the first publish to the moment the last row is committed.
Everything runs on this machine's services (PostgreSQL, Redis, the project's
Mosquitto on :1884 started by scripts/services.sh).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.registry import wards
from ioc.config import Settings, load_settings
from ioc.contract import build_topic, encode_telemetry
from ioc.store.db import connect, ensure_database
from ioc.store.migrate import drop_schema, upgrade
from ioc.store.wards import seed_wards

METRICS = ["pm25", "pm10", "no2", "so2", "co", "o3", "temperature_c", "humidity_pct"]


def messages(root: str, n: int, metrics: int) -> list[tuple[str, bytes]]:
    codes = [w.code for w in wards()]
    start = datetime.now(UTC) - timedelta(hours=1)
    out = []
    for i in range(n):
        dev = i % 500
        ts = start + timedelta(milliseconds=(i // 500) * 100)
        values = {m: float(10 + (i + k) % 50) for k, m in enumerate(METRICS[:metrics])}
        topic = build_topic(codes[dev % len(codes)], "air", f"bench-{dev:04d}", "telemetry", root)
        out.append((topic, encode_telemetry(ts, values)))
    return out


def _publish(settings: Settings, msgs: list[tuple[str, bytes]], started: mp.Value) -> None:  # type: ignore[type-arg]
    from ioc.mqtt import Publisher

    pub = Publisher(settings.mqtt, f"bench-pub-{uuid.uuid4().hex[:6]}", max_inflight=1000)
    started.value = time.time()
    for topic, payload in msgs:
        pub.publish(topic, payload)
    pub.flush(300)
    pub.close()


def _subscribe(settings: Settings, flt: str, n: int, ready: mp.Event, result: mp.Queue) -> None:  # type: ignore[type-arg]
    from ioc.mqtt import Subscription

    times: list[float] = []
    done = mp.Event()

    def on(d: object) -> None:
        times.append(time.time())
        if len(times) >= n:
            done.set()

    sub = Subscription(settings.mqtt, f"bench-sub-{uuid.uuid4().hex[:6]}", flt, on)
    ready.set()
    done.wait(300)
    sub.close()
    result.put((len(times), times[0] if times else 0.0, times[-1] if times else 0.0))


def baseline(settings: Settings, msgs: list[tuple[str, bytes]]) -> float:
    ctx = mp.get_context("spawn")
    ready, result, started = ctx.Event(), ctx.Queue(), ctx.Value("d", 0.0)
    sub = ctx.Process(
        target=_subscribe, args=(settings, f"{settings.topic_root}/#", len(msgs), ready, result)
    )
    sub.start()
    ready.wait(30)
    time.sleep(0.5)
    pub = ctx.Process(target=_publish, args=(settings, msgs, started))
    pub.start()
    got, _first, last = result.get(timeout=300)
    pub.join()
    sub.join()
    elapsed = last - started.value
    print(
        f"baseline paho QoS 1 pair: {got}/{len(msgs)} messages in {elapsed:.2f}s = {got / elapsed:,.0f} msg/s"
    )
    return got / elapsed


def ingest(settings: Settings, msgs: list[tuple[str, bytes]], metrics: int) -> float:
    env = dict(os.environ)
    env.update(
        IOC_DATABASE_URL=settings.database_url, IOC_DB_SCHEMA=settings.db_schema,
        IOC_REDIS_PREFIX=settings.redis_prefix, IOC_TOPIC_ROOT=settings.topic_root,
        IOC_MQTT_URL=settings.mqtt_url, IOC_INGEST__STATS_INTERVAL_S="1",
    )  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", "--client-id", f"bench-{uuid.uuid4().hex[:6]}"],
        env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(2.0)  # connected and subscribed
        ctx = mp.get_context("spawn")
        started = ctx.Value("d", 0.0)
        pub = ctx.Process(target=_publish, args=(settings, msgs, started))
        pub.start()
        want = len(msgs) * metrics
        with connect(settings.database_url, settings.db_schema, autocommit=True) as conn:
            while True:
                row = conn.execute("SELECT count(*) FROM readings").fetchone()
                if row and row[0] >= want:
                    break
                if time.time() - (started.value or time.time()) > 300:
                    raise SystemExit(f"ingest stalled at {row[0] if row else 0} of {want} rows")
                time.sleep(0.05)
        done = time.time()
        pub.join()
    finally:
        proc.terminate()
        proc.wait(10)
    elapsed = done - started.value
    rate = len(msgs) / elapsed
    print(
        f"ioc ingest ({metrics} metric/msg): {len(msgs)} messages, {want} rows committed in "
        f"{elapsed:.2f}s = {rate:,.0f} msg/s ({want / elapsed:,.0f} rows/s)"
    )
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=40_000)
    ap.add_argument("--metrics", type=int, default=1, choices=range(1, 9))
    args = ap.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    base = load_settings()
    settings = load_settings(
        db_schema=schema,
        topic_root=f"bench{uuid.uuid4().hex[:6]}/v1",
        redis_prefix=f"bench{uuid.uuid4().hex[:6]}",
    )
    ensure_database(base.database_url)
    with connect(base.database_url) as conn:
        upgrade(conn, schema, requested=base.db_flavour)
    with connect(base.database_url, schema) as conn:
        seed_wards(conn, wards())
        conn.commit()
    try:
        msgs = messages(settings.topic_root, args.messages, args.metrics)
        b = baseline(settings, msgs)
        i = ingest(settings, msgs, args.metrics)
        print(f"ratio ingest / baseline: {i / b:.2f}")
    finally:
        with psycopg.connect(base.database_url, autocommit=True) as conn:
            drop_schema(conn, schema)


if __name__ == "__main__":
    main()
