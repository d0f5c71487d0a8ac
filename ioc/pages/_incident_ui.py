"""What every page that lists incidents shares: the table (titles rendered at display time,
each linking to ``/incidents/<id>``, response times), the quick acknowledge button and the
message line that says what it did or why it was refused.

Not a page.  A page that shows :func:`incident_table` or :func:`quick_ack` puts
:func:`flash` in its layout; :func:`register_callbacks` (once per app) answers
every quick-acknowledge click through :func:`ioc.incident_ops.act`, which checks
the user's role and wards on the server whatever the page showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import ALL, Dash, Input, Output, ctx, dcc, html
from dash.exceptions import PreventUpdate

from ioc.auth import User, current_user
from ioc.contract.catalogue import CATALOGUE
from ioc.errors import ActionRefused, ServiceUnavailable, StoreError
from ioc.incident_ops import act
from ioc.incident_text import describe_refusal, place, title
from ioc.pages._common import callback, lang, read
from ioc.permissions import refusal
from ioc.store.records import IncidentRow
from vocab.fmt import fmt_datetime, fmt_duration
from vocab.text import t
from widgets.tables import simple_table

__all__ = [
    "FLASH",
    "domain_label",
    "flash",
    "incident_link",
    "incident_table",
    "quick_ack",
    "register_callbacks",
    "row_title",
    "run_action",
]

FLASH = "inc-flash"
QUICK_ACK = "inc-quick-ack"


def flash() -> html.Div:
    """The line that says what an action on this page did, or why it was refused."""
    return html.Div(id=FLASH, className="flash", role="status")


def row_title(r: IncidentRow, language: str) -> str:
    return title(r.cause, r.title, language, value=r.current_value)


def domain_label(domain: str, language: str) -> str:
    return CATALOGUE[domain].label(language) if domain in CATALOGUE else domain


def incident_link(r: IncidentRow, text: str) -> dcc.Link:
    return dcc.Link(text, href=f"/incidents/{r.id}", className="inc-link")


def quick_ack(r: IncidentRow, user: User | None, language: str) -> html.Button | None:
    """An acknowledge button for an open incident the user may acknowledge; None otherwise."""
    if user is None or r.status != "open" or refusal(user.role, user.wards, "ack", r.ward_code):
        return None
    return html.Button(
        t("act.ack", language),
        id={"type": QUICK_ACK, "id": r.id, "v": r.version},
        className="btn btn-ack",
        n_clicks=0,
        title=f"{t('act.ack', language)} #{r.id}",
    )


def incident_table(
    rows: Sequence[IncidentRow],
    language: str,
    names: Mapping[str, str],
    *,
    table_id: str | None = None,
    show_ward: bool = True,
) -> Any:
    """Incidents newest first: time, place, domain, severity, status, title (a link to the
    detail view), time to acknowledge and to resolve, and a quick acknowledge button."""
    user = current_user()
    heads = [t("col.time", language)]
    heads += [t("col.ward", language)] if show_ward else []
    heads += [t(f"col.{c}", language) for c in ("domain", "severity", "status", "title", "ack",
                                                "resolve", "action")]  # fmt: skip
    body = []
    for r in rows:
        cells: list[Any] = [fmt_datetime(r.opened_at)]
        if show_ward:
            cells.append(place(r.ward_code, names, language))
        cells += [
            domain_label(r.domain, language),
            t(f"sev.{r.severity}", language),
            t(f"status.{r.status}", language),
            incident_link(r, row_title(r, language)),
            fmt_duration(r.ack_s, language),
            fmt_duration(r.resolve_s, language),
            quick_ack(r, user, language) or "",
        ]
        body.append(cells)
    return simple_table(
        heads, body, table_id=table_id, row_classes=[f"sev-{r.severity}" for r in rows],
        empty=t("empty", language),
    )  # fmt: skip


def run_action(incident_id: int, action: str, **fields: Any) -> tuple[bool, str]:
    """Take an action as the current user; (done, the message to show in their language)."""
    language = lang()
    user = current_user()
    if user is None:
        return False, t("forbidden", language)
    try:
        act(read(), user, incident_id, action, **fields)  # type: ignore[arg-type]
    except ActionRefused as exc:
        return False, describe_refusal(exc, language)
    except (ServiceUnavailable, StoreError):
        return False, t("act.err.unavailable", language)
    return True, t("act.done", language, action=t(f"act.{action}", language)) + f" (#{incident_id})"


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(FLASH, "children"),
        Output(FLASH, "className"),
        Input({"type": QUICK_ACK, "id": ALL, "v": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def quick_ack_clicked(clicks: list[int | None]) -> tuple[str, str]:
        hit = ctx.triggered_id
        # A list that re-renders its buttons fires this with n_clicks 0: only a click counts.
        if not isinstance(hit, dict) or not any(c for c in clicks if c):
            raise PreventUpdate
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        done, message = run_action(int(hit["id"]), "ack", version=int(hit["v"]))
        return message, "flash flash-ok" if done else "flash flash-error"
