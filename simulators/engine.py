"""The simulation: the fleet, one seeded generator per domain, the scenario overlay, one clock.

:meth:`Simulation.advance` steps every domain to a simulated time and returns
what they emitted, ordered by timestamp.  No I/O: the publish loop
(:mod:`simulators.runner`) and the tests drive it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from simulators.domains import (
    air,
    alerts,
    covid,
    egov,
    lighting,
    noise,
    reports,
    security,
    services,
    traffic,
    water,
)
from simulators.domains.base import Out
from simulators.fleet import Device, build_fleet
from simulators.scenario import Overlay, Scenario

__all__ = ["GENERATORS", "Simulation"]

Init = Callable[[Sequence[Device], int, datetime, Overlay], Any]
Step = Callable[[Any, random.Random, datetime], tuple[Any, list[Out]]]

GENERATORS: dict[str, tuple[Init, Step]] = {
    "air": (air.init, air.step),
    "water": (water.init, water.step),
    "traffic": (traffic.init, traffic.step),
    "lighting": (lighting.init, lighting.step),
    "noise": (noise.init, noise.step),
    "health": (covid.init, covid.step),
    "services": (services.init, services.step),
    "reports": (reports.init, reports.step),
    "security": (security.init, security.step),
    "egov": (egov.init, egov.step),
    "alerts": (alerts.init, alerts.step),
}


class Simulation:
    """Every domain of one run.  Same seed, fleet, start and scenarios → same messages."""

    def __init__(
        self,
        seed: int,
        start: datetime,
        fleet: Sequence[Device] | None = None,
        scenarios: Sequence[Scenario] = (),
        domains: Sequence[str] | None = None,
        scenario_origin: datetime | None = None,
    ) -> None:
        """``scenario_origin``: what scenario offsets count from (default ``start``;
        the live start when the run begins with a backfill)."""
        if start.tzinfo is None:
            raise ValueError("the simulation start needs a UTC offset")
        self.seed, self.start, self.now = seed, start, start
        self.fleet = tuple(fleet if fleet is not None else build_fleet(seed))
        self.overlay = Overlay.of(scenarios, scenario_origin or start)
        self._states: dict[str, Any] = {}
        self._rngs: dict[str, random.Random] = {}
        for name, (init, _) in GENERATORS.items():
            devices = [d for d in self.fleet if d.domain == name]
            if devices and (domains is None or name in domains):
                self._states[name] = init(devices, seed, start, self.overlay)
                self._rngs[name] = random.Random(f"{seed}:{name}")

    def advance(self, now: datetime) -> list[Out]:
        """Everything due up to ``now`` (inclusive), oldest first."""
        out: list[Out] = []
        for name, state in self._states.items():
            self._states[name], msgs = GENERATORS[name][1](state, self._rngs[name], now)
            out.extend(msgs)
        self.now = max(self.now, now)
        out.sort(key=lambda o: o.ts)
        return out
