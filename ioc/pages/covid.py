"""COVID-19 (``/covid``): wards by epidemic level with a date slider over the daily history,
cases per 100k and first-dose coverage per ward, the city trend and the level table."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import dash
import pandas as pd
from dash import Dash, Input, Output, dcc, html
from dash.exceptions import PreventUpdate

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
from ioc.pages._covid import covid_table, days_between
from ioc.store import queries
from ioc.store.records import CovidDay
from maps.covid import covid_map
from vocab.fmt import MISSING, TZ, fmt_date, fmt_day_month, fmt_number, plotly_separators
from vocab.indicators import LEVEL_COLORS
from vocab.text import t
from widgets.charts import bar_chart
from widgets.panel import panel
from widgets.tables import simple_table

P = "covid"
HISTORY_DAYS = 90
MAP_PX = (1100, 578)  # the map panel (3/5 of the width, 600 px high) at 1920x1080, CSS px


def _days() -> list[date]:
    today = read().now().astimezone(TZ).date()
    return days_between(today - timedelta(days=HISTORY_DAYS - 1), today)


def layout(**params: Any) -> html.Div:
    language = lang()
    days = _days()
    last = len(days) - 1
    marks = {i: fmt_day_month(d) for i, d in enumerate(days) if (last - i) % 14 == 0}
    return html.Div(
        [
            html.H1(t("covid.title", language)),
            html.Div(
                [html.Label(t("covid.date", language)),
                 dcc.Slider(id=f"{P}-day", min=0, max=last, step=1, value=last, marks=marks,
                            updatemode="mouseup", allow_direct_input=False, className="slider"),
                 html.Span(id=f"{P}-day-label", className="day-label")],
                className="controls",
            ),
            html.Div(
                [
                    html.Div([dcc.Graph(id=f"{P}-map", style={"height": "100%"},
                                        config={"displayModeBar": False, "responsive": True}),
                              html.Div(id=f"{P}-map-error")],
                             className="panel map-panel"),
                    panel(t("covid.table", language), html.Div(id=f"{P}-table", className="scroll")),
                ],
                className="grid-2 covid-top",
            ),
            panel(t("covid.trend", language), html.Div(id=f"{P}-trend")),
        ],
        className="page covid-page",
    )  # fmt: skip


def _rows(wards: list[str] | None) -> list[CovidDay]:
    end = read().now()
    return read().query(queries.covid_daily, wards, end - timedelta(days=HISTORY_DAYS + 7), end)


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-map", "figure"),
        Output(f"{P}-map-error", "children"),
        Output(f"{P}-table", "children"),
        Output(f"{P}-day-label", "children"),
        Input(f"{P}-day", "value"),
        Input("ioc-version", "data"),
    )
    def by_day(index: int | None, _v: int | None) -> tuple[Any, Any, Any, str]:
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise PreventUpdate  # the slider sends integers; anything else is not from it
        language, wards = lang(), scope()
        days = _days()
        day = days[min(max(index if index is not None else len(days) - 1, 0), len(days) - 1)]
        names = ward_names(language)
        pops = {w.code: w.population for w in read().wards() if wards is None or w.code in wards}
        label = fmt_date(day)
        try:
            table = covid_table(_rows(wards), pops, day, ctx().settings.covid)
        except Exception as exc:
            err = panel_error("covid-data", exc, language)
            return dash.no_update, err, err, label
        frame = pd.DataFrame(
            [asdict(r) for r in table],
            columns=["code", "new_7d", "cases_per_100k_week", "vaccination_pct", "level"],
        )
        try:
            fig = covid_map(read().features(), frame, language, size_px=MAP_PX)
            map_err = None
        except Exception as exc:
            fig, map_err = dash.no_update, panel_error("covid-map", exc, language)

        def build_table() -> Any:
            heads = [t("col.ward", language), t("col.level", language), t("covid.new", language),
                     t("col.cases100k", language), t("col.vacc", language)]  # fmt: skip
            ordered = sorted(table, key=lambda r: (-(r.level or 0), -(r.cases_per_100k_week or 0)))
            body = [
                [names.get(r.code, r.code),
                 html.Span(str(r.level or MISSING), className="level-chip",
                           style={"background": LEVEL_COLORS.get(r.level or 0, "#555")}),
                 fmt_number(r.new_7d, 0, language),
                 fmt_number(r.cases_per_100k_week, 1, language),
                 fmt_number(r.vaccination_pct, 1, language)]
                for r in ordered
            ]  # fmt: skip
            return simple_table(
                heads, body, table_id=f"{P}-level-table", empty=t("empty", language)
            )

        return fig, map_err, safe_panel("covid-table", build_table, language), label

    @callback(app, Output(f"{P}-trend", "children"), Input("ioc-version", "data"))
    def trend(_v: int | None) -> Any:
        language, wards = lang(), scope()

        def build() -> Any:
            per_day: dict[str, float] = {}
            for r in _rows(wards):
                per_day[r.day] = per_day.get(r.day, 0.0) + float(r.new_cases or 0)
            days = sorted(per_day)
            if not days:
                return html.Div(t("empty", language), className="empty")
            fig = bar_chart([fmt_day_month(d) for d in days],
                            {t("covid.new", language): [per_day[d] for d in days]},
                            separators=plotly_separators(language),
                            height=240, showlegend=False)  # fmt: skip
            return dcc.Graph(figure=fig, config={"displayModeBar": False})

        return safe_panel("covid-trend", build, language)


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/covid", name="covid", title=page_title("nav.covid"), layout=layout
)
