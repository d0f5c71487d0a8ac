"""Simulator generators: deterministic for a seed, valid on the wire, realistic in shape."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from ioc.contract import CATALOGUE
from simulators.domains import lighting
from simulators.domains.base import TZ, hour_of_day, in_office_hours, local
from simulators.engine import Simulation
from simulators.fleet import DEFAULT_COUNTS, build_fleet, parse_counts
from tests.unit.sim_helpers import docs, small_fleet, validate_all, values

START = datetime(2026, 3, 2, 0, 0, tzinfo=TZ)  # a Monday in the dry season


def _run(seed: int, hours: float, start: datetime = START, **counts: int) -> list[bytes]:
    fleet = small_fleet(seed, **counts) if counts else None
    sim = Simulation(seed, start, fleet)
    return [
        m.topic("r").encode() + b" " + m.payload
        for m in sim.advance(start + timedelta(hours=hours))
    ]


def test_fleet_ids_are_stable_and_placed_in_their_ward() -> None:
    a, b = build_fleet(7), build_fleet(7)
    assert a == b
    assert 250 <= len(a) <= 400
    ids = [d.id for d in a]
    assert len(set(ids)) == len(ids)
    assert "aq-27685-01" in ids and "covid-27694" in ids
    for d in a:
        assert abs(d.lat - 10.53) < 0.08 and abs(d.lon - 106.41) < 0.08


def test_parse_counts() -> None:
    assert parse_counts("air=5, traffic=9")["air"] == 5
    assert parse_counts("")["noise"] == DEFAULT_COUNTS["noise"]
    with pytest.raises(ValueError):
        parse_counts("bogus=3")


def test_same_seed_same_messages_different_seed_different() -> None:
    assert _run(3, 6) == _run(3, 6)
    assert _run(3, 6) != _run(4, 6)


def test_a_week_of_everything_passes_the_validator() -> None:
    counts = dict.fromkeys(DEFAULT_COUNTS, 2)
    counts.update(covid=1, services=1, reports=1, egov=1, alerts=1, security=1)
    sim = Simulation(11, START, build_fleet(11, counts))
    msgs = sim.advance(START + timedelta(days=7))
    assert validate_all(msgs) == len(msgs)
    kinds = {(m.domain, m.kind) for m in msgs}
    for domain in CATALOGUE:
        assert any(d == domain for d, _ in kinds), domain
    for m, d in docs(msgs):
        assert d["ts"].endswith("+07:00")
        for name, v in d.get("values", {}).items():
            metric = CATALOGUE[m.domain].metrics[name]
            assert metric.min <= v <= metric.max


def test_river_level_has_the_m2_tidal_period() -> None:
    sim = Simulation(1, START, small_fleet(1, river=1))
    msgs = sim.advance(START + timedelta(days=30))
    times = [m.ts for m in msgs]
    level = values(msgs, "level_m")
    mean = sum(level) / len(level)
    ups, armed = [], False
    for t, v in zip(times, level, strict=True):
        if v < mean - 0.1:
            armed = True
        elif armed and v > mean:
            ups.append(t)
            armed = False
    spacing_h = (ups[-1] - ups[0]).total_seconds() / 3600 / (len(ups) - 1)
    assert spacing_h == pytest.approx(12.42, abs=0.1)


def test_salinity_rises_in_the_dry_season_and_rain_falls_in_the_wet() -> None:
    def run(start: datetime, **counts: int) -> list:  # type: ignore[type-arg]
        return Simulation(2, start, small_fleet(2, **counts)).advance(start + timedelta(days=10))

    jan, apr = datetime(2026, 1, 3, tzinfo=TZ), datetime(2026, 4, 10, tzinfo=TZ)
    assert max(values(run(apr, salinity=1), "salinity_ppt")) > 2 * max(
        values(run(jan, salinity=1), "salinity_ppt")
    )
    sep = datetime(2026, 9, 1, tzinfo=TZ)
    assert sum(values(run(sep, rain=14), "rain_mm")) > 10 * (
        1 + sum(values(run(datetime(2026, 2, 1, tzinfo=TZ), rain=14), "rain_mm"))
    )


def test_lighting_on_at_night_off_by_day() -> None:
    sim = Simulation(5, START, small_fleet(5, lighting=20))
    for m, d in docs(sim.advance(START + timedelta(days=2))):
        h = hour_of_day(m.ts)
        if h >= 18.0 or h < 5.5:
            assert d["values"]["lamps_on"] > 0
        elif 6.0 <= h < 17.5:
            assert d["values"]["lamps_on"] == 0
            assert d["values"]["power_kw"] < 0.1


def test_lighting_switch_times() -> None:
    dev = small_fleet(5, lighting=1)[0]
    day = local(START).replace(hour=0)
    assert lighting.is_on(dev, day.replace(hour=19))
    assert not lighting.is_on(dev, day.replace(hour=12))


def test_traffic_has_rush_hours() -> None:
    msgs = Simulation(6, START, small_fleet(6, traffic=14)).advance(START + timedelta(days=1))
    by_hour: dict[int, list[float]] = {}
    for m, d in docs(msgs):
        by_hour.setdefault(local(m.ts).hour, []).append(d["values"]["vehicles_per_min"])
    avg = {h: sum(v) / len(v) for h, v in by_hour.items()}
    assert avg[7] > 3 * avg[3] and avg[17] > 3 * avg[3]
    assert avg[7] > avg[10] and avg[17] > avg[14]


def test_dossiers_only_in_office_hours_mostly_on_time_and_online() -> None:
    sim = Simulation(8, START, small_fleet(8, services=1))
    msgs = sim.advance(START + timedelta(days=14))
    assert msgs
    assert all(in_office_hours(m.ts) for m in msgs)
    resolved = [d["attrs"] for _, d in docs(msgs) if d["type"] == "dossier.resolved"]
    received = [d["attrs"] for _, d in docs(msgs) if d["type"] == "dossier.received"]
    on_time = sum(a["on_time"] for a in resolved) / len(resolved)
    online = sum(a["channel"] == "online" for a in received) / len(received)
    assert 0.96 <= on_time <= 1.0
    assert 0.55 <= online <= 0.75
    assert {a["level"] for a in received} == {3, 4}
    assert all(set(a) >= {"dossier", "procedure", "channel", "level", "due"} for a in received)


def test_event_ids_are_unique_per_source() -> None:
    msgs = Simulation(9, START).advance(START + timedelta(days=3))
    ids = [(m.device, json.loads(m.payload)["id"]) for m in msgs if m.kind == "event"]
    assert len(ids) == len(set(ids))


def test_covid_reports_daily_with_cumulative_counters() -> None:
    msgs = Simulation(10, START, small_fleet(10, covid=1)).advance(START + timedelta(days=30))
    ward = [d["values"] for m, d in docs(msgs) if m.ward == "27697"]
    assert len(ward) == 32  # a report per local midnight, including the day before start
    for a, b in pairwise(ward):
        for k in ("covid_recovered", "covid_deaths", "vaccinated_dose1", "vaccinated_dose2"):
            assert b[k] >= a[k]
        assert b["vaccinated_dose2"] <= b["vaccinated_dose1"]
    assert all(local(m.ts).hour == 0 for m in msgs)
