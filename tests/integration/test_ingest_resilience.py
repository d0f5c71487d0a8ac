"""Ingest survives a kill -9, a database restart, and shares load between two workers.

Each test streams messages from this process while `ioc ingest` runs in
another one, and checks that every message is stored exactly once (and counted
once in the rollups).  The restart test restarts the ``pg_ctlcluster`` cluster
named by ``IOC_TEST_PG_CLUSTER`` (default ``main``) when it serves the test database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from ioc.config import Settings
from ioc.errors import ServiceUnavailable
from ioc.live import LiveState
from ioc.store.db import connect
from tests.ingest_helpers import (
    count,
    ingest_process,
    publish_all,
    settings_env,
    telemetry_messages,
    wait_for,
)
from tests.services import DATABASE_URL, PG_CLUSTER

pytestmark = pytest.mark.slow


def _rows(settings: Settings) -> int:
    try:
        with connect(settings.database_url, settings.db_schema) as conn:
            return count(conn, "SELECT count(*) FROM readings")
    except psycopg.OperationalError:
        return -1


def _stream(
    settings: Settings, msgs: list[tuple[str, bytes]], chunks: int, pause: float
) -> threading.Thread:
    """Publish msgs in chunks with pauses, in a background thread."""
    size = len(msgs) // chunks

    def run() -> None:
        for i in range(chunks):
            part = msgs[i * size : (i + 1) * size if i < chunks - 1 else len(msgs)]
            publish_all(settings, part, client_id=f"stream{i}")
            time.sleep(pause)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_kill_9_mid_stream_loses_nothing(settings: Settings, db: psycopg.Connection[Any]) -> None:
    n = 6000
    cid = f"crash-{uuid.uuid4().hex[:8]}"
    msgs = telemetry_messages(settings.topic_root, n, devices=50)
    with ingest_process(settings, cid) as proc:
        assert wait_for(lambda: _subscribed(settings, cid), 15), "worker did not start"
        streamer = _stream(settings, msgs, chunks=12, pause=0.15)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") > 500, 30)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stored_at_kill = count(db, "SELECT count(*) FROM readings")
    assert stored_at_kill < n, "the kill came too late to test anything"
    # Messages keep arriving at the broker while the worker is dead.
    streamer.join(60)
    with ingest_process(settings, cid):
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= n, 60)
        time.sleep(1.0)  # anything more would be a duplicate
    assert count(db, "SELECT count(*) FROM readings") == n
    assert count(db, "SELECT count(DISTINCT (device_id, time)) FROM readings") == n
    assert count(db, "SELECT sum(count) FROM readings_1m") == n
    assert count(db, "SELECT count(*) FROM dead_letters") == 0


def _cluster() -> tuple[str, str] | str:
    """``(version, name)`` of the pg_ctlcluster cluster serving the test database, or why not.

    The cluster is ``IOC_TEST_PG_CLUSTER`` (``main`` by default, or ``VERSION/NAME``);
    it is restarted only when it listens on the test database's local port.
    """
    if shutil.which("pg_lsclusters") is None:
        return "needs a local pg_ctlcluster (postgresql-common)"
    dsn = urlsplit(DATABASE_URL)
    if dsn.hostname not in (None, "", "127.0.0.1", "localhost", "::1"):
        return f"the test database is on {dsn.hostname}, not this machine"
    version, _, name = PG_CLUSTER.rpartition("/")
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        ver, cluster, port = line.split()[:3]
        if cluster == name and version in ("", ver):
            if int(port) != (dsn.port or 5432):
                return f"cluster {ver}/{cluster} listens on {port}, the test database on {dsn.port}"
            return ver, cluster
    return f"no pg_ctlcluster cluster {PG_CLUSTER!r} (set IOC_TEST_PG_CLUSTER)"


def _pg_ctl(cluster: tuple[str, str], action: str) -> None:
    cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action]
    if os.geteuid() != 0 and shutil.which("sudo"):
        cmd = ["sudo", *cmd]
    subprocess.run(cmd, check=True, timeout=60)


def test_database_restart_while_streaming_loses_nothing(settings: Settings) -> None:
    cluster = _cluster()
    if isinstance(cluster, str):
        pytest.skip(cluster)
    n = 4000
    cid = f"dbrestart-{uuid.uuid4().hex[:8]}"
    msgs = telemetry_messages(settings.topic_root, n, devices=40)
    with ingest_process(settings, cid):
        assert wait_for(lambda: _subscribed(settings, cid), 15)
        streamer = _stream(settings, msgs, chunks=10, pause=0.3)
        assert wait_for(lambda: _rows(settings) > 200, 30)
        _pg_ctl(cluster, "stop")
        try:
            time.sleep(2.0)  # the stream goes on into the outage
        finally:
            _pg_ctl(cluster, "start")
        streamer.join(60)
        assert wait_for(lambda: _rows(settings) >= n, 90)
        time.sleep(1.0)
    assert _rows(settings) == n
    with connect(settings.database_url, settings.db_schema) as conn:
        assert count(conn, "SELECT sum(count) FROM readings_1m") == n
        assert count(conn, "SELECT sum(count) FROM readings_1h") == n


def _subscribed(settings: Settings, cid: str) -> bool:
    """A worker has published its first stats once it is connected and running."""
    try:
        live = LiveState(redis.Redis.from_url(settings.redis_url), settings.redis_prefix)
        return live.stats().get(cid, {}).get("subscribed") == "1"
    except ServiceUnavailable:
        return False


def test_two_workers_share_the_load(settings: Settings, db: psycopg.Connection[Any]) -> None:
    n = 4000
    a, b = f"share-a-{uuid.uuid4().hex[:6]}", f"share-b-{uuid.uuid4().hex[:6]}"
    with ingest_process(settings, a), ingest_process(settings, b):
        assert wait_for(lambda: _subscribed(settings, a) and _subscribed(settings, b), 20)
        publish_all(settings, telemetry_messages(settings.topic_root, n, devices=40))
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= n, 60)
        live = LiveState(redis.Redis.from_url(settings.redis_url), settings.redis_prefix)
        assert wait_for(
            lambda: sum(int(s.get("messages", 0)) for s in live.stats().values()) >= n, 10
        )
        stats = live.stats()
    assert count(db, "SELECT count(*) FROM readings") == n
    got_a, got_b = int(stats[a].get("messages", 0)), int(stats[b].get("messages", 0))
    assert got_a + got_b == n
    # Mosquitto's shared subscriptions round-robin: both take a real share.
    assert min(got_a, got_b) > n * 0.2, (got_a, got_b)


def _broker_conf(pid: int) -> Path | None:
    """The config file a running mosquitto was started with (relative to its cwd)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None
    conf = next((a.decode() for a in args if a.endswith(b".conf")), None)
    return cwd / conf if conf else None


