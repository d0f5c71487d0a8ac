"""Ward drill-down (``/ward/<code>``): devices and latest values, rollup charts, incidents,
citizen reports, public-service figures and the COVID level history of one ward.

Ward staff see only their own wards: the layout answers "Không có quyền / Forbidden"
for another ward and every callback refuses it with 403.  City-level items (the security
centre, the city's own e-government counters) are on no ward's page.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import dash
from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from ioc.auth import current_user, require_ward
from ioc.contract.catalogue import CATALOGUE
from ioc.model import NEVER
from ioc.pages._common import callback, ctx, forbidden, lang, page_title, read, safe_panel
from ioc.pages._covid import covid_levels
from ioc.pages._figures import parse_metric
from ioc.pages._incident_ui import flash, incident_table
from ioc.pages._kpis import local_midnight
from ioc.store import incident_queries as iq
from ioc.store import queries
from maps.base import GREY
from vocab.fmt import (
    MISSING,
    TZ,
    fmt_datetime,
    fmt_day_month,
    fmt_number,
    fmt_pct,
    plotly_separators,
)
from vocab.indicators import LEVEL_COLORS
from vocab.text import t, t_code
from widgets.charts import bar_chart, time_series
from widgets.kpi import kpi_tile
from widgets.panel import panel
from widgets.status import state_badge
from widgets.tables import simple_table

P = "ward"
WINDOWS: tuple[queries.Window, ...] = ("hour", "day", "week", "month")


def _metric_options(language: str) -> list[dict[str, str]]:
    return [
        {"label": f"{d.label(language)} · {m.label(language)}", "value": f"{d.name}.{m.name}"}
        for d in CATALOGUE.values()
        for m in d.metrics.values()
    ]


def layout(code: str | None = None, **params: Any) -> Component:
    language = lang()
    ward = read().ward(code)
    if ward is None:
        return html.Div(html.H1(t("notfound", language)), className="page-message")
    user = current_user()
    if user is None or not user.may_see(ward.code):
        return forbidden(language)
    return html.Div(
        [
            dcc.Store(id=f"{P}-code", data=ward.code),
            html.H1([ward.label(language), html.Small(f"  {ward.code}")], id=f"{P}-title"),
            html.Div(
                f"{t('ward.population', language)}: {fmt_number(ward.population, 0, language)} · "
                f"{t('ward.area', language)}: {fmt_number(ward.area_km2, 2, language)} km²",
                className="subtitle",
            ),
            html.Div(
                [
                    panel(t("ward.devices", language), html.Div(id=f"{P}-devices", className="scroll")),
                    panel(
                        t("ward.series", language),
                        html.Div(
                            [dcc.Dropdown(id=f"{P}-metric", options=_metric_options(language),
                                          value=str(params.get("metric", "air.pm25")),
                                          clearable=False, className="dd wide"),
                             dcc.RadioItems(id=f"{P}-window", value="day", inline=True,
                                            options=[{"label": t(f"win.{w}", language), "value": w}
                                                     for w in WINDOWS])],
                            className="controls",
                        ),
                        html.Div(id=f"{P}-series"),
                    ),
                    panel(t("ward.incidents", language),
                          html.Div([flash(), html.Div(id=f"{P}-incidents", className="scroll")])),
                    panel(t("ward.reports", language), html.Div(id=f"{P}-reports", className="scroll")),
                    panel(t("ward.services", language), html.Div(id=f"{P}-services")),
                    panel(t("ward.covid", language), html.Div(id=f"{P}-covid")),
                ],
                className="grid-2",
            ),
        ],
        className="page ward-page",
    )  # fmt: skip


def _devices(code: str, language: str) -> Any:
    shown = read().query(queries.ward_devices, code)[:200]
    latest_by_device = read().latest([d.device_id for d in shown])
    rows = []
    for d in shown:
        dom = CATALOGUE.get(d.domain)
        latest = latest_by_device[d.device_id]
        values = []
        for metric_name, (value, _ts) in sorted(latest.items()):
            m = dom.metrics.get(metric_name) if dom else None
            label = m.label(language) if m else metric_name
            decimals = 0 if value.is_integer() else 1
            unit = m.unit if m else ""
            values.append(f"{label} {fmt_number(value, decimals, language)} {unit}".strip())
        seen = d.last_seen.timestamp() if d.last_seen > NEVER else None
        state = read().state_of(d.device_id, code, d.domain, seen, d.online, latest)
        rows.append([d.device_id, dom.label(language) if dom else d.domain,
                     state_badge(state, t(f"state.{state}", language)),
                     "; ".join(values) or MISSING, fmt_datetime(seen)])  # fmt: skip
    heads = [
        t("col.device", language),
        t("col.domain", language),
        t("col.state", language),
        t("col.value", language),
        t("col.seen", language),
    ]
    return simple_table(heads, rows, empty=t("empty", language))


def _incidents(code: str, language: str) -> Any:
    """The ward's own incidents (never city-level ones), linked to their detail views."""
    rows = read().incident_query(iq.incidents, [code], limit=50)
    return incident_table(rows, language, {}, table_id=f"{P}-incident-list", show_ward=False)


