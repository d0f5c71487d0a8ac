"""Incident markers and citizen-report points layered on the wards.

Each function appends one ``Scattermap`` trace: ``incidents`` (larger
markers coloured by severity, hover with the title) and ``reports`` (small
points coloured by status).  ``customdata[i][0]`` is the id for drill-down.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from vocab.safe_text import plotly_text
from vocab.text import t

__all__ = ["REPORT_COLORS", "SEVERITY_COLORS", "incident_layer", "report_layer"]

SEVERITY_COLORS: dict[str, str] = {
    "low": "#38bdf8",
    "medium": "#f59e0b",
    "high": "#f97316",
    "critical": "#dc2626",
}
SEVERITY_SIZE = {"low": 12, "medium": 14, "high": 17, "critical": 20}
REPORT_COLORS: dict[str, str] = {
    "new": "#c084fc",
    "in_progress": "#60a5fa",
    "resolved": "#4ade80",
    "rejected": "#9ca3af",
}


def _points(
    fig: go.Figure,
    frame: pd.DataFrame,
    columns: tuple[str, str, str],
    marker: dict[str, object],
    hovertemplate: str,
    name: str,
) -> go.Figure:
    # Titles and categories come from the field: Plotly would render markup in them.
    customdata = list(
        zip(*([plotly_text(v) for v in frame[c].astype(str)] for c in columns), strict=True)
    )
    fig.add_trace(
        go.Scattermap(
            lon=frame["lon"].astype(float).tolist(),
            lat=frame["lat"].astype(float).tolist(),
            mode="markers",
            marker=marker,
            customdata=customdata,
            hovertemplate=hovertemplate,
            name=name,
            showlegend=True,
        )
    )
    return fig


def incident_layer(fig: go.Figure, incidents: pd.DataFrame, lang: str = "vi") -> go.Figure:
    """Append the ``incidents`` trace; columns id, lat, lon, severity, title."""
    severity = incidents["severity"].astype(str).tolist()
    marker: dict[str, object] = {
        "size": [SEVERITY_SIZE.get(s, 14) for s in severity],
        "color": [SEVERITY_COLORS.get(s, "#dc2626") for s in severity],
        "opacity": 0.95,
    }
    hover = (
        f"<b>{t('maps.incident', lang)}: %{{customdata[1]}}</b><br>"
        f"{t('maps.severity', lang)}: %{{customdata[2]}}<br>#%{{customdata[0]}}<extra></extra>"
    )
    columns = ("id", "title", "severity")
    return _points(fig, incidents, columns, marker, hover, t("maps.incident", lang))


def report_layer(fig: go.Figure, reports: pd.DataFrame, lang: str = "vi") -> go.Figure:
    """Append the ``reports`` trace; columns id, lat, lon, category, status."""
    marker: dict[str, object] = {
        "size": 7,
        "color": [REPORT_COLORS.get(s, "#c084fc") for s in reports["status"].astype(str)],
        "opacity": 0.9,
    }
    hover = (
        f"<b>{t('maps.report', lang)}</b> #%{{customdata[0]}}<br>"
        f"{t('maps.category', lang)}: %{{customdata[1]}}<br>"
        f"{t('maps.status', lang)}: %{{customdata[2]}}<extra></extra>"
    )
    columns = ("id", "category", "status")
    return _points(fig, reports, columns, marker, hover, t("maps.report", lang))
