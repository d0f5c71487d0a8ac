"""Each scenario produces the condition it names, where it says, and nowhere else."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from geodata.registry import ward
from simulators.domains.base import TZ, Out
from simulators.engine import Simulation
from simulators.scenario import ScenarioError, available, load_scenario
from tests.unit.sim_helpers import docs, in_window, small_fleet, validate_all, values
from vocab.indicators import epidemic_level

DRY = datetime(2026, 2, 10, 0, 0, tzinfo=TZ)  # dry season: no baseline rain or flooding


def _pair(name: str, start: datetime, days: float, **counts: int) -> tuple[list[Out], list[Out]]:
    """(with scenario, baseline) for the same seed, fleet and clock."""
    fleet = small_fleet(3, **counts)
    end = start + timedelta(days=days)
    with_s = Simulation(3, start, fleet, [load_scenario(name)]).advance(end)
    without = Simulation(3, start, fleet).advance(end)
    return with_s, without


def _window(name: str, start: datetime) -> tuple[datetime, datetime]:
    return load_scenario(name).window(start)


def test_every_scenario_file_loads() -> None:
    names = available()
    assert set(names) >= {
        "flood",
        "air_pollution",
        "covid_outbreak",
        "traffic_accident",
        "lighting_failure",
        "dossier_backlog",
    }
    for n in names:
        s = load_scenario(n)
        assert s.wards and s.effects and s.duration.total_seconds() > 0


def test_bad_scenario_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nduration: 1h\nwards: ['00000']\neffects: {}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown wards"):
        load_scenario(str(bad))
    with pytest.raises(ScenarioError, match="no scenario"):
        load_scenario("nope")


def test_flood_raises_flood_depth_in_its_wards_only() -> None:
    flood, base = _pair("flood", DRY, 0.5, flood=28, rain=14, river=3)
    assert validate_all(flood) == len(flood)
    begin, end = _window("flood", DRY)
    hit = load_scenario("flood").wards
    inside = in_window(flood, begin, end)
    for w in hit:
        assert max(values(inside, "flood_depth_cm", w)) > 10, w
    others = {m.ward for m in inside} - hit
    assert others
    for w in others:
        assert max(values(flood, "flood_depth_cm", w)) == 0, w
    assert max(values(base, "flood_depth_cm")) == 0


def test_flood_emits_a_flood_report_alert() -> None:
    flood, _ = _pair("flood", DRY, 0.3, alerts=1)
    types = [(m.ward, d["type"]) for m, d in docs(flood)]
    for w in load_scenario("flood").wards:
        assert (w, "flood.reported") in types


def _level(cases_week: int, population: int) -> int:
    return epidemic_level(cases_week * 100_000 / population, None)


def test_outbreak_raises_that_wards_epidemic_level() -> None:
    outbreak, base = _pair("covid_outbreak", DRY, 22, covid=1)
    target = next(iter(load_scenario("covid_outbreak").wards))
    pop = ward(target).population

    def weekly_levels(msgs: list[Out], w: str) -> list[int]:
        daily = [d["values"]["covid_new_cases"] for m, d in docs(msgs) if m.ward == w]
        return [_level(sum(daily[i - 7 : i]), pop) for i in range(7, len(daily))]

    with_levels, base_levels = weekly_levels(outbreak, target), weekly_levels(base, target)
    assert max(with_levels) >= 3
    assert max(with_levels) > max(base_levels)
    # Other wards are untouched: same seed, same draws.
    other = "27685"
    assert weekly_levels(outbreak, other) == weekly_levels(base, other)


def test_air_pollution_raises_pm25() -> None:
    polluted, base = _pair("air_pollution", DRY, 1, air=14)
    begin, end = _window("air_pollution", DRY)
    mid = begin + timedelta(hours=2), end - timedelta(hours=2)
    p = values(in_window(polluted, *mid), "pm25")
    b = values(in_window(base, *mid), "pm25")
    assert sum(p) / len(p) > 3 * sum(b) / len(b)


def test_traffic_accident_emits_event_and_slows_traffic() -> None:
    acc, base = _pair("traffic_accident", DRY, 0.2, traffic=28, alerts=1)
    s = load_scenario("traffic_accident")
    begin, end = s.window(DRY)
    (w,) = s.wards
    events = [(m, d) for m, d in docs(acc) if m.kind == "event" and d["type"] == "traffic.accident"]
    assert any(m.ward == w and begin <= m.ts < end for m, _ in events)
    assert all({"severity", "lat", "lon", "text"} <= set(d["attrs"]) for _, d in events)
    mid = begin + timedelta(minutes=20), end - timedelta(minutes=20)
    slow = values(in_window(acc, *mid), "speed_kmh", w)
    normal = values(in_window(base, *mid), "speed_kmh", w)
    assert sum(slow) / len(slow) < 0.5 * sum(normal) / len(normal)


def test_lighting_failure_raises_lamp_faults() -> None:
    failed, base = _pair("lighting_failure", DRY, 0.5, lighting=28, alerts=1)
    s = load_scenario("lighting_failure")
    (w,) = s.wards
    begin, end = s.window(DRY)
    assert max(values(in_window(failed, begin, end), "lamps_fault", w)) > 3 * (
        1 + max(values(in_window(base, begin, end), "lamps_fault", w))
    )
    assert any(
        m.ward == w and json.loads(m.payload)["type"] == "lighting.cabinet_fault"
        for m in failed
        if m.kind == "event"
    )


def test_dossier_backlog_raises_overdue_dossiers() -> None:
    start = datetime(2026, 2, 9, 0, 0, tzinfo=TZ)  # a Monday
    backlog, base = _pair("dossier_backlog", start, 12, services=1)

    def overdue(msgs: list[Out]) -> int:
        return sum(1 for _, d in docs(msgs) if d["type"] == "dossier.overdue")

    assert overdue(backlog) > 5 * (1 + overdue(base))
