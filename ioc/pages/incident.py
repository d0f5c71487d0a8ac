"""One incident (``/incidents/<id>``): its facts, linked causes, the timeline of every change
(``incident_log``) and the actions the user may take now.

Linked from every list of incidents (the incidents page, the ward page, the wall).
The actions shown follow the user's role, wards and the incident's status; the
server decides again on every click (:mod:`ioc.incident_ops`): a refused or
conflicting action changes nothing and the message says why.  Each action sends
the version the page showed, so a second operator acting on a stale page gets
the conflict message and the page reloads.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from ioc.auth import User, current_user
from ioc.errors import ActionRefused, Forbidden, NotFound
from ioc.incident_ops import IncidentView, available, view
from ioc.incident_text import cause_title, describe_refusal, fmt_value, log_label, log_note, place
from ioc.model import IncidentCause
from ioc.pages._common import callback, forbidden, lang, page_title, read, ward_names
from ioc.pages._incident_ui import domain_label, row_title, run_action
from ioc.permissions import refusal
from ioc.store.records import IncidentLogRow
from vocab.fmt import MISSING, fmt_datetime, fmt_duration
from vocab.severity import ACTIONS, Action
from vocab.text import t, t_code
from widgets.panel import panel

P = "incident"
HIDDEN = {"display": "none"}


def _parse(incident_id: object) -> int | None:
    text = str(incident_id or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


def _head(v: IncidentView, language: str) -> list[Any]:
    r = v.incident
    names = ward_names(language)
    return [
        html.H1(
            [html.Span(f"#{r.id} ", className="muted"), row_title(r, language)],
            id=f"{P}-title", className=f"sev-{r.severity}",
        ),
        html.Div(
            [
                html.Span(t(f"sev.{r.severity}", language), id=f"{P}-severity",
                          className=f"badge sev-badge sev-bg-{r.severity}"),
                html.Span(t(f"status.{r.status}", language), id=f"{P}-status",
                          className=f"badge status-badge status-{r.status}"),
                html.Span(place(r.ward_code, names, language), className="badge"),
                html.Span(domain_label(r.domain, language), className="badge"),
            ],
            className="badges",
        ),
    ]  # fmt: skip


def _facts(v: IncidentView, language: str) -> html.Dl:
    r = v.incident
    cause = IncidentCause.from_json(dict(r.cause))
    rows: list[tuple[str, Any]] = [(t("inc.opened", language), fmt_datetime(r.opened_at))]
    if cause is not None and cause.metric is not None:
        rows += [
            (t("inc.value.current", language), fmt_value(r.current_value, cause, language)),
            (t("inc.value.peak", language), fmt_value(r.peak_value, cause, language)),
            (t("inc.threshold", language), fmt_value(cause.threshold, cause, language)),
        ]
    if cause is not None:
        rows.append((t("inc.device", language), cause.device or cause.source or MISSING))
        if cause.event_ids:
            rows.append((t("inc.events", language), ", ".join(cause.event_ids)))
    rows += [
        (t("col.ack", language), fmt_duration(r.ack_s, language)),
        (t("col.resolve", language), fmt_duration(r.resolve_s, language)),
    ]
    if r.team:
        rows.append((t("inc.team", language), r.team))
    if r.assignee:
        rows.append((t("inc.assignee", language), r.assignee))
    if r.resolution:
        rows.append((t("inc.resolution", language), r.resolution))
    items: list[Any] = []
    for label, value in rows:
        items += [html.Dt(label), html.Dd(value)]
    return html.Dl(items, className="facts", id=f"{P}-facts-list")


def _change(e: IncidentLogRow, language: str) -> list[Any]:
    parts: list[Any] = []
    if e.to_status and e.from_status != e.to_status:
        before = t_code("status", e.from_status, language) + " → " if e.from_status else ""
        parts.append(
            html.Span(before + t_code("status", e.to_status, language), className="tl-status")
        )
    if e.severity_to and e.severity_from != e.severity_to:
        before = t_code("sev", e.severity_from, language) + " → " if e.severity_from else ""
        parts.append(html.Span(before + t_code("sev", e.severity_to, language),
                               className=f"tl-sev sev-{e.severity_to}"))  # fmt: skip
    cause = IncidentCause.from_json(e.data.get("cause") or {}) if isinstance(e.data, dict) else None
    if cause is not None and e.action in ("open", "escalate", "attach"):
        parts.append(html.Span(cause_title(cause, language), className="tl-cause"))
    if e.action == "dispatch":
        who = " · ".join(str(x) for x in (e.data.get("team"), e.data.get("assignee")) if x)
        parts.append(html.Span(who, className="tl-team"))
    return parts


def _timeline(v: IncidentView, language: str) -> html.Ol:
    items = [
        html.Li(
            [
                html.Div(
                    [html.Span(fmt_datetime(e.at, seconds=True), className="tl-time"),
                     html.B(log_label(e.action, language), className="tl-action"),
                     html.Span(e.actor, className="tl-actor"), *_change(e, language)],
                    className="tl-line",
                ),
                html.Div(log_note(e.action, e.note, language), className="tl-note") if e.note else None,
            ],
            className=f"tl-item tl-{e.action}",
        )
        for e in v.log
    ]  # fmt: skip
    return html.Ol(items, className="timeline", id=f"{P}-timeline-list")


def _causes(v: IncidentView, language: str) -> Any:
    if not v.causes:
        return html.Div(t("empty", language), className="empty")
    items = []
    for c in v.causes:
        cause = IncidentCause.from_json(c.cause)
        text = cause_title(cause, language) if cause else c.kind
        mark = f" ({t('inc.cause.primary', language)})" if c.is_primary else ""
        items.append(
            html.Li([html.Span(fmt_datetime(c.at), className="tl-time"),
                     html.Span(domain_label(c.domain, language) + mark, className="muted"),
                     html.Span(text)], className=f"cause-item sev-{c.severity}")
        )  # fmt: skip
    return html.Ul(items, className="causes", id=f"{P}-causes-list")


def _controls(v: IncidentView, user: User | None) -> tuple[list[dict[str, str]], str]:
    """Each action button's style (hidden unless possible now) and the hint under them."""
    language = lang()
    can = set(available(user, v.incident)) if user is not None else set()
    styles = [{} if a in can else HIDDEN for a in ACTIONS]
    if can:
        return styles, ""
    if user is None or refusal(user.role, user.wards, "comment", v.incident.ward_code):
        return styles, t("inc.read_only", language)  # no action at all on this incident
    return styles, t("inc.no_action", language)


