"""Rule evaluation cost per ingest batch: the rules-as-data evaluator against the old rules.

Run: ``.venv/bin/python benchmarks/bench_rules.py [--hours H] [--batch N]``

An hour (by default) of the default simulated fleet is decoded into rows as ingest
does, cut into batches of 500 messages, and each batch is judged:

* **baseline** — the catalogue-threshold rules ingest ran before the rules file
  (one alarm level per metric, one candidate per ward at it, and a per-device
  tracker to resolve): frozen here as they were, to measure against;
* **rules** — :class:`ioc.rules.evaluator.Evaluator` with the default rule set
  (steps, hold, hysteresis, clear time, the lamp-fault share, day/night noise),
  turned into incident changes as the pipeline does, and committed.

Both run in the same process on the same batches; the best of three runs is kept.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

from geodata.registry import ward_codes
from ingest.decode import RawMessage, decode
from ingest.findings import incident_changes
from ingest.rows import to_rows
from ioc.contract import CATALOGUE, Validator
from ioc.model import ReadingRow
from ioc.rules.evaluator import Evaluator
from ioc.rules.loader import load_rules
from simulators.engine import Simulation

ROOT = "tanan/v1"


def baseline_candidates(readings: Iterable[ReadingRow], domain_of: Mapping[str, str]) -> int:
    """The old reading rule: the worst reading at its metric's alarm level, per ward."""
    worst: dict[str, ReadingRow] = {}
    for r in readings:
        dom = domain_of.get(r.device_id)
        if dom is None:
            continue
        m = CATALOGUE[dom].metrics.get(r.metric)
        if m is None or m.state(r.value) != "alarm":
            continue
        key = f"alarm:{r.ward_code}:{dom}:{r.metric}"
        prev = worst.get(key)
        if prev is None or (r.value > prev.value) == (m.bad == "high"):
            worst[key] = r
    return len(worst)


class BaselineTracker:
    """The old resolver: each device's newest alarm flag per (ward, domain, metric)."""

    def __init__(self) -> None:
        self.state: dict[tuple[str, str, str], dict[str, tuple[float, bool]]] = {}

    def update(self, readings: Iterable[ReadingRow], domain_of: Mapping[str, str]) -> int:
        pending: dict[tuple[str, str, str], dict[str, tuple[float, bool]]] = {}
        for r in readings:
            dom = domain_of.get(r.device_id)
            m = CATALOGUE[dom].metrics.get(r.metric) if dom in CATALOGUE else None
            if dom is None or m is None or m.alarm is None:
                continue
            key = (r.ward_code, dom, r.metric)
            devices = pending.get(key)
            if devices is None:
                devices = pending[key] = dict(self.state.get(key, {}))
            ts = r.time.timestamp()
            prev = devices.get(r.device_id)
            if prev is None or ts >= prev[0]:
                devices[r.device_id] = (ts, m.state(r.value) == "alarm")
        cleared = sum(
            1
            for key, devices in pending.items()
            if any(a for _, a in self.state.get(key, {}).values())
            and not any(a for _, a in devices.values())
        )
        self.state.update(pending)
        return cleared


def batches(hours: float, size: int) -> list[tuple[list[ReadingRow], dict[str, str]]]:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)
    sim = Simulation(7, start, scenarios=[])
    outs = sim.advance(start + timedelta(hours=hours))
    validator = Validator(ward_codes(), ROOT, retention=timedelta(days=400))
    out = []
    domain_of: dict[str, str] = {}
    for i in range(0, len(outs), size):
        decoded = [
            decode(validator, RawMessage(o.topic(ROOT), o.payload, o.ts.timestamp()))
            for o in outs[i : i + size]
        ]
        rows = to_rows(decoded)
        for d in rows.devices:
            domain_of[d.device_id] = d.domain
        out.append((rows.readings, dict(domain_of)))
    return out


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    work = batches(args.hours, args.batch)
    readings = sum(len(r) for r, _ in work)
    rules = load_rules()

    def old() -> None:
        tracker = BaselineTracker()
        for rs, dom in work:
            baseline_candidates(rs, dom)
            tracker.update(rs, dom)

    def new() -> None:
        ev = Evaluator(rules)
        for rs, dom in work:
            incident_changes(ev.observe_readings(rs, dom))
            ev.commit()

    t_old, t_new = best(old), best(new)
    n = len(work)
    print(
        f"{n} batches of {args.batch} messages, {readings} readings ({args.hours:g} h of the fleet)"
    )
    print(f"baseline (catalogue thresholds): {t_old / n * 1e6:8.0f} µs per batch, "
          f"{readings / t_old:10.0f} readings/s")  # fmt: skip
    print(f"rules file evaluator:            {t_new / n * 1e6:8.0f} µs per batch, "
          f"{readings / t_new:10.0f} readings/s")  # fmt: skip
    print(f"ratio: {t_new / t_old:.2f}× the baseline's time")


if __name__ == "__main__":
    main()
