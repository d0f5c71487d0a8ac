"""The ward map of a metric and the metric choices the pages share, drawn by :mod:`maps`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ioc.contract.catalogue import CATALOGUE, Metric
from ioc.incident_text import title
from ioc.store.records import IncidentRow
from maps.base import DEFAULT_VIEW_PX
from maps.incidents import incident_layer
from maps.wards_figure import ward_choropleth
from vocab.indicators import AQI_BANDS, aqi_band, sub_index
from vocab.text import t

__all__ = [
    "DEFAULT_METRIC",
    "aqi_coloring",
    "domain_options",
    "metric_options",
    "parse_metric",
    "ward_metric_map",
]

DEFAULT_METRIC = "air.pm25"


def parse_metric(value: str | None) -> tuple[str, str, Metric]:
    """``"air.pm25"`` -> ("air", "pm25", Metric); anything unknown gives the default."""
    dom, _, name = (value or DEFAULT_METRIC).partition(".")
    domain = CATALOGUE.get(dom)
    if domain is None or name not in domain.metrics:
        dom, _, name = DEFAULT_METRIC.partition(".")
        domain = CATALOGUE[dom]
    return dom, name, domain.metrics[name]


def metric_options(domain: str, lang: str) -> list[dict[str, str]]:
    d = CATALOGUE[domain]
    return [{"label": m.label(lang), "value": f"{domain}.{m.name}"} for m in d.metrics.values()]


def domain_options(lang: str) -> list[dict[str, str]]:
    return [
        {"label": d.label(lang), "value": d.name}
        for d in CATALOGUE.values()
        if d.kind == "telemetry"
    ]


def aqi_coloring(values: Mapping[str, float | None], m: Metric, lang: str) -> dict[str, Any]:
    """PM2.5 and PM10 wards in the VN_AQI band of their value's sub-index (Quyết định
    1459/QĐ-TCMT), every band named in the legend; other metrics keep the continuous scale."""
    if m.name not in ("pm25", "pm10"):
        return {}
    names = {b.name: f"{t(f'aqi.{b.name}', lang)} ({b.low}–{b.high})" for b in AQI_BANDS}
    categories = {}
    for code, v in values.items():
        idx = None if v is None else sub_index(m.name, v)
        if idx is not None:
            categories[code] = names[aqi_band(idx)]
    return {
        "categories": categories,
        "category_colors": {names[b.name]: b.color for b in AQI_BANDS},
    }


def ward_metric_map(
    features: Mapping[str, Any],
    values: dict[str, float | None],
    m: Metric,
    lang: str,
    incidents: Sequence[IncidentRow] = (),
    *,
    tile_url: str | None = None,
    size_px: tuple[float, float] = DEFAULT_VIEW_PX,
    label_size: int | None = None,
) -> go.Figure:
    """The ward map of ``m`` with the located ``incidents``; ``size_px`` is the panel it is
    drawn in (CSS px at 1920x1080), ``label_size`` enlarges the ward names (the wall is read
    from across the room)."""
    fig = ward_choropleth(
        features,
        values,
        metric_label=m.label(lang),
        unit=m.unit,
        lang=lang,
        tile_url=tile_url,
        size_px=size_px,
        **aqi_coloring(values, m, lang),
    )
    if label_size is not None:
        fig.update_traces(textfont_size=label_size, selector={"name": "labels"})
        fig.update_traces(colorbar_tickfont_size=label_size, selector={"name": "wards"})
    located = [
        {
            "id": i.id,
            "lat": i.lat,
            "lon": i.lon,
            "severity": i.severity,
            "title": title(i.cause, i.title, lang, value=i.current_value),
        }
        for i in incidents
        if i.lat is not None and i.lon is not None
    ]
    if located:
        incident_layer(fig, pd.DataFrame(located), lang)
    fig.update_layout(uirevision="keep", meta={"empty": t("empty", lang)})
    return fig
