"""Incidents (``/incidents``): the list with filters by ward, domain, severity and status."""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, Input, Output, dcc, html

from ioc.contract.catalogue import CATALOGUE
from ioc.pages._common import callback, lang, page_title, read, safe_panel, scope, ward_names
from ioc.store import queries
from ioc.store.records import IncidentRow
from vocab.fmt import MISSING, fmt_datetime
from vocab.severity import SEVERITIES, STATUSES
from vocab.text import t
from widgets.tables import simple_table

P = "incidents"


def layout(**params: Any) -> html.Div:
    language, wards = lang(), scope()
    names = ward_names(language)
    visible = read().ward_codes(wards)

    def dd(key: str, options: list[dict[str, str]], value: str | None = None) -> dcc.Dropdown:
        return dcc.Dropdown(id=f"{P}-{key}", options=options, value=value or params.get(key),
                            placeholder=t("inc.all", language), className="dd")  # fmt: skip

    return html.Div(
        [
            html.H1(t("inc.title", language)),
            html.Div(
                [
                    html.Label(t("col.ward", language)),
                    dd("ward", [{"label": names[c], "value": c} for c in visible]),
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
            html.Div(html.Div(id=f"{P}-table", className="scroll"), className="panel"),
        ],
        className="page incidents-page",
    )  # fmt: skip


def register_callbacks(app: Dash) -> None:
    @callback(
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
        language, wards = lang(), scope()
        if ward:
            wards = [ward] if wards is None or ward in wards else []
        rows: list[IncidentRow] = []

        def build() -> Any:
            rows.extend(read().query(
                queries.incidents, wards, domain=domain, severity=severity, status=status, limit=500
            ))  # fmt: skip
            names = ward_names(language)
            heads = [
                t("col.time", language),
                t("col.ward", language),
                t("col.domain", language),
                t("col.severity", language),
                t("col.status", language),
                t("col.title", language),
            ]
            body = [[fmt_datetime(r.opened_at), names.get(r.ward_code or "", MISSING),
                     CATALOGUE[r.domain].label(language) if r.domain in CATALOGUE else r.domain,
                     t(f"sev.{r.severity}", language), t(f"status.{r.status}", language), r.title]
                    for r in rows]  # fmt: skip
            return simple_table(heads, body, table_id=f"{P}-list",
                                row_classes=[f"sev-{r.severity}" for r in rows],
                                empty=t("empty", language))  # fmt: skip

        content = safe_panel("incidents", build, language)
        return content, t("inc.count", language, n=len(rows))


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/incidents", name="incidents", title=page_title("nav.incidents"), layout=layout
)
