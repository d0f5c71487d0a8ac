"""Benchmark: can ``ioc loadgen`` hold 2,000 msg/s at QoS 1 on this machine?

A subscriber in another process (one process for both ends crawls on the GIL)
counts what arrives; loadgen runs at the requested rate for ~10 s; then, as a
baseline, a plain paho client (from the broker adapter's ``new_client``)
publishes QoS 1 in a tight loop for the same time.  Prints requested vs
achieved rate, acknowledged and received counts, and the baseline.

    .venv/bin/python benchmarks/bench_loadgen.py [--rate 2000] [--duration 10]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ioc.config import load_settings
from ioc.mqtt import Delivery, Publisher, Subscription, new_client
from simulators.loadgen import LoadPlan, run_loadgen


def _subscriber(url: str, topic_filter: str, counter: object, ready: object, stop: object) -> None:
    settings = load_settings(mqtt_url=url)
    count = 0

    def on_message(d: Delivery) -> None:
        nonlocal count
        count += 1
        counter.value = count  # type: ignore[attr-defined]

    sub = Subscription(settings.mqtt, f"bench-sub-{uuid.uuid4().hex[:6]}", topic_filter, on_message)
    ready.set()  # type: ignore[attr-defined]
    stop.wait()  # type: ignore[attr-defined]
    sub.close()


def _wait_received(counter: object, n: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while counter.value < n and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.05)
    return int(counter.value)  # type: ignore[attr-defined]


def _baseline(settings: object, root: str, duration: float) -> tuple[int, float, int]:
    """A plain paho QoS 1 publish loop, full speed, same payload shape as loadgen."""
    acked = [0]
    client = new_client(settings.mqtt, f"bench-paho-{uuid.uuid4().hex[:6]}")  # type: ignore[attr-defined]
    client.max_inflight_messages_set(1000)
    client.on_publish = lambda c, u, mid, rc, props: acked.__setitem__(0, acked[0] + 1)
    client.connect(settings.mqtt.host, settings.mqtt.port)  # type: ignore[attr-defined]
    client.loop_start()
    plan = LoadPlan(root, 1000)
    n, t0 = 0, time.monotonic()
    while (t := time.monotonic() - t0) < duration:
        topic, payload, _ = plan.message(n, time.time())
        client.publish(topic, payload, qos=1)
        n += 1
        if n % 1000 == 0:
            while n - acked[0] > 5000:  # keep paho's queue bounded
                time.sleep(0.001)
    elapsed = time.monotonic() - t0
    deadline = time.monotonic() + 30
    while acked[0] < n and time.monotonic() < deadline:
        time.sleep(0.01)
    client.disconnect()
    client.loop_stop()
    del t
    return n, elapsed, acked[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--devices", type=int, default=1000)
    args = ap.parse_args()
    settings = load_settings()
    root = f"bench{uuid.uuid4().hex[:6]}/v1"
    ctx = mp.get_context("spawn")
    counter, ready, stop = ctx.Value("l", 0, lock=False), ctx.Event(), ctx.Event()
    proc = ctx.Process(
        target=_subscriber, args=(settings.mqtt_url, f"{root}/#", counter, ready, stop)
    )
    proc.start()
    if not ready.wait(15):
        print("subscriber did not start", file=sys.stderr)
        return 1
    time.sleep(0.5)

    pub = Publisher(settings.mqtt, f"bench-lg-{uuid.uuid4().hex[:6]}")
    stats = run_loadgen(pub, LoadPlan(root, args.devices), rate=args.rate, duration_s=args.duration)
    pub.close()
    received = _wait_received(counter, stats.sent)
    ratio = stats.achieved / args.rate
    print(
        f"loadgen : requested {args.rate:.0f} msg/s, achieved {stats.achieved:.0f} msg/s "
        f"({ratio:.1%}); sent {stats.sent}, acked {stats.acked}, received {received}"
    )

    before = int(counter.value)
    n, elapsed, acked = _baseline(settings, root, args.duration)
    received = _wait_received(counter, before + n) - before
    print(
        f"baseline: plain paho QoS 1 loop {n / elapsed:.0f} msg/s; sent {n}, acked {acked}, "
        f"received {received}"
    )
    print(
        f"loadgen at {args.rate:.0f} msg/s uses {stats.achieved / (n / elapsed):.0%} of the paho ceiling"
    )
    stop.set()
    proc.join(10)
    ok = abs(ratio - 1) <= 0.10 and stats.acked == stats.sent
    print("PASS" if ok else "FAIL", "(within 10 % of the requested rate, all acknowledged)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
