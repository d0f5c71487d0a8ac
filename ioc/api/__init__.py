"""The HTTP API of the control room (``/api/v1``, JSON): see docs/api.md.

:func:`install` adds it to the app's Flask server.  Routes and JSON shapes are in
:mod:`ioc.api.incidents`, who is calling (bearer token or session, CSRF) in
:mod:`ioc.api.auth`; both go through :mod:`ioc.incident_ops` like the pages do,
so the API has exactly the permissions of the screens.
"""

from __future__ import annotations

import flask

from ioc import security
from ioc.api.auth import is_token_request
from ioc.api.incidents import blueprint
from ioc.auth import current_user

__all__ = ["install"]


def _no_session_authority(request: flask.Request) -> bool:
    """An API call whose identity is not the session cookie: nothing a forged page could use.

    A bearer token (a browser never attaches one by itself), or no signed-in session at
    all (the API answers 401).  Calls made as the session's user keep the app-wide CSRF
    check of :mod:`ioc.security`.
    """
    if not request.path.startswith(blueprint.url_prefix or "/api/"):
        return False
    return is_token_request(request) or current_user() is None


def install(server: flask.Flask) -> None:
    server.register_blueprint(blueprint)
    security.exempt_when(server, _no_session_authority)
