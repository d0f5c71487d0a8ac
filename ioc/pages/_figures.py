"""Map figures for the pages, drawn by :mod:`maps` from the app's boundaries and live state."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ioc.contract.catalogue import CATALOGUE, Metric
from ioc.errors import ServiceUnavailable
from ioc.i18n import t
from ioc.pages._common import ctx, now, query
from ioc.store import queries
from maps.base import DEFAULT_VIEW_PX
from maps.incidents import incident_layer
from maps.wards_figure import ward_choropleth

__all__ = ["DEFAULT_METRIC", "metric_options", "parse_metric", "ward_metric_map"]

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
    return [
        {"label": m.label_en if lang == "en" else m.label_vi, "value": f"{domain}.{m.name}"}
        for m in d.metrics.values()
    ]


def domain_options(lang: str) -> list[dict[str, str]]:
    return [
        {"label": d.label_en if lang == "en" else d.label_vi, "value": d.name}
        for d in CATALOGUE.values()
        if d.kind == "telemetry"
    ]


def live_values(m: Metric, codes: list[str]) -> dict[str, float | None]:
    """ward -> live value of ``m`` combined the catalogue's way (avg, sum or max).

    Without Redis, the last hour from the minute rollup stands in (the header
    tells the operator live data is unavailable).
    """
    try:
        sums = ctx().live.ward_summaries(codes)
    except ServiceUnavailable:
        agg = "max" if m.ward_agg == "max" else "avg"
        key = f"lastHour:{m.name}:{agg}:{','.join(sorted(codes))}"
        got = query(key, queries.ward_metric_window, m.name, "hour", now(), codes, agg)
        return {c: got.get(c) for c in codes}
    return {c: (sums[c][m.name][m.ward_agg] if m.name in sums.get(c, {}) else None) for c in codes}


def ward_metric_map(
    values: dict[str, float | None],
    m: Metric,
    lang: str,
    incidents: list[dict[str, Any]] | None = None,
    *,
    size_px: tuple[float, float] = DEFAULT_VIEW_PX,
    label_size: int | None = None,
) -> go.Figure:
    """The ward map of ``m``; ``size_px`` is the panel it is drawn in (CSS px at 1920x1080),
    ``label_size`` enlarges the ward names (the wall is read from across the room)."""
    fig = ward_choropleth(
        ctx().features(),
        values,
        metric_label=m.label_en if lang == "en" else m.label_vi,
        unit=m.unit,
        lang=lang,
        tile_url=ctx().settings.app.tile_url,
        size_px=size_px,
    )
    if label_size is not None:
        fig.update_traces(textfont_size=label_size, selector={"name": "labels"})
        fig.update_traces(colorbar_tickfont_size=label_size, selector={"name": "wards"})
    located = [i for i in incidents or [] if i.get("lat") is not None and i.get("lon") is not None]
    if located:
        frame = pd.DataFrame(located)[["id", "lat", "lon", "severity", "title"]]
        incident_layer(fig, frame)
    fig.update_layout(uirevision="keep", meta={"empty": t("empty", lang)})
    return fig
