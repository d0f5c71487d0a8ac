"""Street-lighting cabinets: on at dusk (~17:45), off at dawn (~05:45) local time, with faults.

Each cabinet drives ``40 × scale`` LED lamps of ~120 W.  Lamps fail at random
and crews repair them; the count lives in memory.  Scenario modifier:
``fault_share`` (the share of a cabinet's lamps out, 1.0 = cabinet down).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime

from simulators.domains.base import GenState, Out, hour_of_day, new_state, run_due, telemetry
from simulators.fleet import Device
from simulators.scenario import Overlay

Memory = Mapping[str, int]  # cabinet id → failed lamps
State = GenState[Memory]
ON_AT, OFF_AT = 17.75, 5.75
LAMP_KW = 0.12
FAIL_PER_LAMP_DAY = 0.002
REPAIR_PER_DAY = 0.5


def init(devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay) -> State:
    return new_state(devices, seed, start, overlay, {})


def lamps(dev: Device) -> int:
    return max(10, round(60 * dev.scale))


def is_on(dev: Device, ts: datetime) -> bool:
    # Each cabinet's photocell / timer is a few minutes off the nominal time.
    jitter = (dev.phase_s % 600 - 300) / 3600
    h = hour_of_day(ts)
    return h >= ON_AT + jitter or h < OFF_AT + jitter


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    n = lamps(dev)
    days = dev.interval_s / 86400
    faults = mem.get(dev.id, 0)
    if rng.random() < n * FAIL_PER_LAMP_DAY * days:
        faults += 1
    if faults and rng.random() < REPAIR_PER_DAY * days:
        faults = max(0, faults - rng.randint(1, faults))
    share = st.overlay.value("lighting", dev.ward, ts, "fault_share", 0.0)
    shown = min(n, max(faults, round(share * n)))
    on = n - shown if is_on(dev, ts) else 0
    power = on * LAMP_KW * (1 + rng.gauss(0, 0.02)) + 0.03
    values = {"power_kw": power, "lamps_on": on, "lamps_fault": shown}
    return {**mem, dev.id: faults}, [telemetry(dev, ts, values, pos)]


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
