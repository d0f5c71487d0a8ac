"""Domain indicators: the city air-quality index and the COVID-19 epidemic level.

Pure rules with their standards' colours, so the wall tiles, the maps and the
simulator tests compute them one way.  Alarm levels of single metrics are on the
metric catalogue (:meth:`ioc.contract.catalogue.Metric.state`).

**AQI** from PM2.5 by the US EPA breakpoints (2024 revision).  Vietnam's VN_AQI
(Quyết định 1459/QĐ-TCMT) uses the same linear interpolation between breakpoints
on hourly/NowCast concentrations; the EPA table is used here because it is defined
for a single pollutant and documented in one place.  The wall shows the index of
the mean PM2.5 over the wards' latest readings (:func:`city_aqi`).

**Epidemic level** (:func:`epidemic_level`), a deliberate simplification of Nghị
quyết 128/NQ-CP (11/10/2021) and Quyết định 4800/QĐ-BYT (12/10/2021): the level
starts from new community cases per 100,000 people per week (below 20 → 1, below
50 → 2, below 150 → 3, otherwise 4) and rises by one, at most to 4, while
vaccination coverage is below the threshold (70 %).  The guidance also weighs
treatment capacity and the share of elderly people vaccinated; those are not
modelled.  Thresholds come from ``Settings.covid`` so the city can change them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

__all__ = [
    "AQI_COLORS",
    "LEVEL_COLORS",
    "AqiCategory",
    "aqi_category",
    "aqi_pm25",
    "aqi_state",
    "city_aqi",
    "epidemic_level",
]

AqiCategory = Literal["good", "moderate", "usg", "unhealthy", "very", "hazardous"]

# (C_low, C_high, I_low, I_high) in µg/m³ (24 h, truncated to 0.1)
_PM25: tuple[tuple[float, float, int, int], ...] = (
    (0.0, 9.0, 0, 50),
    (9.1, 35.4, 51, 100),
    (35.5, 55.4, 101, 150),
    (55.5, 125.4, 151, 200),
    (125.5, 225.4, 201, 300),
    (225.5, 325.4, 301, 500),
)
_CATEGORIES: tuple[tuple[int, AqiCategory], ...] = (
    (50, "good"),
    (100, "moderate"),
    (150, "usg"),
    (200, "unhealthy"),
    (300, "very"),
)
AQI_COLORS: dict[AqiCategory, str] = {
    "good": "#00e400",
    "moderate": "#ffff00",
    "usg": "#ff7e00",
    "unhealthy": "#ff0000",
    "very": "#8f3f97",
    "hazardous": "#7e0023",
}

# The four levels' colours as the resolution names them: green, yellow, orange, red.
LEVEL_COLORS: dict[int, str] = {1: "#22c55e", 2: "#facc15", 3: "#f97316", 4: "#dc2626"}


def aqi_pm25(concentration: float) -> int:
    """The AQI of a PM2.5 concentration; above the table it is capped at 500."""
    c = max(0.0, int(concentration * 10) / 10)
    for c_lo, c_hi, i_lo, i_hi in _PM25:
        if c <= c_hi:
            return round((i_hi - i_lo) / (c_hi - c_lo) * (max(c, c_lo) - c_lo) + i_lo)
    return 500


def aqi_category(aqi: int) -> AqiCategory:
    """good | moderate | usg | unhealthy | very | hazardous."""
    for top, name in _CATEGORIES:
        if aqi <= top:
            return name
    return "hazardous"


def aqi_state(category: AqiCategory) -> Literal["ok", "warning", "alarm"]:
    """The alarm step of an AQI category: good and moderate are fine, "usg" a warning."""
    if category in ("good", "moderate"):
        return "ok"
    return "warning" if category == "usg" else "alarm"


def city_aqi(ward_pm25: Iterable[float | None]) -> int | None:
    """The city's AQI from the wards' mean PM2.5 (wards without a value are left out)."""
    pm = [v for v in ward_pm25 if v is not None]
    return aqi_pm25(sum(pm) / len(pm)) if pm else None


def epidemic_level(
    cases_per_100k_week: float,
    vaccination_pct: float | None,
    thresholds: Sequence[float] = (20.0, 50.0, 150.0),
    vaccination_threshold_pct: float = 70.0,
) -> int:
    """Level 1..4 from weekly cases per 100k, one higher while coverage is under the threshold.

    Unknown coverage (None / NaN) does not raise the level.
    """
    base = 1 + sum(1 for limit in thresholds if cases_per_100k_week >= limit)
    low_cover = (
        vaccination_pct is not None
        and math.isfinite(vaccination_pct)
        and vaccination_pct < vaccination_threshold_pct
    )
    return min(4, base + (1 if low_cover else 0))
