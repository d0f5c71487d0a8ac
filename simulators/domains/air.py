"""Air quality: PM2.5 / PM10 / NO₂ / SO₂ / CO / O₃ with a daily cycle and traffic peaks.

Particles and NO₂ follow the morning and evening rush hours and build up under
the night-time inversion; the dry season (Dec–Apr) is dustier; O₃ peaks in
the early afternoon sun.  Each station has its own AR(1) noise in memory.
Scenario modifiers: ``pm_mult``, ``no2_mult``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import datetime

from simulators.domains.base import GenState, Out, hour_of_day, local, new_state, peak, run_due
from simulators.domains.base import telemetry as _telemetry
from simulators.fleet import Device
from simulators.scenario import Overlay

Memory = Mapping[str, float]  # device id → AR(1) log-noise
State = GenState[Memory]


def init(devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay) -> State:
    return new_state(devices, seed, start, overlay, {})


def temperature(ts: datetime) -> float:
    lt = local(ts)
    h = hour_of_day(ts)
    seasonal = 1.5 * math.cos(2 * math.pi * (lt.timetuple().tm_yday - 110) / 365)
    return 27.0 + seasonal + 4.5 * math.cos(2 * math.pi * (h - 14.5) / 24)


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    h = hour_of_day(ts)
    month = local(ts).month
    dry = 1.3 if month in (12, 1, 2, 3, 4) else 0.85
    rush = peak(h, 7.25, 1.2) + peak(h, 17.5, 1.5)
    inversion = 0.5 * peak(h, 23.0, 3.0)
    e = 0.85 * mem.get(dev.id, 0.0) + rng.gauss(0, 0.12)
    noise = math.exp(e)
    pm_mult = st.overlay.value("air", dev.ward, ts, "pm_mult", 1.0)
    no2_mult = st.overlay.value("air", dev.ward, ts, "no2_mult", 1.0)
    pm25 = 16.0 * dry * dev.scale * (1 + 1.1 * rush + inversion) * noise * pm_mult
    temp = temperature(ts) + rng.gauss(0, 0.3)
    values = {
        "pm25": pm25,
        "pm10": pm25 * (1.55 + 0.2 * rng.random()),
        "no2": (12 + 40 * rush * dev.scale) * noise * no2_mult,
        "so2": (4 + 9 * rush) * noise,
        "co": (350 + 1500 * rush * dev.scale) * noise * math.sqrt(pm_mult),
        "o3": (12 + 75 * peak(h, 13.5, 2.5) * (1.1 if month in (2, 3, 4) else 0.8)) * noise,
        "temperature_c": temp,
        "humidity_pct": 95 - 2.6 * (temp - 24) + rng.gauss(0, 2) - (12 if dry > 1 else 0),
    }
    return {**mem, dev.id: e}, [_telemetry(dev, ts, values, pos)]


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
