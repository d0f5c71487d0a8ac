"""What every page shares: the app context, the user's scope, safe panels, titles and callbacks.

Not a page (the leading underscore keeps Dash from importing it as one).
Callbacks call :func:`read` for the app's read model (:mod:`ioc.readmodel`),
:func:`scope` for the wards the user may see, and wrap each panel's builder in
:func:`safe_panel` so a failure shows in that panel only.  :func:`callback`
registers a callback keeping the function's own type (Dash's decorator is untyped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import flask
from dash import Dash, html
from dash.development.base_component import Component

from ioc.auth import current_lang, current_user, require_ward, visible_wards
from ioc.config import Settings
from ioc.readmodel import ReadModel
from ioc.rules.loader import RuleSource
from vocab.text import t, t_both
from widgets.kpi import error_box

__all__ = [
    "AppContext",
    "callback",
    "ctx",
    "forbidden",
    "lang",
    "page_title",
    "panel_error",
    "read",
    "require_ward",
    "safe_panel",
    "scope",
    "ward_names",
]

log = logging.getLogger("ioc.pages")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    read: ReadModel
    rules: RuleSource  # the alarm rules in force, reloaded when their file changes


def ctx() -> AppContext:
    context = flask.current_app.extensions["ioc"]
    assert isinstance(context, AppContext)
    return context


def read() -> ReadModel:
    return ctx().read


def lang() -> str:
    return current_lang()


def scope() -> list[str] | None:
    """Ward codes the user may see; None when that is every ward (no filter needed)."""
    user = current_user()
    allowed = visible_wards(read().ward_codes())
    return None if user is not None and user.all_wards else allowed


def ward_names(language: str) -> dict[str, str]:
    return read().ward_names(language)


def callback(app: Dash, *dependencies: Any, **options: Any) -> Callable[[F], F]:
    """``app.callback(*dependencies, **options)`` that hands back the function as it was typed."""

    def register(fn: F) -> F:
        app.callback(*dependencies, **options)(fn)
        return fn

    return register


def page_title(key: str | None = None) -> Callable[..., str]:
    """A page's browser title in the user's language: "Bản đồ – IOC Tân An" (Dash calls it
    with the path's variables on every navigation)."""

    def title(**_path: str) -> str:
        language = lang()
        short = t("app.short", language)
        return short if key is None else f"{t(key, language)} – {short}"

    return title


def safe_panel(name: str, build: Callable[[], Any], language: str) -> Any:
    """``build()``, or an error box naming the failure; logged with the panel name and user."""
    try:
        return build()
    except Exception as exc:  # a panel's failure must not blank the page
        return panel_error(name, exc, language)


def panel_error(name: str, exc: Exception, language: str) -> Component:
    """Log ``exc`` with the panel and user, and return the box the panel shows instead."""
    user = current_user()
    log.error("panel %s failed for %s", name, user.name if user else "-", exc_info=exc)
    return error_box(t_both("error.panel", language), f"{name}: {type(exc).__name__}")


def forbidden(language: str) -> Component:
    return html.Div(
        [html.H1(t_both("forbidden"), id="ioc-forbidden"), html.P(t("forbidden.detail", language))],
        className="page-message",
    )
