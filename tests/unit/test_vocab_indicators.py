"""Domain indicators: the VN_AQI (Quyết định 1459/QĐ-TCMT) and the COVID-19 epidemic level."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vocab.indicators import (
    AQI_BANDS,
    AQI_COLORS,
    BREAKPOINTS,
    LEVEL_COLORS,
    aqi_band,
    aqi_state,
    area_hourly,
    daily_aqi,
    epidemic_level,
    hourly_aqi,
    nowcast,
    sub_index,
)

concentrations = st.floats(min_value=0, max_value=1000, allow_nan=False)
cases = st.floats(min_value=0, max_value=10_000, allow_nan=False)
coverage = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False)
hourly = st.lists(st.none() | concentrations, min_size=1, max_size=12)


def test_bands_and_colours_of_the_decision() -> None:
    # Quyết định 1459/QĐ-TCMT, Bảng 1: ranges and RGB codes.
    assert [(b.low, b.high) for b in AQI_BANDS] == [
        (0, 50), (51, 100), (101, 150), (151, 200), (201, 300), (301, 500),
    ]  # fmt: skip
    assert list(AQI_COLORS.values()) == [
        "#00e400", "#ffff00", "#ff7e00", "#ff0000", "#8f3f97", "#7e0023",
    ]  # fmt: skip
    assert [aqi_band(i) for i in (0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500)] == [
        "good", "good", "moderate", "moderate", "poor", "poor", "bad", "bad",
        "very_bad", "very_bad", "hazardous", "hazardous",
    ]  # fmt: skip
    assert [aqi_state(b) for b in ("good", "moderate", "poor", "bad", "hazardous")] == [
        "ok", "ok", "warning", "alarm", "alarm",
    ]  # fmt: skip


def test_sub_indices_interpolate_the_breakpoint_table() -> None:
    # Bảng 2 worked by hand: AQI_x = (I_{i+1} - I_i) / (BP_{i+1} - BP_i) * (C - BP_i) + I_i
    assert sub_index("pm25", 25) == 50 and sub_index("pm25", 50) == 100
    assert sub_index("pm25", 500) == 500 and sub_index("pm25", 900) == 500
    assert sub_index("pm10", 100) == 75  # 50/100 * (100 - 50) + 50
    assert sub_index("no2", 450) == 125  # 50/500 * (450 - 200) + 100
    assert sub_index("co", 20_000) == 75  # 50/20000 * (20000 - 10000) + 50
    assert sub_index("o3_1h", 180) == 75  # 50/40 * (180 - 160) + 50
    assert sub_index("so2", 1000) == 225  # 100/800 * (1000 - 800) + 200
    assert sub_index("o3_8h", 150) == 130  # 50/50 * (150 - 120) + 100
    assert sub_index("o3_8h", 500) is None  # past the 8-hour table: the 1-hour value decides
    assert sub_index("pm25", -2) == 0


def test_nowcast_worked_examples() -> None:
    # w* = 40/50 = 0.8 > 1/2: the weighted mean with w = 0.8.
    c = [40.0] + [50.0] * 11
    expected = (40 + 50 * sum(0.8**i for i in range(1, 12))) / sum(0.8**i for i in range(12))
    assert nowcast(c) == pytest.approx(expected) and round(expected, 2) == 47.85
    assert hourly_aqi({"pm25": c}).aqi == 96  # type: ignore[union-attr]  # 2 * (47.85 - 25) + 50
    # w* = 40/80 = 1/2: the decision writes Σ (1/2)^i c_i; within 0.03 % of ours.
    c = [80.0] + [40.0] * 11
    decision = sum(0.5 ** (i + 1) * v for i, v in enumerate(c))
    assert nowcast(c) == pytest.approx(decision, rel=3e-4) and round(decision, 2) == 59.99
    assert hourly_aqi({"pm25": c}).aqi == 117  # type: ignore[union-attr]  # 50/30*(60-50)+100
    # w* below 1/2 is raised to 1/2: a spike in the current hour weighs half.
    assert nowcast([200.0, 10.0]) == pytest.approx((200 + 0.5 * 10) / 1.5)


def test_nowcast_needs_two_of_the_three_latest_hours() -> None:
    assert nowcast([None, 30.0, 30.0, 30.0]) == pytest.approx(30.0)
    assert nowcast([30.0, None, 30.0]) == pytest.approx(30.0)
    assert nowcast([None, None, 30.0, 30.0]) is None
    assert nowcast([30.0]) is None
    assert hourly_aqi({"pm25": [None, None, 30.0], "no2": [450.0]}) is None  # no PM: no index


def test_hourly_aqi_takes_the_largest_sub_index_and_names_it() -> None:
    r = hourly_aqi({"pm25": [30.0, 30.0, 30.0], "pm10": [100.0] * 3, "no2": [450.0], "co": []})
    assert r is not None
    assert r.sub == {"pm25": 60, "pm10": 75, "no2": 125}
    assert (r.aqi, r.band, r.dominant, r.color) == (125, "poor", "no2", "#ff7e00")


def test_daily_aqi_worked_example() -> None:
    o3 = [50.0] * 8 + [150.0] * 8 + [50.0] * 7 + [180.0]  # 8-hour max 150, 1-hour max 180
    day = {"pm25": [45.0] * 24, "pm10": [100.0] * 24, "o3": o3, "no2": [100.0] * 23 + [450.0]}
    r = daily_aqi(day)
    assert r is not None
    # PM2.5 24 h 45 -> 90; PM10 24 h 100 -> 75; NO2 max 1 h 450 -> 125;
    # O3: max(1 h 180 -> 75, 8 h 150 -> 130) = 130.
    assert r.sub == {"pm25": 90, "pm10": 75, "o3": 130, "no2": 125}
    assert (r.aqi, r.dominant, r.band) == (130, "o3", "poor")


def test_daily_pm_needs_eighteen_hours() -> None:
    assert daily_aqi({"pm25": [45.0] * 18 + [None] * 6}).aqi == 90  # type: ignore[union-attr]
    assert daily_aqi({"pm25": [45.0] * 17 + [None] * 7}) is None


def test_area_hourly_is_the_mean_of_the_wards_with_a_value() -> None:
    wards = {"a": {"pm25": [10.0, None, 30.0]}, "b": {"pm25": [20.0, None, None], "no2": [5.0]}}
    assert area_hourly(wards) == {"pm25": [15.0, None, 30.0], "no2": [5.0]}


@given(st.sampled_from(sorted(BREAKPOINTS)), concentrations, concentrations)
def test_sub_index_never_falls_as_concentration_rises(table: str, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    x, y = sub_index(table, lo), sub_index(table, hi)
    if y is not None:
        assert x is not None and 0 <= x <= y <= 500
        assert aqi_band(y) in AQI_COLORS


@given(hourly)
def test_nowcast_lies_between_the_hours_it_weighs(hours: list[float | None]) -> None:
    got = nowcast(hours)
    present = [v for v in hours[:12] if v is not None]
    if got is None:
        assert sum(v is not None for v in hours[:3]) < 2
    else:
        assert min(present) - 1e-9 <= got <= max(present) + 1e-9


@given(cases, cases, coverage)
def test_epidemic_level_rises_with_cases(a: float, b: float, vacc: float | None) -> None:
    lo, hi = sorted((a, b))
    assert 1 <= epidemic_level(lo, vacc) <= epidemic_level(hi, vacc) <= 4


@given(cases, st.floats(min_value=0, max_value=100, allow_nan=False))
def test_low_coverage_raises_by_one_and_unknown_never(per100k: float, vacc: float) -> None:
    base = epidemic_level(per100k, None)
    assert epidemic_level(per100k, math.nan) == base
    assert epidemic_level(per100k, vacc) == (min(4, base + 1) if vacc < 70 else base)
    assert base in LEVEL_COLORS
