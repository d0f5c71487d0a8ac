"""Wall display (``/``): ward map, KPI tiles, incident ticker; kiosk mode via ``?kiosk=1``.

Every panel refreshes when the live version moves (``ioc-version``), so the
wall trails ingest by at most one poll interval.  ``?metric=air.pm25`` picks
the map's metric.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

import dash
from dash import Dash, Input, Output, State, dcc, html

from ioc.pages._common import (
    callback,
    ctx,
    lang,
    page_title,
    panel_error,
    read,
    safe_panel,
    scope,
    ward_names,
)
from ioc.pages._figures import parse_metric, ward_metric_map
from ioc.pages._kpis import tiles
from ioc.store import queries
from ioc.store.records import IncidentRow
from vocab.fmt import fmt_time
from vocab.text import t
from widgets.panel import panel
from widgets.tables import ticker

P = "wall"
# The map panel at 1920x1080 (CSS px; a 4K wall draws the same layout at twice the size).
MAP_PX = (1380, 720)


def layout(**params: Any) -> html.Div:
    metric = str(params.get("metric", ""))
    return html.Div(
        [
            html.Div(id=f"{P}-kpis", className="kpi-row"),
            html.Div(
                [
                    panel(
                        None,
                        dcc.Graph(
                            id=f"{P}-map", config={"displayModeBar": False, "responsive": True},
                            className="wall-map-graph", style={"height": "100%"},
                        ),
                        html.Div(id=f"{P}-map-error"),
                        title_id=f"{P}-map-title", kind="wall-map",
                    ),
                    panel(None, html.Div(id=f"{P}-incidents"), title_id=f"{P}-incidents-title",
                          kind="wall-side"),
                ],
                className="wall-body",
            ),
            html.Div(id=f"{P}-ticker", className="wall-ticker"),
            dcc.Store(id=f"{P}-metric", data=metric),
            dcc.Store(id=f"{P}-map-key"),
            dcc.Store(id=f"{P}-scale", data=1.0),
        ],
        className="wall",
    )  # fmt: skip


def _incident_items(language: str, rows: Sequence[IncidentRow]) -> list[tuple[str, str, str]]:
    names = ward_names(language)
    return [
        (r.severity, fmt_time(r.opened_at), f"{r.title} · {names.get(r.ward_code or '', '')}")
        for r in rows
    ]


def _active(wards: list[str] | None) -> list[IncidentRow]:
    return read().query(queries.incidents, wards, active_only=True)


def register_callbacks(app: Dash) -> None:
    # A 4K wall at device scale 1 has twice the CSS pixels: the map's view and type grow with it.
    app.clientside_callback(  # type: ignore[no-untyped-call]  # Dash's own method is untyped
        "function(_m) { return Math.round(100 * window.innerWidth / 1920) / 100; }",
        Output(f"{P}-scale", "data"),
        Input(f"{P}-metric", "data"),
    )

    @callback(app, Output(f"{P}-kpis", "children"), Input("ioc-version", "data"))
    def kpis(_version: int | None) -> list[Any]:
        language, wards = lang(), scope()
        return [safe_panel(name, partial(f, language, wards), language) for name, f in tiles()]

    @callback(
        app,
        Output(f"{P}-map", "figure"),
        Output(f"{P}-map-error", "children"),
        Output(f"{P}-map-title", "children"),
        Output(f"{P}-map-key", "data"),
        Input("ioc-version", "data"),
        Input(f"{P}-scale", "data"),
        State(f"{P}-metric", "data"),
        State(f"{P}-map-key", "data"),
    )
    def wall_map(
        _version: int | None, scale: float | None, metric: str | None, drawn: str | None
    ) -> tuple[Any, ...]:
        language, wards = lang(), scope()
        _, _, m = parse_metric(metric)
        title = f"{m.label(language)} ({m.unit})"
        try:
            active = _active(wards)
            values = read().ward_values(m, read().ward_codes(wards))
            # Redraw only when what the map shows changed: a MapLibre redraw is the
            # costliest thing on a wall browser and would delay the KPI tiles.
            k = min(max(float(scale or 1.0), 1.0), 3.0)
            key = json.dumps([language, k, values, [(i.id, i.severity) for i in active]])
            if key == drawn:
                return dash.no_update, None, title, dash.no_update
            fig = ward_metric_map(
                read().features(), values, m, language, active,
                tile_url=ctx().settings.app.tile_url,
                size_px=(MAP_PX[0] * k, MAP_PX[1] * k), label_size=round(16 * k),
            )  # fmt: skip
            if k > 1:
                fig.update_layout(font_size=round(14 * k))
                fig.update_annotations(font_size=round(14 * k))
        except Exception as exc:
            return dash.no_update, panel_error("wall-map", exc, language), title, None
        return fig, None, title, key

    @callback(
        app,
        Output(f"{P}-ticker", "children"),
        Output(f"{P}-incidents", "children"),
        Output(f"{P}-incidents-title", "children"),
        Input("ioc-version", "data"),
    )
    def wall_ticker(_version: int | None) -> tuple[Any, Any, str]:
        language, wards = lang(), scope()

        def build_ticker() -> Any:
            return ticker(
                _incident_items(language, _active(wards)[:20]), t("ticker.empty", language)
            )

        def build_list() -> Any:
            items = _incident_items(language, _active(wards)[:12])
            if not items:
                return html.Div(t("ticker.empty", language), className="empty")
            return html.Ul(
                [html.Li([html.B(w + " "), txt], className=f"sev-{s}") for s, w, txt in items],
                className="incident-list",
            )

        return (
            safe_panel("ticker", build_ticker, language),
            safe_panel("incident-list", build_list, language),
            t("kpi.incidents", language),
        )


__all__ = ["layout", "register_callbacks"]


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/", name="wall", title=page_title(), layout=layout
)
