"""Ward drill-down (``/ward/<code>``): devices and latest values, rollup charts, incidents,
citizen reports, public-service figures and the COVID level history of one ward.

Ward staff see only their own wards: the layout answers "Không có quyền / Forbidden"
for another ward and every callback refuses it with 403.
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
from ioc.errors import ServiceUnavailable
from ioc.i18n import TZ, fmt_datetime, fmt_number, fmt_pct, t, t_code
from ioc.pages._common import ctx, forbidden, lang, now, query, safe_panel
from ioc.pages._covid import covid_levels
from ioc.pages._figures import parse_metric
from ioc.pages._kpis import local_midnight
from ioc.store import queries
from maps.base import GREY
from maps.covid import LEVEL_COLORS
from widgets.charts import bar_chart, time_series
from widgets.kpi import kpi_tile
from widgets.tables import simple_table

P = "ward"
WINDOWS = ("hour", "day", "week", "month")


def _metric_options(language: str) -> list[dict[str, str]]:
    return [
        {"label": f"{d.label_en if language == 'en' else d.label_vi} · "
                  f"{m.label_en if language == 'en' else m.label_vi}", "value": f"{d.name}.{m.name}"}
        for d in CATALOGUE.values() for m in d.metrics.values()
    ]  # fmt: skip


def layout(code: str | None = None, **params: Any) -> Component:
    language = lang()
    ward = next((w for w in ctx().wards() if w["code"] == code), None)
    if ward is None:
        return html.Div(html.H1(t("notfound", language)), className="page-message")
    user = current_user()
    if user is None or not user.may_see(ward["code"]):
        return forbidden(language)
    name = ward["name_en"] if language == "en" else ward["name"]
    return html.Div(
        [
            dcc.Store(id=f"{P}-code", data=ward["code"]),
            html.H1([name, html.Small(f"  {ward['code']}")], id=f"{P}-title"),
            html.Div(
                f"{t('ward.population', language)}: {fmt_number(ward['population'], 0, language)} · "
                f"{t('ward.area', language)}: {fmt_number(ward['area_km2'], 2, language)} km²",
                className="subtitle",
            ),
            html.Div(
                [
                    html.Div([html.Div(t("ward.devices", language), className="panel-title"),
                              html.Div(id=f"{P}-devices", className="scroll")], className="panel"),
                    html.Div(
                        [
                            html.Div(t("ward.series", language), className="panel-title"),
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
                        ],
                        className="panel",
                    ),
                    html.Div([html.Div(t("ward.incidents", language), className="panel-title"),
                              html.Div(id=f"{P}-incidents", className="scroll")], className="panel"),
                    html.Div([html.Div(t("ward.reports", language), className="panel-title"),
                              html.Div(id=f"{P}-reports", className="scroll")], className="panel"),
                    html.Div([html.Div(t("ward.services", language), className="panel-title"),
                              html.Div(id=f"{P}-services")], className="panel"),
                    html.Div([html.Div(t("ward.covid", language), className="panel-title"),
                              html.Div(id=f"{P}-covid")], className="panel"),
                ],
                className="grid-2",
            ),
        ],
        className="page ward-page",
    )  # fmt: skip


def _devices(code: str, language: str) -> Any:
    devices = query(f"wdev:{code}", queries.ward_devices, code)
    shown = devices[:200]
    ids = [d["device_id"] for d in shown]
    try:
        latest_by_device = ctx().live.latest_many(ids)
    except ServiceUnavailable:
        # Live state unavailable (the header says so): the newest stored readings instead.
        since = now() - timedelta(days=1)
        latest_by_device = query(f"wlatest:{code}", queries.latest_readings, ids, since)
    rows = []
    for d in shown:
        latest = latest_by_device[d["device_id"]]
        dom = CATALOGUE.get(d["domain"])
        values = []
        for metric_name, (value, _ts) in sorted(latest.items()):
            m = dom.metrics.get(metric_name) if dom else None
            label = (m.label_en if language == "en" else m.label_vi) if m else metric_name
            values.append(
                f"{label} {fmt_number(value, 0 if value.is_integer() else 1, language)} {m.unit if m else ''}".strip()
            )
        rows.append([d["device_id"], dom.label_en if dom and language == "en" else (dom.label_vi if dom else d["domain"]),
                     "; ".join(values) or "–", fmt_datetime(d["last_seen"])])  # fmt: skip
    heads = [
        t("col.device", language),
        t("col.domain", language),
        t("col.value", language),
        t("col.seen", language),
    ]
    return simple_table(heads, rows, empty=t("empty", language))


def _incidents(code: str, language: str) -> Any:
    rows = query(f"winc:{code}", queries.incidents, [code], limit=50)
    heads = [
        t("col.time", language),
        t("col.severity", language),
        t("col.status", language),
        t("col.title", language),
    ]
    body = [[fmt_datetime(r["opened_at"]), t(f"sev.{r['severity']}", language),
             t(f"status.{r['status']}", language), r["title"]] for r in rows]  # fmt: skip
    return simple_table(
        heads, body, row_classes=[f"sev-{r['severity']}" for r in rows], empty=t("empty", language)
    )


def _reports(code: str, language: str) -> Any:
    rows = query(f"wrep:{code}", queries.open_reports, [code], now() - timedelta(days=30), 50)
    heads = [
        t("col.time", language),
        t("col.category", language),
        t("col.status", language),
        t("col.title", language),
    ]
    body = [
        [
            fmt_datetime(r["time"]),
            t_code("cat", r["category"], language),
            t_code("status", r["status"], language),
            (r["text"] or "")[:120],
        ]
        for r in rows
    ]
    return simple_table(heads, body, empty=t("empty", language))


def _services(code: str, language: str) -> Any:
    since = local_midnight(now()) - timedelta(days=29)
    s = query(f"wsvc:{code}", queries.dossier_summary, [code], since)
    rate = 100.0 * s["on_time"] / s["resolved"] if s["resolved"] else None
    return html.Div(
        [
            kpi_tile(f"{P}-svc-received", t("svc.received", language), fmt_number(s["received"], 0, language),
                     detail=f"{t('svc.online', language)} {fmt_number(s['online'], 0, language)}"),
            kpi_tile(f"{P}-svc-resolved", t("svc.resolved", language), fmt_number(s["resolved"], 0, language),
                     detail=f"{t('svc.ontime', language)} {fmt_pct(rate, 1, language)}"),
            kpi_tile(f"{P}-svc-overdue", t("svc.overdue", language), fmt_number(s["overdue"], 0, language),
                     state="warning" if s["overdue"] else "ok"),
        ],
        className="kpi-row small",
    )  # fmt: skip


def _covid(code: str, language: str) -> Any:
    ward = next(w for w in ctx().wards() if w["code"] == code)
    end = now()
    rows = query(f"wcovid:{code}", queries.covid_daily, [code], end - timedelta(days=67), end)
    days = sorted({r["day"] for r in rows})[-60:]
    history = covid_levels(
        rows, code, ward["population"], [date.fromisoformat(d) for d in days], ctx().settings.covid
    )
    fig = bar_chart(
        [d[8:10] + "/" + d[5:7] for d in days], {t("col.level", language): [lv or 0 for lv in history]},
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
    win = window if window in WINDOWS else "day"
    rows = query(f"wser:{code}:{name}:{win}", queries.metric_series, code, name, win, now())  # type: ignore[arg-type]
    if not rows:
        return html.Div(t("empty", language), className="empty")
    fig = time_series(
        [r["bucket"].astimezone(TZ) for r in rows],
        [r["avg"] for r in rows], [r["min"] for r in rows], [r["max"] for r in rows],
        name=m.label_en if language == "en" else m.label_vi, unit=m.unit,
        warning=m.warning, alarm=m.alarm, separators=",." if language == "vi" else ".,", height=300,
    )  # fmt: skip
    return dcc.Graph(figure=fig, config={"displayModeBar": False})


def register_callbacks(app: Dash) -> None:
    @app.callback(
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

    @app.callback(
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


dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path_template="/ward/<code>", name="ward", title="Phường – IOC Tân An", layout=layout
)
