"""The control-room Dash app: the factory, the page shell and the shell's live callbacks.

``create_app(settings)`` builds one app (tests build several in one process);
``make_server()`` is the gunicorn entry point (``ioc.app:make_server()``),
reading the settings from the environment.  The shell holds what every page
shares: navigation (hidden in kiosk mode), the language switch, the clock and
freshness badge, the change-signal poll and the kiosk page rotation.
"""

from __future__ import annotations

import importlib
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import dash
import flask
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from flask_wtf.csrf import generate_csrf

from ioc import api, auth, compress, logsafe, security
from ioc.cache import QueryCache
from ioc.config import Settings, load_settings
from ioc.live import LiveState
from ioc.pages._common import AppContext, callback, read
from ioc.readmodel import ReadModel
from ioc.rules.loader import RuleSource
from ioc.store.db import Database
from vocab.fmt import fmt_datetime, fmt_time
from vocab.text import t
from widgets.status import clock, freshness_badge, freshness_state

__all__ = ["PAGE_MODULES", "ROTATION", "create_app", "make_server"]

log = logging.getLogger(__name__)
ASSETS = Path(__file__).parent / "assets"
PAGE_MODULES = ("wall", "map", "ward", "covid", "services", "incidents", "incident", "alerting")
ROTATION = ("/", "/map", "/covid", "/services", "/incidents")
NAV = (("/", "nav.wall"), ("/map", "nav.map"), ("/covid", "nav.covid"),
       ("/services", "nav.services"), ("/incidents", "nav.incidents"))  # fmt: skip


def _query(search: str | None) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}


def _shell(settings: Settings) -> Any:
    def layout() -> html.Div:
        language = auth.current_lang()
        user = auth.current_user()
        nav = html.Nav(
            [
                html.Span(t("app.short", language), className="brand"),
                *[dcc.Link(t(key, language), href=href, className="nav-link") for href, key in NAV],
                *(
                    [dcc.Link(t("nav.alerting", language), href="/alerting", className="nav-link")]
                    if user is not None and user.role == "admin"
                    else []
                ),
                html.Span(className="nav-spacer"),
                html.A(
                    t("lang.switch", language),
                    href=f"/lang/{'en' if language == 'vi' else 'vi'}",
                    id="ioc-lang-switch",
                    className="nav-link",
                ),
                html.Span(user.name if user else "", className="nav-user"),
                html.Form(  # POST with the CSRF token: a link cannot log anyone out
                    [
                        dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                        html.Button(t("nav.logout", language), className="nav-link nav-button"),
                    ],
                    action="/logout",
                    method="post",
                    className="nav-logout",
                ),
            ],
            id="ioc-nav",
            className="ioc-nav",
        )
        return html.Div(
            [
                dcc.Location(id="ioc-url", refresh="callback-nav"),
                dcc.Interval(id="ioc-poll", interval=settings.app.poll_ms),
                dcc.Interval(id="ioc-rotate", interval=30_000, disabled=True),
                dcc.Store(id="ioc-version", data=-1),
                html.Header(
                    [nav, html.Div(id="ioc-status", className="ioc-status")], className="ioc-header"
                ),
                html.Main(dash.page_container, className="ioc-main"),
            ],
            id="ioc-root",
            className="ioc-root",
        )

    return layout


def _register_shell_callbacks(app: Dash, settings: Settings) -> None:
    @callback(
        app,
        Output("ioc-version", "data"),
        Input("ioc-poll", "n_intervals"),
        State("ioc-version", "data"),
    )
    def poll(_n: int | None, seen: int | None) -> int:
        version = read().version()
        if version == seen:
            raise PreventUpdate
        return version

    @callback(app, Output("ioc-status", "children"), Input("ioc-poll", "n_intervals"))
    def status(_n: int | None) -> list[Any]:
        language = auth.current_lang()
        now = time.time()
        face = clock(fmt_time(now, seconds=True), fmt_datetime(now, date_only=True))
        feed = read().feed()
        if not feed.live:
            return [freshness_badge("stale", t("fresh.nolive", language), ""), face]
        last = feed.last_update
        state = freshness_state(last, now, settings.app.freshness_s)
        label = {"fresh": "fresh.ok", "stale": "fresh.stale", "never": "fresh.never"}[state]
        detail = "" if last is None else t("fresh.ago", language, s=max(0, round(now - last)))
        return [freshness_badge(state, t(label, language), detail), face]

    @callback(
        app,
        Output("ioc-nav", "className"),
        Output("ioc-rotate", "interval"),
        Output("ioc-rotate", "disabled"),
        Output("ioc-root", "className"),
        Input("ioc-url", "search"),
    )
    def kiosk(search: str | None) -> tuple[str, int, bool, str]:
        q = _query(search)
        is_kiosk = q.get("kiosk") == "1"
        try:
            every = max(5, int(q.get("rotate", "0")))
        except ValueError:
            every = 0
        rotate = "rotate" in q and every > 0
        return (
            "ioc-nav hidden" if is_kiosk else "ioc-nav",
            every * 1000 if rotate else 30_000,
            not rotate,
            "ioc-root kiosk" if is_kiosk else "ioc-root",
        )

    @callback(
        app,
        Output("ioc-url", "pathname"),
        Input("ioc-rotate", "n_intervals"),
        State("ioc-url", "pathname"),
        prevent_initial_call=True,
    )
    def rotate(_n: int | None, pathname: str | None) -> str:
        current = pathname if pathname in ROTATION else "/"
        return ROTATION[(ROTATION.index(current) + 1) % len(ROTATION)]


def create_app(settings: Settings) -> Dash:
    """One control-room app: Flask server, auth guard, pages and the shell."""
    server = flask.Flask("ioc")
    compress.configure(server)  # before Dash installs flask-compress, which reads it once
    app = Dash(
        "ioc",
        server=server,  # type: ignore[arg-type]
        compress=True,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title=t("app.title", settings.app.language),
        update_title=None,  # type: ignore[arg-type]
    )
    server.secret_key = settings.app.secret_key or _ephemeral_secret()
    db = Database.open(settings.database_url, settings.db_schema, max_size=8, name="ioc-app")
    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    cache = QueryCache(live, settings.app.cache_ttl_s)
    rules = RuleSource(settings.rules.path, every_s=settings.rules.reload_s)
    read_model = ReadModel(db, live, cache, rules=rules.current)
    server.extensions["ioc"] = AppContext(settings, read_model, rules)
    auth.install(server, settings.app, live)
    api.install(server)
    for name in PAGE_MODULES:
        module = importlib.import_module(f"ioc.pages.{name}")
        module.register_callbacks(app)
    app.layout = _shell(settings)
    _register_shell_callbacks(app, settings)
    security.install(server, app, settings.app)  # after auth: CSRF is checked after the guard
    return app


def close_app(app: Dash) -> None:
    context = app.server.extensions.get("ioc")
    if isinstance(context, AppContext):
        context.read.close()


def make_server() -> flask.Flask:
    """The WSGI app for gunicorn: ``gunicorn 'ioc.app:make_server()'``."""
    settings = load_settings()
    logsafe.install(logsafe.secrets_of(settings))
    server: flask.Flask = create_app(settings).server
    return server


def _ephemeral_secret() -> str:
    """A per-process key for the dev server and tests; `ioc serve` requires a real one."""
    import secrets

    log.warning("no IOC_APP__SECRET_KEY: using a per-process key (sessions end on restart)")
    return secrets.token_urlsafe(32)
