"""What every domain generator shares: the emitted message, local time, the due-time loop.

A generator's state is a frozen :class:`GenState`; :func:`run_due` walks every
device whose next publication time has come, calls the domain's ``sample``
with a copy-on-write memory and returns the new state.  Nothing here does I/O.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, Literal, TypeVar

from ioc.contract import CATALOGUE, build_topic, encode_event, encode_telemetry
from simulators.fleet import Device
from simulators.scenario import Overlay

__all__ = [
    "TZ",
    "Book",
    "GenState",
    "Out",
    "empty_books",
    "event",
    "event_id",
    "first_due",
    "hour_of_day",
    "in_office_hours",
    "local",
    "new_state",
    "no_memory",
    "peak",
    "poisson",
    "run_due",
    "telemetry",
]

TZ = timezone(timedelta(hours=7), "ICT")
POSITION_EVERY = 60  # telemetry carries lat/lon on the first and every Nth message

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Out:
    """One message a generator emits; ``topic(root)`` places it on the wire."""

    ts: datetime
    ward: str
    domain: str
    device: str
    kind: Literal["telemetry", "event"]
    payload: bytes

    def topic(self, root: str) -> str:
        return build_topic(self.ward, self.domain, self.device, self.kind, root)


def local(ts: datetime) -> datetime:
    return ts.astimezone(TZ)


def hour_of_day(ts: datetime) -> float:
    lt = local(ts)
    return lt.hour + lt.minute / 60 + lt.second / 3600


def peak(h: float, centre: float, width: float) -> float:
    """A Gaussian bump on the 24 h circle, 1 at ``centre``."""
    d = min(abs(h - centre), 24 - abs(h - centre))
    return math.exp(-0.5 * (d / width) ** 2)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _clamp(domain: str, values: Mapping[str, float]) -> dict[str, float]:
    metrics = CATALOGUE[domain].metrics
    out: dict[str, float] = {}
    for name, v in values.items():
        m = metrics[name]
        out[name] = round(min(m.max, max(m.min, v)), 3)
    return out


def telemetry(dev: Device, ts: datetime, values: Mapping[str, float], position: bool) -> Out:
    """A telemetry message, values clamped into their metric's valid range, ts in +07:00."""
    payload = encode_telemetry(
        local(ts),
        _clamp(dev.domain, values),
        dev.lat if position else None,
        dev.lon if position else None,
    )
    return Out(ts, dev.ward, dev.domain, dev.id, "telemetry", payload)


def event(dev: Device, ts: datetime, event_id: str, type_: str, attrs: Mapping[str, Any]) -> Out:
    return Out(
        ts, dev.ward, dev.domain, dev.id, "event", encode_event(local(ts), event_id, type_, attrs)
    )


@dataclass(frozen=True, slots=True)
class GenState(Generic[M]):
    """Devices, scenario overlay, next due time and message count per device, domain memory."""

    devices: tuple[Device, ...]
    overlay: Overlay
    seed: int
    due: Mapping[str, datetime]
    count: Mapping[str, int]
    memory: M


def first_due(devices: Sequence[Device], start: datetime) -> dict[str, datetime]:
    """Each device's first publication: aligned to its interval plus its own phase."""
    due = {}
    epoch = start.timestamp()
    for d in devices:
        k = math.floor((epoch - d.phase_s) / d.interval_s)
        t = k * d.interval_s + d.phase_s
        due[d.id] = datetime.fromtimestamp(t, TZ)
    return due


def run_due(
    state: GenState[M],
    rng: random.Random,
    now: datetime,
    sample: Callable[[Device, datetime, M, random.Random, GenState[M], bool], tuple[M, list[Out]]],
) -> tuple[GenState[M], list[Out]]:
    """Call ``sample(device, ts, memory, rng, state, position)`` for every due publication."""
    due, count = dict(state.due), dict(state.count)
    memory, out = state.memory, []
    for dev in state.devices:
        ts, step = due[dev.id], timedelta(seconds=dev.interval_s)
        while ts <= now:
            n = count.get(dev.id, 0)
            memory, msgs = sample(dev, ts, memory, rng, state, n % POSITION_EVERY == 0)
            out.extend(msgs)
            count[dev.id] = n + 1
            ts += step
        due[dev.id] = ts
    return replace(state, due=due, count=count, memory=memory), out


def new_state(
    devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay, memory: M
) -> GenState[M]:
    """A generator's first state: nothing published yet, every device due from ``start``."""
    return GenState(tuple(devices), overlay, seed, first_due(devices, start), {}, memory)


def event_id(dev: Device, ts: datetime, seq: int) -> str:
    """Unique at the source: the source id, the local time and a per-run sequence number."""
    return f"{dev.id}-{local(ts):%y%m%d%H%M%S}-{seq}"


def in_office_hours(ts: datetime) -> bool:
    """Mon–Fri 07:30–11:30 and 13:30–17:00 local time."""
    lt = local(ts)
    h = lt.hour + lt.minute / 60
    return lt.weekday() < 5 and (7.5 <= h < 11.5 or 13.5 <= h < 17.0)


T = TypeVar("T")


@dataclass(frozen=True)  # no slots: slotted generic dataclasses break on Python 3.11
class Book(Generic[T]):
    """What an event source has open (dossiers, reports, alerts) and its event counter."""

    seq: int = 0
    open: tuple[T, ...] = ()


def empty_books(
    devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay
) -> GenState[Mapping[str, Book[Any]]]:
    """``init`` for event sources that keep a :class:`Book` each."""
    return new_state(devices, seed, start, overlay, {})


def no_memory(
    devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay
) -> GenState[None]:
    """``init`` for generators whose every sample depends only on the time and the device."""
    return new_state(devices, seed, start, overlay, None)
