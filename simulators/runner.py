"""The thin publish loop around :class:`~simulators.engine.Simulation`.

The simulated clock runs at ``start + speed × wall elapsed``; every tick the
simulation is advanced to it and what it emitted is published at QoS 1.  Two
optional phases come first, each published as fast as the broker acknowledges:
the history (days of the daily-scale domains only, when the simulation has
``history_from``) and the backfill (the hours before ``start``, whole fleet).
Progress goes to a callback once a second; a stop event or Ctrl-C ends the
run cleanly (flush, disconnect, summary).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ioc.contract import CATALOGUE, build_topic, encode_status
from ioc.mqtt import Publisher
from simulators.domains.base import Out, local
from simulators.engine import Simulation
from simulators.fleet import Device

__all__ = ["RunStats", "publish_all", "publish_statuses", "run"]

TICK_S = 0.1
BACKFILL_CHUNK = timedelta(minutes=15)
MAX_IN_FLIGHT = 5000


@dataclass
class RunStats:
    sim_start: datetime
    sim_now: datetime
    wall_s: float = 0.0
    phase: str = "live"
    historied: int = 0
    backfilled: int = 0
    by_domain: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    acked: int = 0
    interrupted: bool = False

    def line(self) -> str:
        rate = self.sent / self.wall_s if self.wall_s else 0.0
        return (
            f"{self.phase} | sim {local(self.sim_now):%Y-%m-%d %H:%M:%S}"
            f" | sent {self.sent} acked {self.acked} | {rate:.0f} msg/s | wall {self.wall_s:.0f}s"
        )

    def summary(self) -> str:
        domains = ", ".join(f"{k} {v}" for k, v in sorted(self.by_domain.items()))
        return (
            f"simulated {local(self.sim_start):%Y-%m-%d %H:%M} → {local(self.sim_now):%Y-%m-%d %H:%M}"
            f" in {self.wall_s:.1f}s wall; sent {self.sent}, acked {self.acked}"
            f" (history {self.historied}, backfill {self.backfilled})"
            f"{' — interrupted' if self.interrupted else ''}\n"
            f"by domain: {domains}"
        )


def publish_all(pub: Publisher, root: str, msgs: Iterable[Out], stats: RunStats) -> None:
    for m in msgs:
        while pub.in_flight > MAX_IN_FLIGHT:
            time.sleep(0.002)
        pub.publish(m.topic(root), m.payload)
        stats.by_domain[m.domain] += 1


def publish_statuses(pub: Publisher, root: str, fleet: Iterable[Device], online: bool) -> int:
    """Each telemetry device's retained status: ``online`` when the live run starts,
    ``offline`` when it stops (what a device's last will says when it drops)."""
    n = 0
    for dev in fleet:
        if CATALOGUE[dev.domain].kind != "telemetry":
            continue
        topic = build_topic(dev.ward, dev.domain, dev.id, "status", root)
        pub.publish(topic, encode_status(online), retain=True)
        n += 1
    return n


def run(
    sim: Simulation,
    pub: Publisher,
    root: str,
    *,
    speed: float = 1.0,
    duration_s: float | None = None,
    backfill: timedelta = timedelta(0),
    progress: Callable[[RunStats], None] | None = None,
    stop: threading.Event | None = None,
    statuses: bool = False,
) -> RunStats:
    """Publish the history and the backfill, then the live run, until ``duration_s`` wall
    seconds or ``stop``.  The backfill begins at ``sim.fleet_start``, the history before it.
    With ``statuses`` the devices' retained status is ``online`` for the live run and
    ``offline`` after it."""
    stop = stop or threading.Event()
    live_start = sim.fleet_start + backfill
    stats = RunStats(sim.start, sim.start)
    wall0 = time.monotonic()
    last_report = wall0

    def report(force: bool = False) -> None:
        nonlocal last_report
        now = time.monotonic()
        stats.wall_s, stats.sent, stats.acked = now - wall0, pub.sent, pub.acked
        if progress and (force or now - last_report >= 1.0):
            last_report = now
            progress(stats)

    def fast(phase: str, until: datetime) -> None:
        # Fixed chunks from the phase's start: the same run always advances in the same steps.
        stats.phase = phase
        t = stats.sim_now
        while t < until and not stop.is_set():
            t = min(until, t + BACKFILL_CHUNK)
            publish_all(pub, root, sim.advance(t), stats)
            stats.sim_now = t
            report()

    try:
        fast("history", sim.fleet_start)
        stats.historied = pub.sent
        fast("backfill", live_start)
        stats.backfilled = pub.sent - stats.historied
        stats.phase = "live"
        if statuses:
            publish_statuses(pub, root, sim.fleet, True)
        live0 = time.monotonic()
        while not stop.is_set():
            elapsed = time.monotonic() - live0
            if duration_s is not None and elapsed >= duration_s:
                break
            stats.sim_now = live_start + timedelta(seconds=speed * elapsed)
            publish_all(pub, root, sim.advance(stats.sim_now), stats)
            report()
            stop.wait(TICK_S)
    except KeyboardInterrupt:
        stats.interrupted = True
    if statuses and stats.phase == "live":
        publish_statuses(pub, root, sim.fleet, False)
    pub.flush(10.0)
    report(force=True)
    return stats
