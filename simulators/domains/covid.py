"""COVID-19 by ward: a seeded SEIR-ish epidemic per ward, reported once a day at local midnight.

Each ward's population is split into susceptible, exposed, infectious,
recovered and dead; transmission varies in seeded waves and falls as weekly
incidence rises (people and authorities react), so wards drift through the
four epidemic levels.  First and second doses rise towards high coverage and
protect part of the vaccinated.  The model runs a burn-in before the start so
the first report already has history.  Values per day: new cases (daily),
active, and cumulative recovered, deaths and doses.

Scenario modifiers: ``beta_mult`` (transmission) and ``imports_per_day``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from simulators.domains.base import GenState, Out, new_state, poisson, run_due, telemetry
from simulators.fleet import Device
from simulators.scenario import Overlay

BURN_IN_DAYS = 120
SIGMA = 1 / 4  # incubation
GAMMA = 1 / 10  # recovery
IFR = 0.004
VACC_EFFECT = (0.5, 0.8)  # protection after dose 1, dose 2


@dataclass(frozen=True, slots=True)
class Ward:
    s: float
    e: float
    i: float
    r: int
    d: int
    dose1: int
    dose2: int
    week: tuple[int, ...]  # new cases of the last seven days
    wave_phase: float
    wave_days: float


Memory = Mapping[str, Ward]
State = GenState[Memory]


def _advance(w: Ward, n: int, rng: random.Random, beta_mult: float, imports: float) -> Ward:
    weekly_per_100k = sum(w.week) * 100_000 / n
    wave = 1 + 0.6 * math.sin(w.wave_phase)
    beta = 0.22 * wave * beta_mult / (1 + (weekly_per_100k / 120) ** 2)
    protected = (w.dose1 - w.dose2) * VACC_EFFECT[0] + w.dose2 * VACC_EFFECT[1]
    s_eff = max(0.0, w.s - protected * w.s / n)
    infections = poisson(rng, beta * s_eff * w.i / n) + poisson(rng, imports)
    infections = min(infections, int(w.s))
    onsets = poisson(rng, SIGMA * w.e)
    onsets = min(onsets, int(w.e + infections))
    ended = min(poisson(rng, GAMMA * w.i), int(w.i + onsets))
    deaths = sum(1 for _ in range(ended) if rng.random() < IFR)
    target1 = 0.92 * n
    new1 = min(int(target1 - w.dose1), poisson(rng, 0.004 * max(0.0, target1 - w.dose1)))
    new2 = poisson(rng, 0.02 * max(0, w.dose1 - w.dose2))
    return replace(
        w,
        s=w.s - infections,
        e=w.e + infections - onsets,
        i=w.i + onsets - ended,
        r=w.r + ended - deaths,
        d=w.d + deaths,
        dose1=w.dose1 + max(0, new1),
        dose2=min(w.dose1, w.dose2 + new2),
        week=(*w.week[-6:], onsets),
        wave_phase=w.wave_phase + 2 * math.pi / w.wave_days,
    )


def _modifiers(st: State, ward: str, ts: datetime) -> tuple[float, float]:
    ov = st.overlay
    return (
        ov.value("health", ward, ts, "beta_mult", 1.0),
        ov.value("health", ward, ts, "imports_per_day", 0.08),
    )


def init(devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay) -> State:
    rng = random.Random(f"covid:{seed}")
    memory: dict[str, Ward] = {}
    for dev in devices:
        n = dev.population
        w = Ward(
            s=n * 0.97,
            e=2.0,
            i=2.0,
            r=round(n * 0.03),
            d=0,
            dose1=round(n * rng.uniform(0.45, 0.6)),
            dose2=round(n * rng.uniform(0.2, 0.35)),
            week=(0,) * 7,
            wave_phase=rng.uniform(0, 2 * math.pi),
            wave_days=rng.uniform(40, 80),
        )
        for _ in range(BURN_IN_DAYS):
            w = _advance(w, n, rng, 1.0, 0.08)
        memory[dev.id] = w
    return new_state(devices, seed, start - timedelta(days=1), overlay, memory)


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    beta_mult, imports = _modifiers(st, dev.ward, ts)
    w = _advance(mem[dev.id], dev.population, rng, beta_mult, imports)
    values = {
        "covid_new_cases": w.week[-1],
        "covid_active": round(w.i + w.e * 0.3),
        "covid_recovered": w.r,
        "covid_deaths": w.d,
        "vaccinated_dose1": w.dose1,
        "vaccinated_dose2": w.dose2,
    }
    return {**mem, dev.id: w}, [telemetry(dev, ts, values, pos)]


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)


def weekly_per_100k(cases_7d: int, population: int) -> float:
    return cases_7d * 100_000 / population
