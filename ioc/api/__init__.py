"""The HTTP API of the control room (``/api/v1``, JSON): see docs/api.md.

:func:`install` adds it to the app's Flask server.  Routes and JSON shapes are in
:mod:`ioc.api.incidents`, who is calling (bearer token or session, CSRF) in
:mod:`ioc.api.auth`; both go through :mod:`ioc.incident_ops` like the pages do,
so the API has exactly the permissions of the screens.
"""

from __future__ import annotations

import flask

from ioc.api.incidents import blueprint

__all__ = ["install"]


def install(server: flask.Flask) -> None:
    server.register_blueprint(blueprint)
