"""The wall's KPI tiles: gather each figure (live state or a cached query) and build its tile.

Air quality: the US EPA AQI (see :mod:`widgets.aqi`) of the mean PM2.5 over the
visible wards' live summaries.  River level: the highest ``water.level_m`` of
the visible wards against the catalogue's warning (báo động I) and alarm levels.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from ioc.contract.catalogue import metric
from ioc.i18n import TZ, fmt_number, fmt_pct, t
from ioc.pages._common import ctx, live_devices, now, query, scope_key
from ioc.pages._figures import live_values
from ioc.store import queries
from vocab.severity import SEVERITIES
from widgets.aqi import AQI_COLORS, aqi_category, aqi_pm25
from widgets.kpi import kpi_tile, kpi_tile_rows

__all__ = ["aqi_value", "local_midnight", "tiles"]


def local_midnight(at: datetime) -> datetime:
    local = at.astimezone(TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _codes(wards: list[str] | None) -> list[str]:
    return wards if wards is not None else [w["code"] for w in ctx().wards()]


def incidents_tile(lang: str, wards: list[str] | None) -> Any:
    counts = query(f"sev:{scope_key(wards)}", queries.incident_severity_counts, wards)
    rows = [
        (t(f"sev.{s}", lang), fmt_number(counts.get(s, 0), 0, lang), f"sev-{s}") for s in SEVERITIES
    ]
    return kpi_tile_rows(t("kpi.incidents", lang), rows, "wall-kpi-incidents")


def devices_tile(lang: str, wards: list[str] | None) -> Any:
    allowed = set(_codes(wards))
    cutoff = time.time() - ctx().settings.app.device_offline_s
    online = offline = 0
    for dev in live_devices().values():
        if dev.get("ward") not in allowed:
            continue
        fresh = float(dev.get("last_seen", 0) or 0) >= cutoff
        if dev.get("online") != "0" and fresh:
            online += 1
        else:
            offline += 1
    state = "ok" if offline == 0 else ("warning" if offline < max(1, online // 10) else "alarm")
    return kpi_tile(
        "wall-kpi-devices",
        t("kpi.devices", lang),
        fmt_number(online, 0, lang),
        detail=f"{fmt_number(offline, 0, lang)} {t('kpi.offline', lang)}",
        state=state,
    )


def aqi_value(ward_pm25: dict[str, float | None]) -> int | None:
    """City AQI from the wards' mean PM2.5 (wards without a value are left out)."""
    pm = [v for v in ward_pm25.values() if v is not None]
    return aqi_pm25(sum(pm) / len(pm)) if pm else None


def aqi_tile(lang: str, wards: list[str] | None) -> Any:
    aqi = aqi_value(live_values(metric("air", "pm25"), _codes(wards)))
    if aqi is None:
        return kpi_tile("wall-kpi-aqi", t("kpi.aqi", lang), "–", detail=t("empty", lang))
    cat = aqi_category(aqi)
    state = {"good": "ok", "moderate": "ok", "usg": "warning"}.get(cat, "alarm")
    return kpi_tile(
        "wall-kpi-aqi", t("kpi.aqi", lang), fmt_number(aqi, 0, lang),
        detail=t(f"aqi.{cat}", lang), state=state, accent=AQI_COLORS[cat],
    )  # fmt: skip


def river_tile(lang: str, wards: list[str] | None) -> Any:
    m = metric("water", "level_m")
    levels = [v for v in live_values(m, _codes(wards)).values() if v is not None]
    if not levels:
        return kpi_tile("wall-kpi-river", t("kpi.river", lang), "–", detail=t("empty", lang))
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


def dossiers_tile(lang: str, wards: list[str] | None) -> Any:
    since = local_midnight(now())
    s = query(f"dossiers:{scope_key(wards)}:{since.date()}", queries.dossier_summary, wards, since)
    rate = 100.0 * s["on_time"] / s["resolved"] if s["resolved"] else None
    return kpi_tile(
        "wall-kpi-dossiers", t("kpi.dossiers", lang), fmt_number(s["received"], 0, lang),
        detail=f"{fmt_pct(rate, 1, lang)} {t('kpi.ontime', lang)}",
    )  # fmt: skip


def reports_tile(lang: str, wards: list[str] | None) -> Any:
    since = now() - timedelta(days=30)
    rows = query(f"reports:{scope_key(wards)}", queries.open_reports, wards, since)
    n = len(rows)
    return kpi_tile(
        "wall-kpi-reports", t("kpi.reports", lang), fmt_number(n, 0, lang),
        state="ok" if n < 20 else "warning",
    )  # fmt: skip


TILES = (
    ("incidents", incidents_tile),
    ("devices", devices_tile),
    ("aqi", aqi_tile),
    ("river", river_tile),
    ("dossiers", dossiers_tile),
    ("reports", reports_tile),
)


def tiles() -> tuple[tuple[str, Any], ...]:
    return TILES
