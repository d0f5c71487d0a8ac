"""City air-quality index from PM2.5, by the US EPA breakpoints (2024 revision).

Vietnam's VN_AQI (Quyết định 1459/QĐ-TCMT) uses the same linear interpolation
between breakpoints on hourly/NowCast concentrations; the EPA table is used
here because it is defined for a single pollutant and documented in one place.
The wall shows the index of the mean PM2.5 over the wards' latest readings.
"""

from __future__ import annotations

__all__ = ["AQI_COLORS", "aqi_category", "aqi_pm25"]

# (C_low, C_high, I_low, I_high) in µg/m³ (24 h, truncated to 0.1)
_PM25: tuple[tuple[float, float, int, int], ...] = (
    (0.0, 9.0, 0, 50),
    (9.1, 35.4, 51, 100),
    (35.5, 55.4, 101, 150),
    (55.5, 125.4, 151, 200),
    (125.5, 225.4, 201, 300),
    (225.5, 325.4, 301, 500),
)
_CATEGORIES = ((50, "good"), (100, "moderate"), (150, "usg"), (200, "unhealthy"), (300, "very"))
AQI_COLORS = {
    "good": "#00e400",
    "moderate": "#ffff00",
    "usg": "#ff7e00",
    "unhealthy": "#ff0000",
    "very": "#8f3f97",
    "hazardous": "#7e0023",
}


def aqi_pm25(concentration: float) -> int:
    """The AQI of a PM2.5 concentration; above the table it is capped at 500."""
    c = max(0.0, int(concentration * 10) / 10)
    for c_lo, c_hi, i_lo, i_hi in _PM25:
        if c <= c_hi:
            return round((i_hi - i_lo) / (c_hi - c_lo) * (max(c, c_lo) - c_lo) + i_lo)
    return 500


def aqi_category(aqi: int) -> str:
    """good | moderate | usg | unhealthy | very | hazardous."""
    for top, name in _CATEGORIES:
        if aqi <= top:
            return name
    return "hazardous"
