"""Load generator: valid telemetry at a steady or stepped aggregate rate, optionally with bad messages.

Pacing is a deadline loop: every tick the number of messages the schedule
allows so far (the integral of the rate) is compared with what was sent and
the difference is published as one batch.  ``bad_share`` replaces that share
of messages with malformed ones (bad JSON, out of range, unknown metric,
non-UTF-8, unknown ward, non-finite number), each of which ingest must reject
into ``dead_letters``.  Payload building (:class:`LoadPlan`) is pure.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from geodata.registry import ward_codes
from ioc.contract import build_topic
from ioc.mqtt import Publisher

__all__ = ["BAD_KINDS", "LoadPlan", "LoadStats", "RateStep", "parse_step", "rate_at", "run_loadgen"]

TZ = timezone(timedelta(hours=7))
TICK_S = 0.005
BAD_KINDS = (
    "bad_json",
    "out_of_range",
    "unknown_metric",
    "not_utf8",
    "unknown_ward",
    "non_finite",
)


@dataclass(frozen=True, slots=True)
class RateStep:
    rate: float
    at_s: float


def parse_step(text: str) -> RateStep:
    """``"4000@5"``: from second 5 on, 4000 msg/s."""
    rate, sep, at = text.partition("@")
    try:
        step = RateStep(float(rate), float(at))
    except ValueError:
        raise ValueError(f"bad step {text!r}; use RATE@SECONDS, e.g. 4000@5") from None
    if not sep or step.rate < 0 or step.at_s < 0:
        raise ValueError(f"bad step {text!r}; use RATE@SECONDS, e.g. 4000@5")
    return step


def rate_at(t: float, base: float, steps: Sequence[RateStep]) -> float:
    rate = base
    for s in sorted(steps, key=lambda s: s.at_s):
        if t >= s.at_s:
            rate = s.rate
    return rate


def allowed(t: float, base: float, steps: Sequence[RateStep]) -> float:
    """How many messages the schedule allows by ``t`` seconds (integral of the rate)."""
    total, prev_t, rate = 0.0, 0.0, base
    for s in sorted(steps, key=lambda s: s.at_s):
        if s.at_s >= t:
            break
        total += rate * (s.at_s - prev_t)
        prev_t, rate = s.at_s, s.rate
    return total + rate * (t - prev_t)


class LoadPlan:
    """Devices spread over the wards and the payload of the n-th message."""

    def __init__(self, root: str, devices: int, seed: int = 0, bad_share: float = 0.0) -> None:
        codes = sorted(ward_codes())
        self.topics = [
            build_topic(codes[i % len(codes)], "air", f"lg-{i:05d}", "telemetry", root)
            for i in range(devices)
        ]
        self.root, self.bad_share = root, bad_share
        self.rng = random.Random(f"loadgen:{seed}")

    def message(self, n: int, ts: float) -> tuple[str, bytes, str | None]:
        """Topic, payload and the kind of fault (None when valid) of message ``n``."""
        topic = self.topics[n % len(self.topics)]
        stamp = datetime.fromtimestamp(ts, TZ).isoformat(timespec="milliseconds")
        pm25 = round(15 + 30 * self.rng.random(), 1)
        temp = round(26 + 6 * self.rng.random(), 1)
        if self.bad_share and self.rng.random() < self.bad_share:
            kind = self.rng.choice(BAD_KINDS)
            bad_topic, bad_payload = self._bad(kind, topic, stamp)
            return bad_topic, bad_payload, kind
        payload = f'{{"ts":"{stamp}","values":{{"pm25":{pm25},"temperature_c":{temp}}}}}'
        return topic, payload.encode(), None

    def _bad(self, kind: str, topic: str, stamp: str) -> tuple[str, bytes]:
        good = f'{{"ts":"{stamp}","values":{{"pm25":'
        if kind == "bad_json":
            return topic, (good + "12.5").encode()
        if kind == "out_of_range":
            return topic, (good + "-5}}").encode()
        if kind == "unknown_metric":
            return topic, f'{{"ts":"{stamp}","values":{{"pm7":3}}}}'.encode()
        if kind == "not_utf8":
            return topic, b'{"ts":"' + stamp.encode() + b'","values":{"pm25":1},"x":"\xff"}'
        if kind == "unknown_ward":
            parts = topic.split("/")
            parts[-4] = "99999"
            return "/".join(parts), (good + "10}}").encode()
        return topic, (good + "NaN}}").encode()


@dataclass
class LoadStats:
    requested: float = 0.0
    sent: int = 0
    acked: int = 0
    bad: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0
    interrupted: bool = False

    @property
    def achieved(self) -> float:
        return self.sent / self.wall_s if self.wall_s else 0.0

    def summary(self) -> str:
        bad = ", ".join(f"{k} {v}" for k, v in sorted(self.bad.items())) or "none"
        return (
            f"sent {self.sent} in {self.wall_s:.2f}s = {self.achieved:.0f} msg/s "
            f"(requested {self.requested:.0f}); acked {self.acked}; malformed: {bad}"
            f"{' — interrupted' if self.interrupted else ''}"
        )


def run_loadgen(
    pub: Publisher,
    plan: LoadPlan,
    *,
    rate: float,
    duration_s: float,
    steps: Sequence[RateStep] = (),
    qos: int = 1,
    progress: Callable[[float, int, int, float], None] | None = None,
    stop: threading.Event | None = None,
) -> LoadStats:
    """Publish at the schedule's rate for ``duration_s``; ``progress(t, sent, acked, rate)``."""
    stop = stop or threading.Event()
    stats = LoadStats(requested=allowed(duration_s, rate, steps) / duration_s)
    t0 = time.monotonic()
    wall0 = time.time()
    n = 0
    last_t, last_n = 0.0, 0
    try:
        while not stop.is_set():
            t = time.monotonic() - t0
            if t >= duration_s:
                break
            target = int(allowed(t, rate, steps))
            while n < target:
                topic, payload, bad = plan.message(n, wall0 + t)
                pub.publish(topic, payload, qos=qos)
                if bad:
                    stats.bad[bad] += 1
                n += 1
            if progress and t - last_t >= 1.0:
                progress(t, n, pub.acked, (n - last_n) / (t - last_t))
                last_t, last_n = t, n
            time.sleep(TICK_S)
    except KeyboardInterrupt:
        stats.interrupted = True
    stats.wall_s = time.monotonic() - t0
    stats.sent = n
    pub.flush(30.0)
    stats.acked = pub.acked
    return stats
