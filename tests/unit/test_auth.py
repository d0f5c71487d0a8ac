"""Auth: the users file, and the guard on pages and on Dash callbacks (Flask test client).

The guard tests need PostgreSQL and Redis (the app reads real data); they use
the same fixtures as the browser tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from dash import Dash
from flask.testing import FlaskClient

from ioc.auth import User, UsersFileError, add_user, load_users, require_ward
from ioc.errors import AuthError
from tests.e2e.fix_app import PASSWORD

pytest_plugins = ["tests.e2e.fix_app"]


def test_add_and_load_users(tmp_path: Path) -> None:
    path = tmp_path / "u.toml"
    add_user(path, "an", "secret-123", "ward_staff", ["27694", "27697"])
    add_user(path, "bình", "secret-456", "viewer", [])
    users = load_users(path)
    assert users["an"].wards == {"27694", "27697"}
    assert users["an"].may_see("27694") and not users["an"].may_see("27700")
    assert users["bình"].may_see("27700")
    assert "secret" not in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o077 == 0


def test_any_user_name_survives_the_users_file(tmp_path: Path) -> None:
    """Quotes, backslashes, newlines and TOML syntax in a name are written as data, not markup."""
    path = tmp_path / "u.toml"
    odd = 'a"b\\c\nrole = "admin"\n[[users]]'
    add_user(path, odd, "secret-123", "viewer", [])
    add_user(path, "an", "secret-456", "ward_staff", ["27694"])
    users = load_users(path)
    assert set(users) == {odd, "an"}
    assert users[odd].role == "viewer" and users["an"].wards == {"27694"}


def test_ward_staff_needs_wards(tmp_path: Path) -> None:
    with pytest.raises(UsersFileError):
        add_user(tmp_path / "u.toml", "x", "secret-123", "ward_staff", [])


def test_another_ward_is_an_auth_error() -> None:
    """The refusal is the project's own error (answered 403 by the app's error handler)."""
    app = flask.Flask("t")
    with app.test_request_context():
        flask.g.ioc_user = User("phuong1", "ward_staff", frozenset({"27694"}))
        assert require_ward("27694").name == "phuong1"
        with pytest.raises(AuthError, match="27697"):
            require_ward("27697")


def test_missing_file_means_no_users(tmp_path: Path) -> None:
    assert load_users(tmp_path / "none.toml") == {}


def _post(
    client: FlaskClient, output: str, inputs: list[dict[str, Any]], state: list[dict[str, Any]]
) -> Any:
    parts = [p for p in output.strip(".").split("...")]
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    return client.post(
        "/_dash-update-component",
        json={"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0],
              "inputs": inputs, "state": state, "changedPropIds": []},
    )  # fmt: skip


def _login(client: FlaskClient, user: str, password: str = PASSWORD) -> int:
    return client.post(
        "/login", data={"username": user, "password": password, "next": "/"}
    ).status_code


WARD_PANELS = (
    "..ward-devices.children...ward-incidents.children...ward-reports.children..."
    "ward-services.children...ward-covid.children.."
)


def _ward_panels(client: FlaskClient, code: str) -> Any:
    return client.post(
        "/_dash-update-component",
        json={
            "output": WARD_PANELS,
            "outputs": [{"id": f"ward-{p}", "property": "children"}
                        for p in ("devices", "incidents", "reports", "services", "covid")],
            "inputs": [{"id": "ioc-version", "property": "data", "value": 1}],
            "state": [{"id": "ward-code", "property": "data", "value": code}],
            "changedPropIds": ["ioc-version.data"],
        },
    )  # fmt: skip


def test_unauthenticated_is_refused(app_factory: Callable[..., Dash]) -> None:
    client = app_factory().server.test_client()
    page = client.get("/ward/27694")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert client.get("/_dash-layout").status_code == 401
    assert _ward_panels(client, "27694").status_code == 401
    assert client.get("/login").status_code == 200
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_wrong_password(app_factory: Callable[..., Dash]) -> None:
    client = app_factory().server.test_client()
    assert _login(client, "admin", "wrong-password") == 401
    assert _ward_panels(client, "27694").status_code == 401


def test_ward_staff_sees_only_their_ward(app_factory: Callable[..., Dash]) -> None:
    client = app_factory().server.test_client()
    assert _login(client, "phuong1") == 302
    assert _ward_panels(client, "27694").status_code == 200
    assert _ward_panels(client, "27697").status_code == 403
    # City-wide pages are narrowed: the incident list holds only ward 27694's incident.
    resp = _post(
        client, "..incidents-table.children...incidents-count.children..",
        [{"id": f"incidents-{k}", "property": "value", "value": None}
         for k in ("ward", "domain", "severity", "status")]
        + [{"id": "ioc-version", "property": "data", "value": 1}],
        [],
    )  # fmt: skip
    text = json.dumps(resp.get_json(), ensure_ascii=False)
    assert resp.status_code == 200
    assert "Tai nạn Quốc lộ 1" in text and "Ngập đường Hùng Vương" not in text
    # Asking for another ward through the filter gives nothing.
    resp = _post(
        client, "..incidents-table.children...incidents-count.children..",
        [{"id": "incidents-ward", "property": "value", "value": "27697"}]
        + [{"id": f"incidents-{k}", "property": "value", "value": None}
           for k in ("domain", "severity", "status")]
        + [{"id": "ioc-version", "property": "data", "value": 1}],
        [],
    )  # fmt: skip
    assert "Ngập đường Hùng Vương" not in json.dumps(resp.get_json(), ensure_ascii=False)


def test_admin_sees_every_ward(app_factory: Callable[..., Dash]) -> None:
    client = app_factory().server.test_client()
    assert _login(client, "admin") == 302
    assert _ward_panels(client, "27697").status_code == 200


def test_open_redirect_refused(app_factory: Callable[..., Dash]) -> None:
    client = app_factory().server.test_client()
    resp = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert resp.headers["Location"] == "/"


def test_auth_off_is_admin(app_factory: Callable[..., Dash]) -> None:
    client = app_factory(auth="off").server.test_client()
    assert _ward_panels(client, "27697").status_code == 200
