"""Domain indicators: Vietnam's air-quality index (VN_AQI) and the COVID-19 epidemic level.

Pure rules with their standards' colours, so the rules, the wall tiles and the
maps compute them one way.  Alarm steps of single metrics are in the rules file
(:mod:`ioc.rules`).

**VN_AQI** as Quyết định 1459/QĐ-TCMT (12/11/2019, Tổng cục Môi trường) defines it:

* sub-indices by linear interpolation between the breakpoints of its Bảng 2
  (:data:`BREAKPOINTS`, µg/m³): ``AQI_x = (I_{i+1} − I_i) / (BP_{i+1} − BP_i) ·
  (C_x − BP_i) + I_i``, rounded to a whole number;
* the **hourly** AQI (:func:`hourly_aqi`) takes the 1-hour means of O₃, CO,
  SO₂, NO₂ and the **NowCast** of PM2.5 and PM10 over the last 12 hourly means
  (:func:`nowcast`: ``w* = c_min / c_max``, ``w = max(w*, 1/2)``, at least 2 of
  the 3 most recent hours present);
* the **daily** AQI (:func:`daily_aqi`) takes the 24-hour means of PM2.5 and
  PM10, the day's highest 1-hour means of CO, SO₂, NO₂ and O₃, and the day's
  highest 8-hour mean of O₃ (the larger of the two O₃ sub-indices);
* the index is the largest sub-index; its pollutant is the dominant one; at
  least one of PM2.5 and PM10 must be present, or there is no index;
* six bands with the decision's colours (:data:`AQI_BANDS`): 0–50 Tốt (0;228;0),
  51–100 Trung bình (255;255;0), 101–150 Kém (255;126;0), 151–200 Xấu (255;0;0),
  201–300 Rất xấu (143;63;151), 301–500 Nguy hại (126;0;35).

Two choices of ours where the decision is silent or abbreviates: the NowCast is
the weighted mean ``Σ w^(i−1)·c_i / Σ w^(i−1)`` over the hours present for
every ``w`` (with all 12 hours and ``w = 1/2`` the decision writes it as
``Σ (1/2)^i·c_i``, which differs by the factor ``1 − 2⁻¹²``, under 0.03 %, and
would understate the index when hours are missing); a 24-hour mean needs 18 of
the 24 hourly means (75 %), an 8-hour mean 6 of 8.  Concentrations above the
table's top read 500.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AQI_BANDS",
    "AQI_COLORS",
    "AQI_POLLUTANTS",
    "BREAKPOINTS",
    "LEVEL_COLORS",
    "AqiBand",
    "AqiResult",
    "Band",
    "aqi_band",
    "aqi_state",
    "area_hourly",
    "daily_aqi",
    "epidemic_level",
    "hourly_aqi",
    "nowcast",
    "sub_index",
]

AqiBand = Literal["good", "moderate", "poor", "bad", "very_bad", "hazardous"]
# The pollutants of the index, named as the metric catalogue names them (domain "air").
AQI_POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "o3", "co", "so2", "no2")


@dataclass(frozen=True, slots=True)
class Band:
    name: AqiBand
    low: int
    high: int
    color: str  # the decision's RGB as hex


AQI_BANDS: tuple[Band, ...] = (
    Band("good", 0, 50, "#00e400"),  # 0;228;0 xanh
    Band("moderate", 51, 100, "#ffff00"),  # 255;255;0 vàng
    Band("poor", 101, 150, "#ff7e00"),  # 255;126;0 da cam
    Band("bad", 151, 200, "#ff0000"),  # 255;0;0 đỏ
    Band("very_bad", 201, 300, "#8f3f97"),  # 143;63;151 tím
    Band("hazardous", 301, 500, "#7e0023"),  # 126;0;35 nâu
)
AQI_COLORS: dict[AqiBand, str] = {b.name: b.color for b in AQI_BANDS}

# Quyết định 1459/QĐ-TCMT, Bảng 2: the index values I_i and each pollutant's
# breakpoints BP_i in µg/m³.  O₃ 8 h has no breakpoints above I = 300.
_INDEX: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 120, 170, 210, 400),
    "co": (0, 10_000, 30_000, 45_000, 60_000, 90_000, 120_000, 150_000),
    "so2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "no2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "pm25": (0, 25, 50, 80, 150, 250, 350, 500),
}
_NOWCAST_HOURS = 12


@dataclass(frozen=True, slots=True)
class AqiResult:
    """An index, its band, the pollutant that set it, and every pollutant's sub-index."""

    aqi: int
    band: AqiBand
    dominant: str
    sub: dict[str, int]

    @property
    def color(self) -> str:
        return AQI_COLORS[self.band]


def sub_index(table: str, concentration: float) -> int | None:
    """The sub-index of a concentration against ``BREAKPOINTS[table]``, rounded.

    None past the end of a table that stops early (O₃ 8 h above 400 µg/m³: the
    1-hour value decides then); 500 above the top of a full table.
    """
    bps = BREAKPOINTS[table]
    c = max(0.0, concentration)
    for i in range(len(bps) - 1):
        if c <= bps[i + 1]:
            lo, hi = bps[i], bps[i + 1]
            return round((_INDEX[i + 1] - _INDEX[i]) / (hi - lo) * (c - lo) + _INDEX[i])
    return 500 if len(bps) == len(_INDEX) else None


