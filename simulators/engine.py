"""The simulation: the fleet, one seeded generator per domain, the scenario overlay, one clock.

:meth:`Simulation.advance` steps every domain to a simulated time and returns
what they emitted, ordered by timestamp.  A run may begin with a history
phase: the slow, daily-scale domains (COVID, dossiers, e-government, citizen
reports, security) start days earlier than the rest of the fleet, so the
control room has weeks of them without weeks of minute-by-minute sensors.
No I/O: the publish loop (:mod:`simulators.runner`) and the tests drive it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
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
from simulators.domains.base import Out, local
from simulators.fleet import KINDS, Device, build_fleet
from simulators.scenario import Overlay, Scenario

__all__ = ["GENERATORS", "HISTORY_DOMAINS", "Simulation", "domain_names", "history_start"]

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
# Daily-scale domains: weeks of them are a few ten thousand messages.
HISTORY_DOMAINS = ("health", "services", "egov", "reports", "security")


def domain_names(names: Iterable[str]) -> tuple[str, ...]:
    """Domains from domain or fleet-kind names (``covid`` → ``health``), in engine order.

    Unknown names raise ValueError.
    """
    chosen = set()
    for name in names:
        if name in GENERATORS:
            chosen.add(name)
        elif name in KINDS:
            chosen.add(KINDS[name].domain)
        else:
            raise ValueError(f"unknown domain {name!r}; domains: {', '.join(GENERATORS)}")
    return tuple(d for d in GENERATORS if d in chosen)


def history_start(begin: datetime, days: float) -> datetime:
    """Local midnight at or before ``days`` before ``begin``: runs begun on the same day
    share their history's time grid, so a rerun republishes the same messages."""
    t = local(begin - timedelta(days=days))
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


class Simulation:
    """Every domain of one run.  Same seed, fleet, start and scenarios → same messages."""

    def __init__(
        self,
        seed: int,
        start: datetime,
        fleet: Sequence[Device] | None = None,
        scenarios: Sequence[Scenario] = (),
        domains: Collection[str] | None = None,
        scenario_origin: datetime | None = None,
        *,
        history_from: datetime | None = None,
        history_domains: Collection[str] = HISTORY_DOMAINS,
    ) -> None:
        """``scenario_origin``: what scenario offsets count from (default ``start``;
        the live start when the run begins with a backfill).  ``history_from``: an
        earlier start for ``history_domains``; the other domains begin at ``start``.
        ``self.start`` is the earliest start, ``self.fleet_start`` the time all run."""
        if start.tzinfo is None or (history_from is not None and history_from.tzinfo is None):
            raise ValueError("the simulation start needs a UTC offset")
        if history_from is not None and history_from > start:
            raise ValueError("the history must begin before the start")
        early = history_from or start
        self.seed, self.start, self.fleet_start, self.now = seed, early, start, early
        self.fleet = tuple(fleet if fleet is not None else build_fleet(seed))
        self.overlay = Overlay.of(scenarios, scenario_origin or start)
        self._states: dict[str, Any] = {}
        self._rngs: dict[str, random.Random] = {}
        self._begins: dict[str, datetime] = {}
        for name, (init, _) in GENERATORS.items():
            devices = [d for d in self.fleet if d.domain == name]
            if devices and (domains is None or name in domains):
                begin = early if name in history_domains else start
                self._states[name] = init(devices, seed, begin, self.overlay)
                self._rngs[name] = random.Random(f"{seed}:{name}")
                self._begins[name] = begin

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self._states)

    def advance(self, now: datetime) -> list[Out]:
        """Everything due up to ``now`` (inclusive), oldest first.

        A domain that begins after the history stays silent until the clock has
        passed its start, so the history phase (up to ``fleet_start``) holds only
        the history domains.
        """
        out: list[Out] = []
        for name, state in self._states.items():
            begin = self._begins[name]
            if begin > self.start and now <= begin:
                continue
            self._states[name], msgs = GENERATORS[name][1](state, self._rngs[name], now)
            out.extend(msgs)
        self.now = max(self.now, now)
        out.sort(key=lambda o: o.ts)
        return out
