"""Browser-test fixtures: a users file, a seeded test schema and a running control-room app."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from dash import Dash
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

from geodata.registry import wards
from ioc.app import close_app, create_app
from ioc.auth import add_user
from ioc.config import Settings
from ioc.model import BatchRows, EventRow, ReadingRow
from ioc.security import CSRF_COOKIE
from ioc.store.writer import write_batch

PASSWORD = "mật-khẩu-thử-1"
SECRET_KEY = "ioc-test-key-7f3a9c2e5b8d4f1a6c0e9b3d7a2f5c8e1b4d"  # passes the entropy check
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


class CsrfClient(FlaskClient):
    """Flask's test client sending the CSRF token as the browser does.

    Dash's renderer copies the ``_csrf_token`` cookie into an ``X-CSRFToken`` header on
    every callback; this client does the same on every POST (fetching the login page
    first when it has no cookie yet).  ``csrf=False`` sends a request without it.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        send = kwargs.pop("csrf", True)
        if send and str(kwargs.get("method", "GET")).upper() in ("POST", "PUT", "PATCH", "DELETE"):
            target = str(args[0]) if args else str(kwargs.get("path", ""))
            if self.get_cookie(CSRF_COOKIE) is None or target.startswith("/login"):
                super().open("/login", method="GET")  # as a browser loads the form first
            cookie = self.get_cookie(CSRF_COOKIE)
            headers = Headers(kwargs.pop("headers", None) or {})
            if cookie is not None:
                headers["X-CSRFToken"] = cookie.value
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    add_user(path, "kiosk", PASSWORD, "viewer", [])
    add_user(path, "admin", PASSWORD, "admin", [])
    add_user(path, "phuong1", PASSWORD, "ward_staff", ["27694"])
    return path


def seed(db: psycopg.Connection[Any]) -> None:
    """A little of everything the pages read, through the write path (so on either flavour).

    Readings: a pm25 value a minute for two hours and hourly pm25, COVID and
    vaccination figures for 40 days in every ward (the write path folds them
    into the rollups the pages read); dossier, report and e-government events;
    incidents in three states; one located device.
    """
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    hour = now.replace(minute=0)
    readings: list[ReadingRow] = []
    events: list[EventRow] = []
    for w in wards():
        readings += [
            ReadingRow(now - timedelta(minutes=g), w.code, f"aq-{w.code}-01", "pm25", 30.0 + g % 20)
            for g in range(121)
        ]
        for g in range(24 * 40):
            at = hour - timedelta(hours=g)
            readings += [
                ReadingRow(at, w.code, f"covid-{w.code}", "covid_new_cases", 1.0),
                ReadingRow(
                    at, w.code, f"covid-{w.code}", "vaccinated_dose1", 10.0 + (60 - g / 24) * 100
                ),
                ReadingRow(at, w.code, f"aq-{w.code}-02", "pm25", 35.0),
            ]
        for g in range(101):
            attrs = {"channel": "online" if g % 2 == 0 else "in_person", "level": 3 + g % 2,
                     "on_time": g % 5 != 0, "procedure": "Hộ tịch"}  # fmt: skip
            kind = ("dossier.received", "dossier.resolved", "dossier.overdue")[g % 3]
            events.append(
                EventRow(
                    now - timedelta(hours=g),
                    w.code,
                    "services",
                    "dvc",
                    f"{w.code}-{g}",
                    kind,
                    attrs,
                )
            )
    report = {"category": "rác thải", "text": "Rác tồn đọng", "lat": 10.535, "lon": 106.41}
    events += [
        EventRow(now, "27694", "reports", "app", "r1", "report.created", report),
        EventRow(now, "27694", "egov", "vb", "d1", "document.issued", {}),
        EventRow(now, "27694", "egov", "vb", "d2", "document.signed", {}),
    ]
    write_batch(db, BatchRows(readings=readings, events=events))
    db.execute(
        """
        INSERT INTO incidents (ward_code, domain, kind, severity, status, title, lat, lon)
        VALUES ('27694', 'alerts', 'traffic.accident', 'high', 'open', 'Tai nạn Quốc lộ 1', 10.535, 106.41),
               ('27697', 'water', 'level', 'critical', 'acknowledged', 'Ngập đường Hùng Vương', NULL, NULL),
               ('27700', 'lighting', 'fault', 'low', 'resolved', 'Tủ điện hỏng', NULL, NULL)
        """
    )
    db.execute(
        "INSERT INTO devices (device_id, ward_code, domain, lat, lon, first_seen, last_seen, online)"
        " VALUES ('air-27694-01', '27694', 'air', 10.535, 106.41, %(now)s, %(now)s, true)",
        {"now": now},
    )


@pytest.fixture
def app_factory(
    make_settings: Callable[..., Settings], users_file: Path, db: psycopg.Connection[Any]
) -> Iterator[Callable[..., Dash]]:
    seed(db)
    apps: list[Dash] = []

    def make(settings_overrides: dict[str, Any] | None = None, **app_overrides: Any) -> Dash:
        cfg = {"users_file": users_file, "secret_key": SECRET_KEY, **app_overrides}
        app = create_app(make_settings(app=cfg, **(settings_overrides or {})))
        app.server.test_client_class = CsrfClient
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_app(app)


def start_and_login(dash_duo: Any, app: Dash, user: str = "admin", path: str = "/") -> None:
    """Start ``app``, sign in through the login form and land on ``path``."""
    # A free port, not Dash's fixed 8050: several checkouts may run browser tests at once.
    dash_duo.start_server(app, navigate=False, port=free_port())
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    dash_duo._url = dash_duo.server.url  # set without navigating: "/" is the login page now
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next={quote(path, safe='/')}")
    dash_duo.find_element("#login-user").send_keys(user)
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#react-entry-point", timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def screenshot(dash_duo: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path