def aqi_band(aqi: int) -> AqiBand:
    """good | moderate | poor | bad | very_bad | hazardous."""
    for band in AQI_BANDS:
        if aqi <= band.high:
            return band.name
    return "hazardous"


def aqi_state(band: AqiBand) -> Literal["ok", "warning", "alarm"]:
    """The alarm step of a band: Tốt and Trung bình are fine, Kém a warning, worse an alarm."""
    if band in ("good", "moderate"):
        return "ok"
    return "warning" if band == "poor" else "alarm"


def _present(values: Sequence[float | None]) -> list[tuple[int, float]]:
    return [
        (i, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(float(v))
    ]


def nowcast(hourly: Sequence[float | None]) -> float | None:
    """The NowCast of PM2.5 or PM10 from hourly means, the current hour first.

    Uses the 12 most recent hours; None unless at least 2 of the 3 most recent
    are present (Quyết định 1459/QĐ-TCMT).
    """
    hours = list(hourly[:_NOWCAST_HOURS])
    if len(_present(hours[:3])) < 2:
        return None
    present = _present(hours)
    cmax = max(c for _, c in present)
    cmin = min(c for _, c in present)
    w = 1.0 if cmax <= 0 else max(cmin / cmax, 0.5)
    weights = [w**i for i, _ in present]
    return sum(wt * c for wt, (_, c) in zip(weights, present, strict=True)) / sum(weights)


def _combine(subs: dict[str, int]) -> AqiResult | None:
    if not subs or not ({"pm25", "pm10"} & subs.keys()):
        return None  # the decision requires PM2.5 or PM10
    # Ties go to the first pollutant in AQI_POLLUTANTS order (particulates first).
    dominant = max(subs, key=lambda p: (subs[p], -AQI_POLLUTANTS.index(p)))
    aqi = subs[dominant]
    return AqiResult(aqi, aqi_band(aqi), dominant, dict(subs))


def hourly_aqi(hourly: Mapping[str, Sequence[float | None]]) -> AqiResult | None:
    """The hourly VN_AQI from each pollutant's hourly means, the current hour first.

    PM2.5 and PM10 are judged by their NowCast (up to 12 hours); the gases by
    the current hour's mean (O₃ against its 1-hour table).  Pollutants without a
    value are left out.
    """
    subs: dict[str, int] = {}
    for p in AQI_POLLUTANTS:
        series = hourly.get(p)
        if not series:
            continue
        if p in ("pm25", "pm10"):
            c = nowcast(series)
        else:
            c = series[0] if series[0] is not None and math.isfinite(series[0]) else None
        idx = None if c is None else sub_index("o3_1h" if p == "o3" else p, c)
        if idx is not None:
            subs[p] = idx
    return _combine(subs)


def _mean_of(values: Sequence[float | None], need: int) -> float | None:
    got = [c for _, c in _present(values)]
    return sum(got) / len(got) if len(got) >= need else None


def daily_aqi(day: Mapping[str, Sequence[float | None]]) -> AqiResult | None:
    """The daily VN_AQI from each pollutant's 24 hourly means of the day (in time order).

    PM2.5 and PM10 by their 24-hour mean (18 of 24 hours needed); CO, SO₂, NO₂
    by the day's highest hourly mean; O₃ by the larger of the sub-indices of its
    highest hourly mean and of its highest 8-hour mean.
    """
    subs: dict[str, int] = {}
    for p in AQI_POLLUTANTS:
        series = list(day.get(p, ()))
        present = [c for _, c in _present(series)]
        if not present:
            continue
        idx: int | None
        if p in ("pm25", "pm10"):
            mean = _mean_of(series, 18)
            idx = None if mean is None else sub_index(p, mean)
        elif p == "o3":
            one = sub_index("o3_1h", max(present))
            eights = [_mean_of(series[i : i + 8], 6) for i in range(max(1, len(series) - 7))]
            best8 = max((m for m in eights if m is not None), default=None)
            eight = None if best8 is None else sub_index("o3_8h", best8)
            idx = one if eight is None or one is None else max(one, eight)
        else:
            idx = sub_index(p, max(present))
        if idx is not None:
            subs[p] = idx
    return _combine(subs)


def area_hourly(
    wards: Mapping[str, Mapping[str, Sequence[float | None]]],
) -> dict[str, list[float | None]]:
    """An area's hourly means from its wards': per pollutant and hour, the mean of the wards
    that have a value (an hour no ward has stays None).  The wall's city AQI is the
    :func:`hourly_aqi` of these."""
    out: dict[str, list[float | None]] = {}
    for p in AQI_POLLUTANTS:
        series = [s[p] for s in wards.values() if p in s]
        if not series:
            continue
        merged: list[float | None] = []
        for hour in range(max(len(s) for s in series)):
            vals = [c for s in series if hour < len(s) for c in [s[hour]] if c is not None]
            merged.append(sum(vals) / len(vals) if vals else None)
        out[p] = merged
    return out


# The four levels' colours as the resolution names them: green, yellow, orange, red.
LEVEL_COLORS: dict[int, str] = {1: "#22c55e", 2: "#facc15", 3: "#f97316", 4: "#dc2626"}


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
