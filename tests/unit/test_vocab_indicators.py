"""Domain indicators: the AQI from PM2.5 and the COVID-19 epidemic level, as rules."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from vocab.indicators import (
    AQI_COLORS,
    LEVEL_COLORS,
    aqi_category,
    aqi_pm25,
    aqi_state,
    city_aqi,
    epidemic_level,
)

concentrations = st.floats(min_value=0, max_value=1000, allow_nan=False)
cases = st.floats(min_value=0, max_value=10_000, allow_nan=False)
coverage = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False)


def test_aqi_breakpoints_and_categories() -> None:
    assert [aqi_pm25(c) for c in (0, 9.0, 9.1, 35.4, 35.5, 55.4, 125.4, 225.4, 325.4)] == [
        0, 50, 51, 100, 101, 150, 200, 300, 500,
    ]  # fmt: skip
    assert aqi_pm25(42.0) == 117 and aqi_pm25(1000) == 500 and aqi_pm25(-3) == 0
    assert [aqi_category(i) for i in (50, 51, 101, 151, 201, 301)] == [
        "good", "moderate", "usg", "unhealthy", "very", "hazardous",
    ]  # fmt: skip
    assert [aqi_state(c) for c in ("good", "moderate", "usg", "unhealthy", "hazardous")] == [
        "ok", "ok", "warning", "alarm", "alarm",
    ]  # fmt: skip


@given(concentrations, concentrations)
def test_aqi_never_falls_as_pm25_rises(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert 0 <= aqi_pm25(lo) <= aqi_pm25(hi) <= 500
    assert aqi_category(aqi_pm25(hi)) in AQI_COLORS


def test_city_aqi_is_the_aqi_of_the_mean_of_known_wards() -> None:
    assert city_aqi([]) is None and city_aqi([None, None]) is None
    assert city_aqi([42.0, 18.0, None]) == aqi_pm25(30.0) == 90


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
