"""Noise: LAeq following the city's activity, quiet at night, loudest at rush hours.

Scenario modifier: ``laeq_add_db``.
"""

from __future__ import annotations

import random
from datetime import datetime

from simulators.domains.base import GenState, Out, hour_of_day, no_memory, peak, run_due, telemetry
from simulators.fleet import Device

State = GenState[None]
init = no_memory


def _sample(
    dev: Device, ts: datetime, mem: None, rng: random.Random, st: State, pos: bool
) -> tuple[None, list[Out]]:
    h = hour_of_day(ts)
    day = 1.0 if 6 <= h < 22 else 0.0
    activity = 0.5 * day + 0.5 * (peak(h, 7.25, 1.2) + peak(h, 17.5, 1.5))
    laeq = 47 + 18 * activity + 6 * (dev.scale - 1) + rng.gauss(0, 2)
    laeq += st.overlay.value("noise", dev.ward, ts, "laeq_add_db", 0.0)
    return None, [telemetry(dev, ts, {"laeq_db": laeq}, pos)]


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
