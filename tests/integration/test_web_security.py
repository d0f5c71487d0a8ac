"""The web app under attack (issue 12, findings 7-12): Flask test client, real PostgreSQL and Redis."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient

from cli.main import main
from ioc.auth import add_user
from ioc.config import Settings
from ioc.live import LiveState
from tests.e2e.fix_app import PASSWORD

pytest_plugins = ["tests.e2e.fix_app"]


@pytest.fixture
def web(app_factory: Callable[..., Dash]) -> Callable[..., Dash]:
    """``app_factory`` with a whole-app budget of password checks no test reaches by accident
    (its default, 3 a second, is tested on its own)."""

    def make(**app: Any) -> Dash:
        return app_factory(**{**app, "login": {"checks_per_s": 1000, **app.get("login", {})}})

    return make


def _login(
    client: FlaskClient, user: str, password: str = PASSWORD, *, address: str = "127.0.0.1",
    **form: Any,
) -> Any:  # fmt: skip
    return client.post(
        "/login", data={"username": user, "password": password, **form},
        environ_overrides={"REMOTE_ADDR": address},
    )  # fmt: skip


def _version_poll(client: FlaskClient, **kw: Any) -> Any:
    """An authenticated Dash callback: the shell's change-signal poll."""
    return client.post(
        "/_dash-update-component",
        json={"output": "ioc-version.data", "outputs": {"id": "ioc-version", "property": "data"},
              "inputs": [{"id": "ioc-poll", "property": "n_intervals", "value": 1}],
              "state": [{"id": "ioc-version", "property": "data", "value": -5}],
              "changedPropIds": ["ioc-poll.n_intervals"]},
        **kw,
    )  # fmt: skip


def _authenticated(client: FlaskClient) -> bool:
    return _version_poll(client).status_code in (200, 204)


# ---- 7: throttling ---------------------------------------------------------------------


