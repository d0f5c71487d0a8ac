"""Incidents (``/incidents``): the list with filters by place, domain, severity and status;
each row links to its detail view (``/incidents/<id>``) and shows its response times, and
open incidents have a quick acknowledge button; below, the response times of the last
7 or 30 days (median and 90th percentile by domain and severity).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
from dash import Dash, Input, Output, dcc, html

from ioc.contract.catalogue import CATALOGUE
from ioc.pages import _incident_ui
from ioc.pages._common import callback as register
from ioc.pages._common import lang, page_title, read, safe_panel, scope, ward_names
from ioc.pages._incident_ui import domain_label, flash, incident_table
from ioc.store import incident_queries as iq
from ioc.store.records import IncidentRow
from vocab.fmt import fmt_duration, fmt_number
from vocab.severity import SEVERITIES, STATUSES
from vocab.text import t
from widgets.panel import panel
from widgets.tables import simple_table

P = "incidents"
CITY_OPTION = "city"
PERIODS = (7, 30)


def layout(**params: Any) -> html.Div:
    language, wards = lang(), scope()
    names = ward_names(language)
    visible = read().ward_codes(wards)
    places = ([{"label": t("city", language), "value": CITY_OPTION}] if wards is None else []) + [
        {"label": names[c], "value": c} for c in visible
    ]

    def dd(key: str, options: list[dict[str, str]], value: str | None = None) -> dcc.Dropdown:
        return dcc.Dropdown(id=f"{P}-{key}", options=options, value=value or params.get(key),
                            placeholder=t("inc.all", language), className="dd")  # fmt: skip

    return html.Div(
        [
            html.H1(t("inc.title", language)),
            html.Div(
                [
                    html.Label(t("col.ward", language)),
                    dd("ward", places),
                    html.Label(t("col.domain", language)),
                    dd("domain", [{"label": d.label(language), "value": d.name} for d in CATALOGUE.values()]),
                    html.Label(t("col.severity", language)),
                    dd("severity", [{"label": t(f"sev.{s}", language), "value": s} for s in SEVERITIES]),
                    html.Label(t("col.status", language)),
                    dd("status", [{"label": t(f"status.{s}", language), "value": s} for s in STATUSES]),
                    html.Span(id=f"{P}-count", className="hint"),
                ],
                className="controls",
            ),
            flash(),
            html.Div(html.Div(id=f"{P}-table", className="scroll"), className="panel"),
            panel(
                t("inc.response", language),
                html.Div(
                    [dcc.RadioItems(id=f"{P}-period", value=7, inline=True,
                                    options=[{"label": t(f"win.{'week' if d == 7 else 'month'}", language),
                                              "value": d} for d in PERIODS]),
                     html.Span(t("inc.response.hint", language), className="hint")],
                    className="controls",
                ),
                html.Div(id=f"{P}-response"),
            ),
        ],
        className="page incidents-page",
    )  # fmt: skip


def _filtered_scope(ward: str | None) -> tuple[list[str] | None, bool]:
    """The wards to list and whether to list city-level incidents only."""
    wards = scope()
    if ward == CITY_OPTION:
        return (None, True) if wards is None else ([], False)
    if ward:
        return ([ward] if wards is None or ward in wards else []), False
    return wards, False


def _response(period: int, language: str) -> Any:
    since = read().now() - timedelta(days=period)
    stats = read().incident_query(iq.response_times, scope(), since)
    heads = [t(f"col.{c}", language) for c in ("domain", "severity", "n", "ack_median", "ack_p90",
                                                "res_median", "res_p90")]  # fmt: skip
    body = [[domain_label(s.domain, language), t(f"sev.{s.severity}", language),
             fmt_number(s.n, 0, language),
             fmt_duration(s.ack_median_s, language), fmt_duration(s.ack_p90_s, language),
             fmt_duration(s.resolve_median_s, language), fmt_duration(s.resolve_p90_s, language)]
            for s in stats]  # fmt: skip
    return simple_table(heads, body, table_id=f"{P}-response-table", empty=t("empty", language))


def register_callbacks(app: Dash) -> None:
    _incident_ui.register_callbacks(app)

    @register(
        app,
        Output(f"{P}-table", "children"),
        Output(f"{P}-count", "children"),
        Input(f"{P}-ward", "value"),
        Input(f"{P}-domain", "value"),
        Input(f"{P}-severity", "value"),
        Input(f"{P}-status", "value"),
        Input("ioc-version", "data"),
    )
    def table(ward: str | None, domain: str | None, severity: str | None, status: str | None,
              _v: int | None) -> tuple[Any, str]:  # fmt: skip
        language = lang()
        wards, city_only = _filtered_scope(ward)
        rows: list[IncidentRow] = []

        def build() -> Any:
            rows.extend(read().incident_query(
                iq.incidents, wards, domain=domain, severity=severity, status=status,
                city_only=city_only, limit=500,
            ))  # fmt: skip
            return incident_table(rows, language, ward_names(language), table_id=f"{P}-list")

        content = safe_panel("incidents", build, language)
        return content, t("inc.count", language, n=len(rows))

    @register(
        app,
        Output(f"{P}-response", "children"),
        Input(f"{P}-period", "value"),
        Input("ioc-version", "data"),
    )
    def response(period: int | None, _v: int | None) -> Any:
        language = lang()
        days = period if period in PERIODS else 7
        return safe_panel("response-times", lambda: _response(days, language), language)


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/incidents", name="incidents", title=page_title("nav.incidents"), layout=layout
)
