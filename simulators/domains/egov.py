"""E-government counters per ward: e-documents issued and signed, online meetings.

Hourly batches in office hours from ``egov-{ward}``: ``document.issued``
``{"count", "signed": false}``, ``document.signed`` ``{"count", "signed": true}``
and now and then ``meeting.held`` ``{"participants"}``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from simulators.domains.base import (
    GenState,
    Out,
    event,
    event_id,
    in_office_hours,
    new_state,
    poisson,
    run_due,
)
from simulators.fleet import Device
from simulators.scenario import Overlay

State = GenState[int]  # sequence number


def init(devices: Sequence[Device], seed: int, start: datetime, overlay: Overlay) -> State:
    return new_state(devices, seed, start, overlay, 0)


def _sample(
    dev: Device, ts: datetime, seq: int, rng: random.Random, st: State, pos: bool
) -> tuple[int, list[Out]]:
    if not in_office_hours(ts):
        return seq, []
    out = []
    issued = poisson(rng, 4 * dev.scale)
    signed = min(issued, poisson(rng, 3.6 * dev.scale))
    for type_, attrs in (
        ("document.issued", {"count": issued, "signed": False}),
        ("document.signed", {"count": signed, "signed": True}),
    ):
        if attrs["count"]:
            seq += 1
            out.append(event(dev, ts, event_id(dev, ts, seq), type_, attrs))
    if rng.random() < 0.08:
        seq += 1
        attrs = {"participants": rng.randint(4, 60)}
        out.append(event(dev, ts, event_id(dev, ts, seq), "meeting.held", attrs))
    return seq, out


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
