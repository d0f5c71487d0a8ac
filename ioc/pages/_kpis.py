"""The wall's KPI tiles: each asks the read model for its figure and builds its tile.

Air quality: the hourly VN_AQI (Quyết định 1459/QĐ-TCMT, :func:`vocab.indicators.hourly_aqi`,
NowCast for PM2.5 and PM10) of the visible wards' hourly means from the hourly rollup,
averaged over the wards hour by hour; the tile names the band and the dominant pollutant.  River level: the highest ``water.level_m``
of the visible wards against the catalogue's warning (báo động I) and alarm levels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ioc.contract.catalogue import metric
from ioc.pages._common import read
from ioc.store import air, queries
from vocab.fmt import MISSING, TZ, fmt_number, fmt_pct
from vocab.indicators import aqi_state, area_hourly, hourly_aqi
from vocab.severity import SEVERITIES
from vocab.states import is_up
from vocab.text import t
from widgets.kpi import kpi_tile, kpi_tile_rows

__all__ = ["local_midnight", "tiles"]

Wards = list[str] | None


def local_midnight(at: datetime) -> datetime:
    local = at.astimezone(TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def incidents_tile(lang: str, wards: Wards) -> Any:
    # Under the incidents revision: an acknowledgement moves the counts on every wall at once.
    counts = read().incident_query(queries.incident_severity_counts, wards)
    rows = [
        (t(f"sev.{s}", lang), fmt_number(counts.get(s, 0), 0, lang), f"sev-{s}") for s in SEVERITIES
    ]
    return kpi_tile_rows(t("kpi.incidents", lang), rows, "wall-kpi-incidents")


def devices_tile(lang: str, wards: Wards) -> Any:
    """Devices reporting on time, and how many are late, offline or without data: each
    feed judged by its own cadence, so a daily report is not offline at noon."""
    counts = read().device_counts(read().ward_codes(wards))
    up = sum(n for s, n in counts.items() if is_up(s))
    late, offline = counts.get("late", 0), counts.get("offline", 0)
    state = "ok" if offline == 0 else ("warning" if offline < max(1, up // 10) else "alarm")
    if state == "ok" and late:
        state = "warning"
    detail = f"{fmt_number(offline, 0, lang)} {t('kpi.offline', lang)}"
    if late:
        detail += f" · {fmt_number(late, 0, lang)} {t('kpi.late', lang)}"
    return kpi_tile(
        "wall-kpi-devices", t("kpi.devices", lang), fmt_number(up, 0, lang), detail=detail,
        state=state,
    )  # fmt: skip


def aqi_tile(lang: str, wards: Wards) -> Any:
    hourly = read().query(air.ward_air_hourly, wards, read().now())
    result = hourly_aqi(area_hourly(hourly))
    if result is None:
        return kpi_tile("wall-kpi-aqi", t("kpi.aqi", lang), MISSING, detail=t("empty", lang))
    dominant = metric("air", result.dominant).label(lang)
    return kpi_tile(
        "wall-kpi-aqi", t("kpi.aqi", lang), fmt_number(result.aqi, 0, lang),
        detail=f"{t(f'aqi.{result.band}', lang)} · {t('aqi.dominant', lang, p=dominant)}",
        state=aqi_state(result.band), accent=result.color,
    )  # fmt: skip


def river_tile(lang: str, wards: Wards) -> Any:
    m = metric("water", "level_m")
    levels = [v for v in read().ward_values(m, read().ward_codes(wards)).values() if v is not None]
    if not levels:
        return kpi_tile("wall-kpi-river", t("kpi.river", lang), MISSING, detail=t("empty", lang))
    level = max(levels)
    state = m.state(level)
    key = {"ok": "river.normal", "warning": "river.warning", "alarm": "river.alarm"}[state]
    # No-break spaces keep "I 1,65 / II 1,85 m" together when the tile is narrow.
    nb = "\u00a0"
    detail = (
        f"{t(key, lang)} · I{nb}{fmt_number(m.warning, 2, lang)}{nb}/{nb}"
        f"II{nb}{fmt_number(m.alarm, 2, lang)}{nb}m"
    )
    return kpi_tile(
        "wall-kpi-river", t("kpi.river", lang), f"{fmt_number(level, 2, lang)} m",
        detail=detail, state=state,
    )  # fmt: skip


def dossiers_tile(lang: str, wards: Wards) -> Any:
    s = read().query(queries.dossier_summary, wards, local_midnight(read().now()))
    return kpi_tile(
        "wall-kpi-dossiers", t("kpi.dossiers", lang), fmt_number(s.received, 0, lang),
        detail=f"{fmt_pct(s.on_time_pct, 1, lang)} {t('kpi.ontime', lang)}",
    )  # fmt: skip


def reports_tile(lang: str, wards: Wards) -> Any:
    rows = read().query(queries.open_reports, wards, read().now() - timedelta(days=30))
    n = len(rows)
    return kpi_tile(
        "wall-kpi-reports", t("kpi.reports", lang), fmt_number(n, 0, lang),
        state="ok" if n < 20 else "warning",
    )  # fmt: skip


TILES: tuple[tuple[str, Callable[[str, Wards], Any]], ...] = (
    ("incidents", incidents_tile),
    ("devices", devices_tile),
    ("aqi", aqi_tile),
    ("river", river_tile),
    ("dossiers", dossiers_tile),
    ("reports", reports_tile),
)


def tiles() -> tuple[tuple[str, Callable[[str, Wards], Any]], ...]:
    return TILES