def _reports(code: str, language: str) -> Any:
    rows = read().query(queries.open_reports, [code], read().now() - timedelta(days=30), 50)
    heads = [
        t("col.time", language),
        t("col.category", language),
        t("col.status", language),
        t("col.title", language),
    ]
    body = [
        [
            fmt_datetime(r.time),
            t_code("cat", r.category, language),
            t_code("status", r.status, language),
            (r.text or "")[:120],
        ]
        for r in rows
    ]
    return simple_table(heads, body, empty=t("empty", language))


def _services(code: str, language: str) -> Any:
    since = local_midnight(read().now()) - timedelta(days=29)
    s = read().query(queries.dossier_summary, [code], since)
    return html.Div(
        [
            kpi_tile(f"{P}-svc-received", t("svc.received", language), fmt_number(s.received, 0, language),
                     detail=f"{t('svc.online', language)} {fmt_number(s.online, 0, language)}"),
            kpi_tile(f"{P}-svc-resolved", t("svc.resolved", language), fmt_number(s.resolved, 0, language),
                     detail=f"{t('svc.ontime', language)} {fmt_pct(s.on_time_pct, 1, language)}"),
            kpi_tile(f"{P}-svc-overdue", t("svc.overdue", language), fmt_number(s.overdue, 0, language),
                     state="warning" if s.overdue else "ok"),
        ],
        className="kpi-row small",
    )  # fmt: skip


def _covid(code: str, language: str) -> Any:
    ward = read().ward(code)
    end = read().now()
    rows = read().query(queries.covid_daily, [code], end - timedelta(days=67), end)
    days = sorted({r.day for r in rows})[-60:]
    population = ward.population if ward else None
    history = covid_levels(
        rows, code, population, [date.fromisoformat(d) for d in days], ctx().settings.covid
    )
    fig = bar_chart(
        [fmt_day_month(d) for d in days], {t("col.level", language): [lv or 0 for lv in history]},
        stacked=False, height=220, showlegend=False, yaxis={"range": [0, 4.2], "dtick": 1},
    )  # fmt: skip
    # Each day's bar in its level's colour, as on the /covid map.
    fig["data"][0]["marker"] = {"color": [LEVEL_COLORS.get(lv or 0, GREY) for lv in history]}
    return (
        dcc.Graph(figure=fig, config={"displayModeBar": False})
        if days
        else html.Div(t("empty", language), className="empty")
    )


def _series(code: str, metric: str | None, window: str | None, language: str) -> Any:
    _, name, m = parse_metric(metric)
    win: queries.Window = next((w for w in WINDOWS if w == window), "day")
    rows = read().query(queries.metric_series, code, name, win, read().now())
    if not rows:
        return html.Div(t("empty", language), className="empty")
    fig = time_series(
        [r.bucket.astimezone(TZ) for r in rows],
        [r.avg for r in rows], [r.min for r in rows], [r.max for r in rows],
        name=m.label(language), unit=m.unit, warning=m.warning, alarm=m.alarm,
        separators=plotly_separators(language), height=300,
    )  # fmt: skip
    return dcc.Graph(figure=fig, config={"displayModeBar": False})


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-devices", "children"),
        Output(f"{P}-incidents", "children"),
        Output(f"{P}-reports", "children"),
        Output(f"{P}-services", "children"),
        Output(f"{P}-covid", "children"),
        Input("ioc-version", "data"),
        State(f"{P}-code", "data"),
    )
    def panels(_version: int | None, code: str) -> tuple[Any, ...]:
        require_ward(str(code))
        language = lang()
        return tuple(
            safe_panel(name, partial(f, code, language), language)
            for name, f in (("devices", _devices), ("incidents", _incidents), ("reports", _reports),
                            ("services", _services), ("covid", _covid))
        )  # fmt: skip

    @callback(
        app,
        Output(f"{P}-series", "children"),
        Input(f"{P}-metric", "value"),
        Input(f"{P}-window", "value"),
        Input("ioc-version", "data"),
        State(f"{P}-code", "data"),
    )
    def series(metric: str | None, window: str | None, _v: int | None, code: str) -> Any:
        require_ward(str(code))
        language = lang()
        return safe_panel("series", lambda: _series(code, metric, window, language), language)


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path_template="/ward/<code>", name="ward", title=page_title("page.ward"),
    layout=layout,
)  # fmt: skip
