"""What every page shares: the app context, the user's scope, cached queries and safe panels.

Not a page (the leading underscore keeps Dash from importing it as one).
Callbacks call :func:`ctx` for the pool / live state / cache of the running
app, :func:`scope` for the wards the user may see, and wrap each panel's
builder in :func:`safe_panel` so a failure shows in that panel only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import flask
from dash import html
from dash.development.base_component import Component
from psycopg_pool import ConnectionPool

from geodata.features import ward_features
from ioc.auth import current_lang, current_user, require_ward, visible_wards
from ioc.cache import QueryCache
from ioc.config import Settings
from ioc.i18n import t
from ioc.live import LiveState
from ioc.store import queries
from widgets.kpi import error_box

__all__ = [
    "AppContext",
    "cached",
    "ctx",
    "forbidden",
    "lang",
    "live_devices",
    "now",
    "panel_error",
    "require_ward",
    "safe_panel",
    "scope",
    "ward_names",
]

log = logging.getLogger("ioc.pages")
T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    pool: ConnectionPool
    live: LiveState
    cache: QueryCache
    _wards: tuple[float, list[dict[str, Any]]] = (0.0, [])
    _features: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)

    def wards(self) -> list[dict[str, Any]]:
        """The ward rows, re-read once a minute (they change only on import)."""
        at, rows = self._wards
        if not rows or time.monotonic() - at > 60:
            with self.pool.connection() as conn:
                rows = queries.ward_rows(conn)
            self._wards = (time.monotonic(), rows)
        return rows

    def features(self) -> dict[str, Any]:
        at, fc = self._features.get("all", (0.0, {}))
        if not fc or time.monotonic() - at > 60:
            with self.pool.connection() as conn:
                fc = dict(ward_features(queries.boundary_rows(conn)))
            self._features["all"] = (time.monotonic(), fc)
        return fc


def ctx() -> AppContext:
    context = flask.current_app.extensions["ioc"]
    assert isinstance(context, AppContext)
    return context


def lang() -> str:
    return current_lang()


def now() -> datetime:
    return datetime.now(UTC)


def scope() -> list[str] | None:
    """Ward codes the user may see; None when that is every ward (no filter needed)."""
    user = current_user()
    codes = [w["code"] for w in ctx().wards()]
    allowed = visible_wards(codes)
    return None if user is not None and user.all_wards else allowed


def scope_key(wards: list[str] | None) -> str:
    return "all" if wards is None else ",".join(sorted(wards)) or "none"


def cached(key: str, compute: Callable[[], T]) -> T:
    return ctx().cache.get_or_compute(key, compute)


def live_devices() -> dict[str, dict[str, str]]:
    """Every device's live hash, through the shared cache: one GET instead of one HGETALL
    per device on each wall / map refresh (online / offline may trail by the cache TTL)."""
    return cached("live-devices", ctx().live.devices)


def query(key: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(conn, *args, **kwargs)`` on a pooled connection, through the shared cache."""

    def compute() -> T:
        with ctx().pool.connection() as conn:
            return fn(conn, *args, **kwargs)

    return cached(key, compute)


def ward_names(language: str) -> dict[str, str]:
    return {w["code"]: (w["name_en"] if language == "en" else w["name"]) for w in ctx().wards()}


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
    other = "en" if language == "vi" else "vi"
    return error_box(
        f"{t('error.panel', language)} / {t('error.panel', other)}",
        f"{name}: {type(exc).__name__}",
    )


def forbidden(language: str) -> Component:
    return html.Div(
        [
            html.H1(f"{t('forbidden', 'vi')} / {t('forbidden', 'en')}", id="ioc-forbidden"),
            html.P(t("forbidden.detail", language)),
        ],
        className="page-message",
    )
