"""Map (``/map``): choose domain, metric and time window; device markers; click a ward to drill down."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from ioc.auth import current_user
from ioc.contract.catalogue import CATALOGUE
from ioc.pages._common import callback, ctx, lang, page_title, panel_error, read, scope
from ioc.pages._figures import (
    DEFAULT_METRIC,
    domain_options,
    metric_options,
    parse_metric,
    ward_metric_map,
)
from ioc.readmodel import ValueWindow
from maps.devices import device_layer
from vocab.text import t

P = "map"
WINDOWS: tuple[ValueWindow, ...] = ("live", "hour", "day", "week", "month")
MAP_PX = (1860, 900)  # the map panel at 1920x1080, CSS px


def layout(**params: Any) -> html.Div:
    language = lang()
    dom, name, _ = parse_metric(str(params.get("metric", DEFAULT_METRIC)))
    return html.Div(
        [
            html.Div(
                [
                    html.Label(t("map.domain", language)),
                    dcc.Dropdown(id=f"{P}-domain", options=domain_options(language), value=dom,
                                 clearable=False, className="dd"),
                    html.Label(t("map.metric", language)),
                    dcc.Dropdown(id=f"{P}-metric", options=metric_options(dom, language),
                                 value=f"{dom}.{name}", clearable=False, className="dd"),
                    html.Label(t("map.window", language)),
                    dcc.RadioItems(id=f"{P}-window", value="live", inline=True,
                                   options=[{"label": t(f"win.{w}", language), "value": w} for w in WINDOWS]),
                    html.Span(t("map.hint", language), className="hint"),
                ],
                className="controls",
            ),
            html.Div(
                [dcc.Graph(id=f"{P}-graph", config={"displayModeBar": False, "responsive": True},
                           style={"height": "100%"}),
                 html.Div(id=f"{P}-error")],
                className="panel map-panel",
            ),
            dcc.Location(id=f"{P}-go", refresh="callback-nav"),
        ],
        className="page map-page",
    )  # fmt: skip


def _devices_frame(domain: str, codes: list[str]) -> pd.DataFrame:
    """The domain's devices in ``codes`` with a position, as :func:`maps.devices.device_layer`
    draws them."""
    rows = [
        {"device_id": d.device_id, "lat": d.lat, "lon": d.lon,
         "domain": domain, "state": d.state, "label": d.device_id}
        for d in read().device_markers(domain, codes)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["device_id", "lat", "lon", "domain", "state", "label"])


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-metric", "options"),
        Output(f"{P}-metric", "value"),
        Input(f"{P}-domain", "value"),
        State(f"{P}-metric", "value"),
        prevent_initial_call=True,
    )
    def metrics(domain: str, current: str | None) -> tuple[list[dict[str, str]], str]:
        known = domain in CATALOGUE and CATALOGUE[domain].kind == "telemetry"
        options = metric_options(domain if known else "air", lang())
        values = [o["value"] for o in options]
        return options, current if current in values else values[0]

    @callback(
        app,
        Output(f"{P}-graph", "figure"),
        Output(f"{P}-error", "children"),
        Input(f"{P}-metric", "value"),
        Input(f"{P}-window", "value"),
        Input("ioc-version", "data"),
    )
    def figure(metric: str | None, window: str | None, _v: int | None) -> tuple[Any, Any]:
        language, wards = lang(), scope()
        dom, _, m = parse_metric(metric)
        codes = read().ward_codes(wards)
        try:
            win: ValueWindow = next((w for w in WINDOWS if w == window), "live")
            values = read().ward_values(m, codes, win)
            tiles = ctx().settings.app.tile_url
            fig = ward_metric_map(
                read().features(), values, m, language, tile_url=tiles, size_px=MAP_PX
            )
            devices = _devices_frame(dom, codes)
            if not devices.empty:
                device_layer(fig, devices, language)
        except Exception as exc:
            return dash.no_update, panel_error("map", exc, language)
        return fig, None

    @callback(
        app,
        Output(f"{P}-go", "pathname"),
        Input(f"{P}-graph", "clickData"),
        prevent_initial_call=True,
    )
    def drill_down(click: dict[str, Any] | None) -> str:
        try:
            code = str(click["points"][0]["customdata"][0])  # type: ignore[index]
        except (TypeError, KeyError, IndexError):
            raise PreventUpdate from None
        user = current_user()
        if user is None or not user.may_see(code):
            raise PreventUpdate
        return f"/ward/{code}"


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/map", name="map", title=page_title("nav.map"), layout=layout
)
