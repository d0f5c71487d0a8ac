"""Plotly charts of the control room: rollup time series and daily bars, dark theme."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go

__all__ = ["bar_chart", "dark_layout", "time_series"]

FONT = "DejaVu Sans, Arial, sans-serif"


def dark_layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_dark",
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "size": 13},
        margin={"l": 50, "r": 20, "t": 40 if title else 10, "b": 40},
        title={"text": title} if title else None,
        legend={"orientation": "h", "y": -0.2},
        height=height,
        separators=",.",
    )
    return fig


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
) -> go.Figure:
    """Mean line with a min-max band and dashed warning / alarm levels."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(times), y=list(high), line={"width": 0}, hoverinfo="skip", showlegend=False
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(times),
            y=list(low),
            fill="tonexty",
            line={"width": 0},
            fillcolor="rgba(80,160,255,0.2)",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(x=list(times), y=list(avg), name=name, line={"color": "#4fc3f7", "width": 2})
    )
    for level, color in ((warning, "#ffb300"), (alarm, "#ff5252")):
        if level is not None:
            fig.add_hline(y=level, line={"dash": "dash", "color": color, "width": 1})
    fig.update_yaxes(title_text=unit)
    dark_layout(fig, title)
    fig.update_layout(separators=separators, hovermode="x unified")
    return fig


def bar_chart(
    x: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str | None = None,
    stacked: bool = True,
    target: float | None = None,
    target_label: str = "",
    separators: str = ",.",
) -> go.Figure:
    fig = go.Figure([go.Bar(x=list(x), y=list(ys), name=name) for name, ys in series.items()])
    if target is not None:
        fig.add_hline(
            y=target, line={"dash": "dot", "color": "#ffb300"}, annotation_text=target_label
        )
    dark_layout(fig, title)
    fig.update_layout(barmode="stack" if stacked else "group", separators=separators)
    return fig
