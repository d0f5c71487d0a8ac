"""Ward choropleth of any metric: continuous scale with its unit, or categories.

Trace order (fixed; the app relies on it):

0. ``wards`` — one ``Choroplethmap``; ``locations`` are ward codes and
   ``customdata[i][0]`` is the code, so ``clickData["points"][0]["customdata"][0]``
   gives the ward to drill into.  Wards without a value are grey with
   "không có dữ liệu": in continuous mode the scale's bottom band is grey and
   missing wards sit in it; in categorical mode "no data" is its own category.
1. ``labels`` — ward names as a text layer.

Layers added later (:mod:`maps.devices`, :mod:`maps.incidents`) come after.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.colors import get_colorscale, qualitative

from maps.base import (
    DEFAULT_VIEW_PX,
    GREY,
    base_figure,
    feature_index,
    label_trace,
    theme,
    ward_name,
)
from vocab.fmt import fmt_number
from vocab.text import t

__all__ = ["categorical_scale", "nice_ticks", "ward_choropleth"]

_NO_DATA_BAND = 0.04  # share of the continuous scale that is the grey "no data" band


def _present(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def categorical_scale(colors: Sequence[str]) -> list[list[float | str]]:
    """A stepped colourscale: class ``i`` of ``n`` fills ``[i/n, (i+1)/n]`` with ``colors[i]``."""
    n = len(colors)
    scale: list[list[float | str]] = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def nice_ticks(vmin: float, vmax: float, most: int = 6) -> tuple[list[float], int]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10ⁿ) inside ``[vmin, vmax]`` and their decimals.

    The smallest round step that gives at most ``most`` ticks.
    """
    span = vmax - vmin
    top = math.floor(math.log10(span))
    steps = sorted(
        (m * 10.0**p, p, m) for p in range(top - 2, top + 2) for m in (1.0, 2.0, 2.5, 5.0)
    )
    for step, power, mult in steps:
        first = math.ceil(vmin / step) * step
        count = math.floor((vmax - first) / step + 1e-9) + 1
        if count <= most:
            ticks = [round(first + k * step, 10) for k in range(count)]
            return ticks, max(0, -power + (1 if mult == 2.5 else 0))
    return [vmin, vmax], 1


def _format_value(v: float | None, unit: str, lang: str, decimals: int) -> str:
    if not _present(v):
        return t("maps.no_data", lang)
    assert v is not None
    return f"{fmt_number(v, decimals, lang)} {unit}".strip()


def _continuous(
    codes: Sequence[str], values: Mapping[str, float | None], colorscale: str, lang: str, unit: str
) -> dict[str, Any]:
    present = [float(values[c]) for c in codes if _present(values.get(c))]  # type: ignore[arg-type]
    if not present:
        return {"z": [0.0] * len(codes), "colorscale": [[0, GREY], [1, GREY]], "showscale": False}
    vmin, vmax = min(present), max(present)
    if vmax == vmin:
        vmax = vmin + 1.0
    missing = len(present) < len(codes)
    band = _NO_DATA_BAND if missing else 0.0
    scale: list[list[float | str]] = [[0.0, GREY], [band, GREY]] if missing else []
    for pos, colour in get_colorscale(colorscale):
        scale.append([band + (1 - band) * float(pos), colour])
    zmin = vmin - band * (vmax - vmin) / (1 - band)
    z = [float(values[c]) if _present(values.get(c)) else zmin for c in codes]  # type: ignore[arg-type]
    ticks, decimals = nice_ticks(vmin, vmax)
    return {
        "z": z,
        "zmin": zmin,
        "zmax": vmax,
        "colorscale": scale,
        "colorbar": {
            "title": {"text": unit, "side": "top"},
            "tickvals": ticks,
            "ticktext": [fmt_number(v, decimals, lang) for v in ticks],
        },
    }


def _categorical(
    codes: Sequence[str],
    categories: Mapping[str, str],
    category_colors: Mapping[str, str] | None,
    lang: str,
) -> dict[str, Any]:
    names = list(category_colors) if category_colors else sorted(set(categories.values()))
    names += sorted({v for v in categories.values() if v not in names})
    palette = qualitative.Set2 + qualitative.Pastel
    colors = [
        (category_colors or {}).get(n) or palette[i % len(palette)] for i, n in enumerate(names)
    ]
    if any(c not in categories for c in codes):
        names.append(t("maps.no_data", lang))
        colors.append(GREY)
    index = {n: i for i, n in enumerate(names)}
    z = [index[categories.get(c, t("maps.no_data", lang))] for c in codes]
    return {
        "z": z,
        "zmin": -0.5,
        "zmax": len(names) - 0.5,
        "colorscale": categorical_scale(colors),
        "colorbar": {"tickvals": list(range(len(names))), "ticktext": names},
    }


def choropleth_trace(
    features: Mapping[str, Any],
    coloring: dict[str, Any],
    customdata: list[list[Any]],
    hovertemplate: str,
    *,
    dark: bool,
) -> go.Choroplethmap:
    """The ``wards`` trace shared by the choropleth and the COVID map."""
    codes = list(feature_index(features))
    colours = theme(dark)
    colorbar = {
        "bgcolor": "rgba(0,0,0,0)",
        "tickfont": {"color": colours["text"]},
        "len": 0.8,
        "thickness": 16,
        **coloring.pop("colorbar", {}),
    }
    return go.Choroplethmap(
        geojson=dict(features),
        featureidkey="properties.code",
        locations=codes,
        customdata=customdata,
        hovertemplate=hovertemplate,
        marker={"line": {"color": colours["line"], "width": 1.2}, "opacity": 0.85},
        colorbar=colorbar,
        showlegend=False,
        name="wards",
        **coloring,
    )


def ward_choropleth(
    features: Mapping[str, Any],
    values: Mapping[str, float | None],
    *,
    metric_label: str,
    unit: str,
    lang: str = "vi",
    colorscale: str = "YlOrRd",
    categories: Mapping[str, str] | None = None,
    category_colors: Mapping[str, str] | None = None,
    title: str | None = None,
    tile_url: str | None = None,
    dark: bool = True,
    decimals: int = 1,
    size_px: tuple[float, float] = DEFAULT_VIEW_PX,
) -> go.Figure:
    """Wards coloured by ``values`` (code → number) or by ``categories`` (code → class name).

    Hover: ward name, ``metric_label`` and the value with ``unit`` in
    Vietnamese number format (English with ``lang="en"``).  ``customdata``
    columns: code, ward name, formatted value.  ``size_px``: the panel's (width, height),
    so the view fits the wards in it.
    """
    props = feature_index(features)
    codes = list(props)
    if categories is not None:
        coloring = _categorical(codes, categories, category_colors, lang)
        shown = [
            _format_value(values.get(c), unit, lang, decimals)
            if _present(values.get(c))
            else categories.get(c, t("maps.no_data", lang))
            for c in codes
        ]
    else:
        coloring = _continuous(codes, values, colorscale, lang, unit)
        shown = [_format_value(values.get(c), unit, lang, decimals) for c in codes]
    customdata = [[c, ward_name(props[c], lang), s] for c, s in zip(codes, shown, strict=True)]
    hover = f"<b>%{{customdata[1]}}</b><br>{metric_label}: %{{customdata[2]}}<extra></extra>"
    fig = base_figure(
        features, title=title, tile_url=tile_url, dark=dark, lang=lang, size_px=size_px
    )
    fig.add_trace(choropleth_trace(features, coloring, customdata, hover, dark=dark))
    fig.add_trace(label_trace(features, lang=lang, dark=dark))
    return fig
