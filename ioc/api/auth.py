"""Who is calling the HTTP API: a bearer token or the browser session, and CSRF for the latter.

* ``Authorization: Bearer ioc_…`` (from ``ioc tokens create``): the token's user as the
  users file has them now.  A malformed header, an unknown or revoked token, or a
  token whose user is gone: 401.  A browser never sends this header by itself, so
  token requests need no CSRF token.
* Otherwise the session cookie of a signed-in user (the page guard of
  :mod:`ioc.auth` found it).  A session request that changes something (POST) must
  carry the session's CSRF token in ``X-CSRFToken`` (Flask-WTF's token: the one
  ``GET /api/v1/session`` returns and Dash's ``_csrf_token`` cookie holds); the
  app-wide check of :mod:`ioc.security` refuses it before any view runs (400, nothing
  changes), and :mod:`ioc.api.incidents` answers that refusal in JSON.
* Neither: 401.
"""

from __future__ import annotations

import logging

import flask

from ioc.auth import User, current_user, lookup_user
from ioc.store.tokens import token_user

__all__ = ["ApiAuthError", "authenticate", "is_token_request"]

log = logging.getLogger(__name__)
_TOKEN = "ioc_api_token"


class ApiAuthError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def is_token_request(request: flask.Request) -> bool:
    """True for a request that authenticates with a bearer token (exempt from CSRF)."""
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def authenticate() -> User:
    """The caller, or :class:`ApiAuthError` (401)."""
    from ioc.pages._common import read  # the app's read model (its database adapter)

    request = flask.request
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiAuthError(401, "unauthorized", "Authorization must be 'Bearer <token>'")
        found = read().db.run(token_user, token.strip())
        user = lookup_user(found[1]) if found else None
        if found is None or user is None:
            log.info("API request with an unknown, revoked or orphaned token from %s",
                     request.remote_addr)  # fmt: skip
            raise ApiAuthError(401, "unauthorized", "unknown or revoked token")
        flask.g.ioc_user = user
        flask.g.setdefault(_TOKEN, found[0])
        return user
    user = current_user()
    if user is None:
        raise ApiAuthError(401, "unauthorized", "sign in or send 'Authorization: Bearer <token>'")
    return user
