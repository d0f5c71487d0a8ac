"""The history phase: days of the daily-scale domains before the whole fleet starts."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest

from geodata.registry import ward_codes
from ioc.contract import Validator
from simulators.domains.base import TZ, Out, local
from simulators.engine import Simulation, domain_names, history_start
from simulators.runner import RunStats, run
from tests.unit.sim_helpers import ROOT, small_fleet
from vocab.indicators import epidemic_level

FLEET_START = datetime(2026, 11, 20, 9, 30, tzinfo=TZ)


def _history(seed: int, days: float, domains: tuple[str, ...], **counts: int) -> list[Out]:
    since = history_start(FLEET_START, days)
    sim = Simulation(
        seed, FLEET_START, small_fleet(seed, **counts), history_from=since, history_domains=domains
    )
    out: list[Out] = []
    t = since
    while t < FLEET_START:
        t = min(FLEET_START, t + timedelta(hours=1))
        out.extend(sim.advance(t))
    return out


def test_domain_names_accept_kinds_and_domains() -> None:
    assert domain_names(["covid", "services", "egov"]) == ("health", "services", "egov")
    assert domain_names(["flood", "rain", "health"]) == ("water", "health")
    with pytest.raises(ValueError, match="bogus"):
        domain_names(["bogus"])


def test_history_starts_at_local_midnight() -> None:
    since = history_start(FLEET_START, 60)
    assert (since.hour, since.minute, since.second) == (0, 0, 0)
    assert since.utcoffset() == timedelta(hours=7)
    assert timedelta(days=60) <= FLEET_START - since < timedelta(days=61)


def test_history_has_only_the_chosen_domains_is_deterministic_and_valid() -> None:
    counts = {"covid": 1, "services": 1, "egov": 1, "air": 2, "traffic": 2}
    msgs = _history(3, 10, ("health", "services"), **counts)
    assert {m.domain for m in msgs} == {"health", "services"}
    assert msgs == _history(3, 10, ("health", "services"), **counts)
    assert msgs != _history(4, 10, ("health", "services"), **counts)
    since = history_start(FLEET_START, 10)
    assert all(since - timedelta(days=1) <= m.ts <= FLEET_START for m in msgs)
    # Ingest checks against its own clock: the oldest message must still be within retention.
    v = Validator(ward_codes(), ROOT)
    for m in msgs:
        v.decode(m.topic(ROOT), m.payload, FLEET_START + timedelta(minutes=1))


def test_the_rest_of_the_fleet_joins_at_the_fleet_start() -> None:
    since = history_start(FLEET_START, 3)
    fleet = small_fleet(5, covid=1, air=2)
    sim = Simulation(5, FLEET_START, fleet, history_from=since, history_domains=("health",))
    assert sim.start == since and sim.fleet_start == FLEET_START
    before = sim.advance(FLEET_START - timedelta(seconds=1))
    after = sim.advance(FLEET_START + timedelta(hours=1))
    assert {m.domain for m in before} == {"health"}
    air = [m for m in after if m.domain == "air"]
    assert air and all(m.ts >= FLEET_START - timedelta(minutes=5) for m in air)


class _Pub:
    """Stands in for :class:`ioc.mqtt.Publisher`: every message acknowledged at once."""

    in_flight = 0

    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []

    @property
    def sent(self) -> int:
        return len(self.got)

    acked = sent

    def publish(self, topic: str, payload: bytes) -> None:
        self.got.append((topic, payload))

    def flush(self, timeout: float) -> bool:
        return True


def test_runner_publishes_history_then_backfill() -> None:
    since = history_start(FLEET_START, 2)
    fleet = small_fleet(6, covid=1, services=1, air=2)
    sim = Simulation(6, FLEET_START, fleet, history_from=since, history_domains=("health",))
    pub, phases = _Pub(), []

    def progress(stats: RunStats) -> None:
        phases.append(stats.phase)

    stats = run(sim, pub, ROOT, backfill=timedelta(hours=1), duration_s=0, progress=progress)  # type: ignore[arg-type]
    assert stats.historied and stats.backfilled
    history = pub.got[: stats.historied]
    assert {t.split("/")[3] for t, _ in history} == {"health"}
    assert {t.split("/")[3] for t, _ in pub.got[stats.historied :]} == {"air", "services"}
    assert phases[-1] == "live"


def test_covid_history_moves_through_epidemic_levels() -> None:
    """Over 60 days (the COVID page's slider) some ward changes level, computed as the page
    does: the week's new cases per 100,000 and first-dose coverage."""
    msgs = _history(1, 60, ("health",), covid=1)
    by_ward: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in msgs:
        by_ward[m.ward].append(json.loads(m.payload)["values"])
    pops = {d.ward: d.population for d in small_fleet(1, covid=1)}
    days = {local(m.ts).date() for m in msgs}
    assert len(days) >= 60
    changing = 0
    for ward, reports in by_ward.items():
        levels = set()
        for i in range(7, len(reports)):
            week = sum(r["covid_new_cases"] for r in reports[i - 6 : i + 1])
            cover = 100 * reports[i]["vaccinated_dose1"] / pops[ward]
            levels.add(epidemic_level(week * 100_000 / pops[ward], cover))
        changing += len(levels) >= 2
    assert changing >= 3
