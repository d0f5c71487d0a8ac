"""Scenarios: data files that overlay modifiers on the baseline generators.

A scenario (``simulators/scenarios/NAME.yaml``) names when it starts (an offset
from the simulation start such as ``30m`` / ``2h`` / ``1d``, or an ISO
datetime), how long it lasts, which wards it affects (``all`` for every ward),
an optional ramp, and per domain the modifiers it applies::

    name: flood
    start: 30m
    duration: 4h
    ramp: 20m
    wards: ["27694", "27697"]
    effects:
      water: {rain_add_mm: 60, tide_add_m: 0.5}
      alerts:
        events: [{type: flood.reported, severity: high, text: "Ngập sâu"}]

Generators stay pure: they ask the :class:`Overlay` (part of their state) for
a modifier at a ward and time, and get the baseline default outside windows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from geodata.registry import ward_codes
from ioc.errors import IocError

__all__ = ["Overlay", "Scenario", "ScenarioError", "available", "load_scenario", "parse_duration"]


class ScenarioError(IocError, ValueError):
    """A scenario file that cannot be used; the message names the file and key."""


_DUR = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | float | int) -> timedelta:
    """``90`` / ``"90s"`` / ``"30m"`` / ``"4h"`` / ``"2d"`` → timedelta."""
    if isinstance(text, int | float):
        return timedelta(seconds=float(text))
    m = _DUR.match(text)
    if not m:
        raise ValueError(f"bad duration {text!r} (use e.g. 90s, 30m, 4h, 2d)")
    return timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2)])


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    start: timedelta | datetime
    duration: timedelta
    ramp: timedelta
    wards: frozenset[str]
    effects: Mapping[str, Mapping[str, Any]]

    def window(self, sim_start: datetime) -> tuple[datetime, datetime]:
        begin = self.start if isinstance(self.start, datetime) else sim_start + self.start
        return begin, begin + self.duration


@dataclass(frozen=True, slots=True)
class _Window:
    scenario: Scenario
    begin: datetime
    end: datetime

    def intensity(self, ts: datetime) -> float:
        if not self.begin <= ts < self.end:
            return 0.0
        ramp = self.scenario.ramp.total_seconds()
        if ramp <= 0:
            return 1.0
        edge = min((ts - self.begin).total_seconds(), (self.end - ts).total_seconds())
        return min(1.0, edge / ramp)


@dataclass(frozen=True, slots=True)
class Overlay:
    """The scenarios of one run, placed on its clock.  Empty: the baseline."""

    windows: tuple[_Window, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, scenarios: Sequence[Scenario], sim_start: datetime) -> Overlay:
        return cls(tuple(_Window(s, *s.window(sim_start)) for s in scenarios))

    def value(self, domain: str, ward: str, ts: datetime, key: str, default: float) -> float:
        """The baseline ``default`` moved towards each active scenario's value by its intensity."""
        v = default
        for w in self.windows:
            effect = w.scenario.effects.get(domain, {}).get(key)
            if effect is None or ward not in w.scenario.wards:
                continue
            k = w.intensity(ts)
            if k > 0:
                v += (float(effect) - default) * k
        return v

    def oneshots(
        self, domain: str, ward: str, after: datetime, until: datetime
    ) -> list[tuple[str, int, Mapping[str, Any]]]:
        """Scenario events of ``domain`` for ``ward`` whose window opens in ``(after, until]``."""
        out = []
        for w in self.windows:
            if ward in w.scenario.wards and after < w.begin <= until:
                for i, spec in enumerate(w.scenario.effects.get(domain, {}).get("events", [])):
                    out.append((w.scenario.name, i, spec))
        return out


def _scenario_dir() -> Path:
    return Path(str(resources.files("simulators").joinpath("scenarios")))


def available() -> list[str]:
    return sorted(p.stem for p in _scenario_dir().glob("*.yaml"))


def _require(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise ScenarioError(f"{where}: missing key {key!r}")
    return doc[key]


def load_scenario(name_or_path: str) -> Scenario:
    """A scenario by name (``flood``) or by path to a YAML file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = _scenario_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ScenarioError(f"no scenario {name_or_path!r}; available: {', '.join(available())}")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = str(path)
    if not isinstance(doc, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    raw_start = doc.get("start", "0s")
    try:
        start: timedelta | datetime = (
            raw_start if isinstance(raw_start, datetime) else parse_duration(raw_start)
        )
        duration = parse_duration(_require(doc, "duration", where))
        ramp = parse_duration(doc.get("ramp", "0s"))
    except ValueError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    if isinstance(start, datetime) and start.tzinfo is None:
        raise ScenarioError(f"{where}: start needs a UTC offset")
    raw_wards = _require(doc, "wards", where)
    codes = ward_codes()
    wards = frozenset(codes) if raw_wards == "all" else frozenset(str(w) for w in raw_wards)
    if not wards <= codes:
        raise ScenarioError(f"{where}: unknown wards {sorted(wards - codes)}")
    effects = _require(doc, "effects", where)
    if not isinstance(effects, dict) or not all(isinstance(v, dict) for v in effects.values()):
        raise ScenarioError(f"{where}: effects must map domain → modifiers")
    return Scenario(
        name=str(doc.get("name", path.stem)),
        title=str(doc.get("title", path.stem)),
        start=start,
        duration=duration,
        ramp=ramp,
        wards=wards,
        effects=effects,
    )