def _broker_pid(port: int) -> int | None:
    out = subprocess.run(
        ["pgrep", "-x", "mosquitto"], capture_output=True, text=True
    ).stdout.split()
    for pid in map(int, out):
        conf = _broker_conf(pid)
        if conf and conf.exists() and f"listener {port} " in conf.read_text():
            return pid
    return None


def _generation(settings: Settings, cid: str) -> int:
    try:
        live = LiveState(redis.Redis.from_url(settings.redis_url), settings.redis_prefix)
        stats = live.stats().get(cid, {})
        return int(stats.get("generation", 0)) if stats.get("subscribed") == "1" else 0
    except ServiceUnavailable:
        return 0


def _restart_broker(port: int) -> None:
    pid = _broker_pid(port)
    assert pid is not None
    conf = _broker_conf(pid)
    assert conf is not None
    os.kill(pid, signal.SIGTERM)  # persistence is saved on a clean shutdown
    assert wait_for(lambda: _broker_pid(port) is None, 10)
    subprocess.run(["mosquitto", "-d", "-c", str(conf)], check=True)
    assert wait_for(lambda: _broker_pid(port) is not None, 10)


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "single"])
def test_broker_restart_while_streaming_loses_nothing(
    settings: Settings, db: psycopg.Connection[Any], shared: bool
) -> None:
    """The worker rides through a broker restart.

    Shared subscription: Mosquitto 2.0 does not restore ``$share`` subscriptions
    from its persistence file, so publishing resumes once the worker has
    resubscribed (devices reconnect after the broker, too).  Single worker
    (no ``$share``): the session's subscription survives the restart, so even
    messages published before the worker is back are kept for it.
    """
    port = settings.mqtt.port
    if _broker_pid(port) is None:
        pytest.skip(
            f"the broker on :{port} is not one this test can restart (scripts/services.sh starts it)"
        )
    n = 3000
    cid = f"brokerrestart-{uuid.uuid4().hex[:8]}"
    msgs = telemetry_messages(settings.topic_root, n, devices=30)
    env = {} if shared else {"IOC_INGEST__SHARE_GROUP": ""}
    with ingest_process(settings, cid, **env) as proc:
        assert wait_for(lambda: _generation(settings, cid) == 1, 15)
        publish_all(settings, msgs[: n // 2])
        _restart_broker(port)
        if shared:
            assert wait_for(lambda: _generation(settings, cid) >= 2, 30)
        publish_all(settings, msgs[n // 2 :])
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= n, 60)
        assert proc.poll() is None, "the worker must ride through the restart"
        if not shared:
            assert wait_for(lambda: _generation(settings, cid) >= 2, 30)
    assert count(db, "SELECT count(*) FROM readings") == n


def test_a_worker_that_stays_down_holds_its_share_until_retired(
    settings: Settings, db: psycopg.Connection[Any]
) -> None:
    """Mosquitto keeps sending a stopped worker's session its round-robin share.

    Those messages wait for it (nothing is lost); `ioc ingest --retire` takes
    them and ends the session, after which the other workers get everything.
    """
    n = 2000
    a, b = f"hold-a-{uuid.uuid4().hex[:6]}", f"hold-b-{uuid.uuid4().hex[:6]}"
    first = telemetry_messages(settings.topic_root, n, devices=20)
    later = telemetry_messages(
        settings.topic_root, n, devices=20, start=datetime.now(UTC) - timedelta(minutes=5)
    )
    with ingest_process(settings, b):
        with ingest_process(settings, a) as proc_a:
            assert wait_for(lambda: _subscribed(settings, a) and _subscribed(settings, b), 20)
            os.kill(proc_a.pid, signal.SIGKILL)
            proc_a.wait()
        publish_all(settings, first)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= n // 4, 30)
        time.sleep(2.0)
        held = n - count(db, "SELECT count(*) FROM readings")
        assert held > n // 4, "the dead worker's share waits at the broker"
        retire = subprocess.run(
            [sys.executable, "-m", "cli", "ingest", "--client-id", a, "--retire"],
            env=settings_env(settings), capture_output=True, timeout=120,
        )  # fmt: skip
        assert retire.returncode == 0, retire.stderr.decode()[-2000:]
        assert count(db, "SELECT count(*) FROM readings") == n
        publish_all(settings, later)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 2 * n, 30)


def _redis_restart(url: str) -> None:
    """Stop the Redis server and start it again as scripts/services.sh does."""
    client = redis.Redis.from_url(url)
    args = client.config_get("port")
    port = args.get("port") or args.get(b"port") or "6379"
    with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
        client.shutdown(nosave=True)
    assert wait_for(lambda: not _redis_up(url), 10)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(port),
         "--save", "", "--appendonly", "no"],
        check=True,
    )  # fmt: skip
    assert wait_for(lambda: _redis_up(url), 10)


def _redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs a local redis-server")
def test_redis_restart_while_streaming(settings: Settings, db: psycopg.Connection[Any]) -> None:
    """The database path goes on through a Redis restart, and live state resumes after it."""
    n = 3000
    cid = f"redisrestart-{uuid.uuid4().hex[:8]}"
    msgs = telemetry_messages(settings.topic_root, n, devices=30)
    with ingest_process(settings, cid) as proc:
        assert wait_for(lambda: _subscribed(settings, cid), 15)
        streamer = _stream(settings, msgs, chunks=6, pause=0.3)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") > 300, 30)
        _redis_restart(settings.redis_url)
        streamer.join(60)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= n, 60)
        assert proc.poll() is None, "the worker must ride through the restart"
        # Live state comes back with the next messages.
        late = telemetry_messages(settings.topic_root, 30, start=datetime.now(UTC), devices=30)
        publish_all(settings, late)
        live = LiveState(redis.Redis.from_url(settings.redis_url), settings.redis_prefix)
        assert wait_for(lambda: len(live.devices()) == 30, 20)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") == n + 30, 20)
