"""The COVID-19 map: wards coloured by Vietnam's four epidemic levels.

The level of each ward comes from :func:`vocab.indicators.epidemic_level` (the
caller computes the table); this module only draws it, in the levels' own colours.

Trace order: 0 ``wards`` (levels, categorical), 1 ``labels``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from maps.base import DEFAULT_VIEW_PX, base_figure, feature_index, label_trace, ward_name
from maps.wards_figure import categorical_scale, choropleth_trace
from vocab.fmt import fmt_number
from vocab.indicators import LEVEL_COLORS
from vocab.text import t

__all__ = ["covid_map"]


def _fmt(v: Any, lang: str, suffix: str = "") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return t("maps.no_data", lang)
    return fmt_number(float(v), 1, lang) + suffix


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
    no_data = t("maps.no_data", lang)
    # The colour bar's labels are short ("Cấp 1"), so the legend stays a slim strip.
    labels = [*(t("covid.level", lang, n=n) for n in LEVEL_COLORS), no_data]
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
                t(f"covid.level.{level}", lang) if level in LEVEL_COLORS else no_data,
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
        f"{t('maps.covid.cases', lang)}: %{{customdata[2]}}<br>"
        f"{t('maps.covid.vaccination', lang)}: %{{customdata[3]}}<br>"
        f"{t('maps.covid.level', lang)}: %{{customdata[4]}}<extra></extra>"
    )
    fig = base_figure(
        features,
        title=title if title is not None else t("maps.covid.title", lang),
        tile_url=tile_url,
        dark=dark,
        lang=lang,
        size_px=(size_px[0], size_px[1] - 60),  # the legend strip along the bottom
    )
    fig.add_trace(choropleth_trace(features, coloring, customdata, hover, dark=dark))
    fig.add_trace(label_trace(features, lang=lang, dark=dark))
    return fig
