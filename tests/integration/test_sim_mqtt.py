"""Simulators through a real Mosquitto: record → replay, loadgen, the CLI."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from ioc.config import Settings
from ioc.mqtt import Delivery, Publisher, Subscription
from simulators.domains.base import TZ
from simulators.engine import Simulation
from simulators.loadgen import LoadPlan, run_loadgen
from simulators.record import Recorder, read_lines, replay
from simulators.runner import run
from tests.unit.sim_helpers import small_fleet


class Collector:
    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, d: Delivery) -> None:
        with self.lock:
            self.got.append((d.topic, d.payload))

    def wait_for(self, n: int, timeout: float = 20) -> list[tuple[str, bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.got) >= n:
                    return list(self.got)
            time.sleep(0.05)
        return list(self.got)


def _strip_root(topic: str) -> str:
    return "/".join(topic.split("/")[-4:])


def test_record_then_replay_gives_same_messages_in_same_order(
    settings: Settings, tmp_path: Path
) -> None:
    root = settings.topic_root
    out = tmp_path / "rec.jsonl"
    start = datetime.now(TZ) - timedelta(hours=1)
    sim = Simulation(4, start, small_fleet(4, air=3, traffic=3, services=1, alerts=1))
    with out.open("w", encoding="utf-8") as fh:
        rec = Recorder(settings.mqtt, f"{root}/#", fh, "test-rec")
        pub = Publisher(settings.mqtt, "test-sim")
        try:
            stats = run(sim, pub, root, speed=600, duration_s=1.0)
        finally:
            pub.close()
        deadline = time.monotonic() + 10
        while rec.count < stats.sent and time.monotonic() < deadline:
            time.sleep(0.05)
        rec.close()
    recorded = list(read_lines(out))
    assert len(recorded) == stats.sent > 20

    new_root = root.replace("/v1", "/replay")
    coll = Collector()
    sub = Subscription(settings.mqtt, "test-replay-sub", f"{new_root}/#", coll)
    pub = Publisher(settings.mqtt, "test-replay")
    try:
        n = replay(out, pub, speed=50, new_root=new_root)
    finally:
        pub.close()
    got = coll.wait_for(n)
    sub.close()
    assert n == len(recorded)
    assert [(_strip_root(t), p) for t, p in got] == [
        (_strip_root(r.topic), r.payload) for r in recorded
    ]


def test_loadgen_short_run_is_acknowledged(settings: Settings) -> None:
    coll = Collector()
    sub = Subscription(settings.mqtt, "test-lg-sub", f"{settings.topic_root}/#", coll)
    pub = Publisher(settings.mqtt, "test-lg")
    try:
        stats = run_loadgen(pub, LoadPlan(settings.topic_root, 20), rate=200, duration_s=1.5)
    finally:
        pub.close()
    # Pacing never overshoots; how close it gets to the rate is benchmarks/bench_loadgen.py's
    # job (a timed assertion here would fail on a loaded machine, not on a bug).
    assert 150 <= stats.sent <= 330
    assert stats.acked == stats.sent
    assert len(coll.wait_for(stats.sent)) == stats.sent
    sub.close()


def test_cli_simulate_record_replay_loadgen(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("IOC_TOPIC_ROOT", settings.topic_root)
    monkeypatch.setenv("IOC_MQTT_URL", settings.mqtt_url)
    out = tmp_path / "cli.jsonl"
    recorder = threading.Thread(
        target=main, args=(["record", "--out", str(out), "--duration", "4s"],)
    )
    recorder.start()
    time.sleep(0.5)
    args = ["simulate", "--scenario", "flood", "--speed", "120", "--duration", "2s", "--seed", "3"]
    assert main([*args, "--devices-per-domain", "traffic=5,lighting=5"]) == 0
    recorder.join()
    text = capsys.readouterr().out
    assert "simulating" in text and "sent" in text and "by domain" in text
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines and all(x["topic"].startswith(settings.topic_root) for x in lines)
    replay_root = settings.topic_root.replace("/v1", "/rp")
    assert main(["replay", str(out), "--speed", "0", "--rewrite-ts", "--root", replay_root]) == 0
    assert f"replayed {len(lines)} messages" in capsys.readouterr().out
    assert main(["loadgen", "--devices", "10", "--rate", "100", "--duration", "1s"]) == 0
    assert "msg/s" in capsys.readouterr().out