def test_wrong_passwords_lock_the_account(web: Callable[..., Dash], settings: Settings) -> None:
    """100 wrong passwords were tried in 22 s, then the right one worked."""
    client = web().server.test_client()
    codes = [_login(client, "admin", f"wrong-{i}").status_code for i in range(100)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    right = _login(client, "admin")
    assert right.status_code == 429 and 0 < int(right.headers["Retry-After"]) <= 900
    assert "Thử lại sau 15 phút" in right.get_data(as_text=True)
    # Another user elsewhere is not affected (this address is over its limit too by now).
    other = web().server.test_client()
    assert _login(other, "phuong1", address="10.9.8.7").status_code == 302
    # The lockout is lifted by `ioc users unlock`.
    env = {"IOC_REDIS_URL": settings.redis_url, "IOC_REDIS_PREFIX": settings.redis_prefix}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert main(["users", "unlock", "admin"]) == 0
        assert main(["users", "unlock", "admin"]) == 1  # nothing left to unlock
    assert _login(client, "admin", address="10.9.8.7").status_code == 302


def test_addresses_are_throttled(web: Callable[..., Dash]) -> None:
    app = web(login={"ip_max": 3})
    client = app.server.test_client()
    codes = [_login(client, f"nobody-{i}", "x").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    other = app.server.test_client()
    resp = other.post("/login", data={"username": "admin", "password": PASSWORD},
                      environ_overrides={"REMOTE_ADDR": "10.1.2.3"})  # fmt: skip
    assert resp.status_code == 302


def test_a_success_gives_its_attempt_back(web: Callable[..., Dash]) -> None:
    app = web(login={"ip_max": 2})
    for _ in range(5):  # an office behind one address: many good logins are no attack
        assert _login(app.server.test_client(), "admin").status_code == 302


def test_whole_app_budget_of_password_checks(web: Callable[..., Dash]) -> None:
    """16 concurrent bad logins raised an authenticated callback from 4 ms to 878 ms: many
    addresses together get only ``checks_per_s`` scrypt checks a second."""
    client = web(login={"ip_max": 1000, "user_max": 1000, "checks_per_s": 2}).server.test_client()
    start = time.monotonic()
    codes = [_login(client, f"u{i}", "x", address=f"10.0.0.{i}").status_code for i in range(12)]
    took = time.monotonic() - start
    busy = [c for c in codes if c == 429]
    assert busy and codes.count(401) <= 2 * (int(took) + 2), (codes, took)


# ---- 8: user enumeration by timing -------------------------------------------------------


def test_unknown_users_cost_the_same_as_known_ones(web: Callable[..., Dash]) -> None:
    """An existing user took ~200 ms (scrypt), an unknown one ~5 ms."""
    app = web(login={"ip_max": 1000, "user_max": 1000})
    client = app.server.test_client()
    known, unknown = [], []
    for i in range(6):
        for name, bucket in (("admin", known), (f"ghost-{i}", unknown)):
            start = time.perf_counter()
            assert _login(client, name, "wrong-password").status_code == 401
            bucket.append(time.perf_counter() - start)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2.0, (known, unknown)


# ---- 9: open redirect --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/\t/evil.example", "/"),
        ("/%09/evil.example", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/nothing-here", "/"),
        ("/ward/27694/../../x", "/"),
        ("/ward/27694", "/ward/27694"),
        ("/?kiosk=1&rotate=30", "/?kiosk=1&rotate=30"),
        ("/covid", "/covid"),
    ],
)
def test_next_is_only_a_page_of_this_app(
    web: Callable[..., Dash], target: str, expected: str
) -> None:
    client = web().server.test_client()
    resp = _login(client, "admin", next=target)
    assert resp.status_code == 302 and resp.headers["Location"] == expected


# ---- 10: sessions, cookies, CSRF ---------------------------------------------------------


def _cookie(client: FlaskClient) -> str:
    c = client.get_cookie("session")
    assert c is not None
    return c.value


def _replay(app: Dash, cookie: str) -> FlaskClient:
    thief = app.server.test_client()
    thief.set_cookie("session", cookie)
    thief.get("/login")  # picks up a CSRF cookie for its own session... which it has none of
    thief.set_cookie("session", cookie)
    return thief


def test_a_cookie_is_dead_after_logout(web: Callable[..., Dash]) -> None:
    """A cookie kept working after logout, for up to 7 days."""
    app = web()
    client = app.server.test_client()
    assert _login(client, "admin").status_code == 302
    stolen = _cookie(client)
    assert _authenticated(client)
    client.get("/logout")  # a link or an <img> on another site cannot log anyone out
    assert _authenticated(client)
    assert client.post("/logout").status_code == 302
    thief = app.server.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302  # to /login
    assert _version_poll(thief, csrf=False).status_code in (400, 401)


def test_password_and_role_changes_end_sessions(web: Callable[..., Dash], users_file: Path) -> None:
    app = web()
    a, b = app.server.test_client(), app.server.test_client()
    assert _login(a, "phuong1").status_code == 302 and _login(b, "kiosk").status_code == 302
    time.sleep(0.01)
    add_user(users_file, "phuong1", "a-new-password-1", "ward_staff", ["27694"])
    add_user(users_file, "kiosk", PASSWORD, "operator", [])
    _touch(users_file)
    assert a.get("/").status_code == 302 and b.get("/").status_code == 302


def _touch(path: Path) -> None:
    """The users file is re-read when its mtime moves; make sure it does on coarse clocks."""
    t = path.stat().st_mtime + 2
    import os

    os.utime(path, (t, t))


def test_log_out_everywhere(web: Callable[..., Dash], settings: Settings) -> None:
    app = web()
    laptop, wall, other = (app.server.test_client() for _ in range(3))
    for c in (laptop, wall):
        assert _login(c, "kiosk").status_code == 302
    assert _login(other, "admin").status_code == 302
    assert laptop.post("/logout", data={"everywhere": "1"}).status_code == 302
    assert wall.get("/").status_code == 302 and _authenticated(other)
    # The command line does the same (an administrator, for a stolen session).
    assert _login(wall, "kiosk").status_code == 302
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IOC_REDIS_URL", settings.redis_url)
        mp.setenv("IOC_REDIS_PREFIX", settings.redis_prefix)
        assert main(["users", "logout", "kiosk"]) == 0
    assert wall.get("/").status_code == 302


def test_idle_and_old_sessions_end(web: Callable[..., Dash]) -> None:
    app = web(idle_timeout_s=600, session_max_age_s=3600)
    idle, old = app.server.test_client(), app.server.test_client()
    for c in (idle, old):
        assert _login(c, "admin").status_code == 302
    with idle.session_transaction() as s:
        s["seen"] -= 601
    with old.session_transaction() as s:
        s["iat"] -= 3601
        s["seen"] = int(time.time())
    assert idle.get("/").status_code == 302 and old.get("/").status_code == 302


def test_secure_cookies(web: Callable[..., Dash]) -> None:
    client = web(cookie_secure=True).server.test_client()
    resp = _login(client, "admin")
    cookies = resp.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    csrf = next(c for c in cookies if c.startswith("_csrf_token="))
    assert "Secure" in csrf and "SameSite=Strict" in csrf


def test_state_changing_requests_need_the_csrf_token(web: Callable[..., Dash]) -> None:
    """Login had no CSRF protection; logout was a GET."""
    app = web()
    client = app.server.test_client()
    client.get("/login")
    bare = client.post("/login", data={"username": "admin", "password": PASSWORD}, csrf=False)
    assert bare.status_code == 400
    assert _login(client, "admin").status_code == 302
    assert _version_poll(client, csrf=False).status_code == 400
    assert _version_poll(client, headers={"X-CSRFToken": "forged"}, csrf=False).status_code == 400
    assert _authenticated(client)
    assert client.post("/logout", csrf=False).status_code == 400
    assert _authenticated(client)


def test_bearer_token_hook_exempts_only_what_it_accepts(web: Callable[..., Dash]) -> None:
    from ioc.security import exempt_when

    app = web()
    exempt_when(app.server, lambda r: r.headers.get("Authorization") == "Bearer test-token")
    client = app.server.test_client()
    assert _login(client, "admin").status_code == 302
    assert (
        _version_poll(client, csrf=False, headers={"Authorization": "Bearer x"}).status_code == 400
    )
    ok = _version_poll(client, csrf=False, headers={"Authorization": "Bearer test-token"})
    assert ok.status_code in (200, 204)


# ---- 11: headers, public paths, unknown assets -------------------------------------------


def test_security_headers(web: Callable[..., Dash]) -> None:
    client = web(tile_url="https://tiles.example.org/{z}/{x}/{y}.png").server.test_client()
    assert _login(client, "admin").status_code == 302
    for path in ("/", "/login", "/assets/ioc.css"):
        h = client.get(path).headers
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
        assert "connect-src 'self' https://tiles.example.org" in csp
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "same-origin"
    assert client.get("/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/loginx", "/login/x", "/assets/", "/assets/x/../../", "/lang/x",
                                  "/_dash-component-suites/dash/deps/react@18.min.js"])  # fmt: skip
