"""Alerting (``/alerting``, admins only): the alarm rules in force, the notification channels'
health and the delivery log.

The rules are the app's own :class:`~ioc.rules.loader.RuleSource` (the same file and
reload as the ingest worker and the periodic checks): where they came from, their
digest, when they were loaded, and — when the file's newest content was refused —
why, above the rules that stay in force.  Channels and deliveries come from the
notifier's tables (:mod:`ioc.store.outbox`).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, Input, Output, html

from ioc.auth import current_user
from ioc.pages._common import callback, ctx, forbidden, lang, page_title, read, safe_panel
from ioc.rules.schema import Rule
from ioc.store import outbox
from vocab.fmt import MISSING, fmt_datetime, fmt_duration, fmt_number
from vocab.text import t
from widgets.panel import panel
from widgets.tables import simple_table

P = "alerting"


def _is_admin() -> bool:
    user = current_user()
    return user is not None and user.role == "admin"


def layout(**params: Any) -> html.Div:
    language = lang()
    if not _is_admin():
        return html.Div(forbidden(language), className="page")
    return html.Div(
        [
            html.H1(t("alert.title", language)),
            panel(t("alert.rules", language), html.Div(id=f"{P}-rules", className="scroll")),
            panel(t("alert.channels", language), html.Div(id=f"{P}-channels")),
            panel(t("alert.log", language), html.Div(id=f"{P}-log", className="scroll")),
        ],
        className="page alerting-page",
    )


def _steps(rule: Rule, language: str) -> str:
    parts = []
    for s in rule.steps:
        label = s.label_en if language == "en" else s.label_vi
        level = (
            "" if s.level is None else f" {fmt_number(s.level, 2 if s.level % 1 else 0, language)}"
        )
        parts.append(f"{label}{level} → {t(f'sev.{s.severity}', language)}")
    return " · ".join(parts)


def _rules(language: str) -> Any:
    ctx().rules.check()
    loaded = ctx().rules.loaded
    head = html.P(
        t("alert.origin", language, origin=loaded.origin, digest=loaded.digest,
          at=fmt_datetime(loaded.loaded_at)),
        className="hint",
    )  # fmt: skip
    refused = (
        html.Pre(t("alert.refused", language) + "\n" + loaded.error, id=f"{P}-refused",
                 className="panel-error")
        if loaded.error else None
    )  # fmt: skip
    heads = [t(k, language) for k in ("alert.col.rule", "alert.col.scope", "alert.col.condition",
                                      "alert.col.steps", "alert.col.hold", "alert.col.source")]  # fmt: skip
    rows = []
    for r in loaded.rules.rules:
        scope = f"{r.scope.domain}.{r.scope.metric}"
        if r.scope.wards:
            scope += f" ({', '.join(r.scope.wards)})"
        hold = fmt_duration(r.hold, language)
        clear = fmt_duration(r.clear.after, language)
        rows.append([
            f"{r.label(language)} [{r.id}]" + ("" if r.enabled else f" ({t('alert.off', language)})"),
            scope, t(f"alert.cond.{r.condition}", language), _steps(r, language),
            f"{hold} / {clear}", r.source,
        ])  # fmt: skip
    table = simple_table(heads, rows, table_id=f"{P}-rule-table", empty=t("empty", language))
    return html.Div([head, refused, table])


def _channels(language: str) -> Any:
    rows = read().query(outbox.channel_health)
    heads = [t(k, language) for k in ("alert.col.channel", "alert.col.kind", "alert.col.state",
                                      "alert.col.pending", "alert.col.ok", "alert.col.error")]  # fmt: skip
    body = [[c.channel, c.kind, t(f"alert.state.{c.state}", language),
             fmt_number(c.pending, 0, language), fmt_datetime(c.last_ok_at),
             c.last_error or MISSING] for c in rows]  # fmt: skip
    return simple_table(heads, body, table_id=f"{P}-channel-table",
                        row_classes=[f"channel-{c.state}" for c in rows],
                        empty=t("alert.none", language))  # fmt: skip


def _log(language: str) -> Any:
    rows = read().query(outbox.deliveries, 100)
    heads = [t(k, language) for k in ("col.time", "alert.col.channel", "alert.col.incident",
                                      "alert.col.outcome", "alert.col.detail", "alert.col.ms")]  # fmt: skip
    body = [[fmt_datetime(d.at, seconds=True), d.channel, f"#{d.incident_id}",
             t(f"alert.outcome.{d.outcome}", language), d.detail,
             fmt_number(d.duration_ms, 0, language)] for d in rows]  # fmt: skip
    return simple_table(heads, body, table_id=f"{P}-log-table",
                        row_classes=[f"delivery-{d.outcome}" for d in rows],
                        empty=t("empty", language))  # fmt: skip


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-rules", "children"),
        Output(f"{P}-channels", "children"),
        Output(f"{P}-log", "children"),
        Input("ioc-version", "data"),
    )
    def panels(_v: int | None) -> tuple[Any, Any, Any]:
        language = lang()
        if not _is_admin():
            raise dash.exceptions.PreventUpdate
        return (
            safe_panel("rules", lambda: _rules(language), language),
            safe_panel("channels", lambda: _channels(language), language),
            safe_panel("log", lambda: _log(language), language),
        )


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path="/alerting", name="alerting", title=page_title("nav.alerting"), layout=layout
)
