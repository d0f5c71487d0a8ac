"""The web app's protections around the pages: headers, CSRF, proxies, redirects, errors.

:func:`install` adds to the Flask server behind the Dash app:

- **security headers** on every response: a Content-Security-Policy as strict as Dash
  allows (what it needs and why: :func:`content_security_policy`), ``frame-ancestors 'none'`` and
  ``X-Frame-Options: DENY``, ``nosniff``, ``Referrer-Policy: same-origin``, no caching
  of pages and callback answers, HSTS on HTTPS;
- **CSRF protection** (Flask-WTF's ``CSRFProtect``) on every POST / PUT / PATCH / DELETE:
  the login form carries the token in a hidden field; Dash's renderer sends the value
  of the ``_csrf_token`` cookie as an ``X-CSRFToken`` header on every callback, so the
  cookie is kept set for each session.  :func:`exempt_when` is the hook for requests
  authenticated by a bearer token (a future ``/api/v1``), which a browser never sends
  on its own; a request authenticated by the session cookie is never exempt;
- ``ProxyFix`` for ``trusted_proxies`` reverse proxies (client address and scheme);
- a 404 without a traceback for unknown ``/_dash-component-suites/`` files.

:func:`safe_next` accepts a post-login target only when it is one of the app's pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import dash
import flask
from dash.exceptions import DependencyException
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf, validate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response
from wtforms import ValidationError

from ioc.config import AppSettings

__all__ = [
    "CSRF_COOKIE",
    "content_security_policy",
    "exempt_when",
    "install",
    "is_page",
    "safe_next",
]

log = logging.getLogger(__name__)
CSRF_COOKIE = "_csrf_token"  # the name Dash's renderer reads
_EXEMPT = "ioc_csrf_exempt"
_STATIC = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_.~/-]*$")
_SAFE_QUERY = re.compile(r"^[A-Za-z0-9_.~=&%+-]*$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")


def content_security_policy(script_hashes: list[str], tile_url: str | None = None) -> str:
    """The policy for the control room: ``'self'`` plus exactly what Dash 4 needs.

    Found in a real browser (tests/e2e: every page and interaction must leave the console
    empty, and Chromium reports each blocked resource there):

    - ``script-src``: the hashes of Dash's inline scripts (``app.csp_hashes()``: the
      renderer's ``new DashRenderer()``, each inline clientside callback, and the page
      title callback ``use_pages`` adds on the first request).  No ``'unsafe-eval'``: only
      plotly's regl-based traces (scattergl, splom, parcoords) compile code at run time,
      and the app draws none;
    - ``style-src 'unsafe-inline'``: the Dash renderer, React components and Plotly
      inject ``<style>`` elements and style attributes (without it no page renders);
    - ``worker-src blob:``: MapLibre (``Scattermap``) starts its worker from a blob URL;
    - with an optional tile server (``IOC_APP__TILE_URL``): its origin in ``connect-src``
      (MapLibre fetches tiles) and ``img-src`` with ``blob:`` (decoded tiles).
    """
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url.replace("{", "").replace("}", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            tiles = f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {' '.join(script_hashes)}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self'{' blob:' + tiles if tiles else ''}",
            f"connect-src 'self'{tiles}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _matches(template: str, path: str) -> bool:
    want, got = template.split("/"), path.split("/")
    return len(want) == len(got) and all(
        a == b or (a.startswith("<") and a.endswith(">") and _SEGMENT.match(b) is not None)
        for a, b in zip(want, got, strict=True)
    )


def is_page(path: str) -> bool:
    """True when ``path`` is one of the app's registered pages (``/ward/<code>`` templates too)."""
    return any(
        _matches(str(page.get("path_template") or page.get("path") or ""), path)
        for page in dash.page_registry.values()
    )


def safe_next(target: str | None, page: Callable[[str], bool] = is_page) -> str:
    """``target`` when it is a page of this app (with a plain query string), else ``/``.

    Refuses absolute and scheme-relative URLs, backslashes, control characters and
    whitespace (``/%09/host`` became ``//host`` in the browser), and unknown paths.
    """
    if not target:
        return "/"
    path, _, query = target.partition("?")
    if (
        not _SAFE_PATH.match(path)
        or "//" in path
        or "/./" in path
        or "/../" in path
        or not _SAFE_QUERY.match(query)
        or not page(path)
    ):
        return "/"
    return target


def exempt_when(server: flask.Flask, predicate: Callable[[flask.Request], bool]) -> None:
    """Skip the CSRF check for requests ``predicate`` accepts.

    Only for requests authenticated by a bearer token in the ``Authorization`` header (a
    browser never attaches one by itself); the predicate must not accept a request whose
    identity comes from the session cookie.
    """
    server.extensions.setdefault(_EXEMPT, []).append(predicate)


def install(server: flask.Flask, app: dash.Dash, settings: AppSettings) -> None:
    """Headers, CSRF, proxies and error pages.  Call after every callback is registered."""
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    server.config.update(
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked below, after the exemption hook
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        # The token lives as long as the session that holds its secret (idle timeout,
        # maximum age, logout); a wall display keeps its page open for days.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf = CSRFProtect(server)
    # Dash adds inline scripts until its first request (dash.page_registry's title
    # callback): the policy follows the current list, computed again when it changes.
    cached: dict[tuple[str, ...], str] = {}

    def policy() -> str:
        hashes = tuple(app.csp_hashes())
        if hashes not in cached:
            cached.clear()
            cached[hashes] = content_security_policy(list(hashes), settings.tile_url)
        return cached[hashes]

    @server.before_request
    def _csrf_check() -> None:
        request = flask.request
        if any(accept(request) for accept in server.extensions.get(_EXEMPT, [])):
            return
        csrf.protect(apply_exemptions=True)

    @server.errorhandler(CSRFError)
    def _csrf_failed(exc: CSRFError) -> tuple[str, int]:
        log.info("CSRF check failed for %s %s: %s", flask.request.method, flask.request.path,
                 exc.description)  # fmt: skip
        return "CSRF token missing or invalid: reload the page", 400

    @server.errorhandler(DependencyException)
    def _unknown_suite(exc: DependencyException) -> tuple[str, int]:
        log.info("unknown component-suite file %s", flask.request.path[:200])
        return "not found", 404

    @server.after_request
    def _headers(resp: Response) -> Response:
        h = resp.headers
        h.setdefault("Content-Security-Policy", policy())
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if flask.request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not flask.request.path.startswith(_STATIC):
            h["Cache-Control"] = "no-store"
        _keep_csrf_cookie(resp, settings.cookie_secure)
        return resp


def _keep_csrf_cookie(resp: Response, secure: bool) -> None:
    """Set Dash's ``_csrf_token`` cookie whenever the session has none that matches it."""
    if "user" not in flask.session and flask.request.path != "/login":
        return
    token = flask.request.cookies.get(CSRF_COOKIE)
    if token:
        try:
            validate_csrf(token)
            return
        except ValidationError:
            pass
    # Read by Dash's renderer (JavaScript), so not HttpOnly; useless to another site.
    resp.set_cookie(CSRF_COOKIE, generate_csrf(), secure=secure, samesite="Strict", path="/")
