"""Helpers shared by the simulator tests: small fleets, decoding, per-ward series."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from geodata.registry import ward_codes
from ioc.contract import Validator
from simulators.domains.base import Out
from simulators.fleet import KINDS, build_fleet

ROOT = "tanan/v1"


def small_fleet(seed: int = 1, **counts: int) -> tuple[Any, ...]:
    """Only the kinds named, with the counts given (per-ward kinds: 1 = one per ward)."""
    full = {k: 0 for k in KINDS}
    full.update(counts)
    return build_fleet(seed, full)


def validate_all(msgs: Iterable[Out]) -> int:
    v = Validator(ward_codes(), ROOT)
    n = 0
    for m in msgs:
        v.decode(m.topic(ROOT), m.payload, m.ts)
        n += 1
    return n


def docs(msgs: Iterable[Out]) -> list[tuple[Out, dict[str, Any]]]:
    return [(m, json.loads(m.payload)) for m in msgs]


def values(msgs: Iterable[Out], metric: str, ward: str | None = None) -> list[float]:
    return [
        float(d["values"][metric])
        for m, d in docs(msgs)
        if m.kind == "telemetry" and metric in d["values"] and (ward is None or m.ward == ward)
    ]


def in_window(msgs: Iterable[Out], begin: datetime, end: datetime) -> list[Out]:
    return [m for m in msgs if begin <= m.ts < end]
