"""Plotly charts of the control room: rollup time series and daily bars, dark theme.

The builders return plain figure dicts (``{"data": [...], "layout": {...}}``),
which ``dcc.Graph`` takes as they are.  Building ``plotly.graph_objects`` figures
validated every property and copied the whole dark template on each call: about
30 ms per chart, most of a ward page refresh.  Dates on the time axis are shown
``dd/mm`` and ``HH:MM`` (never month names), numbers with the page's separators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import plotly.io as pio

__all__ = ["Figure", "bar_chart", "dark_layout", "time_series"]

FONT = "DejaVu Sans, Arial, sans-serif"
Figure = dict[str, Any]
# Tick labels by zoom: hours within a day, then day/month; hover always the full date.
_DATE_TICKS = [
    {"dtickrange": [None, 86_400_000], "value": "%H:%M\n%d/%m"},
    {"dtickrange": [86_400_000, None], "value": "%d/%m\n%Y"},
]


@cache
def _dark_template() -> dict[str, Any]:
    template: dict[str, Any] = pio.templates["plotly_dark"].to_plotly_json()
    return template


def dark_layout(
    title: str | None = None, height: int | None = None, separators: str = ",.", **extra: Any
) -> dict[str, Any]:
    """The charts' layout: dark template, transparent background, legend below."""
    layout: dict[str, Any] = {
        "template": _dark_template(),
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 50, "r": 20, "t": 40 if title else 10, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "separators": separators,
    }
    if title:
        layout["title"] = {"text": title}
    if height is not None:
        layout["height"] = height
    layout.update(extra)
    return layout


def _hline(y: float, color: str, dash: str) -> dict[str, Any]:
    return {
        "type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
        "line": {"dash": dash, "color": color, "width": 1},
    }  # fmt: skip


def _stamp(t: datetime) -> str:
    # Plotly.js ignores UTC offsets: the caller passes local times, sent without one.
    return t.strftime("%Y-%m-%d %H:%M:%S")


def time_series(
    times: Sequence[datetime],
    avg: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    name: str,
    unit: str,
    warning: float | None = None,
    alarm: float | None = None,
    title: str | None = None,
    separators: str = ",.",
    height: int | None = None,
) -> Figure:
    """Mean line with a min-max band and dashed warning / alarm levels."""
    x = [_stamp(t) for t in times]
    data = [
        {"type": "scatter", "x": x, "y": list(high), "line": {"width": 0}, "hoverinfo": "skip",
         "showlegend": False},
        {"type": "scatter", "x": x, "y": list(low), "fill": "tonexty", "line": {"width": 0},
         "fillcolor": "rgba(80,160,255,0.2)", "hoverinfo": "skip", "showlegend": False},
        {"type": "scatter", "x": x, "y": list(avg), "name": name,
         "line": {"color": "#4fc3f7", "width": 2}},
    ]  # fmt: skip
    shapes = [
        _hline(level, color, "dash")
        for level, color in ((warning, "#ffb300"), (alarm, "#ff5252"))
        if level is not None
    ]
    layout = dark_layout(
        title, height, separators,
        hovermode="x unified", shapes=shapes,
        xaxis={"type": "date", "tickformatstops": _DATE_TICKS, "hoverformat": "%d/%m/%Y %H:%M"},
        yaxis={"title": {"text": unit}},
    )  # fmt: skip
    return {"data": data, "layout": layout}


def bar_chart(
    x: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str | None = None,
    stacked: bool = True,
    target: float | None = None,
    target_label: str = "",
    separators: str = ",.",
    height: int | None = None,
    **layout: Any,
) -> Figure:
    """Bars per category (already formatted labels such as ``dd/mm``); ``layout`` adds keys."""
    data = [
        {"type": "bar", "x": list(x), "y": list(ys), "name": name} for name, ys in series.items()
    ]
    extra: dict[str, Any] = {"barmode": "stack" if stacked else "group", **layout}
    if target is not None:
        extra["shapes"] = [_hline(target, "#ffb300", "dot")]
        extra["annotations"] = [
            {"text": target_label, "xref": "x domain", "x": 1, "xanchor": "right", "yref": "y",
             "y": target, "yanchor": "bottom", "showarrow": False}
        ]  # fmt: skip
    return {"data": data, "layout": dark_layout(title, height, separators, **extra)}
