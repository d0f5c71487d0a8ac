"""Who may see what: users, roles, the login page and the request guard.

Users live in a TOML file (``settings.app.users_file``)::

    [[users]]
    name = "phuong1"
    password_hash = "scrypt:32768:8:1$..."   # werkzeug.security.generate_password_hash
    role = "ward_staff"                      # admin | operator | ward_staff | viewer
    wards = ["27694"]                        # ward_staff only

A signed Flask session cookie (``settings.app.secret_key``) carries the session
(:mod:`ioc.sessions`: user, id, times, epoch, a stamp of the user's entry); the user is
looked up again on every request, so removing a user or changing a role takes effect at
once, and a changed password or role, a logout, a "log out everywhere" or an idle or
too-old session ends the cookie's validity.  The guard installed by :func:`install`
refuses everything but a few exact public paths (the login form, its stylesheet, the
favicon, the language switch) to anonymous requests: pages redirect to ``/login``,
Dash's endpoints answer 401.  Pages and callbacks then narrow by ward with
:func:`visible_wards` and :func:`require_ward` (403 for a ward the user may not see).
Logins are throttled (:mod:`ioc.throttle`) and cost the same scrypt check whether the
user exists or not.  ``auth = "off"`` makes every request an admin, for local demos only.
"""

from __future__ import annotations

import html
import logging
import math
import os
import secrets
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

import flask
import tomli_w
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import Forbidden, Unauthorized
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from ioc import sessions
from ioc.config import AppSettings
from ioc.errors import AuthError, UsersFileError
from ioc.live import LiveState
from ioc.security import safe_next
from ioc.throttle import Throttle
from vocab.text import lang_of, t

__all__ = [
    "ROLES",
    "User",
    "UsersFileError",
    "add_user",
    "current_lang",
    "current_user",
    "install",
    "load_users",
    "lookup_user",
    "require_ward",
    "visible_wards",
]

log = logging.getLogger(__name__)

Role = Literal["admin", "operator", "ward_staff", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "operator", "ward_staff", "viewer")
# Reachable without a session, matched exactly: the login form and what it needs.
PUBLIC_PATHS = frozenset(("/login", "/assets/ioc.css", "/_favicon.ico", "/lang/vi", "/lang/en"))
_DEMO_USER_NAME = "demo"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    wards: frozenset[str] = field(default_factory=frozenset)
    password_hash: str = field(default="", repr=False)

    @property
    def all_wards(self) -> bool:
        return self.role != "ward_staff"

    def may_see(self, ward: str | None) -> bool:
        return self.all_wards or (ward is not None and ward in self.wards)


def load_users(path: Path) -> dict[str, User]:
    """Read the users file; a missing file means no users (nobody can log in)."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsersFileError(f"{path}: {exc}") from exc
    users: dict[str, User] = {}
    for i, entry in enumerate(doc.get("users", [])):
        name, role = entry.get("name"), entry.get("role")
        if not isinstance(name, str) or not name or role not in ROLES:
            raise UsersFileError(f"{path}: users[{i}] needs a name and a role in {ROLES}")
        wards = frozenset(str(w) for w in entry.get("wards", []))
        if role == "ward_staff" and not wards:
            raise UsersFileError(f"{path}: users[{i}] ({name}) is ward_staff without wards")
        users[name] = User(name, role, wards, str(entry.get("password_hash", "")))
    return users


def add_user(
    path: Path,
    name: str,
    password: str,
    role: Role,
    wards: list[str],
    known_wards: Collection[str] | None = None,
) -> User:
    """Add or replace ``name`` in the users file (written atomically, mode 0600).

    A changed password, role or ward list ends the user's sessions (their stamp changes).
    """
    if role not in ROLES:
        raise UsersFileError(f"role must be one of {ROLES}")
    if role == "ward_staff" and not wards:
        raise UsersFileError("ward_staff needs at least one --ward")
    unknown = sorted(set(wards) - set(known_wards)) if known_wards is not None else []
    if unknown:
        raise UsersFileError(f"unknown ward(s) {', '.join(unknown)}: not in the ward registry")
    users = load_users(path)
    users[name] = User(name, role, frozenset(wards), generate_password_hash(password))
    entries: list[dict[str, object]] = []
    for u in users.values():
        entry: dict[str, object] = {
            "name": u.name,
            "password_hash": u.password_hash,
            "role": u.role,
        }
        if u.wards:
            entry["wards"] = sorted(u.wards)
        entries.append(entry)
    text = "# Tân An IOC users: written by `ioc users add`\n\n" + tomli_w.dumps({"users": entries})
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return users[name]


class _UserStore:
    """The users file, re-read when it changes on disk."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._mtime: float | None = None
        self._users: dict[str, User] = {}

    def get(self, name: str) -> User | None:
        if self.path is None:
            return None
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        if mtime != self._mtime:
            self._users, self._mtime = load_users(self.path), mtime
        return self._users.get(name)