def _form(language: str) -> html.Div:
    buttons = [
        html.Button(t(f"act.{a}", language), id=f"{P}-act-{a}", n_clicks=0,
                    className=f"btn btn-{a}", style=HIDDEN)
        for a in ACTIONS
    ]  # fmt: skip
    return html.Div(
        [
            html.Div(id=f"{P}-msg", className="flash", role="status"),
            html.Div(
                [html.Label(t("inc.team", language), htmlFor=f"{P}-team"),
                 dcc.Input(id=f"{P}-team", type="text", maxLength=120, className="inp"),
                 html.Label(t("inc.assignee", language), htmlFor=f"{P}-assignee"),
                 dcc.Input(id=f"{P}-assignee", type="text", maxLength=120, className="inp")],
                className="form-row",
            ),
            html.Label(t("inc.note", language), htmlFor=f"{P}-note"),
            dcc.Textarea(id=f"{P}-note", maxLength=2000, className="inp note"),
            html.Div(buttons, className="buttons"),
            html.Div(id=f"{P}-hint", className="hint"),
        ],
        className="action-form",
    )  # fmt: skip


def layout(incident_id: str | None = None, **_params: Any) -> Component:
    language = lang()
    iid = _parse(incident_id)
    try:
        if iid is None:
            raise NotFound("act.err.not_found", id=incident_id)
        user = current_user()
        if user is None:
            return forbidden(language)
        v = view(read(), user, iid)
    except Forbidden:
        return forbidden(language)
    except NotFound:
        return html.Div(
            [html.H1(t("inc.notfound", language)), dcc.Link(t("inc.back", language), href="/incidents")],
            className="page-message",
        )  # fmt: skip
    return html.Div(
        [
            dcc.Store(id=f"{P}-id", data=iid),
            dcc.Store(id=f"{P}-version", data=v.incident.version),
            dcc.Store(id=f"{P}-done", data=0),
            dcc.Link(t("inc.back", language), href="/incidents", className="back-link"),
            html.Div(_head(v, language), id=f"{P}-head"),
            html.Div(
                [panel(t("inc.actions", language), _form(language)),
                 panel(t("inc.facts", language), html.Div(_facts(v, language), id=f"{P}-facts"))],
                className="grid-2",
            ),
            html.Div(
                [panel(t("inc.timeline", language), html.Div(_timeline(v, language), id=f"{P}-timeline")),
                 panel(t("inc.causes", language), html.Div(_causes(v, language), id=f"{P}-causes"))],
                className="grid-2",
            ),
        ],
        className="page incident-page",
    )  # fmt: skip


