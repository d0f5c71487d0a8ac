"""Field alerts per ward (``field-{ward}``): traffic accidents, lighting-cabinet faults, flooding.

A low baseline of random accidents and cabinet faults, plus the one-off
events a scenario lists under ``alerts: {events: [...]}``, each emitted once
when the scenario window opens.  Attrs: severity, lat, lon, text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from simulators.domains.base import GenState, Out, event, event_id, new_state, run_due
from simulators.fleet import Device
from simulators.scenario import Overlay

State = GenState[int]  # sequence number

BASELINE: tuple[tuple[str, float, str, str], ...] = (
    # type, per ward per day, severity, text
    ("traffic.accident", 0.03, "high", "Va chạm giao thông, ùn tắc cục bộ"),
    ("lighting.cabinet_fault", 0.01, "medium", "Tủ điện chiếu sáng mất nguồn"),
)
TEXTS = {
    "traffic.accident": "Tai nạn giao thông",
    "lighting.cabinet_fault": "Sự cố tủ điện chiếu sáng",
    "flood.reported": "Ngập úng cục bộ",
}


def init(devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay) -> State:
    return new_state(devices, seed, start, overlay, 0)


def _where(dev: Device, rng: random.Random) -> dict[str, float]:
    return {
        "lat": round(dev.lat + rng.uniform(-0.005, 0.005), 6),
        "lon": round(dev.lon + rng.uniform(-0.005, 0.005), 6),
    }


def _sample(
    dev: Device, ts: datetime, seq: int, rng: random.Random, st: State, pos: bool
) -> tuple[int, list[Out]]:
    out = []
    since = ts - timedelta(seconds=dev.interval_s)
    for _name, _i, spec in st.overlay.oneshots("alerts", dev.ward, since, ts):
        type_ = str(spec["type"])
        seq += 1
        attrs = {
            "severity": str(spec.get("severity", "high")),
            **_where(dev, rng),
            "text": str(spec.get("text", TEXTS.get(type_, type_))),
        }
        out.append(event(dev, ts, event_id(dev, ts, seq), type_, attrs))
    for type_, per_day, severity, text in BASELINE:
        if rng.random() < per_day * dev.interval_s / 86400:
            seq += 1
            attrs = {"severity": severity, **_where(dev, rng), "text": text}
            out.append(event(dev, ts, event_id(dev, ts, seq), type_, attrs))
    return seq, out


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
