"""Traffic: counts, speed and occupancy with morning and evening rush hours.

Weekends are lighter and the morning peak flatter.  Scenario modifiers:
``speed_mult`` (an accident blocking a lane), ``occupancy_add_pct``, ``flow_mult``.
"""

from __future__ import annotations

import random
from datetime import datetime

from simulators.domains.base import (
    GenState,
    Out,
    hour_of_day,
    local,
    no_memory,
    peak,
    run_due,
    telemetry,
)
from simulators.fleet import Device

State = GenState[None]
init = no_memory
FREE_SPEED = 45.0


def _sample(
    dev: Device, ts: datetime, mem: None, rng: random.Random, st: State, pos: bool
) -> tuple[None, list[Out]]:
    h = hour_of_day(ts)
    weekend = local(ts).weekday() >= 5
    daytime = 0.3 if 6 <= h < 21 else 0.0
    am = peak(h, 7.2, 0.9) * (0.5 if weekend else 1.0)
    pm = peak(h, 17.3, 1.2) * (0.8 if weekend else 1.0)
    load = 0.05 + daytime + 0.65 * am + 0.7 * pm + 0.2 * peak(h, 11.5, 1.0)
    ov = st.overlay
    load *= ov.value("traffic", dev.ward, ts, "flow_mult", 1.0)
    capacity = 40.0 * dev.scale
    flow = max(0.0, capacity * load * (1 + rng.gauss(0, 0.08)))
    occupancy = 100 * min(1.0, load * 0.75) + rng.gauss(0, 2)
    occupancy += ov.value("traffic", dev.ward, ts, "occupancy_add_pct", 0.0)
    speed = FREE_SPEED * (1 - 0.55 * min(1.0, occupancy / 100)) + rng.gauss(0, 1.5)
    speed *= ov.value("traffic", dev.ward, ts, "speed_mult", 1.0)
    values = {"vehicles_per_min": flow, "speed_kmh": max(1.0, speed), "occupancy_pct": occupancy}
    return None, [telemetry(dev, ts, values, pos)]


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
