"""Services (``/services``): digital-government KPIs over 30 days, by day and by ward, with targets.

Targets (city defaults, shown as reference lines / in tile details): on-time
resolution 95 %, online submission 50 %, digitally signed e-documents 90 %.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

import dash
from dash import Dash, Input, Output, dcc, html

from ioc.pages._common import callback, lang, page_title, read, safe_panel, scope, ward_names
from ioc.pages._kpis import local_midnight
from ioc.store import queries
from vocab.fmt import MISSING, fmt_datetime, fmt_day_month, fmt_number, fmt_pct, plotly_separators
from vocab.text import t
from widgets.charts import bar_chart
from widgets.kpi import kpi_tile
from widgets.panel import panel
from widgets.tables import simple_table

P = "services"
DAYS = 30
TARGET_ON_TIME, TARGET_ONLINE, TARGET_SIGNED = 95.0, 50.0, 90.0


def layout(**params: Any) -> html.Div:
    language = lang()
    return html.Div(
        [
            html.H1(t("svc.title", language)),
            html.Div(id=f"{P}-kpis", className="kpi-row"),
            html.Div(
                [panel(t("svc.by_day", language), html.Div(id=f"{P}-daily")),
                 panel(t("svc.by_ward", language), html.Div(id=f"{P}-wards", className="scroll"))],
                className="grid-2",
            ),
            panel(t("svc.overdue", language), html.Div(id=f"{P}-overdue", className="scroll")),
        ],
        className="page services-page",
    )  # fmt: skip


def _since() -> datetime:
    return local_midnight(read().now()) - timedelta(days=DAYS - 1)


def _kpis(language: str, wards: list[str] | None) -> list[Any]:
    s = read().query(queries.dossier_summary, wards, _since())
    e = read().query(queries.egov_summary, wards, _since())
    on_time, online, signed = s.on_time_pct, s.online_pct, e.signed_pct

    def target(v: float) -> str:
        return t("svc.target", language, v=fmt_pct(v, 0, language))

    def st(v: float | None, goal: float) -> str:
        return "ok" if v is None or v >= goal else "warning"

    def n(v: int) -> str:
        return fmt_number(v, 0, language)

    return [
        kpi_tile(f"{P}-received", t("svc.received", language), n(s.received),
                 detail=f"{t('svc.online', language)} {n(s.online)} · {t('svc.in_person', language)} {n(s.in_person)}"),
        kpi_tile(f"{P}-online", t("svc.online", language), fmt_pct(online, 1, language),
                 detail=target(TARGET_ONLINE), state=st(online, TARGET_ONLINE)),
        kpi_tile(f"{P}-resolved", t("svc.resolved", language), n(s.resolved)),
        kpi_tile(f"{P}-ontime", t("svc.ontime", language), fmt_pct(on_time, 1, language),
                 detail=target(TARGET_ON_TIME), state=st(on_time, TARGET_ON_TIME)),
        kpi_tile(f"{P}-overdue-n", t("svc.overdue", language), n(s.overdue),
                 state="warning" if s.overdue else "ok"),
        kpi_tile(f"{P}-level34", t("svc.level34", language), fmt_pct(s.level34_pct, 1, language)),
        kpi_tile(f"{P}-docs", t("svc.docs", language), n(e.issued),
                 detail=f"{t('svc.signed', language)} {fmt_pct(signed, 1, language)} · {target(TARGET_SIGNED)}",
                 state=st(signed, TARGET_SIGNED)),
        kpi_tile(f"{P}-meetings", t("svc.meetings", language), n(e.meetings)),
    ]  # fmt: skip


def _daily(language: str, wards: list[str] | None) -> Any:
    rows = read().query(queries.services_daily, wards, _since())
    if not rows:
        return html.Div(t("empty", language), className="empty")
    x = [fmt_day_month(r.day) for r in rows]
    fig = bar_chart(
        x, {t("svc.online", language): [r.online for r in rows],
            t("svc.in_person", language): [r.in_person for r in rows]},
        separators=plotly_separators(language), height=320,
    )  # fmt: skip
    return dcc.Graph(figure=fig, config={"displayModeBar": False})


def _by_ward(language: str, wards: list[str] | None) -> Any:
    rows = read().query(queries.services_by_ward, wards, _since())
    names = ward_names(language)
    heads = [t("col.ward", language), t("svc.received", language), t("svc.online", language),
             t("svc.resolved", language), t("svc.ontime", language), t("svc.overdue", language)]  # fmt: skip
    body = [[names.get(r.ward_code, r.ward_code), fmt_number(r.received, 0, language),
             fmt_pct(r.online_pct, 1, language), fmt_number(r.resolved, 0, language),
             fmt_pct(r.on_time_pct, 1, language), fmt_number(r.overdue, 0, language)]
            for r in rows]  # fmt: skip
    return simple_table(heads, body, table_id=f"{P}-ward-table", empty=t("empty", language))


def _overdue(language: str, wards: list[str] | None) -> Any:
    rows = read().query(queries.overdue_dossiers, wards, _since())
    names = ward_names(language)
    heads = [
        t("col.time", language),
        t("col.ward", language),
        t("col.procedure", language),
        t("col.dossier", language),
    ]
    body = [[fmt_datetime(r.time), names.get(r.ward_code, r.ward_code),
             r.procedure or MISSING, r.dossier] for r in rows]  # fmt: skip
    return simple_table(heads, body, empty=t("empty", language))


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-kpis", "children"),
        Output(f"{P}-daily", "children"),
        Output(f"{P}-wards", "children"),
        Output(f"{P}-overdue", "children"),
        Input("ioc-version", "data"),
    )
    def refresh(_v: int | None) -> tuple[Any, ...]:
        language, wards = lang(), scope()
        return tuple(
            safe_panel(name, partial(f, language, wards), language)
            for name, f in (
                ("kpis", _kpis),
                ("daily", _daily),
                ("by-ward", _by_ward),
                ("overdue", _overdue),
            )
        )


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/services", name="services", title=page_title("nav.services"), layout=layout
)