def current_user() -> User | None:
    """The user of this request, or None when nobody is logged in."""
    user = flask.g.get("ioc_user")
    return user if isinstance(user, User) else None


def lookup_user(name: str) -> User | None:
    """The user ``name`` of the users file as it is now (API tokens name their user)."""
    store = flask.current_app.extensions.get("ioc_users")
    return store.get(name) if isinstance(store, _UserStore) else None


def current_lang() -> str:
    return lang_of(flask.session.get("lang", flask.current_app.config.get("IOC_LANG", "vi")))


def visible_wards(all_codes: list[str]) -> list[str]:
    """The ward codes this request's user may see, in the order of ``all_codes``."""
    user = current_user()
    if user is None:
        raise Unauthorized()
    return [c for c in all_codes if user.may_see(c)]


def require_ward(code: str) -> User:
    """The user, if they may see ``code``; 401 without a user, :class:`AuthError` (403) else."""
    user = current_user()
    if user is None:
        raise Unauthorized()
    if not user.may_see(code):
        log.warning("user %s refused ward %s", user.name, code)
        raise AuthError(f"user {user.name} may not see ward {code}")
    return user


def _login_page(lang: str, next_url: str, error: str | None = None) -> str:
    def both(key: str, **kw: object) -> str:
        other = "en" if lang == "vi" else "vi"
        return (
            f"{html.escape(t(key, lang, **kw))} <small>/ {html.escape(t(key, other, **kw))}</small>"
        )

    err = ""
    if error:
        key, _, minutes = error.partition(":")
        err = f'<p class="login-error">{both(key, minutes=minutes) if minutes else both(key)}</p>'
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(t("login.title", lang))} – {html.escape(t("app.short", lang))}</title>
<link rel="stylesheet" href="/assets/ioc.css"></head>
<body class="ioc-login-body"><form class="login-box" method="post" action="/login">
<h1>{html.escape(t("app.title", lang))}</h1><h2>{both("login.title")}</h2>{err}
<input type="hidden" name="next" value="{html.escape(next_url)}">
<input type="hidden" name="csrf_token" value="{html.escape(generate_csrf())}">
<label>{both("login.user")}<input id="login-user" name="username" autocomplete="username" required></label>
<label>{both("login.password")}<input id="login-password" name="password" type="password" autocomplete="current-password" required></label>
<button id="login-submit" type="submit">{both("login.submit")}</button>
</form></body></html>"""


def install(server: flask.Flask, cfg: AppSettings, live: LiveState) -> None:
    """Add the session, the guard and the /login, /logout and /lang routes to ``server``."""
    store = _UserStore(cfg.users_file)
    server.extensions["ioc_users"] = store
    enabled = cfg.auth == "on"
    server.config["IOC_LANG"] = cfg.language
    server.config["SESSION_COOKIE_HTTPONLY"] = True
    server.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    server.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=cfg.session_max_age_s)
    rules = sessions.SessionRules(str(server.secret_key), cfg.idle_timeout_s, cfg.session_max_age_s)
    throttle = Throttle(live, cfg.login)
    # The same scrypt work for a name that does not exist: timing says nothing about who does.
    dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
    demo = User(_DEMO_USER_NAME, "admin")
    if not enabled:
        log.warning("authentication is OFF: every visitor is an admin (local demos only)")

    @server.before_request
    def _guard() -> Response | tuple[str, int] | None:
        if "lang" in flask.request.args:
            flask.session["lang"] = lang_of(flask.request.args["lang"])
        if not enabled:
            flask.g.ioc_user = demo
            return None
        name = flask.session.get("user")
        user = store.get(name) if isinstance(name, str) else None
        if isinstance(name, str):
            why = (
                "no such user"
                if user is None
                else sessions.problem(flask.session, user, rules, live)
            )
            if why:
                log.info("session of %s ended: %s", name[:64], why)
                lang = flask.session.get("lang")
                flask.session.clear()
                if lang:
                    flask.session["lang"] = lang
                user = None
        flask.g.ioc_user = user
        path = flask.request.path
        if user is not None or path in PUBLIC_PATHS:
            return None
        if path.startswith("/api/"):
            return None  # the API authenticates bearer tokens itself and answers JSON 401
        if path.startswith(("/_dash-", "/_reload-hash")):
            return "unauthorized", 401
        query = flask.request.query_string.decode(errors="replace")
        return flask.redirect(f"/login?next={_quote(path + (f'?{query}' if query else ''))}")

    @server.errorhandler(AuthError)
    def _refused(_exc: AuthError) -> Response:
        return Forbidden().get_response()

    @server.route("/login", methods=["GET", "POST"])
    def _login() -> Response | str:
        lang = current_lang()
        if flask.request.method == "GET":
            return _login_page(lang, safe_next(flask.request.args.get("next")))
        name = flask.request.form.get("username", "")[:128]
        password = flask.request.form.get("password", "")[:1024]
        next_url = safe_next(flask.request.form.get("next"))
        address = flask.request.remote_addr or "?"
        refused = throttle.attempt(address, name)
        slot = throttle.hashing_slot() if refused is None else None
        if refused is not None or slot is None:
            wait = refused.retry_after_s if refused else 1
            log.warning("login refused for %r from %s: %s", name[:64], address,
                        refused.why if refused else "busy")  # fmt: skip
            busy = refused is None or refused.why == "busy"
            message = "login.busy" if busy else f"login.throttled:{math.ceil(wait / 60)}"
            page = _login_page(lang, next_url, message)
            resp = Response(page, status=429, mimetype="text/html")
            resp.headers["Retry-After"] = str(wait)
            return resp
        try:
            user = store.get(name)
            stored = user.password_hash if user is not None and user.password_hash else None
            ok = check_password_hash(stored or dummy_hash, password) and stored is not None
        finally:
            slot.release()
        if not ok or user is None:
            log.info("failed login for %r from %s", name[:64], address)
            page = _login_page(lang, next_url, "login.failed")
            return Response(page, status=401, mimetype="text/html")
        throttle.succeeded(address, name)
        flask.session.clear()
        sessions.begin(flask.session, user, rules, live)
        flask.session["lang"] = lang
        flask.session.permanent = True
        log.info("login %s (%s) from %s", user.name, user.role, address)
        return flask.redirect(next_url)

    @server.route("/logout", methods=["POST"])
    def _logout() -> Response:
        name = flask.session.get("user")
        if isinstance(name, str) and flask.request.form.get("everywhere") == "1":
            sessions.end_everywhere(name, live)
            log.info("%s logged out everywhere", name[:64])
        sessions.end(flask.session, rules, live)
        return flask.redirect("/login")

    @server.route("/lang/<code>")
    def _lang(code: str) -> Response:
        flask.session["lang"] = lang_of(code)
        ref = urlsplit(flask.request.referrer or "/")
        return flask.redirect(safe_next(ref.path + (f"?{ref.query}" if ref.query else "")))


def _quote(target: str) -> str:
    return quote(target, safe="/")