def register_callbacks(app: Dash) -> None:
    @callback(
        app,
        Output(f"{P}-head", "children"),
        Output(f"{P}-facts", "children"),
        Output(f"{P}-timeline", "children"),
        Output(f"{P}-causes", "children"),
        Output(f"{P}-version", "data"),
        Output(f"{P}-hint", "children"),
        *[Output(f"{P}-act-{a}", "style") for a in ACTIONS],
        Input("ioc-version", "data"),
        Input(f"{P}-done", "data"),
        State(f"{P}-id", "data"),
    )
    def refresh(_version: int | None, _done: int | None, iid: int | None) -> tuple[Any, ...]:
        user = current_user()
        if iid is None or user is None:
            raise PreventUpdate
        language = lang()
        try:
            v = view(read(), user, int(iid))
        except ActionRefused as exc:  # gone or no longer visible to this user
            msg = html.Div(describe_refusal(exc, language), className="flash flash-error")
            return (msg, dash.no_update, dash.no_update, dash.no_update, dash.no_update, "",
                    *[HIDDEN for _ in ACTIONS])  # fmt: skip
        styles, hint = _controls(v, user)
        return (_head(v, language), _facts(v, language), _timeline(v, language),
                _causes(v, language), v.incident.version, hint, *styles)  # fmt: skip

    @callback(
        app,
        Output(f"{P}-msg", "children"),
        Output(f"{P}-msg", "className"),
        Output(f"{P}-done", "data"),
        Output(f"{P}-note", "value"),
        *[Input(f"{P}-act-{a}", "n_clicks") for a in ACTIONS],
        State(f"{P}-note", "value"),
        State(f"{P}-team", "value"),
        State(f"{P}-assignee", "value"),
        State(f"{P}-version", "data"),
        State(f"{P}-id", "data"),
        State(f"{P}-done", "data"),
        prevent_initial_call=True,
    )
    def take(*args: Any) -> tuple[Any, ...]:
        note, team, assignee, version, iid, done = args[len(ACTIONS) :]
        hit = ctx.triggered_id
        if not isinstance(hit, str) or not hit.startswith(f"{P}-act-") or iid is None:
            raise PreventUpdate
        action: Action = hit.removeprefix(f"{P}-act-")  # type: ignore[assignment]
        ok, message = run_action(
            int(iid), action, note=note or "", team=team, assignee=assignee,
            version=int(version) if version is not None else None,
        )  # fmt: skip
        # Success or not, re-read: a conflict shows what the other person did.
        return (message, "flash flash-ok" if ok else "flash flash-error", (done or 0) + 1,
                "" if ok else dash.no_update)  # fmt: skip


dash.register_page(  # type: ignore[no-untyped-call]  # Dash's own function is untyped
    __name__, path_template="/incidents/<incident_id>", name="incident",
    title=page_title("nav.incidents"), layout=layout,
)  # fmt: skip