def test_public_paths_are_exact(web: Callable[..., Dash], path: str) -> None:
    """/loginx, /login/x and /assets/ served the app shell to anonymous users."""
    resp = web().server.test_client().get(path)
    assert resp.status_code in (302, 401, 404), resp.status_code
    assert "_dash-renderer" not in resp.get_data(as_text=True)


def test_unknown_component_suite_is_a_quiet_404(
    web: Callable[..., Dash], caplog: pytest.LogCaptureFixture
) -> None:
    client = web().server.test_client()
    assert _login(client, "admin").status_code == 302
    with caplog.at_level(logging.INFO):
        resp = client.get("/_dash-component-suites/no_such_pkg/x.v1m1.js")
    assert resp.status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


# ---- 12: smaller ---------------------------------------------------------------------------


def test_non_integer_covid_slider_is_a_no_op(web: Callable[..., Dash]) -> None:
    client = web().server.test_client()
    assert _login(client, "admin").status_code == 302
    outputs = [{"id": "covid-map", "property": "figure"}, {"id": "covid-map-error", "property": "children"},
               {"id": "covid-table", "property": "children"}, {"id": "covid-day-label", "property": "children"}]  # fmt: skip
    for value in ("abc", [1], {"x": 1}, 1.5, True):
        resp = client.post(
            "/_dash-update-component",
            json={"output": "..covid-map.figure...covid-map-error.children...covid-table.children..."
                            "covid-day-label.children..", "outputs": outputs,
                  "inputs": [{"id": "covid-day", "property": "value", "value": value},
                             {"id": "ioc-version", "property": "data", "value": 1}],
                  "changedPropIds": ["covid-day.value"]},
        )  # fmt: skip
        assert resp.status_code == 204, (value, resp.status_code)


def test_users_only_for_existing_wards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "users.toml"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a-long-password\n"))
    code = main(["users", "add", "x", "--role", "ward_staff", "--ward", "99999",
                 "--password-stdin", "--file", str(path)])  # fmt: skip
    assert code == 2 and "99999" in capsys.readouterr().err
    assert not path.exists()


def test_live_state_keeps_auth_keys_under_its_prefix(settings: Settings) -> None:
    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    assert live.hit(("t:x", 60), ("t:y", 5)) == [(1, 60), (1, 5)]
    assert [k.decode() for k in live.r.scan_iter(f"{settings.redis_prefix}:auth:*")]
    live.r.close()
