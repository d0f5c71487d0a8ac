"""The COVID-19 map: wards coloured by Vietnam's four epidemic levels.

:func:`epidemic_level` is a deliberate simplification of Nghị quyết
128/NQ-CP (11/10/2021) and Quyết định 4800/QĐ-BYT (12/10/2021): the level
starts from new community cases per 100,000 people per week (below 20 → 1,
below 50 → 2, below 150 → 3, otherwise 4) and rises by one, at most to 4,
while vaccination coverage is below the threshold (70 %).  The guidance also
weighs treatment capacity and the share of elderly people vaccinated; those
are not modelled.  Thresholds come from ``Settings.covid`` so the city can
change them.

Trace order: 0 ``wards`` (levels, categorical), 1 ``labels``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from maps.base import DEFAULT_VIEW_PX, base_figure, feature_index, label_trace, ward_name
from maps.format import number
from maps.labels import t
from maps.wards_figure import categorical_scale, choropleth_trace

__all__ = ["LEVEL_COLORS", "LEVEL_NAMES", "LEVEL_SHORT", "covid_map", "epidemic_level"]

LEVEL_COLORS: dict[int, str] = {1: "#22c55e", 2: "#facc15", 3: "#f97316", 4: "#dc2626"}
LEVEL_NAMES: dict[str, dict[int, str]] = {
    "vi": {
        1: "Cấp 1 – Nguy cơ thấp (xanh)",
        2: "Cấp 2 – Nguy cơ trung bình (vàng)",
        3: "Cấp 3 – Nguy cơ cao (cam)",
        4: "Cấp 4 – Nguy cơ rất cao (đỏ)",
    },
    "en": {
        1: "Level 1 – Low risk (green)",
        2: "Level 2 – Medium risk (yellow)",
        3: "Level 3 – High risk (orange)",
        4: "Level 4 – Very high risk (red)",
    },
}

# The colour bar's labels: short, so the legend stays a slim strip under the map.
LEVEL_SHORT: dict[str, dict[int, str]] = {
    "vi": {1: "Cấp 1", 2: "Cấp 2", 3: "Cấp 3", 4: "Cấp 4"},
    "en": {1: "Level 1", 2: "Level 2", 3: "Level 3", 4: "Level 4"},
}


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


def _fmt(v: Any, lang: str, suffix: str = "") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return t("maps.no_data", lang)
    return number(float(v), lang, 1) + suffix


def covid_map(
    features: Mapping[str, Any],
    table: pd.DataFrame,
    lang: str = "vi",
    *,
    title: str | None = None,
    tile_url: str | None = None,
    dark: bool = True,
    size_px: tuple[float, float] = DEFAULT_VIEW_PX,
) -> go.Figure:
    """Wards coloured by ``table.level`` (columns code, cases_per_100k_week, vaccination_pct, level).

    All four levels always appear in the legend, so it is stable from day to day;
    wards missing from ``table`` are grey.  The legend is a slim horizontal colour
    bar along the bottom with short labels ("Cấp 1"); the hover names the level in full.
    ``size_px``: the panel's (width, height), so the view fits the wards in it.
    """
    props = feature_index(features)
    codes = list(props)
    rows = {str(r["code"]): r for r in table.to_dict("records")}
    names = LEVEL_NAMES["en" if lang == "en" else "vi"]
    no_data = t("maps.no_data", lang)
    labels = [*LEVEL_SHORT["en" if lang == "en" else "vi"].values(), no_data]
    colors = [*LEVEL_COLORS.values(), "#6b7280"]
    z, customdata = [], []
    for c in codes:
        r = rows.get(c)
        level = int(r["level"]) if r is not None and pd.notna(r.get("level")) else None
        z.append(level - 1 if level in LEVEL_COLORS else 4)
        customdata.append(
            [
                c,
                ward_name(props[c], lang),
                _fmt(r.get("cases_per_100k_week") if r else None, lang),
                _fmt(r.get("vaccination_pct") if r else None, lang, " %"),
                names.get(level, no_data) if level else no_data,
            ]
        )
    coloring = {
        "z": z,
        "zmin": -0.5,
        "zmax": len(labels) - 0.5,
        "colorscale": categorical_scale(colors),
        "colorbar": {
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": 0.01,
            "yanchor": "bottom",
            "len": 0.7,
            "thickness": 12,
            "bgcolor": "rgba(11,18,32,0.75)",
            "ticks": "",
        },
    }
    hover = (
        "<b>%{customdata[1]}</b><br>"
        f"{t('covid.cases', lang)}: %{{customdata[2]}}<br>"
        f"{t('covid.vaccination', lang)}: %{{customdata[3]}}<br>"
        f"{t('covid.level', lang)}: %{{customdata[4]}}<extra></extra>"
    )
    fig = base_figure(
        features,
        title=title if title is not None else t("covid.title", lang),
        tile_url=tile_url,
        dark=dark,
        lang=lang,
        size_px=(size_px[0], size_px[1] - 60),  # the legend strip along the bottom
    )
    fig.add_trace(choropleth_trace(features, coloring, customdata, hover, dark=dark))
    fig.add_trace(label_trace(features, lang=lang, dark=dark))
    return fig
