"""Wall display (``/``): ward map, KPI tiles, incident ticker; kiosk mode via ``?kiosk=1``.

Every panel refreshes when the live version moves (``ioc-version``), so the
wall trails ingest by at most one poll interval.  ``?metric=air.pm25`` picks
the map's metric.

Unacknowledged critical and high incidents are pinned in a banner above the
tiles until someone acknowledges them; users who may acknowledge get a button
per incident (Tab / Enter, or Alt+A for the first one).  An optional alarm
sound plays when a new incident is pinned: off by default, toggled per browser
(kept in its local storage; ``ioc/assets/incidents.js``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

import dash
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from ioc.auth import current_user
from ioc.incident_text import place
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
from ioc.pages._incident_ui import flash, incident_link, quick_ack, row_title
from ioc.pages._kpis import tiles
from ioc.store import incident_queries as iq
from ioc.store.records import IncidentRow
from vocab.fmt import fmt_time
from vocab.text import t
from widgets.panel import panel
from widgets.tables import ticker

P = "wall"
# The map panel at 1920x1080 (CSS px; a 4K wall draws the same layout at twice the size).
MAP_PX = (1380, 720)
PINNED = ("critical", "high")  # pinned in the banner until acknowledged
BANNER_MAX = 4


def layout(**params: Any) -> html.Div:
    metric = str(params.get("metric", ""))
    language = lang()
    return html.Div(
        [
            html.Div(
                [
                    html.Div(id=f"{P}-banner-items", className="banner-items"),
                    flash(),
                    html.Button(
                        [html.Span(t("banner.sound.on", language), className="when-on"),
                         html.Span(t("banner.sound.off", language), className="when-off")],
                        id=f"{P}-sound-toggle", n_clicks=0, className="btn sound-toggle sound-off",
                        title=t("banner.keys", language),
                    ),
                ],
                id=f"{P}-banner", className="wall-banner",
            ),
            dcc.Store(id=f"{P}-pinned", data=[]),
            dcc.Store(id=f"{P}-sound", storage_type="local", data=False),
            dcc.Store(id=f"{P}-beeped"),
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
        (
            r.severity,
            fmt_time(r.opened_at),
            f"{row_title(r, language)} · {place(r.ward_code, names, language)}",
        )
        for r in rows
    ]


def _active(wards: list[str] | None) -> list[IncidentRow]:
    return read().incident_query(iq.incidents, wards, active_only=True)


def _pinned(wards: list[str] | None) -> list[IncidentRow]:
    """Open (unacknowledged) critical and high incidents, most severe first, newest first."""
    rows = read().incident_query(iq.incidents, wards, status="open", limit=500)
    return [r for r in rows if r.severity in PINNED]


def _banner(rows: Sequence[IncidentRow], language: str) -> list[Any]:
    names, user = ward_names(language), current_user()
    items: list[Any] = []
    for r in rows[:BANNER_MAX]:
        button = quick_ack(r, user, language)
        items.append(
            html.Div(
                [html.Span(t(f"sev.{r.severity}", language), className=f"badge sev-bg-{r.severity}"),
                 html.B(fmt_time(r.opened_at)),
                 html.Span(place(r.ward_code, names, language), className="banner-place"),
                 incident_link(r, row_title(r, language)),
                 *([button] if button is not None else [])],
                className=f"banner-item sev-{r.severity}", id=f"{P}-pin-{r.id}",
            )
        )  # fmt: skip
    if len(rows) > BANNER_MAX:
        items.append(html.Div(t("banner.more", language, n=len(rows) - BANNER_MAX),
                              className="banner-more"))  # fmt: skip
    return items


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-banner-items", "children"),
        Output(f"{P}-banner", "className"),
        Output(f"{P}-pinned", "data"),
        Input("ioc-version", "data"),
    )
    def banner(_version: int | None) -> tuple[Any, str, Any]:
        language, wards = lang(), scope()
        try:
            rows = _pinned(wards)
        except Exception as exc:
            return panel_error("banner", exc, language), "wall-banner", dash.no_update
        state = "wall-banner pinned" if rows else "wall-banner"
        return _banner(rows, language), state, [r.id for r in rows]

    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction("ioc", "toggleSound"),
        Output(f"{P}-sound", "data"),
        Input(f"{P}-sound-toggle", "n_clicks"),
        State(f"{P}-sound", "data"),
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction("ioc", "soundClass"),
        Output(f"{P}-sound-toggle", "className"),
        Input(f"{P}-sound", "data"),
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction("ioc", "beepOnNew"),
        Output(f"{P}-beeped", "data"),
        Input(f"{P}-pinned", "data"),
        State(f"{P}-sound", "data"),
    )

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
            rows = _active(wards)[:12]
            items = _incident_items(language, rows)
            if not items:
                return html.Div(t("ticker.empty", language), className="empty")
            return html.Ul(
                [html.Li([html.B(w + " "), dcc.Link(txt, href=f"/incidents/{r.id}")],
                         className=f"sev-{s}")
                 for (s, w, txt), r in zip(items, rows, strict=False)],
                className="incident-list",
            )  # fmt: skip

        return (
            safe_panel("ticker", build_ticker, language),
            safe_panel("incident-list", build_list, language),
            t("kpi.incidents", language),
        )


__all__ = ["layout", "register_callbacks"]


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/", name="wall", title=page_title(), layout=layout
)
