"""Water: Vàm Cỏ Tây level, rain gauges, salinity and street flood depth.

* River level: semi-diurnal tide (M2, 12.42 h) beating with S2 (12.00 h) into
  spring and neap tides every ~14.8 days, on a seasonal mean that peaks with
  the Mekong flood (Sep–Nov).
* Rain: afternoon showers in the rainy season (May–Nov), a pure function of
  (seed, ward, time) so gauges and flood sensors of one ward agree.
  ``rain_mm`` is the rain of the past hour.
* Salinity: rises through the dry season (Jan–Apr), higher at high tide.
* Flood depth: streets flood when heavy rain coincides with high water; the
  water drains away over time (depth per sensor kept in memory).

Scenario modifiers: ``rain_add_mm`` and ``tide_add_m`` per ward.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from simulators.domains.base import GenState, Out, local, new_state, run_due, telemetry
from simulators.fleet import Device
from simulators.scenario import Overlay

Memory = Mapping[str, float]  # flood sensor id → depth in cm
State = GenState[Memory]

M2_HOURS = 12.4206
S2_HOURS = 12.0
TIDE_AMPLITUDE_M = 0.85
_EPOCH = datetime(2000, 1, 6, 0, 0, tzinfo=UTC)  # a spring tide, for the phase only
DRAIN_CM_PER_H = 12.0


def init(devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay) -> State:
    return new_state(devices, seed, start, overlay, {})


def _doy(ts: datetime) -> int:
    return local(ts).timetuple().tm_yday


def river_level(ts: datetime) -> float:
    """Water level (m, gauge datum) at Tân An, without scenario modifiers."""
    hours = (ts - _EPOCH).total_seconds() / 3600
    tide = math.cos(2 * math.pi * hours / M2_HOURS) + 0.3 * math.cos(2 * math.pi * hours / S2_HOURS)
    mean = 0.25 + 0.35 * math.exp(-0.5 * ((_doy(ts) - 290) / 35) ** 2)
    return mean + TIDE_AMPLITUDE_M * tide


def rain_mm(seed: int, ward: str, ts: datetime) -> float:
    """Rain over the past hour at a ward: today's shower, if there is one."""
    lt = local(ts)
    month = lt.month
    rng = random.Random(f"rain:{seed}:{lt.date().isoformat()}")
    chance = {5: 0.35, 6: 0.5, 7: 0.55, 8: 0.6, 9: 0.65, 10: 0.6, 11: 0.3}.get(month, 0.03)
    if rng.random() >= chance:
        return 0.0
    start_h = rng.gauss(15.5, 1.8)
    length_h = rng.uniform(0.5, 2.0)
    intensity = rng.expovariate(1 / 18.0)
    local_rng = random.Random(f"rain:{seed}:{lt.date().isoformat()}:{ward}")
    shift = local_rng.uniform(-0.5, 0.5)
    scale = local_rng.uniform(0.3, 1.4)
    h = lt.hour + lt.minute / 60 - start_h - shift
    if not 0 <= h <= length_h + 1:
        return 0.0
    # Rain of the past hour: the overlap of [h-1, h] with the shower [0, length].
    overlap = max(0.0, min(h, length_h) - max(h - 1, 0.0))
    return intensity * scale * overlap


def salinity(ts: datetime, level: float) -> float:
    doy = _doy(ts)
    if doy <= 120:
        season = 0.3 + 3.7 * doy / 120
    elif doy <= 150:
        season = 4.0 - 3.8 * (doy - 120) / 30
    else:
        season = 0.2
    return season * (0.75 + 0.25 * level / (TIDE_AMPLITUDE_M + 0.6))


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    ov = st.overlay
    level = river_level(ts) + ov.value("water", dev.ward, ts, "tide_add_m", 0.0)
    rain = rain_mm(st.seed, dev.ward, ts) + ov.value("water", dev.ward, ts, "rain_add_mm", 0.0)
    values: dict[str, float]
    if dev.kind == "river":
        values = {"level_m": level + rng.gauss(0, 0.01)}
    elif dev.kind == "rain":
        values = {"rain_mm": rain * (1 + rng.gauss(0, 0.05)) if rain > 0 else 0.0}
    elif dev.kind == "salinity":
        values = {"salinity_ppt": salinity(ts, level) * (1 + rng.gauss(0, 0.03))}
    else:
        target = 0.0
        if rain > 20:
            # Heavy rain floods low streets; high water in the river blocks the drains.
            target = (rain - 20) * 0.6 * dev.scale * (1 + 2 * max(0.0, level - 0.9))
        if level > 1.6:
            target += (level - 1.6) * 60 * dev.scale
        drained = mem.get(dev.id, 0.0) - DRAIN_CM_PER_H * dev.interval_s / 3600
        depth = max(target, drained, 0.0)
        return {**mem, dev.id: depth}, [telemetry(dev, ts, {"flood_depth_cm": depth}, pos)]
    return mem, [telemetry(dev, ts, values, pos)]


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
